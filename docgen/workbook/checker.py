"""Each sheet's rows typed cell by cell, every problem collected with where it is.

:class:`Checker` is what the later steps share: the tables as read, the problems found so
far, and which rows have an error (a migration is built only if every row it depends on is
free of them). Nothing stops at the first problem: the admin sees them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docgen.problems import ERROR, WARNING, Problem
from docgen.workbook import schema
from docgen.workbook.cells import EXCEL_ERRORS
from docgen.workbook.parsers import as_text, memo_key, outcome, required_hint
from docgen.workbook.tables import RawRow, Table


def _migration_id(raw: RawRow) -> str | None:
    """The row's Migration ID as text, for problems that belong to one migration."""
    value = raw.values.get("migration_id")
    return as_text(value) if isinstance(value, str | int | float) else None


@dataclass
class Row:
    """One data row: the row as read, and its cells typed (None where blank or bad)."""

    raw: RawRow
    values: dict[str, Any]  # each column's parsed type (str, date, Decimal...)


class Checker:
    """Collects problems and remembers which rows have errors."""

    def __init__(self, tables: dict[str, Table]):
        self.tables = tables
        self.problems: list[Problem] = []
        self.bad: set[tuple[str, int]] = set()

    def add(
        self,
        severity: str,
        sheet: str,
        row: int | None,
        key: str | None,
        message: str,
        migration_id: str | None = None,
        header: str | None = None,
    ) -> None:
        """Record a problem at ``sheet`` (the schema's name), ``row`` and the column of ``key``."""
        table = self.tables[sheet]
        letter = table.letter(key) if key else None
        if key and header is None:
            header = table.spec.column(key).header
        self.problems.append(Problem(severity, table.title, message, row, letter, header, migration_id or None))
        if severity == ERROR and row is not None:
            self.bad.add((sheet, row))

    def error(self, sheet, row, key, message, migration_id=None, header=None) -> None:
        """Record an error: the row is bad, and so is every migration that depends on it."""
        self.add(ERROR, sheet, row, key, message, migration_id, header)

    def warn(self, sheet, row, key, message, migration_id=None, header=None) -> None:
        """Record a warning: shown to the admin, stops nothing."""
        self.add(WARNING, sheet, row, key, message, migration_id, header)

    def is_bad(self, sheet: str, row: int) -> bool:
        """True when the row has an error."""
        return (sheet, row) in self.bad

    def rows(self, sheet: str) -> list[Row]:
        """Parse every row of ``sheet``: each present column typed, each problem recorded."""
        table = self.tables.get(sheet)
        if table is None:
            return []
        # Per column once, not per cell: its key, whether it is plain text, and the outcome of
        # each value already seen (a national workbook repeats the same supplier, status,
        # category, email, amount or date thousands of times).
        columns: list[tuple[schema.Column, str, bool, dict[object, tuple[object, str | None, str | None]]]] = [
            (col, col.key, col.kind == schema.TEXT, {}) for col in table.spec.columns if col.key in table.letters
        ]
        out = []
        for raw in table.rows:
            values: dict[str, object] = {}
            get = raw.values.get
            for col, key, plain, seen in columns:
                value = get(key)
                if value is None:
                    values[key] = None
                    if col.required:
                        hint = required_hint(col)
                        self.error(sheet, raw.row, key, f"This cell is empty but required. {hint}", _migration_id(raw))
                    continue
                if value.__class__ is str:
                    if plain and value not in EXCEL_ERRORS:
                        values[key] = value  # what parse_cell gives text in a text column, without the call
                        continue
                    memo: object = value
                else:
                    memo = memo_key(value)
                if memo is None:
                    known = outcome(col, value)
                else:
                    remembered = seen.get(memo)
                    if remembered is None:
                        remembered = seen[memo] = outcome(col, value)
                    known = remembered
                typed, warning, bad = known
                values[key] = typed
                if bad:
                    self.error(sheet, raw.row, key, bad, _migration_id(raw))
                elif warning:
                    self.warn(sheet, raw.row, key, warning, _migration_id(raw))
            out.append(Row(raw, values))
        return out
