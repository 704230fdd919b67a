"""Storing a batch's outputs in the output folder: atomically, never outside it, and not
at all when the previous run left the same bytes there (a rerun rewrites nothing).

Every producer of bytes (letters, the timeline, calendar files, email drafts) hands its
bytes here; none of them writes a file itself.

"The same bytes" is proved, not assumed: the file's status must still be the one the
previous run recorded when it wrote the file (its size, and its ``stat`` signature:
inode and change time, which any rewrite changes); when it is not (a manifest
from an older docgen, a folder copied elsewhere), the file's bytes are hashed. A file
damaged since (zero-filled at the same size, edited) is therefore rewritten, never
listed ``unchanged``. The signature costs one ``stat`` a file, which a rerun made
anyway; hashing every file of the country on each rerun would cost seconds.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath
from stat import S_ISREG

from docgen.batch.job import Job, memo
from docgen.batch.manifest import ManifestRow, Previous, Status, sha256
from docgen.errors import OutputError
from docgen.formats.files import atomic_write_bytes, inside, signature


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
    prev = job.previous.get(rel)
    stat = _holds(job, path, prev) if prev and prev[0] == digest else None
    status = Status.WRITTEN if stat is None else Status.UNCHANGED
    if stat is None:
        stat = signature(atomic_write_bytes(path, data))
    return ManifestRow(
        migration_id=migration_id,
        ods_code=ods_code,
        document=document,
        path=rel,
        sha256=digest,
        bytes=len(data),
        status=status,
        inputs=inputs,
        stat=stat,
    )


def kept(job: Job, rel: str, inputs: str) -> tuple[str, int, str] | None:
    """(sha256, bytes, signature now) of ``rel`` as the previous run listed it, when that
    run made it from the same ``inputs`` and the file still holds those bytes; else None."""
    prev = job.previous.get(rel)
    if not inputs or not prev or prev[2] != inputs:
        return None
    try:
        stat = _holds(job, _target(job, rel), prev)
    except OutputError:
        return None
    return None if stat is None else (prev[0], prev[1], stat)


def _holds(job: Job, path: str, prev: Previous) -> str | None:
    """The signature of the file at ``path`` when it provably holds the bytes ``prev``
    lists: its status unchanged since the previous run recorded it, or else its bytes
    hashed and found the same. None when it does not (or is missing).

    A signature recorded in the clock tick the manifest was written in, or later, does
    not vouch: the clock moves in steps of milliseconds, so a rewrite just after the run
    could have kept it; such a file is hashed."""
    digest, size, _, recorded = prev
    try:
        st = os.lstat(path)  # a link planted in its place is not the file docgen wrote
    except OSError:
        return None
    if st.st_size != size or not S_ISREG(st.st_mode):
        return None
    now = signature(st)
    if now == recorded and st.st_ctime_ns < job.previous_at:
        return now
    try:
        with open(path, "rb") as fh:
            same = hashlib.file_digest(fh, "sha256").hexdigest() == digest
    except OSError:
        return None
    return now if same else None


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
