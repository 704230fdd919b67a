"""Template checks in Word terms: syntax errors, unbalanced blocks and unknown fields.

``docgen templates check`` and every batch run these before writing a letter, so a broken
template fails once, with every problem listed, rather than once per practice.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from docgen.errors import TemplateError
from docgen.formats.docx.blocks import block_issues
from docgen.formats.docx.engine import PreparedTemplate
from docgen.formats.docx.explain import syntax_error
from docgen.formats.docx.fields import unknown_field_issues
from docgen.formats.docx.issues import TemplateIssue, issue_from
from docgen.formats.docx.prepare import read_template


def check_template(
    path: Path, example_context: Mapping[str, Any], env: jinja2.Environment, prepared: dict | None = None
) -> list[TemplateIssue]:
    """Every problem of one template: syntax errors, unbalanced blocks, fields the
    example context does not have, and anything that stops the example rendering.

    A template with no problem was prepared for the trial render; it is put in
    ``prepared`` (by path) when given, so a batch need not prepare it again."""
    path = Path(path)
    try:
        source = read_template(path)
    except TemplateError as err:
        return [issue_from(path.name, None, err)]
    name = source.name
    issues: list[TemplateIssue] = []
    for part in source.parts:
        blocks = block_issues(part, name)
        if blocks:
            issues.extend(blocks)
            continue
        try:
            tree = env.parse(part.source)
        except jinja2.TemplateSyntaxError as err:
            issues.append(issue_from(name, part.kind, syntax_error(err, part, name)))
            continue
        issues.extend(unknown_field_issues(part, tree, example_context, env, name))
    if not issues:
        try:
            template = PreparedTemplate.load(path, env)
            template.render(example_context)
        except TemplateError as err:
            issues.append(issue_from(name, None, err))
        else:
            if prepared is not None:
                prepared[path] = template
    return issues


def check_templates(
    paths_by_name: Mapping[str, Path],
    examples: Mapping[str, Mapping[str, Any]],
    env: jinja2.Environment,
    prepared: dict | None = None,
) -> list[TemplateIssue]:
    """:func:`check_template` for each named template with its example context (a name
    with no example is checked for syntax and blocks only); ``prepared`` as there."""
    issues: list[TemplateIssue] = []
    for name, path in paths_by_name.items():
        example = examples.get(name)
        if example is None:
            issues.extend(_structure_only(Path(path), env))
        else:
            issues.extend(check_template(Path(path), example, env, prepared))
    return issues


def _structure_only(path: Path, env: jinja2.Environment) -> list[TemplateIssue]:
    try:
        source = read_template(path)
    except TemplateError as err:
        return [issue_from(path.name, None, err)]
    issues: list[TemplateIssue] = []
    for part in source.parts:
        blocks = block_issues(part, source.name)
        issues.extend(blocks)
        if not blocks:
            try:
                env.parse(part.source)
            except jinja2.TemplateSyntaxError as err:
                issues.append(issue_from(source.name, part.kind, syntax_error(err, part, source.name)))
    return issues
