"""Write the admin's workbook: the empty starter (``docgen init``) or one filled from a Batch.

Every sheet, header, dropdown and the Instructions sheet come from :mod:`docgen.workbook.schema`,
so the workbook, the validator and ``docs/workbook.md`` can never disagree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from docgen.errors import OutputError
from docgen.formats.files import atomic_save
from docgen.formats.xlsx_cells import set_value
from docgen.records import Batch, Blackout, Settings, Supplier
from docgen.workbook import schema
from docgen.workbook.settings_schema import SETTINGS

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="005EB8")  # NHS blue
REQUIRED_MARK = "Yes"
DATE_FORMAT = "DD/MM/YYYY"
TIME_FORMAT = "HH:MM"
MONEY_FORMAT = "#,##0.00"
#: Rows below the data that dropdowns and formats reach, so new rows get them too.
SPARE_ROWS = 1000

_KIND_TEXT = {
    schema.DATE: "A date, dd/mm/yyyy (or 2026-06-15).",
    schema.TIME: "A 24-hour time, e.g. 10:00.",
    schema.INT: "A whole number.",
    schema.MONEY: "Pounds and pence, e.g. 1250.00.",
    schema.YESNO: "Yes or No.",
    schema.EMAIL: "An email address.",
    schema.PHONE: "A phone number with its area code, kept as text so the leading 0 stays.",
    schema.POSTCODE: "A UK postcode.",
    schema.ODS: "An ODS code: one letter and five digits.",
    schema.ICB: "An ICB code: Q and two characters.",
    schema.SUB_ICB: "A sub-ICB location code: three or five characters.",
}

_REFERENCE_LISTS = {
    # Migrations columns whose dropdown lists a Suppliers column.
    "current_supplier": "supplier",
    "new_supplier": "supplier",
    "current_system": "product",
    "new_system": "product",
}


# Help for the columns whose schema entry has none (plain text columns).
_MORE_HELP = {
    ("ICBs", "sender_title"): "Printed under the sender's name.",
    ("Practices", "name"): "As it should appear on letters.",
    ("Practices", "address1"): "First line of the practice's postal address.",
    ("Practices", "address2"): "Further address line, if any.",
    ("Practices", "address3"): "Further address line, if any.",
    ("Practices", "town"): "Post town.",
    ("Contacts", "name"): "Full name, as it should appear on letters and invitations.",
    ("Contacts", "job_title"): "Printed with the name on invitations.",
    ("Suppliers", "supplier"): "Company name, e.g. TPP.",
    ("Suppliers", "product"): "The clinical system, e.g. SystmOne.",
    ("Costs", "migration_id"): "A Migration ID from the Migrations sheet.",
    ("Costs", "description"): "What the money buys, e.g. end-user training, 6 sessions.",
    ("Blackouts", "reason"): "Why go-live should avoid these dates, e.g. QOF year end.",
}


def describe(column: schema.Column, sheet: str = "") -> str:
    """What to enter in a column, for the Instructions sheet and the README."""
    help_text = column.help or _MORE_HELP.get((sheet, column.key), "")
    parts = [help_text] if help_text else []
    if column.kind == schema.CHOICE and column.choices:
        parts.append("One of: " + ", ".join(column.choices) + ".")
    elif column.kind == schema.INT and column.bounds:
        parts.append(f"A whole number from {column.bounds[0]} to {column.bounds[1]}.")
    elif column.kind in _KIND_TEXT and _KIND_TEXT[column.kind] not in parts:
        parts.append(_KIND_TEXT[column.kind])
    return " ".join(parts)


def busy_periods(years: range | list[int]) -> list[Blackout]:
    """The usual busy periods for go-live, for every year in ``years``: the QOF year end,
    Easter (Good Friday to Easter Monday, from the ``holidays`` package), August leave
    and Christmas to New Year."""
    out: list[Blackout] = []
    for year in years:
        bank = holidays.country_holidays("GB", subdiv="ENG", years=year)
        good_friday = next(d for d, name in bank.items() if name == "Good Friday")
        easter_monday = next(d for d, name in bank.items() if name == "Easter Monday")
        out += [
            Blackout(dt.date(year, 3, 1), dt.date(year, 3, 31), "QOF year end", "All"),
            Blackout(good_friday, easter_monday, "Easter", "All"),
            Blackout(dt.date(year, 8, 1), dt.date(year, 8, 31), "August: staff annual leave", "All"),
            Blackout(dt.date(year, 12, 24), dt.date(year + 1, 1, 2), "Christmas to New Year", "All"),
        ]
    return sorted(out, key=lambda b: b.start)


def starter_batch(today: dt.date) -> Batch:
    """The empty batch ``docgen init`` writes: default settings and suppliers, and the
    busy periods of this year and the next two."""
    return Batch(
        settings=Settings(),
        suppliers=tuple(Supplier(s, p) for s, p in schema.DEFAULT_SUPPLIERS),
        blackouts=tuple(busy_periods(range(today.year, today.year + 3))),
    )


def write_starter(path: Path | str, force: bool = False, *, today: dt.date) -> None:
    """Write the starter workbook for ``docgen init``; refuses to overwrite unless ``force``."""
    write_workbook(path, starter_batch(today), force=force)


def _rows(batch: Batch, sheet: schema.Sheet) -> list[dict[str, object]]:
    if sheet.name == "Settings":
        return []
    if sheet.name == "ICBs":
        return [{**_fields(i), "address": "\n".join(i.address)} for i in batch.icbs]
    if sheet.name == "Practices":
        out = []
        for p in batch.practices:
            lines = [*p.address, "", "", ""]
            out.append({**_fields(p), "address1": lines[0], "address2": lines[1], "address3": lines[2]})
        return out
    if sheet.name == "Contacts":
        return [{**_fields(c), "invitee": "Yes" if c.invitee else "No"} for c in batch.contacts]
    if sheet.name == "Suppliers":
        return [{**_fields(s), "address": "\n".join(s.address)} for s in batch.suppliers]
    records = {"Migrations": batch.migrations, "Costs": batch.costs, "Blackouts": batch.blackouts}[sheet.name]
    return [_fields(r) for r in records]


def _fields(record) -> dict[str, object]:
    return {k: v for k, v in vars(record).items() if not k.startswith("_")}


def _number_format(kind: str) -> str | None:
    return {schema.DATE: DATE_FORMAT, schema.TIME: TIME_FORMAT, schema.MONEY: MONEY_FORMAT, schema.PHONE: "@"}.get(kind)


def _write_header(ws, headers: list[str], widths: list[int]) -> None:
    for index, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = set_value(ws.cell(row=1, column=index), header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"


def _list_validation(formula: str, strict: bool, prompt: str) -> DataValidation:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.error = prompt
    dv.errorTitle = "Not on the list"
    dv.errorStyle = "stop" if strict else "warning"
    dv.showErrorMessage = True
    return dv


def _validations(ws, sheet: schema.Sheet, last_row: int) -> None:
    suppliers = schema.sheet("Suppliers")
    migrations = schema.sheet("Migrations")
    for index, col in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        dv = None
        if sheet.name == "Migrations" and col.key in _REFERENCE_LISTS:
            ref_col = get_column_letter([c.key for c in suppliers.columns].index(_REFERENCE_LISTS[col.key]) + 1)
            formula = f"{quote_sheetname(suppliers.name)}!${ref_col}$2:${ref_col}${SPARE_ROWS}"
            dv = _list_validation(formula, False, "Choose from the Suppliers sheet, or add a row there first.")
        elif sheet.name == "Costs" and col.key == "migration_id":
            ref_col = get_column_letter([c.key for c in migrations.columns].index("migration_id") + 1)
            formula = f"{quote_sheetname(migrations.name)}!${ref_col}$2:${ref_col}${SPARE_ROWS * 10}"
            dv = _list_validation(formula, False, "Use a Migration ID from the Migrations sheet.")
        elif col.kind == schema.YESNO or (col.kind == schema.CHOICE and col.choices):
            choices = col.choices or schema.YES_NO
            dv = _list_validation('"' + ",".join(choices) + '"', True, "Choose one of: " + ", ".join(choices) + ".")
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last_row}")


def _write_sheet(wb: Workbook, sheet: schema.Sheet, batch: Batch) -> None:
    ws = wb.create_sheet(sheet.name)
    _write_header(ws, [c.header for c in sheet.columns], [c.width for c in sheet.columns])
    rows = _rows(batch, sheet)
    for r, record in enumerate(rows, start=2):
        for index, col in enumerate(sheet.columns, start=1):
            value = record.get(col.key)
            if value in ("", None):
                continue
            cell = set_value(ws.cell(row=r, column=index), value)
            fmt = _number_format(col.kind)
            if fmt:
                cell.number_format = fmt
            if isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last_row = max(len(rows) + 1, 2) + SPARE_ROWS
    for index, col in enumerate(sheet.columns, start=1):
        fmt = _number_format(col.kind)
        if fmt:  # column style, so dates typed in new rows show as dd/mm/yyyy too
            ws.column_dimensions[get_column_letter(index)].number_format = fmt
    _validations(ws, sheet, last_row)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{max(len(rows) + 1, 2)}"


def _write_settings(wb: Workbook, settings: Settings) -> None:
    sheet = schema.SETTINGS_SHEET
    ws = wb.create_sheet(sheet.name)
    _write_header(ws, [c.header for c in sheet.columns], [c.width for c in sheet.columns])
    for r, setting in enumerate(SETTINGS, start=2):
        value = getattr(settings, setting.key)
        set_value(ws.cell(row=r, column=1), setting.label).font = Font(bold=True)
        if value not in ("", None):
            cell = set_value(ws.cell(row=r, column=2), value)
            fmt = _number_format(setting.kind)
            if fmt:
                cell.number_format = fmt
        set_value(ws.cell(row=r, column=3), setting.notes).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(row=1, column=2).comment = Comment("Blank: the default shown in Notes applies.", "docgen")
    ws.auto_filter.ref = f"A1:C{len(SETTINGS) + 1}"


def instruction_rows() -> list[tuple[str, str, str, str]]:
    """(sheet, column, required, what to enter) for every column of every sheet."""
    rows = []
    for sheet in schema.SHEETS:
        for col in sheet.columns:
            rows.append((sheet.name, col.header, REQUIRED_MARK if col.required else "", describe(col, sheet.name)))
    return rows


INTRO = (
    "Fill one row per ICB, practice, migration, contact and cost line. docgen reads every sheet, "
    "checks everything at once and tells you each problem by sheet, cell and column.",
    "Sheet names and headers may differ in case and spacing; columns may be in any order; "
    "extra columns are ignored (with a warning).",
    "Dates: type them as dates (15/06/2026) or as 2026-06-15. Phone numbers: keep the leading 0 "
    "(the phone columns are formatted as text).",
    "Check the workbook with: docgen validate WORKBOOK (add --annotate marked.xlsx to get a copy "
    "with every problem cell coloured and commented).",
)


def _write_instructions(wb: Workbook) -> None:
    ws = wb.create_sheet("Instructions")
    title = set_value(ws.cell(row=1, column=1), "How to fill in this workbook")
    title.font = Font(bold=True, size=14)
    row = 2
    for line in INTRO:
        set_value(ws.cell(row=row, column=1), line)
        row += 1
    row += 1
    set_value(ws.cell(row=row, column=1), "Sheets").font = Font(bold=True, size=12)
    row += 1
    for sheet in schema.SHEETS:
        set_value(ws.cell(row=row, column=1), sheet.name).font = Font(bold=True)
        set_value(ws.cell(row=row, column=2), sheet.help + ("" if sheet.required else " (optional sheet)"))
        row += 1
    row += 1
    header_row = row
    for index, header in enumerate(("Sheet", "Column", "Required", "What to enter"), start=1):
        cell = set_value(ws.cell(row=row, column=index), header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for values in instruction_rows():
        row += 1
        for index, value in enumerate(values, start=1):
            set_value(ws.cell(row=row, column=index), value).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (14, 44, 10, 90), strict=True):
        ws.column_dimensions[letter].width = width
    ws.auto_filter.ref = f"A{header_row}:D{row}"


def write_workbook(path: Path | str, batch: Batch, *, force: bool = False) -> None:
    """Write ``batch`` as a workbook an admin can fill and docgen can read back; refuses
    to overwrite ``path`` unless ``force``."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is a folder. Give a file name ending in .xlsx, e.g. {path / 'migrations.xlsx'}.")
    if path.exists() and not force:
        raise OutputError(f"{path} already exists. Use --force to overwrite it, or choose another file name.")
    wb = Workbook()
    wb.remove(wb.active)
    _write_instructions(wb)
    for sheet in schema.SHEETS:
        if sheet.name == "Settings":
            _write_settings(wb, batch.settings)
        else:
            _write_sheet(wb, sheet, batch)
    wb.active = 0
    atomic_save(path, wb.save)


def instructions_markdown() -> str:
    """``docs/workbook.md``: every sheet and column, generated from the schema."""
    lines = [
        "## The workbook",
        "",
        "<!-- Generated from docgen/schema.py by scripts/make_workbook_doc.py: do not edit by hand. -->",
        "",
        "`docgen init migrations.xlsx` writes an empty workbook with every sheet below, an",
        "Instructions sheet, dropdowns, date formats and the usual busy periods. Fill it in Excel,",
        "then check it with `docgen validate migrations.xlsx`.",
        "",
        *[f"- {line}" for line in INTRO],
        "- A sheet may have title rows above its header row (docgen finds the header in the first",
        "  10 rows), blank rows between data rows, and hidden sheets (read, with a warning).",
        "- Cells merged down one column are read as if each row held the value (with a warning);",
        "  cells merged across columns inside a table are an error: unmerge them.",
        "- Formulas are fine if Excel has calculated them (save the file in Excel); text such as",
        "  `=HYPERLINK(...)` or `{{ 7*7 }}` typed as text stays that exact text everywhere.",
        "",
    ]
    for sheet in schema.SHEETS:
        lines += [f"### {sheet.name}", "", sheet.help + ("" if sheet.required else " Optional sheet."), ""]
        if sheet.name == "Settings":
            lines += [
                "Columns: " + ", ".join(f"**{c.header}**" for c in sheet.columns) + ". One setting a row:",
                "",
                "| Setting | Default | Allowed | What it does |",
                "| --- | --- | --- | --- |",
            ]
            for s in SETTINGS:
                default = "" if s.default in (None, "") else str(s.default)
                lines.append(f"| {s.label} | {default} | {s.range} | {s.help} |")
            lines.append("")
            continue
        lines += ["| Column | Required | What to enter |", "| --- | --- | --- |"]
        for col in sheet.columns:
            lines.append(f"| {col.header} | {'yes' if col.required else ''} | {describe(col, sheet.name)} |")
        lines.append("")
    lines += [
        "### What `docgen validate` checks",
        "",
        *[f"- {check}" for check in CHECKS],
        "",
        "An error on a row a migration depends on (its practice, its ICB, its cost lines, its",
        "practice's contacts, a blackout that applies to it, its suppliers' rows, the Settings)",
        "stops that migration too; warnings never stop anything.",
        "",
    ]
    return "\n".join(lines)


#: The checks, in words, for docs/workbook.md.
CHECKS = (
    "The file is an .xlsx workbook (not a CSV, .xls, Word document, damaged or password-protected file, nor "
    "Excel's ~$ lock file) with the sheets ICBs, Practices, Migrations, Contacts, Suppliers and Costs, and each "
    "sheet has its required columns, each once. A workbook saved as Strict Open XML Spreadsheet is read too "
    "(but for `--annotate`, save it as Excel Workbook).",
    "Size: docgen unpacks at most 100 MB of any one sheet, 200 MB of sheets in all, and reads up to 100,000 "
    "rows a sheet (every GP practice in England fits in 18 MB, with 13,000 rows on its longest sheet); a "
    "bigger workbook, or one packed over 100 times tighter than it unpacks (a zip bomb), is refused before "
    "it is unpacked.",
    "Types: dates (date cells, 2026-06-15 or 15/06/2026; impossible dates such as 31/02/2026 rejected), "
    "times (10:00, 10.30, 2pm), whole numbers, money (pounds and pence), Yes/No, and the listed choices.",
    "Formats: ODS code (one letter and five digits; a warning unless it starts A to P or Y), ICB code (Q and "
    "two characters), sub-ICB code (3 or 5 characters), UK postcode, email; phone numbers that look short "
    "are a warning.",
    "Required cells are filled; formulas have a value (Excel has calculated them) and no error such as #REF!.",
    "Settings in range: each whole-number setting lies in its Allowed range above, and a supplier's notice "
    "period in 0 to 60 working days; a date typed into one (Excel may show 15/06/2026 as 46188) is an error "
    "naming the cell, never read as thousands of days.",
    "No duplicates: ICB codes, ODS codes, migration IDs, supplier and product pairs.",
    "References: every practice's ICB is on the ICBs sheet; every migration's practice is on the Practices "
    "sheet; its suppliers are on the Suppliers sheet and each system is one of its supplier's products; "
    "cost lines point at a migration; a contact's organisation that looks like an ODS or ICB code is listed "
    "(any other organisation must be a supplier or the IT delivery partner, else a warning); blackout scopes "
    "are All, a listed ICB code or a listed ODS code.",
    "Sense: the new system differs from the current one; the order date is not after go-live; a blackout "
    "does not end before it starts; the proposed order to go-live lies between the minimum and maximum.",
    "Warnings: a migrating practice with no Practice manager contact; no migrations at all; hidden sheets; "
    "extra columns; merged cells filled down.",
)
