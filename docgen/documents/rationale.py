"""The business justification's sentence on the go-live date: why it avoids busy times,
or, when the schedule or a blackout says otherwise, that it needs review."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from docgen.formats.formatting import daterange
from docgen.plan.calendar import WorkingCalendar
from docgen.plan.milestones import ScheduleWarning
from docgen.records import Blackout

_CALENDAR = WorkingCalendar()


def go_live_rationale(
    go_live: dt.date, blackouts: tuple[Blackout, ...], warnings: tuple[ScheduleWarning, ...], *, locale: str = "en_GB"
) -> str:
    """A sentence or two for the business justification, after it names the go-live date:
    why the date avoids busy times, or, when a bank holiday, a blackout or the schedule's
    checks say otherwise, that it needs review."""
    return _rationale(go_live, tuple(blackouts), tuple(warnings), locale)


# A batch's migrations share blackouts and each is asked for three letters: remember.
@lru_cache(maxsize=4096)
def _rationale(
    go_live: dt.date, blackouts: tuple[Blackout, ...], warnings: tuple[ScheduleWarning, ...], locale: str
) -> str:
    # The letter has just named the date: these sentences say "this date", never repeat it,
    # and give facts in the letter's words (not docgen's warnings, written for the workbook).
    concerns = []
    if go_live.weekday() >= 5:
        concerns.append("it falls on a weekend")
    elif _CALENDAR.is_bank_holiday(go_live):
        concerns.append(f"it is a bank holiday ({_CALENDAR.holiday_name(go_live)})")
    concerns += [
        f"it falls within {b.reason} ({daterange(b.start, b.end, locale=locale)})"
        for b in blackouts
        if b.start <= go_live <= b.end
    ]
    flagged = any(w.column == "go_live" or go_live in w.dates for w in warnings)
    if concerns or flagged:
        why = f": {' and '.join(concerns)}" if concerns else ""
        checks = " The ICB's schedule checks also raise it." if concerns and flagged else ""
        if not concerns:
            why = ": the ICB's checks of the migration schedule raise a concern about it"
        return f"This date needs review before it is agreed{why}.{checks}"
    # Busy times near the go-live are the ones worth naming; a long list helps nobody.
    near = sorted(
        (
            b
            for b in blackouts
            if b.end >= go_live - dt.timedelta(days=183) and b.start <= go_live + dt.timedelta(days=183)
        ),
        key=lambda b: b.start,
    )[:4]
    if not near:
        return (
            "No busy periods or blackout dates are recorded for the practice around this date, and the "
            "schedule checks found no clash. The practice should confirm that it avoids local busy times and "
            "staff training or leave."
        )
    names = [f"{b.reason} ({daterange(b.start, b.end, locale=locale)})" for b in near]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"It avoids the busy times recorded for the practice: {listed}. "
        "The practice should confirm that it also avoids staff training and annual leave."
    )
