"""Reading the admin's workbook: awkward files and awkward sheets."""

from __future__ import annotations

import datetime as dt
import gc
import time
import zipfile

import pytest
import wb
from docx import Document
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900

from docgen.errors import WorkbookError
from docgen.workbook import reader as workbook
from docgen.workbook.reader import clean, read_workbook
from docgen.workbook.validate import check_workbook


def _messages(report) -> list[str]:
    return [f"{p.severity}: {p}" for p in report.problems]


# --- files that are not workbooks ------------------------------------------------


def test_a_folder_is_refused_with_its_path(tmp_path):
    with pytest.raises(WorkbookError) as err:
        read_workbook(tmp_path)
    assert str(err.value) == f"{tmp_path}: is a folder, not a workbook. Give the path of the .xlsx file itself."


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "migrations.xlsx"
    path.write_bytes(b"")
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: is empty (0 bytes). It may not have finished copying or saving: save it again from Excel."
    )


def test_a_csv_named_xlsx_is_refused_with_how_to_save_it(tmp_path):
    path = tmp_path / "migrations.xlsx"
    path.write_text("ODS code,Practice name\nY90001,Riverside Medical Centre\n", encoding="utf-8")
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: is a CSV (plain text) file, not an Excel workbook. Open it in Excel and use File > Save As > "
        "Excel Workbook (.xlsx), then run again."
    )


def test_a_word_document_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "migrations.xlsx"
    doc = Document()
    doc.add_paragraph("Not a workbook")
    doc.save(path)
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == f"{path}: is a Word document, not an Excel workbook. Give the path of the .xlsx workbook."


def _ole_file(path, stream_names=()):
    """An OLE compound file header and a directory sector naming ``stream_names``."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\x00") for name in ("Root Entry", *stream_names))
    path.write_bytes(header + directory.ljust(512, b"\x00"))
    return path


def test_an_old_xls_file_is_refused_with_how_to_convert_it(tmp_path):
    path = _ole_file(tmp_path / "migrations.xlsx", ("Workbook",))
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert "is an old-style Excel 97-2003 (.xls) or other Office file, not an .xlsx workbook." in str(err.value)
    assert "File > Save As > Excel Workbook (.xlsx)" in str(err.value)


def test_a_password_protected_workbook_is_refused_with_how_to_remove_the_password(tmp_path):
    # Excel stores an encrypted .xlsx as an OLE file with these two streams.
    path = _ole_file(tmp_path / "migrations.xlsx", ("EncryptionInfo", "EncryptedPackage"))
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value).startswith(f"{path}: is password-protected, so docgen cannot read it.")
    assert "remove the password" in str(err.value)


def test_a_truncated_workbook_is_refused(tmp_path):
    good = wb.make(tmp_path, name="good.xlsx")
    path = tmp_path / "migrations.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: is damaged or incomplete (it may have been cut short while copying or downloading). "
        "Copy it again or save it again from Excel, then run again."
    )


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "migrations.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == f"{path}: is a zip archive, not an Excel workbook. Give the path of the .xlsx workbook."


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


# --- the fast sheet reader gives what expat gives ------------------------------------

_SHARED = ["shared zero", "shared one"]
_DATE_STYLES = {1}
_EPOCH = CALENDAR_WINDOWS_1900
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _sheet(rows: str, after: str = "", head: str = _DECLARATION) -> bytes:
    """A worksheet part holding ``rows`` and, after the rows, ``after``."""
    return (head + f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:D4"/><sheetData>' + rows).encode() + (
        "</sheetData>" + after + "</worksheet>"
    ).encode()


def _row(number: int, *cells: str, attrs: str = "") -> str:
    return f'<row r="{number}"{attrs}>' + "".join(cells) + "</row>"


def _inline(ref: str, text: str, attrs: str = "") -> str:
    return f'<c r="{ref}"{attrs} t="inlineStr"><is><t>' + text + "</t></is></c>"


# Sheets in the plain form (the fast reader takes them): every kind of cell value, empty
# cells, references and line ends in text, row attributes, repeated rows, merges.
_PLAIN = {
    "inline strings": _sheet(_row(1, _inline("A1", "ODS code", ' s="6"'), _inline("B1", "Name"))),
    "every cell type": _sheet(
        _row(
            2,
            '<c r="A2" t="s"><v>1</v></c><c r="B2" t="n"><v>12</v></c><c r="C2"><v>1.5</v></c>',
            '<c r="D2" s="1"><v>46203</v></c><c r="E2" s="1" t="n"><v>46203.5</v></c><c r="F2" t="b"><v>1</v></c>',
            '<c r="G2" t="e"><v>#N/A</v></c><c r="H2" t="str"><v>text</v></c>',
            '<c r="I2" t="d"><v>2026-06-15T00:00:00</v></c><c r="J2"><v>1E3</v></c><c r="K2" s="1"><v>1e400</v></c>',
            attrs=' spans="1:11" x14ac:dyDescent="0.25"',
        )
    ),
    "empty cells": _sheet(
        _row(3, '<c r="A3" s="1"/><c r="B3"></c><c r="C3" t="n"><v></v></c><c r="D3" t="inlineStr"><v>v</v></c>')
        + _row(4, '<c r="A4" s="2"/><c r="B4" t="str"><v></v></c>')
        + '<row r="5"/>'
    ),
    "text with references and line ends": _sheet(
        _row(
            2,
            _inline("A2", "Smith &amp; Jones &lt;GP&gt; &quot;Q&quot; &apos;s"),
            _inline("B2", "one\r\ntwo\rthree\nfour\tfive"),
            _inline("C2", "&#13;&#10;&#x41;&#163;&#x1F600; &#0065;"),
            '<c r="D2" t="inlineStr"><is><t xml:space="preserve">  padded  </t></is></c>',
            _inline("E2", "caf\u00e9 \u00a3 \u2019 \u200b_x000D_ ]] > ]"),
        )
    ),
    "rows repeated and out of order": _sheet(
        _row(7, _inline("A7", "x")) + _row(3, _inline("A3", "y")) + _row(3, _inline("B3", "z"))
    ),
    "merges": _sheet(
        _row(2, _inline("A2", "x")),
        '<mergeCells count="3"><mergeCell ref="A2:A4"/><mergeCell ref="B2"/><mergeCell ref="C1:D1"/></mergeCells>',
    ),
    "no rows": _sheet("", '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'),
    "no declaration": _sheet(_row(1, _inline("A1", "x")), head=""),
    "a byte order mark": _sheet(_row(1, _inline("A1", "x")), head="\ufeff" + _DECLARATION),
}

# Sheets the fast reader leaves to expat, read the same all the same.
_NOT_PLAIN = {
    "formulas": _sheet(
        _row(
            2,
            '<c r="A2"><f>1+1</f><v>2</v></c><c r="B2"><f>1+1</f></c><c r="C2" t="str"><f>""</f><v></v></c>',
            '<c r="D2"><f t="shared" ref="D2:D3" si="0">A2</f><v>2</v></c><c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        )
    ),
    "rich text and phonetic guides": _sheet(
        _row(
            2,
            '<c r="A2" t="inlineStr"><is><r><rPr><b/></rPr><t>bold</t></r><r><t> plain</t></r></is></c>',
            '<c r="B2" t="inlineStr"><is><t>kanji</t><rPh sb="0" eb="1"><t>kana</t></rPh></is></c>',
        )
    ),
    "empty value elements": _sheet(_row(2, '<c r="A2" t="s"><v/></c><c r="B2" t="inlineStr"><is><t/></is></c>')),
    "attributes in another order": _sheet(_row(2, '<c t="s" r="A2"><v>0</v></c>')),
    "spaces between tags": _sheet('\n  <row r="2">\n    <c r="A2" t="s">\n      <v>0</v>\n    </c>\n  </row>\n'),
    "rows and cells without references": _sheet(
        '<row><c t="s"><v>0</v></c><c><v>3</v></c></row><row><c><v>4</v></c></row>'
    ),
    "a namespace prefix": (
        f'<x:worksheet xmlns:x="{_MAIN}"><x:sheetData><x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c></x:row>'
        '</x:sheetData><x:mergeCells><x:mergeCell ref="A2:A3"/></x:mergeCells></x:worksheet>'
    ).encode(),
    "comments, CDATA and processing instructions": _sheet(
        _row(2, '<!-- a note --><c r="A2" t="inlineStr"><is><t><![CDATA[a < b]]></t></is></c><?pi x?>'),
        '<!-- <mergeCell ref="A1:A9"/> -->',
    ),
    "another encoding": _sheet(
        _row(2, _inline("A2", "caf\u00e9")), head='<?xml version="1.0" encoding="ISO-8859-1"?>'
    ).replace("caf\u00e9".encode(), "caf\u00e9".encode("latin-1")),
    "a DTD with an entity and a default attribute": (
        '<!DOCTYPE worksheet [<!ENTITY me "Ann"><!ATTLIST c t CDATA "inlineStr">]>'
        f'<worksheet xmlns="{_MAIN}"><sheetData><row r="2"><c r="A2"><is><t>&me;</t></is></c></row></sheetData>'
        "</worksheet>"
    ).encode(),
    "a merge written long-hand": _sheet(
        _row(2, _inline("A2", "x")), '<mergeCells><mergeCell ref="A2:A3"></mergeCell></mergeCells>'
    ),
}

# Sheets expat refuses: the workbook is reported as damaged, whichever reader looked first.
_MALFORMED = {
    "an undefined entity": _sheet(_row(2, _inline("A2", "&nbsp;"))),
    "a control character": _sheet(_row(2, _inline("A2", "bell\x07"))),
    "a reference to a character XML forbids": _sheet(_row(2, _inline("A2", "&#0;"))),
    "U+FFFE": _sheet(_row(2, _inline("A2", "\ufffe"))),
    "]]> in text": _sheet(_row(2, _inline("A2", "a]]>b"))),
    "an attribute given twice": _sheet(_row(2, _inline("A2", "x"), attrs=' ht="15" ht="16"')),
    "bytes that are not UTF-8": _sheet(_row(2, _inline("A2", "x"))).replace(b">x<", b">\xc3(<"),
    "unclosed tags": _sheet(_row(2, _inline("A2", "x"))).replace(b"</row>", b""),
    "a bad tag after the rows": _sheet(_row(2, _inline("A2", "x")), "<pageMargins left=1/>"),
}


def _outcome(read, xml: bytes):
    try:
        return "read", repr(read(xml, _SHARED, _DATE_STYLES, _EPOCH))
    except Exception as err:  # the same error, whichever reader raised it
        return "error", type(err).__name__, str(err)


@pytest.mark.parametrize("name", [*_PLAIN, *_NOT_PLAIN, *_MALFORMED])
def test_the_fast_sheet_reader_gives_what_expat_gives(name):
    xml = {**_PLAIN, **_NOT_PLAIN, **_MALFORMED}[name]
    assert _outcome(workbook._parse_sheet, xml) == _outcome(workbook._parse_sheet_expat, xml)
    taken = workbook._parse_sheet_fast(xml, _SHARED, _DATE_STYLES, _EPOCH) is not None
    assert taken == (name in _PLAIN)


def test_the_sheets_expat_refuses_are_reported_as_damaged():
    for xml in _MALFORMED.values():
        assert _outcome(workbook._parse_sheet, xml)[:2] == ("error", "ExpatError")


@pytest.mark.parametrize(
    "cell", ['<c r="A2"><v>abc</v></c>', '<c r="A2" t="s"><v>7</v></c>', '<c r="A2" t="d"><v>x</v></c>']
)
def test_a_plain_sheet_with_a_bad_value_raises_what_expat_raises(cell):
    xml = _sheet(_row(2, cell))
    assert _outcome(workbook._parse_sheet, xml)[0] == "error"
    assert _outcome(workbook._parse_sheet, xml) == _outcome(workbook._parse_sheet_expat, xml)


def test_a_whole_workbook_reads_the_same_by_either_reader(tmp_path, monkeypatch):
    def change(s):
        wb.put(s, "ICBs", 2, "Postal address", "1 Test Street\nTestown & Co\nTS1 1AA")
        wb.put(s, "Practices", 2, "List size", wb.Formula("=4000+1000"))
        s["Migrations"].append(list(s["Migrations"][1]))
        wb.put(s, "Migrations", 3, "Order date", "31/02/2026")

    path = wb.make(tmp_path, change, merges={"Costs": ["A3:A4"]})
    fast = read_workbook(path)
    monkeypatch.setattr(workbook, "_parse_sheet_fast", lambda *args: None)
    slow = read_workbook(path)
    assert repr(fast.tables) == repr(slow.tables)
    assert fast.problems == slow.problems


def test_the_garbage_collector_is_paused_while_reading_and_resumed_as_it_was():
    assert gc.isenabled()
    with workbook.gc_paused():
        assert not gc.isenabled()
        with workbook.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), workbook.gc_paused():
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with workbook.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
