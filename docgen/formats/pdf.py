"""PDFs: letters converted by LibreOffice headless in batches (print packs: :mod:`docgen.formats.print_pack`).

LibreOffice starts slowly (about two seconds) but converts a letter in a fraction of that,
so :func:`convert_to_pdf` hands it many files per process. Each process gets its own
throw-away profile, so several can run side by side and none attaches to a LibreOffice
the admin has open.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import ConversionError, DocgenError
from docgen.formats.files import atomic_write_bytes

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

# Files per LibreOffice call. LibreOffice 7.4 stops (exit code 0) after 247 documents of one
# --convert-to call, measured on 450 letters in either order: the rest were never converted.
# 200 keeps under that (and the command line under Windows' 32k-character limit) for a
# start-up of about a second per 200 documents.
_MAX_FILES_PER_CALL = 200
_POLL_SECONDS = 0.1
# Tagged PDF/UA: LibreOffice 7.4+ reads these JSON filter options (earlier releases should
# ignore them and make an untagged PDF). Screen readers get headings, tables and the
# document's language; viewers show its title.
_PDF_EXPORT = (
    'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"PDFUACompliance":{"type":"boolean","value":"true"}}'
)
# The same, with Word bookmarks as named destinations: where each letter of a composite
# ends (:mod:`docgen.formats.pdf_merged`).
_PDF_EXPORT_MARKED = _PDF_EXPORT[:-1] + ',"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'


# How long LibreOffice has to stop when asked, before it is forced.
_GRACE_SECONDS = 5.0


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
    weight: Callable[[Path], int] | None = None,
    named_destinations: bool = False,
) -> ConversionResult:
    """Convert every document to PDF in as few LibreOffice processes as possible, so a batch
    of letters costs one LibreOffice start-up rather than one per letter.

    Each PDF is written atomically as ``outdir_for(docx) / (docx stem + ".pdf")``.
    ``jobs`` processes run side by side on contiguous shares of the list. ``timeout`` is
    how many seconds LibreOffice may go without finishing a document (start-up included)
    before it is stopped; the document it was stuck on is reported and the rest are
    retried in a fresh process. Raises :class:`ConversionError` only when LibreOffice is
    missing; every other failure is in the result's ``failures``. ``weight`` (a document's
    cost, such as the letters in a composite) makes the shares balanced by cost rather
    than contiguous by count, so both cores finish together. ``named_destinations``
    exports the documents' bookmarks as named destinations.
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

        export = _PDF_EXPORT_MARKED if named_destinations else _PDF_EXPORT
        parts = max(1, min(jobs, len(staged)))
        shares = _balance(staged, parts, weight) if weight else _split(staged, parts)
        cancel = threading.Event()  # Ctrl-C: every worker stops its LibreOffice at once
        with ThreadPoolExecutor(max_workers=len(shares) or 1) as pool:
            futures = [pool.submit(_convert_share, soffice, share, root, timeout, cancel, export) for share in shares]
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


def _balance(items: list[_Job], parts: int, weight: Callable[[Path], int]) -> list[list[_Job]]:
    """``parts`` shares of nearly equal total weight (the heaviest first to the lightest
    share), each in the original order."""
    shares: list[list[_Job]] = [[] for _ in range(parts)]
    totals = [0] * parts
    for job in sorted(items, key=lambda j: -weight(j.source)):
        k = totals.index(min(totals))
        shares[k].append(job)
        totals[k] += weight(job.source)
    order = {id(job): n for n, job in enumerate(items)}
    return [sorted(share, key=lambda j: order[id(j)]) for share in shares if share]


def _convert_share(
    soffice: str, share: list[_Job], root: Path, timeout: float, cancel: threading.Event, export: str = _PDF_EXPORT
) -> dict[Path, DocgenError]:
    """Convert one share in as few processes as possible; retry after a stuck document."""
    failures: dict[Path, DocgenError] = {}
    pending = list(share)
    stalls = 0
    while pending:
        batch = pending[:_MAX_FILES_PER_CALL]
        stuck = _run_soffice(soffice, batch, root, timeout, cancel, export)
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


def _run_soffice(
    soffice: str, batch: list[_Job], root: Path, timeout: float, cancel: threading.Event, export: str = _PDF_EXPORT
) -> _Job | None:
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
        export,
        "--outdir",
        str(batch[0].pdf.parent),
        *(job.staged.name for job in batch),  # relative names: a short command line
    ]
    # LibreOffice's own temporary files go in the throw-away folder too, so they go with it
    # even when LibreOffice has to be forced to stop.
    scratch = profile / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "TMP": str(scratch), "TEMP": str(scratch)}
    popen_args: dict = {"cwd": batch[0].staged.parent, "env": env}
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
    """Stop LibreOffice and the processes it started (soffice is a launcher for soffice.bin):
    asked first (SIGTERM, so it removes its own temporary files), then, if it is still
    there after ``_GRACE_SECONDS``, forced (SIGKILL)."""
    grace = _GRACE_SECONDS
    if os.name != "posix":
        subprocess.run(["taskkill", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
        proc.wait()
        return
    _signal_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(grace)
    # The launcher may be gone while soffice.bin, in the same group, is not: force the group.
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


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
