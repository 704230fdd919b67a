"""The words of a migration's stage, shared by the rules (:mod:`docgen.plan.stages`) and
the action list (:mod:`docgen.plan.actions`): the documents judged, their states, the
statuses that put a step behind a migration."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from docgen.plan.milestones import CANCELLED, LIVE, SENT_STATUSES
from docgen.plan.wording import short_date

#: The documents whose stage is judged here; the documents layer names its letters by them.
BUSINESS_JUSTIFICATION = "business-justification"
DATA_EXTRACT_REQUEST = "data-extract-request"
KICK_OFF_INVITATION = "kick-off-invitation"
DOCUMENT_KEYS = (BUSINESS_JUSTIFICATION, DATA_EXTRACT_REQUEST, KICK_OFF_INVITATION)

ON_HOLD = "On hold"
ORDERED_STATUSES = frozenset({"Ordered", *SENT_STATUSES})
HELD_STATUSES = frozenset({"Kick-off held", "In progress", LIVE})

#: The same statuses casefolded, as cells are compared.
ORDERED = frozenset(s.casefold() for s in ORDERED_STATUSES)
SENT = frozenset(s.casefold() for s in SENT_STATUSES)
HELD = frozenset(s.casefold() for s in HELD_STATUSES)


class State(StrEnum):
    """A document's state on the day (see the module docstring)."""

    DUE = "due"
    DONE = "done"
    NOT_YET = "not yet"
    NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class DocumentStage:
    """One document of one migration on the day: its state and the reason in plain words.

    ``due_by`` is set when due; ``becomes_due`` when not yet; ``happened_on`` when the
    step is done (or behind a Live migration) and the workbook gives its date: a record
    carries that date. ``blocker`` says what to fix when a due document cannot be written.
    """

    document: str
    state: State
    reason: str
    due_by: dt.date | None = None
    becomes_due: dt.date | None = None
    happened_on: dt.date | None = None
    blocker: str = ""

    @property
    def writable(self) -> bool:
        """Due and nothing stops it being written today: what ``docgen run`` writes."""
        return self.state is State.DUE and not self.blocker

    @property
    def is_record(self) -> bool:
        """The step is behind the migration: a copy written now is a record of it."""
        return self.state is State.DONE or (self.state is State.NOT_APPLICABLE and self.happened_on is not None)


def stage_name(status: str) -> str:
    """The status as the Migrations sheet lists it (cells are compared without case)."""
    for known in (*ORDERED_STATUSES, "Planning", ON_HOLD, CANCELLED):
        if known.casefold() == status.strip().casefold():
            return known
    return status.strip()


def short(d: dt.date | None) -> str:
    """``16/11/2026``: how dates read in reasons and actions, the way Excel shows the cells."""
    return short_date(d) if d else ""
