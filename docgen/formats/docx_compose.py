"""Many letters as one Word document, so LibreOffice converts a whole print pack's worth
in one load (:mod:`docgen.formats.pdf_merged`) instead of paying its fixed cost per letter.

Each letter becomes its own section: its own first-page and other headers and footers,
page numbers restarting at 1, starting on a new page. "Page 2 of 3" must still count the
letter's pages, not the whole document's, and LibreOffice has no per-section page count
(it shows Word's SECTIONPAGES as the stale cached value): so each letter's NUMPAGES field
becomes ``PAGEREF`` to a bookmark at the end of that letter, which LibreOffice shows as
that page's number, restarted, i.e. the letter's page count. The same bookmarks, exported
as named destinations, tell :mod:`docgen.formats.pdf_cut` where each letter ends.

Only letters whose every other part (styles, numbering, settings, images, relationships,
properties) is byte-identical are composed together: the few templates make that the rule
within one kind of letter, and anything else (a letter with several sections, its own
page-number start, a different image) is kept apart rather than merged wrongly.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from docgen.formats.docx_lists import Lists, insert_after

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_DOCUMENT = "word/document.xml"
_DOCUMENT_RELS = "word/_rels/document.xml.rels"
_NUMBERING = "word/numbering.xml"
_PER_LETTER = re.compile(r"word/(header|footer)\d*\.xml$|word/_rels/(header|footer)\d*\.xml\.rels$")
# Each letter's own document properties (its title names its practice): the composite
# takes the first letter's; each letter's PDF is given its own title when it is cut.
_OWN_PROPERTIES = frozenset({"docProps/core.xml", "docProps/custom.xml"})
_DC = "http://purl.org/dc/elements/1.1/"
# A page total of the whole document; in a letter's own parts it becomes its own total.
_PAGE_TOTAL = re.compile(rb"\b(?:NUMPAGES|SECTIONPAGES)\b")
_BOOKMARK_ID = 0x7000_0000  # far above the ids Word and docgen's templates use


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def end_mark(index: int) -> str:
    """The bookmark (and PDF named destination) at the end of letter ``index``."""
    return f"docgenEnd{index:05d}"


class NotComposable(Exception):
    """This letter cannot be safely composed with others: convert it alone."""


def shared_key(path: Path) -> tuple | None:
    """What must be equal for letters to share one composite: every part but the body and
    the headers and footers (read from the zip's directory, so nothing is unpacked).
    None when the letter is not a .docx docgen can compose."""
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
    except (OSError, zipfile.BadZipFile):
        return None
    names = {info.filename for info in infos}
    if _DOCUMENT not in names or _DOCUMENT_RELS not in names:
        return None
    return tuple(
        sorted(
            (info.filename, info.CRC, info.file_size)
            for info in infos
            if info.filename != _DOCUMENT
            and not _PER_LETTER.match(info.filename)
            and info.filename not in _OWN_PROPERTIES
        )
    )


# LibreOffice 7.4 breaks a chain of "keep with next" paragraphs that cannot all fit where it
# starts at a point that depends on what was laid out before it: measured on the sample,
# a kick-off invitation's agenda (a heading and nine items kept together) broke after the
# heading when the letter was converted alone and after the first item when it followed
# another letter. A letter with such a chain is converted alone, so it reads the same.
LONG_KEEP_CHAIN = 3


def keep_chain(path: Path, styles_cache: dict) -> int:
    """The most paragraphs in a row, in the letter's body, kept with the next one
    ("keep with next", set on the paragraph or its style). ``styles_cache`` keeps each
    styles part's answer, read once for all the letters that share it."""
    with zipfile.ZipFile(path) as package:
        styles_info = package.getinfo("word/styles.xml") if "word/styles.xml" in package.namelist() else None
        key = (styles_info.CRC, styles_info.file_size) if styles_info else None
        if key not in styles_cache:
            styles_cache[key] = _kept_styles(package.read("word/styles.xml")) if styles_info else set()
        document = etree.fromstring(package.read(_DOCUMENT))
    kept_styles = styles_cache[key]
    body = document.find(_w("body"))
    longest = run = 0
    for element in body if body is not None else []:
        if element.tag != _w("p"):
            run = 0
            continue
        properties = element.find(_w("pPr"))
        keep = properties.find(_w("keepNext")) if properties is not None else None
        style = properties.find(_w("pStyle")) if properties is not None else None
        kept = _on(keep) if keep is not None else style is not None and style.get(_w("val")) in kept_styles
        run = run + 1 if kept else 0
        longest = max(longest, run)
    return longest


def _on(element) -> bool:
    return element.get(_w("val"), "true") not in ("0", "false", "off")


def _kept_styles(styles: bytes) -> set[str]:
    """Paragraph styles that keep with the next paragraph (through ``w:basedOn``)."""
    root = etree.fromstring(styles)
    own, based = {}, {}
    for style in root.findall(_w("style")):
        style_id = style.get(_w("styleId"))
        keep = style.find(f"{_w('pPr')}/{_w('keepNext')}")
        if keep is not None:
            own[style_id] = _on(keep)
        parent = style.find(_w("basedOn"))
        if parent is not None:
            based[style_id] = parent.get(_w("val"))
    kept = set()
    for style_id in set(own) | set(based):
        current, seen = style_id, set()
        while current and current not in seen and current not in own:
            seen.add(current)
            current = based.get(current)
        if current in own and own[current]:
            kept.add(style_id)
    return kept


@dataclass
class _Letter:
    body: list  # the body's elements, the final section properties last
    parts: dict[str, bytes]  # its headers and footers (and their relationships), renamed
    relationships: list  # the document's relationships to them, renamed


def letter_title(path: Path) -> str | None:
    """The letter's own title (File > Properties), which its PDF must carry: None when it
    has none or cannot be read (the cut letter then keeps the composite's)."""
    try:
        with zipfile.ZipFile(path) as package:
            core = etree.fromstring(package.read("docProps/core.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return None
    title = core.find(f"{{{_DC}}}title")
    return title.text if title is not None and title.text else None


def compose(letters: list[Path], out: Path) -> None:
    """Write ``out``: ``letters`` (which share :func:`shared_key`) one after another, each
    its own section. Raises :class:`NotComposable` naming the first letter that is not."""
    if not letters:
        raise ValueError("nothing to compose")
    with zipfile.ZipFile(letters[0]) as first:
        files = {info.filename: first.read(info) for info in first.infolist()}
    relationships = etree.fromstring(files[_DOCUMENT_RELS])
    types = etree.fromstring(files["[Content_Types].xml"])
    for name in [n for n in files if _PER_LETTER.match(n)]:
        del files[name]
        for override in types.findall(f"{{{_CT}}}Override"):
            if override.get("PartName") == "/" + name:
                types.remove(override)
    for rel in list(relationships):
        if rel.get("Type", "").rsplit("/", 1)[-1] in ("header", "footer"):
            relationships.remove(rel)

    lists = Lists(files.get(_NUMBERING), files.get("word/styles.xml"))
    document = etree.fromstring(files[_DOCUMENT])
    body = document.find(_w("body"))
    for child in list(body):
        body.remove(child)
    for index, path in enumerate(letters):
        letter = _read_letter(path, index, last=index == len(letters) - 1)
        if index:
            lists.restart(letter.body)
        body.extend(letter.body)
        files.update(letter.parts)
        for rel in letter.relationships:
            relationships.append(rel)
            kind = rel.get("Type").rsplit("/", 1)[-1]
            override = etree.SubElement(types, f"{{{_CT}}}Override")
            override.set("PartName", "/word/" + rel.get("Target"))
            override.set("ContentType", f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml")
    if lists.numbering is not None:
        files[_NUMBERING] = lists.xml()
    files[_DOCUMENT] = _xml(document)
    files[_DOCUMENT_RELS] = _xml(relationships)
    files["[Content_Types].xml"] = _xml(types)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, data in files.items():
            package.writestr(name, data)


def _read_letter(path: Path, index: int, *, last: bool) -> _Letter:
    """One letter's body, ending in its section (a section break unless ``last``), with a
    bookmark at its end, its page totals counting its own pages, and its headers and
    footers under names of its own."""
    try:
        with zipfile.ZipFile(path) as package:
            document = etree.fromstring(package.read(_DOCUMENT))
            own_rels = etree.fromstring(package.read(_DOCUMENT_RELS))
            by_id = {rel.get("Id"): rel for rel in own_rels}
            body = document.find(_w("body"))
            elements = list(body) if body is not None else []
            section = elements[-1] if elements else None
            if section is None or section.tag != _w("sectPr") or len(elements) < 2 or elements[-2].tag != _w("p"):
                raise NotComposable(f"{path}: the body does not end with a paragraph and its section")
            if sum(1 for _ in body.iter(_w("sectPr"))) > 1:
                raise NotComposable(f"{path}: more than one section")
            start = section.find(_w("pgNumType"))
            if start is not None and start.get(_w("start"), "1") != "1":
                raise NotComposable(f"{path}: page numbers start at {start.get(_w('start'))}")
            mark = end_mark(index)
            total = f"PAGEREF {mark}".encode()
            parts: dict[str, bytes] = {}
            new_rels: list = []
            for reference in section:
                if reference.tag not in (_w("headerReference"), _w("footerReference")):
                    continue
                rel = by_id.get(reference.get(f"{{{_R}}}id"))
                if rel is None or rel.get("TargetMode") == "External":
                    raise NotComposable(f"{path}: a header or footer without its part")
                target = rel.get("Target")
                name = f"l{index:05d}-{target.rsplit('/', 1)[-1]}"
                parts[f"word/{name}"] = _PAGE_TOTAL.sub(total, package.read(f"word/{target}"))
                own = f"word/_rels/{target.rsplit('/', 1)[-1]}.rels"
                if own in package.namelist():
                    parts[f"word/_rels/{name}.rels"] = package.read(own)
                new_id = f"rIdL{index:05d}{len(new_rels)}"
                new_rel = etree.Element(f"{{{_PKG}}}Relationship", Id=new_id, Type=rel.get("Type"), Target=name)
                new_rels.append(new_rel)
                reference.set(f"{{{_R}}}id", new_id)
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as err:
        raise NotComposable(f"{path}: {err}") from err

    numbering = section.find(_w("pgNumType"))
    if numbering is None:
        numbering = etree.Element(_w("pgNumType"))
        insert_after(section, numbering, _SECTION_BEFORE_PGNUMTYPE)
    numbering.set(_w("start"), "1")
    kind = section.find(_w("type"))
    if kind is not None:
        kind.set(_w("val"), "nextPage")
    last_paragraph = elements[-2]
    bookmark = etree.SubElement(last_paragraph, _w("bookmarkStart"))
    bookmark.set(_w("id"), str(_BOOKMARK_ID + index))
    bookmark.set(_w("name"), end_mark(index))
    etree.SubElement(last_paragraph, _w("bookmarkEnd")).set(_w("id"), str(_BOOKMARK_ID + index))
    for text in body.iter(_w("instrText")):
        if text.text:
            text.text = _PAGE_TOTAL.sub(total, text.text.encode()).decode()
    for simple in body.iter(_w("fldSimple")):
        simple.set(_w("instr"), _PAGE_TOTAL.sub(total, simple.get(_w("instr"), "").encode()).decode())
    if not last:
        # The letter's own section ends at its last paragraph: a section break, no extra paragraph.
        properties = last_paragraph.find(_w("pPr"))
        if properties is None:
            properties = etree.Element(_w("pPr"))
            last_paragraph.insert(0, properties)
        change = properties.find(_w("pPrChange"))
        if change is not None:
            change.addprevious(section)
        else:
            properties.append(section)
        elements = elements[:-1]
    return _Letter(elements, parts, new_rels)


# The children of w:sectPr that come before w:pgNumType, in schema order.
_SECTION_BEFORE_PGNUMTYPE = (
    "headerReference",
    "footerReference",
    "footnotePr",
    "endnotePr",
    "type",
    "pgSz",
    "pgMar",
    "paperSrc",
    "pgBorders",
    "lnNumType",
)


def _xml(element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)
