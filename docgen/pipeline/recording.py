"""Every run recorded in the run history (:mod:`docgen.batch.history`), and the history read back (``docgen history``, the web page's History)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docgen.batch import history as run_history
from docgen.batch.history import HistoryEntry
from docgen.batch.history_view import history_csv, history_table
from docgen.pipeline.checking import CheckReport
from docgen.pipeline.options import RunOptions, RunResult


def record(
    workbook: Path,
    options: RunOptions,
    started_at: dt.datetime,
    outcome: str,
    exit_code: int,
    result: RunResult | None,
    report: CheckReport | None,
) -> list[str]:
    """Append this run to the history; the notes to show the user."""
    today = (result and result.today) or (report and report.today) or options.today
    letter_date = (result and result.letter_date) or options.letter_date
    asked: dict[str, object] = {
        "out": str(Path(options.out).resolve()),
        "only": list(options.only),
        "icb": options.icb,
        "today": today.isoformat(),
        "letter_date": letter_date.isoformat() if letter_date else None,
        "all": options.all_documents,
        "pdf": options.pdf,
        "one_sided": not options.duplex,
        "skip_invalid": options.skip_invalid,
        "templates": str(Path(options.templates).resolve()) if options.templates else None,
        "timeline": options.timeline,
        "delivery": options.delivery,
    }
    entry = run_history.entry_for(
        workbook,
        started_at=started_at,
        face=options.face,
        options=asked,
        outcome=outcome,
        exit_code=exit_code,
        rows=result.rows if result else (),
        manifest_sha256=result.manifest_sha256 if result else None,
    )
    return run_history.append(entry, history_path(options.history))


def history_path(path: Path | None = None) -> Path:
    """The history file runs are recorded in: ``path``, else ``$DOCGEN_HISTORY``, else
    ``history.sqlite`` in the user's data folder."""
    return Path(path) if path is not None else run_history.default_path()


def history(limit: int | None = None, path: Path | None = None) -> list[HistoryEntry]:
    """``docgen history``: the recorded runs, newest first (the last ``limit``). Raises
    a DocgenError for a damaged or locked history file."""
    return run_history.read(history_path(path), limit)


def history_text(entries: list[HistoryEntry], *, csv: bool = False) -> str:
    """``docgen history``'s output: a table newest first, or CSV (``csv``) for a spreadsheet."""
    return history_csv(entries) if csv else history_table(entries)
