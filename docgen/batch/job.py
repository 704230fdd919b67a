"""The job: one batch to write, as every step of the batch layer (and every worker
process) receives it, and what a process remembers while it works on that job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from docgen.batch.manifest import Previous
from docgen.documents.selection import Selection, everything
from docgen.plan.milestones import MigrationSchedule
from docgen.plan.stages import MigrationStage
from docgen.records import Batch, Migration


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to write its share of the batch (picklable)."""

    batch: Batch
    schedules: dict[str, MigrationSchedule]  # migration ID -> its dates
    out: str  # the output folder, resolved
    letter_date: dt.date
    today: dt.date
    templates: Path | None = None
    locale: str = "en_GB"
    letters: bool = True
    delivery: bool = False  # calendar files and email drafts, written beside the letters
    pdf: bool = False  # PDFs come later; then the drafts wait for them (they attach the PDF)
    duplex: bool = True  # print packs: each letter starts on a right-hand page
    # What the previous run's manifest lists (docgen.batch.manifest.read_previous).
    previous: dict[str, Previous] = field(default_factory=dict)
    previous_at: int = 0  # when that manifest was written (ns): see docgen.batch.store.kept
    # Migration ID -> the documents this run writes for it and their dates (see
    # docgen.documents.selection); a migration missing here gets all three, as due.
    selections: dict[str, Selection] = field(default_factory=dict)
    all_documents: bool = False  # --all: records and documents not yet due as well
    stages: dict[str, MigrationStage] = field(default_factory=dict)  # for the timeline's Actions


def selection_of(job: Job, migration: Migration) -> Selection:
    """What this run writes for ``migration`` (all three letters, as due, when the job
    was made without selections)."""
    found = job.selections.get(migration.migration_id)
    return found if found is not None else everything(job.letter_date)


# What a process remembers while it writes one job: folders proved inside the output
# folder, the job's static digest, records written out. Held for that job only (the job
# is kept, so compared by identity) and started afresh for the next.
_MEMO: dict = {"job": None}


def memo(job: Job, name: str) -> dict:
    """The per-job dictionary ``name`` (see ``_MEMO``), empty for a new job."""
    if _MEMO["job"] is not job:
        _MEMO.clear()
        _MEMO["job"] = job
    return _MEMO.setdefault(name, {})
