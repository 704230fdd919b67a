"""Read the admin's .xlsx into raw rows tagged with their sheet and Excel row number.

This module knows the workbook's layout (which sheet, which header row, which column
letter holds which field) but not what the values mean: :mod:`docgen.workbook.validate` checks
and types them. Everything Excel can do to a sheet that is not the admin's intent is
undone here: title rows above the header, blank rows, a stray formatted cell at the
bottom of the sheet, merged cells, ``_x000D_`` escapes, control characters and
non-breaking spaces.

Merged cells: a range merged down one column (the same value for several rows, as admins
do for an ICB code shared by a block of practices) is filled down on purpose, with a
warning naming the range; a range merged across columns inside the table is an error,
because docgen cannot tell which column the value belongs to. Merges above the header
row (a title) are ignored.
"""

from __future__ import annotations

import contextlib
import gc
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601

from docgen.errors import WorkbookError
from docgen.problems import ERROR, WARNING, Problem
from docgen.workbook import schema

#: How far down a sheet the header row is looked for (title rows may sit above it).
HEADER_SEARCH_ROWS = 10

#: Sheets a workbook must have; the others (Settings, Blackouts) fall back to defaults.
REQUIRED_SHEETS = tuple(s.name for s in schema.SHEETS if s.required)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[\u00a0\u2007\u202f\t]")
_EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}


@dataclass(frozen=True)
class RawRow:
    """One data row: ``values`` maps column keys (see :mod:`docgen.workbook.schema`) to the cleaned
    cell value (``None`` when blank), for the columns the sheet has."""

    sheet: str
    row: int
    values: dict[str, object]


@dataclass
class Table:
    """One sheet as read: where its header is, which letter holds which column, its rows."""

    spec: schema.Sheet
    title: str
    header_row: int
    letters: dict[str, str] = field(default_factory=dict)
    rows: list[RawRow] = field(default_factory=list)
    missing: tuple[str, ...] = ()

    def letter(self, key: str) -> str | None:
        """The column letter holding ``key`` in this sheet, or None if it has no such column."""
        return self.letters.get(key)

    @property
    def readable(self) -> bool:
        """False when a required column is missing (no record can be built from this sheet)."""
        return not self.missing


@dataclass
class RawWorkbook:
    """Every sheet docgen uses, read raw, and the layout problems met while reading."""

    path: Path
    tables: dict[str, Table]
    problems: list[Problem]
    sheet_titles: list[str]
    unreadable: set[str] = field(default_factory=set)


def clean(value: object) -> object:
    """A cell value as the admin meant it: text decoded (``_x000D_``), control characters
    and non-breaking spaces removed, each line stripped; blank text becomes ``None``."""
    if not isinstance(value, str):
        return value
    if value.isprintable() and "_x" not in value and "  " not in value and value.strip(" ") == value:
        return value or None
    if "_x" in value:
        value = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _SPACES.sub(" ", value)
    value = _CONTROL.sub("", value)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in value.split("\n")]
    text = "\n".join(lines).strip("\n")
    text = re.sub(r"\n{2,}", "\n", text)
    return text or None


def _sheet_key(name: str) -> str:
    key = schema.normalise(name)
    return key[:-1] if key.endswith("s") else key


def _refuse(path: Path, what: str, fix: str) -> WorkbookError:
    return WorkbookError(f"{path}: {what} {fix}")


def _check_file(path: Path) -> None:
    """Refuse, with the reason and the fix, any file openpyxl cannot read as a workbook."""
    resave = "Open it in Excel and use File > Save As > Excel Workbook (.xlsx), then run again."
    if not path.exists():
        raise _refuse(path, "there is no such file.", "Check the path and the file name.")
    if path.is_dir():
        raise _refuse(path, "is a folder, not a workbook.", "Give the path of the .xlsx file itself.")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as err:
        raise _refuse(
            path, f"cannot be read ({err.strerror}).", "Close it in Excel and check you may read it."
        ) from err
    if not head:
        raise _refuse(
            path, "is empty (0 bytes).", "It may not have finished copying or saving: save it again from Excel."
        )
    if head.startswith(_OLE_MAGIC):
        data = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise _refuse(
                path,
                "is password-protected, so docgen cannot read it.",
                "Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, "
                "clear the box), save, and run again.",
            )
        raise _refuse(path, "is an old-style Excel 97-2003 (.xls) or other Office file, not an .xlsx workbook.", resave)
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError) as err:
            raise _refuse(
                path,
                "is damaged or incomplete (it may have been cut short while copying or downloading).",
                "Copy it again or save it again from Excel, then run again.",
            ) from err
        if "xl/workbook.xml" in names:
            return
        if "word/document.xml" in names:
            raise _refuse(path, "is a Word document, not an Excel workbook.", "Give the path of the .xlsx workbook.")
        if "content.xml" in names:
            raise _refuse(path, "is an OpenDocument file (.ods), not an .xlsx workbook.", resave)
        if "xl/workbook.bin" in names:
            raise _refuse(path, "is an Excel binary workbook (.xlsb), not an .xlsx workbook.", resave)
        raise _refuse(path, "is a zip archive, not an Excel workbook.", "Give the path of the .xlsx workbook.")
    text = head.decode("utf-8", errors="replace")
    if "\n" in text and any(sep in text for sep in (",", ";", "\t")) and "\x00" not in text:
        raise _refuse(path, "is a CSV (plain text) file, not an Excel workbook.", resave)
    raise _refuse(path, "is not an Excel workbook (.xlsx).", resave)


def _sheet_xml(zf: zipfile.ZipFile | None, ws) -> bytes:
    """The sheet's raw XML (read whole: a 6,000-row sheet is a few megabytes)."""
    member = getattr(ws, "_worksheet_path", None)
    if zf is None or not member:
        return b""
    try:
        return zf.read(member.lstrip("/"))
    except KeyError:
        return b""


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _parse_sheet(xml: bytes, shared: list, date_styles: set[int], epoch) -> tuple[list[tuple[int, dict]], list[str]]:
    """The sheet's non-empty rows as (Excel row, {column number: value}) and its merged ranges.

    Only rows present in the file are visited, so a stray formatted cell at row 1,048,576
    costs nothing. A formula Excel never calculated (no cached value) comes back as
    :class:`FormulaWithoutValue`. Sheets in the plain form Excel, LibreOffice and openpyxl
    write are read by :func:`_parse_sheet_fast`; anything else by the expat parse, which
    the fast reader matches value for value.
    """
    if not xml:  # a chart sheet, or a part missing from the file
        return [], []
    fast = _parse_sheet_fast(xml, shared, date_styles, epoch)
    if fast is not None:
        return fast
    return _parse_sheet_expat(xml, shared, date_styles, epoch)


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


def _parse_sheet_fast(xml: bytes, shared: list, date_styles: set[int], epoch):
    """:func:`_parse_sheet` by regular expressions: several times less CPU than expat
    callbacks on a national (6,000-practice) sheet. Returns None, and the expat parse
    runs instead, for anything outside the plain form: a file expat rejects, another
    encoding, comments, CDATA, a DTD, namespace prefixes, formulas, rich text,
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
    rows = _plain_rows(body, shared, date_styles, epoch)
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


def _plain_rows(body: str, shared: list, date_styles: set[int], epoch) -> list[tuple[int, dict]] | None:
    """The rows of the <sheetData> body, or None when it is not all in the plain form or
    not well-formed (a row with an attribute given twice, an undefined reference)."""
    if not _PLAIN_BODY.fullmatch(body) or _TWICE.search(body) or not _xml_references(body):
        return None
    escaped = "&" in body or "\r" in body
    typing = (shared, date_styles, epoch)
    rows: list[tuple[int, dict]] = []
    columns: dict[str, int] = {}
    types: dict[str, tuple[str, int]] = {}  # ' s="6" t="inlineStr"' -> ("inlineStr", 6)
    number = 0
    cells: dict[int, object] = {}
    for row_r, letters, attributes, text in _PLAIN_TOKEN.findall(body):
        if row_r:
            if cells:
                rows.append((number, cells))
            number, cells = int(row_r), {}
            continue
        kind_style = types.get(attributes)
        if kind_style is None:
            style, kind = _ATTRIBUTES.fullmatch(attributes).groups()  # type: ignore[union-attr]  # _PLAIN_BODY admits only s= and t=
            kind_style = types[attributes] = (kind or "n", int(style or 0))
        kind, style = kind_style
        if escaped and ("&" in text or "\r" in text):
            text = _unescape(text)
        # An inline string is its text (what _cell_value gives, without the call).
        value = text if kind == "inlineStr" else _cell_value(kind, text, False, style, None, *typing)
        if value is not None:
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = _column_number(letters)
            cells[col] = value
    if cells:
        rows.append((number, cells))
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


def _parse_sheet_expat(
    xml: bytes, shared: list, date_styles: set[int], epoch
) -> tuple[list[tuple[int, dict]], list[str]]:
    """:func:`_parse_sheet` by a streaming expat parse, for any sheet XML the fast reader
    does not accept."""
    rows: list[tuple[int, dict]] = []
    merges: list[str] = []
    state = {"row": 0, "col": 0, "cells": None, "ref": None, "t": "n", "s": 0, "f": False, "text": None, "in": None}

    def local(name: str) -> str:
        return name.rsplit(":", 1)[-1] if ":" in name else name

    def start(name, attrs):
        name = local(name)
        if name == "c":
            ref = attrs.get("r")
            state["ref"] = ref
            state["col"] = _column_number(ref.rstrip("0123456789")) if ref else state["col"] + 1
            state["t"] = attrs.get("t", "n")
            state["s"] = int(attrs.get("s", 0) or 0)
            state["f"] = False
            state["text"] = None
        elif name == "v" or (name == "t" and state["t"] == "inlineStr"):
            state["in"] = name
            if state["text"] is None:
                state["text"] = []
        elif name == "f":
            state["f"] = True
        elif name == "rPh":  # phonetic guide text is not part of the value
            state["in"] = "rPh"
        elif name == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r else state["row"] + 1
            state["col"] = 0
            state["cells"] = {}
        elif name == "mergeCell" and ":" in attrs.get("ref", ""):
            merges.append(attrs["ref"])

    def chars(data):
        if state["in"] in ("v", "t"):
            state["text"].append(data)

    def end(name):
        name = local(name)
        if name in ("v", "t", "rPh"):
            state["in"] = None
        elif name == "c":
            text = "".join(state["text"]) if state["text"] is not None else None
            value = _cell_value(state["t"], text, state["f"], state["s"], state["ref"], shared, date_styles, epoch)
            if value is not None:
                state["cells"][state["col"]] = value
        elif name == "row":
            if state["cells"]:
                rows.append((state["row"], state["cells"]))
            state["cells"] = None

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.CharacterDataHandler = chars
    parser.EndElementHandler = end
    parser.Parse(xml, True)
    return rows, merges


def _cell_value(
    kind: str, text: str | None, formula: bool, style: int, ref: str | None, shared: list, date_styles: set[int], epoch
) -> object:
    """One cell's value from its type attribute, its text (None when it has no <v> or inline
    string), whether it holds a formula, and its style (dates are numbers in a date style)."""
    if formula and not text and kind != "str":
        return FormulaWithoutValue(ref or "")
    if text is None:
        return None
    if kind == "s":
        return str(shared[int(text)])
    if kind in ("inlineStr", "str", "e"):
        return text
    if kind == "b":
        return text.strip() == "1"
    if kind == "d":
        return from_ISO8601(text)
    if text == "":
        return None
    number = float(text) if "." in text or "e" in text or "E" in text else int(text)
    if style in date_styles:
        try:
            return from_excel(number, epoch)
        except (OverflowError, ValueError):
            return text
    return number


def _find_header(spec: schema.Sheet, rows: list[tuple[int, tuple]]) -> int | None:
    """The Excel row (within the first rows) whose cells match most of the sheet's headers."""
    wanted = {schema.normalise(c.header) for c in spec.columns} | {schema.normalise(c.key) for c in spec.columns}
    best_row, best = None, 0
    for number, values in rows[:HEADER_SEARCH_ROWS]:
        hits = sum(1 for v in values if isinstance(v, str) and schema.normalise(clean(v)) in wanted)
        if hits > best:
            best_row, best = number, hits
    return best_row


def _read_table(spec: schema.Sheet, ws, parsed: tuple[list, list], problems: list[Problem]) -> Table | None:
    title = ws.title
    cells, merges = parsed
    head: list[tuple[int, tuple]] = []
    for number, row in cells:
        found = tuple(row.get(i) for i in range(1, max(row) + 1))
        if any(clean(v) is not None for v in found):
            head.append((number, found))
            if len(head) >= HEADER_SEARCH_ROWS:
                break
    header_row = _find_header(spec, head)
    if header_row is None:
        expected = ", ".join(c.header for c in spec.columns if c.required)
        problems.append(
            Problem(
                ERROR,
                title,
                f"No header row found in the first {HEADER_SEARCH_ROWS} rows. "
                f"Put the column headers ({expected}) in one row above the data.",
            )
        )
        return None
    header_values = dict(head)[header_row]
    by_norm: dict[str, schema.Column] = {}
    for column in spec.columns:
        by_norm[schema.normalise(column.header)] = column
        by_norm.setdefault(schema.normalise(column.key), column)
    table = Table(spec, title, header_row)
    positions: dict[str, int] = {}
    for index, raw in enumerate(header_values, start=1):
        text = clean(raw)
        if text is None:
            continue
        letter = get_column_letter(index)
        col = by_norm.get(schema.normalise(text))
        if col is None:
            problems.append(
                Problem(
                    WARNING,
                    title,
                    f"The column '{text}' is not one docgen uses; it is ignored.",
                    header_row,
                    letter,
                )
            )
        elif col.key in table.letters:
            problems.append(
                Problem(
                    ERROR,
                    title,
                    f"The column '{col.header}' appears twice (columns {table.letters[col.key]} and {letter}). "
                    "Delete one of them.",
                    header_row,
                    letter,
                    col.header,
                )
            )
        else:
            table.letters[col.key] = letter
            positions[col.key] = index - 1
    table.missing = tuple(c.header for c in spec.columns if c.required and c.key not in table.letters)
    for header in table.missing:
        problems.append(
            Problem(
                ERROR,
                title,
                f"The required column '{header}' is missing. Add it to the header row (row {header_row}).",
                header_row,
            )
        )

    data: dict[int, dict[str, object]] = {}
    wanted = [(key, pos + 1) for key, pos in positions.items()]
    cleaned: dict[str, object] = {}  # clean() of each text met once: towns, suppliers, statuses repeat
    for number, row in cells:
        if number <= header_row:
            continue
        get = row.get
        values: dict[str, object] = {}
        filled = False
        for key, position in wanted:
            value = get(position)
            if value.__class__ is str:
                text = cleaned.get(value, cleaned)
                if text is cleaned:
                    text = cleaned[value] = clean(value)
                value = text
            elif value is not None and isinstance(value, str):
                value = clean(value)
            values[key] = value
            filled = filled or value is not None
        if filled:
            data[number] = values

    _apply_merges(table, positions, merges, data, problems)
    table.rows = [RawRow(title, n, data[n]) for n in sorted(data)]
    return table


def _apply_merges(table: Table, positions: dict[str, int], merges: list[str], data: dict, problems) -> None:
    key_at = {pos + 1: key for key, pos in positions.items()}
    for ref in merges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row < table.header_row:
            continue
        top_left = f"{get_column_letter(min_col)}{min_row}"
        if min_col != max_col:
            problems.append(
                Problem(
                    ERROR,
                    table.title,
                    f"Cells {ref} are merged across columns, so docgen cannot tell which column the value belongs "
                    "to. Unmerge them (Home > Merge & Center > Unmerge Cells) and put each value in its own column.",
                    min_row,
                    get_column_letter(min_col),
                )
            )
            continue
        key = key_at.get(min_col)
        if key is None or min_row <= table.header_row:
            continue
        value = data.get(min_row, {}).get(key)
        for r in range(min_row + 1, max_row + 1):
            if r in data:
                data[r][key] = value
        problems.append(
            Problem(
                WARNING,
                table.title,
                f"Cells {ref} are merged; docgen used the value of {top_left} ('{value or ''}') for every row of "
                "the range. Unmerge them (Home > Merge & Center > Unmerge Cells) to give each row its own value.",
                min_row,
                get_column_letter(min_col),
                next(c.header for c in table.spec.columns if c.key == key),
            )
        )


class FormulaWithoutValue:
    """Stands in for a cell whose formula Excel never calculated; the validator reports it."""

    def __init__(self, ref: str):
        self.ref = ref

    def __repr__(self) -> str:
        return f"FormulaWithoutValue({self.ref!r})"


def is_excel_error(value: object) -> bool:
    """True for a formula's error result such as ``#REF!`` or ``#N/A``."""
    return isinstance(value, str) and value in _EXCEL_ERRORS


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a workbook is read and checked.

    Reading a national workbook allocates about a million small objects (cell dicts,
    tuples, records) and frees few, so the collector walks an ever larger heap again and
    again to find nothing: a fifth of the CPU. Reference counting still frees everything
    as usual; the few cycles left behind (openpyxl's workbook objects) are collected once
    the collector runs again. Nested use is fine: only the outermost resumes it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def read_workbook(path: Path | str) -> RawWorkbook:
    """Read every sheet docgen uses from ``path``, or raise :class:`WorkbookError` saying
    why the file cannot be read and what to do."""
    with gc_paused():
        return _read_workbook(Path(path))


def _read_workbook(path: Path) -> RawWorkbook:
    _check_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about Excel features it skips
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # a foreign file: any failure here means "cannot be read"
        raise _refuse(
            path,
            f"cannot be read as an Excel workbook ({type(err).__name__}: {err}).",
            "Open it in Excel, save it again as Excel Workbook (.xlsx), and run again.",
        ) from err
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        zf = None
    try:
        return _read_sheets(path, wb, zf)
    except WorkbookError:
        raise
    except Exception as err:  # a damaged part inside an otherwise valid zip
        raise _refuse(
            path,
            f"is damaged and cannot be read ({type(err).__name__}: {err}).",
            "Open it in Excel, save it again as Excel Workbook (.xlsx), and run again.",
        ) from err
    finally:
        wb.close()
        if zf is not None:
            zf.close()


def _read_sheets(path: Path, wb, zf) -> RawWorkbook:
    titles = list(wb.sheetnames)
    found: dict[str, Any] = {}
    problems: list[Problem] = []
    for spec in schema.SHEETS:
        matches = [t for t in titles if _sheet_key(t) == _sheet_key(spec.name)]
        if matches:
            found[spec.name] = wb[matches[0]]
            for extra in matches[1:]:
                problems.append(
                    Problem(
                        WARNING,
                        extra,
                        f"Two sheets are called {spec.name} ('{matches[0]}' and '{extra}'); docgen read "
                        f"'{matches[0]}' and ignored this one. Delete or rename one of them.",
                    )
                )
    missing = [name for name in REQUIRED_SHEETS if name not in found]
    if missing:
        plural = "sheets" if len(missing) > 1 else "sheet"
        raise WorkbookError(
            f"{path}: the {plural} {', '.join(missing)} {'are' if len(missing) > 1 else 'is'} missing. "
            f"Found: {', '.join(titles) or 'no sheets'}. Rename or add the {plural} "
            "(docgen init writes a workbook with every sheet)."
        )
    tables: dict[str, Table] = {}
    unreadable: set[str] = set()
    # openpyxl has already read these workbook-wide parts; the sheets themselves we parse faster.
    shared = getattr(next(iter(found.values())), "_shared_strings", None) or []
    date_styles = set(getattr(wb, "_date_formats", ()))
    epoch = wb.epoch
    for spec in schema.SHEETS:
        ws = found.get(spec.name)
        if ws is None:
            continue
        if getattr(ws, "sheet_state", "visible") != "visible":
            problems.append(
                Problem(
                    WARNING,
                    ws.title,
                    "This sheet is hidden in Excel; docgen read it anyway. Unhide it (right-click a sheet tab > "
                    "Unhide) to check what it holds.",
                )
            )
        table = _read_table(spec, ws, _parse_sheet(_sheet_xml(zf, ws), shared, date_styles, epoch), problems)
        if table is None:
            unreadable.add(spec.name)
            continue
        if not table.readable:
            unreadable.add(spec.name)
        tables[spec.name] = table
    return RawWorkbook(path, tables, problems, titles, unreadable)
