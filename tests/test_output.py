"""Writing outputs: atomic files with the usual permissions, kept inside the output folder."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import PurePosixPath

import pytest

from docgen.batch.job import Job
from docgen.batch.store import store
from docgen.errors import OutputError
from docgen.formats import files as output
from docgen.formats.files import atomic_write_bytes, is_temporary
from docgen.records import Batch


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if is_temporary(p.name))


def test_a_new_file_gets_the_usual_permissions_and_no_temporary_file_is_left(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / "letter.docx", b"first")
    finally:
        os.umask(old)
    assert (tmp_path / "letter.docx").read_bytes() == b"first"
    assert (tmp_path / "letter.docx").stat().st_mode & 0o777 == 0o640  # 0o666 less the umask
    assert leftovers(tmp_path) == []


def test_an_existing_file_is_replaced_and_missing_folders_are_made(tmp_path):
    target = tmp_path / "QHM" / "A81001 Riverside" / "letter.docx"
    atomic_write_bytes(target, b"first")
    atomic_write_bytes(str(target), b"second, longer")
    assert target.read_bytes() == b"second, longer"
    assert leftovers(target.parent) == []


def test_a_temporary_name_left_by_a_killed_run_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_TMP_COUNTER", itertools.count())
    stale = tmp_path / f".docgen-tmp-{os.getpid()}-0.docx"
    stale.write_bytes(b"from a run that was killed")
    atomic_write_bytes(tmp_path / "letter.docx", b"new")
    assert (tmp_path / "letter.docx").read_bytes() == b"new"
    assert stale.read_bytes() == b"from a run that was killed"  # never opened: O_EXCL
    assert leftovers(tmp_path) == [stale.name]


def test_a_folder_that_is_a_file_is_reported(tmp_path):
    (tmp_path / "QHM").write_text("not a folder")
    with pytest.raises(OutputError, match=r"Cannot write .*letter\.docx: Not a directory\. Check the folder exists"):
        atomic_write_bytes(tmp_path / "QHM" / "letter.docx", b"x")


def test_a_failed_rename_leaves_no_temporary_file(tmp_path):
    (tmp_path / "letter.docx").mkdir()  # a folder where the letter should go
    with pytest.raises(OutputError, match="Close it if it is open in Word or Excel"):
        atomic_write_bytes(tmp_path / "letter.docx", b"x")
    assert leftovers(tmp_path) == []


def _job(out) -> Job:
    day = dt.date(2026, 2, 2)
    return Job(batch=Batch(), schedules={}, out=str(out), letter_date=day, today=day)


def test_store_proves_each_folder_inside_the_output_folder_once_per_job(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    elsewhere.mkdir()
    rel = PurePosixPath("QHM", "A81001 Riverside", "letter.docx")
    row = store(_job(out), rel, b"first", migration_id="MIG-001", document="letter")
    assert (row.status, row.path, row.bytes) == ("written", "QHM/A81001 Riverside/letter.docx", 5)
    # Between two runs the folder becomes a link to somewhere else: the next job refuses it.
    (out / "QHM" / "A81001 Riverside" / "letter.docx").unlink()
    (out / "QHM" / "A81001 Riverside").rmdir()
    (out / "QHM" / "A81001 Riverside").symlink_to(elsewhere)
    with pytest.raises(OutputError, match="outside the output folder"):
        store(_job(out), rel, b"second")
    assert list(elsewhere.iterdir()) == []
