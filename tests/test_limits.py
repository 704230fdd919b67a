"""A workbook bigger than docgen reads (a zip bomb, a sheet of hundreds of thousands of
rows) is refused before it fills the memory, with the limit in words."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
import wb
import zip_parts

from docgen.errors import WorkbookError
from docgen.workbook import limits, sheet_fast
from docgen.workbook.parts import read_parts
from docgen.workbook.reader import read_workbook
from docgen.workbook.sheet_xml import parse_sheet_expat
from docgen.workbook.validate import check_workbook

MIGRATIONS = "xl/worksheets/sheet4.xml"  # where wb.write puts the Migrations sheet

#: Runs ``docgen validate`` on argv[1] and prints the exit code and the command's peak
#: memory (its own, the only child this process has).
_MEASURE = """
import resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "docgen", "validate", sys.argv[1]], capture_output=True, text=True)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(done.stderr.strip().splitlines()[-1])
"""


def test_the_test_workbook_has_migrations_where_these_tests_put_the_bombs(tmp_path):
    with zipfile.ZipFile(wb.make(tmp_path)) as zf:
        sheets = {s.title: s.member for s in read_parts(zf).sheets}
    assert sheets["Migrations"] == MIGRATIONS


def test_a_zip_bomb_is_refused_before_it_is_unpacked_in_little_memory(tmp_path):
    # 3.6 MB on disk; its Migrations sheet unpacks to 1.2 GB. Before the limits, docgen
    # validate ran for 85 s and peaked at 5.8 GB.
    bomb = zip_parts.rebuild(
        wb.make(tmp_path, name="good.xlsx"),
        tmp_path / "migrations.xlsx",
        {MIGRATIONS: zip_parts.empty_rows_sheet(1_200 * limits.MB)},
    )
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(bomb)], capture_output=True, text=True, timeout=120)
    status, rss_kb = map(int, done.stdout.splitlines()[0].split())
    assert (status, done.stdout.splitlines()[1]) == (
        1,
        f"Error: {bomb}: sheet 'Migrations' would unpack to 1.2 GB; docgen unpacks at most 100 MB of any one "
        "sheet (every GP practice in England fits in 5 MB a sheet), so it has not unpacked it. If this is your "
        "workbook, delete what should not be there (rows pasted below your data, formatted empty rows and "
        "columns: select them, right-click > Delete), save it and run again. If it came from someone else, do "
        "not open it: it may be built to fill the computer's memory (a zip bomb).",
    )
    assert rss_kb < 500 * 1024  # measured: 58 MB


def test_a_sheet_packed_far_tighter_than_any_real_sheet_is_refused(tmp_path):
    # 3 MB, small enough to read, but packed 300 times: how a zip bomb is made.
    bomb = zip_parts.rebuild(
        wb.make(tmp_path, name="good.xlsx"),
        tmp_path / "migrations.xlsx",
        {MIGRATIONS: zip_parts.empty_rows_sheet(3 * limits.MB)},
    )
    with pytest.raises(WorkbookError) as err:
        read_workbook(bomb)
    assert str(err.value).startswith(
        f"{bomb}: sheet 'Migrations' is packed 333 times smaller than it unpacks (9.2 KB that would become 3 MB); "
        "docgen unpacks nothing packed more than 100 times (real sheets pack 3 to 20 times), as that is how a zip "
        "bomb is made, so it has not unpacked it. If this is your workbook,"
    )


def test_a_part_that_unpacks_to_more_than_it_says_is_damaged_and_not_unpacked(tmp_path):
    # The sheet holds 1.2 GB but says 2 KB: unpacking stops at 2 KB, where the check fails.
    liar = zip_parts.rebuild(
        wb.make(tmp_path, name="good.xlsx"),
        tmp_path / "migrations.xlsx",
        {MIGRATIONS: zip_parts.empty_rows_sheet(1_200 * limits.MB)},
        declare={MIGRATIONS: 2048},
    )
    with pytest.raises(WorkbookError) as err:
        read_workbook(liar)
    assert str(err.value) == (
        f"{liar}: is damaged and cannot be read (BadZipFile: Bad CRC-32 for file '{MIGRATIONS}'). Open it in "
        "Excel, save it again as Excel Workbook (.xlsx), and run again."
    )


def test_sheets_that_together_pass_the_limit_are_refused_with_it(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 4 * 1024)
    path = wb.make(tmp_path)
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value).startswith(
        f"{path}: the sheets docgen reads would unpack to 10 KB in all; docgen reads workbooks of up to 4 KB of "
        "sheets (every GP practice in England fits in 18 MB), so it has not unpacked them. If this is your workbook,"
    )


def _rows(sheets, count):
    """Copies of the one migration, down to ``count`` migrations."""
    for n in range(2, count + 1):
        sheets["Migrations"].append(list(sheets["Migrations"][1]))
        wb.put(sheets, "Migrations", n + 1, "Migration ID", f"MIG-{n:03}")


def test_a_sheet_with_more_rows_than_docgen_reads_is_refused_naming_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    path = wb.make(tmp_path, lambda s: _rows(s, 5))
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: sheet 'Migrations' has more than 5 rows holding values; docgen reads up to 5 rows a sheet "
        "(every GP practice in England needs about 13,000 on its longest sheet). Delete the rows that should not "
        "be there (a block pasted twice, rows copied down too far), or split the batch into several workbooks, "
        "and run again."
    )
    # The header and four migrations are five rows: read.
    assert len(check_workbook(wb.make(tmp_path, lambda s: _rows(s, 4), name="four.xlsx")).batch.migrations) == 4


def test_both_sheet_readers_stop_at_the_row_limit(tmp_path):
    with zipfile.ZipFile(wb.make(tmp_path, lambda s: _rows(s, 6))) as zf:
        parts, xml = read_parts(zf), zf.read(MIGRATIONS)
    typing = (parts.shared, parts.date_styles, parts.epoch)
    assert len(sheet_fast.parse_sheet_fast(xml, *typing, max_rows=7)[0]) == 7
    for reader in (sheet_fast.parse_sheet_fast, parse_sheet_expat):
        with pytest.raises(limits.TooManyRows):
            reader(xml, *typing, max_rows=6)


def test_the_fast_reader_reads_a_sheet_slice_by_slice_as_it_reads_it_whole(tmp_path, monkeypatch):
    with zipfile.ZipFile(wb.make(tmp_path, lambda s: _rows(s, 30))) as zf:
        parts, xml = read_parts(zf), zf.read(MIGRATIONS)
    typing = (parts.shared, parts.date_styles, parts.epoch)
    whole = sheet_fast.parse_sheet_fast(xml, *typing)
    monkeypatch.setattr(sheet_fast, "_SLICE", 100)  # a few rows a slice, cut wherever a row starts
    assert sheet_fast.parse_sheet_fast(xml, *typing) == whole == parse_sheet_expat(xml, *typing)
    assert len(whole[0]) == 31


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (830, "830 bytes"),
        (12 * 1024, "12 KB"),
        (4_928_307, "4.7 MB"),
        (100 * limits.MB, "100 MB"),
        (1288490188, "1.2 GB"),
    ],
)
def test_sizes_are_said_as_windows_explorer_says_them(n, text):
    assert limits.size(n) == text
