"""Proposed and given dates (docgen.plan.propose), through the schedule's entry points."""

from __future__ import annotations

import datetime as dt

import pytest
from schedule_fixtures import TODAY, D, batch, migration, plan

from docgen.plan import propose
from docgen.plan.calendar import WorkingCalendar
from docgen.plan.milestones import (
    EXTRACT_LATE,
    MILESTONES,
    MigrationSchedule,
    Milestone,
)
from docgen.plan.schedule import schedule_batch, schedule_migration
from docgen.records import Blackout, Settings, Supplier


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_everything_proposed_from_go_live(cal):
    s = plan(cal)  # go-live Tuesday 15 September 2026, nothing else given
    assert [m.key for m in s.milestones] == [key for key, _, _ in MILESTONES]
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
    assert s.milestone("extract_request_sent") == Milestone(
        "extract_request_sent", "Data extract request sent", TODAY, TODAY, "ICB lead", False
    )
    # IDP 15 working days later: 3-6 Mar (4), 9-13 (9), 16-20 (14), Mon 23 Mar.
    assert s.date("idp") == D(2026, 3, 23)


def test_extract_request_already_sent_by_status_uses_the_order_date(cal):
    s = plan(cal, order_date=D(2026, 1, 5), go_live=D(2026, 4, 21), status="Extract requested")
    assert s.date("extract_request_sent") == D(2026, 1, 5)
    assert all(w.code != EXTRACT_LATE for w in s.warnings)


def test_supplier_notice_longer_than_the_allowance(cal):
    b = batch(suppliers=(Supplier("Optum", "EMIS Web", notice_days=20),))
    s = schedule_migration(b, b.migrations[0], TODAY, cal)
    assert s.notice_days == 20
    # 20 working days after Tue 9 Jun: 10-12 (3), 15-19 (8), 22-26 (13), 29 Jun-3 Jul (18), 6-7 Jul.
    assert s.date("idp") == D(2026, 7, 7)
    # A shorter supplier notice does not undercut the Settings allowance.
    b = batch(suppliers=(Supplier("Optum", "EMIS Web", notice_days=5),))
    assert schedule_migration(b, b.migrations[0], TODAY, cal).date("idp") == D(2026, 6, 30)


def test_settings_durations_are_used(cal):
    b = batch(settings=Settings(default_weeks=12, kickoff_after_order_days=5, cut_over_days=3, legacy_access_days=30))
    s = schedule_migration(b, b.migrations[0], TODAY, cal)
    assert s.date("order_placed") == D(2026, 6, 23)  # 15 Sep - 12 weeks
    assert s.date("kick_off") == D(2026, 6, 30)  # 5 working days later
    assert s.date("fdp") == D(2026, 9, 10)  # 3 working days before Tue 15 Sep
    assert s.date("legacy_access_ends") == D(2026, 10, 15)


def test_schedule_batch_keeps_batch_order(cal):
    b = batch(migration(migration_id="MIG-B"), migration(migration_id="MIG-A"), migration(migration_id="MIG-C"))
    result = schedule_batch(b, TODAY)
    assert list(result) == ["MIG-B", "MIG-A", "MIG-C"]
    assert all(isinstance(v, MigrationSchedule) for v in result.values())


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
    first = schedule_batch(b, TODAY, WorkingCalendar())
    assert schedule_batch(b, TODAY, cal) == first
    monkeypatch.setattr(propose, "_MADE", {})  # made afresh, and forgotten all the time
    monkeypatch.setattr(propose, "_MAX_MADE", 2)
    assert schedule_batch(b, TODAY, WorkingCalendar()) == first
    assert len(propose._MADE) <= 2
