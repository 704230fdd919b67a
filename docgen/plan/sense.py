"""Checks that a plan makes sense on the day, beside the schedule's own checks.

Pure, like the rest of :mod:`docgen.plan`. Three kinds of warning, each naming the cell
to change:

* ``proposed_past``: a date docgen proposed (the workbook left it blank) is already past
  for a step someone has to do: business case approval, order, kick-off, technical survey,
  IDP. The plan cannot be trusted until the admin enters the date it happened or a new one.
  Steps that the status already puts behind the migration are not asked for (an order
  date for a migration whose status is Ordered, say).
* ``status_dates``: the status contradicts the dates: Planning with an order date in the
  past; Planning or Ordered with an extract request date in the past; a status that says
  the request went, or the kick-off was held, with that date in the future.
* ``day_bank_holiday`` / ``day_weekend`` / ``day_blackout``: a meeting, the IDP, FDP, the
  third-party links going off or the cut-over planning meeting on a weekend or bank
  holiday (dates given in the workbook: proposed ones are always working days), or inside
  a blackout that applies to the practice (dates given, and the days hung off go-live,
  which move with it: a meeting docgen proposed is only its guess until the admin enters
  one). Only days from today on: the past cannot be moved.
"""

from __future__ import annotations

import datetime as dt

from docgen.plan.calendar import WorkingCalendar
from docgen.plan.milestones import SOURCE_COLUMN, Milestone, ScheduleWarning
from docgen.plan.wording import day_name, long_date, short_date
from docgen.records import Blackout, Migration
from docgen.workbook import schema

PROPOSED_PAST = "proposed_past"
STATUS_DATES = "status_dates"
DAY_WEEKEND = "day_weekend"
DAY_BANK_HOLIDAY = "day_bank_holiday"
DAY_BLACKOUT = "day_blackout"

#: Steps someone has to do, whose proposed date passing means the plan is out of date,
#: with the statuses (casefolded) that already put the step behind the migration.
_MUST_HAPPEN: dict[str, frozenset[str]] = {
    "business_case_approved": frozenset({"ordered", "extract requested", "kick-off held", "in progress"}),
    "order_placed": frozenset({"ordered", "extract requested", "kick-off held", "in progress"}),
    "kick_off": frozenset({"kick-off held", "in progress"}),
    "technical_survey": frozenset({"in progress"}),
    "idp": frozenset({"in progress"}),
}

#: The days checked against weekends, bank holidays and blackouts (go-live has its own check).
_DAYS = ("kick_off", "technical_survey", "idp", "cut_over_planning", "third_party_links_off", "fdp")


def sense_warnings(
    migration: Migration,
    milestones: dict[str, Milestone],
    today: dt.date,
    calendar: WorkingCalendar,
    blackouts: tuple[Blackout, ...],
) -> list[ScheduleWarning]:
    """Every warning of this module for one migration (see the module docstring)."""
    return [
        *_proposed_past(migration, milestones, today),
        *_status_dates(migration, today),
        *_day_clashes(migration, milestones, today, calendar, blackouts),
    ]


def _warning(m: Migration, code: str, message: str, suggestion: str, dates, column: str) -> ScheduleWarning:
    return ScheduleWarning(m.migration_id, code, message, suggestion, tuple(dates), column)


def _proposed_past(m: Migration, milestones: dict[str, Milestone], today: dt.date) -> list[ScheduleWarning]:
    status = m.status.strip().casefold()
    out = []
    for key, done in _MUST_HAPPEN.items():
        ms = milestones[key]
        if ms.given or ms.start >= today or status in done:
            continue
        column = SOURCE_COLUMN[key]
        out.append(
            _warning(
                m,
                PROPOSED_PAST,
                f"The {ms.label[0].lower() + ms.label[1:]} proposed for {short_date(ms.start)} has passed.",
                f"Enter the date it took place, or a new one, in the {_header(column)} column.",
                (ms.start, today),
                column,
            )
        )
    return out


def _status_dates(m: Migration, today: dt.date) -> list[ScheduleWarning]:
    status = m.status.strip().casefold()
    shown = m.status.strip()
    out = []

    def add(message: str, suggestion: str, day: dt.date, column: str) -> None:
        out.append(_warning(m, STATUS_DATES, message, suggestion, (day, today), column))

    if status == "planning" and m.order_date and m.order_date <= today:
        add(
            f'The status is "{shown}" but the order date {long_date(m.order_date)} has passed.',
            "Set the status to Ordered (or the stage the migration has reached), or correct the order date.",
            m.order_date,
            "status",
        )
    if status in ("planning", "ordered") and m.extract_request_date and m.extract_request_date <= today:
        add(
            f'The status is "{shown}" but the extract request date {long_date(m.extract_request_date)} has passed.',
            "Set the status to Extract requested if the request went, or enter the date it will go.",
            m.extract_request_date,
            "status",
        )
    if (
        status in ("extract requested", "kick-off held", "in progress")
        and m.extract_request_date
        and m.extract_request_date > today
    ):
        add(
            f'The status "{shown}" says the data extract request has gone, but the extract request date '
            f"{long_date(m.extract_request_date)} is in the future.",
            "Enter the day the request was sent, or correct the status.",
            m.extract_request_date,
            "extract_request_date",
        )
    if status in ("kick-off held", "in progress") and m.kickoff_date and m.kickoff_date > today:
        add(
            f'The status "{shown}" says the kick-off has been held, but the kick-off date '
            f"{long_date(m.kickoff_date)} is in the future.",
            "Enter the day the kick-off took place, or correct the status.",
            m.kickoff_date,
            "kickoff_date",
        )
    return out


def _day_clashes(
    m: Migration,
    milestones: dict[str, Milestone],
    today: dt.date,
    calendar: WorkingCalendar,
    blackouts: tuple[Blackout, ...],
) -> list[ScheduleWarning]:
    out = []
    for key in _DAYS:
        ms = milestones[key]
        day = ms.start
        if day < today:
            continue
        column = SOURCE_COLUMN[key]
        what = f"The {'' if ms.given else 'proposed '}{ms.label} date {day_name(day)} {long_date(day)}"
        if column == "go_live":
            fix = "It is worked out from the go-live date: move go-live to move it."
        else:
            fix = f"Choose another day in the {_header(column)} column."
        if ms.given and day.weekday() >= 5:
            out.append(_warning(m, DAY_WEEKEND, f"{what} is on a weekend.", fix, (day,), column))
        elif ms.given and calendar.is_bank_holiday(day):
            name = calendar.holiday_name(day)
            out.append(_warning(m, DAY_BANK_HOLIDAY, f"{what} is a bank holiday ({name}).", fix, (day,), column))
        # A meeting or IDP docgen proposed is its own guess, replaced when the admin enters
        # the real date (then checked); days hung off go-live move only with go-live.
        blackout = calendar.blackout_on(day, blackouts) if ms.given or column == "go_live" else None
        if blackout is not None:
            out.append(
                _warning(
                    m,
                    DAY_BLACKOUT,
                    f'{what} is in the blackout "{blackout.reason}" '
                    f"({short_date(blackout.start)} to {short_date(blackout.end)}).",
                    fix,
                    (day, blackout.start, blackout.end),
                    column,
                )
            )
    return out


def _header(column: str) -> str:
    """The Migrations column's header, as the sheet shows it."""
    return schema.MIGRATIONS.column(column).header
