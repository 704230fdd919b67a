"""Check the raw workbook and turn it into typed records, collecting every problem: the
report docgen validate prints and the batch docgen run writes from.

The steps, each in its own module: :mod:`~docgen.workbook.reader` reads the sheets;
:mod:`~docgen.workbook.checker` types each cell (:mod:`~docgen.workbook.parsers`) and the
Settings sheet (:mod:`~docgen.workbook.settings_sheet`); :mod:`~docgen.workbook.cross_checks`
checks what one sheet says of another; :mod:`~docgen.workbook.build` keeps the valid records.
Each problem names the sheet, the Excel row, the column letter and header, what is wrong
and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import column_index_from_string

from docgen.errors import ValidationFailed
from docgen.problems import Problem, errors, warnings
from docgen.records import Batch
from docgen.workbook import schema
from docgen.workbook.build import build_batch
from docgen.workbook.checker import Checker
from docgen.workbook.cross_checks import Sheets, cross_check
from docgen.workbook.reader import RawWorkbook, gc_paused, read_workbook
from docgen.workbook.settings_sheet import read_settings


@dataclass
class ValidationReport:
    """What checking a workbook found: the valid records, every problem (errors and
    warnings in sheet then row order) and the migrations that cannot go ahead."""

    batch: Batch | None
    problems: list[Problem]
    invalid_migrations: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the batch."""
        return errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        """The problems the admin should know about but that stop nothing."""
        return warnings(self.problems)


def check_workbook(path: Path | str) -> ValidationReport:
    """Read and check the workbook at ``path``; return the valid records and every problem.

    Raises :class:`~docgen.errors.WorkbookError` only when the file cannot be read as a
    workbook at all (wrong format, damaged, password-protected, required sheets missing).
    Nothing here depends on the day of the run: the date checks that do (go-live in the
    past, busy periods) live in :mod:`docgen.plan.schedule`.
    """
    with gc_paused():  # see gc_paused: a fifth of the CPU on a national workbook
        return _check_workbook(path)


def _check_workbook(path: Path | str) -> ValidationReport:
    raw = read_workbook(path)
    check = Checker(raw.tables)
    check.problems.extend(raw.problems)
    spec_of = {t.title: name for name, t in raw.tables.items()}
    for p in raw.problems:
        if p.is_error and p.row is not None and p.sheet in spec_of:
            check.bad.add((spec_of[p.sheet], p.row))

    settings, settings_bad = read_settings(check)
    data = Sheets(
        icbs=check.rows("ICBs"),
        practices=check.rows("Practices"),
        migrations=check.rows("Migrations"),
        contacts=check.rows("Contacts"),
        suppliers=check.rows("Suppliers"),
        costs=check.rows("Costs"),
        blackouts=check.rows("Blackouts"),
        settings=settings,
    )
    cross_check(check, data)
    if raw.unreadable:
        return ValidationReport(None, _sorted(check.problems, raw), set(data.migration_ids))
    batch, invalid = build_batch(check, data, settings_bad, str(raw.path))
    return ValidationReport(batch, _sorted(check.problems, raw), invalid)


def _sorted(problems: list[Problem], raw: RawWorkbook) -> list[Problem]:
    """Problems in the order the admin meets them: sheet (in the schema's order), row, column."""
    order = {}
    for i, spec in enumerate(schema.SHEETS):
        table = raw.tables.get(spec.name)
        order[table.title if table else spec.name] = i

    def key(p: Problem):
        col = column_index_from_string(p.column) if p.column else 0
        return (order.get(p.sheet, len(order)), p.row or 0, col)

    return sorted(problems, key=key)


def load_batch(path: Path | str) -> Batch:
    """The workbook's records, or :class:`~docgen.errors.ValidationFailed` listing every
    problem when there is any error (the library's one-call entry point)."""
    report = check_workbook(path)
    if report.errors or report.batch is None:
        raise ValidationFailed(report.problems)
    return report.batch
