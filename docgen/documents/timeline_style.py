"""The timeline workbook's look: its named cell styles, colours and sheet set-up, shared
by every sheet of :mod:`docgen.documents.timeline`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.utils import get_column_letter

from docgen.formats.xlsx_sheet import Sheet
from docgen.formats.xlsx_writer import Style, Workbook

DATE_FORMAT = "dd/mm/yyyy"

#: Gantt phases, least urgent first (a later one wins a week): (key, legend label, colour, mark).
PHASES = (
    ("planned", "Planned", "E8EDEE", ""),
    ("post_go_live", "Post go-live", "78BE20", ""),
    ("preparation", "Preparation", "41B6E6", ""),
    ("pre_migration", "Pre-migration", "768692", ""),
    ("extract_wait", "Extract wait", "FFB81C", ""),
    ("data_checking", "Data checking", "00A499", ""),
    ("cut_over", "Cut-over", "ED8B00", ""),
    ("go_live", "Go-live", "DA291C", "GL"),
)

RAG_COLOURS = {"Red": "DA291C", "Amber": "FFB81C", "Green": "009639", "Grey": "D9D9D9"}
WHITE_TEXT = {"Red", "Green", "go_live"}


class Styles:
    """The workbook's named cell styles, registered once; ``st("date")`` is the id to pair
    with a value as ``(value, id)``."""

    def __init__(self, wb: Workbook) -> None:
        header: dict[str, Any] = {"bold": True, "color": "FFFFFF", "fill": "005EB8"}
        bank_holiday: dict[str, Any] = {"bold": True, "color": "8A1538", "fill": "F4B6B6"}
        week: dict[str, Any] = {"number_format": DATE_FORMAT, "rotation": 90, "horizontal": "center"}
        styles = {
            "header": Style(**header, wrap=True, vertical="center"),
            "bold": Style(bold=True),
            "date": Style(number_format=DATE_FORMAT),
            "date_proposed": Style(number_format=DATE_FORMAT, italic=True, color="595959"),
            "week": Style(**header, **week),
            "week_bh": Style(**bank_holiday, **week),
            "bh": Style(**bank_holiday, size=8, horizontal="center"),
            "wrap": Style(wrap=True, vertical="top"),
            "title": Style(bold=True, size=14, color="005EB8"),
            "overdue": Style(bold=True, color="DA291C"),
        }
        for name, colour in RAG_COLOURS.items():
            styles[f"rag_{name}"] = Style(bold=True, color="FFFFFF" if name in WHITE_TEXT else "000000", fill=colour)
        for key, _label, colour, _mark in PHASES:
            text = "FFFFFF" if key in WHITE_TEXT else "000000"
            styles[f"phase_{key}"] = Style(bold=True, size=8, color=text, fill=colour, horizontal="center")
        self._ids = {name: wb.add_style(style) for name, style in styles.items()}

    def __call__(self, name: str) -> int:
        return self._ids[name]


def new_sheet(wb: Workbook, title: str, headers: Sequence[tuple[str, float]], *, n_rows: int, freeze: str,
           header_row: int = 1, title_rows: str = "1:1", title_cols: str | None = None) -> Sheet:  # fmt: skip
    """A sheet with widths, frozen panes, an autofilter over the header and ``n_rows`` rows
    below it, and print set-up: landscape A4, one page wide, title rows on every page."""
    last = get_column_letter(max(len(headers), 1))
    return wb.add_sheet(
        title,
        [width for _header, width in headers],
        freeze=freeze,
        autofilter=f"A{header_row}:{last}{header_row + max(n_rows, 1)}",
        print_title_rows=title_rows,
        print_title_cols=title_cols,
        landscape=True,
        fit_to_width=True,
    )


def header_row(headers: Sequence[tuple[str, float]], st: Styles) -> list:
    """The header row's cells, each in the header style."""
    return [(h, st("header")) for h, _ in headers]
