"""Schedule warnings as validate's problems, each pointing at a cell of the Migrations sheet."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from docgen.plan.milestones import MigrationSchedule
from docgen.problems import WARNING, Problem
from docgen.records import Batch
from docgen.workbook import schema


def _schema_letters() -> dict[str, str]:
    """The Migrations letters of the layout ``docgen init`` writes."""
    return {c.key: get_column_letter(i) for i, c in enumerate(schema.MIGRATIONS.columns, start=1)}


def warnings_as_problems(batch: Batch, schedules: dict[str, MigrationSchedule]) -> list[Problem]:
    """Each schedule warning as a :class:`~docgen.problems.Problem` on the migration's
    Migrations row, so ``validate`` lists and annotates it like any other problem.

    The cell is the one in the workbook read (``batch.columns``: an admin may have
    inserted or moved columns); a column that workbook lacks leaves the whole row. Only
    a batch built in code, with no columns, is given the layout ``docgen init`` writes
    (:data:`docgen.workbook.schema.MIGRATIONS`).
    """
    letters = batch.columns.get(schema.MIGRATIONS.name)
    if letters is None:
        letters = _schema_letters()
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
