"""What a part's jinja tree proves about every rendering, worked out once at load, so
the per-letter strict parse and docxtpl's table fix can be skipped when they cannot matter."""

from __future__ import annotations

import re
from dataclasses import dataclass

from jinja2 import nodes


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


class Shape:
    """What a part's jinja tree proves about every rendering, worked out once at load.

    ``run`` is True when each block body (``{% if %}``, ``{% for %}``, docxtpl's
    ``{%tr %}``...) is balanced XML and every printed value sits inside a ``<w:t>``:
    then no context can produce broken XML and the per-letter strict parse is skipped.
    ``grid_may_change`` stays False when no table can end up with more cells than grid
    columns or without a full-width row, i.e. docxtpl's ``fix_tables`` would never
    change it. Anything unusual (macros, values inside tags, nested tables) falls back
    to checking every rendering.
    """

    def __init__(self, *, values_anywhere: bool = False) -> None:
        #: A properties part (plain text in every element, line breaks made spaces): a
        #: printed value is safe inside any element, not only ``<w:t>``.
        self.values_anywhere = values_anywhere
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
                    elif not self.stack or (self.stack[-1].name != "w:t" and not self.values_anywhere):
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
