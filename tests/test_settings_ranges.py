"""Every whole-number setting has a range: a value outside it (a phone number pasted into
the wrong row, a date typed where days belong) is an error naming the cell, and no value
inside it can make a run overflow or hang."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest
import wb
from click.testing import CliRunner
from openpyxl import load_workbook
from sample import AS_AT, sample_batch

from docgen import pipeline
from docgen.cli import main
from docgen.workbook import schema
from docgen.workbook.settings_schema import SETTINGS
from docgen.workbook.starter import instructions_markdown, write_workbook
from docgen.workbook.validate import check_workbook

NUMBERS = [s for s in SETTINGS if s.kind == schema.INT]


def _settings(*rows):
    def change(sheets):
        sheets["Settings"] += [list(row) for row in rows]

    return change


def _messages(path) -> list[str]:
    return [f"{p.severity}: {p}" for p in check_workbook(path).problems]


def test_every_whole_number_setting_has_a_range_holding_its_default():
    assert NUMBERS and all(s.bounds and s.bounds[0] <= s.default <= s.bounds[1] for s in NUMBERS)


def test_a_phone_number_in_a_days_setting_is_an_error_naming_the_cell_and_no_traceback(tmp_path):
    # Before the ranges: an OverflowError traceback, as go-live plus 1,632,960,100 days is past year 9999.
    path = wb.make(tmp_path, _settings(("Old system read-only (days)", 1632960100)))
    result = CliRunner().invoke(main, ["validate", str(path), "--today", "2026-11-23"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.splitlines() == [
        "Error: Settings!B3 (Old system read-only (days)): '1632960100' is outside the range docgen accepts here. "
        "Enter a whole number from 0 to 3650.",
        "1 error(s), 0 warning(s); 0 migration(s) ready.",
    ]


def test_a_date_typed_into_a_number_setting_is_an_error_whether_excel_shows_it_as_a_date_or_a_number(tmp_path):
    path = wb.make(
        tmp_path,
        _settings(
            ("Extract allowance (working days)", dt.date(2026, 6, 15)),
            ("Data checking (working days)", 46188),  # the same date in a cell formatted as a number
        ),
    )
    assert _messages(path) == [
        "error: Settings!B3 (Extract allowance (working days)): '15/06/2026' is a date, not a whole number. Enter a "
        "whole number from 1 to 60.",
        "error: Settings!B4 (Data checking (working days)): '46188' is outside the range docgen accepts here (it "
        "looks like the date 15/06/2026 shown as a number). Enter a whole number from 1 to 60.",
    ]


@pytest.mark.parametrize(
    ("label", "value", "allowed"),
    [
        ("Extract allowance (working days)", "1,500,000", "1 to 60"),
        ("Extract allowance (working days)", 0, "1 to 60"),
        ("Order to kick-off (working days)", -3, "0 to 60"),
        ("Kick-off length (minutes)", 5, "15 to 480"),
        ("Order to go-live maximum (weeks)", 53, "1 to 52"),
    ],
)
def test_each_setting_is_held_to_its_own_range(tmp_path, label, value, allowed):
    [message] = _messages(wb.make(tmp_path, _settings((label, value))))
    assert message.endswith(f"is outside the range docgen accepts here. Enter a whole number from {allowed}.")
    assert f"({label})" in message


def test_a_supplier_notice_period_has_a_range_too(tmp_path):
    path = wb.make(tmp_path, lambda s: wb.put(s, "Suppliers", 2, "Notice period (working days)", 1500))
    assert _messages(path) == [
        "error: Suppliers!F2 (Notice period (working days)): '1500' is outside the range docgen accepts here. Enter a "
        "whole number from 0 to 60.",
    ]


def test_the_ranges_are_in_the_workbook_reference_and_the_settings_sheet_notes(tmp_path):
    reference = instructions_markdown()
    assert "| Setting | Default | Allowed | What it does |" in reference
    assert (
        "| Old system read-only (days) | 90 | 0 to 3650 | Calendar days the old system stays readable. |" in reference
    )
    assert (
        "| Notice period (working days) |  | Blank: the Settings extract allowance. A whole number from 0 to 60. |"
        in (reference)
    )
    path = tmp_path / "starter.xlsx"
    write_workbook(path, sample_batch())
    notes = {row[0]: row[2] for row in load_workbook(path)["Settings"].iter_rows(min_row=2, values_only=True)}
    assert notes["Kick-off length (minutes)"] == (
        "Length of the kick-off meeting invitation. A whole number from 15 to 480."
    )


@pytest.mark.parametrize("end", [0, 1], ids=["lowest", "highest"])
def test_the_extreme_values_of_every_range_still_schedule_the_sample_quickly(tmp_path, end):
    extremes = {s.key: s.bounds[end] for s in NUMBERS}
    sample = sample_batch()
    batch = dataclasses.replace(
        sample,
        settings=dataclasses.replace(sample.settings, **extremes),
        suppliers=tuple(dataclasses.replace(s, notice_days=60 * end) for s in sample.suppliers),
    )
    path = tmp_path / "extremes.xlsx"
    write_workbook(path, batch)
    started = time.perf_counter()
    report = pipeline.check(path, AS_AT, use_as_at=True)
    assert time.perf_counter() - started < 20  # measured: 0.13 s
    assert report.batch.settings == batch.settings
    assert not [p for p in report.problems if p.is_error]
    assert len(report.schedules) == len(sample.migrations)
