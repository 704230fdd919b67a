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

Base64 is most of what is left: three letters of ~43 KB a migration. A caller that has
the letter in memory passes its bytes rather than a path, and may say how many of its
first bytes every letter from the same template shares: the base64 (and SHA-256 state)
of that prefix is made once and reused (:func:`_encoded`).
"""

from __future__ import annotations

import binascii
import datetime as dt
import functools
import hashlib
import mimetypes
import re
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from email.charset import Charset
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.utils import encode_rfc2231, format_datetime, formataddr
from pathlib import Path
from zoneinfo import ZoneInfo

from docgen.errors import OutputError

LONDON = ZoneInfo("Europe/London")

#: An attachment: a file to read, or (file name, bytes) already in memory, or
#: (file name, bytes, how many of the first bytes other attachments share).
Attachment = Path | tuple[str, bytes] | tuple[str, bytes, int]

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


_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096, typed=True)
def _one_line(text: object) -> str:
    """A workbook value made safe for a header: line breaks and runs of spaces become one
    space, so a value can never start a header of its own. Remembered: the same ICB
    people are on thousands of drafts."""
    return _SPACES.sub(" ", str(text)).strip()


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
    return _named(name, email)


@functools.lru_cache(maxsize=4096)
def _named(name: str, email: str) -> str:
    """The checked ``email`` with its one-line ``name`` as :func:`_address` writes them
    (remembered, as :func:`_one_line`)."""
    if not name:
        return email
    if _plain(name):
        return formataddr((name, email))
    words = _encoded_words(name)
    if len(words) == 1:
        return f"{words[0]} <{email}>"
    # Each encoded word on a line of its own (a reader drops the folds between them, RFC
    # 2047 6.2), the address after the last one if it fits within 78 characters.
    last = " " if 1 + len(words[-1]) + len(f" <{email}>") <= _WIDTH else "\r\n "
    return "\r\n ".join(words) + f"{last}<{email}>"


# RFC 2047 2: an encoded word is at most 75 characters, "=?utf-8?b?" and "?=" included,
# and a line holding one at most 76: 70 leaves room for "From: " before the first word.
_ENCODED_WORD = 70


def _encoded_words(text: str) -> list[str]:
    """``text`` as UTF-8 encoded words (RFC 2047) of at most 70 characters each: cut after
    a space in the second half of a word where there is one (so a reader that keeps the
    fold's space between words still shows the name as given), else between two
    characters, never inside one."""
    words = []
    while text:
        size = min(len(text), _ENCODED_WORD)
        while len(_UTF8.header_encode(text[:size])) > _ENCODED_WORD:
            size -= 1
        after_space = text.rfind(" ", 0, size) + 1
        if size < len(text) and after_space > size // 2:
            size = after_space
        words.append(_UTF8.header_encode(text[:size]))
        text = text[size:]
    return words


def _folded(name: str, items: list[str], separator: str) -> str:
    """The header ``name: items`` joined by ``separator`` (", " or " "), folded before an
    item that would take the line past 78 characters; unfolding gives the same value."""
    line = f"{name}: {items[0]}"
    width = len(line.rpartition("\n")[2])
    for item in items[1:]:
        line += separator[:-1]  # the comma stays; the space becomes the fold's
        width += len(separator)
        first, folded, rest = item.partition("\r\n")  # an item may be folded already
        if width + len(first) > _WIDTH:
            line += "\r\n "
            width = 1
        else:
            line += " "
        line += item
        width = len(rest.rpartition("\n")[2]) if folded else width + len(item)
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


def _date_header(when: dt.datetime) -> str:
    """The Date header for the aware ``when`` (RFC 5322 date and offset), remembered per
    wall-clock time, fold and zone: a run dates every draft alike. (Not per ``when``
    itself: equal instants in different zones are written with different offsets.)"""
    return _date_header_in(when.replace(tzinfo=None), when.fold, when.tzinfo)


@functools.lru_cache(maxsize=256)
def _date_header_in(wall: dt.datetime, fold: int, zone: dt.tzinfo) -> str:
    return f"Date: {format_datetime(wall.replace(tzinfo=zone, fold=fold))}"


def _disposition(filename: str) -> str:
    """``attachment`` with the file name: quoted if plain; if not, an ASCII look-alike
    first, for readers that do not know RFC 2231 (Outlook is reported to show such an
    attachment as "ATT00001"), then the exact name RFC 2231-encoded, which readers that
    know it take instead (the order RFC 6266 advises)."""
    if _plain(filename) and '"' not in filename and "\\" not in filename:
        params = [f'filename="{filename}"']
    else:
        params = [f'filename="{_ascii_name(filename)}"', f"filename*={encode_rfc2231(filename, 'utf-8')}"]
    return _folded("Content-Disposition", ["attachment", *params], "; ")


_NOT_IN_NAME = re.compile(r"[^ -~]|\\")


@functools.lru_cache(maxsize=256)
def _ascii_name(filename: str) -> str:
    """``filename`` in printable ASCII for a quoted parameter: accents dropped ("Siân" is
    "Sian"), double quotes as single ones, other characters and backslashes as "_", and
    never an RFC 2047 "=?"."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", filename) if not unicodedata.combining(c))
    return _NOT_IN_NAME.sub("_", plain.replace('"', "'")).replace("=?", "=_")


# 64 base64 lines of 76 characters, cut from the encoded text by one C call: slicing
# line by line in Python cost as much as the encoding itself.
_LINES = struct.Struct("76s" * 64)

# Bytes that make one 76-character base64 line: a prefix cut at a multiple of this
# encodes to whole lines, so its base64 and the rest's join into the whole's.
_LINE_BYTES = 57


def _base64(data: bytes | memoryview) -> bytes:
    """``data`` as base64 in CRLF-ended lines of 76 characters (RFC 2045 6.8): encoded in
    one call and cut into lines 64 at a time, where ``base64.encodebytes`` encodes 57
    bytes at a time."""
    encoded = binascii.b2a_base64(data, newline=False)
    blocks = len(encoded) - len(encoded) % _LINES.size
    lines: list[bytes] = []
    for block in _LINES.iter_unpack(memoryview(encoded)[:blocks]):
        lines += block
    lines += [encoded[i : i + 76] for i in range(blocks, len(encoded), 76)]
    lines.append(b"")  # the last line's CRLF
    return b"\r\n".join(lines)


@dataclass(frozen=True)
class _Prefix:
    """A byte prefix many attachments start with, its base64 lines and its SHA-256 state."""

    data: bytes
    base64: bytes
    sha256: hashlib._Hash


# The prefixes seen lately, newest first: one per template in a run, a few at most.
_PREFIXES: list[_Prefix] = []
_MAX_PREFIXES = 16


def _prefix(data: bytes, shared: int) -> _Prefix | None:
    """The remembered prefix ``data`` starts with, of ``shared`` bytes rounded down to
    whole base64 lines (made and remembered on first sight); None if that is nothing.

    ``data`` is compared with the remembered bytes, so a wrong ``shared`` costs time,
    never a wrong draft."""
    size = min(shared, len(data)) // _LINE_BYTES * _LINE_BYTES
    if size <= 0:
        return None
    for known in _PREFIXES:
        if len(known.data) == size and data.startswith(known.data):
            return known
    head = data[:size]
    known = _Prefix(head, _base64(head), hashlib.sha256(head))
    _PREFIXES.insert(0, known)
    del _PREFIXES[_MAX_PREFIXES:]
    return known


def _encoded(data: bytes, shared: int = 0) -> tuple[bytes, list[bytes]]:
    """``data``'s SHA-256 digest and its base64 lines (:func:`_base64`, in pieces to join),
    reusing the work on its first ``shared`` bytes when an earlier attachment started the
    same way: the same bytes as encoding and hashing the whole, at the cost of the rest."""
    known = _prefix(data, shared) if shared > 0 else None
    if known is None:
        return hashlib.sha256(data).digest(), [_base64(data)]
    rest = memoryview(data)[len(known.data) :]
    digest = known.sha256.copy()
    digest.update(rest)
    return digest.digest(), [known.base64, _base64(rest)]


def _attachment(item: Attachment, subject_line: str) -> tuple[str, bytes, int]:
    """(file name, bytes, shared prefix length) of one ``draft`` attachment."""
    if isinstance(item, tuple):
        name, data, *shared = item
        return name, data if isinstance(data, bytes) else bytes(data), shared[0] if shared else 0
    path = Path(item)
    try:
        return path.name, path.read_bytes(), 0
    except OSError as err:
        raise OutputError(
            f'Cannot attach {path} to the email draft "{subject_line}": {err.strerror or err}. '
            "Check the file was written, then run again."
        ) from err


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
    attachments: Iterable[Attachment],
    date: dt.datetime,
) -> bytes:
    """An ``.eml`` draft with the letters attached, so the admin sends each one from Outlook
    without retyping addresses or attaching files by hand.

    ``sender``, ``to`` and ``cc`` are (name, email); ``date`` is London time if naive.
    Attachments keep their file names and get their proper types (``.ics`` as
    ``text/calendar; method=REQUEST``). An attachment is a file's path, or (file name,
    bytes) for one the caller holds in memory, or (file name, bytes, n) when its first n
    bytes are shared with other attachments (a template's unchanged part): their base64 is
    then made once, not once per draft. Raises :class:`OutputError` naming an address
    that is not one, or an attachment that cannot be read.
    """
    when = date.replace(tzinfo=LONDON) if date.tzinfo is None else date
    subject_line = _one_line(subject)
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    files = [_attachment(item, subject_line) for item in attachments]

    headers = [_folded("From", [_address(*sender, subject=subject)], ", ")]
    if to:
        headers.append(_folded("To", [_address(*person, subject=subject) for person in to], ", "))
    cc = list(cc)
    if cc:
        headers.append(_folded("Cc", [_address(*person, subject=subject) for person in cc], ", "))
    headers += [_text_header("Subject", subject_line), _date_header(when), "X-Unsent: 1"]

    # The same inputs give the same Message-ID and boundary, hence the same bytes.
    digest = hashlib.sha256()
    for part in [*headers, text]:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x00")
    encoded = []
    for name, data, shared in files:
        data_digest, lines = _encoded(data, shared)
        digest.update(name.encode("utf-8", "surrogatepass") + b"\x00" + data_digest)
        encoded.append((name, lines))
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
    # Each part between delimiter lines, laid out as pieces joined once at the end: the
    # attachments' base64 is most of the draft, and is copied only by that join.
    delimiter = f"--{boundary}\r\n".encode("ascii")
    pieces = [delimiter, text_part, b"\r\n"]
    for name, lines in encoded:
        part_head = f"Content-Type: {_content_type(name)}\r\nContent-Transfer-Encoding: base64\r\n{_disposition(name)}"
        pieces += [delimiter, (part_head + "\r\n\r\n").encode("ascii"), *lines, b"\r\n"]
    pieces.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join([("\r\n".join(headers) + "\r\n\r\n").encode("ascii"), *pieces])
