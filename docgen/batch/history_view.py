"""The run history as people read it: a table for the terminal (``docgen history``) and CSV
for an information governance officer to paste into a spreadsheet (``--csv``). Kept apart
from :mod:`docgen.batch.history` (the file) and from the command line (options only)."""

from __future__ import annotations

import csv
import io

from docgen.batch.history import HistoryEntry
from docgen.batch.manifest import FORMULA_START

#: Option keys in the CSV, in order, after the record's own fields.
OPTIONS = (
    "out",
    "only",
    "icb",
    "today",
    "letter_date",
    "all",
    "pdf",
    "one_sided",
    "skip_invalid",
    "templates",
    "timeline",
    "delivery",
)
_FIELDS = (
    "id",
    "started (local time)",
    "finished (local time)",
    "started (UTC)",
    "who",
    "host",
    "face",
    "workbook",
    "workbook_sha256",
    "written",
    "unchanged",
    "failed",
    "not_due",
    "blocked",
    "exit_code",
    "manifest_sha256",
    "docgen_version",
    "outcome",
)


def files(e: HistoryEntry) -> str:
    """What a run wrote, in words: ``12 written, 3 unchanged, 1 failed``; ``no manifest``
    for a run that stopped or failed before writing one."""
    if e.manifest_sha256 is None and not (e.written or e.unchanged or e.failed or e.blocked or e.not_due):
        return "no manifest"
    parts = [f"{e.written} written", f"{e.unchanged} unchanged"]
    parts += [f"{n} {what}" for n, what in ((e.failed, "failed"), (e.blocked, "blocked"), (e.not_due, "not due")) if n]
    return ", ".join(parts)


def history_table(entries: list[HistoryEntry]) -> str:
    """The runs as a fixed-width table, newest first as given: number, when (local time),
    who, the workbook's name and the first 12 characters of its sha256, what was written,
    the outcome."""
    header = ("#", "When (local time)", "Who", "Face", "Workbook (sha256)", "Files", "Outcome")
    rows = [
        (
            str(e.id or ""),
            f"{e.started_local:%d/%m/%Y %H:%M}",
            e.who,
            e.face,
            f"{e.workbook} ({e.workbook_sha256[:12] or 'unreadable'})",
            files(e),
            e.outcome,
        )
        for e in entries
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(w) for cell, w in zip(r, widths, strict=False)), r[-1]]).rstrip()
        for r in (header, *rows)
    )


def history_csv(entries: list[HistoryEntry]) -> str:
    """The runs as CSV (a header row, then one row per run, newest first): every field of
    the record and each option in its own column."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([*_FIELDS, *OPTIONS])
    for e in entries:
        values = [
            e.id,
            f"{e.started_local:%Y-%m-%d %H:%M:%S}",
            f"{e.finished_local:%Y-%m-%d %H:%M:%S}",
            e.started_at.isoformat(),
            e.who,
            e.host,
            e.face,
            e.workbook,
            e.workbook_sha256,
            e.written,
            e.unchanged,
            e.failed,
            e.not_due,
            e.blocked,
            e.exit_code,
            e.manifest_sha256 or "",
            e.version,
            e.outcome,
            *(_option(e.options.get(k)) for k in OPTIONS),
        ]
        w.writerow(["'" + v if isinstance(v, str) and v[:1] in FORMULA_START else v for v in values])
    return buf.getvalue()


def _option(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value
