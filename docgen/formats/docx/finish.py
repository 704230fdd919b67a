"""A rendered part finished as docxtpl finishes it: its post-render fixes (listing,
tables, drawing ids), with shortcuts that give the same bytes for much less work when
the fix cannot change anything, and a strict parse that refuses a broken letter."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from docgen.errors import TemplateError
from docgen.formats.docx import docxtpl_adapter
from docgen.formats.docx.environment import LINE_BREAK
from docgen.formats.docx.explain import docgen_bug
from docgen.formats.docx.parts import PROPERTIES, TemplatePart, W

_STRICT = etree.XMLParser(resolve_entities=False)

_NS = {"w": W}
_TABLES = etree.XPath("//w:tbl[w:tblGrid]", namespaces=_NS)
_GRID_COLUMNS = etree.XPath("count(w:tblGrid/w:gridCol)", namespaces=_NS)
_ROW_TOO_LONG = etree.XPath("boolean(.//w:tr[count(w:tc) > $columns])", namespaces=_NS)
_ROW_WIDE_ENOUGH = etree.XPath(
    "boolean(.//w:tr[count(w:tc[not(w:tcPr/w:gridSpan)]) + sum(w:tc/w:tcPr/w:gridSpan/@w:val) >= $columns])",
    namespaces=_NS,
)


def _grid_needs_fix(tree: etree._Element) -> bool:
    """Whether docxtpl's ``fix_tables`` would change a table (a ``{%tc %}`` loop made
    more or fewer cells than the grid has columns): it nearly never does, and asking is
    much cheaper than running it. Same rows as it counts (``.//w:tr``)."""
    for table in _TABLES(tree):
        columns = _GRID_COLUMNS(table)
        if _ROW_TOO_LONG(table, columns=columns) or not _ROW_WIDE_ENOUGH(table, columns=columns):
            return True
    return False


_DOCPR_ID = re.compile(rb'(<wp:docPr\s(?:[^>]*?\s)?id=")[^"]*(")')
_ANY_DOCPR = re.compile(rb"<([\w.-]+:)?docPr[\s/>]")


def _only_wp_docpr(data: bytes) -> bool:
    return all(prefix == b"wp:" for prefix in _ANY_DOCPR.findall(data))


def _renumber_docpr(data: bytes) -> bytes:
    """docxtpl's ``fix_docpr_ids`` on the serialised part: drawing ids 1001, 1002...
    in document order, so repeated pictures never share an id."""
    counter = iter(range(1001, 1 << 31))
    return _DOCPR_ID.sub(lambda m: m.group(1) + str(next(counter)).encode() + m.group(2), data)


def finish_part(part: TemplatePart, xml: str, template: str) -> bytes:
    """docxtpl's post-render steps on ``xml``, one part of a letter from ``template``, as
    the part's bytes. A strict parse refuses a broken letter, unless the template's shape
    (see :class:`~docgen.formats.docx.shape.Shape`) already proves every rendering well
    formed."""
    if part.kind == PROPERTIES:
        return _finish_properties(part, xml, template)
    if "\n" in xml:  # not from the unlined template (a one-character search is cheap)
        xml = xml.replace("\n<w:p", "<w:p")
    # "_" alone first: a one-character search is a memchr, the two-character ones
    # cost tens of microseconds on a letter, and most letters have no underscore.
    if "_" in xml and ("{_" in xml or "_}" in xml):
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if "\t" in xml or "\n" in xml or "\a" in xml or "\f" in xml:
        xml = _docxtpl(docxtpl_adapter.resolve_listing, xml, part, template)
    if part.kind == "body":
        if xml.startswith(part.body_open):
            xml = part.body_open_short + xml[len(part.body_open) :]
        data = part.prefix + xml.encode("utf-8") + part.suffix
    else:
        data = part.prefix + xml.encode("utf-8")
    body = part.kind == "body"
    tree = None
    if not part.well_formed or (body and part.grid_may_change):
        tree = _parse(part, data, template)
    if not body:
        return data
    changed = None
    if tree is not None and _grid_needs_fix(tree):
        changed = _docxtpl(docxtpl_adapter.fix_tables, data, part, template)
    if b"docPr" in data:
        if changed is None and tree is None and _only_wp_docpr(data):
            return _renumber_docpr(data)
        if changed is None:
            changed = tree if tree is not None else _parse(part, data, template)
        _docxtpl(docxtpl_adapter.fix_docpr_ids, changed, part, template)
    if changed is not None:
        data = etree.tostring(changed, encoding="UTF-8", standalone=True)
    return data


def _finish_properties(part: TemplatePart, xml: str, template: str) -> bytes:
    """A filled-in properties part, without the line before each property that
    preparation put there. A property is one line of plain text, so a value's
    line break (which printing made a Word line break) becomes a space, and tabs too.
    Parsed unless the template's shape proves every rendering well formed (as for the
    other parts): Word refuses a document whose properties are not."""
    xml = xml.replace("\n<", "<").replace(LINE_BREAK, " ").replace("\t", " ")
    data = part.prefix + xml.encode("utf-8")
    if not part.well_formed:
        _parse(part, data, template)
    return data


def _parse(part: TemplatePart, data: bytes, template: str) -> etree._Element:
    try:
        return etree.fromstring(data, _STRICT)
    except etree.XMLSyntaxError as err:
        raise TemplateError(
            f"Filling it in gave a document Word cannot open ({err.msg}). A {{%p %}}, {{%tr %}} or {{%tc %}} "
            "tag, or an {% if %} or {% for %} that spans paragraphs or table cells, is probably in the wrong "
            'place: run "docgen templates check".',
            template=template,
            part=part.kind,
        ) from err


def _docxtpl(fix: Callable[[Any], Any], arg: Any, part: TemplatePart, template: str) -> Any:
    """``fix(arg)``, one of docxtpl's post-render fixes; docxtpl failing on a document
    shape it does not expect (a table without a grid, a cell width that is not a number)
    is a :class:`TemplateError` naming the template and part."""
    try:
        return fix(arg)
    # Broad on purpose: docxtpl's fixes raise whatever their code meets (AttributeError,
    # TypeError, ValueError...) on an odd document. An exception from docgen's own code
    # (the adapter) is a bug, not a fault in the template, and stays one.
    except Exception as err:
        if docgen_bug(err):
            raise
        raise TemplateError(
            f"Finishing the filled-in document failed ({type(err).__name__}: {err}). "
            'Run "docgen templates check" and simplify the tables in this part.',
            template=template,
            part=part.kind,
        ) from err
