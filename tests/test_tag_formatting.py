"""Formatting that starts inside a field is lost when the letter is filled in; ``docgen
templates check`` (and a run) warn about it, naming the field and its paragraph."""

from __future__ import annotations

import io
import shutil

import docx
from click.testing import CliRunner
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from docx_build import example

from docgen.cli import main
from docgen.documents.catalogue import DEFAULT_TEMPLATE_DIR
from docgen.formats.docx.engine import PreparedTemplate
from docgen.formats.docx.environment import make_environment
from docgen.formats.docx.tag_formatting import formatting_warnings


def template(path, *runs, header=None):
    """A one-paragraph template from (text, bold, language) runs, as Word saves a field
    part of which was made bold."""
    document = docx.Document()
    paragraph = document.add_paragraph()
    for text, bold, lang in runs:
        run = paragraph.add_run(text)
        run.bold = bold or None
        if lang:
            el = OxmlElement("w:lang")
            el.set(qn("w:val"), lang)
            run._r.get_or_add_rPr().append(el)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    document.save(path)
    return path


def test_bold_starting_inside_a_field_is_warned_with_the_field_and_paragraph(tmp_path):
    path = template(tmp_path / "t.docx", ("Dear {{ prac", False, None), ("tice.name }} and team", True, None))
    (warning,) = formatting_warnings(path)
    assert warning.startswith('t.docx (body): the field "{{ practice.name }}" has formatting that starts or ends')
    assert warning.endswith('In the paragraph "Dear {{ practice.name }} and team".')
    # What the warning is about: the bold of "and team" is gone from the letter.
    letter = docx.Document(io.BytesIO(PreparedTemplate.load(path, make_environment()).render(example())))
    (paragraph,) = [p for p in letter.paragraphs if p.text]
    assert paragraph.text == "Dear Marsh & Partners and team"
    assert not any(run.bold for run in paragraph.runs)


def test_a_field_formatted_as_a_whole_or_split_by_spelling_language_is_fine(tmp_path):
    whole = template(tmp_path / "whole.docx", ("Dear ", False, None), ("{{ practice.name }}", True, None))
    proofing = template(tmp_path / "lang.docx", ("Dear {{ prac", False, "en-GB"), ("tice.name }}", False, "en-US"))
    assert formatting_warnings(whole) == []
    assert formatting_warnings(proofing) == []


def test_the_default_templates_have_no_such_warning():
    assert [w for p in sorted(DEFAULT_TEMPLATE_DIR.glob("*.docx")) for w in formatting_warnings(p)] == []


def test_templates_check_prints_the_warning_and_still_passes(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("data-extract-request.docx", "kick-off-invitation.docx"):
        shutil.copy(DEFAULT_TEMPLATE_DIR / name, mine / name)
    template(
        mine / "business-justification.docx",
        ("For {{ practice.name }} (", False, None),
        ("{{ practice.ods_", True, None),
        ("code }})", False, None),
    )
    result = CliRunner().invoke(main, ["templates", "check", "--templates", str(mine)])
    assert result.exit_code == 0, result.output
    assert (
        'Warning: business-justification.docx (body): the field "{{ practice.ods_code }}" has formatting'
        in result.output
    )
    assert "business-justification.docx: OK" in result.output
