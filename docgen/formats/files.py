"""Writing outputs safely: atomic files, safe names, paths kept inside the output folder."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from docgen.errors import OutputError

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
# mkstemp creates files readable by their owner only; outputs should get the usual
# permissions (a colleague on a shared drive must be able to open the letters).
_UMASK = os.umask(0o022)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def safe_name(text: str, max_length: int = 100) -> str:
    """A file or folder name safe on Windows and Linux, made from a value in the workbook.

    Separators, reserved characters and control characters become ``-``; names Windows
    reserves (``CON``, ``LPT1``) get a trailing ``_``; trailing dots and spaces (which
    Windows drops) are removed; at most ``max_length`` characters. A value can never
    become ``..`` or an absolute path, so it cannot leave the output folder.
    """
    text = unicodedata.normalize("NFC", str(text))
    text = _UNSAFE.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"-{2,}", "-", text)
    text = text[:max_length].rstrip(" .")
    text = text.lstrip(".") or "unnamed"
    if text.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = text + "_"
    return text


def inside(root: Path, *parts: str) -> Path:
    """``root / parts``, refusing any result that is not inside ``root``."""
    root = Path(root).resolve()
    path = root.joinpath(*parts).resolve()
    if path != root and root not in path.parents:
        raise OutputError(f"Refusing to write {path}: it is outside the output folder {root}.")
    return path


# Temporary files: ".docgen-tmp-<pid>-<n><suffix>" beside the target. The process id keeps
# workers apart and the counter keeps one process's files apart, so no random name is
# drawn; the prefix is docgen's own, so a later run can find what a killed one left
# (:func:`remove_temporaries`) without ever touching a file of the admin's.
TMP_PREFIX = ".docgen-tmp-"
_TMP_COUNTER = itertools.count()
# Ours: this version's names, and the ".tmp-<pid>-<n>.ext" and mkstemp ".tmp-XXXXXXXX.ext"
# names of earlier versions (only with the extensions docgen writes).
_OURS = re.compile(
    r"\.docgen-tmp-\d+-\d+(\.[A-Za-z0-9]{1,8})?"
    r"|\.tmp-(\d+-\d+|[a-z0-9_]{8})\.(docx|pdf|ics|eml|xlsx|csv)"
)
# O_EXCL: never open a file someone else made. os.open's mode goes through the umask,
# so outputs get the usual permissions (0o666 & ~umask) without a chmod.
_TMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def atomic_write_bytes(path: Path | str, data: bytes) -> os.stat_result:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename,
    so a crash or Ctrl-C leaves either the old file or the new one, never half of one.
    Returns the new file's status after the rename (for :func:`signature`).

    Made for writing tens of thousands of letters: five system calls a file (open,
    write, rename, fstat, close), and the folder is created only when the open finds it
    missing. The descriptor stays open over the rename (on POSIX) so the status is the
    renamed file's without looking the path up again.
    """
    try:
        fd, tmp = _create_temporary(os.fspath(path))
    except OSError as err:
        raise OutputError(
            f"Cannot write {path}: {err.strerror}. Check the folder exists and you may write to it."
        ) from err
    try:
        try:
            view = memoryview(data)
            while view:  # a regular file takes it all at once; a short write just goes on
                view = view[os.write(fd, view) :]
            if os.name == "posix":
                os.replace(tmp, path)
                return os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)  # Windows renames a closed file only
        return os.stat(path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OutputError(
                f"Cannot write {path}: {err.strerror}. Close it if it is open in Word or Excel, then run again."
            ) from err
        raise


def signature(st: os.stat_result) -> str:
    """What a file's status says about its bytes, for the manifest's ``stat`` column: its
    inode and its last change time (ctime) in nanoseconds.

    Any write, rename or ``touch`` sets the change time to the clock's, and no program can
    set it back (touch and copying tools set the modification time only); a replacement
    is another inode too. So a file whose signature is the one recorded when docgen wrote
    it still holds docgen's bytes (its size is compared apart). Begins with a letter, so
    Excel shows it as text."""
    return f"i{st.st_ino}c{st.st_ctime_ns}"


def is_temporary(name: str) -> bool:
    """True for the name of a temporary file docgen makes (this version or an earlier one)."""
    return _OURS.fullmatch(name) is not None


def remove_temporaries(root: Path | str) -> int:
    """Delete the temporary files a killed run left under ``root`` (docgen's own names
    only, regular files only, never inside a linked folder); return how many. Call it only while holding the folder's lock: a running
    writer's temporary files have the same names."""
    removed = 0
    todo = [os.fspath(root)]
    while todo:
        try:
            entries = list(os.scandir(todo.pop()))
        except OSError:
            continue  # a folder that went away or cannot be read holds nothing of ours
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                todo.append(entry.path)
            elif is_temporary(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _create_temporary(path: str) -> tuple[int, str]:
    """A new empty file beside ``path`` (descriptor, name), creating its folder if missing."""
    folder, name = os.path.split(path)
    suffix = os.path.splitext(name)[1]
    made_folder = False
    for _ in range(100):
        tmp = os.path.join(folder, f"{TMP_PREFIX}{os.getpid()}-{next(_TMP_COUNTER)}{suffix}")
        try:
            return os.open(tmp, _TMP_FLAGS, 0o666), tmp
        except FileExistsError:
            continue  # left behind by a killed run whose process had the same id
        except FileNotFoundError:
            if made_folder or not folder:
                raise
            os.makedirs(folder, exist_ok=True)
            made_folder = True
    raise FileExistsError(errno.EEXIST, "no free temporary file name", folder)


def atomic_save(path: Path, save: Callable[[str], object]) -> None:
    """Call ``save(tmp_path)`` (e.g. ``workbook.save``) then rename onto ``path`` atomically."""
    path = Path(path)
    try:
        fd, tmp = _create_temporary(os.fspath(path))
        os.close(fd)
    except OSError as err:
        raise OutputError(
            f"Cannot write {path}: {err.strerror}. Check the folder exists and you may write to it."
        ) from err
    try:
        save(tmp)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OutputError(
                f"Cannot write {path}: {err.strerror}. Close it if it is open in Excel, then run again."
            ) from err
        raise
