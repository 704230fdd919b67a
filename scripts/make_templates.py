"""Build the three Word letter templates with python-docx, so they are reviewed as code.

Usage: ``python scripts/make_templates.py OUTDIR`` (``make templates`` writes ``templates/``).

The templates are ordinary Word documents an admin can open, edit and save: docxtpl tags
(``{{ practice.name }}``, ``{%p if ... %}``, ``{%tr for c in costs %}``) stand where the
values go. Every field comes from :func:`docgen.documents.context.build_context`; nothing (no date,
no name) is typed into a template. Layout follows NHS letter conventions: A4, 2 cm
margins, Arial 11 pt, the ICB's name in NHS Blue top right, sender block top right,
recipient block left, a bold subject line, "Page X of Y" in the footer.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docgen.formats.files import atomic_write_bytes  # noqa: E402

FONT = "Arial"
NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
NHS_BLUE_HEX = "005EB8"
TEXT_COLOUR = RGBColor(0x21, 0x2B, 0x32)  # NHS identity text colour: softer than pure black
GREY = RGBColor(0x4C, 0x62, 0x72)
HEADER_FILL = "DCE6F2"  # light NHS blue: table header rows
LABEL_FILL = "F0F4F5"  # NHS pale grey: label column of detail tables
BORDER = "AEB7BD"
PAGE_WIDTH_CM = 21.0
MARGIN_CM = 2.0
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM
ADDRESS_CM = 8.8  # recipient column; the sender block takes the rest of the width
# Fixed so that rebuilding the templates gives the same bytes (reviewable diffs).
FIXED_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _names(names: str) -> tuple[str, ...]:
    return tuple(names.split())


# The order ECMA-376 Part 1 (Transitional) fixes for the children of the property elements
# this script adds to (§17.4 tables, §17.3 paragraphs and runs): Word drops a property out
# of order (lost shading and borders) or offers to "repair" the document.
_TBL_PR = _names(
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
    "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription tblPrChange"
)
_TR_PR = _names("cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader")
_TC_PR = _names(
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark"
)
_P_PR = _names(
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
)
_R_PR = _names(
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath rPrChange"
)


# -- document set-up ------------------------------------------------------------------


def new_document(title: str):
    """An empty A4 document with the house styles, headers and footers for ``title``."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(29.7)
    section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    _styles(doc)
    _headers_and_footers(doc, title)
    # The schema requires w:percent on w:zoom (CT_Zoom); python-docx's default has only bestFit.
    doc.settings.element.find(qn("w:zoom")).set(qn("w:percent"), "100")
    props = doc.core_properties
    # The practice in the title (filled in per letter): a PDF viewer's title bar, a screen
    # reader and a print queue then say whose letter it is, not only which kind.
    props.title = f"{title}: {{{{ practice.name }}}} ({{{{ practice.ods_code }}}})"
    props.subject = "GP clinical system migration"
    props.author = props.last_modified_by = "docgen"
    props.comments = ""
    props.language = "en-GB"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    return doc


def _put(parent, child, order: tuple[str, ...]) -> None:
    """Insert ``child`` into the property element ``parent`` where the schema's ``order``
    puts it (before the first later sibling present), not at the end."""
    later = order[order.index(child.tag.rpartition("}")[2]) + 1 :]
    parent.insert_element_before(child, *(f"w:{tag}" for tag in later))


def _fonts(rpr) -> None:
    """Arial for every script (Latin, East Asian, complex), replacing theme fonts, which
    would otherwise win in Word over an explicit font."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        _put(rpr, fonts, _R_PR)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _language(rpr, tag: str = "en-GB") -> None:
    """The proofing and reading language: screen readers and spell checkers take British
    English from here (python-docx's default template says en-US)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        _put(rpr, lang, _R_PR)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), tag)


def _styles(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(default_rpr)
    _language(default_rpr)

    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.font.color.rgb = TEXT_COLOUR
    _fonts(normal.element.get_or_add_rPr())
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.08

    def para_style(name, base="Normal", size=None, bold=None, colour=None, before=None, after=None, keep=False):
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        _fonts(style.element.get_or_add_rPr())
        f = style.font
        f.name = FONT
        f.italic = False
        if size is not None:
            f.size = Pt(size)
        if bold is not None:
            f.bold = bold
        f.color.rgb = colour or TEXT_COLOUR
        if before is not None:
            style.paragraph_format.space_before = Pt(before)
        if after is not None:
            style.paragraph_format.space_after = Pt(after)
        if keep:
            style.paragraph_format.keep_with_next = True
        return style

    for level, size in ((1, 12), (2, 11)):
        h = para_style(f"Heading {level}", size=size, bold=True, before=10, after=3, keep=True)
        h.paragraph_format.line_spacing = 1.0
    para_style(
        "Letterhead", size=14, bold=True, colour=NHS_BLUE, after=0
    ).paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # At least 11 pt for everything a reader reads (NHS accessibility guidance).
    para_style("Sender", size=11, after=0).paragraph_format.line_spacing = 1.0
    para_style("Address", after=0).paragraph_format.line_spacing = 1.0
    # The subject line is the letter's title: a real heading (level 1) for screen readers
    # and the tagged PDF; the sections below it are level 2.
    subject = para_style("Subject", base="Heading 1", size=12, bold=True, before=6, after=8, keep=True)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "0")
    _put(subject.element.get_or_add_pPr(), outline, _P_PR)
    para_style("Table Text", size=11, after=0).paragraph_format.line_spacing = 1.0
    para_style("Small Print", size=11, colour=GREY, after=0)
    para_style("Form Box", after=0)
    # Tags such as {%p if ... %} sit alone in their paragraph and vanish when a letter is
    # written; grey keeps them quiet for an admin editing the template in Word.
    para_style("Template Logic", size=8, colour=GREY, after=0)
    for name in ("List Number", "List Bullet"):
        para_style(name, after=2)
    for name in ("Header", "Footer"):
        s = para_style(name, size=9, colour=GREY, after=0)
        ppr = s.element.get_or_add_pPr()
        old_tabs = ppr.find(qn("w:tabs"))
        if old_tabs is not None:  # Letter-size stops from python-docx's default template
            ppr.remove(old_tabs)
        s.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)


def _headers_and_footers(doc, title: str) -> None:
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    first = section.first_page_header.paragraphs[0]
    first.style = doc.styles["Letterhead"]
    first.add_run("{{ icb.name }}")
    _border(first, "bottom", NHS_BLUE_HEX, 12, space=4)

    later = section.header.paragraphs[0]
    later.style = doc.styles["Header"]
    later.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    later.add_run("{{ icb.name }}  ·  " + title + ": {{ practice.name }} ({{ practice.ods_code }})")

    for footer in (section.first_page_footer, section.footer):
        p = footer.paragraphs[0]
        p.style = doc.styles["Footer"]
        _border(p, "top", BORDER, 4, space=4)
        p.add_run("{{ migration.migration_id }}  ·  " + title + "  ·  {{ practice.ods_code }}\tPage ")
        _field(p, "PAGE")
        p.add_run(" of ")
        _field(p, "NUMPAGES")


def _border(paragraph, side: str, colour: str, size: int, space: int = 1) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        _put(ppr, borders, _P_PR)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), colour)
    borders.append(edge)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) Word and LibreOffice update when they lay out pages."""

    def run_with(child):
        r = paragraph.add_run()
        r._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# -- paragraphs and tables --------------------------------------------------------------


def para(container, text: str = "", style: str = "Normal", align=None, before: float | None = None):
    """A paragraph; ``**...**`` marks bold runs. A jinja tag is never split across runs."""
    if isinstance(container, _Cell) and _cell_unused(container):
        p = container.paragraphs[0]
        p.style = style
    else:
        p = container.add_paragraph(style=style)
    pos = 0
    for m in _BOLD.finditer(text):
        if m.start() > pos:
            p.add_run(text[pos : m.start()])
        p.add_run(m.group(1)).bold = True
        pos = m.end()
    if pos < len(text):
        p.add_run(text[pos:])
    if align is not None:
        p.alignment = align
    if before is not None:
        p.paragraph_format.space_before = Pt(before)
    return p


def _cell_unused(cell: _Cell) -> bool:
    ps = cell.paragraphs
    return len(ps) == 1 and not ps[0].runs and ps[0]._p.pPr is None


def tag(container, text: str):
    """A paragraph holding only a docxtpl paragraph tag such as ``{%p if costs %}``."""
    return para(container, text, "Template Logic")


def record_banner(doc, text: str):
    """The line a record copy carries under its subject (a step already done is a record,
    not something to send again); absent from a document that is due."""
    tag(doc, "{%p if stage.record %}")
    para(doc, "**Record copy, not to be sent again:** " + text)
    tag(doc, "{%p endif %}")


def heading(doc, text: str, level: int = 2):
    """A bold section heading (Word's Heading styles, so the navigation pane and screen
    readers list them); level 2, under the subject line's level 1."""
    return para(doc, text, f"Heading {level}")


def form_box(doc, prompt: str, lines: int = 4):
    """A bordered box for the practice to complete: the prompt in grey, then room to write."""
    t = table(doc, [TEXT_WIDTH_CM])
    r = row(t, [""])
    cell = r.cells[0]
    p = para(cell, prompt, "Small Print")
    p.paragraph_format.space_after = Pt(2)
    for _ in range(lines):
        para(cell, "", "Form Box")
    spacer(doc, 4)
    return t


def table(doc, widths: list[float], borders: bool = True):
    """A fixed-layout table with column ``widths`` in cm (summing to the text width)."""
    t = doc.add_table(rows=0, cols=len(widths))
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    t.autofit = False  # python-docx writes the one <w:tblLayout w:type="fixed"/>
    tbl_pr = t._tbl.tblPr
    edges = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{side}")
        if borders:
            e.set(qn("w:val"), "single")
            e.set(qn("w:sz"), "4")
            e.set(qn("w:space"), "0")
            e.set(qn("w:color"), BORDER)
        else:
            e.set(qn("w:val"), "nil")
        edges.append(e)
    _put(tbl_pr, edges, _TBL_PR)
    margins = OxmlElement("w:tblCellMar")
    for side, width in (("top", 45), ("left", 85 if borders else 0), ("bottom", 45), ("right", 85)):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:w"), str(width))
        e.set(qn("w:type"), "dxa")
        margins.append(e)
    _put(tbl_pr, margins, _TBL_PR)
    for col, width in zip(t._tbl.tblGrid.gridCol_lst, widths, strict=True):
        col.w = Cm(width)
    t._widths = widths
    return t


def row(
    t, cells: list[str], *, header: bool = False, fill: str | None = None, label: bool = False, right=(), keep=False
):
    """Add a row; ``header`` rows repeat on each page and are bold on light blue;
    ``label`` shades and bolds the first cell (detail tables); ``right`` lists the
    indexes of right-aligned (money) columns."""
    r = t.add_row()
    tr_pr = r._tr.get_or_add_trPr()
    _put(tr_pr, OxmlElement("w:cantSplit"), _TR_PR)
    if header:
        _put(tr_pr, OxmlElement("w:tblHeader"), _TR_PR)
    for i, (cell, text) in enumerate(zip(r.cells, cells, strict=True)):
        cell.width = Cm(t._widths[i])
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        for line in text.split("\n"):
            p = para(cell, f"**{line}**" if (header or (label and i == 0)) and line else line, "Table Text")
            # A header row keeps with the first row below it (no header alone at the foot
            # of a page); ``keep`` rows (short label tables) keep with the next too, which
            # is how Word and LibreOffice hold a whole table on one page.
            p.paragraph_format.keep_with_next = header or keep
            if i in right:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        shade = HEADER_FILL if header else (LABEL_FILL if label and i == 0 else fill)
        if shade:
            _shade(cell, shade)
    return r


def tag_row(t, text: str):
    """A row holding only a docxtpl row tag (``{%tr for c in costs %}``); its cells are
    merged so the tag reads as one line in Word. It vanishes when a letter is written."""
    r = t.add_row()
    merged = r.cells[0].merge(r.cells[-1]) if len(r.cells) > 1 else r.cells[0]
    merged.width = Cm(sum(t._widths))
    para(merged, text, "Template Logic")
    return r


def merge_first(r, upto: int) -> None:
    """Merge a row's cells ``0..upto`` (a "Total" label spanning the description columns)."""
    first = r.cells[0]
    texts = [p.text for p in r.cells[upto].paragraphs]
    merged = first.merge(r.cells[upto])
    # merge() concatenates the cells' paragraphs; keep only the label.
    for p in merged.paragraphs[1:]:
        if p.text in texts or not p.text:
            p._p.getparent().remove(p._p)


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    _put(tc_pr, shd, _TC_PR)


def details(doc, rows: list[tuple[str, str] | str], widths=(4.6, TEXT_WIDTH_CM - 4.6)):
    """A two-column label/value table; a plain string in ``rows`` is a row tag."""
    t = table(doc, list(widths))
    for item in rows:
        if isinstance(item, str):
            tag_row(t, item)
        else:
            row(t, list(item), label=True, keep=True)
    return t


def spacer(doc, points: float = 2):
    """An empty small paragraph: a little vertical room without a full blank line."""
    p = para(doc, "", "Small Print")
    p.paragraph_format.space_after = Pt(points)
    return p


# -- shared letter parts ----------------------------------------------------------------


def address_block(doc, recipient: list[str]) -> None:
    """Recipient left, sender block and date right, side by side as on NHS letters."""
    t = table(doc, [ADDRESS_CM, TEXT_WIDTH_CM - ADDRESS_CM], borders=False)
    r = t.add_row()
    left, right = r.cells
    left.width, right.width = Cm(ADDRESS_CM), Cm(TEXT_WIDTH_CM - ADDRESS_CM)
    spacer_p = para(left, "", "Address")
    spacer_p.paragraph_format.space_before = Pt(18)  # lines the address up with an envelope window
    for line in recipient:
        if line.startswith("{%p"):
            tag(left, line)
        else:
            para(left, line, "Address")
    para(right, "**{{ icb.name }}**", "Sender")
    tag(right, "{%p for line in icb.address_lines %}")
    para(right, "{{ line }}", "Sender")
    tag(right, "{%p endfor %}")
    para(right, "", "Sender")
    para(right, "{{ icb.sender_name }}", "Sender")
    para(right, "{{ icb.sender_title }}", "Sender")
    para(right, "Email: {{ icb.sender_email }}", "Sender")
    tag(right, "{%p if icb.sender_phone %}")
    para(right, "Telephone: {{ icb.sender_phone }}", "Sender")
    tag(right, "{%p endif %}")
    para(right, "", "Sender")
    para(right, "Our reference: {{ migration.migration_id }}", "Sender")
    para(right, "**Date: {{ letter_date|longdate }}**", "Sender")
    spacer(doc, 6)


def practice_recipient(doc) -> None:
    """The address block for letters to the practice manager at the practice."""
    address_block(
        doc,
        [
            "{{ practice_manager.name or 'The Practice Manager' }}",
            "{{ practice.name }}",
            "{%p for line in practice.full_address_lines %}",
            "{{ line }}",
            "{%p endfor %}",
        ],
    )


def signature(doc, copy_to: str | None = None):
    """The closing, room to sign, the sender's name and title, and an optional "Copy to"
    line in small grey: one paragraph, so its lines stay together on one page (LibreOffice
    does not always honour "keep with next" for the last paragraph of a letter)."""
    p = para(doc, "Yours sincerely,\n\n\n**{{ icb.sender_name }}**\n{{ icb.sender_title }}\n{{ icb.name }}", before=6)
    p.paragraph_format.keep_together = True
    if copy_to:
        p.add_run("\n\n")
        run = p.add_run(copy_to)
        run.font.color.rgb = GREY
    return p


# -- the three templates ----------------------------------------------------------------


def business_justification():
    """The practice's business justification, pre-filled by the ICB for the practice to
    check, complete where only it can speak, sign and return for the ICB's approval."""
    doc = new_document("Business justification")
    practice_recipient(doc)
    para(
        doc,
        "Business justification: change of GP clinical system for {{ practice.name }} ({{ practice.ods_code }})",
        "Subject",
    )
    record_banner(doc, "{{ icb.name }} approved this business justification on {{ letter_date|longdate }}.")
    para(
        doc,
        "This is {{ practice.name }}’s case for changing its GP clinical system: why, what it will cost and how "
        "it will be funded. {{ icb.name }} has pre-filled it from the migration plan (reference "
        "{{ migration.migration_id }}); the practice completes it and the ICB approves and funds the change."
        "{% if not stage.record %} Please check every section, complete the boxes marked “For the practice to "
        "complete”, sign section 10 and return it to {{ icb.sender_name }} at {{ icb.sender_email }}"
        "{% if dates.order and dates.order > letter_date %} before the order is placed on "
        "{{ dates.order|longdate }}{% endif %}.{% endif %}",
    )

    heading(doc, "1. The practice")
    details(
        doc,
        [
            ("Practice", "{{ practice.name }}"),
            ("ODS code", "{{ practice.ods_code }}"),
            ("ICB", "{{ icb.name }} ({{ icb.code }})"),
            "{%tr if practice.sub_icb_code %}",
            ("Sub-ICB location", "{{ practice.sub_icb_code }}"),
            "{%tr endif %}",
            "{%tr if practice.list_size %}",
            ("Registered list size", "{{ practice.list_size|number }} patients"),
            "{%tr endif %}",
            ("Address", "{{ practice.full_address_lines|join(', ') }}"),
        ],
    )

    heading(doc, "2. Current and proposed clinical system")
    details(
        doc,
        [
            ("Current system", "{{ migration.current_system }}, supplied by {{ migration.current_supplier }}"),
            ("Proposed new system", "{{ migration.new_system }}, supplied by {{ migration.new_supplier }}"),
            ("How it is bought", "A new Foundation solution, ordered by the ICB through the Buying Catalogue"),
            ("Framework", "{{ migration.framework or 'To be confirmed by the ICB before the order is placed' }}"),
            "{%tr if migration.order_reference %}",
            ("Order reference", "{{ migration.order_reference }}"),
            "{%tr endif %}",
            "{%tr if subsidiary_systems %}",
            ("Subsidiary systems", "{{ subsidiary_systems|join(', ') }}"),
            "{%tr endif %}",
        ],
    )
    para(
        doc,
        "{{ migration.new_system }} is available on the Buying Catalogue as a new Foundation solution. "
        "{% if migration.framework %}The ICB has confirmed that the framework to use is the "
        "{{ migration.framework }}.{% else %}The ICB will confirm which framework applies.{% endif %} "
        "The ICB places and approves the order, and the system migration request goes to "
        "{{ migration.new_supplier }} with the provisional go-live date.",
        before=6,
    )

    heading(doc, "3. Why the practice wants to change")
    para(doc, "{{ migration.reason }}")
    form_box(
        doc,
        "For the practice to complete: the evidence behind these reasons (for example problems logged, "
        "staff and patient feedback, an evaluation of {{ migration.new_system }} by clinicians and staff).",
    )

    heading(doc, "4. The practice’s considerations and fit with local strategy")
    form_box(
        doc,
        "For the practice to complete: what the practice has considered (staff, training, workload, "
        "partner practices, patient services) and how the change fits {{ icb.name }}’s digital and primary "
        "care strategy.",
    )

    heading(doc, "5. Options considered")
    form_box(
        doc,
        "For the practice to complete: the options looked at (for example staying on "
        "{{ migration.current_system }}, moving to {{ migration.new_system }}, another system on the Buying "
        "Catalogue) and why this one was chosen.",
    )

    heading(doc, "6. Provisional go-live date")
    para(
        doc,
        "{% if given.order and dates.order <= letter_date %}The provisional go-live date, agreed when the order "
        "was placed on {{ dates.order|longdate }}, is **{{ dates.go_live|daydate }}**."
        "{% else %}The provisional go-live date is **{{ dates.go_live|daydate }}**, to be agreed by the practice, "
        "the ICB, {{ migration.new_supplier }}{% if it_delivery_partner %} and {{ it_delivery_partner }}{% endif %} "
        "before the order is placed.{% endif %} {{ go_live_rationale }}",
    )

    heading(doc, "7. Costs and funding")
    tag(doc, "{%p if costs %}")
    t = table(doc, [3.3, 7.7, 3.0, 3.0])
    row(t, ["Category", "Description", "One-off or recurring", "Amount"], header=True, right=(3,))
    tag_row(t, "{%tr for c in costs %}")
    row(
        t,
        [
            "{{ c.category }}",
            "{{ c.description }}",
            "{{ c.recurrence }}{% if c.recurrence|lower == 'recurring' %} (a year){% endif %}",
            "{{ c.amount|money }}",
        ],
        right=(3,),
    )
    tag_row(t, "{%tr endfor %}")
    tag_row(t, "{%tr if one_off_total %}")
    merge_first(row(t, ["**One-off costs**", "", "", "**{{ one_off_total|money }}**"], fill=LABEL_FILL, right=(3,)), 2)
    tag_row(t, "{%tr endif %}")
    tag_row(t, "{%tr if recurring_total %}")
    merge_first(
        row(t, ["**Recurring costs, a year**", "", "", "**{{ recurring_total|money }}**"], fill=LABEL_FILL, right=(3,)),
        2,
    )
    tag_row(t, "{%tr endif %}")
    para(
        doc,
        "These costs cover {{ cost_categories|map('lower')|join(', ') }}"
        "{% if recurring_total %}; recurring costs are shown for a year, for as long as the practice uses the "
        "service{% endif %}.",
        before=6,
    )
    para(doc, "Funding requested, by source:").paragraph_format.keep_with_next = True
    t = table(doc, [7.7, 4.65, 4.65])
    row(t, ["Funding source", "One-off", "Recurring, a year"], header=True, right=(1, 2))
    tag_row(t, "{%tr for f in funding %}")
    row(t, ["{{ f.source }}", "{{ f.one_off|money }}", "{{ f.recurring|money }}"], right=(1, 2))
    tag_row(t, "{%tr endfor %}")
    tag(doc, "{%p else %}")
    para(
        doc,
        "No costs have been entered for this migration yet. The practice and the ICB will agree them, and "
        "their funding, before the order is placed.",
    )
    tag(doc, "{%p endif %}")
    para(
        doc,
        "**Please note:** the technical survey{% if dates.survey and dates.survey > letter_date %}, planned for "
        "{{ dates.survey|longdate }},{% endif %} may find extra costs for new hardware or third-party set-up. "
        "{% if it_delivery_partner %}{{ it_delivery_partner }} and the ICB{% else %}The ICB{% endif %} will "
        "review any such costs as soon as possible, so that funding is available and the migration timeline "
        "stays on track.",
        before=6,
    )

    heading(doc, "8. Risks and how they will be managed")
    form_box(
        doc,
        "For the practice to complete: the risks the practice sees (for example data quality, staff "
        "availability around go-live, third-party systems, patient services during cut-over) and how each "
        "will be managed.",
    )

    heading(doc, "9. Cancellation charges and the old system")
    para(
        doc,
        "The practice has checked the ICB-Practice Agreement and understands that charges may apply if the "
        "migration is cancelled after the order has been placed. After go-live, {{ migration.current_system }} "
        "stays available read-only for {{ settings.legacy_access_days }} days, until "
        "**{{ dates.legacy_access_end|longdate }}**, so that staff can look up past records; before that date the "
        "practice makes sure that nothing it needs is held only in the old system.",
    )

    heading(doc, "10. Approval")
    t = table(doc, [3.4, 6.8, 6.8])
    row(t, ["", "Completed for the practice", "Approved for the ICB"], header=True)
    row(t, ["Name", "{{ lead_gp.name }}", "{{ icb.sender_name }}"], label=True, keep=True)
    row(t, ["Role", "{{ lead_gp.job_title or lead_gp.role }}", "{{ icb.sender_title }}"], label=True, keep=True)
    sig = row(t, ["Signature", "", ""], label=True, keep=True)
    sig.height = Cm(1.4)
    row(t, ["Date", "", ""], label=True)
    para(
        doc,
        "Pre-filled by {{ icb.sender_name }}, {{ icb.sender_title }}, {{ icb.name }} "
        "({{ icb.sender_email }}{% if icb.sender_phone %}, {{ icb.sender_phone }}{% endif %}).",
        "Small Print",
        before=8,
    )
    return doc


def data_extract_request():
    """The ICB's formal request to the current supplier for the practice's data extract."""
    doc = new_document("Data extract request")
    address_block(
        doc,
        [
            "{{ supplier_current.extract_contact_name or 'Data Migration Team' }}",
            "{{ supplier_current.name }}",
            "{%p for line in supplier_current.address_lines %}",
            "{{ line }}",
            "{%p endfor %}",
            "{%p if supplier_current.extract_contact_email %}",
            "By email: {{ supplier_current.extract_contact_email }}",
            "{%p endif %}",
        ],
    )
    para(doc, "Dear {{ supplier_current.extract_contact_name or 'colleague' }},")
    para(doc, "Data extract request: {{ practice.name }} ({{ practice.ods_code }})", "Subject")
    record_banner(doc, "this request was sent to {{ migration.current_supplier }} on {{ letter_date|longdate }}.")
    para(
        doc,
        "On behalf of {{ icb.name }}, I am making a formal request for a data extract for the practice below, "
        "under the contractual migration process that {{ migration.current_supplier }} follows as its current "
        "clinical system supplier. The practice is moving from {{ migration.current_system }} to "
        "{{ migration.new_system }}.",
    )
    details(
        doc,
        [
            ("Practice", "{{ practice.name }}"),
            ("ODS code", "{{ practice.ods_code }}"),
            ("ICB", "{{ icb.name }} ({{ icb.code }})"),
            ("Current system", "{{ migration.current_system }} ({{ migration.current_supplier }})"),
            ("New supplier and system", "{{ migration.new_supplier }}: {{ migration.new_system }}"),
            "{%tr if migration.order_reference %}",
            (
                "Order reference",
                "{{ migration.order_reference }}{% if dates.order %}, placed on the Buying Catalogue on "
                "{{ dates.order|longdate }}{% endif %}",
            ),
            "{%tr endif %}",
            ("Migration reference", "{{ migration.migration_id }}"),
        ],
    )

    heading(doc, "Dates")
    para(
        doc,
        "Please provide the initial data production (IDP) extract on **{{ dates.idp|daydate }}**. That is "
        "{{ extract_working_days }} working day{% if extract_working_days != 1 %}s{% endif %} after this request, "
        "{% if extract_working_days >= notice_days %}which allows the {{ notice_days }} working days’ notice that "
        "{{ migration.current_supplier }} may take.{% else %}less than the {{ notice_days }} working days’ notice "
        "that {{ migration.current_supplier }} may take: please tell us at once if you cannot meet it.{% endif %}",
    ).paragraph_format.keep_with_next = True
    details(
        doc,
        [
            ("Date of this request", "{{ dates.extract_request|longdate }}"),
            ("IDP (requested)", "**{{ dates.idp|daydate }}**"),
            ("FDP (expected)", "{{ dates.fdp|daydate }}"),
            ("Go-live (expected)", "{{ dates.go_live|daydate }}"),
        ],
    )

    heading(doc, "Delivery")
    para(
        doc,
        "Please send the extract directly to {{ migration.new_supplier }}, supplier to supplier, by secure "
        "internet-based file transfer. Please do not send patient data to the ICB or to the practice.",
    )

    heading(doc, "Other suppliers holding the practice’s data")
    tag(doc, "{%p if subsidiary_systems %}")
    para(
        doc,
        "The practice also uses {{ subsidiary_systems|join(', ') }} with {{ migration.current_system }}. Their "
        "suppliers hold some of the practice’s data and get requests of their own from the ICB, as some need up "
        "to five weeks’ notice; this request covers {{ migration.current_system }} only. Please tell us if any of "
        "them affects the extract or its timing.",
    )
    tag(doc, "{%p else %}")
    para(doc, "The practice has told us of no other systems linked to {{ migration.current_system }}.")
    tag(doc, "{%p endif %}")

    heading(doc, "Contacts for this request")
    tag(doc, "{%p if extract_contacts %}")
    t = table(doc, [3.6, 5.4, 8.0])
    row(t, ["Role", "Name", "Email and phone"], header=True)
    tag_row(t, "{%tr for c in extract_contacts %}")
    row(t, ["{{ c.role }}", "{{ c.name }}\n{{ c.organisation }}", "{{ c.email }}\n{{ c.phone }}"])
    tag_row(t, "{%tr endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Please reply to me; I will put you in touch with the practice and {{ migration.new_supplier }}.")
    tag(doc, "{%p endif %}")

    para(
        doc,
        "Please confirm by **{{ dates.reply_by|longdate }}** that you have received this request and that you "
        "can provide the extract on {{ dates.idp|longdate }}, by replying to {{ icb.sender_email }}. If you "
        "need a different date, please tell us as soon as possible, as a delay may affect the migration "
        "timeline.",
        before=8,
    ).paragraph_format.keep_with_next = True
    signature(doc, copy_to="Copy to: {{ copy_to|map(attribute='organisation')|join('; ') }}")
    return doc


def kick_off_invitation():
    """The invitation to the kick-off meeting, with its agenda (the guide's kick-off
    section) and the schedule of key dates as docgen proposes it."""
    doc = new_document("Kick-off invitation")
    practice_recipient(doc)
    para(doc, "Dear {{ practice_manager.name or 'Practice Manager' }},")
    para(doc, "Invitation to the migration kick-off meeting: {{ practice.name }} ({{ practice.ods_code }})", "Subject")
    record_banner(doc, "the kick-off meeting took place on {{ dates.kick_off|longdate }}.")
    para(
        doc,
        "{% if stage.record %}This was the invitation to the kick-off meeting for the move of {{ practice.name }} "
        "from {{ migration.current_system }} to {{ migration.new_system }}.{% else %}You are invited to the "
        "kick-off meeting for the move of {{ practice.name }} from {{ migration.current_system }} to "
        "{{ migration.new_system }}. Please share this invitation with the colleagues listed below.{% endif %}",
    )
    details(
        doc,
        [
            ("Date", "**{{ dates.kick_off|daydate }}**"),
            ("Time", "{{ kick_off.start|time24 }} to {{ kick_off.end|time24 }}"),
            (
                "Where",
                "{% if kick_off.location %}{% if kick_off.is_link %}Online: {% endif %}{{ kick_off.location }}"
                "{% else %}To be confirmed: we will send the venue or video link before the meeting{% endif %}",
            ),
        ],
        widths=(2.6, TEXT_WIDTH_CM - 2.6),
    )

    heading(doc, "Purpose")
    para(
        doc,
        "To bring together everyone who will work on the migration, agree the dates and who does what, and "
        "set up how we will work together until the practice is live on {{ migration.new_system }}.",
    )

    heading(doc, "Who is invited")
    tag(doc, "{%p if invitees %}")
    t = table(doc, [3.6, 5.4, 8.0])
    row(t, ["Role", "Name", "Email"], header=True)
    tag_row(t, "{%tr for c in invitees %}")
    row(t, ["{{ c.role }}", "{{ c.name }}\n{{ c.organisation }}", "{{ c.email }}"])
    tag_row(t, "{%tr endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "The list of attendees is being confirmed. Please tell us who from the practice will attend.")
    tag(doc, "{%p endif %}")

    heading(doc, "Agenda")
    agenda = (
        "Introductions, roles and responsibilities: who leads the migration and who does what",
        "The milestones and the week-by-week activities up to go-live on {{ dates.go_live|longdate }}",
        "Agree the dates, checked against bank holidays, busy times and staff leave and training",
        "How we will communicate: a regular (weekly) meeting, and how we tell third parties, staff and patients",
        "Data housekeeping before the extract: the practice tidies its data before the initial data "
        "production on {{ dates.idp|longdate }}",
        "Notice to third parties: electronic prescriptions need up to five weeks, document management about "
        "five days{% if subsidiary_systems %} ({{ subsidiary_systems|join(', ') }}){% endif %}",
        "Staff awareness and training on {{ migration.new_system }}",
        "The technical survey, hardware and network, and any costs it may find",
        "Risks, actions and next steps",
    )
    # The first item goes with the heading and the last two together, so neither is left
    # alone on a page; the list itself may break. No longer runs of "keep with next": a page
    # print pack converts letters together only when LibreOffice lays each out as it would
    # alone, which it does not for long runs (docgen.formats.docx_compose.LONG_KEEP_CHAIN).
    for i, item in enumerate(agenda):
        p = para(doc, item, "List Number")
        p.paragraph_format.keep_with_next = i in (0, len(agenda) - 2)

    heading(doc, "Schedule of key dates")
    para(
        doc,
        "These dates were proposed by the ICB from standard durations, with the dates already agreed marked "
        "Planned; at the meeting they are replaced by {{ migration.new_supplier }}’s schedule.",
    ).paragraph_format.keep_with_next = True
    t = table(doc, [5.5, 5.5, 3.7, 2.3])
    row(t, ["Milestone", "Date", "Owner", "Status"], header=True)
    tag_row(t, "{%tr for m in milestones %}")
    row(t, ["{{ m.label }}", "{{ m.start|daterange(m.end) }}", "{{ m.owner }}", "{{ m.status }}"])
    tag_row(t, "{%tr endfor %}")

    heading(doc, "Please bring")
    bring = (
        "Staff annual leave and training dates up to and just after go-live on {{ dates.go_live|longdate }}",
        "The third-party systems linked to {{ migration.current_system }}"
        "{% if subsidiary_systems %} (we have {{ subsidiary_systems|join(', ') }}){% endif %}",
        "Your plans for telling patients about the change",
        "Any local busy times, events or building work that could affect the dates",
    )
    for i, item in enumerate(bring):
        p = para(doc, item, "List Bullet")
        p.paragraph_format.keep_with_next = i in (0, len(bring) - 2)

    heading(doc, "Technical survey")
    para(
        doc,
        "The technical survey follows the meeting, ideally the next working day; it is planned for "
        "**{{ dates.survey|daydate }}**{% if it_delivery_partner %}, carried out by {{ it_delivery_partner }}"
        "{% endif %}. It checks the practice’s hardware, network and third-party set-up, and may be done "
        "remotely; we will confirm the arrangements at the meeting.{% if not stage.record %} Please let me "
        "know who will attend the meeting{% if dates.reply_by < dates.kick_off %} by "
        "{{ dates.reply_by|longdate }}{% endif %}, by replying to {{ icb.sender_email }}.{% endif %}",
    ).paragraph_format.keep_with_next = True  # the sign-off never stands alone on a last page
    signature(doc)
    return doc


BUILDERS = {
    "business-justification.docx": business_justification,
    "data-extract-request.docx": data_extract_request,
    "kick-off-invitation.docx": kick_off_invitation,
}


def to_bytes(doc) -> bytes:
    """The document as .docx bytes with fixed zip timestamps, so a rebuild is byte-identical."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def build(outdir: Path) -> list[Path]:
    """Write the three templates into ``outdir``; return their paths."""
    written = []
    for name, builder in BUILDERS.items():
        path = Path(outdir) / name
        atomic_write_bytes(path, to_bytes(builder()))
        path.chmod(0o644)  # a temporary file starts private; templates are for everyone to read
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    """Command line: build the templates into the folder given."""
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print("Usage: python scripts/make_templates.py OUTDIR", file=sys.stderr)
        return 2
    for path in build(Path(argv[0])):
        print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
