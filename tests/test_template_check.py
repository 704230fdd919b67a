"""Template checks: unknown fields, unbalanced blocks and syntax errors, in Word terms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from docx_build import make_docx

from docgen.errors import DocgenError, TemplateCheckFailed, TemplateError
from docgen.formats.docx.check import (
    TemplateIssue,
    check_template,
    check_templates,
    field_paths,
    raise_if_issues,
)
from docgen.formats.docx.render import make_environment

FIX = 'Check its spelling against "docgen templates fields", or remove it from the template.'
COST_ROWS = [["{%tr for c in costs %}", ""], ["{{ c.category }}", "{{ c.amount|money }}"], ["{%tr endfor %}", ""]]


def example() -> dict:
    return {
        "practice": {"name": "Marsh & Partners", "ods_code": "A81001", "list_size": 6250},
        "costs": [{"category": "Training", "amount": 1250}],
        "urgent": False,
        "go_live": dt.date(2026, 3, 31),
    }


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


def test_unknown_fields_are_each_reported_with_part_and_paragraph(tmp_path, env):
    rows = [["{%tr for c in costs %}", ""], ["{{ c.category }}", "{{ c.amont|money }}"], ["{%tr endfor %}", ""]]
    path = make_docx(
        tmp_path / "typos.docx",
        [
            "Dear {{ recipient }},",
            "{{ practice.nmae }} ({{ practice.ods_code }})",
            "{% if urgent %}List size {{ practice.lst_size }}{% endif %}",
            ("table", rows),
        ],
        header=["Ref {{ practice.ods }}"],
    )
    issues = check_template(path, example(), env)
    assert [(i.part, i.placeholder, i.paragraph) for i in issues] == [
        ("body", "recipient", "Dear {{ recipient }},"),
        ("body", "practice.nmae", "{{ practice.nmae }} ({{ practice.ods_code }})"),
        # in a branch the example does not take, found all the same
        ("body", "practice.lst_size", "{% if urgent %}List size {{ practice.lst_size }}{% endif %}"),
        ("body", "c.amont", "{{ c.amont|money }}"),
        ("header", "practice.ods", "Ref {{ practice.ods }}"),
    ]
    assert str(issues[1]) == (
        f'typos.docx (body): The field "practice.nmae" is not in the data for this letter. {FIX} '
        'In the paragraph "{{ practice.nmae }} ({{ practice.ods_code }})".'
    )


def test_unclosed_and_stray_blocks(tmp_path, env):
    path = make_docx(tmp_path / "blocks.docx", ["{% if urgent %}Urgent", "Text", "{% endfor %}"])
    assert [str(i) for i in check_template(path, example(), env)] == [
        'blocks.docx (body): "{% endfor %}" closes a "for" block, but the innermost open block is '
        '"{% if urgent %}" (in the paragraph "{% if urgent %}Urgent"): close that one first with "{% endif %}". '
        'In the paragraph "{% endfor %}".'
    ]
    path = make_docx(tmp_path / "open.docx", ["Costs", ("table", [["{%tr for c in costs %}"], ["{{ c.category }}"]])])
    (issue,) = check_template(path, example(), env)
    assert (issue.part, issue.paragraph, issue.placeholder) == (
        "body",
        "{%tr for c in costs %}",
        "{%tr for c in costs %}",
    )
    assert issue.message == (
        '"{%tr for c in costs %}" starts a "for" block that is never closed: add "{%tr endfor %}" where it '
        "should end (in a table row of its own)."
    )
    path = make_docx(tmp_path / "stray.docx", ["Hello", "{% endif %}"], footer=["{{ practice.name }}"])
    (issue,) = check_template(path, example(), env)
    assert str(issue) == (
        'stray.docx (body): "{% endif %}" closes an "if" block that was never opened: remove it, or add the '
        'matching opening tag before it. In the paragraph "{% endif %}".'
    )


def test_row_loop_closed_by_a_plain_tag_is_a_mismatch(tmp_path, env):
    rows = [["{%tr for c in costs %}", ""], ["{{ c.category }}", "{% endfor %}"]]
    path = make_docx(tmp_path / "mixed.docx", ["Costs", ("table", rows)])
    (issue,) = check_template(path, example(), env)
    assert str(issue) == (
        'mixed.docx (body): "{%tr for c in costs %}" is a table-row tag but "{% endfor %}" is a plain tag: tags '
        'of one block must be of the same kind, e.g. "{%tr endfor %}" (in a table row of its own). '
        'In the paragraph "{%tr for c in costs %}".'
    )


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


@dataclass(frozen=True)
class _Practice:
    name: str
    ods_code: str


def test_field_paths_flatten_the_context_for_templates_fields():
    context = {
        "practice": _Practice("Marsh & Partners", "A81001"),
        "icb": {"name": "NHS X ICB", "address": ["1 High St", "Leeds"]},
        "costs": [{"category": "Training", "amount": 1250}, {"category": "Other", "amount": 5}],
        "contacts": [],
        "go_live": dt.date(2026, 3, 31),
    }
    assert field_paths(context) == [
        ("practice.name", "Marsh & Partners"),
        ("practice.ods_code", "A81001"),
        ("icb.name", "NHS X ICB"),
        ("icb.address[0]", "1 High St"),
        ("costs[0].category", "Training"),
        ("costs[0].amount", 1250),
        ("contacts", []),
        ("go_live", dt.date(2026, 3, 31)),
    ]


def test_issue_reads_like_a_template_error():
    issue = TemplateIssue("a.docx", "header", "Ref {{ x }}", "x", "Unknown.")
    assert str(issue) == 'a.docx (header): Unknown. In the paragraph "Ref {{ x }}".'
    assert str(TemplateIssue("a.docx", None, None, None, "Broken.")) == "a.docx: Broken."
