"""The Word templates themselves: built by the script, NHS letter layout, fields all known."""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from letters_fixtures import all_text, parts_text, render

from docgen.documents.catalogue import DEFAULT_TEMPLATE_DIR, DOCUMENTS
from docgen.documents.example import example_context

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_templates.py"
PATHS = {d.key: DEFAULT_TEMPLATE_DIR / d.template for d in DOCUMENTS}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def _script():
    spec = importlib.util.spec_from_file_location("make_templates", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_templates_are_what_the_script_builds(tmp_path):
    written = _script().build(tmp_path)
    assert [p.name for p in written] == [d.template for d in DOCUMENTS]
    for path in written:
        committed = DEFAULT_TEMPLATE_DIR / path.name
        with zipfile.ZipFile(path) as new, zipfile.ZipFile(committed) as old:
            assert new.namelist() == old.namelist()
            for name in new.namelist():
                assert new.read(name) == old.read(name), f"{path.name}:{name} differs: run `make templates`"
    assert (tmp_path / DOCUMENTS[0].template).read_bytes() == _script().to_bytes(_script().business_justification())


@pytest.mark.parametrize("key", list(PATHS))
def test_a4_arial_and_margins(key):
    document = docx.Document(str(PATHS[key]))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    for margin in (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin):
        assert round(margin.cm, 2) == 2.0
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size) == ("Arial", Pt(11))
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for element in (fonts, defaults.find(qn("w:rFonts"))):
        assert {k.split("}")[1]: v for k, v in element.attrib.items()} == {
            "ascii": "Arial", "hAnsi": "Arial", "eastAsia": "Arial", "cs": "Arial"
        }  # fmt: skip
    heading = document.styles["Heading 1"]
    assert heading.font.bold and heading.font.name == "Arial"


@pytest.mark.parametrize("key", list(PATHS))
def test_letterhead_in_nhs_blue_and_page_x_of_y(key):
    document = docx.Document(str(PATHS[key]))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    letterhead = section.first_page_header.paragraphs[0]
    assert letterhead.text == "{{ icb.name }}"
    assert str(letterhead.style.font.color.rgb) == "005EB8" and letterhead.style.font.bold
    assert letterhead.alignment is None and letterhead.style.paragraph_format.alignment == 2  # right
    for footer in (section.first_page_footer, section.footer):
        xml = footer._element.xml
        assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
        assert re.search(r"<w:instrText[^>]*> NUMPAGES </w:instrText>", xml)
        assert footer.paragraphs[0].text.startswith("{{ migration.migration_id }}")


@pytest.mark.parametrize("key", list(PATHS))
def test_list_tables_have_a_styled_header_row_and_a_row_loop(key):
    document = docx.Document(str(PATHS[key]))
    loops = [t for t in document.tables if "{%tr for" in "".join(c.text for r in t.rows for c in r.cells)]
    assert loops, "each letter has at least one table filled by a row loop"
    for t in loops:
        first = t.rows[0]
        assert first._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
        for cell in first.cells:
            assert cell._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "DCE6F2"
            assert all(run.bold for p in cell.paragraphs for run in p.runs)
        assert t._tbl.tblPr.find(qn("w:tblBorders")).find(qn("w:insideH")).get(qn("w:val")) == "single"
        texts = [r.cells[0].text for r in t.rows]
        loop = next(i for i, text in enumerate(texts) if text.startswith("{%tr for"))
        assert "{%tr endfor %}" in texts[loop + 1 :]


@pytest.mark.parametrize("key", list(PATHS))
def test_templates_type_no_dates_names_or_amounts(key):
    text = all_text(PATHS[key])
    assert not re.search(rf"\b\d{{1,2}} ({MONTHS})\b|\b20\d\d\b|£\s*\d|\b[A-Y]\d{{5}}\b", text)
    example = example_context(key)
    for value in (example["practice"]["name"], example["icb"]["name"], example["icb"]["sender_name"]):
        assert value not in text


@pytest.mark.parametrize("key", list(PATHS))
def test_every_field_is_known_and_every_optional_part_shows(key):
    context = example_context(key)
    data = render(PATHS[key], context)  # StrictUndefined: an unknown field raises
    text = all_text(data)
    assert not re.search(r"\{\{|\{%|\}\}|%\}|\bNone\b", text)
    assert context["practice"]["name"] in parts_text(data)["body"]
    expected = {
        "business-justification": ["Sub-ICB location", "Registered list size", "Order reference", "Subsidiary systems",
                                   "Recurring costs", "Telephone: 0191 123 4567", "Funding source"],
        "data-extract-request": ["Order reference", "By email: ", "working days’ notice that", "Copy to: "],
        "kick-off-invitation": ["Online: https://", "Who is invited", "carried out by North East Digital Partnership"],
    }[key]  # fmt: skip
    for snippet in expected:
        assert snippet in text


def test_build_refuses_no_outdir(capsys):
    assert _script().main([]) == 2
    assert "Usage: python scripts/make_templates.py OUTDIR" in capsys.readouterr().err
