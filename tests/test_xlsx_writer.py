"""The minimal xlsx writer (docgen.formats.xlsx_writer), read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from docgen.formats.xlsx_writer import Style, Workbook
from docgen.formats.xlsx_xml import xml_text


def _save(wb: Workbook, tmp_path):
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_text_is_cleaned_but_kept_as_typed(tmp_path):
    wb = Workbook()
    ws = wb.add_sheet("Text")
    texts = ["a<b>&c\"'", "  leading and trailing  ", "line\nbreak", "carriage\rreturn", "_x0041_", "tab\there"]
    ws.append(texts)
    ws.append(["bell\x07 and \x00null\ufffe"])  # XML 1.0 cannot carry these: removed, not fatal
    ws.append(["x" * 40000])
    got = load_workbook(_save(wb, tmp_path))["Text"]
    assert [c.value for c in got[1]] == texts
    assert got["A2"].value == "bell and null"
    assert len(got["A3"].value) == 32767  # Excel's limit for one cell


def test_shared_strings_count_uses_and_unique_texts(tmp_path):
    wb = Workbook()
    style = wb.add_style(Style(bold=True))
    wb.add_sheet("One").append(["Red", ("Red", style), "Green", 1, None])
    wb.add_sheet("Two").append(["Green", ("Red", style)])
    with zipfile.ZipFile(_save(wb, tmp_path)) as zf:
        sst = ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
    assert (sst.get("count"), sst.get("uniqueCount")) == ("5", "2")


def test_xml_text_escapes():
    assert xml_text("<&>") == "&lt;&amp;&gt;"
    assert xml_text("_x000D_") == "_x005F_x000D_"  # Excel would otherwise read a carriage return
    assert xml_text("a\rb") == "a&#13;b"


def test_values_styles_and_sheet_setup(tmp_path):
    wb = Workbook()
    date = wb.add_style(Style(number_format="dd/mm/yyyy", italic=True, color="595959"))
    red = wb.add_style(Style(bold=True, color="FFFFFF", fill="DA291C", horizontal="center", rotation=90))
    assert wb.add_style(Style(bold=True, color="FFFFFF", fill="DA291C", horizontal="center", rotation=90)) == red
    ws = wb.add_sheet("It's here", [13, 3.6], freeze="B2", autofilter="A1:B3", print_title_rows="1:2",
                      print_title_cols="A:A", landscape=True, fit_to_width=True)  # fmt: skip
    ws.append([("Red", red), (None, red), None, 14.5], height=30)
    ws.append([(dt.date(2026, 9, 15), date), 7, True])
    got = load_workbook(_save(wb, tmp_path))["It's here"]
    assert got["A1"].font.b and got["A1"].fill.fgColor.rgb.endswith("DA291C")
    assert got["A1"].alignment.text_rotation == 90
    assert got["B1"].fill.fgColor.rgb.endswith("DA291C") and got["B1"].value is None
    assert got["D1"].value == 14.5
    assert got["A2"].value.date() == dt.date(2026, 9, 15) and got["A2"].number_format == "dd/mm/yyyy"
    assert got["A2"].font.i is True
    assert (got["B2"].value, got["C2"].value) == (7, True)
    assert got.row_dimensions[1].height == 30
    assert got.column_dimensions["A"].width == 13
    assert got.freeze_panes == "B2"
    assert got.auto_filter.ref == "A1:B3"
    assert (got.print_title_rows, got.print_title_cols) == ("$1:$2", "$A:$A")
    assert got.page_setup.orientation == "landscape" and got.page_setup.fitToWidth == 1


def test_every_part_is_well_formed_xml(tmp_path):
    wb = Workbook()
    wb.add_sheet("Empty")
    wb.add_sheet("A & B").append(["x"])
    with zipfile.ZipFile(_save(wb, tmp_path)) as zf:
        for name in zf.namelist():
            ElementTree.fromstring(zf.read(name))
    assert load_workbook(tmp_path / "book.xlsx").sheetnames == ["Empty", "A & B"]


def test_a_datetime_is_refused_rather_than_truncated():
    ws = Workbook().add_sheet("S")
    with pytest.raises(TypeError, match="datetime"):
        ws.append([dt.datetime(2026, 1, 1, 12, 30)])  # noqa: DTZ001
