"""Office files that are not zip packages: the OLE compound file.

Excel's and Word's 97-2003 formats (.xls, .doc) are OLE compound files, and so is a
password-protected .xlsx or .docx: Office encrypts the whole package and stores it as
the ``EncryptedPackage`` stream of a compound file, beside ``EncryptionInfo``. Both the
workbook and the template checks tell the two apart here, so an admin is told to remove
a password rather than to "save as" a file that is already in the right format.
"""

from __future__ import annotations

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A compound file stores its streams' names in UTF-16 in its directory.
_ENCRYPTION_STREAMS = tuple(name.encode("utf-16-le") for name in ("EncryptionInfo", "EncryptedPackage"))


def is_ole(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) starts an OLE compound file."""
    return head.startswith(OLE_MAGIC)


def is_encrypted(data: bytes) -> bool:
    """Whether ``data``, a whole OLE compound file, is a password-protected Office package
    (it names an ``EncryptionInfo`` or ``EncryptedPackage`` stream) rather than an old
    binary document."""
    return any(name in data for name in _ENCRYPTION_STREAMS)
