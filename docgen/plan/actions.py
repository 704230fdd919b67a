"""The action list: for each migration, what to do next, who does it and by when.

A migration's actions are its due documents (see :mod:`docgen.plan.stages`), and when
none is due, the next thing coming: a document about to become due, or the next
milestone not over by today, with the milestone's owner. On hold migrations get one
action ("resume or cancel"); Cancelled and Live ones none. Names come from the Contacts
sheet (the first of the migration's people with the role).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docgen.plan.milestones import CANCELLED, LIVE, MigrationSchedule
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
)
from docgen.records import Batch, Contact, Migration

#: Who does each document's action (a Contacts role), and the action in words.
_ACTION = {
    BUSINESS_JUSTIFICATION: ("ICB lead", "Send the business justification to the practice to complete and sign"),
    DATA_EXTRACT_REQUEST: ("ICB lead", "Send the data extract request to {current_supplier}"),
    KICK_OFF_INVITATION: ("Migration project manager", "Send the kick-off invitation"),
}


@dataclass(frozen=True)
class Action:
    """One line of the action list: what to do next for a migration, who, by when."""

    migration_id: str
    ods_code: str
    stage: str
    action: str
    role: str
    name: str
    due: dt.date | None
    document: str | None = None
    blocker: str = ""
    upcoming: bool = False  # not due yet: the next thing that will be

    def days_overdue(self, today: dt.date) -> int:
        """Calendar days past the due date (0 when not overdue or no date)."""
        return max((today - self.due).days, 0) if self.due else 0


def migration_actions(
    batch: Batch,
    migration: Migration,
    schedule: MigrationSchedule,
    stage: str,
    documents: tuple[DocumentStage, ...],
    today: dt.date,
) -> tuple[Action, ...]:
    """One migration's actions on ``today`` (see the module docstring)."""
    m = migration
    contacts = batch.contacts_for(m)

    def action(
        text: str, role: str, due: dt.date | None, document: str | None = None, blocker: str = "", upcoming=False
    ) -> Action:
        name = _name(contacts, role)
        return Action(m.migration_id, m.ods_code, stage, text, role, name, due, document, blocker, upcoming)

    status = m.status.strip().casefold()
    if status in (CANCELLED.casefold(), LIVE.casefold()):
        return ()
    if status == ON_HOLD.casefold():
        return (action("On hold: resume (set the status) or cancel the migration", "ICB lead", None),)
    due = []
    for d in documents:
        if d.state is State.DUE:
            role, text = _ACTION[d.document]
            due.append(action(text.format(current_supplier=m.current_supplier), role, d.due_by, d.document, d.blocker))
    if due:
        return tuple(due)
    upcoming = []
    for d in documents:
        if d.state is State.NOT_YET and d.becomes_due is not None:
            role, text = _ACTION[d.document]
            text = text.format(current_supplier=m.current_supplier)
            upcoming.append(
                (
                    d.becomes_due,
                    action(f"{text} (due from {short(d.becomes_due)})", role, d.becomes_due, d.document, upcoming=True),
                )
            )
    for milestone in schedule.milestones:
        if milestone.end >= today and not _done_by_status(milestone.key, status):
            ongoing = milestone.start < today
            text = f"{milestone.label} (until {short(milestone.end)})" if ongoing else milestone.label
            upcoming.append(
                (
                    milestone.start,
                    action(text, milestone.owner, milestone.end if ongoing else milestone.start, upcoming=True),
                )
            )
            break
    return (min(upcoming, key=lambda pair: pair[0])[1],) if upcoming else ()


def _done_by_status(milestone: str, status: str) -> bool:
    """Milestones the status already puts behind the migration, whatever their dates."""
    if milestone in ("business_case_approved", "order_placed"):
        return status in ORDERED
    if milestone == "extract_request_sent":
        return status in SENT
    if milestone == "kick_off":
        return status in HELD
    if milestone in ("technical_survey", "pre_migration_tasks"):
        return status == "in progress" or status in (LIVE.casefold(),)
    return False


def _name(contacts: tuple[Contact, ...], role: str) -> str:
    """The first contact with ``role`` among the migration's people ("" when none)."""
    for c in contacts:
        if c.role.strip().casefold() == role.casefold():
            return c.name
    return ""
