"""The workbook's own parts, read from the zip: where each sheet is, shared strings, date
styles and the date system. Excel, LibreOffice and other tools lay these out differently
from openpyxl; each test builds such a layout from the base workbook."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from html import escape

import pytest
import wb
import zip_parts
from openpyxl import load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from docgen.errors import WorkbookError
from docgen.workbook.annotate import write_annotated
from docgen.workbook.parts import is_strict, read_parts, shared_strings, styles_showing_dates
from docgen.workbook.reader import read_workbook
from docgen.workbook.validate import check_workbook

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "xl/_rels/workbook.xml.rels"
_SHARED_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_SHARED_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _rewrite(path, change) -> None:
    """Let ``change(parts)`` edit the saved workbook's parts (name -> text), then save it again."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name).decode() for name in zf.namelist()}
    change(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)


def _move(parts: dict, old: str, new: str, target: str) -> None:
    """Move a sheet part from ``old`` to ``new``, its relationship pointing at it as ``target``."""
    parts[new] = parts.pop(old)
    parts[_RELS] = parts[_RELS].replace(f'Target="/{old}"', f'Target="{target}"')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(f'"/{old}"', f'"/{new}"')


# --- where the sheets are ------------------------------------------------------------------


def test_sheets_are_found_through_the_relationships_whatever_their_part_names(tmp_path):
    path = wb.make(tmp_path)

    def change(parts):
        # Practices and Migrations swap parts; Costs moves to another folder, named relatively.
        parts["xl/worksheets/tmp.xml"] = parts.pop("xl/worksheets/sheet3.xml")
        parts["xl/worksheets/sheet3.xml"] = parts.pop("xl/worksheets/sheet4.xml")
        parts["xl/worksheets/sheet4.xml"] = parts.pop("xl/worksheets/tmp.xml")
        rels = parts[_RELS].replace('Target="/xl/worksheets/sheet3.xml"', 'Target="/xl/worksheets/tmp.xml"')
        rels = rels.replace('Target="/xl/worksheets/sheet4.xml"', 'Target="/xl/worksheets/sheet3.xml"')
        parts[_RELS] = rels.replace('Target="/xl/worksheets/tmp.xml"', 'Target="/xl/worksheets/sheet4.xml"')
        _move(parts, "xl/worksheets/sheet7.xml", "xl/tabs/cost-lines.xml", "tabs/cost-lines.xml")

    _rewrite(path, change)
    assert load_workbook(path, read_only=True).sheetnames == list(wb.BASE)  # a file Excel tools open
    report = check_workbook(path)
    assert report.problems == []
    assert report.batch.practices[0].name == "Test Surgery"
    assert report.batch.migrations[0].go_live == dt.date(2027, 5, 11)
    assert report.batch.costs[0].amount == 1250.5


def test_a_chart_sheet_among_the_sheets_is_listed_and_read_as_empty(tmp_path):
    path = wb.make(tmp_path)
    book = load_workbook(path)
    book.create_chartsheet("Chart", 1)
    book.save(path)
    raw = read_workbook(path)
    assert raw.sheet_titles == ["Settings", "Chart", *list(wb.BASE)[1:]]
    assert raw.problems == []


def test_a_workbook_using_the_1904_date_system_gives_the_same_dates(tmp_path):
    path = wb.make(tmp_path)
    book = load_workbook(path)
    book.epoch = CALENDAR_MAC_1904  # openpyxl then writes every date counted from 1904
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        assert b'date1904="1"' in zf.read("xl/workbook.xml")
        assert read_parts(zf).epoch == CALENDAR_MAC_1904
    report = check_workbook(path)
    assert report.problems == []
    assert report.batch.migrations[0].go_live == dt.date(2027, 5, 11)
    assert report.batch.blackouts[0].start == dt.date(2027, 3, 1)


# --- which styles are dates ----------------------------------------------------------------


def _styles(num_fmts: dict[int, str], xf_formats: list[int]) -> bytes:
    formats = "".join(f'<numFmt numFmtId="{i}" formatCode="{escape(code)}"/>' for i, code in num_fmts.items())
    xfs = "".join(f'<xf numFmtId="{i}" fontId="0"/>' for i in xf_formats)
    return (
        f'<styleSheet xmlns="{_MAIN}"><numFmts count="{len(num_fmts)}">{formats}</numFmts>'
        f'<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="{len(xf_formats)}">{xfs}</cellXfs>'
        "</styleSheet>"
    ).encode()


def test_built_in_date_formats_14_to_22_and_45_to_47_are_dates_and_numbers_are_not():
    formats = [0, 1, 2, 9, 10, 11, 49, *range(14, 23), 45, 46, 47]
    dates = styles_showing_dates(_styles({}, formats))
    assert {formats[i] for i in dates} == {*range(14, 23), 45, 46, 47}


def test_custom_number_formats_are_dates_when_they_show_a_date_or_a_time():
    custom = {
        164: "dd/mm/yyyy",
        165: "0.00",
        166: "[$-809]dd mmmm yyyy;@",
        167: '"Week "0',  # quoted text is not a date, though it holds an e and a k
        168: "#,##0.00 [$£-809]",
        169: "hh:mm",
        14: "0.0",  # a workbook may redefine a built-in id; its own format wins
    }
    dates = styles_showing_dates(_styles(custom, [0, 164, 165, 166, 167, 168, 169, 14]))
    assert dates == {1, 3, 6}


def test_cells_in_built_in_and_custom_date_styles_are_read_as_dates(tmp_path):
    path = wb.make(tmp_path)
    book = load_workbook(path)
    ws = book["Migrations"]
    ws[f"{wb.letter('Migrations', 'Provisional go-live date')}2"].number_format = "mm-dd-yy"  # built-in 14
    ws[f"{wb.letter('Migrations', 'Order date')}2"].number_format = "d-mmm-yy"  # built-in 15
    book["Blackouts"]["A2"].number_format = "[$-809]dddd d mmmm yyyy"  # custom
    book["Practices"][f"{wb.letter('Practices', 'List size')}2"].number_format = "#,##0.00"  # built-in 4
    book.save(path)
    report = check_workbook(path)
    assert report.problems == []
    assert (report.batch.migrations[0].order_date, report.batch.migrations[0].go_live) == (
        dt.date(2027, 2, 1),
        dt.date(2027, 5, 11),
    )
    assert report.batch.blackouts[0].start == dt.date(2027, 3, 1)
    assert report.batch.practices[0].list_size == 5000


# --- shared strings --------------------------------------------------------------------------


def test_shared_strings_join_rich_text_runs_and_leave_out_phonetic_guides():
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="6" uniqueCount="6">'
        "<si><t>Plain</t></si>"
        '<si><r><rPr><b/><sz val="11"/></rPr><t>Test</t></r><r><t xml:space="preserve"> Surgery</t></r></si>'
        '<si><t>Kanji</t><rPh sb="0" eb="1"><t>kana</t></rPh><phoneticPr fontId="1"/></si>'
        '<si><t xml:space="preserve">  padded  </t></si>'
        "<si><t/></si>"
        "<si><t>Smith &amp; Jones_x005F_x000D_</t></si>"
        "</sst>"
    ).encode()
    assert shared_strings(xml) == ["Plain", "Test Surgery", "Kanji", "  padded  ", "", "Smith & Jones_x000D_"]


def test_shared_strings_with_entity_declarations_are_refused():
    xml = f'<!DOCTYPE sst [<!ENTITY a "aaaa">]><sst xmlns="{_MAIN}"><si><t>&a;</t></si></sst>'.encode()
    with pytest.raises(ValueError, match="EntitiesForbidden"):
        shared_strings(xml)


def _to_shared_strings(parts: dict, strings: dict[str, str]) -> None:
    """Store the Practices sheet's text cells ``strings`` (cell -> <si> body) as shared strings."""
    sheet = parts["xl/worksheets/sheet3.xml"]
    for index, ref in enumerate(strings):
        sheet, found = re.subn(
            f'<c r="{ref}" t="inlineStr"><is><t>[^<]*</t></is></c>', f'<c r="{ref}" t="s"><v>{index}</v></c>', sheet
        )
        assert found == 1
    parts["xl/worksheets/sheet3.xml"] = sheet
    items = "".join(f"<si>{body}</si>" for body in strings.values())
    parts["xl/strings.xml"] = f'<sst xmlns="{_MAIN}" count="{len(strings)}">{items}</sst>'
    parts[_RELS] = parts[_RELS].replace(
        "</Relationships>", f'<Relationship Type="{_SHARED_TYPE}" Target="strings.xml" Id="rId99"/></Relationships>'
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        "</Types>", f'<Override PartName="/xl/strings.xml" ContentType="{_SHARED_CONTENT}"/></Types>'
    )


def test_a_workbook_with_shared_rich_text_gives_the_text(tmp_path):
    path = wb.make(tmp_path)
    name = '<r><rPr><b/></rPr><t>Test</t></r><r><t xml:space="preserve"> Surgery</t></r>'
    _rewrite(path, lambda parts: _to_shared_strings(parts, {"A2": "<t>Y90001</t>", "B2": name}))
    assert load_workbook(path, read_only=True)["Practices"]["B2"].value == "Test Surgery"
    report = check_workbook(path)
    assert report.problems == []
    assert (report.batch.practices[0].ods_code, report.batch.practices[0].name) == ("Y90001", "Test Surgery")


# --- damaged parts ------------------------------------------------------------------------------


def test_a_cell_pointing_past_the_shared_strings_is_reported_as_damaged(tmp_path):
    path = wb.make(tmp_path)

    def change(parts):
        _to_shared_strings(parts, {"B2": "<t>Test Surgery</t>"})
        parts["xl/worksheets/sheet3.xml"] = parts["xl/worksheets/sheet3.xml"].replace("<v>0</v>", "<v>7</v>")

    _rewrite(path, change)
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: is damaged and cannot be read (MissingSharedString: a cell uses shared string 7; the file has 1). "
        "Open it in Excel, save it again as Excel Workbook (.xlsx), and run again."
    )


def test_a_workbook_without_its_relationships_part_cannot_be_read(tmp_path):
    path = wb.make(tmp_path)
    _rewrite(path, lambda parts: parts.pop(_RELS))
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: cannot be read as an Excel workbook (DamagedPart: the part {_RELS} is missing). "
        "Open it in Excel, save it again as Excel Workbook (.xlsx), and run again."
    )


def test_a_sheet_that_is_not_well_formed_is_reported_as_damaged(tmp_path):
    path = wb.make(tmp_path)
    _rewrite(path, lambda parts: parts.update({"xl/worksheets/sheet3.xml": parts["xl/worksheets/sheet3.xml"][:-20]}))
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value).startswith(f"{path}: is damaged and cannot be read (ExpatError: ")


def test_the_parts_of_a_plain_workbook(tmp_path):
    with zipfile.ZipFile(wb.make(tmp_path)) as zf:
        parts = read_parts(zf)
    assert parts.epoch == CALENDAR_WINDOWS_1900
    assert [(s.title, s.state, s.member) for s in parts.sheets][:2] == [
        ("Settings", "visible", "xl/worksheets/sheet1.xml"),
        ("ICBs", "visible", "xl/worksheets/sheet2.xml"),
    ]


# --- Strict Open XML --------------------------------------------------------------------------


def test_a_strict_open_xml_workbook_is_read_as_the_same_workbook_saved_as_usual(tmp_path):
    # Excel's "Strict Open XML Spreadsheet": purl.oclc.org namespaces, ISO 8601 dates.
    usual = wb.make(tmp_path)
    strict = zip_parts.strict_copy(usual, tmp_path / "strict.xlsx")
    with zipfile.ZipFile(strict) as zf:
        assert is_strict(zf)
        assert 't="d"><v>2027-05-11T00:00:00</v>' in zf.read("xl/worksheets/sheet4.xml").decode()
    with zipfile.ZipFile(usual) as zf:
        assert not is_strict(zf)
    report = check_workbook(strict)
    assert report.problems == []
    assert dataclasses.replace(report.batch, source="") == dataclasses.replace(check_workbook(usual).batch, source="")


def test_a_strict_workbook_is_not_annotated_into_a_copy_without_its_sheets(tmp_path):
    # openpyxl sees no sheets in a Strict workbook: the marked copy used to hold the Problems sheet alone.
    strict = zip_parts.strict_copy(wb.make(tmp_path), tmp_path / "strict.xlsx")
    out = tmp_path / "marked.xlsx"
    with pytest.raises(WorkbookError) as err:
        write_annotated(strict, check_workbook(strict).problems, out)
    assert str(err.value) == (
        f"{strict}: is saved as Strict Open XML Spreadsheet: docgen reads and checks it, but cannot write a marked "
        "copy of it. For one, open it in Excel and use File > Save As > Excel Workbook (.xlsx), not Strict Open "
        "XML, then run again."
    )
    assert not out.exists()
