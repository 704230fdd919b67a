"""One worksheet part read into its non-empty rows and its merged ranges.

:func:`parse_sheet` hands a sheet in the plain form to the fast reader
(:mod:`docgen.workbook.sheet_fast`) and anything else to a streaming expat parse, which
reads any well-formed sheet XML. A sheet expat refuses raises
:class:`xml.parsers.expat.ExpatError`, which the reader reports as a damaged workbook.
"""

from __future__ import annotations

from xml.parsers import expat

from docgen.workbook.cells import cell_value, column_number
from docgen.workbook.limits import TooManyRows
from docgen.workbook.sheet_fast import parse_sheet_fast


def parse_sheet(
    xml: bytes, shared: list, date_styles: set[int], epoch, max_rows: int | None = None
) -> tuple[list[tuple[int, dict]], list[str]]:
    """The sheet's non-empty rows as (Excel row, {column number: value}) and its merged ranges.

    Only rows present in the file are visited, so a stray formatted cell at row 1,048,576
    costs nothing. A formula Excel never calculated (no cached value) comes back as
    :class:`~docgen.workbook.cells.FormulaWithoutValue`. Sheets in the plain form Excel,
    LibreOffice and openpyxl write are read by the fast reader; anything else by the expat
    parse, which the fast reader matches value for value. More than ``max_rows`` rows
    holding values raise :class:`~docgen.workbook.limits.TooManyRows`.
    """
    if not xml:  # a chart sheet, or a part missing from the file
        return [], []
    fast = parse_sheet_fast(xml, shared, date_styles, epoch, max_rows)
    if fast is not None:
        return fast
    return parse_sheet_expat(xml, shared, date_styles, epoch, max_rows)


def parse_sheet_expat(
    xml: bytes, shared: list, date_styles: set[int], epoch, max_rows: int | None = None
) -> tuple[list[tuple[int, dict]], list[str]]:
    """:func:`parse_sheet` by a streaming expat parse, for any sheet XML the fast reader
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
            state["col"] = column_number(ref.rstrip("0123456789")) if ref else state["col"] + 1
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
            value = cell_value(state["t"], text, state["f"], state["s"], state["ref"], shared, date_styles, epoch)
            if value is not None:
                state["cells"][state["col"]] = value
        elif name == "row":
            if state["cells"]:
                rows.append((state["row"], state["cells"]))
                if max_rows is not None and len(rows) > max_rows:
                    raise TooManyRows(max_rows)
            state["cells"] = None

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.CharacterDataHandler = chars
    parser.EndElementHandler = end
    parser.Parse(xml, True)
    return rows, merges
