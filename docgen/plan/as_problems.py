"""Schedule warnings as validate's problems, each pointing at a cell of the Migrations sheet."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from docgen.plan.milestones import MigrationSchedule
from docgen.problems import WARNING, Problem
from docgen.records import Batch
from docgen.workbook import schema


def _schema_letters() -> dict[str, str]:
    return {c.key: get_column_letter(i) for i, c in enumerate(schema.MIGRATIONS.columns, start=1)}


def warnings_as_problems(
    batch: Batch, schedules: dict[str, MigrationSchedule], columns: dict[str, str] | None = None
) -> list[Problem]:
    """Each schedule warning as a :class:`~docgen.problems.Problem` on the migration's
    Migrations row, so ``validate`` lists and annotates it like any other problem.

    ``columns`` maps column keys to the letters of the real workbook; without it the
    order ``docgen init`` writes (:data:`docgen.workbook.schema.MIGRATIONS`) is assumed.
    """
    letters = columns or _schema_letters()
    rows = {m.migration_id: m.row for m in batch.migrations}
    problems = []
    for migration_id, schedule in schedules.items():
        row = rows.get(migration_id) or None
        for w in schedule.warnings:
            header = schema.MIGRATIONS.column(w.column).header if w.column else None
            problems.append(
                Problem(
                    severity=WARNING,
                    sheet=schema.MIGRATIONS.name,
                    message=f"{migration_id}: {w.message} {w.suggestion}",
                    row=row,
                    column=letters.get(w.column) if w.column else None,
                    header=header,
                    migration_id=migration_id,
                )
            )
    return problems
