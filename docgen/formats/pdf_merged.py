"""PDFs at mail-merge speed: a print pack's letters composed into one Word document
(:mod:`docgen.formats.docx_compose`), converted by LibreOffice once, and cut back into one
PDF per letter (:mod:`docgen.formats.pdf_cut`).

LibreOffice pays a fixed cost per document it opens (measured: 0.065 s of CPU for a
one-line document; a letter converted by itself 0.11 to 0.13 s, inside a pack 0.04 to
0.06 s with the cutting), so a pack is converted in chunks of up to ``max_chunk``
letters: big enough to amortise that cost, small enough to bound LibreOffice's memory
and to give each core a share of equal size.
Each core's LibreOffice stays open for all the chunks of its share.

Nothing is lost to the fast path: a letter that cannot be composed, or whose chunk
LibreOffice fails on, hangs on, or converts into a PDF that cannot be cut, is converted
alone by :func:`docgen.formats.pdf.convert_to_pdf`, which names it if it fails again.
"""

from __future__ import annotations

import math
import multiprocessing
import signal
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from itertools import groupby
from pathlib import Path
from typing import TypeVar

from lxml import etree

from docgen.errors import DocgenError
from docgen.formats.docx_compose import (
    LONG_KEEP_CHAIN,
    NotComposable,
    compose,
    keep_chain,
    letter_title,
    shared_key,
)
from docgen.formats.pdf import ConversionResult, convert_to_pdf
from docgen.formats.pdf_cut import CutError, cut_into

T = TypeVar("T")
MAX_CHUNK = 60
# LibreOffice's CPU cost, in milliseconds on the development machine, of a document and of
# each letter inside a composite (two or three pages), and of a letter converted by itself:
# how the documents are shared between the LibreOffice processes so they finish together.
_COST_PER_DOCUMENT, _COST_PER_LETTER, _COST_ALONE = 65, 35, 120


def convert_letters(
    groups: Iterable[list[Path]],
    *,
    jobs: int = 1,
    soffice: str | None = None,
    timeout: float = 300,
    max_chunk: int = MAX_CHUNK,
    outdir_for: Callable[[Path], Path] = lambda p: p.parent,
) -> ConversionResult:
    """Convert every letter of every group (the letters of one print pack, in pack order)
    to PDF, as :func:`~docgen.formats.pdf.convert_to_pdf` does one by one: each PDF is
    ``outdir_for(letter) / (stem + ".pdf")``, written atomically, and every letter that
    could not be converted is in the result's ``failures``, named."""
    groups = [list(dict.fromkeys(Path(p) for p in group)) for group in groups]
    sources = [p for group in groups for p in group]
    result = ConversionResult()
    alone: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="docgen-merge-") as tmp:
        root = Path(tmp)
        chunks: dict[Path, list[Path]] = {}
        solo: list[Path] = []  # letters converted as they are, in the same LibreOffice processes
        todo: list[tuple[list[Path], Path]] = []
        for chunk in _chunks(groups, jobs, max_chunk):
            if len(chunk) == 1:
                solo += chunk  # one letter gains nothing from composing
            else:
                todo.append((chunk, root / f"pack{len(todo):05d}.docx"))
        for (chunk, composite), composed in zip(todo, _compose_all(todo, jobs), strict=True):
            if composed:
                chunks[composite] = chunk
            else:
                solo += chunk
        converted = convert_to_pdf(
            [*chunks, *solo],
            jobs=jobs,
            soffice=soffice,
            timeout=timeout,
            outdir_for=lambda p: root if p in chunks else Path(outdir_for(p)),
            weight=lambda p: _COST_PER_DOCUMENT + _COST_PER_LETTER * len(chunks[p]) if p in chunks else _COST_ALONE,
            named_destinations=True,
        )
        for source in solo:
            if source in converted:
                result[source] = converted[source]
            else:
                result.failures[source] = converted.failures[source]  # already converted by itself
        alone += [p for composite, chunk in chunks.items() if composite not in converted for p in chunk]
        tasks = [
            (
                converted[composite],
                [Path(outdir_for(p)) / f"{p.stem}.pdf" for p in chunk],
                chunk,
                [letter_title(p) for p in chunk],
            )
            for composite, chunk in chunks.items()
            if composite in converted
        ]
        for (_, targets, chunk, _), outcome in zip(tasks, _cut_all(tasks, jobs), strict=True):
            if outcome is None:
                alone += chunk  # LibreOffice made a PDF that does not show where its letters are
                continue
            for source, target, error in zip(chunk, targets, outcome, strict=True):
                if error is None:
                    result[source] = target
                else:
                    result.failures[source] = error
    if alone:
        # Each one by itself, so a letter LibreOffice cannot convert is named and the rest are written.
        single = convert_to_pdf(alone, jobs=jobs, soffice=soffice, timeout=timeout, outdir_for=outdir_for)
        result.update(single)
        result.failures.update(single.failures)
    ordered = ConversionResult()
    for source in sources:
        if source in result:
            ordered[source] = result[source]
    ordered.failures = {source: result.failures[source] for source in sources if source in result.failures}
    return ordered


def _compose_all(todo: list[tuple[list[Path], Path]], jobs: int) -> list[bool]:
    """Compose each chunk into its document, on ``jobs`` processes when there are several
    (a chunk of 60 letters takes about 0.15 s, and LibreOffice waits for all of them);
    False for a chunk that cannot be composed (its letters are then converted alone)."""
    return _on_processes(_compose, todo, jobs)


def _compose(chunk: list[Path], composite: Path) -> bool:
    try:
        compose(chunk, composite)
    except NotComposable:
        return False
    return True


def _cut_all(
    tasks: list[tuple[Path, list[Path], list[Path], list[str | None]]], jobs: int
) -> list[list[DocgenError | None] | None]:
    """Cut every composite into its letters, on ``jobs`` processes when there is more than
    one composite (cutting takes a third as long as converting). Each outcome is the
    per-letter errors, or None when that composite could not be cut."""
    return _on_processes(_cut, [(pdf, targets, titles) for pdf, targets, _, titles in tasks], jobs)


def _on_processes(work: Callable[..., T], calls: list[tuple], jobs: int) -> list[T]:
    """``work(*args)`` for each of ``calls``, in order: in this process when there is one
    job or one call, else on up to ``jobs`` forked processes (their Ctrl-C is ours to
    handle; they die with us). Stopped, the pool is shut down before the error goes on."""
    if jobs <= 1 or len(calls) <= 1:
        return [work(*args) for args in calls]
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(calls)), mp_context=context, initializer=_init_cutter) as pool:
        futures = [pool.submit(work, *args) for args in calls]
        try:
            return [future.result() for future in futures]
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _cut(pdf: Path, targets: list[Path], titles: list[str | None]) -> list[DocgenError | None] | None:
    try:
        return cut_into(pdf, targets, titles)
    except CutError:
        return None


def _init_cutter() -> None:
    """Ctrl-C is the parent's to handle; a cutter outlives no parent (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _chunks(groups: list[list[Path]], jobs: int, max_chunk: int) -> list[list[Path]]:
    """Each group's runs of letters that can share a document, cut into chunks of nearly
    equal size: at most ``max_chunk``, and enough of them that every core gets work."""
    runs = []
    styles: dict = {}

    def key(path: Path):
        """Letters with the same key may share a document; a letter that may not, has its own."""
        try:
            if keep_chain(path, styles) >= LONG_KEEP_CHAIN:
                return path
        except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
            return path
        return shared_key(path) or path

    for group in groups:
        for _, same in groupby(group, key=key):
            runs.append(list(same))
    total = sum(len(run) for run in runs)
    if not total:
        return []
    parts = max(1, jobs) * math.ceil(total / (max(1, jobs) * max_chunk))
    size = max(2, math.ceil(total / parts))
    chunks = []
    for run in runs:
        pieces = math.ceil(len(run) / size)
        step, extra = divmod(len(run), pieces)
        start = 0
        for k in range(pieces):
            end = start + step + (1 if k < extra else 0)
            chunks.append(run[start:end])
            start = end
    return chunks
