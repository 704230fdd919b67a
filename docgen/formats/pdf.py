"""PDFs: letters converted by LibreOffice headless in batches, and print packs merged with pypdf.

LibreOffice starts slowly (about two seconds) but converts a letter in a fraction of that,
so :func:`convert_to_pdf` hands it many files per process. Each process gets its own
throw-away profile, so several can run side by side and none attaches to a LibreOffice
the admin has open.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from docgen.errors import ConversionError, DocgenError
from docgen.formats.files import atomic_save, atomic_write_bytes

MISSING_LIBREOFFICE = (
    "LibreOffice is not installed (no soffice program was found), so no PDFs were made; "
    "the .docx files are written. Install it and run again: on Debian or Ubuntu "
    "`sudo apt-get install libreoffice-writer-nogui`; on Windows or macOS the installer "
    "from https://www.libreoffice.org/download/."
)

# Where the Windows and macOS installers put LibreOffice when it is not on PATH.
_INSTALL_PLACES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)

# Files per LibreOffice call: keeps the command line under Windows' 32k-character limit.
_MAX_FILES_PER_CALL = 1000
_POLL_SECONDS = 0.1


def find_soffice() -> str | None:
    """The LibreOffice program to convert with, or None, so callers can say how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    found = found or next((place for place in _INSTALL_PLACES if Path(place).is_file()), None)
    if found and found.lower().endswith(".exe") and Path(found[:-4] + ".com").is_file():
        # On Windows soffice.exe may return before converting; the console launcher waits.
        found = found[:-4] + ".com"
    return found


class ConversionResult(dict[Path, Path]):
    """Maps each .docx converted to its PDF; ``failures`` maps each one that was not to
    the error naming it, so one bad letter does not lose the others."""

    def __init__(self) -> None:
        super().__init__()
        self.failures: dict[Path, DocgenError] = {}

    def raise_for_failures(self) -> None:
        """Raise one :class:`ConversionError` listing every failure, for all-or-nothing callers."""
        if self.failures:
            lines = [f"{len(self.failures)} document(s) were not converted to PDF:"]
            lines += [f"  {err}" for err in self.failures.values()]
            raise ConversionError("\n".join(lines))


class _Cancelled(Exception):
    """The caller was interrupted: stop converting."""


@dataclass
class _Job:
    source: Path
    staged: Path  # the copy LibreOffice converts: a unique name, so same-named letters cannot clash
    pdf: Path  # where LibreOffice writes the staged copy's PDF


def convert_to_pdf(
    docx_paths: Iterable[Path],
    *,
    timeout: float = 300,
    jobs: int = 1,
    outdir_for: Callable[[Path], Path] = lambda p: p.parent,
    soffice: str | None = None,
) -> ConversionResult:
    """Convert every document to PDF in as few LibreOffice processes as possible, so a batch
    of letters costs one LibreOffice start-up rather than one per letter.

    Each PDF is written atomically as ``outdir_for(docx) / (docx stem + ".pdf")``.
    ``jobs`` processes run side by side on contiguous shares of the list. ``timeout`` is
    how many seconds LibreOffice may go without finishing a document (start-up included)
    before it is stopped; the document it was stuck on is reported and the rest are
    retried in a fresh process. Raises :class:`ConversionError` only when LibreOffice is
    missing; every other failure is in the result's ``failures``.
    """
    soffice = soffice or find_soffice()
    if soffice is None:
        raise ConversionError(MISSING_LIBREOFFICE)
    sources = list(dict.fromkeys(Path(p) for p in docx_paths))
    result = ConversionResult()
    if not sources:
        return result
    with tempfile.TemporaryDirectory(prefix="docgen-pdf-") as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        (root / "out").mkdir()
        staged: list[_Job] = []
        for index, src in enumerate(sources):
            name = f"{index:05d}{src.suffix.lower() or '.docx'}"
            try:
                shutil.copyfile(src, root / "in" / name)
            except OSError as err:
                result.failures[src] = ConversionError(
                    f"Cannot convert {src} to PDF: {err.strerror or err}. Check the file exists and can be read."
                )
                continue
            staged.append(_Job(src, root / "in" / name, root / "out" / f"{index:05d}.pdf"))

        shares = _split(staged, max(1, min(jobs, len(staged))))
        cancel = threading.Event()  # Ctrl-C: every worker stops its LibreOffice at once
        with ThreadPoolExecutor(max_workers=len(shares) or 1) as pool:
            futures = [pool.submit(_convert_share, soffice, share, root, timeout, cancel) for share in shares]
            try:
                outcomes = [future.result() for future in futures]
            except BaseException:
                cancel.set()
                raise
        for failures in outcomes:
            result.failures.update(failures)

        for job in staged:
            if job.source in result.failures:
                continue
            if not _complete_pdf(job.pdf):
                result.failures[job.source] = ConversionError(
                    f"LibreOffice could not convert {job.source} to PDF. "
                    "Check the document opens in Word or LibreOffice, then run again."
                )
                continue
            target = Path(outdir_for(job.source)) / f"{job.source.stem}.pdf"
            try:
                atomic_write_bytes(target, job.pdf.read_bytes())
            except DocgenError as err:
                result.failures[job.source] = err
                continue
            result[job.source] = target
    # Keep the caller's order, whatever order the shares finished in.
    result.failures = {src: result.failures[src] for src in sources if src in result.failures}
    return result


def _split(items: list, parts: int) -> list[list]:
    """``parts`` contiguous shares of nearly equal size (order kept within each)."""
    size, extra = divmod(len(items), parts)
    shares, start = [], 0
    for k in range(parts):
        end = start + size + (1 if k < extra else 0)
        shares.append(items[start:end])
        start = end
    return [s for s in shares if s]


def _convert_share(
    soffice: str, share: list[_Job], root: Path, timeout: float, cancel: threading.Event
) -> dict[Path, DocgenError]:
    """Convert one share in as few processes as possible; retry after a stuck document."""
    failures: dict[Path, DocgenError] = {}
    pending = list(share)
    stalls = 0
    while pending:
        batch = pending[:_MAX_FILES_PER_CALL]
        stuck = _run_soffice(soffice, batch, root, timeout, cancel)
        if stuck is None:
            # Documents LibreOffice skipped without hanging are reported by the caller.
            pending = pending[len(batch) :]
            continue
        progressed = any(_complete_pdf(job.pdf) for job in batch)
        stalls = 0 if progressed else stalls + 1
        pending = [job for job in pending if job is not stuck and not _complete_pdf(job.pdf)]
        failures[stuck.source] = ConversionError(
            f"LibreOffice took longer than {timeout:g} seconds converting {stuck.source} to PDF and was stopped; "
            "that PDF was not made. Check the document opens in Word or LibreOffice, then run again "
            "(a slow computer may need a longer timeout)."
        )
        if stalls >= 2 and pending:
            # Twice in a row without converting anything: LibreOffice itself is not working.
            for job in pending:
                failures[job.source] = ConversionError(
                    f"{job.source} was not converted to PDF: LibreOffice stopped responding (nothing converted in "
                    f"{timeout:g} seconds, twice). Check LibreOffice starts on this computer, then run again."
                )
            break
    return failures


def _run_soffice(soffice: str, batch: list[_Job], root: Path, timeout: float, cancel: threading.Event) -> _Job | None:
    """Run one LibreOffice process on ``batch``; return the document it got stuck on, if any."""
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=root))
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(batch[0].pdf.parent),
        *(job.staged.name for job in batch),  # relative names: a short command line
    ]
    popen_args: dict = {"cwd": batch[0].staged.parent}
    if os.name == "posix":
        popen_args["start_new_session"] = True  # so the whole LibreOffice tree can be stopped
    else:
        popen_args["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]  # Windows only
    with open(profile / "stdout.txt", "wb") as out, open(profile / "stderr.txt", "wb") as err:
        try:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, **popen_args)
        except OSError as error:
            raise ConversionError(
                f"Cannot start LibreOffice ({soffice}): {error.strerror or error}. Reinstall it, then run again."
            ) from error
        try:
            done, last_progress = 0, time.monotonic()
            while proc.poll() is None:
                if cancel.wait(_POLL_SECONDS):
                    raise _Cancelled
                now_done = sum(1 for job in batch if job.pdf.exists())
                if now_done != done:
                    done, last_progress = now_done, time.monotonic()
                elif time.monotonic() - last_progress > timeout:
                    _stop(proc)
                    return next((job for job in batch if not _complete_pdf(job.pdf)), batch[-1])
        finally:
            if proc.poll() is None:
                _stop(proc)
    return None


def _stop(proc: subprocess.Popen) -> None:
    """Stop LibreOffice and the processes it started (soffice is a launcher for soffice.bin)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _complete_pdf(path: Path) -> bool:
    """True when ``path`` is a whole PDF: it ends with ``%%EOF`` (a stopped LibreOffice may leave half of one)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 1024))
            return size > 0 and b"%%EOF" in fh.read()
    except OSError:
        return False


def page_count(pdf: Path | bytes) -> int:
    """Pages in a PDF, so a print pack's contents page can give each letter's first page."""
    try:
        return len(PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf).pages)
    except (OSError, PyPdfError, ValueError) as err:
        name = "the PDF" if isinstance(pdf, bytes) else str(pdf)
        raise ConversionError(f"Cannot read {name} as a PDF ({err}). Convert the letter again.") from err


# --- print packs ----------------------------------------------------------------------

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
    ``soffice`` is accepted for symmetry with :func:`convert_to_pdf` and not needed: the
    contents page is drawn directly in Helvetica. Writes ``out`` atomically and returns its
    page count; with no entries nothing is written and 0 is returned.
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
