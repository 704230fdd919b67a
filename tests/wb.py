"""Build small workbooks in code: a minimal valid batch, and helpers to state one difference."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from docgen.formats.xlsx_cells import set_value
from docgen.workbook import schema


class Formula(str):
    """A cell value written as a formula (no cached result, like a script would save it)."""


def headers(sheet: str) -> list[str]:
    return [c.header for c in schema.sheet(sheet).columns]


def _row(sheet: str, **values) -> list:
    spec = schema.sheet(sheet)
    return [values.get(c.key) for c in spec.columns]


BASE = {
    "Settings": [["Setting", "Value", "Notes"], ["IT delivery partner", "Dale IT Partnership", ""]],
    "ICBs": [
        headers("ICBs"),
        _row(
            "ICBs",
            code="QXY",
            name="NHS Test ICB",
            address="1 Test Street\nTestown\nTS1 1AA",
            sender_name="Ann Sender",
            sender_title="Director of Primary Care",
            sender_email="ann.sender@nhs.net",
            sender_phone="01632 960000",
        ),
    ],
    "Practices": [
        headers("Practices"),
        _row(
            "Practices",
            ods_code="Y90001",
            name="Test Surgery",
            address1="1 High Street",
            town="Testown",
            postcode="TS1 1AB",
            phone="01632 960001",
            email="test.surgery@nhs.net",
            icb_code="QXY",
            sub_icb_code="00K",
            list_size=5000,
        ),
    ],
    "Migrations": [
        headers("Migrations"),
        _row(
            "Migrations",
            migration_id="MIG-001",
            ods_code="Y90001",
            current_supplier="Optum",
            current_system="EMIS Web",
            new_supplier="TPP",
            new_system="SystmOne",
            framework="Tech Innovation Framework",
            reason="Better integration with community services",
            business_case_approved=dt.date(2026, 11, 2),
            kickoff_location="Test Surgery, meeting room",
            order_date=dt.date(2027, 2, 1),
            go_live=dt.date(2027, 5, 11),
            status="Ordered",
        ),
    ],
    "Contacts": [
        headers("Contacts"),
        _row(
            "Contacts",
            organisation="Y90001",
            role="Practice manager",
            name="Pat Manager",
            email="pat.manager@nhs.net",
            invitee="Yes",
        ),
    ],
    "Suppliers": [
        headers("Suppliers"),
        _row("Suppliers", supplier="Optum", product="EMIS Web"),
        _row("Suppliers", supplier="TPP", product="SystmOne"),
        _row("Suppliers", supplier="Cegedim", product="Vision"),
    ],
    "Costs": [
        headers("Costs"),
        _row(
            "Costs",
            migration_id="MIG-001",
            category="Training",
            description="Staff training",
            amount=1250.5,
            recurrence="One-off",
            funding_source="ICB revenue",
        ),
    ],
    "Blackouts": [
        headers("Blackouts"),
        _row("Blackouts", start=dt.date(2027, 3, 1), end=dt.date(2027, 3, 31), reason="QOF year end", scope="All"),
    ],
}


def base() -> dict[str, list[list]]:
    """A fresh copy of the minimal valid workbook: sheet name -> rows (row 1 is the header)."""
    return copy.deepcopy(BASE)


def letter(sheet: str, header: str) -> str:
    """The column letter of ``header`` in the base layout of ``sheet``."""
    return get_column_letter(headers(sheet).index(header) + 1)


def put(sheets: dict, sheet: str, row: int, header: str, value) -> None:
    """Set the cell in Excel row ``row`` under ``header`` (adding rows as needed)."""
    rows = sheets[sheet]
    col = rows[0].index(header)
    while len(rows) < row:
        rows.append([None] * len(rows[0]))
    while len(rows[row - 1]) <= col:
        rows[row - 1].append(None)
    rows[row - 1][col] = value


def insert_column(sheets: dict, sheet: str, before: str, header: str) -> None:
    """Insert a column headed ``header`` (blank below) just before the column ``before``,
    as an admin does in Excel: every column from ``before`` on moves one letter right."""
    rows = sheets[sheet]
    col = rows[0].index(before)
    for values in rows:
        while len(values) < col:
            values.append(None)
        values.insert(col, header if values is rows[0] else None)


def write(path: Path, sheets: dict, *, hidden=(), merges: dict | None = None) -> Path:
    """Save ``sheets`` (name -> rows) to ``path`` as an .xlsx; text stays text, Formula is a formula."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c)
                if isinstance(value, Formula):
                    cell.value = str(value)
                else:
                    set_value(cell, value)
                    if isinstance(value, dt.date):
                        cell.number_format = "DD/MM/YYYY"
        if name in hidden:
            ws.sheet_state = "hidden"
        for ref in (merges or {}).get(name, ()):
            ws.merge_cells(ref)
    wb.save(path)
    return path


def make(tmp_path: Path, change=None, name: str = "migrations.xlsx", **kwargs) -> Path:
    """Write the base workbook after ``change(sheets)`` has made the test's one difference."""
    sheets = base()
    if change:
        change(sheets)
    return write(tmp_path / name, sheets, **kwargs)
