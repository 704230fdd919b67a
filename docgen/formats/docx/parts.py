"""A template's parts as the engine keeps them: the jinja source of each templated XML
part (body, headers, footers, footnotes) beside its original XML, for messages."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import jinja2
from jinja2 import nodes
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

#: The kind of the document-properties parts (docProps/core.xml, docProps/custom.xml): what
#: Word's File > Info > Properties and LibreOffice's File > Properties show (Title, Subject,
#: Keywords, Comments, custom properties). Named so, it is how a message points at them.
PROPERTIES = "document properties"
_W_P, _W_T = f"{{{W}}}p", f"{{{W}}}t"

# python-docx parses parts this way; using the same options keeps our XML docxtpl's.
PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


@dataclass
class TemplatePart:
    """One templated XML part: ``kind`` is body/header/footer/footnotes, ``member`` its zip
    name, ``source`` the jinja source docxtpl's preparation made of it (one ``<w:p>`` a
    line, as docxtpl does, so a jinja line number points at a paragraph)."""

    member: str
    kind: str
    source: str
    original: bytes
    prefix: bytes = b""
    suffix: bytes = b""
    body_open: str = ""
    body_open_short: str = ""
    well_formed: bool = False
    grid_may_change: bool = True
    template: jinja2.Template | None = None
    #: The same template without the paragraph lines, for rendering (see :mod:`~docgen.formats.docx.engine`).
    unlined: jinja2.Template | None = None
    _paragraphs: list[str] | None = None
    _ast: nodes.Template | None = None

    @property
    def paragraphs(self) -> list[str]:
        """Plain text of each paragraph of the original part, in order (for messages)."""
        if self._paragraphs is None:
            if self.kind == PROPERTIES:  # one property a line of the prepared source
                self._paragraphs = [t for line in self.source.split("\n") if (t := property_at(line))]
            else:
                self._paragraphs = paragraph_texts(self.original)
        return self._paragraphs

    def ast(self, env: jinja2.Environment) -> nodes.Template:
        """The parsed jinja source (only needed to explain an error)."""
        if self._ast is None:
            self._ast = env.parse(self.source)
        return self._ast


def paragraph_texts(xml: bytes) -> list[str]:
    """The text of every paragraph of a WordprocessingML part that has text, in order;
    a paragraph nested in a text box is its own entry."""
    root = etree.fromstring(xml, PARSER)
    texts: dict[etree._Element, list[str]] = {}
    for t in root.iter(_W_T):
        p = t.getparent()
        while p is not None and p.tag != _W_P:
            p = p.getparent()
        if p is not None:
            texts.setdefault(p, []).append(t.text or "")
    return ["".join(parts) for parts in texts.values()]


# Core properties by the names Word and LibreOffice show them under (the rest read as is).
_PROPERTY_NAMES = {"creator": "Author", "description": "Comments", "lastModifiedBy": "Last modified by"}


_PROPERTY_LINE = re.compile(r'<(?:[\w.-]+:)?([\w.-]+)(?:\s[^>]*?name="([^"]*)")?[^>]*>(?:<[^>]*>)*([^<]*)')


def property_at(line: str) -> str | None:
    """``Title: {{ practice.name }}`` for a line of a prepared properties part (one
    property a line), else None."""
    m = _PROPERTY_LINE.match(line)
    if m is None or not m.group(3).strip():
        return None
    local, custom, text = m.groups()
    name = custom or _PROPERTY_NAMES.get(local, local[:1].upper() + local[1:])
    return f"{name}: {html.unescape(text.strip())}"
