"""Storing a batch's outputs in the output folder: atomically, never outside it, and not
at all when the previous run left the same bytes there (a rerun rewrites nothing).

Every producer of bytes (letters, the timeline, calendar files, email drafts) hands its
bytes here; none of them writes a file itself.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from docgen.batch.job import Job, memo
from docgen.batch.manifest import ManifestRow, Status, sha256
from docgen.errors import OutputError
from docgen.formats.files import atomic_write_bytes, inside


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
    is the digest of what the file was made from (:mod:`docgen.batch.fingerprint`), for
    the manifest; ``digest`` the data's SHA-256 when the caller has it."""
    digest = digest or sha256(data)
    rel = relpath.as_posix()
    path = _target(job, rel)
    status = Status.WRITTEN
    prev = job.previous.get(rel)
    if prev and prev[0] == digest:
        try:
            if os.stat(path).st_size == prev[1]:
                status = Status.UNCHANGED
        except OSError:
            pass
    if status is Status.WRITTEN:
        atomic_write_bytes(path, data)
    return ManifestRow(
        migration_id=migration_id,
        ods_code=ods_code,
        document=document,
        path=rel,
        sha256=digest,
        bytes=len(data),
        status=status,
        inputs=inputs,
    )


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
    folders = memo(job, "folders")
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
