"""Which documents a run writes for each migration, and the date each one carries.

By default a run writes what is due (:attr:`DocumentStage.writable`), dated the letter
date, so the dates it asks for count from that day. With ``--all`` it also writes the
rest, for every migration that is not Cancelled:

* a document whose step is done is a **record**, dated the day the step happened (the
  business case approval, the extract request, the kick-off meeting); when the workbook
  does not give that day, the record is not written and the manifest says why (a record
  dated a guess would not be true);
* any other document is written as of the letter date, as it would be sent that day,
  unless that cannot be true: a kick-off invitation for a meeting on or before the
  letter date is never written.

Calendar files and email drafts go only with documents that are sent, never with records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docgen.plan.milestones import CANCELLED, LIVE, MigrationSchedule
from docgen.plan.stages import MigrationStage
from docgen.plan.states import DOCUMENT_KEYS, KICK_OFF_INVITATION, ON_HOLD, DocumentStage, State
from docgen.plan.wording import short_date


@dataclass(frozen=True)
class Issue:
    """One document to write for a migration: its key, its own date, and whether it is a
    record of a step done (past tense, no drafts)."""

    document: str
    letter_date: dt.date
    record: bool
    stage: DocumentStage


@dataclass(frozen=True)
class Selection:
    """What a migration gets in a run: the documents to write, each document left out with
    the reason, and (among those) the due ones that could not be written, with what to fix
    (for the manifest and the run's summary)."""

    issues: tuple[Issue, ...]
    left_out: tuple[tuple[str, str], ...]
    blocked: tuple[tuple[str, str], ...] = ()

    def issue(self, document: str) -> Issue | None:
        """The issue of ``document``, if it is written in this run."""
        for i in self.issues:
            if i.document == document:
                return i
        return None


def select_documents(
    stage: MigrationStage,
    schedule: MigrationSchedule,
    *,
    letter_date: dt.date,
    all_documents: bool = False,
) -> Selection:
    """The documents ``stage`` calls for on ``letter_date`` (see the module docstring)."""
    issues: list[Issue] = []
    left_out: list[tuple[str, str]] = []
    blocked: list[tuple[str, str]] = []
    cancelled = stage.stage.casefold() == CANCELLED.casefold()
    for d in stage.documents:
        if d.writable:
            issues.append(Issue(d.document, letter_date, False, d))
        elif d.state is State.DUE:
            blocked.append((d.document, f"due but not written: {d.blocker}"))
            left_out.append(blocked[-1])
        elif not all_documents or cancelled:
            left_out.append((d.document, f"not due: {d.reason}"))
        elif d.is_record or stage.stage == LIVE:  # every step is behind a live migration
            if d.happened_on is None:
                left_out.append((d.document, f"record not written: {d.reason}, but the workbook gives no date"))
            else:
                issues.append(Issue(d.document, d.happened_on, True, d))
        elif d.document == KICK_OFF_INVITATION and schedule.date("kick_off") <= letter_date:
            left_out.append(
                (
                    d.document,
                    f"not written: the kick-off ({short_date(schedule.date('kick_off'))}) is not after the letter date",
                )
            )
        else:
            issues.append(Issue(d.document, letter_date, False, d))
    return Selection(tuple(issues), tuple(left_out), tuple(blocked))


def everything(letter_date: dt.date) -> Selection:
    """All three documents as due on ``letter_date``: what a job made without stages writes."""
    return Selection(
        tuple(Issue(key, letter_date, False, DocumentStage(key, State.DUE, "")) for key in DOCUMENT_KEYS), ()
    )


def why_nothing(stage: MigrationStage, selection: Selection) -> str:
    """One line for a migration with nothing written: ``not due: Live``, or the documents'
    own reasons."""
    if stage.stage in (CANCELLED, ON_HOLD, LIVE):
        return f"not due: {stage.stage}"
    return "; ".join(f"{doc.replace('-', ' ')}: {why}" for doc, why in selection.left_out)
