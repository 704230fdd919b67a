"""The XML text of an xlsx package (:mod:`docgen.formats.xlsx_writer`): escaping cell
text and attributes so Excel shows them as typed, cell references, and the parts that
are the same in every workbook docgen writes (with a fixed date, so the same input gives
the same bytes)."""

from __future__ import annotations

import re

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads "_x0041_" in a string as "A"; it writes a literal one with its "_" escaped.
_EXCEL_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def escape(text: str) -> str:
    """``text`` safe inside XML: illegal characters removed, ``&<>`` escaped, carriage
    returns kept (a bare one would be read back as a newline)."""
    text = _ILLEGAL_XML.sub("", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text


def xml_text(text: str) -> str:
    """A cell's text made safe for its ``<t>`` element, so Excel shows it exactly as typed."""
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub("_x005F_", text)
    return escape(text)


def xml_attr(text: str) -> str:
    """``text`` made safe for a double-quoted XML attribute value."""
    return escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def split_ref(ref: str) -> tuple[int, int]:
    """``"E2"`` -> (5, 2): a cell reference's 1-based column and row."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if not m:
        raise ValueError(f"Not a cell reference: {ref!r}")
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return col, int(m[2])


def absolute_range(ref: str) -> str:
    """``"A1:Q4"`` -> ``"$A$1:$Q$4"``, as defined names want it."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


def span(rows_or_columns: str) -> str:
    """``"1:3"`` -> ``"$1:$3"``, ``"A:D"`` -> ``"$A:$D"``."""
    return ":".join("$" + part.lstrip("$") for part in rows_or_columns.split(":"))


#: docProps/core.xml's dates: the zip epoch (see ``xlsx_writer.FIXED_TIME``).
FIXED_W3CDTF = "1980-01-01T00:00:00Z"

ROOT_RELS = (
    f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)  # fmt: skip
APP = (
    f'{XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>docgen</Application></Properties>"
)
CORE = (
    f'{XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:creator>docgen</dc:creator>"
    f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_W3CDTF}</dcterms:created>'
    f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_W3CDTF}</dcterms:modified>'
    "</cp:coreProperties>"
)
