"""Writing outputs safely: atomic files, safe names, paths kept inside the output folder."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename,
    so a crash or Ctrl-C leaves either the old file or the new one, never half of one."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError as err:
        raise OutputError(f"Cannot write {path}: {err.strerror}. Check the folder exists and you may write to it.") from err
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise OutputError(f"Cannot write {path}: {err.strerror}. Close it if it is open in Word or Excel, then run again.") from err
        raise


def atomic_save(path: Path, save) -> None:
    """Call ``save(tmp_path)`` (e.g. ``workbook.save``) then rename onto ``path`` atomically."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        os.close(fd)
    except OSError as err:
        raise OutputError(f"Cannot write {path}: {err.strerror}. Check the folder exists and you may write to it.") from err
    try:
        save(tmp)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise OutputError(f"Cannot write {path}: {err.strerror}. Close it if it is open in Excel, then run again.") from err
        raise
