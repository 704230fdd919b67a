"""The dashboard: the batch at a glance, as counts the web page draws and prints beside
its charts.

Four series, each an ordered tuple of (label, count): migrations by status (the
Migrations sheet's statuses in the order a migration moves through them, every status
shown, zeros too), go-lives per month (the planned go-live the schedule gives, every
month from the first to the last, zeros too), moves from one system to another (most
first), and RAG (Red, Amber, Green, by :func:`docgen.plan.rag.rag`, the rule the
timeline's Summary sheet uses).

Cancelled migrations count in ``by_status`` and ``total``, and nowhere else: a cancelled
migration has no go-live to plan for and no RAG (Grey on the Summary). Every other
status, Live and On hold included, keeps its go-live month, its move and its RAG.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from docgen.formats.formatting import monthyear
from docgen.formats.svg_charts import RAG_COLOURS, bar_chart
from docgen.plan.milestones import MigrationSchedule
from docgen.plan.rag import RAGS, is_cancelled, rag
from docgen.plan.states import stage_name
from docgen.records import Batch, Migration
from docgen.workbook.schema import STATUSES

Series = tuple[tuple[str, int], ...]
ARROW = " \u2192 "  # "EMIS Web → SystmOne": a screen reader says "right arrow", not "greater than"


@dataclass(frozen=True)
class Dashboard:
    """The batch's counts as at ``as_at``: ``total`` migrations, and the four series
    (see the module docstring for what each counts)."""

    as_at: dt.date
    total: int
    by_status: Series
    go_lives_by_month: Series
    moves: Series
    rag: Series


def dashboard(
    batch: Batch, schedules: dict[str, MigrationSchedule], as_at: dt.date, *, locale: str = "en_GB"
) -> Dashboard:
    """The dashboard of the migrations in ``batch`` that have a schedule (the valid ones),
    as at ``as_at`` (the day the schedules were worked out on); months named in ``locale``."""
    migrations = [m for m in batch.migrations if m.migration_id in schedules]
    going_ahead = [m for m in migrations if not is_cancelled(m.status)]
    return Dashboard(
        as_at=as_at,
        total=len(migrations),
        by_status=_by_status(m.status for m in migrations),
        go_lives_by_month=_by_month((schedules[m.migration_id].date("go_live") for m in going_ahead), locale),
        moves=_most_first(Counter(_move(m) for m in going_ahead)),
        rag=_in_order(Counter(rag(schedules[m.migration_id], m.status) for m in going_ahead), RAGS),
    )


def _move(m: Migration) -> str:
    """``Optum (EMIS Web) → TPP (SystmOne)``: the move by supplier, as the issue of a
    supplier's capacity is counted, with the systems so two products of one supplier
    stay apart."""
    return (
        f"{m.current_supplier.strip()} ({m.current_system.strip()}){ARROW}"
        f"{m.new_supplier.strip()} ({m.new_system.strip()})"
    )


def charts(board: Dashboard) -> list[tuple[str, str]]:
    """Each chart of ``board`` as (title, SVG text), in the order the page shows them."""
    return [
        (title, bar_chart(title, series, colours=colours, chart_id=f"dashboard-{key}"))
        for key, title, series, colours in (
            ("status", "Migrations by status", board.by_status, None),
            ("rag", "RAG", board.rag, RAG_COLOURS),
            ("go-lives", "Go-lives per month", board.go_lives_by_month, None),
            ("moves", "Moves by supplier (from \u2192 to)", board.moves, None),
        )
    ]


def _by_status(statuses: Iterable[str]) -> Series:
    """Counts in the Migrations sheet's order of statuses, each named as the sheet spells
    it (cells are compared without case); a status the sheet does not list (validation
    refuses one) is counted after them rather than lost."""
    counts = Counter(stage_name(s) for s in statuses)
    others = sorted(set(counts) - set(STATUSES))
    return _in_order(counts, (*STATUSES, *others))


def _by_month(days: Iterable[dt.date], locale: str) -> Series:
    """Go-lives per calendar month, every month from the first to the last (an empty
    month shows 0, so a gap in the plan is seen)."""
    counts = Counter((d.year, d.month) for d in days)
    if not counts:
        return ()
    (year, month), last = min(counts), max(counts)
    out = []
    while (year, month) <= last:
        out.append((monthyear(dt.date(year, month, 1), locale=locale), counts[(year, month)]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


def _in_order(counts: Counter[str], labels: Iterable[str]) -> Series:
    return tuple((label, counts[label]) for label in labels)


def _most_first(counts: Counter[str]) -> Series:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
