"""Numbered lists that start again in each letter of a composite document
(:mod:`docgen.formats.docx_compose`).

Word (and LibreOffice) continue a list across the whole document: every paragraph of one
``w:num`` is numbered in sequence, so the agenda of the tenth letter of a pack would
start at 73. Each letter after the first gets its own ``w:num`` for every list it uses,
over the same abstract list, told to start again (``w:startOverride``), exactly as the
letter numbers its items when it is converted alone.
"""

from __future__ import annotations

import copy

from lxml import etree

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_LEVELS = range(9)


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


class Lists:
    """The composite's numbering part and the lists its paragraph styles use."""

    def __init__(self, numbering: bytes | None, styles: bytes | None) -> None:
        self.numbering = etree.fromstring(numbering) if numbering else None
        self._nums: dict[str, etree._Element] = {}
        self._starts: dict[str, dict[int, str]] = {}
        self._next = 1
        if self.numbering is not None:
            for num in self.numbering.findall(_w("num")):
                self._nums[num.get(_w("numId"))] = num
                self._next = max(self._next, int(num.get(_w("numId"), "0")) + 1)
            for abstract in self.numbering.findall(_w("abstractNum")):
                self._starts[abstract.get(_w("abstractNumId"))] = {
                    int(lvl.get(_w("ilvl"), "0")): _val(lvl.find(_w("start")), "1")
                    for lvl in abstract.findall(_w("lvl"))
                }
        self._style_lists = _style_lists(etree.fromstring(styles)) if styles else {}

    def restart(self, elements: list) -> None:
        """Give every list in ``elements`` (one letter's body) numbers of its own, starting again."""
        if self.numbering is None:
            return
        renamed: dict[str, str] = {}
        for paragraph in (p for element in elements for p in element.iter(_w("p"))):
            properties = paragraph.find(_w("pPr"))
            style = properties.find(_w("pStyle")) if properties is not None else None
            inherited = self._style_lists.get(_val(style, ""), (None, None))
            direct = properties.find(_w("numPr")) if properties is not None else None
            num_id = _val(direct.find(_w("numId")), None) if direct is not None else None
            level = _val(direct.find(_w("ilvl")), None) if direct is not None else None
            num_id, level = num_id or inherited[0], level or inherited[1] or "0"
            if not num_id or num_id == "0" or num_id not in self._nums:
                continue
            if num_id not in renamed:
                renamed[num_id] = self._new_num(num_id)
            if properties is None:
                properties = etree.Element(_w("pPr"))
                paragraph.insert(0, properties)
            if direct is None:
                direct = etree.Element(_w("numPr"))
                insert_after(
                    properties,
                    direct,
                    ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl"),
                )
            for child in list(direct):
                direct.remove(child)
            etree.SubElement(direct, _w("ilvl")).set(_w("val"), level)
            etree.SubElement(direct, _w("numId")).set(_w("val"), renamed[num_id])

    def xml(self) -> bytes:
        return etree.tostring(self.numbering, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _new_num(self, num_id: str) -> str:
        """A copy of list ``num_id`` under a new id, every level told to start again."""
        assert self.numbering is not None, "restart() returns first without a numbering part"
        num = copy.deepcopy(self._nums[num_id])
        new_id = str(self._next)
        self._next += 1
        num.set(_w("numId"), new_id)
        abstract = _val(num.find(_w("abstractNumId")), "")
        overridden = {o.get(_w("ilvl")): o for o in num.findall(_w("lvlOverride"))}
        for level in _LEVELS:
            override = overridden.get(str(level))
            if override is None:
                override = etree.SubElement(num, _w("lvlOverride"))
                override.set(_w("ilvl"), str(level))
            if override.find(_w("startOverride")) is None:
                start = etree.Element(_w("startOverride"))
                start.set(_w("val"), self._starts.get(abstract, {}).get(level, "1"))
                override.insert(0, start)
        last = self.numbering.findall(_w("num"))
        anchor = last[-1] if last else self.numbering.findall(_w("abstractNum"))[-1]
        anchor.addnext(num)
        self._nums[new_id] = num
        return new_id


def _val(element, default):
    return element.get(_w("val"), default) if element is not None else default


def insert_after(parent, element, before: tuple[str, ...]) -> None:
    """Insert ``element`` after the children named in ``before`` (schema order)."""
    position = 0
    for k, child in enumerate(parent):
        if isinstance(child.tag, str) and child.tag.startswith(f"{{{_W}}}") and child.tag[len(_W) + 2 :] in before:
            position = k + 1
    parent.insert(position, element)


def _style_lists(styles) -> dict[str, tuple[str | None, str | None]]:
    """Each paragraph style's list and level, inherited through ``w:basedOn``."""
    own: dict[str, tuple[str | None, str | None]] = {}
    based: dict[str, str] = {}
    for style in styles.findall(_w("style")):
        style_id = style.get(_w("styleId"))
        number = style.find(f"{_w('pPr')}/{_w('numPr')}")
        if number is not None:
            own[style_id] = (_val(number.find(_w("numId")), None), _val(number.find(_w("ilvl")), None))
        parent = style.find(_w("basedOn"))
        if parent is not None:
            based[style_id] = parent.get(_w("val"))
    resolved: dict[str, tuple[str | None, str | None]] = {}
    for style_id in set(own) | set(based):
        num_id, level, seen = None, None, set()
        current: str | None = style_id
        while current and current not in seen:
            seen.add(current)
            found = own.get(current, (None, None))
            num_id, level = num_id or found[0], level or found[1]
            current = based.get(current)
        resolved[style_id] = (num_id, level)
    return resolved
