"""Fields: which fields a template uses that the example context does not have (read
from the template, including branches the example does not take, and found by a trial
render), and every field a template may use, for ``docgen templates fields``."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from types import FrameType
from typing import Any

import jinja2
from jinja2 import meta, nodes

from docgen.formats.docx.explain import (
    docgen_bug,
    dotted_name,
    paragraph_at,
    placeholder_at,
    render_error,
    unknown_field_message,
)
from docgen.formats.docx.issues import TemplateIssue, issue_from
from docgen.formats.docx.parts import TemplatePart


class _RecordingUndefined(jinja2.ChainableUndefined):
    """An undefined value that notes where it was used and lets the render go on, so one
    trial render finds every unknown field rather than the first. ``is defined`` and
    ``default`` do not use the value, so they are not reported."""

    __slots__ = ()
    sink: list = []
    template: jinja2.Template | None = None

    def _note(self) -> None:
        frame: FrameType | None = sys._getframe(1)
        line = None
        template = type(self).template
        while frame is not None:
            if frame.f_code.co_filename == "<template>" and template is not None:
                line = template.get_corresponding_lineno(frame.f_lineno)
                break
            frame = frame.f_back
        if self._undefined_obj is jinja2.utils.missing:
            type(self).sink.append((line, self._undefined_name, True))
        else:
            type(self).sink.append((line, self._undefined_name, False))

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:  # Any: jinja's raises (Never)
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
    for filt in tree.find_all(nodes.Filter):
        if filt.name in ("default", "d") and filt.node is not None and (dotted := dotted_name(filt.node)):
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
    # Getattr and Getitem both have .node; mypy types what find_all finds as their base, Expr.
    inner_nodes = {id(node.node) for node in tree.find_all((nodes.Getattr, nodes.Getitem)) if _steps(node)}  # type: ignore[attr-defined]
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
    name = str(steps[0][1])  # a name step holds the variable's name
    if name in bound:
        value = bound[name]
    elif name in context:
        value = context[name]
    else:
        return 0, None
    for i, (kind, key) in enumerate(steps[1:], start=1):
        if callable(value) and not isinstance(value, Mapping):
            return None, None  # a method: its result is unknown without calling it
        value = env.getattr(value, str(key)) if kind == "attr" else env.getitem(value, key)
        if isinstance(value, jinja2.Undefined):
            return i, None
    return None, value


def _trial_unknowns(
    part: TemplatePart, context: Mapping[str, Any], env: jinja2.Environment
) -> tuple[list[tuple[int | None, object, bool]], Exception | None]:
    """Render ``part`` with the example, noting every unknown field used instead of
    stopping at the first; also returns any other exception the render raised."""
    recorder: type[_RecordingUndefined] = type("_Recorder", (_RecordingUndefined,), {"sink": [], "template": None})
    trial_env = env.overlay(undefined=recorder)
    template = trial_env.from_string(part.source)
    recorder.template = template
    try:
        template.render(context)
    # Broad on purpose, as when rendering a letter: whatever the template's code raises is
    # reported by the caller as an issue in this part; docgen's own bugs stay bugs.
    except Exception as err:
        if docgen_bug(err):
            raise
        return recorder.sink, err
    return recorder.sink, None


def unknown_field_issues(
    part: TemplatePart, tree: nodes.Template, context: Mapping[str, Any], env: jinja2.Environment, name: str
) -> list[TemplateIssue]:
    """Every field ``part`` of template ``name`` uses that ``context`` lacks, found in the
    parsed ``tree`` and by a trial render, each with its paragraph; or, when there is
    none, whatever else stopped the trial render."""
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
        issues.append(issue_from(name, part.kind, render_error(failure, part, name, env, context)))
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
