"""Zip I/O for .docx packages: a template's members read as they are stored, and a
letter's zip written with fixed timestamps, so the same input gives the same bytes.

Unchanged members are copied with their compressed bytes (never inflated and deflated
again), which is much of what makes a letter fast to write.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import TemplateError

# Zip: fixed timestamp 1980-01-01 00:00 so the same input gives the same bytes.
_DOS_DATE = (0 << 9) | (1 << 5) | 1
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_OFFSET = struct.Struct("<L")
#: How many compressed headers and footers a template remembers (then it starts again).
_REMEMBERED_PARTS = 64
_UTF8_NAME = 0x800
#: zlib level for re-rendered parts. Level 1 renders about a third more letters a second
#: than the default 6, for files 1-2% larger (measured on 40 KB letters).
DEFLATE_LEVEL = 1
#: zlib memory level and window (default 8 and 32 KB) for the same parts. Setting up
#: zlib's buffers costs more than compressing a 2 KB footer, and large buffers are often
#: fresh pages from the system; 6 and 16 KB made a letter's three parts (25 KB body, two
#: footers) take 143 us instead of 216 (median of 15 x 300 letters) for 2% more bytes.
DEFLATE_MEMORY = 6
DEFLATE_WINDOW = -14  # raw deflate (a zip member) with a 2**14-byte window


@dataclass
class Member:
    """One zip member of the template, kept compressed as it was read."""

    name: str
    method: int
    crc: int
    compress_size: int
    file_size: int
    data: bytes
    raw_name: bytes = b""
    flags: int = 0

    def __post_init__(self) -> None:
        self.raw_name = self.name.encode("utf-8")
        self.flags = 0 if self.name.isascii() else _UTF8_NAME


def not_docx(name: str, why: str) -> TemplateError:
    """The error for a template that is not a .docx docgen can read, saying ``why``."""
    return TemplateError(
        f"is not a Word document docgen can read ({why}). Save it from Word as a .docx (Word Document) and try again.",
        template=name,
    )


def read_package(path: Path) -> bytes:
    """The bytes of the template at ``path``; a missing or unreadable file is a TemplateError."""
    try:
        return path.read_bytes()
    except FileNotFoundError as err:
        raise TemplateError("does not exist. Check the templates folder.", template=str(path)) from err
    except OSError as err:
        raise TemplateError(f"cannot be read ({err.strerror}).", template=str(path)) from err


def read_members(raw: bytes, name: str) -> list[Member]:
    """The zip members of ``raw``, a template's bytes (``name`` for messages), compressed
    as stored; a file that is not a plain zip is a TemplateError."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as err:
        raise not_docx(name, "it is not a zip package") from err
    members = []
    for info in infos:
        if info.flag_bits & 0x1:
            raise not_docx(name, "it is password-protected")
        if info.compress_size >= 0xFFFFFFFF or info.file_size >= 0xFFFFFFFF or info.header_offset >= 0xFFFFFFFF:
            raise not_docx(name, "it is too large")
        start = info.header_offset
        if raw[start : start + 4] != b"PK\x03\x04":
            raise not_docx(name, f"its zip member {info.filename} is damaged")
        name_len, extra_len = struct.unpack("<2H", raw[start + 26 : start + 30])
        data_start = start + 30 + name_len + extra_len
        members.append(
            Member(
                info.filename,
                info.compress_type,
                info.CRC,
                info.compress_size,
                info.file_size,
                raw[data_start : data_start + info.compress_size],
            )
        )
    return members


def read_member(members: dict[str, Member], member: str) -> bytes:
    """The uncompressed bytes of ``member``."""
    m = members[member]
    if m.method == zipfile.ZIP_STORED:
        return m.data
    if m.method == zipfile.ZIP_DEFLATED:
        return zlib.decompress(m.data, -15)
    raise zipfile.BadZipFile(f"{member} uses an unsupported compression method")


class LetterZip:
    """The zip of every letter from one template: the template's unchanged members as
    laid out once, then the parts rendered for the letter, then the central directory."""

    def __init__(
        self, members: list[Member], rendered: set[str], repeating: set[str], stored: frozenset[str] = frozenset()
    ):
        # Unchanged members: local header and compressed bytes, ready to copy, and their
        # central directory entry up to the offset (the only field that changes).
        chunks: dict[str, bytes] = {}
        central: dict[str, bytes] = {}
        for m in members:
            if m.name not in rendered:
                chunks[m.name] = (
                    _local_header(m.raw_name, m.flags, m.method, m.crc, m.compress_size, m.file_size) + m.data
                )
                central[m.name] = _central_head(m.raw_name, m.flags, m.method, m.crc, m.compress_size, m.file_size)
        # Headers and footers come out the same in letter after letter (an ICB's name, a
        # footer repeated in the same letter): their compressed bytes are remembered.
        self._deflated: dict[bytes, tuple[int, bytes]] = {}
        self._repeating = repeating
        # Small parts different in every letter (the document properties, under 1 KB):
        # stored, not deflated; compressing them cost a tenth of a letter's rendering.
        self._stored = stored
        # The unchanged members go first, so every letter from this template starts with
        # the same bytes (``prefix``): laid out once here, and whoever handles the letter
        # next (an email draft's base64, a hash) may reuse its work on them.
        offset, static, directory = 0, [], []
        for m in members:
            if m.name not in rendered:
                directory.append(central[m.name] + _OFFSET.pack(offset) + m.raw_name)
                static.append(chunks[m.name])
                offset += len(static[-1])
        self.prefix = b"".join(static)
        self._prefix_hash = hashlib.sha256(self.prefix)
        self._static_directory = directory
        self._rendered_members = [m for m in members if m.name in rendered]

    def sha256(self, data: bytes) -> str:
        """Hex SHA-256 of ``data``, a letter from :meth:`write`: the hash of the shared
        :attr:`prefix` is taken once, so only the letter's own bytes are hashed."""
        if not data.startswith(self.prefix):
            return hashlib.sha256(data).hexdigest()
        digest = self._prefix_hash.copy()
        digest.update(memoryview(data)[len(self.prefix) :])
        return digest.hexdigest()

    def write(self, rendered: dict[str, bytes]) -> bytes:
        """The letter's zip: :attr:`prefix`, then ``rendered`` (member -> XML bytes),
        then the central directory."""
        out: list[bytes] = [self.prefix]
        central = list(self._static_directory)
        offset = len(self.prefix)
        for m in self._rendered_members:
            raw = rendered[m.name]
            method = zipfile.ZIP_DEFLATED
            if m.name in self._stored:
                crc, data, method = zlib.crc32(raw), raw, zipfile.ZIP_STORED
            elif m.name in self._repeating:
                crc, data = self._deflate(raw)
            else:
                crc, data = _deflate(raw)
            chunk = _local_header(m.raw_name, m.flags, method, crc, len(data), len(raw)) + data
            head = _central_head(m.raw_name, m.flags, method, crc, len(data), len(raw))
            central.append(head + _OFFSET.pack(offset) + m.raw_name)
            out.append(chunk)
            offset += len(chunk)
        directory = b"".join(central)
        out.append(directory)
        out.append(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0))
        return b"".join(out)

    def _deflate(self, raw: bytes) -> tuple[int, bytes]:
        """:func:`_deflate`, remembering the last few parts (a header is the same for a
        whole ICB): looking bytes up costs a hash, compressing them tens of microseconds."""
        found = self._deflated.get(raw)
        if found is None:
            if len(self._deflated) >= _REMEMBERED_PARTS:
                self._deflated.clear()
            found = self._deflated[raw] = _deflate(raw)
        return found


def _deflate(raw: bytes) -> tuple[int, bytes]:
    """CRC-32 and raw deflate stream of a zip member."""
    deflater = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, DEFLATE_WINDOW, DEFLATE_MEMORY)
    return zlib.crc32(raw), deflater.compress(raw) + deflater.flush()


def _central_head(raw_name: bytes, flags: int, method: int, crc: int, csize: int, usize: int) -> bytes:
    """A central directory entry up to, not including, the member's offset: with the
    offset and the name appended it is the whole entry (no extra field, no comment)."""
    return _CENTRAL.pack(b"PK\x01\x02", 20, 20, flags, method, 0, _DOS_DATE, crc, csize, usize,
                         len(raw_name), 0, 0, 0, 0, 0, 0)[:-4]  # fmt: skip


def _local_header(raw_name: bytes, flags: int, method: int, crc: int, csize: int, usize: int) -> bytes:
    return _LOCAL.pack(b"PK\x03\x04", 20, flags, method, 0, _DOS_DATE, crc, csize, usize, len(raw_name), 0) + raw_name
