"""Running docgen as a real process for the tests that stop it from outside: a workbook
big enough to take a few seconds, and what /proc says about its processes (Linux)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from test_cli_run import TODAY, add_practice, make

MIGRATIONS = 300  # a few seconds with two workers


def big_workbook(tmp_path: Path) -> Path:
    def many(sheets):
        for k in range(2, MIGRATIONS + 1):
            add_practice(sheets, f"Y9{k:04d}", f"Practice {k}", f"MIG-{k:04d}")

    return make(tmp_path, many, name="big.xlsx")


def start(book: Path, out: Path, jobs: int = 2) -> subprocess.Popen:
    """``docgen run`` in its own session (so its whole process group can be signalled)."""
    cmd = [sys.executable, "-m", "docgen", "run", str(book), "--out", str(out), "--today", TODAY, "--all"]
    return subprocess.Popen(
        [*cmd, "--jobs", str(jobs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            found += [int(c) for c in fh.read().split()]
    return found


def session(sid: int) -> list[int]:
    """Live (not zombie) processes of session ``sid``."""
    alive = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                alive.append(int(name))
    return alive


def wait_for_letters(proc: subprocess.Popen, out: Path, count: int) -> None:
    """Until the run has written ``count`` letters and its workers are up."""
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run wrote too few letters in time"
        if len(children(proc.pid)) >= 2 and out.exists() and len(list(out.glob("*/*/*.docx"))) >= count:
            return
        time.sleep(0.02)
