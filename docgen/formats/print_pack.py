"""Print packs: one kind of letter for one ICB merged into a single PDF to print in one
go, behind a contents page (:mod:`docgen.formats.pack_contents`), with blank pages so
that each letter starts on the front of a sheet when printed double-sided.

pikepdf (qpdf) merges them: pypdf took 2.8 s for a pack of 150 letters, as long as
LibreOffice took to convert them."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from docgen.errors import ConversionError, DocgenError
from docgen.formats.files import atomic_save
from docgen.formats.pack_contents import contents_pdfs, estimate_pages
from docgen.formats.pdf import MISSING_LIBREOFFICE, find_soffice


def page_count(pdf: Path | bytes) -> int:
    """Pages in a PDF, so a print pack's contents page can give each letter's first page."""
    try:
        return len(PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf).pages)
    except (OSError, PyPdfError, ValueError) as err:
        name = "the PDF" if isinstance(pdf, bytes) else str(pdf)
        raise ConversionError(f"Cannot read {name} as a PDF ({err}). Convert the letter again.") from err


_A4 = (595.28, 841.89)
_MAX_LAYOUTS = 3  # contents made again when it took more (or fewer) pages than guessed


@dataclass
class PackSpec:
    """One print pack to build: its letters (title, PDF) in order, where it goes, its title."""

    entries: list[tuple[str, Path]]
    out: Path
    title: str
    duplex: bool = True


@dataclass
class _Layout:
    index: int
    spec: PackSpec
    letters: list[tuple[str, Path, int]]  # title, PDF, its page count
    contents_pages: int
    rows: list[tuple[str, int]] = field(default_factory=list)
    contents: object = None


def build_print_pack(
    entries: list[tuple[str, Path]],
    out: Path,
    *,
    title: str,
    soffice: str | None = None,
    duplex: bool = True,
) -> int:
    """Merge one kind of letter for one ICB into a single PDF to print in one go: a contents
    page (``title``, then each entry's title and first page), then each letter in the given
    order, each starting on a new page with its own header and footer, and a bookmark each.

    ``duplex`` (the default) adds a blank page after the contents and after every letter
    with an odd page count, so that printed double-sided each letter starts on the front
    of its own sheet (a right-hand page); ``duplex=False`` is for one-sided printing.
    The contents page is converted by LibreOffice (``soffice``, else the one found).
    Writes ``out`` atomically and returns its page count; with no entries nothing is
    written and 0 is returned.
    """
    made = build_print_packs([PackSpec(entries, out, title, duplex)], soffice=soffice)[0]
    if isinstance(made, DocgenError):
        raise made
    return made


def build_print_packs(specs: list[PackSpec], *, soffice: str | None = None, jobs: int = 1) -> list[int | DocgenError]:
    """Build every pack as :func:`build_print_pack` does, their contents pages made by one
    LibreOffice call (``jobs`` processes); for each pack, its page count or its error.
    Raises :class:`ConversionError` only when LibreOffice is missing."""
    # Imported here, as pypdf is not: a run without --pdf never needs pikepdf.
    from pikepdf import Pdf

    results: list[int | DocgenError | None] = [None] * len(specs)
    with contextlib.ExitStack() as opened:
        layouts = []
        for index, spec in enumerate(specs):
            if not spec.entries:
                results[index] = 0
                continue
            # Only each letter's page count for now: the letters are opened again, a pack at a
            # time, to be merged, so a big batch never holds thousands of files open at once.
            try:
                letters = [(entry_title, pdf, _pages(pdf, entry_title, spec)) for entry_title, pdf in spec.entries]
            except ConversionError as err:
                results[index] = err
                continue
            layouts.append(_Layout(index, spec, letters, estimate_pages([t for t, _ in spec.entries])))
        if layouts:
            soffice = soffice or find_soffice()
            if soffice is None:
                raise ConversionError(MISSING_LIBREOFFICE)

        # Each letter's first page depends on how many pages the contents take: guess, then
        # lay the contents out again with the count LibreOffice made until the two agree.
        pending = layouts
        for _ in range(_MAX_LAYOUTS):
            if not pending:
                break
            for layout in pending:
                layout.rows = _rows(layout)
            asked = [(layout.spec.title, layout.rows, layout.spec.out) for layout in pending]
            made = contents_pdfs(asked, soffice or "", jobs=jobs)
            again = []
            for layout, data in zip(pending, made, strict=True):
                if isinstance(data, DocgenError):
                    results[layout.index] = data
                    continue
                layout.contents = opened.enter_context(Pdf.open(io.BytesIO(data)))
                if len(layout.contents.pages) != layout.contents_pages:
                    layout.contents_pages = len(layout.contents.pages)
                    again.append(layout)
            pending = again
        for layout in pending:
            results[layout.index] = ConversionError(
                f"LibreOffice laid out the contents page of the print pack {layout.spec.out} on a different number "
                "of pages each time, so its page numbers could not be set. Run again; the letters' own PDFs are written."
            )
        for layout in layouts:
            if results[layout.index] is None:
                try:
                    results[layout.index] = _merge(layout)
                except DocgenError as err:
                    results[layout.index] = err
    return [r if r is not None else 0 for r in results]


def _padded(pages: int, duplex: bool) -> int:
    return pages + (pages % 2 if duplex else 0)


def _rows(layout: _Layout) -> list[tuple[str, int]]:
    """Each letter's title and first page, after contents of ``layout.contents_pages`` pages."""
    duplex = layout.spec.duplex
    rows, next_page = [], _padded(layout.contents_pages, duplex) + 1
    for entry_title, _, pages in layout.letters:
        rows.append((entry_title, next_page))
        next_page += _padded(pages, duplex)
    return rows


def _open(pdf: Path, entry_title: str, spec: PackSpec) -> Any:
    """The letter's PDF opened with pikepdf, or a ConversionError naming it and the pack."""
    import pikepdf

    try:
        return pikepdf.Pdf.open(pdf)
    except (OSError, pikepdf.PdfError, ValueError) as err:
        raise ConversionError(
            f"Cannot add {pdf} ({entry_title}) to the print pack {spec.out}: it is not a readable "
            f"PDF ({err}). Convert the letter again, then run again."
        ) from err


def _pages(pdf: Path, entry_title: str, spec: PackSpec) -> int:
    with _open(pdf, entry_title, spec) as reader:
        return len(reader.pages)


def _merge(layout: _Layout) -> int:
    """The contents, then every letter (with the blank pages of the duplex layout), a bookmark
    each, written atomically; the pack's page count."""
    import pikepdf
    from pikepdf import Dictionary, Name, Pdf

    spec, duplex = layout.spec, layout.spec.duplex
    contents: Any = layout.contents
    # The pack and its letters are open only while this pack is made (pages are copied
    # lazily, so until it is saved), so a big batch never holds thousands of files open.
    with contextlib.ExitStack() as letters:
        pack = letters.enter_context(Pdf.new())
        pack.pages.extend(contents.pages)
        if _padded(layout.contents_pages, duplex) > layout.contents_pages:
            pack.add_blank_page(page_size=_A4)
        for entry_title, pdf, _ in layout.letters:
            reader = letters.enter_context(_open(pdf, entry_title, spec))
            pack.pages.extend(reader.pages)
            if _padded(len(reader.pages), duplex) > len(reader.pages):
                last = reader.pages[-1].mediabox
                pack.add_blank_page(page_size=(float(last[2]) - float(last[0]), float(last[3]) - float(last[1])))
        with pack.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem("Contents", 0))
            for entry_title, first_page in layout.rows:
                outline.root.append(pikepdf.OutlineItem(entry_title, first_page - 1))
        pack.docinfo["/Title"] = spec.title
        pack.docinfo["/Producer"] = "docgen"
        pack.Root.PageMode = Name.UseOutlines
        # The letters' language; viewers show the title rather than the file name, and their
        # print dialog starts on the sidedness the pack is laid out for.
        pack.Root.Lang = pikepdf.String("en-GB")
        pack.Root.ViewerPreferences = Dictionary(
            DisplayDocTitle=True, Duplex=Name.DuplexFlipLongEdge if duplex else Name.Simplex
        )
        total = len(pack.pages)
        atomic_save(Path(spec.out), lambda tmp: pack.save(tmp, deterministic_id=True))
        return total
