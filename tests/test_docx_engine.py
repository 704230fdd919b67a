"""The docx engine: same documents as docxtpl, safe values, errors in Word terms."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile
from decimal import Decimal

import docx
import pytest
from conftest import convert_with_soffice
from docx_build import make_docx
from docxtpl import DocxTemplate
from lxml import etree
from markupsafe import Markup

from docgen.errors import TemplateError
from docgen.formats.docx.engine import PreparedTemplate, TemplateEngine
from docgen.formats.docx.environment import make_environment

LETTER_BODY = [
    ("bold", "{{ icb.name }}", ""),
    "{{ icb.address }}",
    "{{ letter_date|longdate }}",
    ("bold", "Subject: ", "Moving {{ practice.name }} ({{ practice.ods_code }}) to {{ migration.new_system }}"),
    "The practice has {{ practice.list_size|number }} patients and goes live on {{ migration.go_live|daydate }}.",
    ("table", [["Category", "Description", "Amount"], ["{%tr for c in costs %}", "", ""],
               ["{{ c.category }}", "{{ c.description }}", "{{ c.amount|money }}"], ["{%tr endfor %}", "", ""]]),
    "Total: {{ total|money }}",
    "{%p if practice.list_size > 5000 %}",
    "A large practice: plan two training days.",
    "{%p endif %}",
    ("picture",),
    ("table", [["{%tc for m in milestones %}", "{{ m }}", "{%tc endfor %}"]]),
    "Notes: {{ notes }}",
    "Yours sincerely,",
]  # fmt: skip


def letter_context(name: str = "Dr Jones & Partners <Tŷ'r Ŵyn>") -> dict:
    return {
        "icb": {"name": "NHS Cwm Taf & District ICB", "address": "1 High Street\nCardiff\nCF10 1AA"},
        "practice": {"name": name, "ods_code": "W91001", "list_size": 6250},
        "migration": {"new_system": "SystmOne", "go_live": dt.date(2026, 3, 31)},
        "letter_date": dt.date(2026, 1, 5),
        "costs": [
            {"category": "Training", "description": "Two days' training for 12 staff", "amount": Decimal("1250")},
            {"category": "Hardware", "description": "Scanners\tx2", "amount": Decimal("-80.5")},
        ],
        "total": Decimal("1169.50"),
        "milestones": ["Kick-off", "IDP", "Go-live", "Review"],
        "notes": "Bring {{ 7*7 }} and {% if x %} as typed\x00\x0b\ufffe.",
    }


@pytest.fixture
def letter(tmp_path):
    return make_docx(
        tmp_path / "letter.docx",
        LETTER_BODY,
        header=["{{ icb.name }}", "Ref {{ practice.ods_code }}"],
        footer=["{{ practice.name }} page "],
        page_field=True,
    )


def engine_bytes(path, context) -> bytes:
    return PreparedTemplate.load(path, make_environment()).render(context)


def docxtpl_bytes(path, context) -> bytes:
    template = DocxTemplate(path)
    template.render(context, jinja_env=make_environment(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def canonical(name: str, data: bytes) -> bytes:
    root = etree.fromstring(data)
    if name == "docProps/core.xml":
        # docxtpl writes every core property it renders, even empty ones; docgen leaves
        # the template's core.xml as it is. Compare what is filled in.
        for el in list(root):
            if not (el.text or "").strip() and not len(el):
                root.remove(el)
    return etree.tostring(root, method="c14n")


def texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


COLUMN_LOOP = ("table", [["{%tc for m in milestones %}", "{{ m }}", "{%tc endfor %}"]])


@pytest.mark.parametrize("column_loop", [True, False], ids=["column-loop", "rows-only"])
def test_engine_writes_the_documents_docxtpl_writes(tmp_path, column_loop):
    body = LETTER_BODY if column_loop else [item for item in LETTER_BODY if item != COLUMN_LOOP]
    path = make_docx(tmp_path / "letter.docx", body, header=["{{ icb.name }}"], footer=["{{ practice.name }}"])
    # Both ways of finishing a body are compared: re-parsed to fix a table grid that a
    # {%tc %} loop changed, or (proved well formed at load) written as rendered.
    (body_part,) = [p for p in PreparedTemplate.load(path, make_environment()).parts if p.kind == "body"]
    assert (body_part.well_formed, body_part.grid_may_change) == (True, column_loop)

    ours = zipfile.ZipFile(io.BytesIO(engine_bytes(path, letter_context())))
    theirs = zipfile.ZipFile(io.BytesIO(docxtpl_bytes(path, letter_context())))
    assert sorted(ours.namelist()) == sorted(theirs.namelist())
    compared = 0
    for name in ours.namelist():
        if name.endswith((".xml", ".rels")):
            assert canonical(name, ours.read(name)) == canonical(name, theirs.read(name)), name
            compared += 1
        else:
            assert ours.read(name) == theirs.read(name), name
    assert compared >= 10
    document = ours.read("word/document.xml")
    assert b"W91001" in document and b'<wp:docPr id="1001"' in document
    if column_loop:  # the grid grew from 3 columns to the 4 milestones
        grid = etree.fromstring(document).xpath("count(//w:tbl[2]/w:tblGrid/w:gridCol)", namespaces={"w": body_ns()})
        assert grid == 4


def body_ns() -> str:
    return "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_values_appear_verbatim_and_dates_and_money_are_british(letter):
    paragraphs = texts(engine_bytes(letter, letter_context()))
    assert "Subject: Moving Dr Jones & Partners <Tŷ'r Ŵyn> (W91001) to SystmOne" in paragraphs
    assert "5 January 2026" in paragraphs
    assert "The practice has 6,250 patients and goes live on Tuesday 31 March 2026." in paragraphs
    assert "Total: £1,169.50" in paragraphs
    assert "A large practice: plan two training days." in paragraphs
    table = docx.Document(io.BytesIO(engine_bytes(letter, letter_context()))).tables[0]
    assert [c.text for c in table.rows[1].cells] == ["Training", "Two days' training for 12 staff", "£1,250.00"]
    assert [c.text for c in table.rows[2].cells] == ["Hardware", "Scanners\tx2", "-£80.50"]


def test_header_and_footer_are_filled_in(letter):
    document = docx.Document(io.BytesIO(engine_bytes(letter, letter_context("Marsh & Co"))))
    header = [p.text for p in document.sections[0].header.paragraphs]
    footer = document.sections[0].footer.paragraphs[0]
    assert header == ["NHS Cwm Taf & District ICB", "Ref W91001"]
    assert footer.text.startswith("Marsh & Co page ")
    assert footer._p.xpath("count(.//w:instrText[contains(., 'PAGE')])") == 1


def test_newline_in_a_value_is_a_line_break(letter):
    data = engine_bytes(letter, letter_context())
    paragraph = docx.Document(io.BytesIO(data)).paragraphs[1]
    assert paragraph.text == "1 High Street\nCardiff\nCF10 1AA"
    assert len(paragraph._p.xpath(".//w:br")) == 2


@pytest.mark.parametrize("block", [Markup(""), Markup("<w:p/>\n"), Markup("\n<w:p/>"), Markup("<w:p/>")])
def test_rendering_without_paragraph_lines_changes_no_byte(tmp_path, block):
    # Templates are compiled without docxtpl's line before each paragraph (for speed) and
    # with it (for error line numbers); a value that brings its own line break is rendered
    # with the lined one. Either way the bytes are those the lined template gives.
    path = make_docx(
        tmp_path / "lines.docx",
        [
            "Before {{ inline|safe }}",
            "{{p block }}",  # docxtpl prints it in place of the paragraph, next to the next one
            "{{ name }}",
            ("table", [["{%tr for c in costs %}"], ["{{ c }}"], ["{%tr endfor %}"]]),
        ],
        header=["{{ name }}"],
    )
    fast = PreparedTemplate.load(path, make_environment())
    lined = PreparedTemplate.load(path, make_environment())
    assert all(part.unlined is not None for part in fast.parts)
    for part in lined.parts:
        part.unlined = None
    context = {"inline": Markup("a\nb"), "block": block, "name": "Marsh & Co\nsecond line", "costs": ["a", "b"]}
    assert fast.render(context) == lined.render(context)


def test_remembered_headers_change_no_byte(letter):
    # Compressed headers and footers are remembered from letter to letter.
    names = ["Marsh & Co", "Other Surgery", "Marsh & Co", "Other Surgery"]
    engine = PreparedTemplate.load(letter, make_environment())
    assert [engine.render(letter_context(n)) for n in names] == [engine_bytes(letter, letter_context(n)) for n in names]


def test_template_code_in_a_value_is_printed_not_run_and_bad_characters_dropped(letter):
    paragraphs = texts(engine_bytes(letter, letter_context()))
    assert "Notes: Bring {{ 7*7 }} and {% if x %} as typed." in paragraphs
    assert not any("49" in p for p in paragraphs)


def test_same_input_gives_the_same_bytes_and_a_valid_zip(letter):
    template = PreparedTemplate.load(letter, make_environment())
    first, second = template.render(letter_context()), template.render(letter_context())
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert archive.testzip() is None
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert template.render(letter_context("Other Surgery")) != first


def test_a_block_that_would_break_the_document_is_refused_not_written(tmp_path):
    # An {% if %} opened in a paragraph and closed in a table cell: fine when true,
    # broken XML when false. The engine checks such templates on every render.
    path = make_docx(tmp_path / "spans.docx", ["Intro {% if flag %}shown", ("table", [["{% endif %} after"]])])
    template = PreparedTemplate.load(path, make_environment())
    assert "shown" in "".join(texts(template.render({"flag": True})))
    with pytest.raises(TemplateError) as caught:
        template.render({"flag": False})
    assert str(caught.value).startswith("spans.docx (body): Filling it in gave a document Word cannot open (")
    assert str(caught.value).endswith('is probably in the wrong place: run "docgen templates check".')


def test_engine_prepares_each_template_once(letter):
    engine = TemplateEngine()
    assert engine.template(letter) is engine.template(letter.parent / ".." / letter.parent.name / letter.name)
    assert "Total: £1,169.50" in texts(engine.render(letter, letter_context()))


def test_libreoffice_opens_an_engine_rendered_letter(letter, soffice, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    rendered = out / "rendered.docx"
    rendered.write_bytes(engine_bytes(letter, letter_context()))
    pdf = convert_with_soffice(soffice, rendered, "pdf", out)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Dr Jones & Partners <Tŷ'r Ŵyn>" in text
    assert "Tuesday 31 March 2026" in text
    assert "£1,250.00" in text
