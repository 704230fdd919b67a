"""The store on a rerun: a file is ``unchanged`` only when it provably still holds the
bytes the manifest lists, and what a killed run left behind is cleared away."""

from __future__ import annotations

import csv
import hashlib
import shutil

from test_cli_run import files, make, manifest, run, two_migrations

from docgen.formats.files import is_temporary

LETTER = "QXY/Y90001 Test Surgery/kick-off-invitation.docx"


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_letter_zero_filled_at_the_same_size_is_rewritten_not_kept(tmp_path):
    out = tmp_path / "outputs"
    book = make(tmp_path, two_migrations)
    assert run(book, out).exit_code == 0
    letter = out / LETTER
    good = letter.read_bytes()
    with open(letter, "r+b") as fh:  # as a power cut can leave it: same size, zeros
        fh.write(bytes(len(good)))

    result = run(book, out)
    assert result.exit_code == 0, result.output
    rows = {r["path"]: r for r in manifest(out)}
    assert rows[LETTER]["status"] == "written"
    assert letter.read_bytes() == good
    assert rows[LETTER]["sha256"] == sha(letter)
    # Every other file was left alone, and the manifest is true of every file.
    assert {r["status"] for p, r in rows.items() if p != LETTER} == {"unchanged"}
    for path, row in rows.items():
        assert sha(out / path) == row["sha256"], path


def test_a_folder_copied_elsewhere_is_checked_by_its_bytes_and_kept(tmp_path):
    """New inodes and times (a copy, or a manifest from an older docgen without the
    ``stat`` column): the files are hashed, found the same, and not rewritten."""
    book = make(tmp_path)
    assert run(book, tmp_path / "first").exit_code == 0
    out = tmp_path / "copy"
    shutil.copytree(tmp_path / "first", out)
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as fh:
        old = [{k: v for k, v in r.items() if k != "stat"} for r in csv.DictReader(fh)]
    with (out / "manifest.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(old[0]), lineterminator="\r\n")
        w.writeheader()
        w.writerows(old)
    before = {n: (out / n).stat().st_mtime_ns for n in files(out) if n != "manifest.csv"}

    assert run(book, out).exit_code == 0
    assert {r["status"] for r in manifest(out)} == {"unchanged"}
    assert {n: (out / n).stat().st_mtime_ns for n in files(out) if n != "manifest.csv"} == before
    assert all(r["stat"] for r in manifest(out))  # checked now: the next rerun need not hash again


def test_a_rerun_after_a_killed_run_removes_its_temporary_files_and_no_one_elses(tmp_path):
    out = tmp_path / "outputs"
    book = make(tmp_path)
    assert run(book, out).exit_code == 0
    folder = out / "QXY" / "Y90001 Test Surgery"
    # What a run killed with kill -9 leaves: its lock file and temporary files (this
    # version's names and an earlier version's), next to files of the admin's.
    (out / ".docgen.lock").write_text("12345\n2026-11-23T09:00:00+00:00\n")
    leftovers = [folder / ".docgen-tmp-12345-7.docx", folder / ".tmp-12345-3.ics", out / ".docgen-tmp-12345-9.xlsx"]
    for path in leftovers:
        path.write_bytes(b"half a file")
    mine = [folder / ".tmp-notes.docx", folder / "notes.docgen-tmp-1-2.docx", out / "my notes.txt"]
    for path in mine:
        path.write_bytes(b"the admin's")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".docgen-tmp-1-1.docx").write_bytes(b"not under --out")
    (out / "linked").symlink_to(elsewhere)

    assert run(book, out).exit_code == 0
    assert not [p for p in leftovers if p.exists()]
    assert all(p.read_bytes() == b"the admin's" for p in mine)
    assert (elsewhere / ".docgen-tmp-1-1.docx").exists()  # the link was not followed
    assert not (out / ".docgen.lock").exists()
    listed = {r["path"] for r in manifest(out)}
    assert files(out) - {"manifest.csv"} - listed == {
        "my notes.txt",
        *(p.relative_to(out).as_posix() for p in mine[:2]),
    }


def test_docgen_recognises_only_its_own_temporary_names():
    assert is_temporary(".docgen-tmp-123-4.docx")
    assert is_temporary(".docgen-tmp-123-4")
    assert is_temporary(".tmp-123-4.ics")  # docgen before this version
    assert is_temporary(".tmp-k2j4_9xa.xlsx")  # docgen's annotate/init before this version
    for name in (".tmp-notes.docx", ".tmp-123-4.txt", "docgen-tmp-1-2.docx", ".docgen-tmp-x-2.docx", "a.docx"):
        assert not is_temporary(name), name


def test_a_rerun_after_ctrl_c_reads_the_manifest_set_aside(tmp_path, monkeypatch):
    """An interrupted run leaves the previous manifest set aside, never a manifest that
    lies about the files; the next run reads it and keeps what it may."""
    out = tmp_path / "outputs"
    book = make(tmp_path, two_migrations)
    assert run(book, out).exit_code == 0

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("docgen.batch.timeline.batch_fingerprint", lambda job: "changed")
    monkeypatch.setattr("docgen.batch.timeline.timeline_bytes", interrupt)
    assert run(book, out).exit_code == 130
    monkeypatch.undo()
    assert not (out / "manifest.csv").exists()
    assert (out / ".docgen-previous.csv").exists()

    assert run(book, out).exit_code == 0
    assert not (out / ".docgen-previous.csv").exists()
    assert {r["status"] for r in manifest(out) if r["document"] != "timeline"} == {"unchanged"}
