"""``docgen validate`` and ``docgen init`` through the CLI: exact lines and exit codes."""

from __future__ import annotations

import datetime as dt

import wb
from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_valid_workbook_exits_0(tmp_path):
    result = run("validate", wb.make(tmp_path), "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "0 error(s), 0 warning(s); 1 migration(s) ready."


def test_errors_and_warnings_are_told_apart_and_exit_1(tmp_path):
    def change(s):
        wb.put(s, "Migrations", 2, "Provisional go-live date", "31/02/2026")
        wb.put(s, "Contacts", 2, "Phone", "123")

    result = run("validate", wb.make(tmp_path, change), "--today", "2026-11-23")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: Migrations!L2 (Provisional go-live date): '31/02/2026' is not a date. Enter a date such as 15/06/2026.",
        "Warning: Contacts!F2 (Phone): '123' does not look like a UK phone number. Enter a phone number with its area "
        "code, such as 01642 672351.",
        "1 error(s), 1 warning(s); 0 migration(s) ready.",
    ]


def test_warnings_alone_exit_0(tmp_path):
    result = run(
        "validate", wb.make(tmp_path, lambda s: wb.put(s, "Contacts", 2, "Phone", "123")), "--today", "2026-11-23"
    )
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "0 error(s), 1 warning(s); 1 migration(s) ready."


def test_a_missing_path_is_a_usage_error(tmp_path):
    result = run("validate", tmp_path / "nope.xlsx")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_a_folder_is_refused_without_a_traceback(tmp_path):
    result = run("validate", tmp_path)
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path}: is a folder, not a workbook. Give the path of the .xlsx file itself.\n"


def test_a_csv_is_refused_with_exit_1(tmp_path):
    path = tmp_path / "migrations.xlsx"
    path.write_text("a,b\n1,2\n")
    result = run("validate", path)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: is a CSV (plain text) file, not an Excel workbook.")
    assert "Traceback" not in result.output


def test_annotate_writes_the_marked_copy(tmp_path):
    src = wb.make(tmp_path, lambda s: wb.put(s, "Practices", 2, "Postcode", "nowhere"))
    out = tmp_path / "marked.xlsx"
    result = run("validate", src, "--annotate", out, "--today", "2026-11-23")
    assert result.exit_code == 1
    assert f"Wrote {out} with 1 problem(s) marked." in result.output.splitlines()
    assert load_workbook(out)["Practices"]["G2"].comment.text.startswith("Error: 'nowhere' is not a UK postcode.")


def test_a_bad_today_is_a_usage_error(tmp_path):
    result = run("validate", wb.make(tmp_path), "--today", "tomorrow")
    assert result.exit_code == 2
    assert "'tomorrow' is not a date. Use 2026-06-15 or 15/06/2026." in result.output


def test_init_writes_a_starter_that_validates(tmp_path):
    path = tmp_path / "new.xlsx"
    result = run("init", path)
    assert result.exit_code == 0
    assert result.output == f"Wrote {path}. Fill it in Excel, then run: docgen validate {path}\n"
    check = run("validate", path)
    assert check.exit_code == 0
    assert check.output.splitlines() == [
        "Warning: Migrations: There are no migrations. Add one row per migration.",
        "0 error(s), 1 warning(s); 0 migration(s) ready.",
    ]
    years = {c.value.year for c in load_workbook(path)["Blackouts"]["A"][1:]}
    assert dt.date.today().year in years  # noqa: DTZ011 - init dates its busy periods from the real today


def test_init_refuses_to_overwrite_without_force(tmp_path):
    path = tmp_path / "new.xlsx"
    path.write_bytes(b"keep me")
    result = run("init", path)
    assert result.exit_code == 1
    assert result.output == f"Error: {path} already exists. Use --force to overwrite it, or choose another file name.\n"
    assert path.read_bytes() == b"keep me"
    assert run("init", path, "--force").exit_code == 0
    assert load_workbook(path).sheetnames[0] == "Instructions"


def test_a_schedule_warning_names_and_marks_the_cell_after_an_inserted_column(tmp_path):
    def change(s):
        wb.insert_column(s, "Migrations", "Provisional go-live date", "Notes")
        wb.put(s, "Migrations", 2, "Provisional go-live date", dt.date(2027, 5, 8))

    out = tmp_path / "marked.xlsx"
    result = run("validate", wb.make(tmp_path, change), "--annotate", out, "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    # The go-live date is in column M of this workbook (L in the layout `docgen init` writes).
    assert result.output.splitlines()[:2] == [
        "Warning: Migrations!L1: The column 'Notes' is not one docgen uses; it is ignored.",
        "Warning: Migrations!M2 (Provisional go-live date): MIG-001: The go-live date Saturday 8 May 2027 is on a "
        "weekend. Move go-live to Friday 7 May 2027, the nearest working day clear of bank holidays and blackouts.",
    ]
    marked = load_workbook(out)["Migrations"]
    assert marked["M2"].comment.text.startswith("Warning: MIG-001: The go-live date Saturday 8 May 2027")
    assert marked["L2"].comment is None
