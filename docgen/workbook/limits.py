"""How much of a workbook docgen reads: the sizes it checks before unpacking a part, and
the rows it takes from a sheet.

An .xlsx is a zip, and a zip can say that a 1 MB file unpacks to gigabytes (a "zip
bomb"); a sheet can also hold far more rows than any batch of migrations. Either would
have docgen fill the computer's memory for minutes before saying anything. So, before a
part is unpacked, its declared size and how tightly it is packed are checked against
limits set with a wide margin over a national workbook (every active GP practice in
England, ``bench/national.py``: its biggest sheet is 4.7 MB unpacked, packed 15 times,
17.7 MB of sheets in all, 12,744 rows on its longest sheet); the unpacking itself is
capped too, in case a part unpacks to more than it declares. Rows past the limit are
refused rather than streamed: the checks and the documents hold every row in memory
anyway, and a sheet of 300,000 rows is a mistake (a block pasted many times) far more
often than a batch.
"""

from __future__ import annotations

import zipfile

MB = 1024 * 1024

#: The most one part (a sheet, the shared strings, the styles) may unpack to.
MAX_PART_BYTES = 100 * MB
#: The most the parts docgen reads may unpack to, together.
MAX_TOTAL_BYTES = 200 * MB
#: How many times smaller than its unpacked size a part may be packed; real sheets pack
#: 3 to 20 times (Apache POI, which reads Excel files in Java, refuses past 100 too).
MAX_RATIO = 100
#: Parts that unpack to less than this are not checked for their ratio: they are small
#: whatever their packing (an empty sheet packs 50 times).
RATIO_FLOOR = MB
#: The most rows holding values docgen reads from one sheet.
MAX_ROWS = 100_000

#: What a national workbook needs, for messages: the limit alone means little to an admin.
NATIONAL_PART = "every GP practice in England fits in 5 MB a sheet"
NATIONAL_TOTAL = "every GP practice in England fits in 18 MB"
NATIONAL_ROWS = "every GP practice in England needs about 13,000 on its longest sheet"

#: What to do about a part or a sheet that is too big.
FIX = (
    "If this is your workbook, delete what should not be there (rows pasted below your data, "
    "formatted empty rows and columns: select them, right-click > Delete), save it and run again. If it "
    "came from someone else, do not open it: it may be built to fill the computer's memory (a zip bomb)."
)
FIX_ROWS = (
    "Delete the rows that should not be there (a block pasted twice, rows copied down too far), or split "
    "the batch into several workbooks, and run again."
)


class OverLimit(Exception):
    """The workbook is bigger than docgen reads. ``what`` says what is too big and which limit
    it passes, in words; the reader adds the file and what to do. Not a ValueError, so it is
    never reported as a damaged file."""

    def __init__(self, what: str, fix: str = FIX):
        super().__init__(what)
        self.what = what
        self.fix = fix


class TooManyRows(OverLimit):
    """A sheet holds more rows with values than ``limit``; raised by the sheet readers,
    which do not know the sheet's name: the reader says which sheet."""

    def __init__(self, limit: int):
        super().__init__(
            f"has more than {limit:,} rows holding values; docgen reads up to {limit:,} rows a sheet ({NATIONAL_ROWS})",
            FIX_ROWS,
        )
        self.limit = limit


def size(n: int) -> str:
    """A number of bytes as Windows Explorer shows it: 830 bytes, 12 KB, 4.7 MB, 1.2 GB."""
    if n < 1024:
        return f"{n} bytes"
    value = n / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1023.5 or unit == "GB":
            text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
            return f"{text.removesuffix('.0')} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def check_part(info: zipfile.ZipInfo, what: str) -> None:
    """Refuse ``info``, the zip member holding ``what`` (e.g. "sheet 'Migrations'"), when it
    says it unpacks to more than :data:`MAX_PART_BYTES` or is packed more than
    :data:`MAX_RATIO` times."""
    if info.file_size > MAX_PART_BYTES:
        raise OverLimit(
            f"{what} would unpack to {size(info.file_size)}; docgen unpacks at most {size(MAX_PART_BYTES)} of "
            f"{_one(what)} ({NATIONAL_PART}), so it has not unpacked it."
        )
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise OverLimit(
            f"{what} is packed {ratio:,} times smaller than it unpacks ({size(info.compress_size)} that would "
            f"become {size(info.file_size)}); docgen unpacks nothing packed more than {MAX_RATIO} times (real "
            "sheets pack 3 to 20 times), as that is how a zip bomb is made, so it has not unpacked it."
        )


def check_total(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse the parts ``infos`` when together they say they unpack to more than
    :data:`MAX_TOTAL_BYTES`."""
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise OverLimit(
            f"the sheets docgen reads would unpack to {size(total)} in all; docgen reads workbooks of up to "
            f"{size(MAX_TOTAL_BYTES)} of sheets ({NATIONAL_TOTAL}), so it has not unpacked them."
        )


def read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, what: str) -> bytes:
    """The unpacked bytes of ``info``, after :func:`check_part`, never more than the limit:
    zipfile stops at the size the member declares, and this read stops at the limit even if
    a later zipfile did not."""
    check_part(info, what)
    with zf.open(info) as fh:
        data = fh.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise OverLimit(
            f"{what} unpacks to more than {size(MAX_PART_BYTES)}; docgen unpacks at most {size(MAX_PART_BYTES)} "
            f"of {_one(what)} ({NATIONAL_PART}), so it stopped unpacking it."
        )
    return data


def _one(what: str) -> str:
    """What the part limit applies to, in the words of the part's name."""
    return "any one sheet" if what.startswith("sheet ") else "any one part of a workbook"
