"""The checks on a migration's dates (docgen.plan.checks, docgen.plan.order)."""

from __future__ import annotations

import datetime as dt

import pytest
from schedule_fixtures import TODAY, D, batch, migration, only, plan

from docgen.plan.calendar import WorkingCalendar
from docgen.plan.milestones import (
    EXTRACT_LATE,
    GO_LIVE_BANK_HOLIDAY,
    GO_LIVE_BLACKOUT,
    GO_LIVE_PAST,
    GO_LIVE_WEEKEND,
    IDP_NOTICE,
    LIVE_BEFORE_GO_LIVE,
    ORDER_TOO_LONG,
    ORDER_TOO_SHORT,
    OUT_OF_ORDER,
    SURVEY_BEFORE_KICKOFF,
)
from docgen.plan.schedule import schedule_batch, schedule_migration
from docgen.records import Blackout, Supplier


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize(
    ("days", "code"),
    [(83, ORDER_TOO_SHORT), (84, None), (112, None), (113, ORDER_TOO_LONG)],
    ids=["under-12-weeks", "12-weeks", "16-weeks", "over-16-weeks"],
)
def test_order_to_go_live_limits_are_inclusive(cal, days, code):
    s = plan(cal, order_date=D(2026, 6, 1), go_live=D(2026, 6, 1) + dt.timedelta(days=days))
    assert [w.code for w in s.warnings if w.code.startswith("order_to_go_live")] == ([code] if code else [])


def test_idp_inside_the_notice_period(cal):
    # Request sent Mon 1 Jun (today is 3 Jun); IDP Fri 12 Jun is 9 working days later.
    # 15 working days after 1 Jun: 2-5 (4), 8-12 (9), 15-19 (14), Mon 22 Jun.
    s = plan(
        cal,
        today=D(2026, 6, 3),
        status="Extract requested",
        order_date=D(2026, 6, 1),
        extract_request_date=D(2026, 6, 1),
        idp_date=D(2026, 6, 12),
    )
    w = only(s, IDP_NOTICE)
    assert w.message == (
        "The IDP date 12 June 2026 is only 9 working days after the extract request date 1 June 2026; "
        "Optum (EMIS Web) may take up to 15 working days."
    )
    assert w.suggestion == "Move the IDP date to 22 June 2026 or later."
    assert w.column == "idp_date"
    assert len(s.warnings) == 1


def test_idp_notice_counts_the_suppliers_own_period(cal):
    b = batch(
        migration(order_date=D(2026, 6, 1), extract_request_date=D(2026, 6, 1), idp_date=D(2026, 6, 22)),
        suppliers=(Supplier("Optum", "EMIS Web", notice_days=20),),
    )
    s = schedule_migration(b, b.migrations[0], D(2026, 6, 3), cal)
    w = only(s, IDP_NOTICE)
    assert "is only 15 working days after the extract request date 1 June 2026" in w.message
    assert "may take up to 20 working days" in w.message
    # 20 working days after 1 Jun: 22 Jun is 15, then 23-26 Jun and Mon 29 Jun.
    assert w.suggestion == "Move the IDP date to 29 June 2026 or later."


def test_extract_request_already_late(cal):
    # Go-live Wed 15 Apr 2026. FDP 5 working days before: 14, 13, 10, 9, Wed 8 Apr (Easter 3-6 Apr).
    # Latest IDP leaves 10 days of checking and 3 of sign-off before FDP: 14 working days back
    # from 8 Apr -> Tue 17 Mar. 15 working days before that -> Tue 24 Feb, before today (2 Mar).
    s = plan(cal, order_date=D(2026, 1, 19), go_live=D(2026, 4, 15), status="Ordered")
    w = only(s, EXTRACT_LATE)
    assert w.message == (
        "The data extract request has not been sent and is already late for go-live on 15 April 2026: "
        "with 15 working days' notice it had to be sent by 24 February 2026 for an IDP by 17 March 2026."
    )
    # Sent today: IDP Mon 23 Mar; FDP 14 working days later = Tue 14 Apr (Easter skipped);
    # go-live 5 working days after = Tue 21 Apr.
    assert w.suggestion.startswith("Send the request now and move go-live to 21 April 2026 or later")
    assert w.column == "extract_request_date"
    assert D(2026, 2, 24) in w.dates and D(2026, 4, 21) in w.dates


def test_extract_request_planned_too_late(cal):
    # Go-live 15 Sep: FDP 8 Sep; latest IDP 14 working days earlier = Tue 18 Aug (31 Aug is a
    # bank holiday); latest request 15 working days before that = Tue 28 Jul. Planned 5 Aug.
    s = plan(cal, extract_request_date=D(2026, 8, 5))
    w = only(s, EXTRACT_LATE)
    assert w.message == (
        "The extract request date 5 August 2026 is too late for go-live on 15 September 2026: "
        "with 15 working days' notice it must be sent by 28 July 2026 for an IDP by 18 August 2026."
    )
    assert w.suggestion == "Send the request by 28 July 2026."
    # The IDP chain's own out-of-order warning would only repeat this.
    assert [x.code for x in s.warnings] == [EXTRACT_LATE]


def test_extract_request_sent_in_the_past_is_not_late(cal):
    s = plan(cal, order_date=D(2026, 1, 19), go_live=D(2026, 4, 15), extract_request_date=D(2026, 1, 20))
    assert all(w.code != EXTRACT_LATE for w in s.warnings)


def test_go_live_on_a_weekend(cal):
    s = plan(cal, go_live=D(2026, 9, 19))
    w = only(s, GO_LIVE_WEEKEND)
    assert w.message == "The go-live date Saturday 19 September 2026 is on a weekend."
    # Friday 18 is one day back, Monday 21 two days on.
    assert w.suggestion.startswith("Move go-live to Friday 18 September 2026, the nearest working day")
    assert w.column == "go_live"


def test_go_live_on_a_bank_holiday(cal):
    s = plan(cal, go_live=D(2026, 8, 31))
    w = only(s, GO_LIVE_BANK_HOLIDAY)
    assert w.message == "The go-live date Monday 31 August 2026 is a bank holiday (Late Summer Bank Holiday)."
    assert w.suggestion.startswith("Move go-live to Tuesday 1 September 2026")


def test_go_live_in_a_blackout_names_its_reason(cal):
    christmas = Blackout(D(2026, 12, 14), D(2027, 1, 4), "Christmas and New Year", "QHM")
    other_icb = Blackout(D(2026, 9, 1), D(2026, 9, 30), "Leeds flu clinics", "QWO")
    b = batch(migration(go_live=D(2026, 12, 22)), migration(migration_id="MIG-002"), blackouts=(christmas, other_icb))
    result = schedule_batch(b, TODAY, cal)
    w = only(result["MIG-001"], GO_LIVE_BLACKOUT)
    assert w.message == (
        'The go-live date Tuesday 22 December 2026 is in the blackout "Christmas and New Year" '
        "(14/12/2026 to 04/01/2027)."
    )
    assert w.suggestion == (
        "Move go-live to Friday 11 December 2026, the nearest working day clear of bank holidays "
        'and blackouts and outside "Christmas and New Year".'
    )
    # The other ICB's blackout does not apply to this practice's 15 Sep go-live.
    assert result["MIG-002"].warnings == ()


def test_go_live_on_christmas_day_inside_a_blackout_gives_both_reasons(cal):
    christmas = Blackout(D(2026, 12, 14), D(2027, 1, 4), "Christmas and New Year")
    b = batch(migration(go_live=D(2026, 12, 25)), blackouts=(christmas,))
    w = only(schedule_batch(b, TODAY, cal)["MIG-001"], GO_LIVE_BLACKOUT)
    assert "is a bank holiday (Christmas Day) and in the blackout" in w.message


def test_order_to_go_live_too_short(cal):
    # 1 Jun to 15 Jul is 44 days = 6.3 weeks. 12 weeks after the order: Mon 24 Aug.
    s = plan(cal, order_date=D(2026, 6, 1), go_live=D(2026, 7, 15))
    w = only(s, ORDER_TOO_SHORT)
    assert w.message == (
        "It is 6.3 weeks from the order date 1 June 2026 to go-live on 15 July 2026; plan for 12 to 16 weeks."
    )
    assert w.suggestion == "Move go-live to 24 August 2026 or later (12 weeks after the order)."
    assert w.column == "go_live"


def test_order_to_go_live_too_long_after_ordering(cal):
    # Ordered 5 Jan (before today); go-live 30 Jun is 25.1 weeks later. 16 weeks: Mon 27 Apr.
    s = plan(cal, order_date=D(2026, 1, 5), go_live=D(2026, 6, 30))
    w = only(s, ORDER_TOO_LONG)
    assert w.message.startswith("It is 25.1 weeks from the order date 5 January 2026")
    assert w.suggestion == "Bring go-live forward to 27 April 2026 or earlier (16 weeks after the order)."
    assert w.column == "go_live"


def test_order_to_go_live_too_long_before_ordering(cal):
    # Order planned 1 Jun, go-live 5 Nov: 22.4 weeks. 16 weeks before go-live: Thu 16 Jul.
    s = plan(cal, order_date=D(2026, 6, 1), go_live=D(2026, 11, 5))
    w = only(s, ORDER_TOO_LONG)
    assert w.suggestion == "Place the order on or after 16 July 2026 (16 weeks before go-live)."
    assert w.column == "order_date"


def test_survey_before_kick_off(cal):
    s = plan(cal, order_date=D(2026, 6, 9), kickoff_date=D(2026, 6, 23), survey_date=D(2026, 6, 22))
    w = only(s, SURVEY_BEFORE_KICKOFF)
    assert w.message == "The technical survey date 22 June 2026 is before the kick-off date 23 June 2026."
    assert w.suggestion == (
        "Move the technical survey to 26 June 2026 (3 working days after the kick-off), or hold the kick-off first."
    )
    assert w.column == "survey_date"
    assert len(s.warnings) == 1


def test_survey_before_a_proposed_kick_off(cal):
    s = plan(cal, survey_date=D(2026, 6, 10))  # kick-off proposed 23 Jun
    w = only(s, SURVEY_BEFORE_KICKOFF)
    assert "before the proposed kick-off date 23 June 2026" in w.message


def test_kick_off_before_the_order_is_out_of_order(cal):
    s = plan(cal, order_date=D(2026, 6, 9), kickoff_date=D(2026, 6, 1))
    w = only(s, OUT_OF_ORDER)
    assert w.message == (
        "Kick-off meeting (given, 1 June 2026) is before Order placed (given, 9 June 2026), which must come first."
    )
    assert w.suggestion == "Move the Kick-off date to 9 June 2026 or later."
    assert w.column == "kickoff_date"


def test_request_sent_before_a_missing_order_points_at_the_order(cal):
    # Request already sent 1 Jun (today 3 Jun); order proposed 9 Jun (go-live - 14 weeks).
    s = plan(cal, today=D(2026, 6, 3), extract_request_date=D(2026, 6, 1))
    w = only(s, OUT_OF_ORDER)
    assert w.message.startswith(
        "Data extract request sent (given, 1 June 2026) is before Order placed (proposed, 9 June 2026)"
    )
    assert w.suggestion == "Check the Order date: it should be on or before 1 June 2026."
    assert w.column == "order_date"


def test_late_idp_pushes_sign_off_past_fdp(cal):
    # IDP 1 Sep: checking 2-15 Sep, sign-off 16-18 Sep, after the FDP of 8 Sep. FDP must move
    # to Mon 21 Sep, so go-live to 5 working days later: Mon 28 Sep.
    s = plan(
        cal,
        today=D(2026, 6, 3),
        order_date=D(2026, 6, 1),
        extract_request_date=D(2026, 6, 1),
        idp_date=D(2026, 9, 1),
    )
    w = only(s, OUT_OF_ORDER)
    assert w.message == (
        "Final data production (FDP) (proposed, 8 September 2026) is not after "
        "Data sign-off (proposed, ending 18 September 2026), which must come first."
    )
    assert w.suggestion.startswith("Move go-live to 28 September 2026 or later")
    assert w.column == "go_live"


def test_go_live_in_the_past_replaces_other_checks(cal):
    # Go-live 20 Feb (Friday) passed; status In progress, so the request has gone. From today:
    # FDP no sooner than 4 weeks away (cut-over planning not in the past) -> Mon 30 Mar;
    # go-live 5 working days later: 31 Mar, 1, 2, (Easter 3-6), 7, 8 Apr.
    s = plan(cal, go_live=D(2026, 2, 20), status="In progress", survey_date=D(2025, 1, 1))
    assert [w.code for w in s.warnings] == [GO_LIVE_PAST]
    w = s.warnings[0]
    assert w.message == (
        'The go-live date 20 February 2026 is in the past (today is 2 March 2026) but the status is "In progress".'
    )
    assert w.suggestion == (
        "If the practice has gone live, set the status to Live; otherwise agree a new go-live date: "
        "8 April 2026 is the earliest that fits."
    )


def test_live_and_cancelled_migrations_are_not_nagged(cal):
    past = dict(go_live=D(2026, 2, 21), survey_date=D(2025, 1, 1), idp_date=D(2025, 1, 2))
    assert plan(cal, status="Live", **past).warnings == ()
    assert plan(cal, status=" live ", **past).warnings == ()  # as typed in a cell
    assert plan(cal, status="Cancelled", **past).warnings == ()
    assert plan(cal, status="Cancelled", go_live=D(2026, 12, 25)).warnings == ()


def test_live_before_go_live(cal):
    s = plan(cal, status="Live", go_live=D(2026, 5, 1))
    w = only(s, LIVE_BEFORE_GO_LIVE)
    assert w.message == 'The status is "Live" but the go-live date 1 May 2026 is after today (2 March 2026).'
    assert "on or before 2 March 2026" in w.suggestion


def test_on_hold_migrations_are_still_checked(cal):
    s = plan(cal, status="On hold", go_live=D(2026, 8, 31))
    assert [w.code for w in s.warnings] == [GO_LIVE_BANK_HOLIDAY]
