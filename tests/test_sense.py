"""Plans that make sense on the day (docgen.plan.sense), through the schedule's warnings."""

from __future__ import annotations

import pytest
from schedule_fixtures import D, batch, migration, only, plan

from docgen.plan.calendar import WorkingCalendar
from docgen.plan.milestones import OUT_OF_ORDER
from docgen.plan.schedule import schedule_migration
from docgen.plan.sense import DAY_BANK_HOLIDAY, DAY_BLACKOUT, DAY_WEEKEND, PROPOSED_PAST, STATUS_DATES
from docgen.records import Blackout


@pytest.fixture(scope="module")
def cal():
    return WorkingCalendar()


def codes(schedule) -> list[str]:
    return [w.code for w in schedule.warnings]


def test_a_proposed_kick_off_that_has_passed_asks_for_the_real_date(cal):
    # Ordered Mon 2 Nov 2026; kick-off proposed 10 working days later, Mon 16 Nov; today 23 Nov.
    s = plan(cal, today=D(2026, 11, 23), status="Ordered", order_date=D(2026, 11, 2), go_live=D(2027, 2, 16))
    w = [w for w in s.warnings if w.code == PROPOSED_PAST and w.column == "kickoff_date"][0]
    assert w.message == "The kick-off meeting proposed for 16/11/2026 has passed."
    assert w.suggestion == "Enter the date it took place, or a new one, in the Kick-off date column."


def test_a_step_the_status_puts_behind_is_not_asked_for(cal):
    # Kick-off held: the passed proposed kick-off is not asked for; the survey still is.
    s = plan(cal, today=D(2026, 11, 23), status="Kick-off held", order_date=D(2026, 11, 2), go_live=D(2027, 2, 16))
    asked = {w.column for w in s.warnings if w.code == PROPOSED_PAST}
    assert "kickoff_date" not in asked and "survey_date" in asked


def test_a_given_date_is_never_proposed_past(cal):
    s = plan(
        cal,
        today=D(2026, 11, 23),
        status="Ordered",
        order_date=D(2026, 11, 2),
        kickoff_date=D(2026, 11, 16),
        survey_date=D(2026, 11, 19),
        go_live=D(2027, 2, 16),
    )
    assert PROPOSED_PAST not in codes(s)


@pytest.mark.parametrize(
    ("status", "dates", "column", "words"),
    [
        ("Planning", {"order_date": D(2026, 11, 2)}, "status", 'The status is "Planning" but the order date'),
        ("Ordered", {"order_date": D(2026, 11, 2), "extract_request_date": D(2026, 11, 4)}, "status",
         "but the extract request date 4 November 2026 has passed"),
        ("Extract requested", {"order_date": D(2026, 11, 2), "extract_request_date": D(2026, 11, 30)},
         "extract_request_date", "says the data extract request has gone"),
        ("Kick-off held", {"order_date": D(2026, 11, 2), "kickoff_date": D(2026, 12, 1)}, "kickoff_date",
         "says the kick-off has been held"),
    ],
)  # fmt: skip
def test_a_status_that_contradicts_the_dates(cal, status, dates, column, words):
    s = plan(cal, today=D(2026, 11, 23), status=status, go_live=D(2027, 2, 16), **dates)
    w = only(s, STATUS_DATES)
    assert w.column == column
    assert words in w.message


def test_a_status_that_agrees_with_the_dates_is_quiet(cal):
    s = plan(
        cal,
        today=D(2026, 11, 23),
        status="Extract requested",
        order_date=D(2026, 11, 2),
        extract_request_date=D(2026, 11, 4),
        go_live=D(2027, 2, 16),
    )
    assert STATUS_DATES not in codes(s)


def test_a_given_kick_off_on_a_bank_holiday_or_weekend(cal):
    holiday = plan(cal, today=D(2026, 3, 2), kickoff_date=D(2026, 5, 4))  # Early May bank holiday
    w = only(holiday, DAY_BANK_HOLIDAY)
    assert w.message == ("The Kick-off meeting date Monday 4 May 2026 is a bank holiday (May Day).")
    assert w.column == "kickoff_date"
    weekend = plan(cal, today=D(2026, 3, 2), survey_date=D(2026, 6, 13))  # a Saturday
    assert only(weekend, DAY_WEEKEND).column == "survey_date"


def test_fdp_in_a_blackout_asks_to_move_go_live(cal):
    # Go-live Tue 15 Sep 2026: FDP 5 working days before, Tue 8 Sep, in the blackout.
    b = batch(
        migration(go_live=D(2026, 9, 15)),
        blackouts=(Blackout(D(2026, 9, 7), D(2026, 9, 9), "Practice refit", "All"),),
    )
    s = schedule_migration(b, b.migrations[0], D(2026, 3, 2), cal)
    fdp = [w for w in s.warnings if w.code == DAY_BLACKOUT and "Final data production" in w.message]
    assert len(fdp) == 1
    assert fdp[0].column == "go_live"
    assert fdp[0].suggestion == "It is worked out from the go-live date: move go-live to move it."


def test_a_proposed_meeting_in_a_blackout_is_left_to_the_admin(cal):
    # The proposed kick-off (order + 10 working days) falls in the blackout: docgen's guess.
    b = batch(
        migration(go_live=D(2026, 9, 15)),
        blackouts=(Blackout(D(2026, 6, 15), D(2026, 6, 30), "Refit", "All"),),
    )
    s = schedule_migration(b, b.migrations[0], D(2026, 3, 2), cal)
    assert not [w for w in s.warnings if w.code == DAY_BLACKOUT and w.column == "kickoff_date"]


def test_past_days_are_not_checked(cal):
    s = plan(cal, today=D(2026, 6, 1), status="Ordered", order_date=D(2026, 4, 1), kickoff_date=D(2026, 5, 4))
    assert DAY_BANK_HOLIDAY not in codes(s)


def test_an_idp_given_before_the_technical_survey_is_out_of_order(cal):
    s = plan(
        cal,
        today=D(2026, 3, 2),
        order_date=D(2026, 6, 1),
        survey_date=D(2026, 6, 26),
        idp_date=D(2026, 6, 24),
        extract_request_date=D(2026, 6, 1),
    )
    w = only(s, OUT_OF_ORDER)
    assert w.message.startswith("Initial data production (IDP) (given, 24 June 2026) is before Technical survey")
