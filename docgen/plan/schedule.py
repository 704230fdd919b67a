"""A migration's schedule: its milestones, given or proposed, and the warnings about them.

The entry points for validate, the letters and the timeline. Nothing here reads a file
or the clock: ``today`` and the calendar are passed in. How each date is proposed is
:mod:`docgen.plan.propose`; what is checked, :mod:`docgen.plan.checks`.
"""

from __future__ import annotations

import datetime as dt

from docgen.plan.calendar import WorkingCalendar
from docgen.plan.checks import check
from docgen.plan.milestones import KEYS, MigrationSchedule
from docgen.plan.propose import plan_migration
from docgen.records import Batch, Migration


def schedule_migration(
    batch: Batch, migration: Migration, today: dt.date, calendar: WorkingCalendar
) -> MigrationSchedule:
    """Every milestone of one migration (given or proposed) and the warnings about its dates."""
    plan = plan_migration(batch, migration, today, calendar)
    milestones = tuple([plan.ms[key] for key in KEYS])
    return MigrationSchedule(migration.migration_id, milestones, tuple(check(plan)), plan.notice)


def schedule_batch(
    batch: Batch, today: dt.date, calendar: WorkingCalendar | None = None
) -> dict[str, MigrationSchedule]:
    """Each migration's schedule keyed by migration id, in batch order, for validate,
    the letters and the timeline."""
    calendar = calendar or WorkingCalendar()
    return {m.migration_id: schedule_migration(batch, m, today, calendar) for m in batch.migrations}
