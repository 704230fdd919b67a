// docgen's only script: drop a workbook on the upload page, and follow a run's progress.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var drop = document.getElementById("drop");
  var input = document.getElementById("workbook");
  if (drop && input) {
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      drop.addEventListener(name, function () { drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        document.getElementById("upload-form").submit();
      }
    });
    input.addEventListener("change", function () {
      var text = drop.querySelector(".drop-text");
      if (input.files.length && text) { text.textContent = input.files[0].name; }
    });
  }
  var running = document.getElementById("running");
  if (running) {
    var url = running.getAttribute("data-status");
    var bar = document.getElementById("progress");
    var phase = document.getElementById("phase");
    var poll = function () {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (s) {
          if (s.finished || !s.running) { window.location.reload(); return; }
          if (s.total) { bar.max = s.total; bar.value = s.done; }
          phase.textContent = s.phase + (s.total ? ": " + s.done + " of " + s.total + " migration(s)" : "");
          window.setTimeout(poll, 700);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    window.setTimeout(poll, 500);
  }
});
