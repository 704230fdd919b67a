"""Writing a batch's documents, in worker processes when there are many.

Each process prepares the templates once (:mod:`docgen.formats.docx.engine`), then renders every
migration handed to it and writes the files itself, so only small manifest rows
travel back. A migration whose rendering fails is reported and skipped: all of its
documents are rendered in memory before any is written, so it never leaves half a set.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import importlib.metadata
import multiprocessing
import os
import re
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath

from docgen.batch.manifest import ManifestRow, sha256
from docgen.errors import DocgenError, OutputError
from docgen.formats.files import atomic_write_bytes, inside
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
    from docgen.documents.catalogue import DOCUMENTS, resolve_templates
    from docgen.formats.docx.engine import PreparedTemplate
    from docgen.formats.docx.environment import make_environment

    key = (str(job.templates), job.locale)
    if key not in _PREPARED:
        env = make_environment(job.locale)
        paths = resolve_templates(job.templates)
        _PREPARED[key] = {d.key: PreparedTemplate.load(paths[d.key], env) for d in DOCUMENTS}
    return _PREPARED[key]


def template_issues(templates: Path | None, locale: str = "en_GB", prepared: dict | None = None) -> tuple[dict, list]:
    """The templates in use (an admin's folder, defaults for missing files) and every
    problem in them, checked against each document's example context. Templates that
    pass are put in ``prepared`` (path -> PreparedTemplate) when given."""
    from docgen.documents.catalogue import DOCUMENTS, resolve_templates
    from docgen.documents.example import example_context
    from docgen.formats.docx.check import check_templates as check
    from docgen.formats.docx.environment import make_environment

    paths = resolve_templates(templates)
    issues = check(
        {d.key: paths[d.key] for d in DOCUMENTS},
        {d.key: example_context(d.key) for d in DOCUMENTS},
        make_environment(locale),
        prepared,
    )
    return paths, issues


def check_templates(job: Job) -> None:
    """Refuse to start when a template is broken or asks for a field docgen lacks; else
    keep the templates the check prepared, ready for :func:`prepared_templates`."""
    from docgen.formats.docx.issues import raise_if_issues

    prepared: dict = {}
    paths, issues = template_issues(job.templates, job.locale, prepared)
    raise_if_issues(issues)
    by_key = {key: prepared.get(Path(path)) for key, path in paths.items()}
    if all(by_key.values()):
        _PREPARED[(str(job.templates), job.locale)] = by_key


def store(
    job: Job,
    relpath: PurePosixPath,
    data: bytes,
    *,
    migration_id: str = "",
    ods_code: str = "",
    document: str = "",
    inputs: str = "",
    digest: str | None = None,
) -> ManifestRow:
    """Write ``data`` at ``out/relpath`` atomically, unless the previous run wrote the
    same bytes there (then leave the file alone: a rerun rewrites nothing). ``inputs``
    is the digest of what the file was made from (:func:`fingerprint`), for the manifest;
    ``digest`` the data's SHA-256 when the caller has it."""
    digest = digest or sha256(data)
    rel = relpath.as_posix()
    path = _target(job, rel)
    prev = job.previous.get(rel)
    if prev and prev[0] == digest:
        try:
            if os.stat(path).st_size == prev[1]:
                return ManifestRow(migration_id, ods_code, document, rel, digest, len(data), "unchanged", "", inputs)
        except OSError:
            pass
    atomic_write_bytes(path, data)
    return ManifestRow(migration_id, ods_code, document, rel, digest, len(data), "written", "", inputs)


# What a process remembers while it writes one job: folders proved inside the output
# folder, the job's static digest, records written out. Held for that job only (the job
# is kept, so compared by identity) and started afresh for the next.
_MEMO: dict = {"job": None}


def _memo(job: Job, name: str) -> dict:
    """The per-job dictionary ``name`` (see ``_MEMO``), empty for a new job."""
    if _MEMO["job"] is not job:
        _MEMO.clear()
        _MEMO["job"] = job
    return _MEMO.setdefault(name, {})


def _target(job: Job, rel: str) -> str:
    """``job.out/rel`` (``rel`` as in the manifest), refused (:func:`inside`) if it would
    leave the output folder. A string: pathlib would cost more than the check."""
    parent, _, name = rel.rpartition("/")
    if not _plain_name(name):  # never from plan_paths; checked the slow way
        return str(inside(Path(job.out), *rel.split("/")))
    return os.path.join(_folder(job, parent), name)


def _plain_name(name: str) -> bool:
    """A name that stays in its folder: not empty, not ``.`` or ``..``, no separator."""
    return name not in ("", ".", "..") and os.sep not in name and not (os.altsep and os.altsep in name)


def _folder(job: Job, parent: str) -> str:
    """The folder ``job.out/parent``, proved inside the output folder once per job.

    A folder inside an already proved one, with a plain name, needs only to be shown
    not to be a symbolic link (one ``lstat``; resolving the whole path took a dozen
    system calls a folder); anything else is resolved by :func:`inside`. Each folder
    receives three to six files, so this is remembered for the job."""
    folders = _memo(job, "folders")
    folder = folders.get(parent)
    if folder is None:
        head, _, name = parent.rpartition("/")
        if head and _plain_name(name):
            candidate = os.path.join(_folder(job, head), name)
            if not os.path.islink(candidate):
                folder = candidate
        if folder is None:
            folder = str(inside(Path(job.out), *parent.split("/")))
        folders[parent] = folder
    return folder


def plan_paths(batch: Batch) -> dict[str, dict[str, PurePosixPath]]:
    """Every migration's output paths, decided once in the parent so names are unique
    across the whole batch (two practices may share a name)."""
    from docgen.documents.catalogue import DOCUMENTS, output_relpath

    used: set = set()
    return {m.migration_id: {d.key: output_relpath(batch, m, d, used) for d in DOCUMENTS} for m in batch.migrations}


def write_migration(
    job: Job, migration: Migration, paths: dict[str, PurePosixPath], inputs: str = ""
) -> tuple[list[ManifestRow], dict[str, bytes]]:
    """Render all of one migration's letters, then write them; on failure, write none
    and return a failed row per document with the reason. Also returns the letters'
    bytes (document key -> .docx), for the email drafts that attach them."""
    from docgen.documents.catalogue import DOCUMENTS
    from docgen.documents.context import build_context

    mid, ods = migration.migration_id, migration.ods_code
    try:
        templates = prepared_templates(job)
        schedule = job.schedules[mid]
        rendered = {}
        for doc in DOCUMENTS:
            ctx = build_context(
                job.batch, migration, schedule, letter_date=job.letter_date, document=doc.key, locale=job.locale
            )
            rendered[doc.key] = templates[doc.key].render(ctx)
        rows = [
            store(
                job,
                paths[doc.key],
                rendered[doc.key],
                migration_id=mid,
                ods_code=ods,
                document=doc.key,
                inputs=inputs,
                digest=templates[doc.key].sha256(rendered[doc.key]),
            )
            for doc in DOCUMENTS
        ]
        return rows, rendered
    except (DocgenError, OutputError) as err:
        message = f"Migrations!{migration.row} ({mid}, {ods}): {err}"
    except Exception as err:  # noqa: BLE001 - one migration's bug must not stop the batch
        message = (
            f"Migrations!{migration.row} ({mid}, {ods}): unexpected {type(err).__name__}: {err}. Please report this."
        )
    return [ManifestRow(mid, ods, d.key, paths[d.key].as_posix(), "", 0, "failed", message) for d in DOCUMENTS], {}


def _outputs(job: Job, paths: dict[str, PurePosixPath]) -> list[tuple[str, PurePosixPath]]:
    """(document, path) of every file a worker writes for one migration: its letters, and
    its calendar file and drafts unless they wait for PDFs."""
    from docgen.batch.delivery import draft_paths

    outputs = list(paths.items())
    if job.delivery and not job.pdf:
        outputs.extend(draft_paths(paths))
    return outputs


def kept(job: Job, rel: str, inputs: str) -> tuple[str, int] | None:
    """(sha256, bytes) of ``rel`` as the previous run listed it, when that run made it
    from the same ``inputs`` and the file is still there at that size; else None."""
    prev = job.previous.get(rel)
    if not inputs or not prev or prev[2] != inputs:
        return None
    try:
        if os.stat(_target(job, rel)).st_size != prev[1]:
            return None
    except (OSError, OutputError):
        return None
    return prev[0], prev[1]


def _kept(job: Job, migration: Migration, paths: dict[str, PurePosixPath], inputs: str) -> list[ManifestRow] | None:
    """The migration's rows as ``unchanged`` when the previous run made every one of its
    files from the same inputs and each is still there at the size it wrote; else None.

    This is what makes a rerun of an unchanged batch cheap: nothing is rendered to find
    out that it would come out the same. A file edited since (a different size) or
    missing, or any change in what the migration's documents are made of, means None,
    and the migration is rendered and compared byte by byte as on a first run."""
    rows = []
    for document, relpath in _outputs(job, paths):
        rel = relpath.as_posix()
        found = kept(job, rel, inputs)
        if found is None:
            return None
        rows.append(
            ManifestRow(migration.migration_id, migration.ods_code, document, rel, *found, "unchanged", "", inputs)
        )
    return rows


def _write_chunk(chunk: list[tuple[Migration, dict]]) -> list[ManifestRow]:
    from docgen.batch.delivery import migration_drafts

    job = _JOB
    assert job is not None, "_init_worker sets the job first"
    rows: list[ManifestRow] = []
    for migration, paths in chunk:
        try:
            inputs = fingerprint(job, migration, paths)
        except Exception:  # noqa: BLE001 - without a fingerprint the migration is simply rendered
            inputs = ""
        kept = _kept(job, migration, paths, inputs) if inputs else None
        if kept is not None:
            rows.extend(kept)
            continue
        letters, data = write_migration(job, migration, paths, inputs)
        rows.extend(letters)
        # Without PDFs to wait for, the drafts are written here, in the same worker.
        if job.delivery and not job.pdf and all(r.status != "failed" for r in letters):
            rows.extend(migration_drafts(job, migration, paths, data=data, inputs=inputs))
    return rows


def _static_inputs(job: Job) -> bytes:
    """The digest of what all of a job's documents are made from besides their migration's
    own records: docgen's code, the versions of the libraries that shape the files, the
    templates' bytes, the settings, the letter date, the locale and what is written.
    Worked out once per job and process."""
    memo = _memo(job, "static")
    if "digest" in memo:
        return memo["digest"]
    from docgen.documents.catalogue import resolve_templates

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for source in sorted(package.rglob("*.py")):
        name = source.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    for library in _runtime_libraries():
        try:
            digest.update(f"{library}={importlib.metadata.version(library)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{library}=?\0".encode())
    for key, path in sorted(resolve_templates(job.templates).items()):
        digest.update(key.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    digest.update(repr((job.batch.settings, job.letter_date, job.locale, job.letters, job.delivery, job.pdf)).encode())
    memo["digest"] = digest.digest()
    return memo["digest"]


def _runtime_libraries() -> list[str]:
    """The libraries docgen declares it runs on (pyproject's dependencies, read back from
    the installed metadata), so a new dependency is fingerprinted without a second list
    to keep. Test extras do not shape any output and are left out."""
    try:
        requirements = importlib.metadata.requires("docgen") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    names = (re.match(r"[A-Za-z0-9._-]+", r) for r in requirements if "extra ==" not in r)
    return sorted(m.group(0).lower() for m in names if m)


def batch_fingerprint(job: Job) -> str:
    """A digest of everything the timeline is made from: the whole batch, every schedule,
    today (the Gantt marks it) and :func:`_static_inputs`."""
    schedules = sorted(job.schedules.items())
    text = repr((job.today, job.batch, schedules)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(_static_inputs(job) + text).hexdigest()


def fingerprint(job: Job, migration: Migration, paths: dict[str, PurePosixPath]) -> str:
    """A digest of everything one migration's documents are made from: its records (the
    migration, its schedule, practice, ICB, costs, contacts, blackouts and suppliers, as
    the letters' contexts gather them), where its files go, and :func:`_static_inputs`.
    Records are frozen dataclasses, so their ``repr`` lists every field."""
    batch = job.batch
    practice = batch.practice(migration)
    schedule = job.schedules[migration.migration_id]
    own = (
        migration,
        practice,
        [(f.name, getattr(schedule, f.name)) for f in fields(schedule) if f.name != "milestones"],
        sorted((key, path.as_posix()) for key, path in paths.items()),
    )
    digest = hashlib.sha256(_static_inputs(job))
    digest.update(repr(own).encode("utf-8", "surrogatepass"))
    # Records many migrations share (an ICB, its people, a supplier, the same milestone
    # dates), each written out once per job.
    for group in (
        schedule.milestones,
        (batch.icb(migration),),
        batch.costs_for(migration),
        batch.contacts_for(migration),
        batch.blackouts_for(practice),
        (batch.supplier(migration.current_supplier, migration.current_system),),
        (batch.supplier(migration.new_supplier, migration.new_system),),
    ):
        digest.update(b"\x1e")
        for record in group:
            digest.update(_shared_repr(job, record) + b"\x1f")
    return digest.hexdigest()


def _shared_repr(job: Job, record: object) -> bytes:
    """``repr(record)`` as UTF-8, remembered for the job by id. The object is remembered
    with it, which keeps its id from being reused while the entry exists."""
    reprs = _memo(job, "reprs")
    found = reprs.get(id(record))
    if found is None or found[0] is not record:
        if len(reprs) > 100_000:
            reprs.clear()
        found = reprs[id(record)] = (record, repr(record).encode("utf-8", "surrogatepass"))
    return found[1]


_JOB: Job | None = None


def _init_worker(job: Job) -> None:
    global _JOB
    _JOB = job


def _with_job(task: Callable[[Job], ManifestRow]) -> ManifestRow:
    assert _JOB is not None, "_init_worker sets the job first"
    return task(_JOB)


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


def _write_all(job: Job, items: list, jobs: int, progress, also) -> list[ManifestRow]:
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
        _static_inputs(job)
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
