"""Errors in Word terms: a jinja error while compiling or filling a part, explained
as the template, the part (body/header/footer), the field and the paragraph's text,
so an admin can find it in Word; and docgen's own bugs told apart from those faults.
Used by the engine and by the template check."""

from __future__ import annotations

import ast
import html
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from docgen.errors import DocgenError, FormatError, TemplateError
from docgen.formats.docx.parts import PROPERTIES, TemplatePart, property_at

_TAG = re.compile(r"<[^>]*>")
_JINJA_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
# docgen's own source folder (docgen/formats/docx/explain.py is three levels down).
_DOCGEN_DIR = os.path.realpath(Path(__file__).parents[2]) + os.sep


def _plain(xml_fragment: str) -> str:
    return html.unescape(_TAG.sub("", xml_fragment))


def docgen_bug(err: BaseException) -> bool:
    """Whether ``err`` is a bug in docgen rather than a fault in the admin's template.

    Filling a template runs the template's own code, jinja's, docxtpl's and the libraries
    they call, and any of them may fail on what the template asks for; all of that is the
    template's to fix. An exception raised in docgen's own code (an ``AttributeError`` in
    a filter, say) is not, unless it is a :class:`DocgenError` or jinja error raised on
    purpose: shown as a template fault it would send the admin looking for a mistake that
    is not theirs."""
    if isinstance(err, DocgenError | jinja2.TemplateError):
        return False
    tb = err.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    filename = tb.tb_frame.f_code.co_filename
    # A template's own frames are named "<template>": not a file, never docgen's code.
    return not filename.startswith("<") and os.path.realpath(filename).startswith(_DOCGEN_DIR)


def _tag_core(tag: str) -> str:
    """A tag reduced to what survives docxtpl's preparation: no ``tr``/``p`` prefix, no
    whitespace control, straight quotes, no spaces (so ``{%tr for c in x %}`` matches
    the ``{% for c in x %}`` it becomes)."""
    inner = re.sub(r"^(?:tr|tc|p|r) ", "", tag[2:-2]).strip().strip("-")
    for curly, straight in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        inner = inner.replace(curly, straight)
    return re.sub(r"\s+", "", inner)


def paragraph_at(part: TemplatePart, lineno: int | None, needle: str | None = None) -> str | None:
    """The text of the Word paragraph at jinja line ``lineno`` of ``part`` (with its
    ``{{ }}`` tags shown); for a ``{%tr %}``/``{%p %}`` tag, which docxtpl lifts out of its
    paragraph, the paragraph it was typed in. ``needle`` (a field name) picks between them."""
    lines = part.source.split("\n")
    if not lineno or lineno > len(lines):
        return None
    line = lines[lineno - 1]
    if part.kind == PROPERTIES:
        return property_at(line)
    end = line.find("</w:p>") if line.startswith("<w:p") else 0
    region = _plain(line[: end if end >= 0 else len(line)]).strip() if line.startswith("<w:p") else ""
    rest = line[end:] if end >= 0 else ""
    lifted = _JINJA_TAG.findall(_plain(rest))
    if region and ((needle is None and "{" in region) or (needle and needle in region)):
        return region
    for tag in lifted:
        if needle and needle not in tag:
            continue
        core = _tag_core(tag)
        for text in part.paragraphs:
            if any(_tag_core(t) == core for t in _JINJA_TAG.findall(text)):
                return text
        return tag
    return region or (lifted[0] if lifted else None)


def dotted_name(node: nodes.Node) -> str | None:
    """``practice.list_size`` for the jinja expression node of a field, else None."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = dotted_name(node.node)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = dotted_name(node.node)
        if base is None:
            return None
        key = node.arg.value
        return f"{base}.{key}" if isinstance(key, str) and key.isidentifier() else f"{base}[{key!r}]"
    return None


def placeholder_at(tree: nodes.Template, lineno: int | None, name: object, top_level: bool) -> str | None:
    """The field as written in the template (``practice.list_size``) whose last step is
    ``name``, found at or nearest to jinja line ``lineno``."""
    found: list[tuple[int, str]] = []
    for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        if top_level and isinstance(node, nodes.Name) and node.name == name and node.ctx == "load":
            found.append((node.lineno, node.name))
        elif not top_level and isinstance(node, nodes.Getattr) and node.attr == name:
            dotted = dotted_name(node)
            if dotted:
                found.append((node.lineno, dotted))
        elif (
            not top_level
            and isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and node.arg.value == name
            and (dotted := dotted_name(node))
        ):
            found.append((node.lineno, dotted))
    if not found:
        return None
    target = lineno or 0
    return min(found, key=lambda item: (abs(item[0] - target), item[0]))[1]


_UNDEFINED = re.compile(r"^'(?P<name>.+)' is undefined$")
_NO_ATTRIBUTE = re.compile(r"has no attribute '(?P<name>.+)'$")
_NO_ELEMENT = re.compile(r"has no element (?P<name>.+)$")


def undefined_name(message: str) -> tuple[object, bool] | None:
    """(name, is it a top-level name) from jinja's ``UndefinedError`` message."""
    if m := _UNDEFINED.match(message):
        return m.group("name"), True
    if m := _NO_ATTRIBUTE.search(message):
        return m.group("name"), False
    if m := _NO_ELEMENT.search(message):
        try:
            return ast.literal_eval(m.group("name")), False
        except (ValueError, SyntaxError):
            return m.group("name"), False
    return None


def unknown_field_message(placeholder: str) -> str:
    """What an admin reads when a template asks for a field docgen does not have."""
    return (
        f'The field "{placeholder}" is not in the data for this letter. Check its spelling against '
        '"docgen templates fields", or remove it from the template.'
    )


def _template_line(err: BaseException) -> int | None:
    line = None
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def syntax_error(err: jinja2.TemplateSyntaxError, part: TemplatePart, template: str) -> TemplateError:
    """A jinja syntax error in Word terms: template, part and paragraph."""
    return TemplateError(
        f"A template tag is not valid: {err.message}. Fix the tag in Word (check its braces and spelling).",
        template=template,
        part=part.kind,
        paragraph=paragraph_at(part, err.lineno),
    )


def render_error(
    err: Exception, part: TemplatePart, template: str, env: jinja2.Environment, context: Mapping[str, Any]
) -> TemplateError:
    """Any exception raised while filling one part, as a :class:`TemplateError` naming the
    template, the part, the field (when it is a missing one) and the paragraph."""
    line = _template_line(err)
    if isinstance(err, jinja2.UndefinedError):
        found = undefined_name(err.message or "")
        if found is not None:
            name, top_level = found
            placeholder = placeholder_at(part.ast(env), line, name, top_level) or str(name)
            needle = placeholder.rsplit(".", 1)[-1]
            return TemplateError(
                unknown_field_message(placeholder),
                template=template,
                part=part.kind,
                placeholder=placeholder,
                paragraph=paragraph_at(part, line, needle),
            )
    if isinstance(err, jinja2.TemplateSyntaxError):
        return syntax_error(err, part, template)
    if isinstance(err, FormatError):
        message = f"{err} Check the value in the workbook, or the filter used in this paragraph."
    elif isinstance(err, jinja2.exceptions.SecurityError):
        message = f"The template asks for something templates may not do ({err}). Remove it from the template."
    else:
        message = f"Filling in the template failed: {type(err).__name__}: {err}. Check the tags in this paragraph."
    return TemplateError(message, template=template, part=part.kind, paragraph=paragraph_at(part, line))
