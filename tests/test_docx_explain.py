"""Errors in Word terms: template, part, field and paragraph; docgen's own bugs are not
blamed on the admin's template."""

from __future__ import annotations

import datetime as dt

import pytest
from docx_build import example, make_docx

from docgen.errors import TemplateError
from docgen.formats import formatting
from docgen.formats.docx.check import check_template
from docgen.formats.docx.engine import PreparedTemplate
from docgen.formats.docx.environment import make_environment


def engine_bytes(path, context) -> bytes:
    return PreparedTemplate.load(path, make_environment()).render(context)


def test_missing_field_names_template_part_field_and_paragraph(tmp_path):
    path = make_docx(
        tmp_path / "business-justification.docx", ["Dear colleague,", "List size: {{ practice.list_size }}"]
    )
    with pytest.raises(TemplateError) as caught:
        engine_bytes(path, {"practice": {"name": "Marsh"}})
    err = caught.value
    assert str(err) == (
        'business-justification.docx (body): The field "practice.list_size" is not in the data for this letter. '
        'Check its spelling against "docgen templates fields", or remove it from the template. '
        'In the paragraph "List size: {{ practice.list_size }}".'
    )
    assert (err.template, err.part, err.placeholder) == ("business-justification.docx", "body", "practice.list_size")


def test_missing_field_in_header_in_a_loop_and_at_top_level(tmp_path):
    path = make_docx(tmp_path / "h.docx", ["Hello"], header=["Ref {{ practice.odscode }}"])
    with pytest.raises(TemplateError) as caught:
        engine_bytes(path, {"practice": {"ods_code": "A81001"}})
    assert (caught.value.part, caught.value.placeholder, caught.value.paragraph) == (
        "header",
        "practice.odscode",
        "Ref {{ practice.odscode }}",
    )

    rows = [["{%tr for c in costs %}", ""], ["{{ c.category }}", "{{ c.amont|money }}"], ["{%tr endfor %}", ""]]
    path = make_docx(tmp_path / "loop.docx", ["Costs", ("table", rows)])
    with pytest.raises(TemplateError) as caught:
        engine_bytes(path, {"costs": [{"category": "Training", "amount": 5}]})
    assert (caught.value.placeholder, caught.value.paragraph) == ("c.amont", "{{ c.amont|money }}")

    path = make_docx(tmp_path / "top.docx", ["Dear {{ recipient_name }},"])
    with pytest.raises(TemplateError) as caught:
        engine_bytes(path, {})
    assert (caught.value.placeholder, caught.value.paragraph) == ("recipient_name", "Dear {{ recipient_name }},")


def test_syntax_error_names_part_and_paragraph_when_loading(tmp_path):
    path = make_docx(tmp_path / "broken.docx", ["Fine", "Practice {{ practice.name }"], footer=["ok"])
    with pytest.raises(TemplateError) as caught:
        PreparedTemplate.load(path, make_environment())
    err = caught.value
    assert (err.template, err.part, err.paragraph) == ("broken.docx", "body", "Practice {{ practice.name }")
    assert str(err).startswith("broken.docx (body): A template tag is not valid: unexpected '}'")

    path = make_docx(tmp_path / "filter.docx", ["Go-live {{ go_live|britishdate }}"])
    with pytest.raises(TemplateError, match="No filter named 'britishdate'") as caught:
        PreparedTemplate.load(path, make_environment())
    assert caught.value.paragraph == "Go-live {{ go_live|britishdate }}"


def test_filter_given_no_date_fails_with_the_paragraph(tmp_path):
    path = make_docx(tmp_path / "dates.docx", ["Go-live: {{ go_live|longdate }}"])
    with pytest.raises(TemplateError) as caught:
        engine_bytes(path, {"go_live": None})
    assert str(caught.value) == (
        "dates.docx (body): longdate needs a date but was given nothing (the value is empty). Check the value in "
        'the workbook, or the filter used in this paragraph. In the paragraph "Go-live: {{ go_live|longdate }}".'
    )
    assert isinstance(caught.value.__cause__, Exception)


def test_sandbox_refuses_reaching_into_python(tmp_path):
    path = make_docx(tmp_path / "evil.docx", ["{{ practice.__class__.__mro__ }}"])
    with pytest.raises(TemplateError) as caught:
        engine_bytes(path, {"practice": {"name": "x"}})
    assert caught.value.paragraph == "{{ practice.__class__.__mro__ }}"


def test_an_error_the_template_itself_raises_names_the_paragraph(tmp_path):
    path = make_docx(tmp_path / "sums.docx", ["Intro", "Per room: {{ practice.list_size // practice.rooms }}"])
    with pytest.raises(TemplateError) as caught:
        engine_bytes(path, {"practice": {"list_size": 6250, "rooms": 0}})
    assert str(caught.value) == (
        "sums.docx (body): Filling in the template failed: ZeroDivisionError: integer division or modulo by zero. "
        'Check the tags in this paragraph. In the paragraph "Per room: {{ practice.list_size // practice.rooms }}".'
    )


def test_a_docgen_bug_while_filling_in_is_not_blamed_on_the_template(tmp_path, monkeypatch):
    # A stand-in for a bug in docgen's own filter code. Reported as "Filling in the
    # template failed ... Check the tags in this paragraph" it would send the admin looking
    # for a mistake in a template that has none; it must surface as the bug it is.
    monkeypatch.setattr(formatting, "_LONG", None)
    path = make_docx(tmp_path / "dates.docx", ["Go-live: {{ go_live|longdate }}"])
    template = PreparedTemplate.load(path, make_environment())
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'apply'"):
        template.render({"go_live": dt.date(1999, 12, 31)})
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'apply'"):
        check_template(path, {**example(), "go_live": dt.date(1999, 12, 30)}, make_environment())
