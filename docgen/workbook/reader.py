"""Read the admin's .xlsx into raw rows tagged with their sheet and Excel row number.

The steps, each in its own module: :mod:`~docgen.workbook.file_check` refuses what is not
an .xlsx workbook; :mod:`~docgen.workbook.sheet_xml` reads each sheet's cells;
:mod:`~docgen.workbook.tables` finds its header and columns. Here the sheets docgen
uses are found by name, and a file that cannot be read is reported with what to do.
"""

from __future__ import annotations

import contextlib
import gc
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from docgen.errors import WorkbookError
from docgen.problems import WARNING, Problem
from docgen.workbook import schema
from docgen.workbook.file_check import check_file, refuse
from docgen.workbook.sheet_xml import parse_sheet
from docgen.workbook.tables import Table, read_table

#: Sheets a workbook must have; the others (Settings, Blackouts) fall back to defaults.
REQUIRED_SHEETS = tuple(s.name for s in schema.SHEETS if s.required)


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


def _sheet_key(name: str) -> str:
    key = schema.normalise(name)
    return key[:-1] if key.endswith("s") else key


def _sheet_xml(zf: zipfile.ZipFile | None, ws) -> bytes:
    """The sheet's raw XML (read whole: a 6,000-row sheet is a few megabytes)."""
    member = getattr(ws, "_worksheet_path", None)
    if zf is None or not member:
        return b""
    try:
        return zf.read(member.lstrip("/"))
    except KeyError:
        return b""


def _read_workbook(path: Path) -> RawWorkbook:
    check_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about Excel features it skips
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # a foreign file: any failure here means "cannot be read"
        raise refuse(
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
        raise refuse(
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
        table = read_table(spec, ws.title, parse_sheet(_sheet_xml(zf, ws), shared, date_styles, epoch), problems)
        if table is None:
            unreadable.add(spec.name)
            continue
        if not table.readable:
            unreadable.add(spec.name)
        tables[spec.name] = table
    return RawWorkbook(path, tables, problems, titles, unreadable)
