"""The run history: one record per run (from the command line or the web page), kept in a
small SQLite file so an ICB's information governance officer can see who wrote what, when,
from which workbook, and that the manifest on disk is the one that run wrote.

Append-only in practice: docgen has no path that updates or deletes a record, and the
table's triggers refuse UPDATE and DELETE, so a later bug cannot rewrite history (anyone
with the file and a SQLite tool still can: this is an audit trail, not a seal).

The history never stops a run: a file that is not a docgen history (garbage, another
program's database, a schema docgen does not know) is renamed aside and a new one started;
a file locked by another program for too long, or a folder docgen may not write, costs
only this run's record. Each case comes back as a one-line note for the user.

Rollback journal, not WAL: WAL needs shared memory beside the file and does not work on a
network drive (where a roaming profile's data folder may be); records are a few hundred
bytes, so two runs finishing together simply wait for each other (the busy timeout).
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import socket
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from docgen import __version__
from docgen.batch.manifest import ManifestRow, Status
from docgen.errors import DocgenError

#: The environment variable naming the history file (a path), over the user data folder.
ENV = "DOCGEN_HISTORY"
FILE = "history.sqlite"
SCHEMA = 1  # PRAGMA user_version of the file this module writes
BUSY_SECONDS = 10.0  # how long a run waits for another run (or a database browser) to let go

COMMAND_LINE = "command line"
WEB_PAGE = "web page"
FINISHED = "finished"
STOPPED = "stopped"

_COLUMNS = (
    "started_at",
    "finished_at",
    "who",
    "host",
    "face",
    "workbook",
    "workbook_sha256",
    "options",
    "written",
    "unchanged",
    "failed",
    "not_due",
    "blocked",
    "exit_code",
    "manifest_sha256",
    "version",
    "outcome",
)

_CREATE = (
    """CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,       -- ISO 8601, UTC
    finished_at TEXT NOT NULL,      -- ISO 8601, UTC
    who TEXT NOT NULL,              -- the operating system user
    host TEXT NOT NULL,
    face TEXT NOT NULL,             -- 'command line' or 'web page'
    workbook TEXT NOT NULL,         -- the workbook's file name
    workbook_sha256 TEXT NOT NULL,  -- '' when it could not be read
    options TEXT NOT NULL,          -- JSON object
    written INTEGER NOT NULL,       -- manifest rows by status
    unchanged INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    not_due INTEGER NOT NULL,
    blocked INTEGER NOT NULL,
    exit_code INTEGER NOT NULL,
    manifest_sha256 TEXT,           -- NULL when the run wrote no manifest
    version TEXT NOT NULL,          -- docgen's version
    outcome TEXT NOT NULL           -- 'finished', 'stopped' or 'failed: <reason>'
)""",
    """CREATE TRIGGER runs_are_never_updated BEFORE UPDATE ON runs
BEGIN SELECT RAISE(ABORT, 'docgen history is append-only: a record cannot be changed'); END""",
    """CREATE TRIGGER runs_are_never_deleted BEFORE DELETE ON runs
BEGIN SELECT RAISE(ABORT, 'docgen history is append-only: a record cannot be deleted'); END""",
    f"PRAGMA user_version = {SCHEMA}",
)


@dataclass(frozen=True, kw_only=True)
class HistoryEntry:
    """One run as the history records it. Times are aware UTC datetimes (``local()``
    shows them in the machine's time zone); counts are the manifest's rows by status;
    ``id`` is None until the entry is appended."""

    started_at: dt.datetime
    finished_at: dt.datetime
    who: str
    host: str
    face: str  # COMMAND_LINE or WEB_PAGE
    workbook: str  # the file name
    workbook_sha256: str  # "" when the file could not be read
    options: dict[str, object] = field(default_factory=dict)
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    not_due: int = 0
    blocked: int = 0
    exit_code: int = 0
    manifest_sha256: str | None = None
    version: str = __version__
    outcome: str = FINISHED  # FINISHED, STOPPED or "failed: <reason>"
    id: int | None = None

    @property
    def started_local(self) -> dt.datetime:
        """When the run started, in the machine's local time zone."""
        return self.started_at.astimezone()

    @property
    def finished_local(self) -> dt.datetime:
        return self.finished_at.astimezone()


class HistoryUnreadable(DocgenError):
    """Raised by :func:`read` when the history file is not a docgen history or is locked;
    the next run sets a damaged file aside and starts a new one."""


class _Damaged(Exception):
    """The file is not a docgen history this module can append to; str() says why."""


class _Newer(Exception):
    """The file was written by a newer docgen (a later schema): left alone."""


def default_path() -> Path:
    """``$DOCGEN_HISTORY`` if set, else ``history.sqlite`` in the user's data folder
    (``~/.local/share/docgen`` on Linux, ``%LOCALAPPDATA%\\docgen`` on Windows,
    ``~/Library/Application Support/docgen`` on macOS)."""
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs  # only when the default is needed

    return Path(platformdirs.user_data_dir("docgen", appauthor=False)) / FILE


def who() -> str:
    """The operating system user; the environment's idea of it if the system has none
    (a container without a passwd entry), else ``unknown``."""
    try:
        return getpass.getuser()
    except Exception:  # OSError since 3.13, KeyError before: no passwd entry and no LOGNAME/USER
        return os.environ.get("USERNAME") or "unknown"


def host() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return "unknown"


def now() -> dt.datetime:
    """The clock, in UTC (a record's times; never a date a document carries)."""
    return dt.datetime.now(dt.UTC)


def file_sha256(path: Path) -> str | None:
    """Hex sha256 of the file at ``path``, or None if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def entry_for(
    workbook: Path,
    *,
    started_at: dt.datetime,
    face: str,
    options: dict[str, object],
    outcome: str,
    exit_code: int,
    rows: Iterable[ManifestRow] = (),
    manifest_sha256: str | None = None,
) -> HistoryEntry:
    """The record of a run of ``workbook`` that ends now: who and where, the workbook's
    sha256, and ``rows`` (the manifest's) counted by status."""
    counts = dict.fromkeys(Status, 0)
    for row in rows:
        counts[row.status] += 1
    return HistoryEntry(
        started_at=started_at,
        finished_at=now(),
        who=who(),
        host=host(),
        face=face,
        workbook=Path(workbook).name,
        workbook_sha256=file_sha256(Path(workbook)) or "",
        options=options,
        written=counts[Status.WRITTEN],
        unchanged=counts[Status.UNCHANGED],
        failed=counts[Status.FAILED],
        not_due=counts[Status.NOT_DUE],
        blocked=counts[Status.BLOCKED],
        exit_code=exit_code,
        manifest_sha256=manifest_sha256,
        outcome=outcome,
    )


def append(entry: HistoryEntry, path: Path | None = None) -> list[str]:
    """Append ``entry`` to the history at ``path`` (default: :func:`default_path`).

    Never raises for the history's own trouble: returns one-line notes for the user
    instead (a damaged file set aside, a record that could not be written)."""
    path = Path(path) if path is not None else default_path()
    notes: list[str] = []
    try:
        try:
            _insert(path, entry)
        except _Damaged as why:
            try:
                aside = _set_aside(path)
                notes.append(
                    f"History: {path} was not a docgen history ({why}); set aside as {aside.name} and a new one started."
                )
            except FileNotFoundError:
                pass  # another run set it aside first
            _insert(path, entry)
    except _Newer as why:
        notes.append(f"History: this run was not recorded: {path} {why}. Use that docgen, or set {ENV}.")
    except (OSError, sqlite3.Error, _Damaged) as err:
        notes.append(f"History: this run was not recorded in {path}: {_reason(err)}.")
    return notes


def _insert(path: Path, entry: HistoryEntry) -> None:
    """Add one row (its own transaction); :class:`_Damaged` if the file turns out corrupt."""
    con = _open(path)
    try:
        con.execute(f"INSERT INTO runs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", _row(entry))
    except sqlite3.DatabaseError as err:
        if _is_damage(err):
            raise _Damaged(_reason(err)) from err
        raise
    finally:
        con.close()


def read(path: Path | None = None, limit: int | None = None) -> list[HistoryEntry]:
    """The recorded runs, newest first (the last ``limit`` of them); none when there is no
    history yet. Raises :class:`HistoryUnreadable` for a damaged or locked file."""
    path = Path(path) if path is not None else default_path()
    if not path.exists():
        return []
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
    except sqlite3.Error as err:
        raise HistoryUnreadable(f"The history {path} cannot be opened: {_reason(err)}.") from err
    try:
        _check(con, path)
        query = f"SELECT id, {', '.join(_COLUMNS)} FROM runs ORDER BY id DESC"
        rows = con.execute(query + (" LIMIT ?" if limit is not None else ""), (limit,) if limit is not None else ())
        return [_entry(r) for r in rows]
    except _Damaged as why:
        raise HistoryUnreadable(
            f"The history {path} is not a docgen history ({why}). The next run sets it aside and starts a new one."
        ) from None
    except sqlite3.Error as err:
        raise HistoryUnreadable(f"The history {path} cannot be read: {_reason(err)}.") from err
    finally:
        con.close()


def _open(path: Path) -> sqlite3.Connection:
    """A connection to the history at ``path``, made with its schema if new; raises
    :class:`_Damaged` when the file is something else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit: each INSERT is its own transaction; the schema is made in one.
    con = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        if _version(con) == 0:
            # Two runs may start a new file together: the first creates, the second sees it.
            con.execute("BEGIN IMMEDIATE")
            try:
                if _version(con) == 0 and not con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    for statement in _CREATE:
                        con.execute(statement)
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        _check(con, path)
    except BaseException:
        con.close()
        raise
    return con


def _version(con: sqlite3.Connection) -> int:
    try:
        return int(con.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as err:
        if _is_damage(err):
            raise _Damaged(_reason(err)) from err
        raise


def _check(con: sqlite3.Connection, path: Path) -> None:
    """Raise :class:`_Newer` or :class:`_Damaged` unless the file holds this schema."""
    version = _version(con)
    if version > SCHEMA:
        raise _Newer(f"was written by a newer docgen (history schema {version}; this docgen knows {SCHEMA})")
    if version != SCHEMA:
        raise _Damaged("another program's SQLite database" if version == 0 else f"unknown history schema {version}")
    columns = {r[1] for r in con.execute("PRAGMA table_info(runs)")}
    if not set(_COLUMNS) <= columns:
        raise _Damaged("its table of runs lacks " + ", ".join(sorted(set(_COLUMNS) - columns)))


def _is_damage(err: sqlite3.DatabaseError) -> bool:
    """Not a database, or a corrupt one (not merely locked, read-only or unreachable)."""
    return getattr(err, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT") or (
        type(err) is sqlite3.DatabaseError
    )


def _set_aside(path: Path) -> Path:
    """Rename the damaged file (and a rollback journal beside it, which belongs to it) to
    ``<name>.damaged-<UTC time>``; return the new path."""
    stamp = now().strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    os.replace(path, aside)
    journal = path.with_name(path.name + "-journal")
    if journal.exists():
        os.replace(journal, aside.with_name(aside.name + "-journal"))
    return aside


def _reason(err: BaseException) -> str:
    if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
        return f"it was locked by another program for more than {BUSY_SECONDS:g} s"
    if isinstance(err, OSError):
        return err.strerror or str(err)
    return str(err) or type(err).__name__


def _row(e: HistoryEntry) -> tuple[object, ...]:
    return (
        e.started_at.astimezone(dt.UTC).isoformat(),
        e.finished_at.astimezone(dt.UTC).isoformat(),
        e.who,
        e.host,
        e.face,
        e.workbook,
        e.workbook_sha256,
        json.dumps(e.options, default=str),
        e.written,
        e.unchanged,
        e.failed,
        e.not_due,
        e.blocked,
        e.exit_code,
        e.manifest_sha256,
        e.version,
        e.outcome,
    )


def _entry(r: tuple[object, ...]) -> HistoryEntry:
    values = dict(zip(("id", *_COLUMNS), r, strict=True))
    try:
        options = json.loads(str(values["options"]))
    except ValueError:
        options = {"unreadable": values["options"]}
    return HistoryEntry(
        **{
            **values,
            "started_at": dt.datetime.fromisoformat(str(values["started_at"])),
            "finished_at": dt.datetime.fromisoformat(str(values["finished_at"])),
            "options": options if isinstance(options, dict) else {"options": options},
        }  # type: ignore[arg-type]
    )
