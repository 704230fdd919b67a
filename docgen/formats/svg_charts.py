"""Charts drawn on the server as standalone SVG text: a bar per (label, count), the count
written beside it, so the numbers read without the bars (and without any script).

Made for a page served under a strict Content-Security-Policy: no ``<script>``, no event
attributes, no ``style=`` (``'unsafe-inline'`` would be needed for it); sizes and colours
are presentation attributes (``fill=``, ``font-size=``). Every piece of text is escaped,
since labels come from a workbook (a supplier named ``A&B <Systems>`` stays text). Screen
readers get ``role="img"``, a ``<title>`` and a ``<desc>`` that lists every bar. The same
series gives the same bytes. Knows nothing of migrations: labels and counts only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from docgen.formats.formatting import number

NHS_BLUE = "#005eb8"
#: Red, Amber, Green bars in NHS colours.
RAG_COLOURS = {"Red": "#d5281b", "Amber": "#ffb81c", "Green": "#007f3b"}
TEXT_COLOUR = "#212b32"  # NHS text black
RULE_COLOUR = "#aeb7bd"  # NHS grey 3, the axis line
EMPTY = "No migrations"

FONT = "Arial, Helvetica, sans-serif"
FONT_SIZE = 14
TITLE_SIZE = 16
CHAR_WIDTH = 8.0  # a generous average Arial glyph at 14px, so estimated widths rarely clip
MAX_LABEL = 48  # characters shown before a label is cut with an ellipsis
PAD = 16
GAP = 8
TITLE_HEIGHT = 28
ROW = 28
BAR = 18
BAR_AREA = 320  # the longest bar, in pixels

_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
# Characters XML 1.0 cannot hold at all (a cell may carry a stray control character).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def bar_chart(
    title: str,
    series: Sequence[tuple[str, int]],
    *,
    colours: Mapping[str, str] | None = None,
    chart_id: str | None = None,
    empty: str = EMPTY,
) -> str:
    """A horizontal bar chart of ``series`` as one ``<svg>`` element: the label left of
    each bar, the count right of it. ``colours`` maps a label to its bar's colour
    (``#rrggbb``; NHS blue otherwise); ``chart_id`` prefixes the ids ``aria-labelledby``
    points at (default: from the title; give one when two charts share a title on a
    page); an empty series draws ``empty`` instead of bars."""
    colours = colours or {}
    for label, colour in colours.items():
        if not _COLOUR.fullmatch(colour):
            raise ValueError(f"bar_chart: colour {colour!r} for {label!r} is not #rgb or #rrggbb.")
    for label, count in series:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"bar_chart: the count for {label!r} must be a whole number of 0 or more, not {count!r}.")
    ident = chart_id or "chart-" + (re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-") or "bars")
    ident = re.sub(r"[^A-Za-z0-9_-]", "-", ident)
    if not ident[0].isalpha():
        ident = "chart-" + ident
    counts = [number(count) for _, count in series]
    description = "; ".join(f"{_clean(label)}: {text}" for (label, _), text in zip(series, counts, strict=True))

    label_width = math.ceil(max((min(len(_clean(label)), MAX_LABEL) for label, _ in series), default=0) * CHAR_WIDTH)
    count_width = math.ceil(max((len(text) for text in counts), default=0) * CHAR_WIDTH)
    bars_x = PAD + label_width + GAP
    width = max(bars_x + BAR_AREA + GAP + count_width + PAD, math.ceil(len(title) * CHAR_WIDTH * 1.1) + 2 * PAD)
    rows = max(len(series), 1)
    height = PAD + TITLE_HEIGHT + rows * ROW + PAD

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{_attr(ident)}-title {_attr(ident)}-desc"'
        f' width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' font-family="{FONT}" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">',
        f'<title id="{_attr(ident)}-title">{_text(title)}</title>',
        f'<desc id="{_attr(ident)}-desc">{_text(description or empty)}</desc>',
        f'<text x="{PAD}" y="{PAD + TITLE_SIZE}" font-size="{TITLE_SIZE}" font-weight="bold">{_text(title)}</text>',
    ]
    top = PAD + TITLE_HEIGHT
    if not series:
        out.append(f'<text x="{PAD}" y="{_baseline(top)}">{_text(empty)}</text>')
    else:
        most = max(count for _, count in series)
        for i, ((label, count), text) in enumerate(zip(series, counts, strict=True)):
            row_top = top + i * ROW
            y = _baseline(row_top)
            bar = 0 if most == 0 else max(round(count / most * BAR_AREA), 2 if count else 0)
            out.append("<g>")
            out.append(f'<text x="{bars_x - GAP}" y="{y}" text-anchor="end">{_label(label)}</text>')
            if bar:
                fill = colours.get(label, NHS_BLUE)
                bar_y = row_top + (ROW - BAR) // 2
                out.append(f'<rect x="{bars_x}" y="{bar_y}" width="{bar}" height="{BAR}" fill="{fill}"/>')
            out.append(f'<text x="{bars_x + bar + GAP // 2 + 2}" y="{y}">{_text(text)}</text>')
            out.append("</g>")
        axis_bottom = top + len(series) * ROW
        out.append(f'<line x1="{bars_x}" y1="{top}" x2="{bars_x}" y2="{axis_bottom}" stroke="{RULE_COLOUR}"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _baseline(row_top: int) -> int:
    """The text baseline that centres a line of text in a row (no dominant-baseline
    attribute, which browsers honour unevenly)."""
    return row_top + ROW // 2 + round(FONT_SIZE * 0.35)


def _label(label: str) -> str:
    """A bar's label as text; a long one cut with an ellipsis, whole in its ``<title>``
    (a tooltip, and what assistive technology reads)."""
    clean = _clean(label)
    if len(clean) <= MAX_LABEL:
        return _text(clean)
    return f"<title>{_text(clean)}</title>{_text(clean[: MAX_LABEL - 1].rstrip())}\u2026"


def _clean(text: str) -> str:
    """``text`` without the characters XML cannot hold, on one line."""
    return " ".join(_NOT_XML.sub("", str(text)).split())


def _text(text: str) -> str:
    """Character data: ``&``, ``<`` and ``>`` escaped."""
    return escape(_clean(text))


def _attr(text: str) -> str:
    """An attribute value in double quotes: quotes escaped too."""
    return escape(_clean(text), {'"': "&quot;", "'": "&apos;"})
