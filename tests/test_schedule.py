"""Proposed dates and the checks on them (docgen.plan.schedule).

Expected dates are worked out by hand in the comments, from the durations in
DOMAIN.md (the Settings defaults) and the England bank holidays.
"""

from __future__ import annotations

import datetime as dt

import pytest

from docgen.plan import schedule as sch
from docgen.plan.calendar import WorkingCalendar
from docgen.records import Batch, Blackout, Icb, Migration, Practice, Settings, Supplier

D = dt.date
TODAY = D(2026, 3, 2)  # a Monday


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def migration(**kw) -> Migration:
    values = dict(
        migration_id="MIG-001",
        ods_code="A81001",
        current_supplier="Optum",
        current_system="EMIS Web",
        new_supplier="TPP",
        new_system="SystmOne",
        reason="Practice merger",
        go_live=D(2026, 9, 15),
        status="Planning",
        row=7,
    )
    values.update(kw)
    return Migration(**values)


def batch(*migrations: Migration, suppliers=(), blackouts=(), settings=None) -> Batch:
    return Batch(
        settings=settings or Settings(),
        icbs=(Icb("QHM", "North East ICB", ("Pemberton House",), "A Lead", "Director", "a.lead@nhs.net"),),
        practices=(
            Practice("A81001", "Riverside Surgery", ("1 High Street",), "Stockton", "TS18 1HU", "QHM", row=2),
            Practice("B82002", "Hill Top Practice", ("2 Hill Road",), "Leeds", "LS1 1AA", "QWO", row=3),
        ),
        migrations=migrations or (migration(),),
        suppliers=suppliers,
        blackouts=blackouts,
    )


def plan(cal, today=TODAY, **kw) -> sch.MigrationSchedule:
    b = batch(migration(**kw))
    return sch.schedule_migration(b, b.migrations[0], today, cal)


def only(schedule: sch.MigrationSchedule, code: str) -> sch.ScheduleWarning:
    found = [w for w in schedule.warnings if w.code == code]
    assert len(found) == 1, [w.code for w in schedule.warnings]
    return found[0]


# -- proposed and given dates --------------------------------------------------------------


def test_everything_proposed_from_go_live(cal):
    s = plan(cal)  # go-live Tuesday 15 September 2026, nothing else given
    assert [m.key for m in s.milestones] == [key for key, _, _ in sch.MILESTONES]
    got = {m.key: (m.start, m.end, m.given) for m in s.milestones}
    # Order: 15 Sep - 14 weeks = Tue 9 Jun. Business case: 10 working days before = 26 May
    # (Mon 25 May is the Spring Bank Holiday).
    assert got["order_placed"] == (D(2026, 6, 9), D(2026, 6, 9), False)
    assert got["business_case_approved"] == (D(2026, 5, 26), D(2026, 5, 26), False)
    # Extract request as early as possible: the order date (today is long before).
    assert got["extract_request_sent"][0] == D(2026, 6, 9)
    # Kick-off 10 working days after the order: 23 Jun; survey 3 after that: Fri 26 Jun.
    assert got["kick_off"][0] == D(2026, 6, 23)
    assert got["technical_survey"][0] == D(2026, 6, 26)
    # Pre-migration tasks: 10 working days from Mon 29 Jun -> Fri 10 Jul.
    assert got["pre_migration_tasks"][:2] == (D(2026, 6, 29), D(2026, 7, 10))
    # IDP: 15 working days after 9 Jun -> 30 Jun. Data checking 1-14 Jul, sign-off 15-17 Jul.
    assert got["idp"][0] == D(2026, 6, 30)
    assert got["data_checking"][:2] == (D(2026, 7, 1), D(2026, 7, 14))
    assert got["data_sign_off"][:2] == (D(2026, 7, 15), D(2026, 7, 17))
    # FDP: 5 working days before go-live = Tue 8 Sep; links off the day before (Mon 7 Sep);
    # cut-over planning 4 weeks before FDP = Tue 11 Aug.
    assert got["fdp"][0] == D(2026, 9, 8)
    assert got["third_party_links_off"][0] == D(2026, 9, 7)
    assert got["cut_over_planning"][0] == D(2026, 8, 11)
    assert got["go_live"] == (D(2026, 9, 15), D(2026, 9, 15), True)
    # Old system readable 90 calendar days after go-live: Mon 14 Dec.
    assert got["legacy_access_ends"][0] == D(2026, 12, 14)
    assert all(not given for key, (_, _, given) in got.items() if key != "go_live")
    assert s.warnings == ()
    assert s.weeks_order_to_go_live == 14.0


def test_dates_in_the_workbook_win(cal):
    s = plan(
        cal,
        go_live=D(2026, 9, 1),
        order_date=D(2026, 5, 20),
        business_case_approved=D(2026, 5, 1),
        extract_request_date=D(2026, 5, 21),
        kickoff_date=D(2026, 6, 2),
        survey_date=D(2026, 6, 4),
        idp_date=D(2026, 6, 15),
    )
    given = {m.key: (m.start, m.given) for m in s.milestones}
    assert given["order_placed"] == (D(2026, 5, 20), True)
    assert given["business_case_approved"] == (D(2026, 5, 1), True)
    assert given["extract_request_sent"] == (D(2026, 5, 21), True)
    assert given["kick_off"] == (D(2026, 6, 2), True)
    assert given["technical_survey"] == (D(2026, 6, 4), True)
    assert given["idp"] == (D(2026, 6, 15), True)
    # Proposed steps hang off the given ones: pre-migration from Fri 5 Jun, checking from 16 Jun.
    assert s.milestone("pre_migration_tasks").start == D(2026, 6, 5)
    assert (s.date("data_checking"), s.milestone("data_checking").given) == (D(2026, 6, 16), False)
    assert s.warnings == ()


def test_extract_request_not_proposed_before_today(cal):
    # Order placed 5 Jan; the request has not gone, so the earliest it can go is today.
    s = plan(cal, order_date=D(2026, 1, 5), go_live=D(2026, 4, 21), status="Ordered")
    assert s.milestone("extract_request_sent") == sch.Milestone(
        "extract_request_sent", "Data extract request sent", TODAY, TODAY, "ICB lead", False
    )
    # IDP 15 working days later: 3-6 Mar (4), 9-13 (9), 16-20 (14), Mon 23 Mar.
    assert s.date("idp") == D(2026, 3, 23)


def test_extract_request_already_sent_by_status_uses_the_order_date(cal):
    s = plan(cal, order_date=D(2026, 1, 5), go_live=D(2026, 4, 21), status="Extract requested")
    assert s.date("extract_request_sent") == D(2026, 1, 5)
    assert all(w.code != sch.EXTRACT_LATE for w in s.warnings)


def test_supplier_notice_longer_than_the_allowance(cal):
    b = batch(suppliers=(Supplier("Optum", "EMIS Web", notice_days=20),))
    s = sch.schedule_migration(b, b.migrations[0], TODAY, cal)
    assert s.notice_days == 20
    # 20 working days after Tue 9 Jun: 10-12 (3), 15-19 (8), 22-26 (13), 29 Jun-3 Jul (18), 6-7 Jul.
    assert s.date("idp") == D(2026, 7, 7)
    # A shorter supplier notice does not undercut the Settings allowance.
    b = batch(suppliers=(Supplier("Optum", "EMIS Web", notice_days=5),))
    assert sch.schedule_migration(b, b.migrations[0], TODAY, cal).date("idp") == D(2026, 6, 30)


def test_settings_durations_are_used(cal):
    b = batch(settings=Settings(default_weeks=12, kickoff_after_order_days=5, cut_over_days=3, legacy_access_days=30))
    s = sch.schedule_migration(b, b.migrations[0], TODAY, cal)
    assert s.date("order_placed") == D(2026, 6, 23)  # 15 Sep - 12 weeks
    assert s.date("kick_off") == D(2026, 6, 30)  # 5 working days later
    assert s.date("fdp") == D(2026, 9, 10)  # 3 working days before Tue 15 Sep
    assert s.date("legacy_access_ends") == D(2026, 10, 15)


def test_schedule_batch_keeps_batch_order(cal):
    b = batch(migration(migration_id="MIG-B"), migration(migration_id="MIG-A"), migration(migration_id="MIG-C"))
    result = sch.schedule_batch(b, TODAY)
    assert list(result) == ["MIG-B", "MIG-A", "MIG-C"]
    assert all(isinstance(v, sch.MigrationSchedule) for v in result.values())


def test_a_given_date_equal_to_a_proposed_one_stays_given(cal):
    """Milestones on the same dates are shared between migrations: whether a date was
    given is part of what is shared, so one migration's given date never reads as
    proposed in another's schedule, nor the other way round."""
    proposed = plan(cal)  # order proposed: Tue 9 Jun
    given = plan(cal, order_date=D(2026, 6, 9))
    again = plan(cal)
    assert proposed.milestone("order_placed").given is False
    assert given.milestone("order_placed").given is True
    assert again.milestone("order_placed") == proposed.milestone("order_placed")
    assert [m.start for m in given.milestones] == [m.start for m in proposed.milestones]


def test_a_schedule_is_the_same_from_a_fresh_or_a_used_calendar(cal, monkeypatch):
    migrations = [
        migration(migration_id=f"MIG-{i}", go_live=D(2026, 6, 1) + dt.timedelta(days=9 * i), **given)
        for i, given in enumerate(
            [{}, {"order_date": D(2026, 1, 5)}, {"idp_date": D(2026, 7, 1), "extract_request_date": D(2026, 6, 29)},
             {"status": "Live"}, {"kickoff_date": D(2026, 9, 1), "survey_date": D(2026, 8, 1)}, {}, {"status": "On hold"}]
        )
    ]  # fmt: skip
    b = batch(*migrations, blackouts=(Blackout(D(2026, 7, 20), D(2026, 7, 31), "Summer"),))
    first = sch.schedule_batch(b, TODAY, WorkingCalendar())
    assert sch.schedule_batch(b, TODAY, cal) == first
    monkeypatch.setattr(sch, "_MADE", {})  # made afresh, and forgotten all the time
    monkeypatch.setattr(sch, "_MAX_MADE", 2)
    assert sch.schedule_batch(b, TODAY, WorkingCalendar()) == first
    assert len(sch._MADE) <= 2


@pytest.mark.parametrize(
    ("days", "code"),
    [(83, sch.ORDER_TOO_SHORT), (84, None), (112, None), (113, sch.ORDER_TOO_LONG)],
    ids=["under-12-weeks", "12-weeks", "16-weeks", "over-16-weeks"],
)
def test_order_to_go_live_limits_are_inclusive(cal, days, code):
    s = plan(cal, order_date=D(2026, 6, 1), go_live=D(2026, 6, 1) + dt.timedelta(days=days))
    assert [w.code for w in s.warnings if w.code.startswith("order_to_go_live")] == ([code] if code else [])


# -- checks ---------------------------------------------------------------------------------


def test_idp_inside_the_notice_period(cal):
    # Request sent Mon 1 Jun (today is 3 Jun); IDP Fri 12 Jun is 9 working days later.
    # 15 working days after 1 Jun: 2-5 (4), 8-12 (9), 15-19 (14), Mon 22 Jun.
    s = plan(
        cal,
        today=D(2026, 6, 3),
        order_date=D(2026, 6, 1),
        extract_request_date=D(2026, 6, 1),
        idp_date=D(2026, 6, 12),
    )
    w = only(s, sch.IDP_NOTICE)
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
    s = sch.schedule_migration(b, b.migrations[0], D(2026, 6, 3), cal)
    w = only(s, sch.IDP_NOTICE)
    assert "is only 15 working days after the extract request date 1 June 2026" in w.message
    assert "may take up to 20 working days" in w.message
    # 20 working days after 1 Jun: 22 Jun is 15, then 23-26 Jun and Mon 29 Jun.
    assert w.suggestion == "Move the IDP date to 29 June 2026 or later."


def test_extract_request_already_late(cal):
    # Go-live Wed 15 Apr 2026. FDP 5 working days before: 14, 13, 10, 9, Wed 8 Apr (Easter 3-6 Apr).
    # Latest IDP leaves 10 days of checking and 3 of sign-off before FDP: 14 working days back
    # from 8 Apr -> Tue 17 Mar. 15 working days before that -> Tue 24 Feb, before today (2 Mar).
    s = plan(cal, order_date=D(2026, 1, 19), go_live=D(2026, 4, 15), status="Ordered")
    w = only(s, sch.EXTRACT_LATE)
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
    w = only(s, sch.EXTRACT_LATE)
    assert w.message == (
        "The extract request date 5 August 2026 is too late for go-live on 15 September 2026: "
        "with 15 working days' notice it must be sent by 28 July 2026 for an IDP by 18 August 2026."
    )
    assert w.suggestion == "Send the request by 28 July 2026."
    # The IDP chain's own out-of-order warning would only repeat this.
    assert [x.code for x in s.warnings] == [sch.EXTRACT_LATE]


def test_extract_request_sent_in_the_past_is_not_late(cal):
    s = plan(cal, order_date=D(2026, 1, 19), go_live=D(2026, 4, 15), extract_request_date=D(2026, 1, 20))
    assert all(w.code != sch.EXTRACT_LATE for w in s.warnings)


def test_go_live_on_a_weekend(cal):
    s = plan(cal, go_live=D(2026, 9, 19))
    w = only(s, sch.GO_LIVE_WEEKEND)
    assert w.message == "The go-live date Saturday 19 September 2026 is on a weekend."
    # Friday 18 is one day back, Monday 21 two days on.
    assert w.suggestion.startswith("Move go-live to Friday 18 September 2026, the nearest working day")
    assert w.column == "go_live"


def test_go_live_on_a_bank_holiday(cal):
    s = plan(cal, go_live=D(2026, 8, 31))
    w = only(s, sch.GO_LIVE_BANK_HOLIDAY)
    assert w.message == "The go-live date Monday 31 August 2026 is a bank holiday (Late Summer Bank Holiday)."
    assert w.suggestion.startswith("Move go-live to Tuesday 1 September 2026")


def test_go_live_in_a_blackout_names_its_reason(cal):
    christmas = Blackout(D(2026, 12, 14), D(2027, 1, 4), "Christmas and New Year", "QHM")
    other_icb = Blackout(D(2026, 9, 1), D(2026, 9, 30), "Leeds flu clinics", "QWO")
    b = batch(migration(go_live=D(2026, 12, 22)), migration(migration_id="MIG-002"), blackouts=(christmas, other_icb))
    result = sch.schedule_batch(b, TODAY, cal)
    w = only(result["MIG-001"], sch.GO_LIVE_BLACKOUT)
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
    w = only(sch.schedule_batch(b, TODAY, cal)["MIG-001"], sch.GO_LIVE_BLACKOUT)
    assert "is a bank holiday (Christmas Day) and in the blackout" in w.message


def test_order_to_go_live_too_short(cal):
    # 1 Jun to 15 Jul is 44 days = 6.3 weeks. 12 weeks after the order: Mon 24 Aug.
    s = plan(cal, order_date=D(2026, 6, 1), go_live=D(2026, 7, 15))
    w = only(s, sch.ORDER_TOO_SHORT)
    assert w.message == (
        "It is 6.3 weeks from the order date 1 June 2026 to go-live on 15 July 2026; plan for 12 to 16 weeks."
    )
    assert w.suggestion == "Move go-live to 24 August 2026 or later (12 weeks after the order)."
    assert w.column == "go_live"


def test_order_to_go_live_too_long_after_ordering(cal):
    # Ordered 5 Jan (before today); go-live 30 Jun is 25.1 weeks later. 16 weeks: Mon 27 Apr.
    s = plan(cal, order_date=D(2026, 1, 5), go_live=D(2026, 6, 30))
    w = only(s, sch.ORDER_TOO_LONG)
    assert w.message.startswith("It is 25.1 weeks from the order date 5 January 2026")
    assert w.suggestion == "Bring go-live forward to 27 April 2026 or earlier (16 weeks after the order)."
    assert w.column == "go_live"


def test_order_to_go_live_too_long_before_ordering(cal):
    # Order planned 1 Jun, go-live 5 Nov: 22.4 weeks. 16 weeks before go-live: Thu 16 Jul.
    s = plan(cal, order_date=D(2026, 6, 1), go_live=D(2026, 11, 5))
    w = only(s, sch.ORDER_TOO_LONG)
    assert w.suggestion == "Place the order on or after 16 July 2026 (16 weeks before go-live)."
    assert w.column == "order_date"


def test_survey_before_kick_off(cal):
    s = plan(cal, order_date=D(2026, 6, 9), kickoff_date=D(2026, 6, 23), survey_date=D(2026, 6, 22))
    w = only(s, sch.SURVEY_BEFORE_KICKOFF)
    assert w.message == "The technical survey date 22 June 2026 is before the kick-off date 23 June 2026."
    assert w.suggestion == (
        "Move the technical survey to 26 June 2026 (3 working days after the kick-off), or hold the kick-off first."
    )
    assert w.column == "survey_date"
    assert len(s.warnings) == 1


def test_survey_before_a_proposed_kick_off(cal):
    s = plan(cal, survey_date=D(2026, 6, 10))  # kick-off proposed 23 Jun
    w = only(s, sch.SURVEY_BEFORE_KICKOFF)
    assert "before the proposed kick-off date 23 June 2026" in w.message


def test_kick_off_before_the_order_is_out_of_order(cal):
    s = plan(cal, order_date=D(2026, 6, 9), kickoff_date=D(2026, 6, 1))
    w = only(s, sch.OUT_OF_ORDER)
    assert w.message == (
        "Kick-off meeting (given, 1 June 2026) is before Order placed (given, 9 June 2026), which must come first."
    )
    assert w.suggestion == "Move the Kick-off date to 9 June 2026 or later."
    assert w.column == "kickoff_date"


def test_request_sent_before_a_missing_order_points_at_the_order(cal):
    # Request already sent 1 Jun (today 3 Jun); order proposed 9 Jun (go-live - 14 weeks).
    s = plan(cal, today=D(2026, 6, 3), extract_request_date=D(2026, 6, 1))
    w = only(s, sch.OUT_OF_ORDER)
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
    w = only(s, sch.OUT_OF_ORDER)
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
    assert [w.code for w in s.warnings] == [sch.GO_LIVE_PAST]
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
    w = only(s, sch.LIVE_BEFORE_GO_LIVE)
    assert w.message == 'The status is "Live" but the go-live date 1 May 2026 is after today (2 March 2026).'
    assert "on or before 2 March 2026" in w.suggestion


def test_on_hold_migrations_are_still_checked(cal):
    s = plan(cal, status="On hold", go_live=D(2026, 8, 31))
    assert [w.code for w in s.warnings] == [sch.GO_LIVE_BANK_HOLIDAY]


# -- warnings as problems --------------------------------------------------------------------


def test_warnings_as_problems_point_at_the_cell(cal):
    b = batch(migration(go_live=D(2026, 8, 31), row=9))
    schedules = sch.schedule_batch(b, TODAY, cal)
    (problem,) = sch.warnings_as_problems(b, schedules)
    assert problem.severity == "warning"
    assert (problem.sheet, problem.row, problem.column) == ("Migrations", 9, "L")
    assert problem.header == "Provisional go-live date"
    assert problem.migration_id == "MIG-001"
    assert str(problem).startswith(
        "Migrations!L9 (Provisional go-live date): MIG-001: The go-live date Monday 31 August 2026 is a bank holiday"
    )
    assert str(problem).endswith(
        "Move go-live to Tuesday 1 September 2026, the nearest working day clear of bank holidays and blackouts."
    )


def test_warnings_as_problems_with_the_workbooks_own_column_order(cal):
    b = batch(migration(go_live=D(2026, 8, 31), row=4))
    (problem,) = sch.warnings_as_problems(b, sch.schedule_batch(b, TODAY, cal), columns={"go_live": "C"})
    assert problem.cell == "Migrations!C4"


def test_every_warning_column_is_a_migrations_column(cal):
    from docgen.workbook.schema import MIGRATIONS

    keys = {c.key for c in MIGRATIONS.columns}
    assert set(sch.SOURCE_COLUMN.values()) <= keys
