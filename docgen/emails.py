"""Email drafts (``.eml``) the admin opens in Outlook, checks and sends: docgen sends nothing.

``X-Unsent: 1`` makes Outlook open the file as a draft with a Send button. Everything that
varies between runs in a MIME message (Message-ID, Date, the multipart boundary) is derived
from the parameters, so a rerun writes the same bytes.

A national run writes over twelve thousand drafts, and building each as an ``EmailMessage``
took ~14 ms: its header registry parses every header it is given, and its generator writes
the attachments one base64 line at a time. So :func:`draft` lays the MIME message out
itself (RFC 5322 headers, RFC 2045/2046 parts) from the standard library's encoders:
``email.headerregistry.Address`` checks any address that is not a plain one,
``email.utils`` formats addresses, dates and RFC 2231 file names, ``email.charset`` and
``email.header`` encode non-ASCII words (RFC 2047), ``binascii`` does base64 and
quoted-printable. ``tests/test_emails.py`` checks that ``email`` reads a draft back exactly
as it reads one built with ``EmailMessage``.
"""

from __future__ import annotations

import binascii
import datetime as dt
import functools
import hashlib
import mimetypes
import re
from collections.abc import Iterable
from email.charset import Charset
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.utils import encode_rfc2231, format_datetime, formataddr
from pathlib import Path
from zoneinfo import ZoneInfo

from docgen.errors import OutputError

LONDON = ZoneInfo("Europe/London")

# RFC 5322 2.1.1: header lines SHOULD stay within 78 characters; they are folded to it.
_WIDTH = 78

# Office types first: mimetypes on Windows reads the registry and may not know them.
_TYPES: dict[str, str] = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".ics": 'text/calendar; method="REQUEST"; charset="utf-8"',
}

# An address of dot-atoms either side of the @ (RFC 5322 3.4.1), nearly every address in a
# workbook: Address accepts these unchanged, so only other forms pay for its parser.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")

_UTF8 = Charset("utf-8")


def _one_line(text: object) -> str:
    """A workbook value made safe for a header: line breaks and runs of spaces become one
    space, so a value can never start a header of its own."""
    return re.sub(r"\s+", " ", str(text)).strip()


def _plain(text: str) -> bool:
    """Whether ``text`` can go in a header as it is: printable ASCII, and nothing a mail
    client would decode as an RFC 2047 encoded word."""
    return text.isascii() and text.isprintable() and "=?" not in text


def _address(name: str, email: str, *, subject: str) -> str:
    """``name <email>`` as a header writes it: the name quoted if it has specials, or
    encoded as UTF-8 if it is not plain ASCII. Raises :class:`OutputError` naming an
    address that is not one."""
    name, email = _one_line(name), _one_line(email)
    if not _PLAIN_ADDRESS.fullmatch(email):
        try:
            email = Address(display_name=name, addr_spec=email).addr_spec
            if not email.isascii():  # an international domain, in the form mail servers use
                local, _, domain = email.rpartition("@")
                email = f"{local}@{domain.encode('idna').decode('ascii')}"
        except (ValueError, IndexError, HeaderParseError) as err:
            raise OutputError(
                f'Cannot write the email draft "{_one_line(subject)}": "{email}" ({name}) is not '
                "an email address. Correct it in the workbook, then run again."
            ) from err
    if not name:
        return email
    if _plain(name):
        return formataddr((name, email))
    # One encoded word: a mail reader joins several in a name with a space between them.
    return f"{_UTF8.header_encode(name)} <{email}>"


def _folded(name: str, items: list[str], separator: str) -> str:
    """The header ``name: items`` joined by ``separator`` (", " or " "), folded before an
    item that would take the line past 78 characters; unfolding gives the same value."""
    line = f"{name}: {items[0]}"
    width = len(line)
    for item in items[1:]:
        line += separator[:-1]  # the comma stays; the space becomes the fold's
        width += len(separator)
        if width + len(item) > _WIDTH:
            line += "\r\n "
            width = 1
        else:
            line += " "
        line += item
        width += len(item)
    return line


def _text_header(name: str, text: str) -> str:
    """An unstructured header (the subject): folded between words when plain ASCII,
    else as UTF-8 encoded words (RFC 2047), which ``email.header`` folds."""
    words = text.split(" ")
    if _plain(text) and max(map(len, words)) < _WIDTH:
        return _folded(name, words, " ")
    return f"{name}: " + Header(text, "utf-8", header_name=name).encode(linesep="\r\n")


@functools.lru_cache(maxsize=256)
def _content_type(filename: str) -> str:
    """The Content-Type of an attachment, from its name."""
    suffix = Path(filename).suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def _disposition(filename: str) -> str:
    """``attachment`` with the file name: quoted if plain, RFC 2231-encoded if not."""
    if _plain(filename) and '"' not in filename and "\\" not in filename:
        param = f'filename="{filename}"'
    else:
        param = f"filename*={encode_rfc2231(filename, 'utf-8')}"
    fold = "\r\n " if len(param) > _WIDTH - len("Content-Disposition: attachment; ") else " "
    return f"Content-Disposition: attachment;{fold}{param}"


def _base64(data: bytes) -> bytes:
    """``data`` as base64 in CRLF-ended lines of 76 characters (RFC 2045 6.8): encoded in
    one call and sliced, where ``base64.encodebytes`` encodes 57 bytes at a time."""
    encoded = binascii.b2a_base64(data, newline=False)
    return b"".join([encoded[i : i + 76] + b"\r\n" for i in range(0, len(encoded), 76)])


def _quoted_printable(text: str) -> bytes:
    """``text`` as UTF-8 quoted-printable with CRLF line ends, ending with one, as the
    ``email`` package writes a text part."""
    lines = text.encode("utf-8").splitlines()
    return binascii.b2a_qp(b"\r\n".join(lines) + b"\r\n", istext=True)


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
            files.append((path.name, path.read_bytes()))
        except OSError as err:
            raise OutputError(
                f'Cannot attach {path} to the email draft "{subject_line}": {err.strerror or err}. '
                "Check the file was written, then run again."
            ) from err

    headers = [_folded("From", [_address(*sender, subject=subject)], ", ")]
    if to:
        headers.append(_folded("To", [_address(*person, subject=subject) for person in to], ", "))
    cc = list(cc)
    if cc:
        headers.append(_folded("Cc", [_address(*person, subject=subject) for person in cc], ", "))
    headers += [_text_header("Subject", subject_line), f"Date: {format_datetime(when)}", "X-Unsent: 1"]

    # The same inputs give the same Message-ID and boundary, hence the same bytes.
    digest = hashlib.sha256()
    for part in [*headers, text]:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x00")
    for name, data in files:
        digest.update(name.encode("utf-8", "surrogatepass") + b"\x00" + hashlib.sha256(data).digest())
    key = digest.hexdigest()

    text_part = (
        b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
        + _quoted_printable(text)
    )
    headers += ["MIME-Version: 1.0", f"Message-ID: <{key[:32]}@docgen>"]
    # Every header is ASCII by now (names, subject and file names are encoded above), so
    # a character that slipped through fails here rather than making a malformed draft.
    if not files:
        return ("\r\n".join(headers) + "\r\n").encode("ascii") + text_part

    # "=_" cannot occur in base64 or quoted-printable, so no part can contain the boundary.
    boundary = f"=_docgen_{key[32:56]}"
    headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
    parts = [text_part]
    for name, data in files:
        part_head = f"Content-Type: {_content_type(name)}\r\nContent-Transfer-Encoding: base64\r\n{_disposition(name)}"
        parts.append((part_head + "\r\n\r\n").encode("ascii") + _base64(data))
    delimiter = f"--{boundary}".encode("ascii")
    body_parts = b"".join(delimiter + b"\r\n" + part + b"\r\n" for part in parts) + delimiter + b"--\r\n"
    return ("\r\n".join(headers) + "\r\n\r\n").encode("ascii") + body_parts
