"""The openpyxl helper shared by the workbooks docgen writes with openpyxl (init, annotate).

The one rule they enforce: a text value from the admin's input is written as text, so
``=HYPERLINK(...)`` or ``+44...`` typed in a cell can never become a formula in a
workbook docgen writes.
"""

from __future__ import annotations

from openpyxl.cell.cell import Cell


def set_value(cell: Cell, value: object) -> Cell:
    """Put ``value`` in ``cell``; strings always stay strings (never formulas)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
