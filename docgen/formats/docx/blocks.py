"""Block checks: every ``{% for %}``/``{% if %}``... closed, in order, by a tag of the
same kind (docxtpl's ``{%tr %}``/``{%tc %}``/``{%p %}``/``{%r %}`` or plain). Read from
the paragraphs as typed in Word, so a mistake is named by the paragraph it is in; the
engine refuses such a template at load and the template check lists them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from docgen.formats.docx.issues import TemplateIssue
from docgen.formats.docx.parts import TemplatePart

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
