"""One worksheet of a :class:`docgen.formats.xlsx_writer.Workbook`: each row appended is
laid out as its XML at once (one f-string a cell), and the sheet's part is put together
on save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from openpyxl.utils import get_column_letter

from docgen.formats.xlsx_xml import MAIN_NS, REL_NS, XML_DECL, split_ref

_EXCEL_EPOCH_ORDINAL = dt.date(1899, 12, 30).toordinal()


class Sheet:
    """One worksheet: rows are appended in order and kept as XML strings until save."""

    def __init__(
        self,
        strings: dict[str, int],
        title: str,
        widths: Sequence[float],
        *,
        freeze: str | None,
        autofilter: str | None,
        print_title_rows: str | None,
        print_title_cols: str | None,
        landscape: bool,
        fit_to_width: bool,
        selected: bool,
    ) -> None:
        self.title = title
        self.widths = list(widths)
        self.freeze = freeze
        self.autofilter = autofilter
        self.print_title_rows = print_title_rows
        self.print_title_cols = print_title_cols
        self.landscape = landscape
        self.fit_to_width = fit_to_width
        self.selected = selected  # the tab shown when the file opens
        self._strings = strings  # the workbook's shared strings: text -> index
        self.string_cells = 0  # cells that refer to a shared string (sharedStrings' count)
        self._rows: list[str] = []
        self._letters: list[str] = []
        self._max_col = 0

    def append(self, values: Sequence[object], *, height: float | None = None) -> None:
        """Write the next row. Each value is ``None`` (no cell), a plain value, or a
        ``(value, style_id)`` tuple; a ``(None, style_id)`` is a styled empty cell.

        Strings are always text: they go to the shared-strings table, so a value like
        ``=HYPERLINK(...)`` is shown as typed and can never run as a formula.
        """
        r = len(self._rows) + 1
        n = len(values)
        while n and values[n - 1] is None:  # trailing empty cells do not widen the sheet
            n -= 1
        if n > len(self._letters):
            self._letters = [get_column_letter(i) for i in range(1, n + 1)]
        self._max_col = max(self._max_col, n)
        strings = self._strings
        uses = 0
        cells: list[str] = []
        add = cells.append
        # One pass, one f-string a cell: this loop is where the time goes for big sheets,
        # so the common case (a plain string) is tested first and nothing is called. The
        # tests are on the exact class, which mypy cannot narrow on: hence Any.
        value: Any
        for col, value in zip(self._letters, values[:n], strict=False):  # letters may run on
            if value is None:
                continue
            kind = value.__class__
            if kind is str:
                idx = strings.get(value)
                if idx is None:
                    idx = strings[value] = len(strings)
                add(f'<c r="{col}{r}" t="s"><v>{idx}</v></c>')
                uses += 1
                continue
            if kind is tuple:
                value, style = value
                s = f' s="{style}"'
                kind = value.__class__
            else:
                s = ""
            if kind is str:
                idx = strings.get(value)
                if idx is None:
                    idx = strings[value] = len(strings)
                add(f'<c r="{col}{r}"{s} t="s"><v>{idx}</v></c>')
                uses += 1
            elif kind is dt.date:
                add(f'<c r="{col}{r}"{s}><v>{value.toordinal() - _EXCEL_EPOCH_ORDINAL}</v></c>')
            elif kind is int or kind is float:
                add(f'<c r="{col}{r}"{s}><v>{value!r}</v></c>')
            elif value is None:
                add(f'<c r="{col}{r}"{s}/>')
            elif kind is bool:
                add(f'<c r="{col}{r}"{s} t="b"><v>{int(value)}</v></c>')
            else:
                # A datetime (a date subclass) would silently lose its time; refuse it and
                # anything else rather than guess.
                raise TypeError(f"Cannot write {value!r} ({kind.__name__}) to an xlsx cell.")
        self.string_cells += uses
        ht = f' ht="{height}" customHeight="1"' if height is not None else ""
        self._rows.append(f'<row r="{r}"{ht}>{"".join(cells)}</row>')

    def to_xml(self) -> str:
        """The worksheet part, ``xl/worksheets/sheetN.xml``."""
        n_rows, n_cols = len(self._rows), max(self._max_col, len(self.widths), 1)
        dimension = f"A1:{get_column_letter(n_cols)}{max(n_rows, 1)}"
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(self.widths, start=1)
        )
        parts = [
            XML_DECL,
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if self.fit_to_width else "",
            f'<dimension ref="{dimension}"/>',
            f"<sheetViews>{self._sheet_view()}</sheetViews>",
            '<sheetFormatPr defaultRowHeight="15"/>',
            f"<cols>{cols}</cols>" if cols else "",
            "<sheetData>",
            *self._rows,
            "</sheetData>",
            f'<autoFilter ref="{self.autofilter}"/>' if self.autofilter else "",
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>',
            self._page_setup(),
            "</worksheet>",
        ]
        return "".join(parts)

    def _sheet_view(self) -> str:
        selected = ' tabSelected="1"' if self.selected else ""
        if not self.freeze or self.freeze == "A1":
            return f'<sheetView{selected} workbookViewId="0"/>'
        col, row = split_ref(self.freeze)
        x, y = col - 1, row - 1
        split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
        pane = "bottomRight" if x and y else ("topRight" if x else "bottomLeft")
        selections = "".join(f'<selection pane="{p}"/>' for p in ("topRight", "bottomLeft") if x and y)
        return (
            f'<sheetView{selected} workbookViewId="0">'
            f'<pane{split} topLeftCell="{self.freeze}" activePane="{pane}" state="frozen"/>'
            f'{selections}<selection pane="{pane}" activeCell="{self.freeze}" sqref="{self.freeze}"/>'
            "</sheetView>"
        )

    def _page_setup(self) -> str:
        attrs = ' paperSize="9"'  # A4
        if self.landscape:
            attrs += ' orientation="landscape"'
        if self.fit_to_width:
            attrs += ' fitToWidth="1" fitToHeight="0"'  # one page wide, as many pages tall as needed
        return f"<pageSetup{attrs}/>"
