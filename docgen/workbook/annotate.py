"""``docgen validate --annotate``: a copy of the admin's workbook with every problem marked.

Each problem cell is filled (red for an error, amber for a warning) and carries the
message as a comment; a Problems sheet, placed first, lists them all with a link to
each cell. The admin's own workbook is never changed.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from lxml.etree import XMLSyntaxError
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.hyperlink import Hyperlink

from docgen.errors import OutputError, WorkbookError
from docgen.formats.files import atomic_save
from docgen.formats.xlsx_cells import set_value
from docgen.problems import Problem
from docgen.workbook import schema
from docgen.workbook.parts import is_strict

ERROR_FILL = PatternFill("solid", fgColor="F4B6B6")
WARNING_FILL = PatternFill("solid", fgColor="FFD98C")
HEADER_FILL = PatternFill("solid", fgColor="005EB8")
PROBLEMS_SHEET = "Problems"

#: What openpyxl raises for a file it cannot open: a name it refuses, a damaged zip, a
#: missing part (KeyError), XML its parsers refuse, a value of the wrong type in a part
#: (its descriptors raise TypeError or ValueError). Anything else is a bug, not the file.
_CANNOT_OPEN = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    ValueError,
    TypeError,
    XMLSyntaxError,
    ParseError,
)


def _find_sheet(wb, title: str):
    if title in wb.sheetnames:
        return wb[title]
    for name in wb.sheetnames:
        if schema.normalise(name) == schema.normalise(title):
            return wb[name]
    return None


def _target(ws, ref: str):
    """The cell to mark: a merged range's top-left cell stands for the whole range."""
    cell = ws[ref]
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if ref in merged:
                return ws.cell(row=merged.min_row, column=merged.min_col)
    return cell


def write_annotated(src: Path | str, problems: list[Problem], out: Path | str) -> None:
    """Write a copy of ``src`` to ``out`` with each problem's cell coloured and commented,
    and a Problems sheet listing every problem, so the admin can fix them in Excel."""
    src, out = Path(src), Path(out)
    if out.resolve() == src.resolve():
        raise OutputError(
            f"{out} is the workbook being checked. Give --annotate a different file name, e.g. "
            f"{src.with_name(src.stem + '-problems.xlsx')}."
        )
    try:
        with zipfile.ZipFile(src) as zf:
            strict = is_strict(zf)
        # openpyxl finds no sheets in a Strict workbook: its copy would hold the Problems sheet alone.
        wb = None if strict else load_workbook(src)
    except _CANNOT_OPEN as err:  # the file was readable moments ago; say so plainly
        raise WorkbookError(f"{src}: cannot be opened to annotate ({err}). Save it again from Excel.") from err
    if wb is None:
        raise WorkbookError(
            f"{src}: is saved as Strict Open XML Spreadsheet: docgen reads and checks it, but cannot write a "
            "marked copy of it. For one, open it in Excel and use File > Save As > Excel Workbook (.xlsx), not "
            "Strict Open XML, then run again."
        )

    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.row is None:
            continue
        by_cell.setdefault((p.sheet, f"{p.column or 'A'}{p.row}"), []).append(p)
    for (title, ref), found in by_cell.items():
        ws = _find_sheet(wb, title)
        if ws is None:
            continue
        cell = _target(ws, ref)
        cell.fill = ERROR_FILL if any(p.is_error for p in found) else WARNING_FILL
        text = "\n".join(f"{'Error' if p.is_error else 'Warning'}: {p.message}" for p in found)
        if cell.comment is not None:
            text = cell.comment.text + "\n" + text
        comment = Comment(text, "docgen")
        comment.width, comment.height = 320, 40 + 18 * text.count("\n") + len(text) // 3
        cell.comment = comment

    if PROBLEMS_SHEET in wb.sheetnames:
        wb.remove(wb[PROBLEMS_SHEET])
    ws = wb.create_sheet(PROBLEMS_SHEET, 0)
    for index, (header, width) in enumerate(
        (("Severity", 10), ("Cell", 22), ("Column", 26), ("Message", 110)), start=1
    ):
        cell = set_value(ws.cell(row=1, column=index), header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        ws.column_dimensions[cell.column_letter].width = width
    for r, p in enumerate(problems, start=2):
        set_value(ws.cell(row=r, column=1), "Error" if p.is_error else "Warning").fill = (
            ERROR_FILL if p.is_error else WARNING_FILL
        )
        cell = set_value(ws.cell(row=r, column=2), p.cell)
        if p.row is not None and _find_sheet(wb, p.sheet) is not None:
            target = _find_sheet(wb, p.sheet).title.replace("'", "''")
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{target}'!{p.column or 'A'}{p.row}")
            cell.font = Font(color="0563C1", underline="single")
        set_value(ws.cell(row=r, column=3), p.header or "")
        set_value(ws.cell(row=r, column=4), p.message)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:D{max(len(problems) + 1, 2)}"
    wb.active = 0
    for sheet in wb.worksheets[1:]:
        sheet.sheet_view.tabSelected = False
    atomic_save(out, wb.save)
