"""``docgen init`` and writing a workbook from a Batch: what the admin opens in Excel."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from conftest import convert_with_soffice
from openpyxl import load_workbook

from docgen.errors import OutputError
from docgen.records import Batch, Practice
from docgen.workbook import schema
from docgen.workbook.settings_schema import SETTINGS
from docgen.workbook.starter import busy_periods, instructions_markdown, write_starter, write_workbook
from docgen.workbook.validate import check_workbook

TODAY = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def starter(tmp_path) -> Path:
    path = tmp_path / "starter.xlsx"
    write_starter(path, today=TODAY)
    return path


def test_the_starter_has_instructions_first_then_every_sheet(starter):
    book = load_workbook(starter)
    assert book.sheetnames == ["Instructions", *(s.name for s in schema.SHEETS)]
    for sheet in schema.SHEETS:
        ws = book[sheet.name]
        assert [c.value for c in ws[1]] == [c.header for c in sheet.columns]
        assert all(c.font.bold for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref.startswith("A1:")
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert widths == [c.width for c in sheet.columns]


def test_the_empty_starter_round_trips_with_only_the_no_migrations_warning(starter):
    report = check_workbook(starter)
    assert [f"{p.severity}: {p}" for p in report.problems] == [
        "warning: Migrations: There are no migrations. Add one row per migration."
    ]
    assert [(s.supplier, s.product) for s in report.batch.suppliers] == list(schema.DEFAULT_SUPPLIERS)
    assert report.batch.settings == type(report.batch.settings)()


def test_the_instructions_sheet_documents_every_column(starter):
    ws = load_workbook(starter)["Instructions"]
    rows = {(r[0], r[1]): (r[2], r[3]) for r in ws.iter_rows(values_only=True) if r[0] and r[1]}
    for sheet in schema.SHEETS:
        for col in sheet.columns:
            required, help_text = rows[(sheet.name, col.header)]
            assert required == ("Yes" if col.required else None)
            assert help_text
    assert rows[("Migrations", "Status")][1].endswith(
        "One of: Planning, Ordered, Extract requested, Kick-off held, In progress, Live, On hold, Cancelled."
    )


def test_settings_are_prefilled_with_labels_defaults_and_help(starter):
    ws = load_workbook(starter)["Settings"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [s.label for s in SETTINGS]
    by_label = {r[0]: r for r in rows}
    assert by_label["Extract allowance (working days)"][1] == 15
    assert by_label["Kick-off default time"][1] == dt.time(10, 0)
    assert by_label["Letter date"][1] is None
    assert by_label["Letter date"][2] == "Date printed on every letter. Blank: the day of the run."


def _validations(ws) -> dict[str, str]:
    return {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}


def test_dropdowns_for_suppliers_products_roles_status_and_yes_no(starter):
    book = load_workbook(starter)
    migrations = _validations(book["Migrations"])
    assert migrations["C2"] == "'Suppliers'!$A$2:$A$1000"
    assert migrations["D2"] == "'Suppliers'!$B$2:$B$1000"
    assert migrations["T2"] == '"' + ",".join(schema.STATUSES) + '"'
    contacts = _validations(book["Contacts"])
    assert contacts["B2"] == '"' + ",".join(schema.ROLES) + '"'
    assert contacts["G2"] == '"Yes,No"'
    costs = _validations(book["Costs"])
    assert costs["B2"] == '"' + ",".join(schema.COST_CATEGORIES) + '"'
    assert costs["E2"] == '"One-off,Recurring"'
    assert costs["A2"] == "'Migrations'!$A$2:$A$10000"


def test_date_columns_are_formatted_day_month_year(starter):
    book = load_workbook(starter)
    ws = book["Migrations"]
    go_live = schema.MIGRATIONS.columns.index(schema.MIGRATIONS.column("go_live")) + 1
    assert ws.column_dimensions["L"].number_format == "DD/MM/YYYY" and go_live == 12
    blackouts = book["Blackouts"]
    assert blackouts["A2"].number_format == "DD/MM/YYYY"
    assert book["Practices"].column_dimensions["H"].number_format == "@"  # phone: keeps its leading 0


def test_blackouts_cover_three_years_of_busy_periods(starter):
    batch = check_workbook(starter).batch
    reasons = {(b.reason, b.start.year) for b in batch.blackouts}
    for year in (2026, 2027, 2028):
        assert {("QOF year end", year), ("Easter", year), ("Christmas to New Year", year)} <= reasons
    easter_2027 = next(b for b in batch.blackouts if b.reason == "Easter" and b.start.year == 2027)
    assert (easter_2027.start, easter_2027.end) == (dt.date(2027, 3, 26), dt.date(2027, 3, 29))  # Easter Day 28 March
    christmas = next(b for b in batch.blackouts if b.reason == "Christmas to New Year" and b.start.year == 2026)
    assert (christmas.start, christmas.end) == (dt.date(2026, 12, 24), dt.date(2027, 1, 2))
    assert {b.scope for b in batch.blackouts} == {"All"}


def test_busy_periods_follow_easter_from_year_to_year():
    easters = {b.start.year: b.start for b in busy_periods(range(2025, 2029)) if b.reason == "Easter"}
    # Good Fridays: 18 April 2025, 3 April 2026, 26 March 2027, 14 April 2028.
    assert easters == {
        2025: dt.date(2025, 4, 18),
        2026: dt.date(2026, 4, 3),
        2027: dt.date(2027, 3, 26),
        2028: dt.date(2028, 4, 14),
    }


def test_init_refuses_to_overwrite_unless_forced(starter):
    before = starter.read_bytes()
    with pytest.raises(OutputError) as err:
        write_starter(starter, today=TODAY)
    assert str(err.value) == f"{starter} already exists. Use --force to overwrite it, or choose another file name."
    assert starter.read_bytes() == before
    write_starter(starter, force=True, today=dt.date(2030, 1, 1))
    years = {b.start.year for b in check_workbook(starter).batch.blackouts}
    assert years == {2030, 2031, 2032}


def test_init_refuses_a_folder(tmp_path):
    with pytest.raises(OutputError) as err:
        write_starter(tmp_path, today=TODAY)
    assert str(err.value) == (
        f"{tmp_path} is a folder. Give a file name ending in .xlsx, e.g. {tmp_path / 'migrations.xlsx'}."
    )


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    practice = Practice("Y90001", '=HYPERLINK("http://x","y")', ("+44 1 Road",), "{{ town }}", "TS1 1AB", "QXY", row=2)
    path = tmp_path / "out.xlsx"
    write_workbook(path, Batch(practices=(practice,)))
    ws = load_workbook(path)["Practices"]
    assert ws["B2"].value == '=HYPERLINK("http://x","y")' and ws["B2"].data_type == "s"
    assert ws["C2"].value == "+44 1 Road" and ws["F2"].value == "{{ town }}"


def test_readme_workbook_reference_is_generated_from_the_schema():
    marker = "<!-- workbook reference: generated from docgen/workbook/schema.py by scripts/make_workbook_doc.py -->\n"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert marker in readme
    text = readme.split(marker)[1]
    assert text == instructions_markdown(), (
        "README's workbook reference is stale: run python scripts/make_workbook_doc.py"
    )
    for sheet in schema.SHEETS:
        assert f"### {sheet.name}" in text
        for col in sheet.columns:
            if sheet.name != "Settings":
                assert f"| {col.header} |" in text
    for setting in SETTINGS:
        assert f"| {setting.label} |" in text


def test_the_starter_opens_in_libreoffice(soffice, starter, tmp_path):
    pdf = convert_with_soffice(soffice, starter, "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "How to fill in this workbook" in text
    assert "Provisional go-live date" in text
    assert "QOF year end" in text
    assert "SystmOne" in text
