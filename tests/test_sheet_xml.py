"""Reading a sheet's XML: the fast reader gives what expat gives, for every form of sheet."""

from __future__ import annotations

import pytest
import wb
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900

from docgen.workbook import sheet_fast, sheet_xml
from docgen.workbook.reader import read_workbook

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
    assert _outcome(sheet_xml.parse_sheet, xml) == _outcome(sheet_xml.parse_sheet_expat, xml)
    taken = sheet_fast.parse_sheet_fast(xml, _SHARED, _DATE_STYLES, _EPOCH) is not None
    assert taken == (name in _PLAIN)


def test_the_sheets_expat_refuses_are_reported_as_damaged():
    for xml in _MALFORMED.values():
        assert _outcome(sheet_xml.parse_sheet, xml)[:2] == ("error", "ExpatError")


@pytest.mark.parametrize(
    "cell", ['<c r="A2"><v>abc</v></c>', '<c r="A2" t="s"><v>7</v></c>', '<c r="A2" t="d"><v>x</v></c>']
)
def test_a_plain_sheet_with_a_bad_value_raises_what_expat_raises(cell):
    xml = _sheet(_row(2, cell))
    assert _outcome(sheet_xml.parse_sheet, xml)[0] == "error"
    assert _outcome(sheet_xml.parse_sheet, xml) == _outcome(sheet_xml.parse_sheet_expat, xml)


def test_a_whole_workbook_reads_the_same_by_either_reader(tmp_path, monkeypatch):
    def change(s):
        wb.put(s, "ICBs", 2, "Postal address", "1 Test Street\nTestown & Co\nTS1 1AA")
        wb.put(s, "Practices", 2, "List size", wb.Formula("=4000+1000"))
        s["Migrations"].append(list(s["Migrations"][1]))
        wb.put(s, "Migrations", 3, "Order date", "31/02/2026")

    path = wb.make(tmp_path, change, merges={"Costs": ["A3:A4"]})
    fast = read_workbook(path)
    monkeypatch.setattr(sheet_xml, "parse_sheet_fast", lambda *args: None)
    slow = read_workbook(path)
    assert repr(fast.tables) == repr(slow.tables)
    assert fast.problems == slow.problems
