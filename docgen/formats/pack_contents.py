"""A print pack's contents page, made the way the letters are: a small Word document
(python-docx) that LibreOffice converts to PDF.

LibreOffice embeds the fonts the names need (so "Tŷ" stays "Tŷ", which the PDF's
built-in Helvetica cannot show), wraps a long title instead of cutting it, repeats the
table's heading row on a second contents page, and tags the page like the letters.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from docgen.errors import ConversionError
from docgen.formats.pdf import convert_to_pdf

_FONT = "Arial"  # as the letters' templates; LibreOffice sets it in Liberation Sans where Arial is missing
_LANGUAGE = "en-GB"
_TEXT_WIDTH, _PAGE_WIDTH = Mm(140), Mm(20)  # A4 less 25 mm margins: the names, then their page
# Rows of 11 pt on the first contents page (below a title of up to three lines) and on
# the next ones, and characters of a name per line: only a first guess at how many
# contents pages there will be (a wrong guess costs one more conversion).
_FIRST_PAGE_LINES, _LINES_PER_PAGE, _CHARS_PER_LINE = 32, 38, 80


def estimate_pages(titles: list[str]) -> int:
    """A first guess at how many contents pages ``titles`` take (long names wrap)."""
    lines = sum(1 + len(title) // _CHARS_PER_LINE for title in titles)
    return 1 + max(0, -(-(lines - _FIRST_PAGE_LINES) // _LINES_PER_PAGE))


def contents_pdfs(
    packs: list[tuple[str, list[tuple[str, int]], Path]], soffice: str, *, jobs: int = 1
) -> list[bytes | ConversionError]:
    """The contents pages of several packs (title, rows, pack), made by one LibreOffice call
    (``jobs`` processes) rather than one start-up a pack; for each, the PDF bytes or the error."""
    with tempfile.TemporaryDirectory(prefix="docgen-contents-") as tmp:
        sources = []
        for k, (title, rows, _) in enumerate(packs):
            source = Path(tmp) / f"contents{k:04d}.docx"
            _contents_docx(title, rows).save(str(source))
            sources.append(source)
        result = convert_to_pdf(sources, soffice=soffice, jobs=jobs)
        return [
            result[source].read_bytes()
            if source in result
            else ConversionError(
                f"LibreOffice could not make the contents page of the print pack {pack}. "
                "Check LibreOffice starts on this computer, then run again."
            )
            for source, (_, _, pack) in zip(sources, packs, strict=True)
        ]


def _contents_docx(title: str, rows: list[tuple[str, int]]) -> docx.document.Document:
    doc = docx.Document()
    _use_house_style(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(25)
    props = doc.core_properties
    props.title, props.language, props.author, props.comments = title, _LANGUAGE, "docgen", ""

    doc.add_heading(title, level=1)
    table = doc.add_table(rows=0, cols=2)
    table.autofit = False
    table.columns[0].width, table.columns[1].width = _TEXT_WIDTH, _PAGE_WIDTH  # LibreOffice reads these
    _add_row(table, "Contents", "Page", heading=True)
    for name, page in rows:
        _add_row(table, name, str(page), heading=False)
    return doc


def _use_house_style(doc: docx.document.Document) -> None:
    """Arial everywhere, 11 pt body, black 16 pt heading, language en-GB (which LibreOffice
    writes as the PDF's /Lang)."""
    styles = doc.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        for attr in [a for a in fonts.attrib if "theme" in a.lower()]:
            del fonts.attrib[attr]  # a theme font would win over the named one
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), _FONT)
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), _LANGUAGE)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    heading = doc.styles["Heading 1"]
    heading.font.size, heading.font.bold = Pt(16), True
    heading.font.color.rgb = RGBColor(0, 0, 0)
    heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(0), Pt(18)


def _add_row(table, name: str, page: str, *, heading: bool) -> None:
    """One row that never splits across pages; the heading row repeats on every page."""
    row = table.add_row()
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if heading:
        properties.append(OxmlElement("w:tblHeader"))
    for cell, text, width, align in (
        (row.cells[0], name, _TEXT_WIDTH, WD_ALIGN_PARAGRAPH.LEFT),
        (row.cells[1], page, _PAGE_WIDTH, WD_ALIGN_PARAGRAPH.RIGHT),
    ):
        cell.width = width
        paragraph = cell.paragraphs[0]
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(4)
        paragraph.add_run(text).bold = heading
        if heading:
            _rule_below(cell)


def _rule_below(cell) -> None:
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "999999")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    cell._tc.get_or_add_tcPr().append(borders)
