"""Ctrl-C on ``docgen serve`` while the Generate page's run is going stops the run as it
stops ``docgen run``: at once, recorded as stopped, no LibreOffice left running, and the
uploads' folders (and LibreOffice's scratch folders) removed."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import big_workbook, session
from web_server import multipart

from docgen import pipeline

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and sends POSIX signals")


class Server:
    """``docgen serve`` in its own session, as a terminal runs it (Ctrl-C reaches its whole group)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        tmp.mkdir()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "docgen", "serve", "--no-browser", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TMPDIR": str(tmp)},
            start_new_session=True,
        )
        line = self.proc.stdout.readline()
        self.port, self.token = re.search(r":(\d+)/\?token=(\S+)", line).groups()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", int(self.port), timeout=60)
        conn.request(method, path, body=body, headers={"Cookie": f"docgen-{self.port}={self.token}", **(headers or {})})
        response = conn.getresponse()
        data = response.read().decode()
        conn.close()
        return response.status, response.getheader("location"), data

    def generate(self, book: Path, fields: str) -> str:
        csrf = re.compile(r'name="csrf" value="([^"]+)"')
        body, ctype = multipart(
            {"csrf": csrf.search(self.request("GET", "/")[2]).group(1)}, {"workbook": (book.name, book.read_bytes())}
        )
        status, location, _ = self.request("POST", "/upload", body, {"Content-Type": ctype})
        assert status == 303, "the upload was refused"
        sid = location.split("/")[2]
        form = f"csrf={csrf.search(self.request('GET', f'/s/{sid}/generate')[2]).group(1)}&{fields}".encode()
        status, _, _ = self.request(
            "POST", f"/s/{sid}/generate", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 303
        return sid

    def wait_for(self, sid: str, ready) -> None:
        deadline = time.monotonic() + 120
        while True:
            state = json.loads(self.request("GET", f"/s/{sid}/status")[2])
            assert not state["finished"], "the run finished before it could be stopped"
            if ready(state):
                return
            assert time.monotonic() < deadline, f"the run did not get there: {state}"
            time.sleep(0.05)

    def ctrl_c(self) -> str:
        """What a terminal does on Ctrl-C: SIGINT to every process of the group."""
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.communicate()
            pytest.fail("docgen serve was still running a minute after Ctrl-C")
        return err


def _stopped_cleanly(server: Server, err: str) -> None:
    assert "docgen serve stopped" in err and "Traceback" not in err, err
    assert server.proc.returncode == 0
    deadline = time.monotonic() + 10  # multiprocessing's resource tracker ends once the server has
    while session(server.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session(server.proc.pid) == [], "a process of the server (a worker, LibreOffice) is still running"
    assert list(server.tmp.iterdir()) == [], "a temporary folder was left behind"
    (entry,) = pipeline.history()
    assert (entry.face, entry.outcome) == ("web page", "stopped")


def test_ctrl_c_while_letters_are_written_stops_the_run_and_removes_everything(tmp_path):
    book = big_workbook(tmp_path)
    server = Server(tmp_path / "tmp")
    sid = server.generate(book, "what=all")
    server.wait_for(sid, lambda s: s["done"] > 0)
    _stopped_cleanly(server, server.ctrl_c())


def test_ctrl_c_while_letters_become_pdfs_stops_libreoffice_and_removes_everything(tmp_path, soffice):
    book = big_workbook(tmp_path)
    server = Server(tmp_path / "tmp")
    sid = server.generate(book, "what=all&pdf=yes")
    server.wait_for(sid, lambda s: "PDF" in s["phase"])
    time.sleep(2)  # LibreOffice is converting
    _stopped_cleanly(server, server.ctrl_c())
