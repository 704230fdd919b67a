"""Print packs: one kind of letter for one ICB merged with pypdf into a single PDF to
print in one go, behind a contents page drawn directly in the PDF's built-in Helvetica
(no font file, no LibreOffice)."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from docgen.errors import ConversionError
from docgen.formats.files import atomic_save


def page_count(pdf: Path | bytes) -> int:
    """Pages in a PDF, so a print pack's contents page can give each letter's first page."""
    try:
        return len(PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf).pages)
    except (OSError, PyPdfError, ValueError) as err:
        name = "the PDF" if isinstance(pdf, bytes) else str(pdf)
        raise ConversionError(f"Cannot read {name} as a PDF ({err}). Convert the letter again.") from err


_A4 = (595.28, 841.89)
_MARGIN = 72.0
_ROWS_PER_PAGE = 30  # 20 pt apart, ending above the bottom margin

# Helvetica advance widths (1/1000 em, Adobe AFM) for ASCII 32..126; the PDF viewer has the
# font built in, so a contents page needs no font file and no LibreOffice.
_HELVETICA = dict(
    zip(
        (chr(c) for c in range(32, 127)),
        (
            278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
            1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
            333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
        ),
        strict=True,
    )
)  # fmt: skip


def _winansi(text: str) -> str:
    """``text`` in the characters the built-in PDF fonts have (Windows-1252); others lose
    their accent (``ŵ`` becomes ``w``) rather than showing as a blank."""
    out = []
    for ch in " ".join(str(text).split()):
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("cp1252", "ignore").decode("cp1252")
            out.append(base or "?")
    return "".join(out)


def _width(text: str, size: float, bold: bool = False) -> float:
    """Approximate width in points of ``text`` set in Helvetica (bold is about 5% wider)."""
    units = sum(_HELVETICA.get(unicodedata.normalize("NFKD", ch)[:1], 556) for ch in text)
    return units * size / 1000 * (1.05 if bold else 1.0)


def _fit(text: str, size: float, room: float) -> str:
    """``text`` cut with an ellipsis so it fits ``room`` points."""
    if _width(text, size) <= room:
        return text
    while text and _width(text + "\u2026", size) > room:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def _pdf_string(text: str) -> bytes:
    return b"(" + text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _contents_stream(title: str, rows: list[tuple[str, int]], continued: bool) -> bytes:
    """The drawing operators of one contents page."""
    left, right = _MARGIN, _A4[0] - _MARGIN
    ops: list[bytes] = []

    def text(x: float, y: float, s: str, font: str, size: float) -> None:
        ops.append(f"BT /{font} {size:g} Tf {x:.2f} {y:.2f} Td ".encode() + _pdf_string(s) + b" Tj ET")

    heading = _fit(_winansi(title + (" (continued)" if continued else "")), 16, (right - left) / 1.05)
    text(left, _A4[1] - _MARGIN - 16, heading, "F2", 16)
    y = _A4[1] - _MARGIN - 56
    text(left, y, "Contents", "F2", 11)
    text(right - _width("Page", 11, bold=True), y, "Page", "F2", 11)
    ops.append(f"0.6 G 0.5 w {left:.2f} {y - 6:.2f} m {right:.2f} {y - 6:.2f} l S".encode())
    for entry, page in rows:
        y -= 20
        number = str(page)
        name = _fit(_winansi(entry), 11, right - left - _width(number, 11) - 24)
        text(left, y, name, "F1", 11)
        text(right - _width(number, 11), y, number, "F1", 11)
    return b"\n".join(ops)


def _contents_pdf(title: str, rows: list[tuple[str, int]], pages: int) -> bytes:
    """A hand-made PDF of ``pages`` contents pages in the built-in Helvetica."""
    chunks = [rows[k * _ROWS_PER_PAGE : (k + 1) * _ROWS_PER_PAGE] for k in range(pages)]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in once the page objects are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for k, chunk in enumerate(chunks):
        stream = _contents_stream(title, chunk, continued=k > 0)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % (_A4[0], _A4[1], len(objects))
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % n for n in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def build_print_pack(
    entries: list[tuple[str, Path]],
    out: Path,
    *,
    title: str,
    soffice: str | None = None,
    duplex: bool = False,
) -> int:
    """Merge one kind of letter for one ICB into a single PDF to print in one go: a contents
    page (``title``, then each entry's title and first page), then each letter in the given
    order, each starting on a new page with its own header and footer, and a bookmark each.

    ``duplex=True`` adds a blank page after the contents and after every letter with an odd
    page count, so each letter starts on the front of a sheet; the default prints one-sided.
    ``soffice`` is accepted for symmetry with :func:`docgen.formats.pdf.convert_to_pdf` and
    not needed: the contents page is drawn directly in Helvetica. Writes ``out`` atomically
    and returns its page count; with no entries nothing is written and 0 is returned.
    """
    del soffice
    if not entries:
        return 0
    readers = []
    for entry_title, pdf in entries:
        try:
            readers.append((entry_title, PdfReader(pdf)))
        except (OSError, PyPdfError, ValueError) as err:
            raise ConversionError(
                f"Cannot add {pdf} ({entry_title}) to the print pack {out}: it is not a readable PDF ({err}). "
                "Convert the letter again, then run again."
            ) from err

    def padded(pages: int) -> int:
        return pages + (pages % 2 if duplex else 0)

    contents_pages = -(-len(entries) // _ROWS_PER_PAGE)
    rows, next_page = [], padded(contents_pages) + 1
    for entry_title, reader in readers:
        rows.append((entry_title, next_page))
        next_page += padded(len(reader.pages))

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_contents_pdf(title, rows, contents_pages))))
    writer.add_outline_item(title="Contents", page_number=0)
    if padded(contents_pages) > contents_pages:
        writer.add_blank_page(*_A4)
    for (entry_title, reader), (_, first_page) in zip(readers, rows, strict=True):
        writer.append(reader, import_outline=False)
        if padded(len(reader.pages)) > len(reader.pages):
            last = reader.pages[-1].mediabox
            writer.add_blank_page(float(last.width), float(last.height))
        writer.add_outline_item(title=entry_title, page_number=first_page - 1)
    writer.add_metadata({"/Title": title, "/Producer": "docgen"})
    writer.page_mode = "/UseOutlines"
    total = len(writer.pages)
    atomic_save(Path(out), lambda tmp: writer.write(tmp))
    return total
