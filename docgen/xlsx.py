"""Small openpyxl helpers shared by every workbook docgen writes.

The one rule they enforce: a text value from the admin's input is written as text, so
``=HYPERLINK(...)`` or ``+44...`` typed in a cell can never become a formula in a
workbook docgen writes.
"""

from __future__ import annotations

from openpyxl.cell.cell import Cell, WriteOnlyCell


def set_value(cell: Cell, value: object) -> Cell:
    """Put ``value`` in ``cell``; strings always stay strings (never formulas)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def text_cell(ws, value: object, **style) -> WriteOnlyCell:
    """A write-only-mode cell holding ``value`` (strings stay text), with optional
    ``font``, ``fill``, ``number_format``, ``alignment``, ``border``."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    for name, val in style.items():
        setattr(cell, name, val)
    return cell
