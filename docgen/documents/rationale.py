"""The business justification's sentence on the go-live date: why it avoids busy times,
or, when the schedule or a blackout says otherwise, that it needs review."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel.dates import format_date

from docgen.formats.formatting import longdate
from docgen.plan.milestones import ScheduleWarning
from docgen.records import Blackout


def go_live_rationale(
    go_live: dt.date, blackouts: tuple[Blackout, ...], warnings: tuple[ScheduleWarning, ...], *, locale: str = "en_GB"
) -> str:
    """One sentence for the business justification on why the go-live date avoids busy
    times, or, when the schedule or a blackout says otherwise, that it needs review."""
    return _rationale(go_live, tuple(blackouts), tuple(warnings), locale)


# A batch's migrations share blackouts and each is asked for three letters: remember.
@lru_cache(maxsize=4096)
def _rationale(
    go_live: dt.date, blackouts: tuple[Blackout, ...], warnings: tuple[ScheduleWarning, ...], locale: str
) -> str:
    day = _long(go_live, locale)
    concerns = [_sentence(w.message, locale) for w in warnings if w.column == "go_live" or go_live in w.dates]
    concerns += [
        f"It falls within {b.reason} ({_span(b.start, b.end, locale)})."
        for b in blackouts
        if b.start <= go_live <= b.end and not any(b.reason in c for c in concerns)
    ]
    if concerns:
        return f"The provisional go-live date of {day} needs review before it is agreed. {' '.join(concerns)}"
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
            f"No busy periods or blackout dates are recorded for the practice around the provisional go-live "
            f"date of {day}, and the schedule checks found no clash. The practice should confirm that the date "
            f"avoids local busy times and staff training or leave."
        )
    names = [f"{b.reason} ({_span(b.start, b.end, locale)})" for b in near]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"The provisional go-live date of {day} avoids the busy times recorded for the practice: {listed}. "
        f"The practice should confirm that it also avoids staff training and annual leave."
    )


_SHORT_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


def _sentence(text: str, locale: str) -> str:
    """A schedule warning as a sentence of a letter: its dd/mm/yyyy dates (written for
    the workbook) in the letters' long form."""
    text = _SHORT_DATE.sub(lambda m: _long(dt.date(int(m[3]), int(m[2]), int(m[1])), locale), text.strip())
    return text if text.endswith((".", "!", "?")) else text + "."


def _long(d: dt.date, locale: str) -> str:
    return longdate(d, locale=locale)


@lru_cache(maxsize=4096)
def _span(start: dt.date, end: dt.date, locale: str) -> str:
    if start == end:
        return _long(start, locale)
    if (start.year, start.month) == (end.year, end.month):
        return f"{format_date(start, 'd', locale=locale)} to {_long(end, locale)}"
    if start.year == end.year:
        return f"{format_date(start, 'd MMMM', locale=locale)} to {_long(end, locale)}"
    return f"{_long(start, locale)} to {_long(end, locale)}"
