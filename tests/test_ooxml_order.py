"""Every letter docgen writes, and every template it ships, keeps the child order that
ECMA-376 Part 1 (Transitional) fixes for the property elements docgen writes: Word drops
a property out of order (lost shading, lost borders) or offers to "repair" the letter.

The sequences below are copied from the standard's schema (wml.xsd, ISO/IEC 29500-1
Transitional), not from docgen or python-docx, so an edit to ``scripts/make_templates.py``
or to a template that breaks the order fails here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sample import TODAY, sample_batch

from docgen.documents.catalogue import DEFAULT_TEMPLATE_DIR, DOCUMENTS
from docgen.pipeline import RunOptions, run
from docgen.workbook.starter import write_workbook

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _names(names: str) -> list[str]:
    return names.split()


# CT_TblPr (§17.4): CT_TblPrBase's sequence, then tblPrChange.
TBL_PR = _names(
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing tblInd "
    "tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription tblPrChange"
)
# CT_TcPr (§17.4): CT_TcPrBase's sequence, EG_CellMarkupElements (a choice of one), tcPrChange.
TC_PR = _names(
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark headers "
    "cellIns|cellDel|cellMerge tcPrChange"
)
# CT_PPr (§17.3.1): CT_PPrBase's sequence, then rPr, sectPr, pPrChange.
P_PR = _names(
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
)
# EG_RPrBase (§17.3.2). Transitional makes it a repeated choice (any order); ECMA-376's first
# edition made it this sequence, which is the order Word writes, so runs are held to it.
R_PR_BASE = _names(
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid vanish "
    "webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs em lang "
    "eastAsianLayout specVanish oMath"
)
R_PR = [*R_PR_BASE, "rPrChange"]  # CT_RPr (§17.3.2)
PARA_R_PR = ["ins", "del", "moveFrom", "moveTo", *R_PR_BASE, "rPrChange"]  # CT_ParaRPr: the rPr in a pPr
# CT_SectPr (§17.6): up to six header/footer references in any order, then EG_SectPrContents.
SECT_PR = _names(
    "headerReference|footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType pgNumType "
    "cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings sectPrChange"
)
# CT_TrPr (§17.4): CT_TrPrBase is a repeated choice (any order), then ins, del, trPrChange.
TR_PR_CHOICE = (
    "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden"
)
TR_PR = [TR_PR_CHOICE.replace(" ", "|"), "ins", "del", "trPrChange"]

SEQUENCES = {"tblPr": TBL_PR, "tcPr": TC_PR, "pPr": P_PR, "rPr": R_PR, "sectPr": SECT_PR, "trPr": TR_PR}
REPEATABLE = {"headerReference", "footerReference", *TR_PR_CHOICE.split()}  # a repeated choice


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sequence(element: etree._Element) -> list[str]:
    name = _local(element.tag)
    parent = element.getparent()
    if name == "rPr" and parent is not None and parent.tag == f"{{{W}}}pPr":
        return PARA_R_PR
    return SEQUENCES[name]


def order_problems(xml: bytes) -> list[str]:
    """Each property element in ``xml`` whose WordprocessingML children are out of the
    schema's order, unknown to it, or repeated where it allows one."""
    problems = []
    for element in etree.fromstring(xml).iter(*(f"{{{W}}}{name}" for name in SEQUENCES)):
        sequence = _sequence(element)
        # Elements of other namespaces (w14:...) are extensions a reader may ignore.
        children = [_local(c.tag) for c in element if isinstance(c.tag, str) and c.tag.startswith(f"{{{W}}}")]
        positions = []
        for child in children:
            at = [i for i, names in enumerate(sequence) if child in names.split("|")]
            positions.append(at[0] if at else -1)
        repeated = {c for c in children if children.count(c) > 1 and c not in REPEATABLE}
        if -1 in positions or positions != sorted(positions) or repeated:
            problems.append(f"<w:{_local(element.tag)}>: {' '.join(children)}")
    return problems


def part_problems(docx: Path) -> dict[str, list[str]]:
    """The out-of-order property elements of every XML part of ``docx``, by part."""
    found = {}
    with zipfile.ZipFile(docx) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                problems = order_problems(package.read(name))
                if problems:
                    found[name] = problems[:5]
    return found


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> list[Path]:
    """Every document of every migration of the sample, records included, as a run writes them."""
    folder = tmp_path_factory.mktemp("order")
    write_workbook(folder / "migrations.xlsx", sample_batch())
    run(folder / "migrations.xlsx", RunOptions(out=folder / "out", today=TODAY, all_documents=True, jobs=1))
    return sorted((folder / "out").rglob("*.docx"))


TEMPLATES = [DEFAULT_TEMPLATE_DIR / d.template for d in DOCUMENTS]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_part_of_every_template_keeps_the_schema_order(template):
    assert part_problems(template) == {}


def test_every_part_of_every_letter_keeps_the_schema_order(letters):
    assert {p.name for p in letters} == {d.template for d in DOCUMENTS}  # every kind of letter
    assert len(letters) > 3 * len(DOCUMENTS)
    assert {str(p): problems for p in letters if (problems := part_problems(p))} == {}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_tables_set_their_layout_once_and_word_gets_a_valid_zoom(template):
    with zipfile.ZipFile(template) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        settings = etree.fromstring(package.read("word/settings.xml"))
    tables = body.findall(f".//{{{W}}}tblPr")
    assert tables and all(len(t.findall(f"{{{W}}}tblLayout")) == 1 for t in tables)
    zoom = settings.find(f"{{{W}}}zoom")
    assert zoom is None or zoom.get(f"{{{W}}}percent") is not None  # CT_Zoom: percent is required


def test_the_check_finds_what_word_would_repair():
    """The faults the templates had: shading after vAlign, a second tblLayout, borders
    after tblLook."""
    w = f'xmlns:w="{W}"'
    assert order_problems(f"<w:tcPr {w}><w:tcW/><w:vAlign/><w:shd/></w:tcPr>".encode())
    assert order_problems(f"<w:tblPr {w}><w:tblLayout/><w:tblLook/><w:tblLayout/></w:tblPr>".encode())
    assert order_problems(f"<w:tblPr {w}><w:tblLook/><w:tblBorders/></w:tblPr>".encode())
    assert order_problems(f"<w:pPr {w}><w:rPr/><w:jc/></w:pPr>".encode())
    assert not order_problems(f"<w:trPr {w}><w:tblHeader/><w:cantSplit/></w:trPr>".encode())  # a choice
    assert not order_problems(
        f"<w:sectPr {w}><w:footerReference/><w:headerReference/><w:pgSz/><w:titlePg/></w:sectPr>".encode()
    )
