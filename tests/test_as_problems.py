"""Schedule warnings as validate's problems (docgen.plan.as_problems)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from openpyxl.utils import get_column_letter
from schedule_fixtures import TODAY, D, batch, migration

from docgen.plan.as_problems import warnings_as_problems
from docgen.plan.calendar import WorkingCalendar
from docgen.plan.milestones import SOURCE_COLUMN
from docgen.plan.schedule import schedule_batch
from docgen.workbook.schema import MIGRATIONS


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_warnings_as_problems_point_at_the_cell(cal):
    b = batch(migration(go_live=D(2026, 8, 31), row=9))
    schedules = schedule_batch(b, TODAY, cal)
    (problem,) = warnings_as_problems(b, schedules)
    assert problem.severity == "warning"
    assert (problem.sheet, problem.row, problem.column) == ("Migrations", 9, "L")
    assert problem.header == "Provisional go-live date"
    assert problem.migration_id == "MIG-001"
    assert str(problem).startswith(
        "Migrations!L9 (Provisional go-live date): MIG-001: The go-live date Monday 31 August 2026 is a bank holiday"
    )
    assert str(problem).endswith(
        "Move go-live to Tuesday 1 September 2026, the nearest working day clear of bank holidays and blackouts."
    )


def test_warnings_as_problems_use_the_workbooks_own_column_letters(cal):
    b = replace(batch(migration(go_live=D(2026, 8, 31), row=4)), columns={"Migrations": {"go_live": "C"}})
    (problem,) = warnings_as_problems(b, schedule_batch(b, TODAY, cal))
    assert problem.cell == "Migrations!C4"


def test_a_warning_about_a_column_the_workbook_lacks_points_at_the_row(cal):
    # No Order date column: the order is proposed (9 June), before the business case.
    own = {c.key: get_column_letter(i) for i, c in enumerate(MIGRATIONS.columns, start=1) if c.key != "order_date"}
    b = replace(batch(migration(business_case_approved=D(2026, 7, 1), row=5)), columns={"Migrations": own})
    (problem,) = warnings_as_problems(b, schedule_batch(b, TODAY, cal))
    assert (problem.cell, problem.header) == ("Migrations!5", "Order date")
    assert problem.message.endswith("Move the Order date to 1 July 2026 or later.")


def test_every_warning_column_is_a_migrations_column():
    keys = {c.key for c in MIGRATIONS.columns}
    assert set(SOURCE_COLUMN.values()) <= keys
