"""``--annotate``: a copy of the workbook with each problem cell coloured and commented."""

from __future__ import annotations

import pytest
import wb
from openpyxl import load_workbook

from docgen.errors import OutputError, WorkbookError
from docgen.workbook import annotate
from docgen.workbook.annotate import ERROR_FILL, WARNING_FILL, write_annotated
from docgen.workbook.validate import check_workbook


def _bad(s):
    wb.put(s, "Migrations", 2, "Provisional go-live date", "31/02/2026")
    wb.put(s, "Migrations", 2, "Status", "Done")
    wb.put(s, "Contacts", 2, "Phone", "123")


@pytest.fixture
def annotated(tmp_path):
    src = wb.make(tmp_path, _bad)
    before = src.read_bytes()
    report = check_workbook(src)
    out = tmp_path / "marked.xlsx"
    write_annotated(src, report.problems, out)
    assert src.read_bytes() == before  # the admin's own file is untouched
    return report, load_workbook(out)


def test_problem_cells_are_filled_and_commented(annotated):
    _, book = annotated
    go_live = book["Migrations"]["L2"]
    assert go_live.value == "31/02/2026"
    assert go_live.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert go_live.comment.text == "Error: '31/02/2026' is not a date. Enter a date such as 15/06/2026."
    phone = book["Contacts"]["F2"]
    assert phone.fill.fgColor.rgb.endswith(WARNING_FILL.fgColor.rgb[-6:])
    assert phone.comment.text.startswith("Warning: '123' does not look like a UK phone number.")
    assert book["Migrations"]["A2"].comment is None


def test_the_problems_sheet_lists_every_problem_first(annotated):
    report, book = annotated
    assert book.sheetnames[0] == "Problems"
    ws = book["Problems"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Severity", "Cell", "Column", "Message")
    assert rows[1:] == [
        (
            "Error",
            "Migrations!L2",
            "Provisional go-live date",
            "'31/02/2026' is not a date. Enter a date such as 15/06/2026.",
        ),
        ("Error", "Migrations!T2", "Status", report.problems[1].message),
        ("Warning", "Contacts!F2", "Phone", report.problems[2].message),
    ]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D4"
    assert ws["B2"].hyperlink.location == "'Migrations'!L2"


def test_sheet_level_problems_are_listed_without_a_cell(tmp_path):
    def change(s):
        del s["Migrations"][1:]
        del s["Costs"][1:]

    src = wb.make(tmp_path, change)
    out = tmp_path / "marked.xlsx"
    write_annotated(src, check_workbook(src).problems, out)
    rows = list(load_workbook(out)["Problems"].iter_rows(min_row=2, values_only=True))
    assert rows == [("Warning", "Migrations", None, "There are no migrations. Add one row per migration.")]


def test_an_annotated_copy_reads_back_the_same_problems(annotated, tmp_path):
    report, _ = annotated
    again = check_workbook(tmp_path / "marked.xlsx")
    assert [str(p) for p in again.problems] == [str(p) for p in report.problems]


def test_annotate_refuses_to_overwrite_the_workbook_it_checks(tmp_path):
    src = wb.make(tmp_path)
    with pytest.raises(OutputError) as err:
        write_annotated(src, [], src)
    assert str(err.value) == (
        f"{src} is the workbook being checked. Give --annotate a different file name, e.g. "
        f"{tmp_path / 'migrations-problems.xlsx'}."
    )


def test_a_bug_while_opening_the_workbook_is_not_blamed_on_the_file(tmp_path, monkeypatch):
    src = wb.make(tmp_path)

    def broken(*args, **kwargs):
        raise AttributeError("a bug in docgen")

    monkeypatch.setattr(annotate, "load_workbook", broken)
    with pytest.raises(AttributeError, match="a bug in docgen"):
        write_annotated(src, [], tmp_path / "marked.xlsx")


def test_a_workbook_openpyxl_cannot_open_is_reported_with_what_to_do(tmp_path):
    src = tmp_path / "migrations.xlsx"
    src.write_bytes(b"not a zip")
    with pytest.raises(WorkbookError) as err:
        write_annotated(src, [], tmp_path / "marked.xlsx")
    assert str(err.value) == (
        f"{src}: cannot be opened to annotate (File is not a zip file). Save it again from Excel."
    )
