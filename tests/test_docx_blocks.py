"""Block checks: every block closed, in order, by a tag of its kind, named by its paragraph."""

from __future__ import annotations

import pytest
from docx_build import example, make_docx

from docgen.errors import TemplateError
from docgen.formats.docx.check import check_template
from docgen.formats.docx.engine import PreparedTemplate
from docgen.formats.docx.environment import make_environment


@pytest.fixture
def env():
    return make_environment()


def test_unbalanced_row_loop_is_refused_when_loading(tmp_path):
    rows = [["{%tr for c in costs %}"], ["{{ c.category }}"]]
    path = make_docx(tmp_path / "unclosed.docx", ["Costs", ("table", rows)])
    with pytest.raises(TemplateError) as caught:
        PreparedTemplate.load(path, make_environment())
    assert str(caught.value) == (
        'unclosed.docx (body): "{%tr for c in costs %}" starts a "for" block that is never closed: add '
        '"{%tr endfor %}" where it should end (in a table row of its own). '
        'In the paragraph "{%tr for c in costs %}".'
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
