"""Email drafts (``.eml``) the admin opens in Outlook, checks and sends: docgen sends nothing.

``X-Unsent: 1`` makes Outlook open the file as a draft with a Send button. Everything that
varies between runs in a MIME message (Message-ID, Date, the multipart boundary) is derived
from the parameters, so a rerun writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import re
from collections.abc import Iterable
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from docgen.errors import OutputError

LONDON = ZoneInfo("Europe/London")

# CRLF line ends as RFC 5322 asks; Outlook and Thunderbird open either.
_POLICY = policy.default.clone(linesep="\r\n")

# Office types first: mimetypes on Windows reads the registry and may not know them.
_TYPES: dict[str, tuple[str, str, dict[str, str]]] = {
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document", {}),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet", {}),
    ".pdf": ("application", "pdf", {}),
    ".ics": ("text", "calendar", {"method": "REQUEST", "charset": "utf-8"}),
}


def _one_line(text: object) -> str:
    """A workbook value made safe for a header: line breaks and runs of spaces become one
    space, so a value can never start a header of its own."""
    return re.sub(r"\s+", " ", str(text)).strip()


def _address(name: str, email: str, *, subject: str) -> Address:
    try:
        return Address(display_name=_one_line(name), addr_spec=_one_line(email))
    except (ValueError, IndexError) as err:
        raise OutputError(
            f'Cannot write the email draft "{_one_line(subject)}": "{_one_line(email)}" ({_one_line(name)}) is not '
            "an email address. Correct it in the workbook, then run again."
        ) from err


def _content_type(path: Path) -> tuple[str, str, dict[str, str]]:
    if path.suffix.lower() in _TYPES:
        return _TYPES[path.suffix.lower()]
    guessed, _ = mimetypes.guess_type(path.name)
    maintype, _, subtype = (guessed or "application/octet-stream").partition("/")
    return maintype, subtype, {}


def draft(
    *,
    sender: tuple[str, str],
    to: list[tuple[str, str]],
    cc: Iterable[tuple[str, str]] = (),
    subject: str,
    body: str,
    attachments: list[Path],
    date: dt.datetime,
) -> bytes:
    """An ``.eml`` draft with the letters attached, so the admin sends each one from Outlook
    without retyping addresses or attaching files by hand.

    ``sender``, ``to`` and ``cc`` are (name, email); ``date`` is London time if naive.
    Attachments keep their file names and get their proper types (``.ics`` as
    ``text/calendar; method=REQUEST``). Raises :class:`OutputError` naming an address that
    is not one, or an attachment that cannot be read.
    """
    when = date.replace(tzinfo=LONDON) if date.tzinfo is None else date
    subject_line = _one_line(subject)
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    files = []
    for path in attachments:
        path = Path(path)
        try:
            files.append((path, path.read_bytes()))
        except OSError as err:
            raise OutputError(
                f'Cannot attach {path} to the email draft "{subject_line}": {err.strerror or err}. '
                "Check the file was written, then run again."
            ) from err

    msg = EmailMessage(policy=_POLICY)
    msg["From"] = _address(*sender, subject=subject)
    if to:
        msg["To"] = [_address(*person, subject=subject) for person in to]
    cc = list(cc)
    if cc:
        msg["Cc"] = [_address(*person, subject=subject) for person in cc]
    msg["Subject"] = subject_line
    msg["Date"] = format_datetime(when)
    msg["X-Unsent"] = "1"
    msg.set_content(text, cte="quoted-printable")
    for path, data in files:
        maintype, subtype, params = _content_type(path)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, params=params, filename=path.name)
    for part in msg.iter_parts():
        del part["MIME-Version"]  # belongs on the message only

    # The same inputs give the same Message-ID and boundary, hence the same bytes.
    digest = hashlib.sha256()
    for part in (str(msg["From"]), str(msg["To"]), str(msg["Cc"]), subject_line, msg["Date"], text):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x00")
    for path, data in files:
        digest.update(path.name.encode("utf-8", "surrogatepass") + b"\x00" + hashlib.sha256(data).digest())
    key = digest.hexdigest()
    msg["Message-ID"] = f"<{key[:32]}@docgen>"
    if msg.is_multipart():
        msg.set_boundary(f"=_docgen_{key[32:56]}")
    return msg.as_bytes(policy=_POLICY)
