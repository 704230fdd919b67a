"""Reading the admin's workbook: awkward files and awkward sheets."""

from __future__ import annotations

import datetime as dt
import gc
import time
import zipfile

import pytest
import wb
from openpyxl import Workbook, load_workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import PatternFill

from docgen.errors import WorkbookError
from docgen.workbook import reader, sheet_xml
from docgen.workbook.cells import clean
from docgen.workbook.reader import read_workbook
from docgen.workbook.validate import check_workbook


def _messages(report) -> list[str]:
    return [f"{p.severity}: {p}" for p in report.problems]


def test_missing_sheets_are_listed_with_the_sheets_found(tmp_path):
    sheets = wb.base()
    del sheets["Practices"], sheets["Costs"]
    path = wb.write(tmp_path / "migrations.xlsx", sheets)
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: the sheets Practices, Costs are missing. Found: Settings, ICBs, Migrations, Contacts, Suppliers, "
        "Blackouts. Rename or add the sheets (docgen init writes a workbook with every sheet)."
    )


# --- sheets that are awkward but readable ------------------------------------------


def test_sheet_names_and_headers_may_differ_in_case_spaces_and_line_breaks(tmp_path):
    sheets = wb.base()
    sheets[" migrations "] = sheets.pop("Migrations")
    header = sheets[" migrations "][0]
    header[header.index("Provisional go-live date")] = "PROVISIONAL\ngo-live  date"
    sheets["practice"] = sheets.pop("Practices")
    path = wb.write(tmp_path / "migrations.xlsx", sheets)
    report = check_workbook(path)
    assert report.errors == []
    assert report.batch.migrations[0].go_live == dt.date(2027, 5, 11)
    assert report.batch.practices[0].name == "Test Surgery"


def test_title_rows_above_the_header_keep_excel_row_numbers(tmp_path):
    def change(s):
        s["Migrations"][1][wb.headers("Migrations").index("Provisional go-live date")] = "31/02/2026"
        s["Migrations"][0:0] = [["Westbrook migrations 2027"], [None], ["Prepared by the ICB"]]

    report = check_workbook(wb.make(tmp_path, change))
    assert _messages(report) == [
        "error: Migrations!L5 (Provisional go-live date): '31/02/2026' is not a date. Enter a date such as 15/06/2026."
    ]


def test_no_header_row_is_an_error_naming_the_expected_headers(tmp_path):
    def change(s):
        s["Costs"] = [["Nothing here"], ["MIG-001", "Training"]]

    report = check_workbook(wb.make(tmp_path, change))
    assert (
        "error: Costs: No header row found in the first 10 rows. Put the column headers (Migration ID, Category, "
        "Description, Amount (£), One-off or recurring) in one row above the data."
    ) in _messages(report)
    assert report.batch is None
    assert report.invalid_migrations == {"MIG-001"}


def test_blank_rows_between_data_are_skipped(tmp_path):
    def change(s):
        s["Suppliers"][2:2] = [[None] * 6, [None] * 6]
        wb.put(s, "Suppliers", 9, "Supplier", "Microtest")
        wb.put(s, "Suppliers", 9, "Product", "Evolution")

    report = check_workbook(wb.make(tmp_path, change))
    assert report.errors == []
    assert [(s.supplier, s.row) for s in report.batch.suppliers] == [
        ("Optum", 2),
        ("TPP", 5),
        ("Cegedim", 6),
        ("Microtest", 9),
    ]


def test_a_stray_formatted_cell_at_the_last_excel_row_is_read_quickly(tmp_path):
    path = wb.make(tmp_path)
    book = load_workbook(path)
    ws = book["Practices"]
    ws.cell(row=1_048_576, column=16_384).fill = PatternFill("solid", fgColor="FFFF00")
    ws.cell(row=1_048_576, column=1).fill = PatternFill("solid", fgColor="FFFF00")
    book.save(path)
    start = time.perf_counter()
    report = check_workbook(path)
    assert time.perf_counter() - start < 5
    assert report.errors == []
    assert [p.row for p in report.batch.practices] == [2]


def test_hidden_sheets_are_read_with_a_warning(tmp_path):
    report = check_workbook(wb.make(tmp_path, hidden=("Suppliers",)))
    assert _messages(report) == [
        "warning: Suppliers: This sheet is hidden in Excel; docgen read it anyway. Unhide it (right-click a sheet "
        "tab > Unhide) to check what it holds."
    ]
    assert len(report.batch.suppliers) == 3


def test_cells_merged_down_a_column_are_filled_down_with_a_warning(tmp_path):
    def change(s):
        for row, ods in ((3, "Y90002"), (4, "Y90003")):
            s["Practices"].append(list(s["Practices"][1]))
            wb.put(s, "Practices", row, "ODS code", ods)
            wb.put(s, "Practices", row, "ICB code", None)

    path = wb.make(tmp_path, change, merges={"Practices": ["J2:J4"]})
    report = check_workbook(path)
    assert _messages(report) == [
        "warning: Practices!J2 (ICB code): Cells J2:J4 are merged; docgen used the value of J2 ('QXY') for every row "
        "of the range. Unmerge them (Home > Merge & Center > Unmerge Cells) to give each row its own value."
    ]
    assert [p.icb_code for p in report.batch.practices] == ["QXY", "QXY", "QXY"]


def test_cells_merged_across_columns_are_an_error(tmp_path):
    report = check_workbook(wb.make(tmp_path, merges={"Contacts": ["C2:D2"]}))
    assert _messages(report) == [
        "error: Contacts!C2: Cells C2:D2 are merged across columns, so docgen cannot tell which column the value "
        "belongs to. Unmerge them (Home > Merge & Center > Unmerge Cells) and put each value in its own column."
    ]
    assert report.batch.contacts == ()


def test_a_merged_title_above_the_header_is_ignored(tmp_path):
    def change(s):
        s["Costs"].insert(0, ["Cost lines"])

    report = check_workbook(wb.make(tmp_path, change, merges={"Costs": ["A1:F1"]}))
    assert report.problems == []
    assert report.batch.costs[0].row == 3


def test_excel_escapes_control_characters_and_odd_spaces_are_cleaned(tmp_path):
    def change(s):
        wb.put(s, "ICBs", 2, "Postal address", "1 Test Street_x000D_\nTestown_x0007_\n TS1 1AA ")
        wb.put(s, "Practices", 2, "Practice name", "\u00a0Test\u00a0Surgery  ")
        wb.put(s, "Practices", 2, "ODS code", " y90001\u200b")

    report = check_workbook(wb.make(tmp_path, change))
    assert report.errors == []
    assert report.batch.icbs[0].address == ("1 Test Street", "Testown", "TS1 1AA")
    assert report.batch.practices[0].name == "Test Surgery"
    assert report.batch.practices[0].ods_code == "Y90001"


def test_clean_decodes_every_excel_escape():
    assert clean("Line one_x000D__x000A_Line two_x0009_end") == "Line one\nLine two end"
    assert clean("   ") is None


def test_phone_numbers_stored_as_numbers_keep_the_leading_zero(tmp_path):
    def change(s):
        wb.put(s, "Practices", 2, "Phone", 1642672351)
        wb.put(s, "Contacts", 2, "Phone", 2079460000)
        wb.put(s, "ICBs", 2, "Sender phone", 7700900123)

    report = check_workbook(wb.make(tmp_path, change))
    assert report.problems == []
    assert report.batch.practices[0].phone == "01642 672351"
    assert report.batch.contacts[0].phone == "020 7946 0000"
    assert report.batch.icbs[0].sender_phone == "07700 900123"


def test_extra_columns_are_ignored_with_a_warning(tmp_path):
    def change(s):
        s["Practices"][0].append("Notes")
        s["Practices"][1].append("Parking at the back")

    report = check_workbook(wb.make(tmp_path, change))
    assert _messages(report) == ["warning: Practices!M1: The column 'Notes' is not one docgen uses; it is ignored."]
    assert report.batch.practices[0].name == "Test Surgery"


def test_a_formula_never_calculated_is_an_error_naming_the_cell(tmp_path):
    def change(s):
        wb.put(s, "Practices", 2, "List size", wb.Formula("=4000+1000"))

    report = check_workbook(wb.make(tmp_path, change))
    assert _messages(report) == [
        "error: Practices!L2 (List size): This cell holds a formula that was never calculated, so it has no value "
        "to read. Open the workbook in Excel and save it (Excel calculates formulas when it saves), or type the value."
    ]


def _patch_sheet_xml(path, member, old: str, new: str) -> None:
    """Rewrite one part of a saved workbook, as Excel would have saved it."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    assert old.encode() in parts[member]
    parts[member] = parts[member].replace(old.encode(), new.encode())
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_a_formula_excel_has_calculated_gives_its_value(tmp_path):
    path = wb.make(tmp_path)
    _patch_sheet_xml(
        path, "xl/worksheets/sheet3.xml", '<c r="L2" t="n"><v>5000</v></c>', '<c r="L2"><f>4000+1000</f><v>5000</v></c>'
    )
    report = check_workbook(path)
    assert report.problems == []
    assert report.batch.practices[0].list_size == 5000


def test_a_formula_giving_an_excel_error_is_reported(tmp_path):
    path = wb.make(tmp_path)
    _patch_sheet_xml(
        path,
        "xl/worksheets/sheet3.xml",
        '<c r="L2" t="n"><v>5000</v></c>',
        '<c r="L2" t="e"><f>A1/0</f><v>#DIV/0!</v></c>',
    )
    assert _messages(check_workbook(path)) == [
        "error: Practices!L2 (List size): The formula in this cell gives #DIV/0!. Fix the formula, or type the value."
    ]


def test_values_are_data_never_code(tmp_path):
    def change(s):
        wb.put(s, "Practices", 2, "Practice name", "{{ 7*7 }} Surgery")
        wb.put(s, "Migrations", 2, "Reason for change", '=HYPERLINK("http://example.com","click")')

    report = check_workbook(wb.make(tmp_path, change))
    assert report.problems == []
    assert report.batch.practices[0].name == "{{ 7*7 }} Surgery"
    assert report.batch.migrations[0].reason == '=HYPERLINK("http://example.com","click")'


def test_read_workbook_tags_rows_with_sheet_and_excel_row(tmp_path):
    raw = read_workbook(wb.make(tmp_path))
    table = raw.tables["Migrations"]
    assert table.header_row == 1
    assert table.letter("go_live") == "L"
    assert [(r.sheet, r.row, r.values["migration_id"]) for r in table.rows] == [("Migrations", 2, "MIG-001")]


def test_a_workbook_with_only_a_default_sheet_lists_what_it_found(tmp_path):
    path = tmp_path / "migrations.xlsx"
    Workbook().save(path)
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert "Found: Sheet." in str(err.value)


def test_the_garbage_collector_is_paused_while_reading_and_resumed_as_it_was():
    assert gc.isenabled()
    with reader.gc_paused():
        assert not gc.isenabled()
        with reader.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), reader.gc_paused():
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with reader.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- a bug in docgen is not blamed on the file ----------------------------------------------


def _broken(error: type[Exception]):
    def raise_(*args, **kwargs):
        raise error("a bug in docgen")

    return raise_


@pytest.mark.parametrize(
    "module, name, error",
    [
        (reader, "read_parts", AttributeError),
        (reader, "read_table", TypeError),
        (reader, "parse_sheet", KeyError),
        (sheet_xml, "parse_sheet_fast", IndexError),
    ],
)
def test_a_bug_while_reading_is_raised_as_itself_not_as_a_damaged_workbook(tmp_path, monkeypatch, module, name, error):
    path = wb.make(tmp_path)
    monkeypatch.setattr(module, name, _broken(error))
    with pytest.raises(error, match="a bug in docgen"):
        read_workbook(path)


def test_reading_needs_nothing_of_openpyxls_workbook_loader(tmp_path, monkeypatch):
    # openpyxl's loaded workbook keeps the sheet paths, shared strings and date styles in
    # private attributes that a release may drop; docgen reads those parts itself.
    path = wb.make(tmp_path)
    monkeypatch.setattr(ExcelReader, "read", _broken(AttributeError))
    report = check_workbook(path)
    assert report.problems == []
    assert report.batch.practices[0].name == "Test Surgery"
