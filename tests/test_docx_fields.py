"""Fields: unknown fields found, branches the example does not take included; the fields a
template may use, for ``docgen templates fields``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docx_build import example, make_docx

from docgen.formats.docx.check import check_template
from docgen.formats.docx.environment import make_environment
from docgen.formats.docx.fields import field_paths

FIX = 'Check its spelling against "docgen templates fields", or remove it from the template.'


def test_unknown_fields_are_each_reported_with_part_and_paragraph(tmp_path):
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
    issues = check_template(path, example(), make_environment())
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
