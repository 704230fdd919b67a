"""Workbooks rebuilt part by part: what Excel's own files never hold (a sheet that unpacks
to a gigabyte, a zip bomb; a part that says it is smaller than it is), and a workbook as
Excel saves it as "Strict Open XML Spreadsheet".

The zip is written by hand so that a part's packed bytes can be given as they are: a
gigabyte of rows is packed once as a 1 MB block and the block repeated, which takes a
fraction of a second where packing the gigabyte would take several.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

from openpyxl.utils.datetime import from_excel

from docgen.workbook.parts import styles_showing_dates

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: One empty row, as Excel writes for a row that has only a format.
EMPTY_ROW = b'<row r="2" s="1" customFormat="1"/>'


class Packed:
    """A part's bytes already deflated, with the size and CRC-32 of what they unpack to."""

    def __init__(self, deflated: bytes, size: int, crc: int):
        self.deflated, self.size, self.crc = deflated, size, crc


def _block(data: bytes) -> bytes:
    """``data`` deflated as a block that ends the compressor's state, so that such blocks
    may be repeated and joined."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)


def pack(data: bytes) -> Packed:
    """``data`` deflated as one part."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Packed(packer.compress(data) + packer.flush(), len(data), zlib.crc32(data))


def empty_rows_sheet(size: int) -> Packed:
    """A well-formed sheet of about ``size`` bytes of empty formatted rows, packed about
    300 times smaller: what a zip bomb's sheet looks like."""
    head = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    chunk = EMPTY_ROW * ((1 << 20) // len(EMPTY_ROW))
    repeats = max(1, round((size - len(head) - len(tail)) / len(chunk)))
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    deflated = _block(head) + _block(chunk) * repeats + pack(tail).deflated
    return Packed(deflated, len(head) + len(chunk) * repeats + len(tail), crc)


def rebuild(src: Path, out: Path, replace: dict[str, Packed], declare: dict[str, int] | None = None) -> Path:
    """Write ``src``'s parts to ``out`` with each part of ``replace`` swapped in, and each
    part of ``declare`` saying it unpacks to that many bytes, whatever it holds."""
    with zipfile.ZipFile(src) as zf:
        parts = {info.filename: replace.get(info.filename) or pack(zf.read(info)) for info in zf.infolist()}
    local, central = bytearray(), bytearray()
    for name, part in parts.items():
        raw = name.encode()
        size = (declare or {}).get(name, part.size)
        fields = (20, 0, 8, 0, 0x21, part.crc, len(part.deflated), size, len(raw))
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, len(local)) + raw
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + raw + part.deflated
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), len(local), 0)
    out.write_bytes(bytes(local + central + end))
    return out


#: The namespaces Excel's "Strict Open XML Spreadsheet" writes in place of the usual ones.
STRICT_NAMESPACES = {
    MAIN: "http://purl.oclc.org/ooxml/spreadsheetml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
        "http://purl.oclc.org/ooxml/officeDocument/relationships"
    ),
    "http://schemas.openxmlformats.org/drawingml/2006/main": "http://purl.oclc.org/ooxml/drawingml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties": (
        "http://purl.oclc.org/ooxml/officeDocument/extendedProperties"
    ),
    "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes": (
        "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes"
    ),
}
_DATE_CELL = re.compile(r'<c r="([A-Z]+\d+)" s="(\d+)"(?: t="n")?><v>(\d+(?:\.\d+)?)</v></c>')


def strict_copy(src: Path, out: Path) -> Path:
    """``src`` as Excel saves it as "Strict Open XML Spreadsheet": every part in the Strict
    namespaces (relationship types too), the workbook marked ``conformance="strict"``, and
    dates written as ISO 8601 text (``t="d"``) rather than as numbers in a date style."""
    with zipfile.ZipFile(src) as zf:
        texts = {info.filename: zf.read(info).decode() for info in zf.infolist()}
    date_styles = styles_showing_dates(texts["xl/styles.xml"].encode())

    def iso(m: re.Match) -> str:
        if int(m.group(2)) not in date_styles:
            return m.group(0)
        when = from_excel(float(m.group(3)))
        return f'<c r="{m.group(1)}" s="{m.group(2)}" t="d"><v>{when:%Y-%m-%dT%H:%M:%S}</v></c>'

    for name, text in texts.items():
        for usual, strict in STRICT_NAMESPACES.items():
            text = text.replace(usual, strict)
        if name == "xl/workbook.xml":
            text = text.replace("<workbook ", '<workbook conformance="strict" ', 1)
        if name.startswith("xl/worksheets/"):
            text = _DATE_CELL.sub(iso, text)
        texts[name] = text
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in texts.items():
            zf.writestr(name, text)
    return out
