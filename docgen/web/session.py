"""Each upload's private folder and state, keyed by an unguessable id.

An upload gets its own folder (``tempfile.mkdtemp``: mode 0700, a random name) under the
server's root folder; the workbook is stored in its ``in`` folder under the uploaded
file's name reduced to letters, digits and a few marks (so the run history names the file
the admin knows, and no name can reach another folder), and the run writes into its
``out`` folder. The id only looks a session up in memory, never a path. Two browser tabs (two admins) hold two ids, so neither can reach
the other's files without the other's id (128 random bits).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: How many uploads a server keeps; the oldest idle one is dropped (and its folder removed) first.
KEEP = 20


@dataclass
class Generation:
    """One run of the Generate page: its progress while it runs, then its result."""

    started: dt.datetime
    options: dict[str, Any]
    done: int = 0
    total: int = 0
    phase: str = "Checking the workbook"
    finished: bool = False
    result: Any = None  # pipeline.RunResult
    error: str = ""
    problems: list[Any] = field(default_factory=list)  # a workbook refused at run time
    zip_path: Path | None = None
    process: Any = None  # the run's process (multiprocessing.Process)
    thread: threading.Thread | None = None  # the server's thread that follows it

    @property
    def running(self) -> bool:
        return not self.finished


@dataclass
class Session:
    """One upload: where its files are, what the check found, and its latest run."""

    id: str
    folder: Path
    name: str  # the file name the admin uploaded, for display only (never a path)
    uploaded: dt.datetime
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    report: Any = None  # pipeline.CheckReport
    generation: Generation | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def workbook(self) -> Path:
        return self.folder / "in" / f"{safe_stem(self.name)}.xlsx"

    @property
    def out(self) -> Path:
        return self.folder / "out"

    def tell(self, message: str) -> str:
        """A pipeline message as the admin should read it: this folder's paths become the
        uploaded file's name and 'the pack'."""
        return message.replace(str(self.workbook), self.name).replace(str(self.out), "the pack")

    @property
    def busy(self) -> bool:
        return self.generation is not None and self.generation.running


class Sessions:
    """Every live upload of one server, each in its own folder under ``root``."""

    def __init__(self, root: Path, keep: int = KEEP) -> None:
        self.root = root
        self.keep = keep
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, name: str, now: dt.datetime) -> Session:
        """A new session with its own empty folder (mode 0700, a random name)."""
        folder = Path(tempfile.mkdtemp(prefix="upload-", dir=self.root))
        (folder / "in").mkdir(mode=0o700)
        session = Session(id=secrets.token_urlsafe(16), folder=folder, name=name, uploaded=now)
        with self._lock:
            self._by_id[session.id] = session
            self._drop_oldest()
        return session

    def get(self, session_id: str) -> Session | None:
        """The session with this id, or None (an unknown, expired or forged id)."""
        with self._lock:
            return self._by_id.get(session_id)

    def discard(self, session: Session) -> None:
        """Forget a session and remove its folder (an upload that was refused)."""
        with self._lock:
            self._by_id.pop(session.id, None)
        shutil.rmtree(session.folder, ignore_errors=True)

    def _drop_oldest(self) -> None:
        idle = [s for s in self._by_id.values() if not s.busy]
        while len(self._by_id) > self.keep and idle:
            oldest = min(idle, key=lambda s: s.uploaded)
            idle.remove(oldest)
            del self._by_id[oldest.id]
            shutil.rmtree(oldest.folder, ignore_errors=True)

    def running(self) -> list[Session]:
        with self._lock:
            return [s for s in self._by_id.values() if s.busy]


def safe_stem(name: str) -> str:
    """A file name's stem reduced to letters, digits, spaces and ``._()&-`` (at most 100
    characters, never empty, never starting with a dot): safe as a file name anywhere."""
    base = name.rsplit(".", 1)[0] if "." in name else name
    return re.sub(r"[^A-Za-z0-9 ._()&-]+", "_", base).strip(" ._")[:100] or "workbook"
