"""Digests of what each output is made from (the manifest's ``inputs`` column).

A rerun whose migration has the same digest as the previous run's, with its files still
there at the sizes listed, keeps them without rendering anything
(:func:`docgen.batch.letters.kept_rows`); that is what makes a rerun of an unchanged
batch cheap.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
from dataclasses import fields
from pathlib import Path, PurePosixPath

from docgen.batch.job import Job, memo, selection_of
from docgen.documents.catalogue import resolve_templates
from docgen.records import Migration


def static_inputs(job: Job) -> bytes:
    """The digest of what all of a job's documents are made from besides their migration's
    own records: docgen's code, the versions of the libraries that shape the files, the
    templates' bytes, the settings, the letter date, the locale and what is written.
    Worked out once per job and process."""
    remembered = memo(job, "static")
    if "digest" in remembered:
        return remembered["digest"]
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
    digest.update(
        repr(
            (job.batch.settings, job.letter_date, job.locale, job.letters, job.delivery, job.pdf, job.all_documents)
        ).encode()
    )
    remembered["digest"] = digest.digest()
    return remembered["digest"]


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
    today (the Gantt marks it) and :func:`static_inputs`."""
    schedules = sorted(job.schedules.items())
    text = repr((job.today, job.letter_date, job.batch, schedules)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(static_inputs(job) + text).hexdigest()


def fingerprint(job: Job, migration: Migration, paths: dict[str, PurePosixPath]) -> str:
    """A digest of everything one migration's documents are made from: its records (the
    migration, its schedule, practice, ICB, costs, contacts, blackouts and suppliers, as
    the letters' contexts gather them), where its files go, and :func:`static_inputs`.
    Records are frozen dataclasses, so their ``repr`` lists every field."""
    batch = job.batch
    practice = batch.practice(migration)
    schedule = job.schedules[migration.migration_id]
    own = (
        migration,
        practice,
        [(f.name, getattr(schedule, f.name)) for f in fields(schedule) if f.name != "milestones"],
        sorted((key, path.as_posix()) for key, path in paths.items()),
        # What the stage changes in the documents: which are written, their own dates,
        # record or not, and the stage words the context carries.
        [
            (i.document, i.letter_date, i.record, i.stage.state.value, i.stage.reason, i.stage.due_by)
            for i in selection_of(job, migration).issues
        ],
    )
    digest = hashlib.sha256(static_inputs(job))
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
    reprs = memo(job, "reprs")
    found = reprs.get(id(record))
    if found is None or found[0] is not record:
        if len(reprs) > 100_000:
            reprs.clear()
        found = reprs[id(record)] = (record, repr(record).encode("utf-8", "surrogatepass"))
    return found[1]
