"""Is this file a .docx template docgen may use? Said before its Word XML is prepared.

A template goes wrong in ordinary ways that all look like "not a zip" from the outside:
a password (Office wraps the encrypted package in an OLE compound file), an old Word
97-2003 .doc (an OLE file too), Word's lock file ``~$name.docx``. Each is refused with
what it is and what to do.

A macro-enabled document (.docm, or one saved with macros under a .docx name) is refused
by name, not stripped. Its macros live in several parts (``vbaProject.bin``,
``vbaData.xml``, the relationships and content types that point at them, sometimes key
bindings and toolbars keyed to them); stripping them would mean docgen quietly rewriting
a file it does not fully understand, and every letter would still be one small mistake
from a package Word will not open as .docx. Word's own Save As .docx removes them
properly, and the admin sees what they get.
"""

from __future__ import annotations

from pathlib import PurePath

from lxml import etree

from docgen.errors import TemplateError
from docgen.formats.docx.package import Member, read_member
from docgen.formats.docx.parts import PARSER
from docgen.formats.ole import is_encrypted, is_ole

#: What Word's lock file for an open document is called: ``~$`` and (most of) its name.
LOCK_PREFIX = "~$"
#: Word's macro-enabled document and template.
MACRO_SUFFIXES = (".docm", ".dotm")
_SAVE_AS = "in Word, Save As 'Word Document (.docx)' and use that."
_CONTENT_TYPES = "[Content_Types].xml"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# Content types and relationship types only a macro-enabled package has (lower case).
_MACRO_CONTENT = ("macroenabled", "vbaproject", "vbadata")
_MACRO_RELATION = "/vbaproject"


def check_file(name: str, raw: bytes) -> None:
    """Refuse, with what it is and the fix, a template named ``name`` whose bytes ``raw``
    are Word's lock file, a macro-enabled document by its name, a password-protected
    document or an old .doc."""
    if name.startswith(LOCK_PREFIX):
        raise TemplateError(
            "is Word's lock file (Word makes it beside a document while the document is open), not a template: "
            "give the document itself, and close it in Word first.",
            template=name,
        )
    if name.lower().endswith(MACRO_SUFFIXES):
        raise _macros(name, "")
    if is_ole(raw):
        if is_encrypted(raw):
            raise TemplateError(
                "is protected with a password, so docgen cannot read it: remove the password in Word "
                "(File > Info > Protect Document > Encrypt with Password, clear the box) and save it again.",
                template=name,
            )
        raise TemplateError(f"is an old Word 97-2003 document (.doc), not a .docx: {_SAVE_AS}", template=name)


def check_macros(name: str, members: dict[str, Member]) -> None:
    """Refuse a package that holds macros whatever its name says: a ``vbaProject.bin``
    part, a macro-enabled content type or a relationship to a VBA project (every letter
    would carry them, and Word will not open a macro-enabled package as .docx)."""
    if _has_macros(members):
        suffix = PurePath(name).suffix
        raise _macros(name, f" (it holds macros, though its name ends in {suffix})" if suffix else " (it holds macros)")


def _has_macros(members: dict[str, Member]) -> bool:
    if any(member.rpartition("/")[2].lower() == "vbaproject.bin" for member in members):
        return True
    if _CONTENT_TYPES in members:
        for entry in etree.fromstring(read_member(members, _CONTENT_TYPES), PARSER):
            content_type = str(entry.get("ContentType", "")).lower()
            if any(word in content_type for word in _MACRO_CONTENT):
                return True
    for member in members:
        if member.endswith(".rels"):
            for rel in etree.fromstring(read_member(members, member), PARSER).iter(_RELATIONSHIP):
                if str(rel.get("Type", "")).lower().endswith(_MACRO_RELATION):
                    return True
    return False


def _macros(name: str, why: str) -> TemplateError:
    return TemplateError(
        f"is a macro-enabled document{why}; docgen does not run or copy macros: {_SAVE_AS}", template=name
    )
