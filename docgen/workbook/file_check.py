"""Is this file an .xlsx workbook at all? Said before any of it is parsed.

An admin's file goes wrong in ordinary ways: the wrong path, a CSV or an old .xls saved
under an .xlsx name, a password, a download cut short. Each is refused with what it is and
what to do, rather than with a parser's message.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from docgen.errors import WorkbookError
from docgen.formats.ole import is_encrypted, is_ole

_ZIP_MAGIC = b"PK\x03\x04"
#: How Excel names the lock file it keeps beside a workbook while it is open ("owner file").
LOCK_PREFIX = "~$"


def refuse(path: Path, what: str, fix: str) -> WorkbookError:
    """The error for a file docgen cannot read: its path, what is wrong, and the fix."""
    return WorkbookError(f"{path}: {what} {fix}")


def _lock_file(path: Path) -> WorkbookError:
    """The error for Excel's lock file given instead of its workbook, naming the workbook:
    ``~$migrations.xlsx`` locks ``migrations.xlsx``. (Office may instead put ``~$`` over the
    first two letters of a long name, ``~$grations.xlsx``: then the workbook is the one file
    beside it whose name is the same from its third letter on.)"""
    workbook = path.name[len(LOCK_PREFIX) :]
    if not path.with_name(workbook).is_file():
        try:
            beside = [p.name for p in path.parent.iterdir() if p.name[2:] == workbook and p.name[:2] != LOCK_PREFIX]
        except OSError:
            beside = []
        workbook = beside[0] if len(beside) == 1 else workbook
    return refuse(
        path,
        "is Excel's lock file, not the workbook (Excel keeps it beside a workbook while it is open).",
        f"Give {workbook} itself, and close it in Excel first.",
    )


def check_file(path: Path) -> None:
    """Refuse, with the reason and the fix, any file that is not an .xlsx workbook: a folder,
    an empty or unreadable file, Excel's lock file, an old .xls, a password-protected, Word,
    OpenDocument or binary workbook, a zip cut short, a CSV."""
    resave = "Open it in Excel and use File > Save As > Excel Workbook (.xlsx), then run again."
    if not path.exists():
        raise refuse(path, "there is no such file.", "Check the path and the file name.")
    if path.is_dir():
        raise refuse(path, "is a folder, not a workbook.", "Give the path of the .xlsx file itself.")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as err:
        if path.name.startswith(LOCK_PREFIX):
            raise _lock_file(path) from err
        raise refuse(path, f"cannot be read ({err.strerror}).", "Close it in Excel and check you may read it.") from err
    if path.name.startswith(LOCK_PREFIX) and not head.startswith(_ZIP_MAGIC):
        raise _lock_file(path)
    if not head:
        raise refuse(
            path, "is empty (0 bytes).", "It may not have finished copying or saving: save it again from Excel."
        )
    if is_ole(head):
        if is_encrypted(path.read_bytes()):
            raise refuse(
                path,
                "is password-protected, so docgen cannot read it.",
                "Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, "
                "clear the box), save, and run again.",
            )
        raise refuse(path, "is an old-style Excel 97-2003 (.xls) or other Office file, not an .xlsx workbook.", resave)
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError) as err:
            raise refuse(
                path,
                "is damaged or incomplete (it may have been cut short while copying or downloading).",
                "Copy it again or save it again from Excel, then run again.",
            ) from err
        if "xl/workbook.xml" in names:
            return
        if "word/document.xml" in names:
            raise refuse(path, "is a Word document, not an Excel workbook.", "Give the path of the .xlsx workbook.")
        if "content.xml" in names:
            raise refuse(path, "is an OpenDocument file (.ods), not an .xlsx workbook.", resave)
        if "xl/workbook.bin" in names:
            raise refuse(path, "is an Excel binary workbook (.xlsb), not an .xlsx workbook.", resave)
        raise refuse(path, "is a zip archive, not an Excel workbook.", "Give the path of the .xlsx workbook.")
    text = head.decode("utf-8", errors="replace")
    if "\n" in text and any(sep in text for sep in (",", ";", "\t")) and "\x00" not in text:
        raise refuse(path, "is a CSV (plain text) file, not an Excel workbook.", resave)
    raise refuse(path, "is not an Excel workbook (.xlsx).", resave)
