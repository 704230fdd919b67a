"""The one place docgen reaches into docxtpl beyond its documented ``render``/``save``.

The engine does docxtpl's work itself, per part, so it calls four of ``DocxTemplate``'s
undocumented methods: ``patch_xml`` (a part's XML made into jinja source),
``resolve_listing`` (tabs and line breaks in printed values), ``fix_tables`` and
``fix_docpr_ids`` (the post-render fixes), plus the ``docx_ids_index`` counter. None of
them is a promise docxtpl makes, so this module is checked against the docxtpl releases
it was written for when it is imported: another version fails at once with a
:class:`~docgen.errors.DependencyError` rather than writing letters that differ from the
ones the tests compare against docxtpl's own.
"""

from __future__ import annotations

import re
from importlib.metadata import version

from docxtpl import DocxTemplate
from lxml import etree

from docgen.errors import DependencyError

#: The docxtpl releases whose internals this module was written against, as (major,
#: minor) bounds; keep in step with the ``docxtpl`` range in pyproject.toml.
SUPPORTED = ((0, 18), (0, 21))
SUPPORTED_RANGE = ">=0.18,<0.21"


def check_version(installed: str) -> None:
    """Raise :class:`DependencyError` unless ``installed`` is a docxtpl release this
    module supports (compared by major and minor, so 0.20.3 or 0.20.0rc1 pass)."""
    m = re.match(r"(\d+)\.(\d+)", installed)
    low, high = SUPPORTED
    if m is None or not low <= (int(m.group(1)), int(m.group(2))) < high:
        raise DependencyError(
            f"docxtpl {installed} is installed, but docgen supports docxtpl {SUPPORTED_RANGE} only "
            "(it relies on parts of docxtpl that may change between releases). Install a supported "
            f"version: pip install 'docxtpl{SUPPORTED_RANGE}'."
        )


check_version(version("docxtpl"))

# The four methods below read nothing of the document, so one DocxTemplate that is never
# opened serves them all (its file name is never used).
_DOCXTPL = DocxTemplate("")


def patch_xml(xml: str) -> str:
    """docxtpl's preparation of a part's XML for jinja: tags split across runs joined,
    ``{%tr %}``/``{%tc %}``/``{%p %}``/``{%r %}`` tags lifted out of their element."""
    return _DOCXTPL.patch_xml(xml)


def resolve_listing(xml: str) -> str:
    """docxtpl's handling of tabs, line breaks, bells and form feeds in rendered XML."""
    return _DOCXTPL.resolve_listing(xml)


def fix_tables(data: bytes) -> etree._Element:
    """docxtpl's ``fix_tables``: the part parsed, each table's grid matched to its widest
    row (a ``{%tc %}`` loop may make more or fewer cells than the grid has columns)."""
    return _DOCXTPL.fix_tables(data)


def fix_docpr_ids(tree: etree._Element) -> None:
    """docxtpl's ``fix_docpr_ids``: drawing ids renumbered 1001, 1002... in document
    order, as docxtpl numbers them in a fresh render. A new counter each call, so two
    threads rendering at once never share one."""
    counter = DocxTemplate("")
    counter.docx_ids_index = 1000
    counter.fix_docpr_ids(tree)
