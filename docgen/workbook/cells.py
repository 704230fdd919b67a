"""One cell as the sheet XML holds it, turned into the Python value the admin typed.

The sheet readers (:mod:`docgen.workbook.sheet_xml`, :mod:`docgen.workbook.sheet_fast`)
find each cell's type, style and text; :func:`cell_value` gives its value, the same for
both. :func:`clean` then undoes what Excel does to text that is not the admin's intent.
"""

from __future__ import annotations

import re

from openpyxl.utils.datetime import from_excel, from_ISO8601

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[\u00a0\u2007\u202f\t]")

#: The results a formula gives when it fails, as Excel stores them.
EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}


class FormulaWithoutValue:
    """Stands in for a cell whose formula Excel never calculated; the validator reports it."""

    def __init__(self, ref: str):
        self.ref = ref

    def __repr__(self) -> str:
        return f"FormulaWithoutValue({self.ref!r})"


class MissingSharedString(ValueError):
    """A cell points past the end of the shared-strings table: the file is damaged.

    A ValueError, as a bad number in a cell is, so that the reader reports the workbook as
    damaged; an IndexError would look like a bug in docgen."""


def is_excel_error(value: object) -> bool:
    """True for a formula's error result such as ``#REF!`` or ``#N/A``."""
    return isinstance(value, str) and value in EXCEL_ERRORS


def column_number(letters: str) -> int:
    """The column number (A is 1) of a column's letters."""
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def cell_value(
    kind: str, text: str | None, formula: bool, style: int, ref: str | None, shared: list, date_styles: set[int], epoch
) -> object:
    """One cell's value from its type attribute, its text (None when it has no <v> or inline
    string), whether it holds a formula, and its style (dates are numbers in a date style)."""
    if formula and not text and kind != "str":
        return FormulaWithoutValue(ref or "")
    if text is None:
        return None
    if kind == "s":
        try:
            return str(shared[int(text)])
        except IndexError:
            raise MissingSharedString(f"a cell uses shared string {text}; the file has {len(shared)}") from None
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
