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
from operator import attrgetter
from pathlib import Path

from docgen.formats.files import atomic_write_bytes

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


def write_manifest(out: Path, rows: list[ManifestRow]) -> tuple[Path, str]:
    """Write ``out/manifest.csv`` atomically (UTF-8 with BOM so Excel shows £ and ŵ)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    values = attrgetter(*HEADER)  # astuple deep-copies: slow
    # A text value starting like a formula gets a ' so Excel shows it as text (inline, and
    # one writerows: a function call per value or row cost a third of the manifest's time).
    w.writerows(["'" + v if v.__class__ is str and v[:1] in FORMULA_START else v for v in values(row)] for row in rows)
    path = Path(out) / MANIFEST
    data = buf.getvalue().encode("utf-8-sig")
    atomic_write_bytes(path, data)
    return path, sha256(data)


#: What a text starting like a formula starts with: such a text gets a ' in a CSV docgen
#: writes (the manifest, ``docgen history --csv``), so a spreadsheet shows it as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


#: One file as the previous run's manifest lists it: (sha256, bytes, inputs, stat), the
#: last two "" in a manifest written before those columns. A plain tuple, not a NamedTuple:
#: the garbage collector stops tracking a tuple of strings and numbers but never an
#: instance of a subclass, and 38,000 tracked ones made the country's rerun 0.1 s slower.
Previous = tuple[str, int, str, str]


def read_previous(out: Path) -> tuple[dict[str, Previous], int]:
    """Path -> :data:`Previous` for the files the previous run wrote, from its manifest
    or from the one a killed run set aside (:data:`PREVIOUS`); and when that manifest
    was written (its modification time in nanoseconds; 0 without one), before which a
    file's ``stat`` must have been recorded to vouch for it
    (see :func:`docgen.batch.store.kept`)."""
    for name in (MANIFEST, PREVIOUS):
        path = Path(out) / name
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                written = os.fstat(fh.fileno()).st_mtime_ns
                return _listed(csv.reader(fh)), written
        except FileNotFoundError:
            continue
        except (OSError, ValueError, KeyError, IndexError, StopIteration, csv.Error):
            return {}, 0  # an unreadable old manifest only costs a full rewrite
    return {}, 0


def _listed(reader) -> dict[str, Previous]:
    """The present files of a manifest's rows, by column name (a manifest from before the
    ``inputs`` or ``stat`` column has "" there). Rows as lists, not dictionaries: on the
    country's 38,000 rows a dictionary per row cost a fifth of the reading."""
    header = next(reader)
    path, sha, size, status = (header.index(n) for n in ("path", "sha256", "bytes", "status"))
    inputs, stat = (header.index(n) if n in header else None for n in ("inputs", "stat"))
    return {
        r[path]: (
            r[sha],
            int(r[size] or 0),
            r[inputs] if inputs is not None and inputs < len(r) else "",
            r[stat] if stat is not None and stat < len(r) else "",
        )
        for r in reader
        if len(r) > status and r[status] in PRESENT and r[path]
    }
