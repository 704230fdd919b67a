"""One run per output folder: a lock file that a second run meets with a clear message.

The lock is the operating system's (``flock`` on POSIX, ``msvcrt.locking`` on Windows),
held on ``.docgen.lock`` in the folder for as long as the run lasts, so it dies with
the process: a run killed with ``kill -9`` leaves the file behind but not the lock, and
the next run takes it over. The file itself holds the holder's process id and start
time, for the message the other run shows; it is removed when the run ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys

from docgen.errors import OutputError

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

LOCK_NAME = ".docgen.lock"


class FolderLock:
    """The lock on one output folder; ``existed`` says the file was already there, that
    is, the last run into this folder did not finish (killed, or the power went)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.path = os.path.join(folder, LOCK_NAME)
        self.existed = False
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`OutputError` naming the run that has it."""
        for _ in range(10):
            self.existed = os.path.lexists(self.path)
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
            except OSError as err:
                raise OutputError(_cannot_write(self.folder, err)) from err
            if not _lock(fd):
                holder = _read(fd)
                os.close(fd)
                raise OutputError(
                    f"Another docgen run{holder} is writing into {self.folder}. Wait for it to finish "
                    "(two runs into one folder would mix their files), or choose another --out."
                )
            # The file may have been removed by the run that just finished, after we
            # opened it: then we hold a lock on a file nobody else can see. Try again.
            if _same_file(fd, self.path):
                self._fd = fd
                # The wall clock, for a person reading the message: no date is worked out from it.
                started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n{started}\n".encode())
                return
            os.close(fd)
        raise OutputError(f"Cannot lock {self.path}: it keeps being replaced. Is another program using the folder?")

    def release(self) -> None:
        """Remove the file, then let go of the lock (in that order: whoever opens the
        file next then finds it gone and makes a new one)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self._fd)  # closing the descriptor drops the lock
        self._fd = None


def _lock(fd: int) -> bool:
    """Take the lock on ``fd`` without waiting; False when another process holds it."""
    try:
        if sys.platform == "win32":
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _read(fd: int) -> str:
    """`` (process 123, started 24/11/2026 09:15:02)`` from the holder's lock file."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        pid, started = os.read(fd, 200).decode().split("\n")[:2]
        when = dt.datetime.fromisoformat(started).strftime("%d/%m/%Y %H:%M:%S")
        return f" (process {int(pid)}, started {when})"
    except (OSError, ValueError, AttributeError):
        return ""  # just created, not yet written; or unreadable: the message still stands


def _same_file(fd: int, path: str) -> bool:
    try:
        st, here = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (here.st_dev, here.st_ino)


def _cannot_write(folder: str, err: OSError) -> str:
    """What to do when docgen may not write into the output folder at all."""
    return (
        f"--out {folder}: cannot write into this folder ({err.strerror or err}). "
        "Choose a folder you may write to with --out (it is created if missing), or ask for write access."
    )
