"""Template checks in Word terms: syntax errors, unbalanced blocks and unknown fields.

``docgen templates check`` and every batch run these before writing a letter, so a broken
template fails once, with every problem listed, rather than once per practice.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes

from docgen.errors import TemplateCheckFailed, TemplateError
from docgen.formats.docx.render import (
    PreparedTemplate,
    TemplatePart,
    dotted_name,
    paragraph_at,
    placeholder_at,
    read_template,
    render_error,
    syntax_error,
    unknown_field_message,
)


@dataclass(frozen=True)
class TemplateIssue:
    """One problem in a template, located as an admin finds it in Word: the file, the
    part (body/header/footer), the paragraph's text and the field or tag concerned."""

    template: str
    part: str | None
    paragraph: str | None
    placeholder: str | None
    message: str

    def __str__(self) -> str:
        where = self.template + (f" ({self.part})" if self.part else "")
        text = f"{where}: {self.message}"
        if self.paragraph:
            text += f' In the paragraph "{self.paragraph}".'
        return text


def raise_if_issues(issues: list[TemplateIssue]) -> None:
    """Stop a batch before any letter is written when a template has problems."""
    if issues:
        raise TemplateCheckFailed(issues)


def _issue(template: str, part: str | None, err: TemplateError) -> TemplateIssue:
    return TemplateIssue(template, err.part or part, err.paragraph, err.placeholder, err.message)


# --- Blocks: {% for %} ... {% endfor %}, and docxtpl's {%tr %}/{%tc %}/{%p %}/{%r %} kinds ---

_BLOCKS = {"for", "if", "macro", "call", "filter", "with", "block", "autoescape", "raw", "set"}
_MIDDLES = {"else": {"if", "for"}, "elif": {"if"}}
_STATEMENT = re.compile(r"\{%(.*?)%\}", re.DOTALL)
_KIND_NAMES = {"tr": "table-row", "tc": "table-cell", "p": "paragraph", "r": "run", "": "plain"}
_KIND_WHERE = {
    "tr": " (in a table row of its own)",
    "tc": " (in a table cell of its own)",
    "p": " (in a paragraph of its own)",
    "r": "",
    "": "",
}


@dataclass
class _Open:
    keyword: str
    kind: str
    tag: str
    paragraph: str


def _statement(inner: str) -> tuple[str, str, str]:
    """(kind, keyword, rest) of the inside of a ``{% %}`` tag as docxtpl reads it."""
    kind = ""
    if m := re.match(r"(tr|tc|p|r) ", inner):
        kind, inner = m.group(1), inner[m.end() :]
    inner = inner.strip().strip("-").strip()
    keyword, _, rest = inner.partition(" ")
    return kind, keyword, rest


def _closing(kind: str, keyword: str) -> str:
    return "{%" + (f"{kind} " if kind else " ") + f"end{keyword} %}}"


def block_issues(part: TemplatePart, template: str) -> list[TemplateIssue]:
    """Unbalanced blocks (an ``{% if %}`` without ``{% endif %}``, a stray ``{% endfor %}``)
    and mixed kinds (a ``{%tr for %}`` closed by a plain ``{% endfor %}``), each named by
    the paragraph where the tag was typed."""
    issues: list[TemplateIssue] = []
    stack: list[_Open] = []
    in_raw = False

    def add(message: str, tag: str, paragraph: str) -> None:
        issues.append(TemplateIssue(template, part.kind, paragraph, tag, message))

    for paragraph in part.paragraphs:
        for m in _STATEMENT.finditer(paragraph):
            tag = m.group(0)
            kind, keyword, rest = _statement(m.group(1))
            if in_raw:
                in_raw = keyword != "endraw"
                if not in_raw:
                    stack.pop()
                continue
            if keyword in _BLOCKS and not (keyword == "set" and "=" in rest):
                stack.append(_Open(keyword, kind, tag, paragraph))
                in_raw = keyword == "raw"
            elif keyword.startswith("end") and keyword[3:] in _BLOCKS:
                opened = keyword[3:]
                if not stack:
                    add(
                        f'"{tag}" closes {_a(opened)} block that was never opened: remove it, or add the '
                        "matching opening tag before it.",
                        tag,
                        paragraph,
                    )
                elif stack[-1].keyword != opened:
                    top = stack[-1]
                    add(
                        f'"{tag}" closes {_a(opened)} block, but the innermost open block is "{top.tag}" '
                        f'(in the paragraph "{top.paragraph}"): close that one first with '
                        f'"{_closing(top.kind, top.keyword)}".',
                        tag,
                        paragraph,
                    )
                    return issues  # the rest would only repeat this mistake
                else:
                    top = stack.pop()
                    if top.kind != kind:
                        add(_kind_mismatch(top, tag, kind), top.tag, top.paragraph)
            elif keyword in _MIDDLES and stack and stack[-1].keyword in _MIDDLES[keyword] and stack[-1].kind != kind:
                add(_kind_mismatch(stack[-1], tag, kind), tag, paragraph)
    for top in stack:
        add(
            f'"{top.tag}" starts {_a(top.keyword)} block that is never closed: add '
            f'"{_closing(top.kind, top.keyword)}" where it should end{_KIND_WHERE[top.kind]}.',
            top.tag,
            top.paragraph,
        )
    return issues


def _a(keyword: str) -> str:
    return ("an" if keyword[:1] in "aeiou" else "a") + f' "{keyword}"'


def _kind_mismatch(opened: _Open, tag: str, kind: str) -> str:
    return (
        f'"{opened.tag}" is a {_KIND_NAMES[opened.kind]} tag but "{tag}" is a {_KIND_NAMES[kind]} tag: '
        f'tags of one block must be of the same kind, e.g. "{_closing(opened.kind, opened.keyword)}"'
        f"{_KIND_WHERE[opened.kind]}."
    )


# --- Unknown fields -------------------------------------------------------------------


class _RecordingUndefined(jinja2.ChainableUndefined):
    """An undefined value that notes where it was used and lets the render go on, so one
    trial render finds every unknown field rather than the first. ``is defined`` and
    ``default`` do not use the value, so they are not reported."""

    __slots__ = ()
    sink: list = []
    template: jinja2.Template | None = None

    def _note(self) -> None:
        frame = sys._getframe(1)
        line = None
        while frame is not None:
            if frame.f_code.co_filename == "<template>" and type(self).template is not None:
                line = type(self).template.get_corresponding_lineno(frame.f_lineno)
                break
            frame = frame.f_back
        if self._undefined_obj is jinja2.utils.missing:
            type(self).sink.append((line, self._undefined_name, True))
        else:
            type(self).sink.append((line, self._undefined_name, False))

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> _RecordingUndefined:
        self._note()
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __div__ = __rdiv__ = _fail_with_undefined_error
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _fail_with_undefined_error
    __pos__ = __neg__ = __call__ = __lt__ = __le__ = __gt__ = __ge__ = __int__ = _fail_with_undefined_error
    __float__ = __complex__ = __pow__ = __rpow__ = _fail_with_undefined_error

    def __str__(self) -> str:
        self._note()
        return ""

    def __iter__(self):
        self._note()
        return iter(())

    def __bool__(self) -> bool:
        self._note()
        return False

    def __len__(self) -> int:
        self._note()
        return 0

    def __html__(self) -> str:
        return str(self)


def _defaulted_paths(tree: nodes.Template) -> set[str]:
    """Fields the template itself treats as optional (``is defined``, ``|default``)."""
    paths = set()
    for node in tree.find_all(nodes.Test):
        if node.name in ("defined", "undefined") and (dotted := dotted_name(node.node)):
            paths.add(dotted)
    for node in tree.find_all(nodes.Filter):
        if node.name in ("default", "d") and node.node is not None and (dotted := dotted_name(node.node)):
            paths.add(dotted)
    return paths


def _steps(node: nodes.Node) -> list[tuple[str, object]] | None:
    """``practice.address[0]`` as [("name", "practice"), ("attr", "address"), ("item", 0)]."""
    if isinstance(node, nodes.Name):
        return [("name", node.name)]
    if isinstance(node, nodes.Getattr):
        base = _steps(node.node)
        return base + [("attr", node.attr)] if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = _steps(node.node)
        return base + [("item", node.arg.value)] if base else None
    return None


def _static_unknowns(
    tree: nodes.Template, context: Mapping[str, Any], env: jinja2.Environment
) -> list[tuple[int, str, str]]:
    """(line, placeholder, failing step) for each field path that does not resolve in the
    example context, including in branches the example does not take. Loop variables
    stand for the first item of what they loop over."""
    optional = _defaulted_paths(tree)
    bound: dict[str, object] = {}
    for loop in tree.find_all(nodes.For):
        if isinstance(loop.target, nodes.Name):
            inner = loop.iter.node if isinstance(loop.iter, nodes.Filter) and loop.iter.node is not None else loop.iter
            steps = _steps(inner)
            value = _walk(steps, context, bound, env)[1] if steps else None
            if isinstance(value, list | tuple) and value:
                bound[loop.target.name] = value[0]
    found = []
    inner_nodes = {id(node.node) for node in tree.find_all((nodes.Getattr, nodes.Getitem)) if _steps(node)}
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if id(node) in inner_nodes:
            continue  # only the longest chain; its prefixes are checked on the way
        steps = _steps(node)
        if not steps or (steps[0][1] not in context and steps[0][1] not in bound):
            continue
        failing = _walk(steps, context, bound, env)[0]
        if failing is None:
            continue
        dotted = _join_steps(steps[: failing + 1])
        if any(dotted == p or dotted.startswith(p + ".") or dotted.startswith(p + "[") for p in optional):
            continue
        found.append((node.lineno, dotted, str(steps[failing][1])))
    return found


def _join_steps(steps: list[tuple[str, object]]) -> str:
    text = ""
    for kind, value in steps:
        if kind == "name":
            text = str(value)
        elif kind == "attr" or (isinstance(value, str) and value.isidentifier()):
            text += f".{value}"
        else:
            text += f"[{value!r}]"
    return text


def _walk(
    steps: list[tuple[str, object]], context: Mapping[str, Any], bound: Mapping[str, object], env: jinja2.Environment
) -> tuple[int | None, object]:
    """(index of the first step that does not resolve, or None; the value reached),
    looking things up exactly as jinja would (attribute first for ``a.b``)."""
    name = steps[0][1]
    if name in bound:
        value = bound[name]
    elif name in context:
        value = context[name]
    else:
        return 0, None
    for i, (kind, key) in enumerate(steps[1:], start=1):
        if callable(value) and not isinstance(value, Mapping):
            return None, None  # a method: its result is unknown without calling it
        value = env.getattr(value, key) if kind == "attr" else env.getitem(value, key)
        if isinstance(value, jinja2.Undefined):
            return i, None
    return None, value


def _trial_unknowns(
    part: TemplatePart, context: Mapping[str, Any], env: jinja2.Environment
) -> tuple[list[tuple[int | None, object, bool]], Exception | None]:
    """Render ``part`` with the example, noting every unknown field used instead of
    stopping at the first; also returns any other exception the render raised."""
    recorder = type("_Recorder", (_RecordingUndefined,), {"sink": [], "template": None})
    trial_env = env.overlay(undefined=recorder)
    template = trial_env.from_string(part.source)
    recorder.template = template
    try:
        template.render(context)
    except Exception as err:  # reported by the caller as an issue in this part
        return recorder.sink, err
    return recorder.sink, None


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
        return [_issue(path.name, None, err)]
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
            issues.append(_issue(name, part.kind, syntax_error(err, part, name)))
            continue
        issues.extend(_unknown_fields(part, tree, example_context, env, name))
    if not issues:
        try:
            template = PreparedTemplate.load(path, env)
            template.render(example_context)
        except TemplateError as err:
            issues.append(_issue(name, None, err))
        else:
            if prepared is not None:
                prepared[path] = template
    return issues


def _unknown_fields(
    part: TemplatePart, tree: nodes.Template, context: Mapping[str, Any], env: jinja2.Environment, name: str
) -> list[TemplateIssue]:
    found: dict[str, tuple[int | None, str]] = {}  # placeholder -> (line, needle)
    optional = _defaulted_paths(tree)
    for unknown in sorted(meta.find_undeclared_variables(tree) - set(context) - set(env.globals)):
        if unknown in optional:
            continue
        line = min((n.lineno for n in tree.find_all(nodes.Name) if n.name == unknown), default=None)
        found.setdefault(unknown, (line, unknown))
    for line, dotted, needle in _static_unknowns(tree, context, env):
        found.setdefault(dotted, (line, needle))
    records, failure = _trial_unknowns(part, context, env)
    for line, undefined, top_level in records:
        placeholder = placeholder_at(tree, line, undefined, top_level) or str(undefined)
        if placeholder.split(".")[0].split("[")[0] in env.globals:
            continue
        found.setdefault(placeholder, (line, str(undefined)))
    issues = [
        TemplateIssue(
            name, part.kind, paragraph_at(part, line, needle), placeholder, unknown_field_message(placeholder)
        )
        for placeholder, (line, needle) in sorted(found.items(), key=lambda item: (item[1][0] or 0, item[0]))
    ]
    if failure is not None and not issues:
        issues.append(_issue(name, part.kind, render_error(failure, part, name, env, context)))
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
        return [_issue(path.name, None, err)]
    issues: list[TemplateIssue] = []
    for part in source.parts:
        blocks = block_issues(part, source.name)
        issues.extend(blocks)
        if not blocks:
            try:
                env.parse(part.source)
            except jinja2.TemplateSyntaxError as err:
                issues.append(_issue(source.name, part.kind, syntax_error(err, part, source.name)))
    return issues


def field_paths(context: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Every field a template may use, flattened (``practice.name``, ``costs[0].amount``;
    lists by their first item) with the example's value, for ``docgen templates fields``."""
    out: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping) and value:
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                walk(f"{prefix}.{f.name}", getattr(value, f.name))
        elif isinstance(value, list | tuple) and value:
            walk(f"{prefix}[0]", value[0])
        else:
            out.append((prefix, value))

    for key, value in context.items():
        walk(str(key), value)
    return out
