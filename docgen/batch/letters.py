"""One migration's outputs: the letters its stage calls for in this run (see
:mod:`docgen.documents.selection`), rendered in memory and stored all or none, then the
calendar file and drafts of those it sends (unless they wait for PDFs); or, on a rerun
whose inputs have not changed, the previous run's files kept without rendering anything.
A migration with nothing to write may still owe its invitees a cancellation
(:func:`docgen.batch.drafts.cancellation`).

A migration whose rendering fails is reported and skipped: all of its documents are
rendered before any is written, so it never leaves half a set.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from docgen.batch.drafts import calendar_file, cancellation, draft_paths, migration_drafts, sent_documents
from docgen.batch.fingerprint import fingerprint
from docgen.batch.job import Job, selection_of
from docgen.batch.manifest import ManifestRow, Status
from docgen.batch.store import kept, store
from docgen.batch.templates import prepared_templates
from docgen.documents.catalogue import DOCUMENTS, output_relpath
from docgen.documents.context import build_context
from docgen.errors import DocgenError, OutputError
from docgen.records import Batch, Migration


def plan_paths(batch: Batch) -> dict[str, dict[str, PurePosixPath]]:
    """Every migration's output paths, decided once in the parent so names are unique
    across the whole batch (two practices may share a name)."""
    used: set = set()
    return {m.migration_id: {d.key: output_relpath(batch, m, d, used) for d in DOCUMENTS} for m in batch.migrations}


def migration_outputs(job: Job, migration: Migration, paths: dict[str, PurePosixPath]) -> list[ManifestRow]:
    """Every row of one migration: kept from the previous run when its inputs are the
    same, else its letters written, then (without PDFs to wait for) its drafts."""
    selection = selection_of(job, migration)
    if not selection.issues:
        folder = next(iter(paths.values())).parent
        return cancellation(job, migration, folder) if job.delivery else []
    paths = {i.document: paths[i.document] for i in selection.issues}
    try:
        inputs = fingerprint(job, migration, paths)
    except Exception:  # noqa: BLE001 - without a fingerprint the migration is simply rendered
        inputs = ""
    rows = kept_rows(job, migration, paths, inputs) if inputs else None
    if rows is not None:
        return rows
    rows, data = write_migration(job, migration, paths, inputs)
    # Without PDFs to wait for, the drafts are written here, in the same worker.
    if job.delivery and not job.pdf and all(r.status != Status.FAILED for r in rows):
        rows.extend(migration_drafts(job, migration, paths, data=data, inputs=inputs))
    return rows


def write_migration(
    job: Job, migration: Migration, paths: dict[str, PurePosixPath], inputs: str = ""
) -> tuple[list[ManifestRow], dict[str, bytes]]:
    """Render all of one migration's letters, then write them; on failure, write none
    and return a failed row per document with the reason. Also returns the letters'
    bytes (document key -> .docx), for the email drafts that attach them."""
    mid, ods = migration.migration_id, migration.ods_code
    issues = selection_of(job, migration).issues
    documents = [d for d in DOCUMENTS if d.key in paths]
    try:
        templates = prepared_templates(job)
        schedule = job.schedules[mid]
        rendered = {}
        for issue in issues:
            ctx = build_context(
                job.batch,
                migration,
                schedule,
                letter_date=job.letter_date,
                document=issue.document,
                locale=job.locale,
                issue=issue,
            )
            rendered[issue.document] = templates[issue.document].render(ctx)
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
            for doc in documents
        ]
        return rows, rendered
    except (DocgenError, OutputError) as err:
        message = f"Migrations!{migration.row} ({mid}, {ods}): {err}"
    except Exception as err:  # noqa: BLE001 - one migration's bug must not stop the batch
        message = (
            f"Migrations!{migration.row} ({mid}, {ods}): unexpected {type(err).__name__}: {err}. Please report this."
        )
    failed = [
        ManifestRow(
            migration_id=mid,
            ods_code=ods,
            document=d.key,
            path=paths[d.key].as_posix(),
            status=Status.FAILED,
            message=message,
        )
        for d in documents
    ]
    return failed, {}


def _outputs(job: Job, migration: Migration, paths: dict[str, PurePosixPath]) -> list[tuple[str, PurePosixPath]]:
    """(document, path) of every file a worker writes for one migration: its letters, and
    the calendar file and drafts of those it sends, unless they wait for PDFs."""
    outputs = list(paths.items())
    if job.delivery and not job.pdf:
        outputs.extend(draft_paths(paths, sent_documents(job, migration), calendar=calendar_file(job, migration)))
    return outputs


def kept_rows(job: Job, migration: Migration, paths: dict[str, PurePosixPath], inputs: str) -> list[ManifestRow] | None:
    """The migration's rows as ``unchanged`` when the previous run made every one of its
    files from the same inputs and each still holds the bytes it wrote
    (:func:`docgen.batch.store.kept`); else None.

    This is what makes a rerun of an unchanged batch cheap: nothing is rendered to find
    out that it would come out the same. A file changed since (edited, damaged) or
    missing, or any change in what the migration's documents are made of, means None,
    and the migration is rendered and compared byte by byte as on a first run."""
    rows = []
    for document, relpath in _outputs(job, migration, paths):
        rel = relpath.as_posix()
        found = kept(job, rel, inputs)
        if found is None:
            return None
        digest, size, stat = found
        rows.append(
            ManifestRow(
                migration_id=migration.migration_id,
                ods_code=migration.ods_code,
                document=document,
                path=rel,
                sha256=digest,
                bytes=size,
                status=Status.UNCHANGED,
                inputs=inputs,
                stat=stat,
            )
        )
    return rows
