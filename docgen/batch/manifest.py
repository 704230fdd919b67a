"""``manifest.csv``: every output of a run, its content hash, and what failed.

The previous run's manifest also lets a rerun skip rewriting a file whose content
has not changed (same sha256, and the file provably still holds it: see
:mod:`docgen.batch.store`), and skip even rendering a migration whose documents were all
made from the same inputs (the ``inputs`` column, a digest of what a file is made from:
see :mod:`docgen.batch.fingerprint`).

While a run writes, the previous manifest is set aside as ``.docgen-previous.csv``, so
a folder never shows a manifest that the files no longer match; a run that is killed
leaves it there for the next run to read, which then removes it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from docgen.formats.files import atomic_write_bytes, changed_since

MANIFEST = "manifest.csv"
PREVIOUS = ".docgen-previous.csv"


class Status(StrEnum):
    """What a run did with one output, as the manifest's ``status`` column spells it."""

    WRITTEN = "written"  # new bytes went to the file
    UNCHANGED = "unchanged"  # the file already held these bytes (or was made from the same inputs)
    FAILED = "failed"  # not written; ``message`` says why
    NOT_DUE = "not due"  # a migration with nothing to write in this run; ``message`` says why
    BLOCKED = "blocked"  # due, but cannot be written truthfully today; ``message`` says what to fix


#: The statuses of a file that is there after the run, as the manifest lists it.
PRESENT = frozenset({Status.WRITTEN, Status.UNCHANGED})


@dataclass(frozen=True, kw_only=True)
class ManifestRow:
    """One output (or one failure) of a run, one line of ``manifest.csv`` in field order.

    Keyword-only, so a row says which value is which: ``path`` is relative to the output
    folder, with ``/`` separators (empty for a migration that was never written);
    ``sha256`` and ``bytes`` describe the file (empty and 0 for a failure)."""

    migration_id: str = ""
    ods_code: str = ""
    document: str
    path: str
    sha256: str = ""
    bytes: int = 0
    status: Status
    message: str = ""
    inputs: str = ""  # digest of what the file was made from (docgen.batch.fingerprint)
    stat: str = ""  # the file's status when written or checked (docgen.formats.files.signature)


HEADER = [f.name for f in fields(ManifestRow)]


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def write_manifest(out: Path, rows: list[ManifestRow]) -> Path:
    """Write ``out/manifest.csv`` atomically (UTF-8 with BOM so Excel shows £ and ŵ)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    for row in rows:
        w.writerow([_csv_safe(getattr(row, name)) for name in HEADER])  # astuple deep-copies: slow
    path = Path(out) / MANIFEST
    atomic_write_bytes(path, buf.getvalue().encode("utf-8-sig"))
    return path


def _csv_safe(value: object) -> object:
    """Keep a text value from becoming a formula when the CSV is opened in Excel."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class Previous(NamedTuple):
    """One file as the previous run's manifest lists it."""

    sha256: str
    bytes: int
    inputs: str  # "" in a manifest written before that column
    stat: str  # "" in a manifest written before that column, or when it cannot vouch


def read_previous(out: Path) -> dict[str, Previous]:
    """Path -> :class:`Previous` for the files the previous run wrote: from its
    manifest, or from the one a killed run set aside (:data:`PREVIOUS`).

    A ``stat`` recorded in the same clock tick as the manifest was written, or later,
    is dropped: a rewrite just after the run could have kept it (see
    :func:`docgen.formats.files.changed_since`), so such a file is checked by its bytes."""
    for name in (MANIFEST, PREVIOUS):
        path = Path(out) / name
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                written = os.fstat(fh.fileno()).st_mtime_ns
                return {
                    r["path"]: Previous(
                        r["sha256"],
                        int(r["bytes"] or 0),
                        r.get("inputs") or "",
                        "" if changed_since(stat := r.get("stat") or "", written) else stat,
                    )
                    for r in csv.DictReader(fh)
                    if r.get("status") in PRESENT and r.get("path")
                }
        except FileNotFoundError:
            continue
        except (OSError, ValueError, KeyError, csv.Error):
            return {}  # an unreadable old manifest only costs a full rewrite
    return {}
