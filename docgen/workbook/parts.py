"""The workbook's own parts, read straight from the .xlsx zip: its sheets (name, state and
worksheet part), the shared-strings table, which cell styles show dates, and its date system.

These come from the file's documented parts (``xl/workbook.xml``, its relationships,
``xl/sharedStrings.xml``, ``xl/styles.xml``), not from openpyxl's private attributes,
which change between its releases: a release that dropped one would have had every
workbook reported to the admin as damaged. Each part is parsed by expat with entity
declarations and external references refused, as defusedxml refuses them.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from defusedxml import EntitiesForbidden, ExternalReferenceForbidden
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from docgen.workbook.limits import read_capped

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
DEFAULT_STYLES = "xl/styles.xml"
#: The main namespace of a workbook Excel saved as "Strict Open XML Spreadsheet" (ISO 29500
#: Strict); its relationships use purl.oclc.org namespaces too, and its dates are ISO 8601
#: text (``t="d"``). Everything here matches by local name and type suffix, so it is read as
#: any other workbook.
STRICT_MAIN = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


class DamagedPart(ValueError):
    """A part the workbook needs is missing, or stored in a way that cannot be read
    (encrypted, or compressed by a method zipfile does not know)."""


@dataclass(frozen=True)
class SheetPart:
    """One sheet as ``xl/workbook.xml`` lists it: its tab name, whether it is hidden, and the
    zip member holding its cells (None for a chart sheet, which holds none)."""

    title: str
    state: str
    member: str | None


@dataclass
class WorkbookParts:
    """What every sheet's cells need to be read: the sheets, in tab order, the shared
    strings, the indexes of the cell styles whose number format is a date, and the epoch
    of the workbook's date system (1900, or 1904 for some old Mac workbooks); and the zip
    member the shared strings came from, which counts with the sheets towards the most
    docgen unpacks."""

    sheets: list[SheetPart]
    shared: list[str]
    date_styles: set[int]
    epoch: dt.datetime
    shared_member: str | None = None


def read_member(zf: zipfile.ZipFile, name: str, what: str | None = None) -> bytes:
    """The bytes of the zip member ``name``, or :class:`DamagedPart` saying why not.

    ``what`` names the part for the admin (e.g. "sheet 'Migrations'") should it be bigger
    than docgen reads (:class:`~docgen.workbook.limits.OverLimit`): its size is checked
    before it is unpacked, and the unpacking is capped. Only the errors that mean "this
    file is damaged" are turned into DamagedPart; the zip's own (BadZipFile, zlib.error,
    EOFError) are left for the reader to report."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise DamagedPart(f"the part {name} is missing") from None
    try:
        return read_capped(zf, info, what or f"the part {name}")
    except (NotImplementedError, RuntimeError) as err:  # an unknown compression method; encryption
        raise DamagedPart(f"the part {name} cannot be unpacked ({err})") from err


def read_parts(zf: zipfile.ZipFile) -> WorkbookParts:
    """The workbook-wide parts of the .xlsx open as ``zf``."""
    names = set(zf.namelist())
    rels = _relationships(read_member(zf, WORKBOOK_RELS, f"the workbook's relationships ({WORKBOOK_RELS})"))
    sheets, date1904 = _workbook(read_member(zf, WORKBOOK, f"the workbook's list of sheets ({WORKBOOK})"), rels, names)
    shared_member = _target_of(rels, "/sharedStrings")
    styles_member = _target_of(rels, "/styles") or DEFAULT_STYLES
    shared = (
        shared_strings(read_member(zf, shared_member, f"the workbook's text ({shared_member})"))
        if shared_member in names
        else []
    )
    date_styles = (
        styles_showing_dates(read_member(zf, styles_member, f"the workbook's styles ({styles_member})"))
        if styles_member in names
        else set()
    )
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    return WorkbookParts(sheets, shared, date_styles, epoch, shared_member if shared_member in names else None)


def is_strict(zf: zipfile.ZipFile) -> bool:
    """True for a workbook saved as Excel's "Strict Open XML Spreadsheet"."""
    return STRICT_MAIN in read_member(zf, WORKBOOK, f"the workbook's list of sheets ({WORKBOOK})")


def _relationships(xml: bytes) -> dict[str, tuple[str, str | None]]:
    """The workbook's relationships: Id -> (Type, the zip member it points to, or None for
    a link outside the file). Targets are relative to ``xl/`` unless they start with /."""
    rels: dict[str, tuple[str, str | None]] = {}
    for _parent, name, attrs in _elements(xml):
        if name != "Relationship":
            continue
        target = attrs.get("Target", "")
        if attrs.get("TargetMode") == "External":
            member = None
        elif target.startswith("/"):
            member = target[1:]
        else:
            member = posixpath.normpath(posixpath.join("xl", target))
        rels[attrs.get("Id", "")] = (attrs.get("Type", ""), member)
    return rels


def _target_of(rels: dict[str, tuple[str, str | None]], kind: str) -> str | None:
    """The member of the first relationship whose type ends with ``kind``."""
    return next((member for type_, member in rels.values() if type_.endswith(kind) and member), None)


def _workbook(xml: bytes, rels: dict, names: set[str]) -> tuple[list[SheetPart], bool]:
    """The sheets ``xl/workbook.xml`` lists, in tab order, and whether dates count from 1904.

    As openpyxl does, a sheet without a relationship id, or whose part is not in the zip,
    is left out (it is not a sheet the admin can see in Excel either)."""
    sheets: list[SheetPart] = []
    date1904 = False
    for parent, name, attrs in _elements(xml):
        if name == "workbookPr":
            date1904 = attrs.get("date1904", "") not in ("", "false", "f", "0")
        elif parent == "sheets" and name == "sheet":
            rel_id = next((v for k, v in attrs.items() if k.endswith("/relationships id")), None)
            if not rel_id:
                continue
            if rel_id not in rels:
                raise DamagedPart(f"{WORKBOOK} names the sheet part {rel_id}, which {WORKBOOK_RELS} does not list")
            type_, member = rels[rel_id]
            if member not in names:
                continue
            if "name" not in attrs:
                raise DamagedPart(f"{WORKBOOK} lists a sheet without a name")
            chart = "chartsheet" in type_
            sheets.append(SheetPart(attrs["name"], attrs.get("state", "visible"), None if chart else member))
    return sheets, date1904


def styles_showing_dates(xml: bytes) -> set[int]:
    """The indexes of the cell formats (``cellXfs``) whose number format shows a date or a
    time: a built-in one (14 to 22, 45 to 47) or a custom one such as ``dd/mm/yyyy``.

    A custom format may reuse a built-in id; as in Excel, the workbook's own wins."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    for parent, name, attrs in _elements(xml):
        if parent == "numFmts" and name == "numFmt":
            custom[int(attrs.get("numFmtId", 0))] = attrs.get("formatCode", "")
        elif parent == "cellXfs" and name == "xf":
            formats.append(int(attrs.get("numFmtId", 0)))
    return {
        index
        for index, number in enumerate(formats)
        if is_date_format(custom[number] if number in custom else BUILTIN_FORMATS.get(number))
    }


def shared_strings(xml: bytes) -> list[str]:
    """The shared-strings table: each string's text, rich-text runs joined, phonetic
    guides (``rPh``) left out. Excel's escaped underscore ``_x005F_`` is decoded to ``_``,
    as openpyxl decoded it."""
    strings: list[str] = []
    text: list[str] = []
    state = {"in_t": False, "phonetic": 0}

    def start(name: str, attrs: dict) -> None:
        name = name.rpartition(" ")[2]
        if name == "si":
            text.clear()
        elif name == "t" and not state["phonetic"]:
            state["in_t"] = True
        elif name == "rPh":
            state["phonetic"] += 1

    def chars(data: str) -> None:
        if state["in_t"]:
            text.append(data)

    def end(name: str) -> None:
        name = name.rpartition(" ")[2]
        if name == "t":
            state["in_t"] = False
        elif name == "rPh":
            state["phonetic"] -= 1
        elif name == "si":
            strings.append("".join(text).replace("x005F_", ""))

    parser = _parser()
    parser.StartElementHandler = start
    parser.CharacterDataHandler = chars
    parser.EndElementHandler = end
    parser.Parse(xml, True)
    return strings


def _elements(xml: bytes) -> list[tuple[str | None, str, dict[str, str]]]:
    """Every element of a small part as (its parent's local name, its local name, its
    attributes), in document order. Attributes in a namespace are keyed "uri name"."""
    found: list[tuple[str | None, str, dict[str, str]]] = []
    stack: list[str] = []

    def start(name: str, attrs: dict) -> None:
        local = name.rpartition(" ")[2]
        found.append((stack[-1] if stack else None, local, attrs))
        stack.append(local)

    def end(name: str) -> None:
        stack.pop()

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(xml, True)
    return found


def _parser() -> expat.XMLParserType:
    """An expat parser, namespace-aware, that refuses entity declarations and external
    references (the XML bombs and file reads defusedxml guards against)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True

    def entity(name, is_parameter, value, base, sysid, pubid, notation_name):
        raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)

    def unparsed(name, base, sysid, pubid, notation_name):
        raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)

    def external(context, base, sysid, pubid):
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = unparsed
    parser.ExternalEntityRefHandler = external
    return parser
