"""Writing a batch's migrations in worker processes when there are many.

Each process prepares the templates once (:mod:`docgen.batch.templates`), then writes
every migration handed to it itself (:mod:`docgen.batch.letters`), so only small
manifest rows travel back.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import PurePosixPath

from docgen.batch.fingerprint import static_inputs
from docgen.batch.job import Job
from docgen.batch.letters import migration_outputs
from docgen.batch.manifest import ManifestRow
from docgen.batch.templates import prepared_templates
from docgen.records import Migration

#: One migration and its output paths (document key -> path).
Item = tuple[Migration, dict[str, PurePosixPath]]

# The job a worker process writes, set once when the process starts.
_JOB: Job | None = None


def _init_worker(job: Job) -> None:
    global _JOB
    _JOB = job


def _with_job(task: Callable[[Job], ManifestRow]) -> ManifestRow:
    assert _JOB is not None, "_init_worker sets the job first"
    return task(_JOB)


def _write_chunk(chunk: list[Item]) -> list[ManifestRow]:
    assert _JOB is not None, "_init_worker sets the job first"
    rows: list[ManifestRow] = []
    for migration, paths in chunk:
        rows.extend(migration_outputs(_JOB, migration, paths))
    return rows


def write_all(
    job: Job,
    paths: dict[str, dict[str, PurePosixPath]],
    *,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
    also: Callable[[Job], ManifestRow] | None = None,
) -> list[ManifestRow]:
    """Write every migration's letters with ``jobs`` processes; rows come back in batch
    order. ``paths`` are the migrations' output paths
    (:func:`docgen.batch.letters.plan_paths`).

    ``also`` (a module-level function of the job, such as writing the timeline) runs in
    a worker alongside the letters, its row first: on two cores the timeline then costs
    a share of the time instead of seconds before the first letter."""
    items = [(m, paths[m.migration_id]) for m in job.batch.migrations]
    total = len(items)
    jobs = max(1, min(jobs, total))
    # The batch's million objects live as long as the job: set them aside from the
    # cyclic garbage collector, which otherwise walks them all again and again as
    # letters come and go (and, in a forked worker, copies the pages it touches).
    gc.freeze()
    try:
        return _write_all(job, items, jobs, progress, also)
    finally:
        gc.unfreeze()


def _write_all(
    job: Job,
    items: list[Item],
    jobs: int,
    progress: Callable[[int, int], None] | None,
    also: Callable[[Job], ManifestRow] | None,
) -> list[ManifestRow]:
    total = len(items)
    rows: list[ManifestRow] = []
    if jobs == 1:
        _init_worker(job)
        if also is not None:
            rows.append(also(job))
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
        static_inputs(job)
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    done = 0
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(job,)) as pool:
        extra = pool.submit(_with_job, also) if also is not None else None
        for chunk, chunk_rows in zip(chunks, pool.map(_write_chunk, chunks), strict=True):
            rows.extend(chunk_rows)
            done += len(chunk)
            if progress:
                progress(done, total)
        if extra is not None:
            rows.insert(0, extra.result())
    return rows


def cpu_count() -> int:
    """Cores this process may use (respects affinity/cgroups where Python can see them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
