"""``timeline.xlsx`` stored like every other output of the batch."""

from __future__ import annotations

from pathlib import PurePosixPath

from docgen.batch.fingerprint import batch_fingerprint
from docgen.batch.job import Job
from docgen.batch.manifest import ManifestRow, Status
from docgen.batch.store import kept, store
from docgen.documents.timeline import timeline_bytes
from docgen.errors import DocgenError

TIMELINE = "timeline.xlsx"


def store_timeline(job: Job) -> ManifestRow:
    """``out/timeline.xlsx``, stored like every other output, so a rerun whose timeline
    has the same bytes leaves the file (and its mtime) alone; not even built when the
    previous run made it from the same batch (:func:`batch_fingerprint`)."""
    try:
        inputs = batch_fingerprint(job)
        found = kept(job, TIMELINE, inputs)
        if found is not None:
            digest, size, stat = found
            return ManifestRow(
                document="timeline",
                path=TIMELINE,
                sha256=digest,
                bytes=size,
                status=Status.UNCHANGED,
                inputs=inputs,
                stat=stat,
            )
        data = timeline_bytes(job.batch, job.schedules, today=job.today, stages=job.stages or None)
        return store(job, PurePosixPath(TIMELINE), data, document="timeline", inputs=inputs)
    except DocgenError as err:
        return ManifestRow(document="timeline", path=TIMELINE, status=Status.FAILED, message=str(err))
