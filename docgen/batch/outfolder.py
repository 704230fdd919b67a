"""The output folder around a run: made, locked, swept, checked, and closed.

Before anything is written: the folder is made (or a clear message says why it cannot
be), no output path may be the workbook being read, a second run into the folder is
refused (:mod:`docgen.formats.folder_lock`), what a killed run left is cleared away
(docgen's own temporary names only), and in a folder docgen has never written to, no
file already there is overwritten. The previous manifest is then set aside
(:data:`~docgen.batch.manifest.PREVIOUS`) until the new one is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath

from docgen.batch.drafts import DRAFT_NAMES
from docgen.batch.manifest import MANIFEST, PREVIOUS, Previous, read_previous
from docgen.batch.timeline import TIMELINE
from docgen.documents.catalogue import DOCUMENTS
from docgen.errors import OutputError
from docgen.formats.files import remove_temporaries
from docgen.formats.folder_lock import LOCK_NAME, FolderLock
from docgen.records import Batch

#: Files of docgen's own at the top of the output folder.
BOOKKEEPING = (MANIFEST, PREVIOUS, LOCK_NAME)


def prepare(out: Path) -> None:
    """Make the output folder, or say clearly why it cannot be made."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: this is a file, not a folder. Choose a folder for the outputs.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(
            f"--out {out}: cannot create the folder ({err.strerror or err}). Check the path, or choose "
            "a folder you may write to with --out."
        ) from err


def guard_input(workbook: Path, out: Path, paths: Callable[[], Iterable[str]]) -> None:
    """Refuse a run that would write over the workbook it reads: ``paths()`` (relative to
    ``out``) are everything the run may write, asked for only when the workbook is inside
    ``out``. Compared without case, as Windows and
    macOS compare names, and by the workbook's own path and the file a link points to."""
    root = os.path.realpath(out)
    mine: dict[str, str] = {}
    for place in {os.path.abspath(workbook), os.path.realpath(workbook)}:
        for base in {os.path.abspath(out), root}:
            try:
                rel = os.path.relpath(place, base)
            except ValueError:  # another drive (Windows): not inside
                continue
            if rel != os.pardir and not rel.startswith(os.pardir + os.sep) and not os.path.isabs(rel):
                mine[PurePosixPath(*Path(rel).parts).as_posix().casefold()] = rel
    if not mine:
        return  # the workbook is not inside the output folder: nothing can land on it
    for rel in (*BOOKKEEPING, *paths()):
        if rel.casefold() in mine:
            raise OutputError(
                f"--out {out}: docgen would write {rel} there, which is the workbook it is reading "
                f"({workbook}); nothing was written. Move or rename the workbook, or choose another --out."
            )


def planned(batch: Batch, letters: dict[str, dict[str, PurePosixPath]]) -> Iterator[str]:
    """Every path (relative, ``/``) a run may write for ``batch``: the letters planned
    (:func:`docgen.batch.letters.plan_paths`), their PDFs and drafts, the timeline and the
    print packs. More than one run writes (documents not due are left out), never fewer."""
    yield TIMELINE
    for icb in batch.icb_by_code:
        for d in DOCUMENTS:
            yield f"print/{icb}-{d.key}.pdf"
    for paths in letters.values():
        folder = None
        for path in paths.values():
            folder = path.parent
            yield path.as_posix()
            yield path.with_suffix(".pdf").as_posix()
        if folder is not None:
            for name in DRAFT_NAMES:
                yield (folder / name).as_posix()


class OutFolder:
    """The output folder for the length of one run (a context manager): locked on entry,
    released on exit, whatever happened."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.lock = FolderLock(str(out))
        self.previous: dict[str, Previous] = {}
        self.previous_at = 0
        self.docgens = False  # docgen has written here before (set on entry)

    def __enter__(self) -> OutFolder:
        seen = any(os.path.lexists(self.out / name) for name in BOOKKEEPING)
        self.lock.acquire()
        try:
            self.previous, self.previous_at = read_previous(self.out)
            self.docgens = seen
            interrupted = self.lock.existed or (self.out / PREVIOUS).exists()
            older = bool(self.previous) and not any(stat for *_, stat in self.previous.values())
            if interrupted or older:
                # A killed run (or a docgen before this one) may have left temporary files.
                remove_temporaries(self.out)
        except BaseException:
            self.lock.release()
            raise
        return self

    def refuse_foreign(self, paths: Callable[[], Iterable[str]]) -> None:
        """In a folder docgen has never written to (no manifest, no sign of a run), refuse
        to overwrite a file already at one of ``paths()``: it is someone else's."""
        if self.docgens:
            return
        try:
            top = set(os.listdir(self.out)) - {LOCK_NAME}
        except OSError:
            return
        if not top:
            return
        there = [p for p in paths() if p.split("/", 1)[0] in top and os.path.lexists(self.out / p)]
        if there:
            shown = ", ".join(there[:3]) + (f" and {len(there) - 3} more" if len(there) > 3 else "")
            raise OutputError(
                f"--out {self.out} already holds {len(there)} file(s) where docgen would write, and docgen did "
                f"not write them (the folder has no manifest.csv from a docgen run): {shown}. Nothing was written. "
                "Choose a new or empty folder with --out, or move those files away."
            )

    def set_aside(self) -> None:
        """Move the previous manifest aside while the run writes: the folder then never
        shows a manifest its files no longer match, and a killed run leaves it for the
        next run to read (:func:`~docgen.batch.manifest.read_previous`). Without a
        manifest, an empty one: so a run stopped in a new folder still leaves the sign
        that the files there are docgen's."""
        try:
            os.replace(self.out / MANIFEST, self.out / PREVIOUS)
        except FileNotFoundError:
            (self.out / PREVIOUS).touch()
        except OSError as err:
            raise OutputError(f"Cannot move {self.out / MANIFEST} aside: {err.strerror}. Close it in Excel.") from err

    def finished(self) -> None:
        """The new manifest is written: the old one is no longer needed."""
        (self.out / PREVIOUS).unlink(missing_ok=True)

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
