"""The one jinja environment every docx template shares: sandboxed, autoescaped, strict.

Printing a value is one call (:func:`_finalize` escapes it and makes it WordprocessingML
text), and a field of the context is a dict lookup; both are most of a letter's cost.
"""

from __future__ import annotations

import re
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from docgen.formats.formatting import DEFAULT_LOCALE, filters

# XML 1.0 forbids C0 controls other than tab, newline and carriage return, U+FFFE, U+FFFF
# and lone surrogates; Word refuses a document that has any of them.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: What a line break in a printed value becomes: a Word line break in the run.
LINE_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_NEEDS_WORK = re.compile("[\x00-\x08\x0a-\x1f\ufffe\uffff\ud800-\udfff]")

# A value with none of these prints exactly as it is (nothing to escape, nothing XML cannot
# hold, no line break): nearly every value in a letter, names, dates and codes.
_NEEDS_ESCAPE = re.compile("[&<>\"'\x00-\x08\x0a-\x1f\ufffe\uffff\ud800-\udfff]")


def _finalize(value: object) -> str:
    """Turn every printed value into safe WordprocessingML text, escaped.

    The environment's code generator (:class:`_XmlCodeGenerator`) prints
    ``finalize(value)`` and nothing else, so this does jinja's autoescaping itself, with
    markupsafe's ``escape``: a value that needs no escaping (nearly all of them) is
    returned as it is, without building a :class:`Markup` per value, which is what made
    printing slow. :class:`Markup` (``|safe``, ``|join``) is trusted as jinja trusts it.
    Newlines become Word line breaks (what docxtpl's listing handling would do);
    characters XML cannot hold are dropped. The same with autoescape switched off in a
    template. ``None`` prints as nothing rather than the word "None".
    """
    if type(value) is str:
        text = value
    elif value is None:
        return ""
    elif isinstance(value, Markup):
        return value if _NEEDS_WORK.search(value) is None else _ILLEGAL_XML.sub("", value)
    else:
        text = str(value)
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    text = str(escape(text))
    if _NEEDS_WORK.search(text) is None:
        return text
    text = _ILLEGAL_XML.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", LINE_BREAK)


class _XmlCodeGenerator(CodeGenerator):
    """jinja's code generator, printing each value as ``environment.finalize(value)``
    instead of ``escape(environment.finalize(value))``: :func:`_finalize` escapes, so
    the per-value ``escape`` call and its :class:`Markup` object are left out. These are
    the hooks jinja's own ``nativetypes`` overrides."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write(finalize.src)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write(")")


# A dict's own attributes (``items``, ``get``...): ``{{ d.items }}`` must still find them.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _LetterEnvironment(SandboxedEnvironment):
    """The sandbox, with the two things every printed value pays for made cheap."""

    code_generator_class = _XmlCodeGenerator

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``practice.name`` on a context dict is a key: look it up first. The sandbox
        tries the attribute first, and raising and catching ``AttributeError`` for each
        field cost more than the rest of printing it. Same answer as the sandbox's (a
        plain dict has no attributes but the class's)."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def make_environment(locale: str = DEFAULT_LOCALE) -> SandboxedEnvironment:
    """The one jinja environment every template shares: sandboxed, autoescaped, strict
    about missing fields, with the Babel filters for ``locale`` and XML-safe output."""
    env = _LetterEnvironment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        auto_reload=False,
    )
    env.filters.update(filters(locale))
    # _XmlCodeGenerator relies on two of jinja's hooks: check a value is escaped exactly once.
    if env.from_string("{{ v }}").render(v="&") != "&amp;":
        raise RuntimeError("This version of jinja2 compiles templates in a way docgen does not support.")
    return env
