"""Stopping a run from outside, through real processes: kill -9 of the whole process
group, SIGTERM, a worker killed mid-batch. Nothing is lost and nothing is left running."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from processes import MIGRATIONS, big_workbook, children, session, start, wait_for_letters
from test_cli_run import TODAY, files, manifest

from docgen import pipeline
from docgen.batch.pool import WORKER_DIED

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and sends POSIX signals")


def assert_exactly_the_manifests_files(out: Path) -> None:
    rows = [r for r in manifest(out) if r["status"] in ("written", "unchanged")]
    assert files(out) == {"manifest.csv"} | {r["path"] for r in rows}
    for r in rows:
        assert hashlib.sha256((out / r["path"]).read_bytes()).hexdigest() == r["sha256"], r["path"]


def test_kill_9_of_the_process_group_then_a_rerun_leaves_exactly_the_manifests_files(tmp_path):
    out = tmp_path / "outputs"
    book = big_workbook(tmp_path)
    proc = start(book, out)
    wait_for_letters(proc, out, 150)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    # What a kill can leave, whatever the timing: a temporary file mid-write.
    folder = next(out.glob("QXY/*"))
    (folder / f".docgen-tmp-{proc.pid}-12.docx").write_bytes(b"half a letter")

    rerun = subprocess.run(
        [sys.executable, "-m", "docgen", "run", str(book), "--out", str(out), "--today", TODAY, "--all"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert_exactly_the_manifests_files(out)
    assert len([r for r in manifest(out) if r["path"].endswith(".docx")]) == 3 * MIGRATIONS


def test_sigterm_stops_the_run_and_its_workers_with_exit_143(tmp_path, history):
    out = tmp_path / "outputs"
    proc = start(big_workbook(tmp_path), out)
    wait_for_letters(proc, out, 30)
    os.kill(proc.pid, signal.SIGTERM)  # the main process only, as a scheduler would
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert stderr.splitlines() == [
        "Stopped by SIGTERM: files already written are complete; none is half-written. Run again to finish."
    ]
    assert session(proc.pid) == []  # no worker left running
    assert not [n for n in files(out) if ".docgen-tmp-" in n]
    assert not (out / ".docgen.lock").exists()
    [record] = pipeline.history(path=history)  # the run's own record, written as it stopped
    assert (record.outcome, record.exit_code, record.manifest_sha256) == ("stopped", 143, None)


def test_a_worker_killed_mid_batch_is_reported_and_the_rest_kept(tmp_path):
    out = tmp_path / "outputs"
    book = big_workbook(tmp_path)
    proc = start(book, out)
    wait_for_letters(proc, out, 200)  # some chunks of migrations have come back
    os.kill(children(proc.pid)[0], signal.SIGKILL)  # as the out-of-memory killer does
    stdout, stderr = proc.communicate(timeout=120)

    assert proc.returncode == 1
    assert "Traceback" not in stderr
    failed = [r for r in manifest(out) if r["status"] == "failed"]
    assert failed and {r["message"] for r in failed} == {WORKER_DIED}
    first = next(r["migration_id"] for r in failed if r["migration_id"])
    assert re.search(rf"^Failed: (timeline.xlsx, )?{first}, MIG-", stderr, re.M), stderr
    assert WORKER_DIED in stderr
    assert session(proc.pid) == []
    assert not [n for n in files(out) if ".docgen-tmp-" in n]
    written = {r["migration_id"] for r in manifest(out) if r["status"] == "written" and r["migration_id"]}
    assert written and not written & {r["migration_id"] for r in failed}
    for r in manifest(out):
        if r["status"] == "written":
            assert hashlib.sha256((out / r["path"]).read_bytes()).hexdigest() == r["sha256"]

    rerun = start(book, out)
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert_exactly_the_manifests_files(out)
