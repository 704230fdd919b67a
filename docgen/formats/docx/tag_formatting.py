"""Formatting that starts or ends inside a field: a warning, because it is lost.

When an admin makes part of ``{{ practice.name }}`` bold in Word, the tag is split over
runs with different formatting. docxtpl's preparation (which docgen uses, so letters are
docxtpl's) joins a tag's runs into its first, so the whole value takes the formatting of
the opening brace, and any text after the tag in the last run takes it too. Nothing
fails, which is why ``docgen templates check`` says so: the fix is to select the whole
field, braces included, and format it as one.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from docgen.errors import TemplateError
from docgen.formats.docx.parts import PARSER, PROPERTIES, TemplatePart, W
from docgen.formats.docx.prepare import read_template

_P, _R, _T, _TAB, _RPR = (f"{{{W}}}{n}" for n in ("p", "r", "t", "tab", "rPr"))
# Printed fields and inline blocks; {%p %}, {%tr %} and {%tc %} take their paragraph, row
# or cell with them, so their own formatting never shows.
_TAG = re.compile(r"\{\{.*?\}\}|\{%(?![ -]*(?:p|tr|tc)\s).*?%\}")
# Run properties that change nothing a reader sees: the proofing language, "do not check
# spelling", and editing-session ids (Word splits runs by these all the time).
_INVISIBLE = {f"{{{W}}}{n}" for n in ("lang", "noProof", "rtl", "webHidden", "rPrChange")}


def formatting_warnings(path: Path) -> list[str]:
    """One warning for each field in the template at ``path`` whose characters do not all
    share one formatting, naming the part, the field and its paragraph. A template that
    cannot be read gives none here (``docgen templates check`` reports it as an error)."""
    try:
        source = read_template(Path(path))
    except TemplateError:
        return []
    return parts_warnings(source.name, source.parts)


def parts_warnings(template: str, parts: list[TemplatePart]) -> list[str]:
    """:func:`formatting_warnings` of a template already read (its templated ``parts``,
    as a prepared template keeps them), so a run need not read the file again."""
    warnings = []
    for part in parts:
        if part.kind == PROPERTIES:
            continue
        for paragraph_text, tag in _mixed_tags(part.original):
            warnings.append(
                f'{template} ({part.kind}): the field "{tag}" has formatting that starts or ends inside it. '
                'docgen cannot keep it: the whole field takes the formatting of its opening "{", and text after '
                "the field in the same run may change too. Select the whole field, braces included, and format it "
                f'as one. In the paragraph "{paragraph_text}".'
            )
    return warnings


def _mixed_tags(xml: bytes) -> list[tuple[str, str]]:
    """(paragraph text, tag) for each tag whose characters come from runs formatted
    differently, in document order."""
    found = []
    for p in etree.fromstring(xml, PARSER).iter(_P):
        spans: list[tuple[int, int, bytes]] = []
        pieces: list[str] = []
        length = 0
        for run in p.iter(_R):
            if _paragraph_of(run) is not p:
                continue  # a run of a paragraph nested in a text box is its own paragraph's
            text = "".join((el.text or "") if el.tag == _T else "\t" for el in run if el.tag in (_T, _TAB))
            if text:
                spans.append((length, length + len(text), _look(run)))
                pieces.append(text)
                length += len(text)
        text = "".join(pieces)
        if "{" not in text:
            continue
        for m in _TAG.finditer(text):
            looks = {look for start, end, look in spans if start < m.end() and end > m.start()}
            if len(looks) > 1:
                found.append((text.strip(), m.group(0)))
    return found


def _paragraph_of(run: etree._Element) -> etree._Element | None:
    parent = run.getparent()
    while parent is not None and parent.tag != _P:
        parent = parent.getparent()
    return parent


def _look(run: etree._Element) -> bytes:
    """The run's formatting as a reader sees it: its run properties without the
    invisible ones, canonical so attribute order and prefixes do not count."""
    rpr = run.find(_RPR)
    if rpr is None or len(rpr) == 0:
        return b""
    copy = etree.fromstring(etree.tostring(rpr))
    for el in list(copy):
        if el.tag in _INVISIBLE:
            copy.remove(el)
    return etree.tostring(copy, method="c14n") if len(copy) else b""
