"""Template preparation: a .docx read into its zip members, and each templated part
made into jinja source by docxtpl's own XML preparation (``patch_xml``, the
``{%tr %}``/``{%p %}``/``{%tc %}`` tags), one ``<w:p>`` a line as docxtpl does.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from docgen.formats.docx import docxtpl_adapter
from docgen.formats.docx.file_check import check_file, check_macros
from docgen.formats.docx.package import Member, not_docx, read_member, read_members, read_package
from docgen.formats.docx.parts import PARSER, PROPERTIES, TemplatePart, W

_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_KINDS = {
    f"{_DOC_RELS}/header": "header",
    f"{_DOC_RELS}/footer": "footer",
    f"{_DOC_RELS}/footnotes": "footnotes",
}
# The package's document properties (File > Properties): filled in like the letter.
_PROPERTY_RELS = {
    f"{_PKG_RELS}/metadata/core-properties",
    f"{_DOC_RELS}/metadata/core-properties",  # the type some older writers use
    f"{_DOC_RELS}/custom-properties",
}
_XML_DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_BODY_MARK = "DOCGEN-BODY"
_TEMPLATED = re.compile(r"\{[{%#_]|_\}|[\t\x07\x0c]")


@dataclass
class DocxSource:
    """A .docx template read into its zip members and its templated parts."""

    name: str
    members: list[Member]
    parts: list[TemplatePart] = field(default_factory=list)


def _rels_targets(rels_xml: bytes, base: str) -> list[tuple[str, str]]:
    """(type, member) for each internal relationship of a .rels part."""
    out = []
    for rel in etree.fromstring(rels_xml, PARSER).iter(f"{{{_PKG_RELS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        member = target.lstrip("/") if target.startswith("/") else _join(base, target)
        out.append((rel.get("Type", ""), member))
    return out


def _join(base: str, target: str) -> str:
    parts = [p for p in base.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def read_template(path: Path) -> DocxSource:
    """Read a .docx template and prepare its templated parts with docxtpl's own XML
    preparation; parts without jinja tags are left out (their bytes are copied). A lock
    file, a password, an old .doc or macros are refused first (:mod:`.file_check`)."""
    path = Path(path)
    name = path.name
    raw = read_package(path)
    check_file(name, raw)
    members = read_members(raw, name)
    by_name = {m.name: m for m in members}
    source = DocxSource(name, members)
    try:
        check_macros(name, by_name)
        package_rels = _rels_targets(read_member(by_name, "_rels/.rels"), "")
        document = next(m for t, m in package_rels if t == f"{_DOC_RELS}/officeDocument")
        folder = document.rpartition("/")[0]
        doc_rels_name = f"{folder}/_rels/{document.rpartition('/')[2]}.rels" if folder else f"_rels/{document}.rels"
        doc_rels = _rels_targets(read_member(by_name, doc_rels_name), folder) if doc_rels_name in by_name else []
        source.parts.append(_body_part(document, read_member(by_name, document)))
        seen = set()
        for rel_type, member in doc_rels:
            kind = _REL_KINDS.get(rel_type)
            if kind is None or member in seen or member not in by_name:
                continue
            seen.add(member)
            xml = read_member(by_name, member)
            if xml.strip():
                source.parts.append(_other_part(member, kind, xml))
        for rel_type, member in package_rels:
            if rel_type in _PROPERTY_RELS and member in by_name and member not in seen:
                seen.add(member)
                source.parts.append(_properties_part(member, read_member(by_name, member)))
    except (KeyError, StopIteration, zipfile.BadZipFile, zlib.error, etree.XMLSyntaxError, UnicodeDecodeError) as err:
        raise not_docx(name, f"its Word XML is missing or damaged: {err}") from err
    source.parts = [p for p in source.parts if _TEMPLATED.search(p.source)]
    return source


def _with_paragraph_lines(xml: str) -> str:
    # docxtpl's render_xml_part puts each paragraph on its own line before jinja sees it.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _body_part(member: str, xml: bytes) -> TemplatePart:
    root = etree.fromstring(xml, PARSER)
    body = root.find(f"{{{W}}}body")
    if body is None:
        raise KeyError("w:body")
    body_xml = etree.tostring(body, encoding="unicode")
    body_open = body_xml[: body_xml.index(">") + 1]
    # The body sits inside w:document, which declares the namespaces already.
    inherited = set(root.nsmap.items())
    own = "".join(f' xmlns{":" + p if p else ""}="{u}"' for p, u in body.nsmap.items() if (p, u) not in inherited)
    tag = body_open[1:].split(" ", 1)[0].rstrip(">")
    body_open_short = body_open if body.attrib or body_open.endswith("/>") else f"<{tag}{own}>"
    root.replace(body, etree.Comment(_BODY_MARK))
    outer = etree.tostring(root, encoding="UTF-8", standalone=True)
    prefix, _, suffix = outer.partition(f"<!--{_BODY_MARK}-->".encode())
    part = TemplatePart(
        member,
        "body",
        _with_paragraph_lines(docxtpl_adapter.patch_xml(body_xml)),
        xml,
        prefix=prefix,
        suffix=suffix,
        body_open=body_open,
        body_open_short=body_open_short,
    )
    return part


def _other_part(member: str, kind: str, xml: bytes) -> TemplatePart:
    if kind == "footnotes":
        # docxtpl renders the footnotes part's text as stored, declaration included.
        text = xml.decode("utf-8")
        return TemplatePart(member, kind, _with_paragraph_lines(docxtpl_adapter.patch_xml(text)), xml)
    text = etree.tostring(etree.fromstring(xml, PARSER), encoding="unicode")
    return TemplatePart(
        member, kind, _with_paragraph_lines(docxtpl_adapter.patch_xml(text)), xml, prefix=_XML_DECLARATION
    )


def _properties_part(member: str, xml: bytes) -> TemplatePart:
    """A document-properties part (docProps/core.xml or custom.xml) as a template: an
    admin who types ``{{ practice.name }}`` into File > Properties > Title gets the
    practice's name there, as in the letter, instead of the tag. Its text is jinja source
    as it stands (no runs to join), one property a line, so a jinja line number points at
    a property; kept only if it has a tag."""
    root = etree.fromstring(xml, PARSER)
    for child in root:
        child.tail = "\n"
    if len(root):
        root.text = "\n"
    text = etree.tostring(root, encoding="unicode")
    return TemplatePart(member, PROPERTIES, docxtpl_adapter.patch_xml(text), xml, prefix=_XML_DECLARATION)
