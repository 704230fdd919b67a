"""One sheet's rows as a table: the header row found, columns matched to the schema by
their headers, data rows cleaned, merged cells applied.

This module knows the workbook's layout (which header row, which column letter holds which
field) but not what the values mean: :mod:`docgen.workbook.checker` checks and types them.
Title rows above the header, blank rows, merged cells and Excel's text escapes are undone
here.

Merged cells: a range merged down one column (the same value for several rows, as admins
do for an ICB code shared by a block of practices) is filled down on purpose, with a
warning naming the range; a range merged across columns inside the table is an error,
because docgen cannot tell which column the value belongs to. Merges above the header
row (a title) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter, range_boundaries

from docgen.problems import ERROR, WARNING, Problem
from docgen.workbook import schema
from docgen.workbook.cells import clean

#: How far down a sheet the header row is looked for (title rows may sit above it).
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class RawRow:
    """One data row: ``values`` maps column keys (see :mod:`docgen.workbook.schema`) to the cleaned
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


def _find_header(spec: schema.Sheet, rows: list[tuple[int, tuple]]) -> int | None:
    """The Excel row (within the first rows) whose cells match most of the sheet's headers."""
    wanted = {schema.normalise(c.header) for c in spec.columns} | {schema.normalise(c.key) for c in spec.columns}
    best_row, best = None, 0
    for number, values in rows[:HEADER_SEARCH_ROWS]:
        hits = sum(1 for v in values if isinstance(v, str) and schema.normalise(clean(v)) in wanted)
        if hits > best:
            best_row, best = number, hits
    return best_row


def read_table(spec: schema.Sheet, title: str, parsed: tuple[list, list], problems: list[Problem]) -> Table | None:
    """The sheet ``title`` (read as ``parsed``, its rows and merges) as a table of ``spec``:
    its header row found, its columns matched, its data rows cleaned, merges applied. None
    when it has no header row; each problem met is added to ``problems``."""
    cells, merges = parsed
    head: list[tuple[int, tuple]] = []
    for number, row in cells:
        found = tuple(row.get(i) for i in range(1, max(row) + 1))
        if any(clean(v) is not None for v in found):
            head.append((number, found))
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
    for column in spec.columns:
        by_norm[schema.normalise(column.header)] = column
        by_norm.setdefault(schema.normalise(column.key), column)
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
    wanted = [(key, pos + 1) for key, pos in positions.items()]
    cleaned: dict[str, object] = {}  # clean() of each text met once: towns, suppliers, statuses repeat
    for number, row in cells:
        if number <= header_row:
            continue
        get = row.get
        values: dict[str, object] = {}
        filled = False
        for key, position in wanted:
            value = get(position)
            if value.__class__ is str:
                text = cleaned.get(value, cleaned)
                if text is cleaned:
                    text = cleaned[value] = clean(value)
                value = text
            elif value is not None and isinstance(value, str):
                value = clean(value)
            values[key] = value
            filled = filled or value is not None
        if filled:
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
