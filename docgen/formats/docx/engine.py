"""The docx engine: templates prepared once per process, then fast renders.

It knows nothing about migrations: any .docx template, any context dict. A template is
read and prepared once (:mod:`~docgen.formats.docx.prepare`) and compiled in the shared
environment (:mod:`~docgen.formats.docx.environment`); each letter then renders only the
templated parts (body, headers, footers, footnotes), finishes them as docxtpl would
(:mod:`~docgen.formats.docx.finish`) and writes the zip by copying the unchanged members'
compressed bytes (:mod:`~docgen.formats.docx.package`), which is what makes it fast. The
documents are the ones docxtpl would write (``tests/test_docx_engine.py`` compares them part
by part).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from docgen.errors import TemplateError
from docgen.formats.docx.blocks import block_issues
from docgen.formats.docx.environment import make_environment
from docgen.formats.docx.explain import docgen_bug, render_error, syntax_error
from docgen.formats.docx.finish import finish_part
from docgen.formats.docx.package import LetterZip
from docgen.formats.docx.parts import PROPERTIES
from docgen.formats.docx.prepare import DocxSource, read_template
from docgen.formats.docx.shape import Shape
from docgen.formats.formatting import DEFAULT_LOCALE


class PreparedTemplate:
    """A .docx template read, prepared and compiled once; :meth:`render` fills it."""

    def __init__(self, source: DocxSource, env: jinja2.Environment):
        self.name = source.name
        self.env = env
        self.parts = source.parts
        self._zip = LetterZip(
            source.members,
            {p.member for p in self.parts},
            # Headers and footers repeat from letter to letter; the body and the
            # properties (a title with the practice's name) do not.
            {p.member for p in self.parts if p.kind not in ("body", PROPERTIES)},
            stored=frozenset(p.member for p in self.parts if p.kind == PROPERTIES),
        )
        #: The bytes every letter from this template starts with (its unchanged members):
        #: whoever handles the letter next (an email draft's base64, a hash) may reuse its
        #: work on them.
        self.prefix = self._zip.prefix

    @classmethod
    def load(cls, path: Path, env: jinja2.Environment) -> PreparedTemplate:
        """Read, prepare and compile ``path``; a broken template fails here, naming the
        part and paragraph."""
        source = read_template(Path(path))
        for part in source.parts:
            problems = block_issues(part, source.name)
            if problems:
                first = problems[0]
                raise TemplateError(
                    first.message,
                    template=source.name,
                    part=first.part,
                    placeholder=first.placeholder,
                    paragraph=first.paragraph,
                )
            try:
                part.template = env.from_string(part.source)
                part.unlined = _unlined(env, part.source)
                shape = Shape(values_anywhere=part.kind == PROPERTIES)
                part.well_formed = shape.run(env.parse(part.source))
                part.grid_may_change = shape.grid_may_change
            except jinja2.TemplateSyntaxError as err:
                raise syntax_error(err, part, source.name) from err
        return cls(source, env)

    def render(self, context: Mapping[str, Any]) -> bytes:
        """The filled-in .docx as bytes: the same input always gives the same bytes."""
        rendered: dict[str, bytes] = {}
        # The globals and the context merged once for all the parts of the letter, as
        # jinja's Template.render would merge them (into a new dict) for each part.
        variables = dict(self.env.globals)
        variables.update(context)
        for part in self.parts:
            assert part.template is not None, "from_source compiled every part"
            try:
                xml = _render_part(part.unlined or part.template, variables)
                if part.unlined is not None and "\n" in xml:
                    # A printed value brought a line break of its own (only Markup can):
                    # render the lined template, whose output finish_part was written for.
                    xml = _render_part(part.template, variables)
            # Broad on purpose: a template's code can raise anything (a ZeroDivisionError,
            # a TypeError from a filter given the wrong thing), and each is the admin's to
            # fix; only an exception raised in docgen's own code is a bug, and stays one.
            except Exception as err:
                if docgen_bug(err):
                    raise
                raise render_error(err, part, self.name, self.env, context) from err
            rendered[part.member] = finish_part(part, xml, self.name)
        return self._zip.write(rendered)

    def sha256(self, data: bytes) -> str:
        """Hex SHA-256 of ``data``, a letter from :meth:`render`: the hash of the shared
        :attr:`prefix` is taken once, so only the letter's own bytes are hashed."""
        return self._zip.sha256(data)


def _unlined(env: jinja2.Environment, source: str) -> jinja2.Template | None:
    """``source`` compiled without the line break docxtpl's preparation put before each
    paragraph, so no letter has to take them out of its XML again; its line numbers, and
    so its error messages, stay those of ``source``. Rendering it gives exactly what
    :func:`~docgen.formats.docx.finish.finish_part` makes of the lined template's output,
    unless a printed value holds a line break (then the lined template is used). None
    when the template's text has other line breaks, for which that is not so."""
    tree = env.parse(source)
    for node in tree.find_all(nodes.TemplateData):
        node.data = node.data.replace("\n<w:p", "<w:p")
        if "\n" in node.data:
            return None
    return env.from_string(tree)


def _render_part(template: jinja2.Template, variables: dict[str, Any]) -> str:
    """``template.render(variables)`` without copying ``variables`` (jinja's public
    ``new_context(shared=True)``); a template's own ``{% set %}`` stays in its context.
    jinja's traceback rewrite is kept, so an error still points at a template line."""
    try:
        return template.environment.concat(template.root_render_func(template.new_context(variables, shared=True)))
    except Exception:
        template.environment.handle_exception()
        raise  # handle_exception always raises; this keeps type checkers informed


class TemplateEngine:
    """Prepared templates by path, sharing one environment: each .docx is read and
    compiled once per process, then rendered as often as needed."""

    def __init__(self, env: jinja2.Environment | None = None, locale: str = DEFAULT_LOCALE):
        self.env = env if env is not None else make_environment(locale)
        self._templates: dict[Path, PreparedTemplate] = {}

    def template(self, path: Path) -> PreparedTemplate:
        """The prepared template for ``path`` (loaded on first use)."""
        key = Path(path).resolve()
        if key not in self._templates:
            self._templates[key] = PreparedTemplate.load(key, self.env)
        return self._templates[key]

    def render(self, path: Path, context: Mapping[str, Any]) -> bytes:
        """``path`` filled in with ``context``, as .docx bytes."""
        return self.template(path).render(context)
