"""Print packs: one kind of letter for one ICB merged into a single PDF to print in one
go, behind a contents page (:mod:`docgen.formats.pack_contents`), with blank pages so
that each letter starts on the front of a sheet when printed double-sided.

pikepdf (qpdf) merges them: pypdf took 2.8 s for a pack of 150 letters, as long as
LibreOffice took to convert them."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from docgen.errors import ConversionError
from docgen.formats.files import atomic_save
from docgen.formats.pack_contents import contents_pdf, estimate_pages
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
    if not entries:
        return 0
    # Imported here, as pypdf is not: a run without --pdf never needs pikepdf.
    import pikepdf
    from pikepdf import Dictionary, Name, Pdf

    with contextlib.ExitStack() as opened:
        readers = []
        for entry_title, pdf in entries:
            try:
                readers.append((entry_title, opened.enter_context(Pdf.open(pdf))))
            except (OSError, pikepdf.PdfError, ValueError) as err:
                raise ConversionError(
                    f"Cannot add {pdf} ({entry_title}) to the print pack {out}: it is not a readable PDF ({err}). "
                    "Convert the letter again, then run again."
                ) from err
        soffice = soffice or find_soffice()
        if soffice is None:
            raise ConversionError(MISSING_LIBREOFFICE)

        def padded(pages: int) -> int:
            return pages + (pages % 2 if duplex else 0)

        # Each letter's first page depends on how many pages the contents take: guess, then
        # lay the contents out again with the count LibreOffice made until the two agree.
        contents_pages = estimate_pages([entry_title for entry_title, _ in entries])
        for _ in range(_MAX_LAYOUTS):
            rows, next_page = [], padded(contents_pages) + 1
            for entry_title, reader in readers:
                rows.append((entry_title, next_page))
                next_page += padded(len(reader.pages))
            contents = opened.enter_context(Pdf.open(io.BytesIO(contents_pdf(title, rows, soffice, pack=out))))
            if len(contents.pages) == contents_pages:
                break
            contents_pages = len(contents.pages)
        else:
            raise ConversionError(
                f"LibreOffice laid out the contents page of the print pack {out} on a different number of pages "
                "each time, so its page numbers could not be set. Run again; the letters' own PDFs are written."
            )

        pack = opened.enter_context(Pdf.new())
        pack.pages.extend(contents.pages)
        if padded(contents_pages) > contents_pages:
            pack.add_blank_page(page_size=_A4)
        for _, reader in readers:
            pack.pages.extend(reader.pages)
            if padded(len(reader.pages)) > len(reader.pages):
                last = reader.pages[-1].mediabox
                pack.add_blank_page(page_size=(float(last[2]) - float(last[0]), float(last[3]) - float(last[1])))
        with pack.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem("Contents", 0))
            for entry_title, first_page in rows:
                outline.root.append(pikepdf.OutlineItem(entry_title, first_page - 1))
        pack.docinfo["/Title"] = title
        pack.docinfo["/Producer"] = "docgen"
        pack.Root.PageMode = Name.UseOutlines
        # The letters' language; viewers show the title rather than the file name, and their
        # print dialog starts on the sidedness the pack is laid out for.
        pack.Root.Lang = pikepdf.String("en-GB")
        pack.Root.ViewerPreferences = Dictionary(
            DisplayDocTitle=True, Duplex=Name.DuplexFlipLongEdge if duplex else Name.Simplex
        )
        total = len(pack.pages)
        atomic_save(Path(out), lambda tmp: pack.save(tmp, deterministic_id=True))
    return total
