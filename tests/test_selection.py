"""Which documents a run writes (docgen.documents.selection), on one sample migration."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sample import sample_batch

from docgen.documents.selection import select_documents, why_nothing
from docgen.plan.calendar import WorkingCalendar
from docgen.plan.schedule import schedule_migration
from docgen.plan.stages import stage_migration

D = dt.date
TODAY = D(2026, 11, 23)
CAL = WorkingCalendar()
BATCH = sample_batch()
BASE = next(m for m in BATCH.migrations if m.migration_id == "MIG-007")


def selection(status: str, *, all_documents: bool, letter_date: dt.date = TODAY, **dates):
    migration = replace(BASE, status=status, **dates)
    batch = replace(BATCH, migrations=(migration,))
    schedule = schedule_migration(batch, migration, TODAY, CAL)
    stage = stage_migration(batch, migration, schedule, today=TODAY, letter_date=letter_date, calendar=CAL)
    return stage, select_documents(stage, schedule, letter_date=letter_date, all_documents=all_documents)


def test_a_record_is_dated_the_day_its_step_happened():
    _, chosen = selection(
        "Kick-off held",
        all_documents=True,
        business_case_approved=D(2026, 9, 1),
        order_date=D(2026, 10, 1),
        extract_request_date=D(2026, 10, 5),
        kickoff_date=D(2026, 10, 20),
    )
    assert [(i.document, i.letter_date, i.record) for i in chosen.issues] == [
        ("business-justification", D(2026, 9, 1), True),
        ("data-extract-request", D(2026, 10, 5), True),
        ("kick-off-invitation", D(2026, 10, 20), True),
    ]


def test_a_record_without_its_date_is_not_written_and_says_why():
    _, chosen = selection("Live", all_documents=True, go_live=D(2026, 11, 10))
    assert chosen.issues == ()
    assert all("the workbook gives no date" in why for _, why in chosen.left_out)


def test_without_all_only_the_due_documents_are_written():
    stage, chosen = selection("Ordered", all_documents=False, order_date=D(2026, 11, 16), go_live=D(2027, 2, 24))
    assert [i.document for i in chosen.issues] == ["data-extract-request", "kick-off-invitation"]
    assert all(not i.record and i.letter_date == TODAY for i in chosen.issues)
    assert chosen.left_out == (
        ("business-justification", "not due: the order was placed on 16/11/2026, so the case was approved"),
    )
    live, nothing = selection("Live", all_documents=False, go_live=D(2026, 11, 10))
    assert nothing.issues == () and why_nothing(live, nothing) == "not due: Live"


def test_cancelled_gets_nothing_even_with_all():
    stage, chosen = selection("Cancelled", all_documents=True)
    assert chosen.issues == ()
    assert why_nothing(stage, chosen) == "not due: Cancelled"


def test_all_never_invites_to_a_meeting_on_or_before_the_letter_date():
    # On hold, kick-off given for 30 November; the letters are dated that day.
    _, chosen = selection("On hold", all_documents=True, letter_date=D(2026, 11, 30), kickoff_date=D(2026, 11, 30))
    assert "kick-off-invitation" not in [i.document for i in chosen.issues]
    assert ("kick-off-invitation", "not written: the kick-off (30/11/2026) is not after the letter date") in (
        chosen.left_out
    )


def test_a_blocked_invitation_is_listed_as_blocked():
    _, chosen = selection("Ordered", all_documents=True, order_date=D(2026, 11, 2), go_live=D(2027, 2, 16))
    assert [d for d, _ in chosen.blocked] == ["kick-off-invitation"]
    assert "kick-off-invitation" not in [i.document for i in chosen.issues]
