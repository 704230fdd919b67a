"""Fields in a template's document properties (File > Properties: Title, Subject,
Keywords, Comments, custom properties) are filled in like the letter, or refused by name."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import convert_with_soffice
from docx_build import example, make_docx
from pypdf import PdfReader

from docgen.documents.catalogue import DEFAULT_TEMPLATE_DIR
from docgen.documents.example import example_context
from docgen.formats.docx.check import check_template
from docgen.formats.docx.engine import PreparedTemplate
from docgen.formats.docx.environment import make_environment

CUSTOM = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="ODS code">'
    "<vt:lpwstr>{{ practice.ods_code }}</vt:lpwstr></property></Properties>"
)


@pytest.fixture
def env():
    return make_environment()


def template_with_properties(path: Path, *, title: str, comments: str = "", custom: bool = False) -> Path:
    """A letter template whose Title (and Comments) an admin typed fields into, as Word's
    File > Info > Properties or LibreOffice's File > Properties would save them."""
    make_docx(path, ["Dear {{ practice.name }}"])
    document = docx.Document(str(path))
    document.core_properties.title = title
    document.core_properties.subject = "Migration of {{ practice.ods_code }}"
    document.core_properties.comments = comments
    document.save(str(path))
    if custom:
        _add_custom_properties(path)
    return path


def _add_custom_properties(path: Path) -> None:
    """docProps/custom.xml with one property, wired into the package as Word writes it."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["docProps/custom.xml"] = CUSTOM.encode()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/docProps/custom.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
    )
    members["_rels/.rels"] = members["_rels/.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'custom-properties" Target="docProps/custom.xml"/></Relationships>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def render(path: Path, env, context: dict) -> bytes:
    return PreparedTemplate.load(path, env).render(context)


def test_fields_in_the_title_subject_and_comments_are_filled(tmp_path, env):
    path = template_with_properties(
        tmp_path / "t.docx",
        title="{{ practice.name }}: data extract request",
        comments="List size {{ practice.list_size|number }}",
    )
    letter = docx.Document(io.BytesIO(render(path, env, example())))
    props = letter.core_properties
    # The practice's own name, escaped on the way in and read back as typed.
    assert props.title == "Marsh & Partners: data extract request"
    assert props.subject == "Migration of A81001"
    assert props.comments == "List size 6,250"
    assert check_template(path, example(), env) == []


def test_a_custom_property_is_filled(tmp_path, env):
    path = template_with_properties(tmp_path / "t.docx", title="Letter", custom=True)
    with zipfile.ZipFile(io.BytesIO(render(path, env, example()))) as z:
        assert "<vt:lpwstr>A81001</vt:lpwstr>" in z.read("docProps/custom.xml").decode()


def test_a_line_break_in_a_value_is_a_space_in_a_property(tmp_path, env):
    path = template_with_properties(tmp_path / "t.docx", title="{{ practice.name }}")
    context = {**example(), "practice": {**example()["practice"], "name": "Marsh\nPartners <Tŷ>"}}
    letter = docx.Document(io.BytesIO(render(path, env, context)))
    assert letter.core_properties.title == "Marsh Partners <Tŷ>"


def test_an_unknown_field_in_a_property_is_named_with_the_property(tmp_path, env):
    path = template_with_properties(tmp_path / "t.docx", title="{{ practice.nam }} letter")
    (issue,) = check_template(path, example(), env)
    assert issue.part == "document properties"
    assert "practice.nam" in issue.message
    assert str(issue).endswith('In the property "Title: {{ practice.nam }} letter".')


def test_a_syntax_error_in_a_property_is_named_with_the_property(tmp_path, env):
    path = template_with_properties(tmp_path / "t.docx", title="Letter", comments="For {{ practice.name }")
    (issue,) = check_template(path, example(), env)
    assert issue.part == "document properties"
    assert "Comments: For {{ practice.name }" in str(issue)


def test_properties_without_fields_are_copied_unchanged(tmp_path, env):
    path = make_docx(tmp_path / "plain.docx", ["Dear {{ practice.name }}"])
    with zipfile.ZipFile(path) as z:
        before = z.read("docProps/core.xml")
    with zipfile.ZipFile(io.BytesIO(render(path, env, example()))) as z:
        assert z.read("docProps/core.xml") == before


def test_the_pdf_title_is_the_filled_in_title(tmp_path, env):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    path = template_with_properties(tmp_path / "t.docx", title="{{ practice.name }}: data extract request")
    letter = tmp_path / "letter.docx"
    letter.write_bytes(render(path, env, example()))
    pdf = convert_with_soffice(soffice, letter, "pdf", tmp_path / "pdf")
    assert PdfReader(pdf).metadata.title == "Marsh & Partners: data extract request"


@pytest.mark.parametrize("key", ["business-justification", "data-extract-request", "kick-off-invitation"])
def test_each_default_letter_is_titled_with_its_practice(key, env):
    context = example_context(key)
    letter = docx.Document(io.BytesIO(render(DEFAULT_TEMPLATE_DIR / f"{key}.docx", env, context)))
    practice = context["practice"]
    assert letter.core_properties.title.endswith(f": {practice['name']} ({practice['ods_code']})")
    assert "{{" not in letter.core_properties.title
