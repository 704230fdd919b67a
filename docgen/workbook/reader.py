"""Read the admin's .xlsx into raw rows tagged with their sheet and Excel row number.

The steps, each in its own module: :mod:`~docgen.workbook.file_check` refuses what is not
an .xlsx workbook; :mod:`~docgen.workbook.parts` reads the workbook-wide parts (which
sheets, shared strings, date styles); :mod:`~docgen.workbook.sheet_xml` reads each sheet's
cells; :mod:`~docgen.workbook.tables` finds its header and columns. Here the sheets docgen
uses are found by name, and a file that cannot be read is reported with what to do.
"""

from __future__ import annotations

import contextlib
import gc
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from docgen.errors import WorkbookError
from docgen.problems import WARNING, Problem
from docgen.workbook import limits, schema
from docgen.workbook.file_check import check_file, refuse
from docgen.workbook.parts import SheetPart, WorkbookParts, read_member, read_parts
from docgen.workbook.sheet_xml import parse_sheet
from docgen.workbook.tables import Table, read_table

#: Sheets a workbook must have; the others (Settings, Blackouts) fall back to defaults.
REQUIRED_SHEETS = tuple(s.name for s in schema.SHEETS if s.required)

#: What reading a damaged or foreign file raises: the zip's errors, a missing or unreadable
#: part (DamagedPart), XML expat refuses, a value that is not what its cell type says
#: (ValueError). Anything else is a bug in docgen and is not blamed on the file.
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, expat.ExpatError, ValueError)

_RESAVE = "Open it in Excel, save it again as Excel Workbook (.xlsx), and run again."


@dataclass
class RawWorkbook:
    """Every sheet docgen uses, read raw, and the layout problems met while reading."""

    path: Path
    tables: dict[str, Table]
    problems: list[Problem]
    sheet_titles: list[str]
    unreadable: set[str] = field(default_factory=set)


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a workbook is read and checked.

    Reading a national workbook allocates about a million small objects (cell dicts,
    tuples, records) and frees few, so the collector walks an ever larger heap again and
    again to find nothing: a fifth of the CPU. Reference counting still frees everything
    as usual; any cycles left behind are collected once the collector runs again. Nested
    use is fine: only the outermost resumes it."""
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
    check_file(path)
    try:
        zf = zipfile.ZipFile(path)
    except DAMAGED as err:  # changed since check_file looked at it
        raise refuse(path, f"cannot be read as an Excel workbook ({type(err).__name__}: {err}).", _RESAVE) from err
    with zf:
        try:
            parts = read_parts(zf)
        except limits.OverLimit as over:
            raise refuse(path, over.what, over.fix) from None
        except DAMAGED as err:
            raise refuse(path, f"cannot be read as an Excel workbook ({type(err).__name__}: {err}).", _RESAVE) from err
        try:
            return _read_sheets(path, parts, zf)
        except limits.OverLimit as over:
            raise refuse(path, over.what, over.fix) from None
        except DAMAGED as err:  # a damaged part inside an otherwise valid zip
            raise refuse(path, f"is damaged and cannot be read ({type(err).__name__}: {err}).", _RESAVE) from err


def _sheet_key(name: str) -> str:
    key = schema.normalise(name)
    return key[:-1] if key.endswith("s") else key


def _find_sheets(path: Path, sheets: list[SheetPart], problems: list[Problem]) -> dict[str, SheetPart]:
    """The sheet docgen reads for each sheet of the schema, matched by name ignoring case,
    spaces and a plural s; a warning for each second sheet of the same name; an error
    naming the required sheets that are missing."""
    titles = [s.title for s in sheets]
    found: dict[str, SheetPart] = {}
    for spec in schema.SHEETS:
        matches = [s for s in sheets if _sheet_key(s.title) == _sheet_key(spec.name)]
        if matches:
            found[spec.name] = matches[0]
            for extra in matches[1:]:
                problems.append(
                    Problem(
                        WARNING,
                        extra.title,
                        f"Two sheets are called {spec.name} ('{matches[0].title}' and '{extra.title}'); docgen read "
                        f"'{matches[0].title}' and ignored this one. Delete or rename one of them.",
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
    return found


def _read_sheets(path: Path, parts: WorkbookParts, zf: zipfile.ZipFile) -> RawWorkbook:
    problems: list[Problem] = []
    found = _find_sheets(path, parts.sheets, problems)
    # Every sheet's size, then their sum with the shared strings, is checked before any is unpacked.
    members = {part.member: part.title for part in found.values() if part.member}
    for member, title in members.items():
        limits.check_part(zf.getinfo(member), f"sheet '{title}'")
    if parts.shared_member:
        members[parts.shared_member] = ""
    limits.check_total([zf.getinfo(member) for member in members])
    tables: dict[str, Table] = {}
    unreadable: set[str] = set()
    for spec in schema.SHEETS:
        sheet = found.get(spec.name)
        if sheet is None:
            continue
        if sheet.state != "visible":
            problems.append(
                Problem(
                    WARNING,
                    sheet.title,
                    "This sheet is hidden in Excel; docgen read it anyway. Unhide it (right-click a sheet tab > "
                    "Unhide) to check what it holds.",
                )
            )
        # A chart sheet has no cells: read as empty, it has no header row.
        what = f"sheet '{sheet.title}'"
        xml = read_member(zf, sheet.member, what) if sheet.member else b""
        try:
            parsed = parse_sheet(xml, parts.shared, parts.date_styles, parts.epoch, limits.MAX_ROWS)
        except limits.TooManyRows as over:
            raise limits.OverLimit(f"{what} {over.what}.", over.fix) from None
        del xml  # not held while the next sheet is unpacked: each may be up to limits.MAX_PART_BYTES
        table = read_table(spec, sheet.title, parsed, problems)
        if table is None:
            unreadable.add(spec.name)
            continue
        if not table.readable:
            unreadable.add(spec.name)
        tables[spec.name] = table
    return RawWorkbook(path, tables, problems, [s.title for s in parts.sheets], unreadable)
