"""The output folder: one run at a time, never over the workbook or someone else's
file, and a clear message when docgen may not write there."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import time

import pytest
from processes import big_workbook, start
from test_cli_run import TODAY, files, invoke, make, manifest, run, two_migrations

from docgen.formats import folder_lock


def test_a_second_run_into_the_same_folder_is_refused_naming_the_first(tmp_path):
    out = tmp_path / "outputs"
    book = big_workbook(tmp_path)
    first = start(book, out)
    lock = out / ".docgen.lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().count("\n") == 2):
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.02)

    second = run(book, out)
    assert second.exit_code == 1
    assert re.fullmatch(
        rf"Error: Another docgen run \(process {first.pid}, started \d\d/\d\d/\d{{4}} \d\d:\d\d:\d\d\) is writing "
        rf"into {re.escape(str(out))}\. Wait for it to finish \(two runs into one folder would mix their files\), "
        r"or choose another --out\.",
        second.output.splitlines()[-1],
    ), second.output

    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    rows = [r for r in manifest(out) if r["path"]]
    assert files(out) == {"manifest.csv"} | {r["path"] for r in rows}  # the first run's, whole


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    (out / ".docgen.lock").write_text("999999\n2026-11-23T09:00:00+00:00\n")  # nobody holds it
    assert run(make(tmp_path), out).exit_code == 0
    assert not (out / ".docgen.lock").exists()


def test_a_workbook_named_like_an_output_in_out_is_refused_and_left_alone(tmp_path):
    book = make(tmp_path, name="timeline.xlsx")
    before = book.read_bytes()
    for command in ("run", "timeline"):
        args = [command, book, "--out", tmp_path, "--today", TODAY]
        result = invoke(*args) if command == "timeline" else run(book, tmp_path)
        assert result.exit_code == 1, result.output
        assert result.output.splitlines()[-1] == (
            f"Error: --out {tmp_path}: docgen would write timeline.xlsx there, which is the workbook it is "
            f"reading ({book}); nothing was written. Move or rename the workbook, or choose another --out."
        )
        assert book.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["timeline.xlsx"]


def test_a_workbook_where_a_letter_would_land_is_refused(tmp_path):
    out = tmp_path / "outputs"
    folder = out / "QXY" / "Y90001 Test Surgery"
    folder.mkdir(parents=True)
    book = make(folder, name="Kick-off-Invitation.DOCX")  # a case-blind disk would say it is the letter
    before = book.read_bytes()
    result = run(book, out)
    assert result.exit_code == 1
    assert "docgen would write QXY/Y90001 Test Surgery/kick-off-invitation.docx there" in result.output
    assert book.read_bytes() == before
    assert files(out) == {"QXY/Y90001 Test Surgery/Kick-off-Invitation.DOCX"}


def test_files_docgen_did_not_write_are_not_overwritten(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "timeline.xlsx").write_bytes(b"the admin's own timeline")
    (out / "budget.xlsx").write_bytes(b"unrelated")
    result = run(make(tmp_path), out)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: --out {out} already holds 1 file(s) where docgen would write, and docgen did not write them "
        "(the folder has no manifest.csv from a docgen run): timeline.xlsx. Nothing was written. "
        "Choose a new or empty folder with --out, or move those files away."
    )
    assert files(out) == {"timeline.xlsx", "budget.xlsx"}
    assert (out / "timeline.xlsx").read_bytes() == b"the admin's own timeline"


def test_docgens_own_files_from_earlier_runs_are_rewritten(tmp_path):
    """A run with --only lists only its migration; the next full run still rewrites the
    others' files, which docgen wrote in the run before."""
    out = tmp_path / "outputs"
    book = make(tmp_path, two_migrations)
    assert run(book, out).exit_code == 0
    assert run(book, out, "--only", "Y90001").exit_code == 0
    result = run(book, out)
    assert result.exit_code == 0, result.output
    assert len([r for r in manifest(out) if r["migration_id"] == "MIG-002"]) == 6


def _refuse_lock_file(err: int):
    real = os.open

    def fake(path, *args, **kwargs):
        if str(path).endswith(".docgen.lock"):
            raise OSError(err, os.strerror(err), str(path))
        return real(path, *args, **kwargs)

    return fake


@pytest.mark.parametrize("err", [errno.EROFS, errno.EACCES])
def test_a_read_only_output_folder_is_named_with_what_to_do(tmp_path, monkeypatch, err):
    out = tmp_path / "outputs"
    out.mkdir()
    monkeypatch.setattr(folder_lock.os, "open", _refuse_lock_file(err))
    result = run(make(tmp_path), out)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: --out {out}: cannot write into this folder ({os.strerror(err)}). Choose a folder you may write "
        "to with --out (it is created if missing), or ask for write access."
    )
    assert "Traceback" not in result.output


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_folder_without_write_permission_is_named(tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = run(make(tmp_path), out)
    finally:
        out.chmod(0o755)
    assert result.exit_code == 1
    assert f"Error: --out {out}: cannot write into this folder (Permission denied)." in result.output


def test_an_output_folder_that_cannot_be_made_is_named(tmp_path):
    (tmp_path / "a file").write_text("x")
    out = tmp_path / "a file" / "outputs"
    result = run(make(tmp_path), out)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: --out {out}: cannot create the folder (Not a directory). Check the path, or choose a folder "
        "you may write to with --out."
    )


def test_the_cli_never_shows_a_traceback_for_a_read_only_disk(tmp_path):
    """The same, through a real process: the message and exit 1, nothing else."""
    out = tmp_path / "outputs"
    out.mkdir()
    code = (
        "import errno, os, sys\n"
        "real = os.open\n"
        "def fake(path, *a, **k):\n"
        "    if str(path).endswith('.docgen.lock'):\n"
        "        raise OSError(errno.EROFS, 'Read-only file system', str(path))\n"
        "    return real(path, *a, **k)\n"
        "os.open = fake\n"
        "from docgen.cli import main\n"
        "sys.exit(main())\n"
    )
    book = make(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", str(book), "--out", str(out), "--today", TODAY, "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1].startswith(f"Error: --out {out}: cannot write into this folder (Read-only")
