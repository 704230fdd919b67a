"""A problem found in the admin's workbook, located the way Excel shows it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One error or warning, tied to a sheet and, where known, a cell.

    ``row`` is the Excel row number (1-based, as Excel shows it) and ``column`` the
    column letter; ``header`` is the column's header text so the message reads
    ``Migrations!H7 (Provisional go-live date): ...``. ``migration_id`` is set when the
    problem belongs to one migration, so ``--skip-invalid`` can drop just that one.
    """

    severity: str
    sheet: str
    message: str
    row: int | None = None
    column: str | None = None
    header: str | None = None
    migration_id: str | None = None

    @property
    def cell(self) -> str:
        """Excel reference: ``Sheet!H7``, ``Sheet!7`` for a whole row, or ``Sheet``."""
        if self.row is None:
            return self.sheet
        return f"{self.sheet}!{self.column or ''}{self.row}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        where = self.cell + (f" ({self.header})" if self.header else "")
        return f"{where}: {self.message}"


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that stop a batch."""
    return [p for p in problems if p.severity == ERROR]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    """The problems an admin should know about but that do not stop a batch."""
    return [p for p in problems if p.severity == WARNING]
