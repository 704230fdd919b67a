"""The docx engine: one shared jinja environment, templates prepared once, fast renders.

It knows nothing about migrations: any .docx template, any context dict. A template is
read and prepared once per process with docxtpl's own XML preparation (``patch_xml``,
the ``{%tr %}``/``{%p %}``/``{%tc %}`` tags); each letter then renders only the templated
parts (body, headers, footers, footnotes) and writes the zip by copying the unchanged
members' compressed bytes, which is what makes it fast. Printing a value is one call
(:func:`_finalize` escapes it), and a field of the context is a dict lookup. The documents
are the ones docxtpl would write (``tests/test_render.py`` compares them part by part).
"""

from __future__ import annotations

import ast
import hashlib
import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from docgen.errors import FormatError, TemplateError
from docgen.formats.formatting import DEFAULT_LOCALE, filters

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_KINDS = {
    f"{_DOC_RELS}/header": "header",
    f"{_DOC_RELS}/footer": "footer",
    f"{_DOC_RELS}/footnotes": "footnotes",
}
_W_P, _W_T, _W_TBL = f"{{{W}}}p", f"{{{W}}}t", f"{{{W}}}tbl"
_XML_DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_BODY_MARK = "DOCGEN-BODY"

# XML 1.0 forbids C0 controls other than tab, newline and carriage return, U+FFFE, U+FFFF
# and lone surrogates; Word refuses a document that has any of them.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_NEEDS_WORK = re.compile("[\x00-\x08\x0a-\x1f\ufffe\uffff\ud800-\udfff]")
_TAG = re.compile(r"<[^>]*>")
_JINJA_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
_TEMPLATED = re.compile(r"\{[{%#_]|_\}|[\t\x07\x0c]")

# python-docx parses parts this way; using the same options keeps our XML docxtpl's.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
_STRICT = etree.XMLParser(resolve_entities=False)

# Zip: fixed timestamp 1980-01-01 00:00 so the same input gives the same bytes.
_DOS_DATE = (0 << 9) | (1 << 5) | 1
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_OFFSET = struct.Struct("<L")
#: How many compressed headers and footers a template remembers (then it starts again).
_REMEMBERED_PARTS = 64
_UTF8_NAME = 0x800
#: zlib level for re-rendered parts. Level 1 renders about a third more letters a second
#: than the default 6, for files 1-2% larger (measured on 40 KB letters).
DEFLATE_LEVEL = 1
#: zlib memory level and window (default 8 and 32 KB) for the same parts. Setting up
#: zlib's buffers costs more than compressing a 2 KB footer, and large buffers are often
#: fresh pages from the system; 6 and 16 KB made a letter's three parts (25 KB body, two
#: footers) take 143 us instead of 216 (median of 15 x 300 letters) for 2% more bytes.
DEFLATE_MEMORY = 6
DEFLATE_WINDOW = -14  # raw deflate (a zip member) with a 2**14-byte window


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
    return text.replace("\n", _LINE_BREAK)


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


@dataclass
class _Member:
    """One zip member of the template, kept compressed as it was read."""

    name: str
    method: int
    crc: int
    compress_size: int
    file_size: int
    data: bytes
    raw_name: bytes = b""
    flags: int = 0

    def __post_init__(self) -> None:
        self.raw_name = self.name.encode("utf-8")
        self.flags = 0 if self.name.isascii() else _UTF8_NAME


@dataclass
class TemplatePart:
    """One templated XML part: ``kind`` is body/header/footer/footnotes, ``member`` its zip
    name, ``source`` the jinja source docxtpl's preparation made of it (one ``<w:p>`` a
    line, as docxtpl does, so a jinja line number points at a paragraph)."""

    member: str
    kind: str
    source: str
    original: bytes
    prefix: bytes = b""
    suffix: bytes = b""
    body_open: str = ""
    body_open_short: str = ""
    well_formed: bool = False
    grid_may_change: bool = True
    template: jinja2.Template | None = None
    #: The same template without the paragraph lines, for rendering (see ``_unlined``).
    unlined: jinja2.Template | None = None
    _paragraphs: list[str] | None = None
    _ast: nodes.Template | None = None

    @property
    def paragraphs(self) -> list[str]:
        """Plain text of each paragraph of the original part, in order (for messages)."""
        if self._paragraphs is None:
            self._paragraphs = paragraph_texts(self.original)
        return self._paragraphs

    def ast(self, env: jinja2.Environment) -> nodes.Template:
        """The parsed jinja source (only needed to explain an error)."""
        if self._ast is None:
            self._ast = env.parse(self.source)
        return self._ast


@dataclass
class DocxSource:
    """A .docx template read into its zip members and its templated parts."""

    name: str
    members: list[_Member]
    parts: list[TemplatePart] = field(default_factory=list)


def paragraph_texts(xml: bytes) -> list[str]:
    """The text of every paragraph of a WordprocessingML part that has text, in order;
    a paragraph nested in a text box is its own entry."""
    root = etree.fromstring(xml, _PARSER)
    texts: dict[etree._Element, list[str]] = {}
    for t in root.iter(_W_T):
        p = t.getparent()
        while p is not None and p.tag != _W_P:
            p = p.getparent()
        if p is not None:
            texts.setdefault(p, []).append(t.text or "")
    return ["".join(parts) for parts in texts.values()]


def _plain(xml_fragment: str) -> str:
    return html.unescape(_TAG.sub("", xml_fragment))


def _not_docx(name: str, why: str) -> TemplateError:
    return TemplateError(
        f"is not a Word document docgen can read ({why}). Save it from Word as a .docx (Word Document) and try again.",
        template=name,
    )


def _read_members(path: Path, name: str) -> list[_Member]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as err:
        raise TemplateError("does not exist. Check the templates folder.", template=str(path)) from err
    except OSError as err:
        raise TemplateError(f"cannot be read ({err.strerror}).", template=str(path)) from err
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as err:
        raise _not_docx(name, "it is not a zip package") from err
    members = []
    for info in infos:
        if info.flag_bits & 0x1:
            raise _not_docx(name, "it is password-protected")
        if info.compress_size >= 0xFFFFFFFF or info.file_size >= 0xFFFFFFFF or info.header_offset >= 0xFFFFFFFF:
            raise _not_docx(name, "it is too large")
        start = info.header_offset
        if raw[start : start + 4] != b"PK\x03\x04":
            raise _not_docx(name, f"its zip member {info.filename} is damaged")
        name_len, extra_len = struct.unpack("<2H", raw[start + 26 : start + 30])
        data_start = start + 30 + name_len + extra_len
        members.append(
            _Member(
                info.filename,
                info.compress_type,
                info.CRC,
                info.compress_size,
                info.file_size,
                raw[data_start : data_start + info.compress_size],
            )
        )
    return members


def _read(members: dict[str, _Member], member: str) -> bytes:
    m = members[member]
    if m.method == zipfile.ZIP_STORED:
        return m.data
    if m.method == zipfile.ZIP_DEFLATED:
        return zlib.decompress(m.data, -15)
    raise zipfile.BadZipFile(f"{member} uses an unsupported compression method")


def _rels_targets(rels_xml: bytes, base: str) -> list[tuple[str, str]]:
    """(type, member) for each internal relationship of a .rels part."""
    out = []
    for rel in etree.fromstring(rels_xml, _PARSER).iter(f"{{{_PKG_RELS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        member = target.lstrip("/") if target.startswith("/") else _join(base, target)
        out.append((rel.get("Type", ""), member))
    return out


def _join(base: str, target: str) -> str:
    parts = [p for p in base.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def read_template(path: Path) -> DocxSource:
    """Read a .docx template and prepare its templated parts with docxtpl's own XML
    preparation; parts without jinja tags are left out (their bytes are copied)."""
    path = Path(path)
    name = path.name
    members = _read_members(path, name)
    by_name = {m.name: m for m in members}
    prep = DocxTemplate(path)
    source = DocxSource(name, members)
    try:
        package_rels = _rels_targets(_read(by_name, "_rels/.rels"), "")
        document = next(m for t, m in package_rels if t == f"{_DOC_RELS}/officeDocument")
        folder = document.rpartition("/")[0]
        doc_rels_name = f"{folder}/_rels/{document.rpartition('/')[2]}.rels" if folder else f"_rels/{document}.rels"
        doc_rels = _rels_targets(_read(by_name, doc_rels_name), folder) if doc_rels_name in by_name else []
        source.parts.append(_body_part(prep, document, _read(by_name, document)))
        seen = set()
        for rel_type, member in doc_rels:
            kind = _REL_KINDS.get(rel_type)
            if kind is None or member in seen or member not in by_name:
                continue
            seen.add(member)
            xml = _read(by_name, member)
            if xml.strip():
                source.parts.append(_other_part(prep, member, kind, xml))
    except (KeyError, StopIteration, zipfile.BadZipFile, zlib.error, etree.XMLSyntaxError, UnicodeDecodeError) as err:
        raise _not_docx(name, f"its Word XML is missing or damaged: {err}") from err
    source.parts = [p for p in source.parts if _TEMPLATED.search(p.source)]
    return source


def _with_paragraph_lines(xml: str) -> str:
    # docxtpl's render_xml_part puts each paragraph on its own line before jinja sees it.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _unlined(env: jinja2.Environment, source: str) -> jinja2.Template | None:
    """``source`` compiled without the line break :func:`_with_paragraph_lines` put before
    each paragraph, so no letter has to take them out of its XML again; its line numbers,
    and so its error messages, stay those of ``source``. Rendering it gives exactly what
    :meth:`PreparedTemplate._finish` makes of the lined template's output, unless a
    printed value holds a line break (then the lined template is used). None when the
    template's text has other line breaks, for which that is not so."""
    tree = env.parse(source)
    for node in tree.find_all(nodes.TemplateData):
        node.data = node.data.replace("\n<w:p", "<w:p")
        if "\n" in node.data:
            return None
    return env.from_string(tree)


def _body_part(prep: DocxTemplate, member: str, xml: bytes) -> TemplatePart:
    root = etree.fromstring(xml, _PARSER)
    body = root.find(f"{{{W}}}body")
    if body is None:
        raise KeyError("w:body")
    body_xml = etree.tostring(body, encoding="unicode")
    body_open = body_xml[: body_xml.index(">") + 1]
    # The body sits inside w:document, which declares the namespaces already.
    inherited = set(root.nsmap.items())
    own = "".join(f' xmlns{":" + p if p else ""}="{u}"' for p, u in body.nsmap.items() if (p, u) not in inherited)
    tag = body_open[1:].split(" ", 1)[0].rstrip(">")
    body_open_short = body_open if body.attrib or body_open.endswith("/>") else f"<{tag}{own}>"
    root.replace(body, etree.Comment(_BODY_MARK))
    outer = etree.tostring(root, encoding="UTF-8", standalone=True)
    prefix, _, suffix = outer.partition(f"<!--{_BODY_MARK}-->".encode())
    part = TemplatePart(
        member,
        "body",
        _with_paragraph_lines(prep.patch_xml(body_xml)),
        xml,
        prefix=prefix,
        suffix=suffix,
        body_open=body_open,
        body_open_short=body_open_short,
    )
    return part


def _other_part(prep: DocxTemplate, member: str, kind: str, xml: bytes) -> TemplatePart:
    if kind == "footnotes":
        # docxtpl renders the footnotes part's text as stored, declaration included.
        text = xml.decode("utf-8")
        return TemplatePart(member, kind, _with_paragraph_lines(prep.patch_xml(text)), xml)
    text = etree.tostring(etree.fromstring(xml, _PARSER), encoding="unicode")
    return TemplatePart(member, kind, _with_paragraph_lines(prep.patch_xml(text)), xml, prefix=_XML_DECLARATION)


class PreparedTemplate:
    """A .docx template read, prepared and compiled once; :meth:`render` fills it."""

    def __init__(self, source: DocxSource, env: jinja2.Environment):
        self.name = source.name
        self.env = env
        self.parts = source.parts
        self._members = source.members
        self._rendered = {p.member for p in self.parts}
        self._docx = DocxTemplate(source.name)  # for docxtpl's post-render fixes
        # Unchanged members: local header and compressed bytes, ready to copy, and their
        # central directory entry up to the offset (the only field that changes).
        self._chunks: dict[str, bytes] = {}
        self._central: dict[str, bytes] = {}
        for m in self._members:
            if m.name not in self._rendered:
                self._chunks[m.name] = (
                    _local_header(m.raw_name, m.flags, m.method, m.crc, m.compress_size, m.file_size) + m.data
                )
                self._central[m.name] = _central_head(
                    m.raw_name, m.flags, m.method, m.crc, m.compress_size, m.file_size
                )
        # Headers and footers come out the same in letter after letter (an ICB's name, a
        # footer repeated in the same letter): their compressed bytes are remembered.
        self._deflated: dict[bytes, tuple[int, bytes]] = {}
        self._repeating = {p.member for p in self.parts if p.kind != "body"}
        # The unchanged members go first, so every letter from this template starts with
        # the same bytes (``prefix``): laid out once here, and whoever handles the letter
        # next (an email draft's base64, a hash) may reuse its work on them.
        offset, static, directory = 0, [], []
        for m in self._members:
            if m.name not in self._rendered:
                directory.append(self._central[m.name] + _OFFSET.pack(offset) + m.raw_name)
                static.append(self._chunks[m.name])
                offset += len(static[-1])
        self.prefix = b"".join(static)
        self._prefix_hash = hashlib.sha256(self.prefix)
        self._static_directory = directory
        self._rendered_members = [m for m in self._members if m.name in self._rendered]

    @classmethod
    def load(cls, path: Path, env: jinja2.Environment) -> PreparedTemplate:
        """Read, prepare and compile ``path``; a broken template fails here, naming the
        part and paragraph."""
        source = read_template(Path(path))
        from docgen.formats.docx.check import block_issues  # checks use this module too

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
                shape = _Shape()
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
                    # render the lined template, whose output _finish was written for.
                    xml = _render_part(part.template, variables)
            except Exception as err:
                raise render_error(err, part, self.name, self.env, context) from err
            try:
                rendered[part.member] = self._finish(part, xml)
            except TemplateError:
                raise
            except Exception as err:  # docxtpl's table or id fixes on an odd document
                raise TemplateError(
                    f"Finishing the filled-in document failed ({type(err).__name__}: {err}). "
                    'Run "docgen templates check" and simplify the tables in this part.',
                    template=self.name,
                    part=part.kind,
                ) from err
        return self._zip(rendered)

    def sha256(self, data: bytes) -> str:
        """Hex SHA-256 of ``data``, a letter from :meth:`render`: the hash of the shared
        :attr:`prefix` is taken once, so only the letter's own bytes are hashed."""
        if not data.startswith(self.prefix):
            return hashlib.sha256(data).hexdigest()
        digest = self._prefix_hash.copy()
        digest.update(memoryview(data)[len(self.prefix) :])
        return digest.hexdigest()

    def _finish(self, part: TemplatePart, xml: str) -> bytes:
        """docxtpl's post-render steps. A strict parse refuses a broken letter, unless the
        template's shape (see :class:`_Shape`) already proves every rendering well formed."""
        if "\n" in xml:  # not from the unlined template (a one-character search is cheap)
            xml = xml.replace("\n<w:p", "<w:p")
        # "_" alone first: a one-character search is a memchr, the two-character ones
        # cost tens of microseconds on a letter, and most letters have no underscore.
        if "_" in xml and ("{_" in xml or "_}" in xml):
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if "\t" in xml or "\n" in xml or "\a" in xml or "\f" in xml:
            xml = self._docx.resolve_listing(xml)
        if part.kind == "body":
            if xml.startswith(part.body_open):
                xml = part.body_open_short + xml[len(part.body_open) :]
            data = part.prefix + xml.encode("utf-8") + part.suffix
        else:
            data = part.prefix + xml.encode("utf-8")
        body = part.kind == "body"
        tree = None
        if not part.well_formed or (body and part.grid_may_change):
            tree = self._parse(part, data)
        if not body:
            return data
        changed = None
        if tree is not None and _grid_needs_fix(tree):
            changed = self._docx.fix_tables(data)
        if b"docPr" in data:
            if changed is None and tree is None and _only_wp_docpr(data):
                return _renumber_docpr(data)
            if changed is None:
                changed = tree if tree is not None else self._parse(part, data)
            self._docx.docx_ids_index = 1000
            self._docx.fix_docpr_ids(changed)
        if changed is not None:
            data = etree.tostring(changed, encoding="UTF-8", standalone=True)
        return data

    def _parse(self, part: TemplatePart, data: bytes) -> etree._Element:
        try:
            return etree.fromstring(data, _STRICT)
        except etree.XMLSyntaxError as err:
            raise TemplateError(
                f"Filling it in gave a document Word cannot open ({err.msg}). A {{%p %}}, {{%tr %}} or {{%tc %}} "
                "tag, or an {% if %} or {% for %} that spans paragraphs or table cells, is probably in the wrong "
                'place: run "docgen templates check".',
                template=self.name,
                part=part.kind,
            ) from err

    def _zip(self, rendered: dict[str, bytes]) -> bytes:
        """The letter's zip: the template's unchanged members as laid out once
        (:attr:`prefix`), then the rendered parts, then the central directory."""
        out: list[bytes] = [self.prefix]
        central = list(self._static_directory)
        offset = len(self.prefix)
        for m in self._rendered_members:
            raw = rendered[m.name]
            crc, data = self._deflate(raw) if m.name in self._repeating else _deflate(raw)
            chunk = _local_header(m.raw_name, m.flags, zipfile.ZIP_DEFLATED, crc, len(data), len(raw)) + data
            head = _central_head(m.raw_name, m.flags, zipfile.ZIP_DEFLATED, crc, len(data), len(raw))
            central.append(head + _OFFSET.pack(offset) + m.raw_name)
            out.append(chunk)
            offset += len(chunk)
        directory = b"".join(central)
        out.append(directory)
        out.append(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0))
        return b"".join(out)

    def _deflate(self, raw: bytes) -> tuple[int, bytes]:
        """:func:`_deflate`, remembering the last few parts (a header is the same for a
        whole ICB): looking bytes up costs a hash, compressing them tens of microseconds."""
        found = self._deflated.get(raw)
        if found is None:
            if len(self._deflated) >= _REMEMBERED_PARTS:
                self._deflated.clear()
            found = self._deflated[raw] = _deflate(raw)
        return found


def _deflate(raw: bytes) -> tuple[int, bytes]:
    """CRC-32 and raw deflate stream of a zip member."""
    deflater = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, DEFLATE_WINDOW, DEFLATE_MEMORY)
    return zlib.crc32(raw), deflater.compress(raw) + deflater.flush()


def _central_head(raw_name: bytes, flags: int, method: int, crc: int, csize: int, usize: int) -> bytes:
    """A central directory entry up to, not including, the member's offset: with the
    offset and the name appended it is the whole entry (no extra field, no comment)."""
    return _CENTRAL.pack(b"PK\x01\x02", 20, 20, flags, method, 0, _DOS_DATE, crc, csize, usize,
                         len(raw_name), 0, 0, 0, 0, 0, 0)[:-4]  # fmt: skip


def _render_part(template: jinja2.Template, variables: dict[str, Any]) -> str:
    """``template.render(variables)`` without copying ``variables`` (jinja's public
    ``new_context(shared=True)``); a template's own ``{% set %}`` stays in its context.
    jinja's traceback rewrite is kept, so an error still points at a template line."""
    try:
        return template.environment.concat(template.root_render_func(template.new_context(variables, shared=True)))
    except Exception:
        template.environment.handle_exception()
        raise  # handle_exception always raises; this keeps type checkers informed


def _local_header(raw_name: bytes, flags: int, method: int, crc: int, csize: int, usize: int) -> bytes:
    return _LOCAL.pack(b"PK\x03\x04", 20, flags, method, 0, _DOS_DATE, crc, csize, usize, len(raw_name), 0) + raw_name


_NS = {"w": W}
_TABLES = etree.XPath("//w:tbl[w:tblGrid]", namespaces=_NS)
_GRID_COLUMNS = etree.XPath("count(w:tblGrid/w:gridCol)", namespaces=_NS)
_ROW_TOO_LONG = etree.XPath("boolean(.//w:tr[count(w:tc) > $columns])", namespaces=_NS)
_ROW_WIDE_ENOUGH = etree.XPath(
    "boolean(.//w:tr[count(w:tc[not(w:tcPr/w:gridSpan)]) + sum(w:tc/w:tcPr/w:gridSpan/@w:val) >= $columns])",
    namespaces=_NS,
)


def _grid_needs_fix(tree: etree._Element) -> bool:
    """Whether docxtpl's ``fix_tables`` would change a table (a ``{%tc %}`` loop made
    more or fewer cells than the grid has columns): it nearly never does, and asking is
    much cheaper than running it. Same rows as it counts (``.//w:tr``)."""
    for table in _TABLES(tree):
        columns = _GRID_COLUMNS(table)
        if _ROW_TOO_LONG(table, columns=columns) or not _ROW_WIDE_ENOUGH(table, columns=columns):
            return True
    return False


_DOCPR_ID = re.compile(rb'(<wp:docPr\s(?:[^>]*?\s)?id=")[^"]*(")')
_ANY_DOCPR = re.compile(rb"<([\w.-]+:)?docPr[\s/>]")


def _only_wp_docpr(data: bytes) -> bool:
    return all(prefix == b"wp:" for prefix in _ANY_DOCPR.findall(data))


def _renumber_docpr(data: bytes) -> bytes:
    """docxtpl's ``fix_docpr_ids`` on the serialised part: drawing ids 1001, 1002...
    in document order, so repeated pictures never share an id."""
    counter = iter(range(1001, 1 << 31))
    return _DOCPR_ID.sub(lambda m: m.group(1) + str(next(counter)).encode() + m.group(2), data)


class _Unsafe(Exception):
    """The template's shape cannot be proved safe: check every rendering instead."""


@dataclass
class _Element:
    name: str
    block: int
    cells: int = 0
    span: int = 1
    columns: int = 0
    widest: int = 0
    longest: int = 0


_XML_TOKEN = re.compile(r"<(/?)([^\s/>!?]+)([^>]*?)(/?)>|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_SPAN_VALUE = re.compile(r'\bw:val="(\d+)"')
_GRID_TAGS = {"w:tbl", "w:tr", "w:tc", "w:tblGrid"}


class _Shape:
    """What a part's jinja tree proves about every rendering, worked out once at load.

    ``run`` is True when each block body (``{% if %}``, ``{% for %}``, docxtpl's
    ``{%tr %}``...) is balanced XML and every printed value sits inside a ``<w:t>``:
    then no context can produce broken XML and the per-letter strict parse is skipped.
    ``grid_may_change`` stays False when no table can end up with more cells than grid
    columns or without a full-width row, i.e. docxtpl's ``fix_tables`` would never
    change it. Anything unusual (macros, values inside tags, nested tables) falls back
    to checking every rendering.
    """

    def __init__(self) -> None:
        self.stack: list[_Element] = []
        self.block = 0
        self.grid_may_change = False

    def run(self, tree: nodes.Template) -> bool:
        try:
            self._body(tree.body)
        except _Unsafe:
            self.grid_may_change = True
            return False
        return not self.stack

    def _body(self, body: list[nodes.Node]) -> None:
        for node in body:
            if isinstance(node, nodes.Output):
                for child in node.nodes:
                    if isinstance(child, nodes.TemplateData):
                        self._xml(child.data)
                    elif not self.stack or self.stack[-1].name != "w:t":
                        raise _Unsafe  # a line break printed outside <w:t> would break the XML
            elif isinstance(node, nodes.If):
                self._block(node.body)
                for branch in node.elif_:
                    self._block(branch.body)
                self._block(node.else_)
            elif isinstance(node, nodes.For):
                self._block(node.body)
                self._block(node.else_)
            elif not isinstance(node, nodes.Assign):
                raise _Unsafe

    def _block(self, body: list[nodes.Node]) -> None:
        # A body that leaves the open elements' names as it found them may be repeated
        # or left out any number of times and the XML stays balanced.
        before = [e.name for e in self.stack]
        self.block += 1
        self._body(body)
        self.block -= 1
        if [e.name for e in self.stack] != before:
            raise _Unsafe

    def _innermost(self, name: str) -> _Element | None:
        return next((e for e in reversed(self.stack) if e.name == name), None)

    def _xml(self, text: str) -> None:
        rest = _XML_TOKEN.sub("", text)
        if "<" in rest or ">" in rest:
            raise _Unsafe  # a tag split around a jinja tag
        for m in _XML_TOKEN.finditer(text):
            closing, name, attrs, empty = m.groups()
            if name is None:
                continue  # a declaration or a comment
            if closing:
                self._close(name)
            elif empty:
                self._empty(name, attrs)
            else:
                self._open(name)

    def _open(self, name: str) -> None:
        parent = self.stack[-1] if self.stack else None
        if name == "w:tbl" and self._innermost("w:tbl") is not None:
            self.grid_may_change = True  # fix_tables counts a nested table's rows in its parent
        elif name == "w:tr" and (parent is None or parent.name != "w:tbl"):
            self.grid_may_change = True
        elif name == "w:tc" and (parent is None or parent.name != "w:tr" or parent.block != self.block):
            self.grid_may_change = True  # a cell repeated or left out on its own
        self.stack.append(_Element(name, self.block))

    def _empty(self, name: str, attrs: str) -> None:
        if name == "w:gridCol":
            table = self._innermost("w:tbl")
            if table is None or table.block != self.block:
                self.grid_may_change = True
            else:
                table.columns += 1
        elif name == "w:gridSpan":
            cell = self._innermost("w:tc")
            value = _SPAN_VALUE.search(attrs)
            if cell is None or value is None:
                self.grid_may_change = True
            else:
                cell.span = int(value.group(1))

    def _close(self, name: str) -> None:
        if not self.stack or self.stack[-1].name != name:
            raise _Unsafe
        element = self.stack.pop()
        if element.block != self.block and name in _GRID_TAGS:
            self.grid_may_change = True  # a block closes a table element opened outside it
            return
        if name == "w:tc":
            row = self._innermost("w:tr")
            if row is not None:
                row.cells += 1
                row.columns += element.span
        elif name == "w:tr":
            table = self._innermost("w:tbl")
            if table is not None:
                table.longest = max(table.longest, element.cells)
                if element.block == table.block:
                    table.widest = max(table.widest, element.columns)
        elif name == "w:tbl" and (element.longest > element.columns or element.widest < element.columns):
            self.grid_may_change = True


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


# --- Explaining errors in Word terms -------------------------------------------------


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
