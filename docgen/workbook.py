"""Read the admin's .xlsx into raw rows tagged with their sheet and Excel row number.

This module knows the workbook's layout (which sheet, which header row, which column
letter holds which field) but not what the values mean: :mod:`docgen.validate` checks
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

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601

from docgen import schema
from docgen.errors import WorkbookError
from docgen.problems import ERROR, WARNING, Problem

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
    """One data row: ``values`` maps column keys (see :mod:`docgen.schema`) to the cleaned
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

    A streaming expat parse of the sheet XML, several times faster than openpyxl's own
    cell objects on 6,000-row sheets; only rows present in the file are visited, so a
    stray formatted cell at row 1,048,576 costs nothing. A formula Excel never
    calculated (no cached value) comes back as :class:`FormulaWithoutValue`.
    """
    rows: list[tuple[int, dict]] = []
    merges: list[str] = []
    if not xml:  # a chart sheet, or a part missing from the file
        return rows, merges
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
            value = _cell_value(state, shared, date_styles, epoch)
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


def _cell_value(state: dict, shared: list, date_styles: set[int], epoch) -> object:
    kind = state["t"]
    text = "".join(state["text"]) if state["text"] is not None else None
    if state["f"] and not text and kind != "str":
        return FormulaWithoutValue(state["ref"] or "")
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
    number = float(text) if any(ch in text for ch in ".eE") else int(text)
    if state["s"] in date_styles:
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
        values = tuple(row.get(i) for i in range(1, max(row) + 1))
        if any(clean(v) is not None for v in values):
            head.append((number, values))
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
    for col in spec.columns:
        by_norm[schema.normalise(col.header)] = col
        by_norm.setdefault(schema.normalise(col.key), col)
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
    for number, row in cells:
        if number <= header_row:
            continue
        values = {key: clean(row.get(pos + 1)) for key, pos in positions.items()}
        if any(v is not None for v in values.values()):
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


def read_workbook(path: Path | str) -> RawWorkbook:
    """Read every sheet docgen uses from ``path``, or raise :class:`WorkbookError` saying
    why the file cannot be read and what to do."""
    path = Path(path)
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
    found: dict[str, object] = {}
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
