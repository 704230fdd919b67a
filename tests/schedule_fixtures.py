"""Batches and schedules built in code for the plan tests (docgen.plan).

Expected dates in the tests are worked out by hand in their comments, from the durations
in DOMAIN.md (the Settings defaults) and the England bank holidays.
"""

from __future__ import annotations

import datetime as dt

from docgen.plan.milestones import MigrationSchedule, ScheduleWarning
from docgen.plan.schedule import schedule_migration
from docgen.records import Batch, Icb, Migration, Practice, Settings

D = dt.date
TODAY = D(2026, 3, 2)  # a Monday


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


def plan(cal, today=TODAY, **kw) -> MigrationSchedule:
    b = batch(migration(**kw))
    return schedule_migration(b, b.migrations[0], today, cal)


def only(schedule: MigrationSchedule, code: str) -> ScheduleWarning:
    found = [w for w in schedule.warnings if w.code == code]
    assert len(found) == 1, [w.code for w in schedule.warnings]
    return found[0]
