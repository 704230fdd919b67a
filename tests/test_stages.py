"""The stage rules (docgen.plan.stages), each with a fixed today on one sample migration."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sample import sample_batch

from docgen.plan.calendar import WorkingCalendar
from docgen.plan.schedule import schedule_batch, schedule_migration
from docgen.plan.stages import action_list, stage_batch, stage_migration
from docgen.plan.states import BUSINESS_JUSTIFICATION as BJ
from docgen.plan.states import DATA_EXTRACT_REQUEST as DER
from docgen.plan.states import KICK_OFF_INVITATION as KOI
from docgen.plan.states import State

D = dt.date
TODAY = D(2026, 11, 23)  # a Monday
CAL = WorkingCalendar()
BATCH = sample_batch()
# MIG-007: Planning, go-live 20 April 2027, no dates given.
BASE = next(m for m in BATCH.migrations if m.migration_id == "MIG-007")


def judge(status: str = "Planning", *, today: dt.date = TODAY, letter_date: dt.date | None = None, **dates):
    migration = replace(BASE, status=status, **dates)
    batch = replace(BATCH, migrations=(migration,))
    schedule = schedule_migration(batch, migration, today, CAL)
    return stage_migration(batch, migration, schedule, today=today, letter_date=letter_date, calendar=CAL)


@pytest.mark.parametrize("status", ["Cancelled", "On hold", "Live", "cancelled ", "LIVE"])
def test_cancelled_on_hold_and_live_migrations_get_nothing(status):
    stage = judge(status, go_live=D(2026, 11, 10) if "live" in status.lower() else BASE.go_live)
    assert {d.state for d in stage.documents} == {State.NOT_APPLICABLE}
    assert not any(d.writable for d in stage.documents)


def test_a_live_migration_keeps_the_dates_its_steps_happened_for_records():
    stage = judge(
        "Live",
        go_live=D(2026, 11, 10),
        business_case_approved=D(2026, 6, 8),
        extract_request_date=D(2026, 7, 29),
        kickoff_date=D(2026, 8, 4),
    )
    assert [d.happened_on for d in stage.documents] == [D(2026, 6, 8), D(2026, 7, 29), D(2026, 8, 4)]
    assert all(d.is_record for d in stage.documents)
    assert stage.actions == ()


def test_on_hold_has_one_action_to_resume_or_cancel():
    stage = judge("On hold")
    assert len(stage.actions) == 1 and "resume" in stage.actions[0].action
    assert stage.actions[0].due is None


def test_planning_far_from_its_order_has_no_business_justification_yet():
    stage = judge("Planning", go_live=D(2027, 9, 21))
    bj = stage.document(BJ)
    assert bj.state is State.NOT_YET and not bj.writable
    # Order proposed 14 weeks before go-live (15/06/2027), approval 10 working days before
    # that (01/06/2027); the form goes to the practice 8 weeks before the approval.
    assert bj.becomes_due == D(2027, 6, 1) - dt.timedelta(weeks=8)
    assert stage.document(DER).state is State.NOT_YET
    assert stage.document(KOI).state is State.NOT_YET
    assert stage.document(DER).becomes_due == D(2027, 6, 15)
    (action,) = stage.actions
    assert action.upcoming and action.document == BJ and action.due == bj.becomes_due


def test_business_justification_is_due_in_its_lead_time_by_the_approval_date():
    stage = judge("Planning", today=D(2026, 12, 1))
    bj = stage.document(BJ)
    assert bj.state is State.DUE and bj.writable
    assert bj.due_by == D(2026, 12, 24)
    assert stage.actions[0].document == BJ and stage.actions[0].role == "ICB lead"
    assert stage.actions[0].name  # the ICB lead's name from Contacts


def test_business_justification_done_when_approved_or_ordered():
    approved = judge("Planning", business_case_approved=D(2026, 11, 9)).document(BJ)
    assert approved.state is State.DONE and approved.happened_on == D(2026, 11, 9)
    future = judge("Planning", today=D(2026, 12, 1), business_case_approved=D(2026, 12, 10)).document(BJ)
    assert future.state is State.DUE and future.due_by == D(2026, 12, 10)
    ordered = judge("Ordered", order_date=D(2026, 11, 16)).document(BJ)
    assert ordered.state is State.DONE and ordered.happened_on is None
    assert "order was placed on 16/11/2026" in ordered.reason


def test_extract_request_is_due_once_ordered_and_done_once_sent():
    ordered = judge("Ordered", order_date=D(2026, 11, 16), go_live=D(2027, 2, 24))
    der = ordered.document(DER)
    assert der.state is State.DUE and der.writable
    assert der.due_by is not None and der.due_by > TODAY
    sent = judge("Ordered", order_date=D(2026, 11, 16), extract_request_date=D(2026, 11, 18)).document(DER)
    assert sent.state is State.DONE and sent.happened_on == D(2026, 11, 18)
    by_status = judge("Extract requested", order_date=D(2026, 11, 16)).document(DER)
    assert by_status.state is State.DONE and by_status.happened_on is None


def test_a_future_extract_request_date_is_not_done_and_sets_the_due_date():
    der = judge(
        "Ordered", order_date=D(2026, 11, 16), go_live=D(2027, 2, 24), extract_request_date=D(2026, 11, 30)
    ).document(DER)
    assert der.state is State.DUE and der.due_by == D(2026, 11, 30)


def test_an_overdue_extract_request_is_first_in_the_action_list():
    # Go-live too close: the last day to send has passed.
    late = judge("Ordered", order_date=D(2026, 11, 2), go_live=D(2026, 12, 18))
    der = late.document(DER)
    assert der.state is State.DUE and der.due_by < TODAY
    other = judge("Ordered", order_date=D(2026, 11, 16), go_live=D(2027, 2, 24))
    stages = {"late": late, "other": other}
    first = action_list(stages, TODAY)[0]
    assert first.document == DER and first.days_overdue(TODAY) > 0


def test_invitation_is_due_before_a_future_meeting_and_never_for_a_past_one():
    kick = D(2026, 12, 7)
    due = judge("Ordered", order_date=D(2026, 11, 16), kickoff_date=kick).document(KOI)
    assert due.state is State.DUE and due.writable
    assert due.due_by == CAL.add_working_days(kick, -5)
    held = judge("Ordered", order_date=D(2026, 11, 2), kickoff_date=D(2026, 11, 16)).document(KOI)
    assert held.state is State.DONE and held.happened_on == D(2026, 11, 16)
    today = judge("Ordered", order_date=D(2026, 11, 2), kickoff_date=TODAY).document(KOI)
    assert today.state is State.NOT_APPLICABLE and not today.writable


def test_invitation_for_a_meeting_on_the_letter_date_is_blocked():
    kick = D(2026, 12, 7)
    on_letter_day = judge("Ordered", order_date=D(2026, 11, 16), kickoff_date=kick, letter_date=kick).document(KOI)
    assert on_letter_day.state is State.DUE and not on_letter_day.writable
    assert "not after the letter date" in on_letter_day.blocker


def test_a_proposed_kick_off_that_has_passed_blocks_the_invitation_with_what_to_do():
    # Ordered on 2 November: kick-off proposed 10 working days later, 16 November: passed.
    koi = judge("Ordered", order_date=D(2026, 11, 2), go_live=D(2027, 2, 16)).document(KOI)
    assert koi.state is State.DUE and not koi.writable
    assert "proposed for 16/11/2026 has passed" in koi.blocker


def test_kick_off_held_status_makes_the_invitation_a_record():
    koi = judge("Kick-off held", order_date=D(2026, 10, 19), kickoff_date=D(2026, 11, 10)).document(KOI)
    assert koi.state is State.DONE and koi.happened_on == D(2026, 11, 10)
    no_date = judge("In progress", order_date=D(2026, 10, 19)).document(KOI)
    assert no_date.state is State.DONE and no_date.happened_on is None


def test_invitation_and_request_wait_for_the_order():
    stage = judge("Planning", business_case_approved=D(2026, 11, 9), kickoff_date=D(2027, 1, 20))
    assert stage.document(KOI).state is State.NOT_YET
    assert stage.document(DER).state is State.NOT_YET


def test_in_the_sample_every_state_occurs_and_nothing_closed_is_writable():
    schedules = schedule_batch(BATCH, TODAY)
    stages = stage_batch(BATCH, schedules, today=TODAY)
    states = {d.state for s in stages.values() for d in s.documents}
    assert states == set(State)
    for m in BATCH.migrations:
        if m.status in ("Cancelled", "On hold", "Live"):
            assert not any(d.writable for d in stages[m.migration_id].documents)
    actions = action_list(stages, TODAY)
    due = [a for a in actions if not a.upcoming]
    assert due and all(not a.upcoming for a in actions[: len(due)])
    dated = [a.due for a in due if a.due]
    assert dated == sorted(dated)
