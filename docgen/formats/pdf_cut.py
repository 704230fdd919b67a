"""Letters cut out of one composite PDF (:mod:`docgen.formats.docx_compose`) by page range,
each a tagged PDF of its own as if LibreOffice had converted that letter alone.

The named destination at each letter's end gives its last page; the next letter starts
on the page after. Splitting pages alone would keep the text but lose what makes the PDF
accessible, so each letter gets the part of the structure tree (headings, paragraphs,
tables, in reading order) that lies on its pages, its own parent tree, the document's
language, title, XMP metadata (PDF/UA) and viewer preferences, and the bookmarks of its
headings. The links LibreOffice adds to the page totals (PAGEREF is a cross-reference) are
dropped: a letter converted alone has none.

pikepdf (qpdf) does the copying: pypdf, pure Python, took longer to cut a pack than
LibreOffice took to convert it (0.05 s a letter of three pages, measured).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from docgen.errors import DocgenError
from docgen.formats.docx_compose import end_mark
from docgen.formats.files import atomic_write_bytes

# Root entries a letter keeps as they are (its structure, outline and first page are its own).
_ROOT_KEPT = ("/Lang", "/MarkInfo", "/Metadata", "/ViewerPreferences", "/PageMode")
_REFERENCES = (Name.MCR, Name.OBJR)


class CutError(Exception):
    """The composite PDF does not show where its letters are: convert them alone."""


def cut_letters(composite: Path | bytes, count: int, titles: list[str | None] | None = None) -> list[bytes]:
    """The ``count`` letters of ``composite``, in order, as PDF bytes each; a letter's
    title (``titles``, from its own document properties) replaces the composite's, which
    is the first letter's."""
    try:
        with Pdf.open(io.BytesIO(composite) if isinstance(composite, bytes) else composite) as source:
            return _Cutter(source, count).letters(titles or [None] * count)
    except (pikepdf.PdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as err:
        raise CutError(f"the PDF could not be cut into its letters ({err})") from err


def cut_into(composite: Path, targets: list[Path], titles: list[str | None] | None = None) -> list[DocgenError | None]:
    """Cut ``composite`` into one PDF per letter and write each to its target atomically
    (so a killed run leaves none half-written); the error writing each, if any. Raises
    :class:`CutError` when it cannot be cut, before anything is written."""
    letters = cut_letters(composite, len(targets), titles)
    errors: list[DocgenError | None] = []
    for target, data in zip(targets, letters, strict=True):
        try:
            atomic_write_bytes(target, data)
            errors.append(None)
        except DocgenError as err:
            errors.append(err)
    return errors


def _key(obj) -> tuple[int, int]:
    return obj.objgen


class _Cutter:
    """One composite, read once: its letters' page ranges, structure and bookmarks."""

    def __init__(self, source: Pdf, count: int) -> None:
        self.source = source
        self.root = source.Root
        self.page_index = {_key(page.obj): k for k, page in enumerate(source.pages)}
        self.ends, self.marks = self._ends(count)
        self.tree: Any = self.root.get(Name.StructTreeRoot)
        self.parents = _number_tree(self.tree.get(Name.ParentTree)) if self.tree is not None else {}
        self.pages_of: dict[tuple[int, int], frozenset[int]] = {}
        self.kids_of: dict[tuple[int, int], list] = {}
        self.detached = source.make_indirect(Dictionary())  # the parent of what is copied whole
        self.outline = self._outline()

    def letters(self, titles: list[str | None]) -> list[bytes]:
        letters, first = [], 0
        for last, title in zip(self.ends, titles, strict=True):
            letters.append(self._letter(range(first, last + 1), title))
            first = last + 1
        return letters

    def _ends(self, count: int) -> tuple[list[int], set]:
        """Each letter's last page (0-based), and where its end mark is (to know its links)."""
        names = self.root.get(Name.Dests)
        ends, marks = [], set()
        for index in range(count):
            dest: Any = names.get("/" + end_mark(index)) if names is not None else None
            if dest is None:
                raise CutError(f"letter {index + 1}'s end was not found in the PDF")
            dest = dest.get(Name.D, dest) if isinstance(dest, Dictionary) else dest
            ends.append(self.page_index[_key(dest[0])])
            marks.add(_where(dest))
        if any(b <= a for a, b in zip([-1, *ends], ends, strict=False)) or ends[-1] != len(self.source.pages) - 1:
            raise CutError(
                f"the letters' end pages {[e + 1 for e in ends]} do not divide {len(self.source.pages)} pages"
            )
        return ends, marks

    def _outline(self) -> list[tuple[int, str, int]]:
        """The composite's bookmarks (LibreOffice makes them from headings) as (depth, title, page)."""
        flat: list[tuple[int, str, int]] = []
        with self.source.open_outline() as outline:

            def walk(items, depth: int) -> None:
                for item in items:
                    page = None
                    dest = item.destination
                    if isinstance(dest, Array) and len(dest):
                        page = self.page_index.get(_key(dest[0]))
                    if page is not None:
                        flat.append((depth, item.title, page))
                    walk(item.children, depth + 1)

            walk(outline.root, 0)
        return flat

    def _letter(self, pages: range, title: str | None) -> bytes:
        source = self.source
        letter = Pdf.new()
        page_map: dict[tuple[int, int], object] = {}
        annot_map: dict[tuple[int, int], object] = {}
        for k in pages:
            page = source.pages[k]
            kept = Array()
            for annot in page.obj.get(Name.Annots, Array()):
                dest = annot.get(Name.Dest)
                if (
                    isinstance(dest, Array)
                    and len(dest)
                    and (_where(dest) in self.marks or self.page_index.get(_key(dest[0])) not in pages)
                ):
                    continue  # a page total's link, or a link to another letter
                kept.append(annot)
            page.obj.Annots = kept  # the source is only read: it is never saved
            letter.pages.append(page)
            page_map[_key(page.obj)] = letter.pages[-1].obj
        # qpdf copies each object of the composite once, so a link's page is the letter's page.
        for old, copied in _annot_pairs(source, pages, letter):
            annot_map[_key(old)] = copied
        for new in letter.pages:
            if Name.Annots in new.obj and not len(new.obj.Annots):
                del new.obj[Name.Annots]
        if self.tree is not None:
            self._structure(letter, pages, page_map, annot_map)
        for key in _ROOT_KEPT:
            if key in self.root:
                letter.Root[key] = _own(letter, self.root[key])
        letter.Root.OpenAction = Array([letter.pages[0].obj, Name.XYZ, None, None, 0])
        self._bookmarks(letter, pages)
        if Name.Info in source.trailer:
            letter.trailer.Info = _own(letter, source.trailer.Info)
        if title is not None:
            _retitle(letter, title)
        out = io.BytesIO()
        letter.save(out, fix_metadata_version=False, deterministic_id=True)
        return out.getvalue()

    def _bookmarks(self, letter: Pdf, pages: range) -> None:
        """The bookmarks on this letter's pages, nested as they were."""
        with letter.open_outline() as outline:
            parents: dict[int, Any] = {}
            for depth, title, page in self.outline:
                parents = {d: p for d, p in parents.items() if d < depth}
                if page not in pages or (depth and depth - 1 not in parents):
                    continue
                item = pikepdf.OutlineItem(title, page - pages.start)
                (parents[depth - 1].children if depth else outline.root).append(item)
                parents[depth] = item

    def _pages(self, obj) -> frozenset[int]:
        """The pages (indexes) an element, marked-content or object reference has content on,
        worked out once per composite (letters share the document's grouping elements)."""
        key = _key(obj) if obj.is_indirect else None
        if key is not None and key in self.pages_of:
            return self.pages_of[key]
        if key is not None:
            self.pages_of[key] = frozenset()  # a cycle in a damaged tree ends here
        found: set[int] = set()
        kind = obj.get(Name.Type)
        if kind == Name.OBJR:
            holder = obj.get(Name.Obj)
            page = obj.get(Name.Pg) or (holder.get(Name.P) if holder is not None else None)
            found |= self._page_set(page)
        elif kind == Name.MCR:
            found |= self._page_set(obj.get(Name.Pg))
        else:
            kids = _kids(obj)
            for kid in kids:
                found |= self._pages(kid) if isinstance(kid, Dictionary) else self._page_set(obj.get(Name.Pg))
            if not kids:
                found |= self._page_set(obj.get(Name.Pg))
        result = frozenset(found)
        if key is not None:
            self.pages_of[key] = result
        return result

    def _kids_of(self, elem) -> list[tuple[object, frozenset[int]]]:
        """An element's kids with their pages, read once (the document's grouping element
        has every letter's paragraphs as kids)."""
        key = _key(elem)
        if key not in self.kids_of:
            self.kids_of[key] = [
                (kid, self._pages(kid) if isinstance(kid, Dictionary) else self._page_set(elem.get(Name.Pg)))
                for kid in _kids(elem)
            ]
        return self.kids_of[key]

    def _page_set(self, page) -> frozenset[int]:
        if isinstance(page, Dictionary) and page.is_indirect and _key(page) in self.page_index:
            return frozenset([self.page_index[_key(page)]])
        return frozenset()

    def _structure(self, letter: Pdf, pages: range, page_map, annot_map) -> None:
        """The structure tree's elements on ``pages``, with a parent tree that points at them."""
        wanted = frozenset(pages)
        elem_map: dict[tuple[int, int], object] = {}

        def copy(elem, parent):
            if elem.is_indirect and self._pages(elem) <= wanted:
                # Wholly this letter's: qpdf copies the subtree at once (its pages and
                # annotations map to the letter's), cut loose from the composite's parent first.
                elem.P = self.detached
                new = letter.copy_foreign(elem)
                new.P = parent
                return new
            new = letter.make_indirect(Dictionary())
            elem_map[_key(elem)] = new
            for key, value in elem.items():
                if key == "/P":
                    new.P = parent
                elif key == "/Pg":
                    if _key(value) in page_map:  # a grouping element may start on another letter's page
                        new.Pg = page_map[_key(value)]
                elif key != "/K":
                    new[key] = _own(letter, value)
            kids = Array()
            for kid, kid_pages in self._kids_of(elem):
                if not kid_pages & wanted:
                    continue
                if not isinstance(kid, Dictionary):  # a marked-content id on the element's page
                    kids.append(kid)
                elif kid.get(Name.Type) in _REFERENCES:
                    reference = _reference(kid, page_map, annot_map)
                    if reference is not None:
                        kids.append(reference)
                else:
                    kids.append(copy(kid, new))
            if len(kids):
                new.K = kids[0] if len(kids) == 1 else kids
            return new

        root = letter.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        top = Array([copy(kid, root) for kid, kid_pages in self._kids_of(self.tree) if kid_pages & wanted])
        root.K = top[0] if len(top) == 1 else top
        for key in ("/RoleMap", "/ClassMap"):
            if key in self.tree:
                root[key] = _own(letter, self.tree[key])

        def element(value):
            """The letter's copy of an element the parent tree names (None: not on its pages)."""
            if not isinstance(value, Dictionary) or not value.is_indirect:
                return None
            if _key(value) in elem_map:
                return elem_map[_key(value)]
            pages_of = self._pages(value)
            return letter.copy_foreign(value) if pages_of and pages_of <= wanted else None

        def mapped(value):
            if isinstance(value, Array):
                return Array([element(v) for v in value])
            return element(value)

        nums: Any = Array()
        for j, k in enumerate(pages):
            old: Any = self.source.pages[k].obj.get(Name.StructParents)
            new_page = letter.pages[j].obj
            if old is not None and int(old) in self.parents:
                new_page.StructParents = j
                nums.extend([j, letter.make_indirect(mapped(self.parents[int(old)]))])
            elif Name.StructParents in new_page:
                del new_page[Name.StructParents]
        next_key = len(pages)
        for _, copied in _annot_pairs(self.source, pages, letter):
            old = copied.get(Name.StructParent)
            if old is not None and int(old) in self.parents:
                copied.StructParent = next_key
                nums.extend([next_key, mapped(self.parents[int(old)])])
                next_key += 1
        root.ParentTree = letter.make_indirect(Dictionary(Nums=nums))
        root.ParentTreeNextKey = next_key
        letter.Root.StructTreeRoot = root


def _own(letter: Pdf, value):
    """``value`` of the composite as an object of ``letter`` (qpdf copies indirect ones)."""
    if getattr(value, "is_indirect", False):
        return letter.copy_foreign(value)
    if isinstance(value, Dictionary):
        return Dictionary({key: _own(letter, item) for key, item in value.items()})
    if isinstance(value, Array):
        return Array([_own(letter, item) for item in value])
    if isinstance(value, pikepdf.Stream):
        raise ValueError("a direct stream")  # not possible in a valid PDF
    return value


def _annot_pairs(source: Pdf, pages: range, letter: Pdf):
    for k, new in zip(pages, letter.pages, strict=True):
        yield from zip(source.pages[k].obj.get(Name.Annots, Array()), new.obj.get(Name.Annots, Array()), strict=True)


def _where(dest: Array) -> tuple:
    """Where a destination points: its page and position."""
    try:
        return (_key(dest[0]), round(float(dest[2]), 2), round(float(dest[3]), 2))
    except (IndexError, TypeError, ValueError):
        return (_key(dest[0]),)


def _kids(elem) -> list:
    kids = elem.get(Name.K)
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _reference(obj, page_map, annot_map):
    """A marked-content or object reference, pointing at the letter's page and annotation."""
    new = Dictionary()
    for key, value in obj.items():
        if key == "/Pg":
            if _key(value) not in page_map:
                return None
            new.Pg = page_map[_key(value)]
        elif key == "/Obj":
            if not value.is_indirect or _key(value) not in annot_map:
                return None
            new.Obj = annot_map[_key(value)]
        else:
            new[key] = value
    return new


def _number_tree(node, out: dict | None = None) -> dict:
    """A PDF number tree (the parent tree) as a dict."""
    out = {} if out is None else out
    if not isinstance(node, Dictionary):
        return out
    nums = node.get(Name.Nums)
    if nums is not None:
        for k in range(0, len(nums) - 1, 2):
            out[int(nums[k])] = nums[k + 1]
    for kid in node.get(Name.Kids, Array()):
        _number_tree(kid, out)
    return out


def _retitle(letter: Pdf, title: str) -> None:
    """The letter's own title in both places a viewer or checker reads it: the document
    information and the XMP metadata's dc:title (PDF/UA asks for the latter). No other
    metadata changes (no pikepdf producer, no new metadata date)."""
    if Name.Info in letter.trailer:
        letter.trailer.Info.Title = pikepdf.String(title)
    if Name.Metadata in letter.Root:
        with letter.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:title"] = title
