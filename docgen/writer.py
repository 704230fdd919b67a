"""Writing a batch's documents, in worker processes when there are many.

Each process prepares the templates once (:mod:`docgen.render`), then renders every
migration handed to it and writes the files itself, so only small manifest rows
travel back. A migration whose rendering fails is reported and skipped: all of its
documents are rendered in memory before any is written, so it never leaves half a set.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from docgen.errors import DocgenError, OutputError
from docgen.manifest import ManifestRow, sha256
from docgen.output import atomic_write_bytes, inside
from docgen.records import Batch, Migration


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to write its share of the batch (picklable)."""

    batch: Batch
    schedules: dict
    out: str
    letter_date: dt.date
    today: dt.date
    templates: Path | None = None
    locale: str = "en_GB"
    letters: bool = True
    delivery: bool = False  # calendar files and email drafts, written beside the letters
    pdf: bool = False  # PDFs come later; then the drafts wait for them (they attach the PDF)
    previous: dict = field(default_factory=dict)


# Per-process cache: prepared templates for (templates folder, locale).
_PREPARED: dict[tuple, dict] = {}


def prepared_templates(job: Job) -> dict:
    """The job's templates, prepared once per process: document key -> PreparedTemplate."""
    from docgen.letters import DOCUMENTS, resolve_templates
    from docgen.render import PreparedTemplate, make_environment

    key = (str(job.templates), job.locale)
    if key not in _PREPARED:
        env = make_environment(job.locale)
        paths = resolve_templates(job.templates)
        _PREPARED[key] = {d.key: PreparedTemplate.load(paths[d.key], env) for d in DOCUMENTS}
    return _PREPARED[key]


def template_issues(templates: Path | None, locale: str = "en_GB") -> tuple[dict, list]:
    """The templates in use (an admin's folder, defaults for missing files) and every
    problem in them, checked against each document's example context."""
    from docgen.letters import DOCUMENTS, example_context, resolve_templates
    from docgen.render import make_environment
    from docgen.template_check import check_templates as check

    paths = resolve_templates(templates)
    issues = check(
        {d.key: paths[d.key] for d in DOCUMENTS},
        {d.key: example_context(d.key) for d in DOCUMENTS},
        make_environment(locale),
    )
    return paths, issues


def check_templates(job: Job) -> None:
    """Refuse to start when a template is broken or asks for a field docgen lacks."""
    from docgen.template_check import raise_if_issues

    raise_if_issues(template_issues(job.templates, job.locale)[1])


def store(
    job: Job, relpath: PurePosixPath, data: bytes, *, migration_id: str = "", ods_code: str = "", document: str = ""
) -> ManifestRow:
    """Write ``data`` at ``out/relpath`` atomically, unless the previous run wrote the
    same bytes there (then leave the file alone: a rerun rewrites nothing)."""
    digest = sha256(data)
    rel = relpath.as_posix()
    path = _target(job, rel)
    prev = job.previous.get(rel)
    if prev and prev[0] == digest:
        try:
            if os.stat(path).st_size == prev[1]:
                return ManifestRow(migration_id, ods_code, document, rel, digest, len(data), "unchanged")
        except OSError:
            pass
    atomic_write_bytes(path, data)
    return ManifestRow(migration_id, ods_code, document, rel, digest, len(data), "written")


# Folders already proved inside the output folder during the current job, per process:
# resolving a path costs a dozen system calls, and each folder receives three to six
# files. Kept for one job only (held, so compared by identity), then proved again.
_FOLDERS: dict[str, str] = {}
_FOLDERS_JOB: list[Job | None] = [None]


def _target(job: Job, rel: str) -> str:
    """``job.out/rel`` (``rel`` as in the manifest), refused (:func:`inside`) if it would
    leave the output folder. A string: pathlib would cost more than the check."""
    if _FOLDERS_JOB[0] is not job:
        _FOLDERS.clear()
        _FOLDERS_JOB[0] = job
    parent, _, name = rel.rpartition("/")
    folder = _FOLDERS.get(parent)
    if folder is None:
        folder = _FOLDERS[parent] = str(inside(Path(job.out), *parent.split("/")))
    if name in ("", ".", ".."):  # never from plan_paths; checked the slow way
        return str(inside(Path(job.out), *rel.split("/")))
    return os.path.join(folder, name)


def plan_paths(batch: Batch) -> dict[str, dict[str, PurePosixPath]]:
    """Every migration's output paths, decided once in the parent so names are unique
    across the whole batch (two practices may share a name)."""
    from docgen.letters import DOCUMENTS, output_relpath

    used: set = set()
    return {m.migration_id: {d.key: output_relpath(batch, m, d, used) for d in DOCUMENTS} for m in batch.migrations}


def write_migration(job: Job, migration: Migration, paths: dict[str, PurePosixPath]) -> list[ManifestRow]:
    """Render all of one migration's letters, then write them; on failure, write none
    and return a failed row per document with the reason."""
    from docgen.letters import DOCUMENTS, build_context

    mid, ods = migration.migration_id, migration.ods_code
    try:
        templates = prepared_templates(job)
        schedule = job.schedules[mid]
        rendered = []
        for doc in DOCUMENTS:
            ctx = build_context(job.batch, migration, schedule, letter_date=job.letter_date, document=doc.key)
            rendered.append((doc, templates[doc.key].render(ctx)))
        return [
            store(job, paths[doc.key], data, migration_id=mid, ods_code=ods, document=doc.key) for doc, data in rendered
        ]
    except (DocgenError, OutputError) as err:
        message = f"Migrations!{migration.row} ({mid}, {ods}): {err}"
    except Exception as err:  # noqa: BLE001 - one migration's bug must not stop the batch
        message = (
            f"Migrations!{migration.row} ({mid}, {ods}): unexpected {type(err).__name__}: {err}. Please report this."
        )
    return [ManifestRow(mid, ods, d.key, paths[d.key].as_posix(), "", 0, "failed", message) for d in DOCUMENTS]


def _write_chunk(chunk: list[tuple[Migration, dict]]) -> list[ManifestRow]:
    from docgen.delivery import migration_drafts

    rows: list[ManifestRow] = []
    for migration, paths in chunk:
        letters = write_migration(_JOB, migration, paths)
        rows.extend(letters)
        # Without PDFs to wait for, the drafts are written here, in the same worker.
        if _JOB.delivery and not _JOB.pdf and all(r.status != "failed" for r in letters):
            rows.extend(migration_drafts(_JOB, migration, paths))
    return rows


_JOB: Job | None = None


def _init_worker(job: Job) -> None:
    global _JOB
    _JOB = job


def write_all(job: Job, *, jobs: int, progress: Callable[[int, int], None] | None = None) -> list[ManifestRow]:
    """Write every migration's letters with ``jobs`` processes; rows come back in batch order."""
    paths = plan_paths(job.batch)
    items = [(m, paths[m.migration_id]) for m in job.batch.migrations]
    total = len(items)
    if total == 0:
        return []
    jobs = max(1, min(jobs, total))
    rows: list[ManifestRow] = []
    if jobs == 1:
        _init_worker(job)
        for i, item in enumerate(items, 1):
            rows.extend(_write_chunk([item]))
            if progress:
                progress(i, total)
        return rows
    size = max(1, min(100, total // (jobs * 4) or 1))
    chunks = [items[i : i + size] for i in range(0, total, size)]
    fork = sys.platform.startswith("linux")
    if fork:
        prepared_templates(job)  # once in the parent: forked workers inherit them ready
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    done = 0
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(job,)) as pool:
        for chunk, chunk_rows in zip(chunks, pool.map(_write_chunk, chunks), strict=True):
            rows.extend(chunk_rows)
            done += len(chunk)
            if progress:
                progress(done, total)
    return rows


def cpu_count() -> int:
    """Cores this process may use (respects affinity/cgroups where Python can see them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
