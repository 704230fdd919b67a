"""Where each migration stands, and what each of its documents is on a given day.

Pure: ``today`` (the day the stage is judged on) and ``letter_date`` (the date a document
written now would carry) are passed in; nothing reads a file or the clock.

The guide orders the paperwork: the **business justification** before the order, the
**data extract request** "as early as possible" once the order is placed, the **kick-off
invitation** after the order and before the meeting. A document whose step is done is a
record, not something to send again. Each document of each migration is in one state:

* **not applicable**, for every document of a migration that is *Cancelled* (nothing goes
  to it), *On hold* (nothing goes out until it resumes) or *Live* (every step is behind
  it), and for a kick-off invitation whose meeting is today (too late to invite).
* **done** (a record): the workbook says the step happened, by a date given that is not
  after today, or by a status beyond it:

  - business justification: *Business case approved* on or before today; or the order
    placed (an *Order date* on or before today, or a status from *Ordered* on);
  - data extract request: *Extract request date* on or before today, or a status from
    *Extract requested* on;
  - kick-off invitation: *Kick-off date* before today, or a status from *Kick-off held* on.

* **not yet**, with the day it becomes due:

  - business justification: before ``business_case_lead_weeks`` weeks ahead of its
    approval date (given, or proposed by the schedule);
  - data extract request and kick-off invitation: until the order is placed (the
    proposed or given order date).

* **due**, with the date it is due by:

  - business justification: by its approval date (given or proposed);
  - data extract request: by the last day that still leaves the supplier its notice
    before the IDP the plan needs (the given IDP, else the last IDP that leaves data
    checking and sign-off before FDP); "as early as possible", so it is due from the
    order on;
  - kick-off invitation: ``invitation_notice_days`` working days before the meeting.

  A due document that cannot be written truthfully today is *blocked*, with what to fix:
  a kick-off invitation whose meeting (proposed or given) is on or before the letter date.

Overdue means due by a day before today. Each migration's **actions** (what to do next,
who, by when) come from its documents' states: see :mod:`docgen.plan.actions`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docgen.plan.actions import Action, migration_actions
from docgen.plan.calendar import WorkingCalendar
from docgen.plan.milestones import CANCELLED, LIVE, MigrationSchedule
from docgen.plan.propose import latest_request
from docgen.plan.states import (
    BUSINESS_JUSTIFICATION,
    DATA_EXTRACT_REQUEST,
    HELD,
    KICK_OFF_INVITATION,
    ON_HOLD,
    ORDERED,
    SENT,
    DocumentStage,
    State,
    short,
    stage_name,
)
from docgen.records import Batch, Migration, Settings


@dataclass(frozen=True)
class MigrationStage:
    """Where one migration stands: its status as a stage name, each document's state and
    the actions due."""

    migration_id: str
    stage: str
    documents: tuple[DocumentStage, ...]
    actions: tuple[Action, ...]

    def document(self, key: str) -> DocumentStage:
        """The stage of document ``key`` (one of :data:`DOCUMENT_KEYS`)."""
        for d in self.documents:
            if d.document == key:
                return d
        raise KeyError(key)


def stage_migration(
    batch: Batch,
    migration: Migration,
    schedule: MigrationSchedule,
    *,
    today: dt.date,
    letter_date: dt.date | None = None,
    calendar: WorkingCalendar,
) -> MigrationStage:
    """Each document's state and the migration's actions on ``today`` (see the module
    docstring for the rules); ``letter_date`` (default ``today``) is the date a document
    written now carries."""
    letter_date = letter_date or today
    j = _Judge(migration, schedule, batch.settings, today, letter_date, calendar)
    documents = (j.business_justification(), j.extract_request(), j.kick_off_invitation())
    stage = stage_name(migration.status)
    actions = migration_actions(batch, migration, schedule, stage, documents, today)
    return MigrationStage(migration.migration_id, stage, documents, actions)


def stage_batch(
    batch: Batch,
    schedules: dict[str, MigrationSchedule],
    *,
    today: dt.date,
    letter_date: dt.date | None = None,
    calendar: WorkingCalendar | None = None,
) -> dict[str, MigrationStage]:
    """Every migration's stage, keyed by migration id, in batch order."""
    calendar = calendar or WorkingCalendar()
    return {
        m.migration_id: stage_migration(
            batch, m, schedules[m.migration_id], today=today, letter_date=letter_date, calendar=calendar
        )
        for m in batch.migrations
        if m.migration_id in schedules
    }


def action_list(stages: dict[str, MigrationStage], today: dt.date) -> list[Action]:
    """Every action of the batch: what is due (overdue first, most overdue first, then by
    due date), then what comes up next; undated actions last."""
    actions = [a for s in stages.values() for a in s.actions]
    far = dt.date.max
    return sorted(actions, key=lambda a: (a.upcoming, a.due or far, a.migration_id))


@dataclass(frozen=True)
class _Judge:
    """The facts every rule reads, worked out once per migration."""

    migration: Migration
    schedule: MigrationSchedule
    settings: Settings
    today: dt.date
    letter_date: dt.date
    calendar: WorkingCalendar

    @property
    def status(self) -> str:
        return self.migration.status.strip().casefold()

    def closed(self, document: str) -> DocumentStage | None:
        """Not applicable for a Cancelled, On hold or Live migration (the same for all three
        documents), else None."""
        status, m = self.status, self.migration
        if status == CANCELLED.casefold():
            return DocumentStage(document, State.NOT_APPLICABLE, "the migration is cancelled")
        if status == ON_HOLD.casefold():
            return DocumentStage(document, State.NOT_APPLICABLE, "the migration is on hold")
        if status == LIVE.casefold():
            return DocumentStage(
                document,
                State.NOT_APPLICABLE,
                f"the practice is live (go-live {short(m.go_live)})",
                happened_on=self.happened(document),
            )
        return None

    def happened(self, document: str) -> dt.date | None:
        """The day the document's step happened, when the workbook gives it and it is past."""
        m = self.migration
        day = {
            BUSINESS_JUSTIFICATION: m.business_case_approved,
            DATA_EXTRACT_REQUEST: m.extract_request_date,
            KICK_OFF_INVITATION: m.kickoff_date,
        }[document]
        return day if day is not None and day <= self.today else None

    @property
    def ordered(self) -> bool:
        """The order is placed: an order date on or before today, or a status from Ordered on."""
        order = self.migration.order_date
        return (order is not None and order <= self.today) or self.status in ORDERED

    def not_ordered(self, document: str, what: str) -> DocumentStage:
        order = self.schedule.milestone("order_placed")
        kind = "planned" if order.given else "proposed"
        return DocumentStage(
            document,
            State.NOT_YET,
            f"{what} once the order is placed ({kind} for {short(order.start)})",
            becomes_due=order.start,
        )

    def business_justification(self) -> DocumentStage:
        key = BUSINESS_JUSTIFICATION
        closed = self.closed(key)
        if closed:
            return closed
        m = self.migration
        approved = m.business_case_approved
        if approved is not None and approved <= self.today:
            return DocumentStage(key, State.DONE, f"approved on {short(approved)}", happened_on=approved)
        if self.ordered:
            on = f" on {short(m.order_date)}" if m.order_date and m.order_date <= self.today else ""
            return DocumentStage(
                key, State.DONE, f"the order was placed{on}, so the case was approved", happened_on=approved
            )
        approval = self.schedule.milestone("business_case_approved")
        opens = approval.start - dt.timedelta(weeks=self.settings.business_case_lead_weeks)
        kind = "approval date" if approval.given else "proposed approval date"
        if opens > self.today:
            return DocumentStage(
                key,
                State.NOT_YET,
                f"goes to the practice {self.settings.business_case_lead_weeks} weeks before the {kind} "
                f"({short(approval.start)})",
                becomes_due=opens,
            )
        return DocumentStage(
            key,
            State.DUE,
            f"no order yet: the practice completes it and the ICB approves it before the order "
            f"({kind} {short(approval.start)})",
            due_by=approval.start,
        )

    def extract_request(self) -> DocumentStage:
        key = DATA_EXTRACT_REQUEST
        closed = self.closed(key)
        if closed:
            return closed
        sent = self.happened(key)
        if sent is not None:
            return DocumentStage(key, State.DONE, f"sent on {short(sent)}", happened_on=sent)
        if self.status in SENT:
            return DocumentStage(key, State.DONE, f'sent (the status is "{stage_name(self.migration.status)}")')
        if not self.ordered:
            return self.not_ordered(key, "due")
        _, latest = latest_request(
            self.schedule.milestone("idp"),
            self.schedule.date("fdp"),
            self.schedule.notice_days,
            self.settings,
            self.calendar,
        )
        planned = self.migration.extract_request_date
        due_by = min(latest, planned) if planned is not None else latest
        return DocumentStage(
            key,
            State.DUE,
            "the order is placed: send it as early as possible "
            f"(by {short(latest)} to leave the supplier {self.schedule.notice_days} working days before the IDP)",
            due_by=due_by,
        )

    def kick_off_invitation(self) -> DocumentStage:
        key = KICK_OFF_INVITATION
        closed = self.closed(key)
        if closed:
            return closed
        m = self.migration
        kick_off = self.schedule.milestone("kick_off")
        if kick_off.given and kick_off.start < self.today:
            return DocumentStage(
                key, State.DONE, f"the meeting was held on {short(kick_off.start)}", happened_on=kick_off.start
            )
        if self.status in HELD:
            return DocumentStage(
                key,
                State.DONE,
                f'the meeting was held (the status is "{stage_name(m.status)}")',
                happened_on=self.happened(key),
            )
        if kick_off.given and kick_off.start == self.today:
            return DocumentStage(key, State.NOT_APPLICABLE, "the meeting is today: too late to send an invitation")
        if not self.ordered:
            return self.not_ordered(key, "goes out")
        due_by = self.calendar.add_working_days(kick_off.start, -max(self.settings.invitation_notice_days, 0))
        blocker = ""
        if kick_off.start <= self.letter_date:
            if kick_off.given:
                blocker = (
                    f"the kick-off on {short(kick_off.start)} is not after the letter date "
                    f"{short(self.letter_date)}: enter a later Kick-off date, or an earlier letter date"
                )
            else:
                blocker = (
                    f"the kick-off proposed for {short(kick_off.start)} has passed: enter the date it took "
                    "place, or a new one, in the Kick-off date column"
                )
        kind = "on" if kick_off.given else "proposed for"
        return DocumentStage(
            key,
            State.DUE,
            f"the order is placed and the kick-off is {kind} {short(kick_off.start)}",
            due_by=due_by,
            blocker=blocker,
        )
