"""The fast sheet reader: a worksheet part in the plain form Excel, LibreOffice and openpyxl
write, read by regular expressions.

On a national (6,000-practice) sheet this takes several times less CPU than expat
callbacks. It reads only what it can prove well-formed and plain; for anything else it
returns None and :mod:`docgen.workbook.sheet_xml` reads the sheet with expat, which this
reader matches value for value (the tests hold the two side by side).
"""

from __future__ import annotations

import re
from xml.parsers import expat

from docgen.workbook.cells import cell_value, column_number
from docgen.workbook.limits import TooManyRows

# The plain form the fast reader accepts: rows (r first, then up to 16 other attributes, so
# that checking none is given twice stays cheap) of cells, each <c r=".." s=".." t="..">
# (those attributes in that order, s or t or both left out) that is empty, holds a <v>
# value or, typed inlineStr, an inline <is><t> string; no formulas, no rich text, no spaces
# between tags.
_PLAIN_CELL = (
    r"<c r=\"[A-Z]+\d+\"(?: s=\"\d+\")?"
    r"(?: t=\"inlineStr\"><is><t(?: xml:space=\"preserve\")?>[^<]*</t></is></c>"
    r"|(?: t=\"[A-Za-z]+\")?(?:><v>[^<]*</v></c>|/>|></c>))"
)
_PLAIN_ROW = r"<row r=\"\d+\"(?: [A-Za-z_:][A-Za-z0-9_.:-]*=\"[^\"<&]*\"){0,16}(?:/>|>(?:" + _PLAIN_CELL + r")*+</row>)"
_PLAIN_BODY = re.compile(r"(?:" + _PLAIN_ROW + r")*+")
_TWICE = re.compile(r"<row(?: [^ =>]+=\"[^\"]*\")*? ([^ =>]+)=\"[^\"]*\"(?: [^ =>]+=\"[^\"]*\")*? \1=")
# Within a body of that form: a row's number, or a cell holding text: its column letters, its
# s and t attributes as written, and the text. Empty cells do not match and are passed over.
_PLAIN_TOKEN = re.compile(r"<(?:row r=\"(\d+)\"|c r=\"([A-Z]+)\d+\"([^>]*)><(?:is><t[^>]*>|v>)([^<]*))")
_ATTRIBUTES = re.compile(r"(?: s=\"(\d+)\")?(?: t=\"([A-Za-z]+)\")?")
_MERGE = re.compile(r"<mergeCell ref=\"([^\"<&\t\n\r]*)\"/>")
_ANY_MERGE = re.compile(r"mergeCell\b")
_STRAY = re.compile(r"<(?:[^\s/>:]+:)?(?:row|c|mergeCell)[\s/>]")
_STRAY_AFTER = re.compile(r"<(?:[^\s/>:]+:)?(?:row|c)[\s/>]")
_XML_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([^\"']*)[\"']")
_NOT_XML_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r")  # control characters XML 1.0 forbids
_UNDEFINED_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
_CHARACTER_REFERENCE = re.compile(r"&#(?:x([0-9a-fA-F]+)|([0-9]+));")
_REFERENCE = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
#: Characters of rows tokenised at once: a 100 MB sheet's tokens, all at once, would take
#: gigabytes; a national sheet (4.7 MB) is read in five slices.
_SLICE = 1 << 20


def parse_sheet_fast(xml: bytes, shared: list, date_styles: set[int], epoch, max_rows: int | None = None):
    """:func:`~docgen.workbook.sheet_xml.parse_sheet` by regular expressions: several times
    less CPU than expat callbacks on a national (6,000-practice) sheet. Returns None, and
    the expat parse runs instead, for anything outside the plain form: a file expat rejects,
    another encoding, comments, CDATA, a DTD, namespace prefixes, formulas, rich text,
    attributes in another order."""
    parts = _plain_parts(xml)
    if parts is None:
        return None
    head, body, tail = parts
    if _STRAY.search(head) or _STRAY_AFTER.search(tail):
        return None
    merges = _MERGE.findall(tail)
    if len(merges) != len(_ANY_MERGE.findall(tail)):
        return None
    rows = _plain_rows(body, shared, date_styles, epoch, max_rows)
    if rows is None:
        return None
    return rows, [ref for ref in merges if ":" in ref]


def _plain_parts(xml: bytes) -> tuple[str, str, str] | None:
    """The sheet XML as text in three parts (before <sheetData>, its rows, after it) when
    it is well-formed, UTF-8 and free of what needs a real XML parser: a DTD, comments,
    CDATA, processing instructions.

    Well-formed is what expat would say, without the cost of expat reading every row:
    expat reads the sheet with its rows left out, and the rows must be in the plain form
    and of characters and references XML allows (:func:`_plain_rows` checks those)."""
    if xml.startswith(b"\xef\xbb\xbf"):
        xml = xml[3:]
    start = xml.find(b"<sheetData")
    if xml.startswith(b"<sheetData/>", start):
        body, end = b"", start + 12
    elif xml.startswith(b"<sheetData>", start) and (close := xml.find(b"</sheetData>", start)) != -1:
        body, end = xml[start + 11 : close], close + 12
    else:  # no sheetData, or one with attributes or a namespace prefix
        return None
    head, tail = xml[:start], xml[end:]
    if b"<!" in head or b"<!" in tail or head.find(b"<?", 1) != -1 or b"<?" in tail:
        return None
    try:
        expat.ParserCreate().Parse(head + b"<sheetData/>" + tail, True)
    except expat.ExpatError:
        return None
    if head.startswith(b"<?"):  # only the XML declaration, which expat has just checked
        declaration = head[: head.find(b"?>")]
        encoding = _XML_ENCODING.search(declaration)
        if not declaration.startswith(b"<?xml ") or (encoding and encoding.group(1).lower() != b"utf-8"):
            return None
    if not _xml_characters(body):
        return None
    try:
        return head.decode("utf-8"), body.decode("utf-8"), tail.decode("utf-8")
    except UnicodeDecodeError:  # expat too refuses what is not UTF-8
        return None


def _xml_characters(data: bytes) -> bool:
    """True when UTF-8 ``data`` holds no character XML 1.0 forbids (control characters other
    than tab and line ends, U+FFFE, U+FFFF) and no ']]>', which text may not hold. Decoding
    as UTF-8 refuses the rest (surrogates, code points past U+10FFFF), as expat does."""
    return (
        len(data.translate(None, _NOT_XML_BYTES)) == len(data)
        and (data.isascii() or (b"\xef\xbf\xbe" not in data and b"\xef\xbf\xbf" not in data))
        and b"]]>" not in data
    )


def _xml_references(text: str) -> bool:
    """True when every & in ``text`` starts a reference XML defines without a DTD (&amp;
    &lt; &gt; &quot; &apos;) or a character reference to a character XML allows."""
    if "&" not in text:
        return True
    if _UNDEFINED_REFERENCE.search(text):
        return False
    for hexadecimal, decimal in _CHARACTER_REFERENCE.findall(text):
        digits = hexadecimal or decimal
        if len(digits) > 10:  # past U+10FFFF, or padded with zeros: left to expat
            return False
        number = int(digits, 16 if hexadecimal else 10)
        if not (
            number in (9, 10, 13)
            or 0x20 <= number <= 0xD7FF
            or 0xE000 <= number <= 0xFFFD
            or 0x10000 <= number <= 0x10FFFF
        ):
            return False
    return True


def _plain_rows(
    body: str, shared: list, date_styles: set[int], epoch, max_rows: int | None = None
) -> list[tuple[int, dict]] | None:
    """The rows of the <sheetData> body, or None when it is not all in the plain form or
    not well-formed (a row with an attribute given twice, an undefined reference).

    The body is tokenised a slice of rows at a time (:data:`_SLICE` characters, cut where a
    row starts), so that the tokens of a big sheet never all exist at once, and reading
    stops with :class:`~docgen.workbook.limits.TooManyRows` once more than ``max_rows`` rows
    hold values."""
    if not _PLAIN_BODY.fullmatch(body) or _TWICE.search(body) or not _xml_references(body):
        return None
    escaped = "&" in body or "\r" in body
    typing = (shared, date_styles, epoch)
    rows: list[tuple[int, dict]] = []
    columns: dict[str, int] = {}
    types: dict[str, tuple[str, int]] = {}  # ' s="6" t="inlineStr"' -> ("inlineStr", 6)
    number = 0
    cells: dict[int, object] = {}
    start, length = 0, len(body)
    while start < length:
        # In the plain form "<row " starts a row and nothing else: text and attribute values hold no "<".
        end = body.find("<row ", start + _SLICE) if start + _SLICE < length else -1
        end = length if end == -1 else end
        for row_r, letters, attributes, text in _PLAIN_TOKEN.findall(body, start, end):
            if row_r:
                if cells:
                    rows.append((number, cells))
                number, cells = int(row_r), {}
                continue
            kind_style = types.get(attributes)
            if kind_style is None:
                match = _ATTRIBUTES.fullmatch(attributes)
                assert match is not None, "_PLAIN_BODY admits only s= and t="
                style, kind = match.groups()
                kind_style = types[attributes] = (kind or "n", int(style or 0))
            kind, style = kind_style
            if escaped and ("&" in text or "\r" in text):
                text = _unescape(text)
            # An inline string is its text (what cell_value gives, without the call).
            value = text if kind == "inlineStr" else cell_value(kind, text, False, style, None, *typing)
            if value is not None:
                col = columns.get(letters)
                if col is None:
                    col = columns[letters] = column_number(letters)
                cells[col] = value
        if max_rows is not None and len(rows) > max_rows:
            raise TooManyRows(max_rows)
        start = end
    if cells:
        rows.append((number, cells))
    if max_rows is not None and len(rows) > max_rows:
        raise TooManyRows(max_rows)
    return rows


def _unescape(text: str) -> str:
    """Character data as expat gives it: line ends normalised, then references replaced."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _REFERENCE.sub(_reference, text)


def _reference(m: re.Match) -> str:
    if m.group(1):
        return chr(int(m.group(1), 16))
    if m.group(2):
        return chr(int(m.group(2)))
    return _NAMED[m.group(3)]
