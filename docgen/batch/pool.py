"""Writing a batch's migrations in worker processes when there are many.

Each process prepares the templates once (:mod:`docgen.batch.templates`), then writes
every migration handed to it itself (:mod:`docgen.batch.letters`), so only small
manifest rows travel back.

Stopping is the parent's decision: Ctrl-C reaches every process of the terminal's group,
so workers ignore it and the parent asks them to stop between two migrations (a shared
flag), so none leaves half a set; a worker sent SIGTERM (a service manager stops the
whole group; the pool stops a broken pool's workers so) finishes the migration in hand,
then exits; and on Linux a worker whose parent dies is sent SIGTERM too, so none is left
running on its own. A worker that dies (the out-of-memory killer) is reported: the
migrations it and the others had not returned are failed rows, the rest are kept.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import PurePosixPath

from docgen.batch.fingerprint import static_inputs
from docgen.batch.job import Job
from docgen.batch.letters import migration_outputs, plan_paths
from docgen.batch.manifest import ManifestRow, Status
from docgen.batch.templates import prepared_templates
from docgen.batch.timeline import TIMELINE
from docgen.formats.files import remove_temporaries
from docgen.records import Migration

#: One migration and its output paths (document key -> path).
Item = tuple[Migration, dict[str, PurePosixPath]]

WORKER_DIED = (
    "Not finished: a worker process stopped unexpectedly (the system may have stopped it for lack of memory). "
    "Run again to write it; --jobs 1 needs less memory."
)

# What a worker process holds, set once when it starts: the job, the parent's stop flag
# (shared memory, read without a lock: a worker killed while holding a lock would
# leave it held), and whether it is in the middle of a migration.
_JOB: Job | None = None
_STOP = None
_STATE = {"busy": False, "stopping": False}
_PR_SET_PDEATHSIG = 1


def _init_worker(job: Job, stop, parent: int) -> None:
    global _JOB, _STOP
    _JOB, _STOP = job, stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    if sys.platform.startswith("linux"):
        # Imported here, in the worker: ctypes took 3.3 ms to import (python -X importtime,
        # development VM), on the parent's path to the first letter of every run.
        import ctypes

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before that was set
            os._exit(128 + signal.SIGTERM)


def _on_sigterm(signum: int, frame: object) -> None:
    """Exit now, or after the migration in hand (then never half a set is left)."""
    if _STATE["busy"]:
        _STATE["stopping"] = True
    else:
        os._exit(128 + signum)


def _with_job(task: Callable[[Job], ManifestRow]) -> ManifestRow:
    assert _JOB is not None, "_init_worker sets the job first"
    return task(_JOB)


def _write_chunk(chunk: list[Item]) -> list[ManifestRow]:
    assert _JOB is not None, "_init_worker sets the job first"
    rows: list[ManifestRow] = []
    for migration, paths in chunk:
        if _STOP is not None and _STOP.value:
            break  # the parent is stopping: what is not written now is written by the next run
        _STATE["busy"] = True
        rows.extend(migration_outputs(_JOB, migration, paths))
        _STATE["busy"] = False
        if _STATE["stopping"]:
            os._exit(128 + signal.SIGTERM)
    return rows


def write_all(
    job: Job,
    *,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
    also: Callable[[Job], ManifestRow] | None = None,
) -> list[ManifestRow]:
    """Write every migration's letters with ``jobs`` processes; rows come back in batch order.

    ``also`` (a module-level function of the job, such as writing the timeline) runs in
    a worker alongside the letters, its row first: on two cores the timeline then costs
    a share of the time instead of seconds before the first letter."""
    paths = plan_paths(job.batch)
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
        if also is not None:
            rows.append(also(job))
        for i, item in enumerate(items, 1):
            rows.extend(migration_outputs(job, *item))
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
    stop = ctx.RawValue("b", 0)
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(job, stop, os.getpid())
    )
    try:
        extra = pool.submit(_with_job, also) if also is not None else None
        futures = [pool.submit(_write_chunk, chunk) for chunk in chunks]
        done, died = 0, False
        for chunk, future in zip(chunks, futures, strict=True):
            chunk_rows = _result(future)
            died = died or chunk_rows is None
            rows.extend(chunk_rows if chunk_rows is not None else _not_written(chunk))
            done += len(chunk)
            if progress:
                progress(done, total)
        if extra is not None:
            row = _result(extra)
            rows.insert(0, row if row is not None else _timeline_not_written())
    except BaseException:
        # Ctrl-C or SIGTERM in the parent: stop the workers between two migrations and
        # wait for them, so none is left running and no file is left half-written.
        stop.value = 1
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    if died:
        remove_temporaries(job.out)  # the dead worker's file in hand, if any
    return rows


def _result(future: Future):
    """A worker's result, or None when its process died before returning it."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _not_written(chunk: list[Item]) -> list[ManifestRow]:
    return [
        ManifestRow(
            migration_id=m.migration_id,
            ods_code=m.ods_code,
            document="all",
            path="",
            status=Status.FAILED,
            message=WORKER_DIED,
        )
        for m, _ in chunk
    ]


def _timeline_not_written() -> ManifestRow:
    return ManifestRow(document="timeline", path=TIMELINE, status=Status.FAILED, message=WORKER_DIED)


def cpu_count() -> int:
    """Cores this process may use (respects affinity/cgroups where Python can see them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
