"""The template check: every problem of every template listed, in Word terms, before any letter."""

from __future__ import annotations

import pytest
from docx_build import example, make_docx

from docgen.errors import DocgenError, TemplateCheckFailed, TemplateError
from docgen.formats.docx.check import check_template, check_templates
from docgen.formats.docx.environment import make_environment
from docgen.formats.docx.issues import TemplateIssue, raise_if_issues

FIX = 'Check its spelling against "docgen templates fields", or remove it from the template.'
COST_ROWS = [["{%tr for c in costs %}", ""], ["{{ c.category }}", "{{ c.amount|money }}"], ["{%tr endfor %}", ""]]


@pytest.fixture
def env():
    return make_environment()


def test_a_good_template_has_no_issues(tmp_path, env):
    path = make_docx(
        tmp_path / "good.docx",
        [
            "{{ practice.name }} ({{ practice.ods_code }}) goes live on {{ go_live|longdate }}",
            ("table", COST_ROWS),
            "{% if practice.phone is defined %}Phone {{ practice.phone }}{% endif %}",
            "{%p if urgent %}",
            "Urgent.",
            "{%p endif %}",
        ],
        header=["{{ practice.name }}"],
    )
    assert check_template(path, example(), env) == []


def test_syntax_error_in_footer(tmp_path, env):
    path = make_docx(tmp_path / "syntax.docx", ["Fine {{ practice.name }}"], footer=["Page for {{ practice.name }"])
    (issue,) = check_template(path, example(), env)
    assert (issue.template, issue.part, issue.paragraph) == ("syntax.docx", "footer", "Page for {{ practice.name }")
    assert issue.message.startswith("A template tag is not valid: unexpected '}'")


def test_a_value_the_filter_cannot_format_is_reported(tmp_path, env):
    path = make_docx(tmp_path / "dates.docx", ["Go-live {{ go_live|longdate }}"])
    (issue,) = check_template(path, {**example(), "go_live": "soon"}, env)
    assert str(issue) == (
        "dates.docx (body): longdate needs a date but was given 'soon' (str). Check the value in the workbook, "
        'or the filter used in this paragraph. In the paragraph "Go-live {{ go_live|longdate }}".'
    )


def test_not_a_docx_is_one_issue(tmp_path, env):
    path = tmp_path / "letter.docx"
    path.write_bytes(b"PK\x03\x04 truncated")
    (issue,) = check_template(path, example(), env)
    assert (issue.template, issue.part) == ("letter.docx", None)
    assert issue.message.startswith("is not a Word document docgen can read")


def test_check_templates_and_raise_lists_every_issue(tmp_path, env):
    good = make_docx(tmp_path / "good.docx", ["{{ practice.name }}"])
    bad = make_docx(tmp_path / "bad.docx", ["{{ practice.nmae }}", "{{ when }}"])
    structure_only = make_docx(tmp_path / "other.docx", ["{% if x %}"])
    issues = check_templates(
        {"good": good, "bad": bad, "other": structure_only}, {"good": example(), "bad": example()}, env
    )
    assert [(i.template, i.placeholder) for i in issues] == [
        ("bad.docx", "practice.nmae"),
        ("bad.docx", "when"),
        ("other.docx", "{% if x %}"),
    ]
    with pytest.raises(TemplateCheckFailed) as caught:
        raise_if_issues(issues)
    err = caught.value
    assert isinstance(err, TemplateError) and isinstance(err, DocgenError)
    assert err.issues == issues
    assert str(err).splitlines() == [
        "The Word templates have 3 problem(s); no letter was written. Fix them in Word and run again:",
        f'  bad.docx (body): The field "practice.nmae" is not in the data for this letter. {FIX} '
        'In the paragraph "{{ practice.nmae }}".',
        f'  bad.docx (body): The field "when" is not in the data for this letter. {FIX} In the paragraph '
        '"{{ when }}".',
        '  other.docx (body): "{% if x %}" starts an "if" block that is never closed: add "{% endif %}" where it '
        'should end. In the paragraph "{% if x %}".',
    ]
    raise_if_issues([])  # nothing to report: no exception


def test_issue_reads_like_a_template_error():
    issue = TemplateIssue("a.docx", "header", "Ref {{ x }}", "x", "Unknown.")
    assert str(issue) == 'a.docx (header): Unknown. In the paragraph "Ref {{ x }}".'
    assert str(TemplateIssue("a.docx", None, None, None, "Broken.")) == "a.docx: Broken."
