"""The sample batch in inputs/migrations.xlsx: realistic, valid, and rebuilt from code."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import convert_with_soffice
from sample import sample_batch

from docgen.workbook import schema
from docgen.workbook.starter import write_workbook
from docgen.workbook.validate import check_workbook

ROOT = Path(__file__).resolve().parent.parent


def _without_source(batch):
    return dataclasses.replace(batch, source="")


@pytest.fixture(scope="module")
def sample():
    return sample_batch()


def test_the_sample_covers_one_icb_25_practices_and_20_plus_migrations(sample):
    assert [i.code for i in sample.icbs] == ["QXY"]
    assert len(sample.practices) == 25
    assert len(sample.migrations) >= 20
    assert all(re.fullmatch(r"[A-Z]\d{5}", p.ods_code) for p in sample.practices)
    names = " ".join(p.name for p in sample.practices)
    assert "&" in names and "'" in names and "ŷ" in names
    assert all(p.phone.startswith("0") for p in sample.practices)


def test_the_sample_uses_every_supplier_status_role_and_cost_category(sample):
    products = {(s.supplier, s.product) for s in sample.suppliers}
    assert products == set(schema.DEFAULT_SUPPLIERS)
    used = {(m.new_supplier, m.new_system) for m in sample.migrations} | {
        (m.current_supplier, m.current_system) for m in sample.migrations
    }
    assert used == products
    assert {m.status for m in sample.migrations} == set(schema.STATUSES)
    assert set(schema.ROLES) - {"Business change lead"} <= {c.role for c in sample.contacts}
    assert {c.category for c in sample.costs} == set(schema.COST_CATEGORIES) - {"Other"}
    assert any(c.amount != c.amount.to_integral() for c in sample.costs)  # pence, not just pounds


def test_every_migrating_practice_has_a_practice_manager_and_lead_gp(sample):
    for m in sample.migrations:
        roles = {c.role for c in sample.contacts if c.organisation == m.ods_code}
        assert {"Practice manager", "Lead GP"} <= roles, m.migration_id
        invitees = {c.role for c in sample.invitees(m)}
        assert set(schema.KICK_OFF_MINIMUM_ROLES) <= invitees, m.migration_id


def test_some_dates_are_given_and_some_left_to_propose(sample):
    assert any(m.order_date for m in sample.migrations) and any(not m.order_date for m in sample.migrations)
    assert any(m.kickoff_date for m in sample.migrations) and any(not m.kickoff_date for m in sample.migrations)
    assert {b.scope for b in sample.blackouts} == {"All", "QXY", "Y90013"}


def test_the_sample_written_and_read_back_is_valid_and_equal(sample, tmp_path):
    path = tmp_path / "sample.xlsx"
    write_workbook(path, sample)
    report = check_workbook(path)
    assert report.errors == []
    assert report.warnings == []
    assert _without_source(report.batch) == sample


def test_inputs_migrations_xlsx_is_what_the_script_writes(sample):
    report = check_workbook(ROOT / "inputs" / "migrations.xlsx")
    assert report.errors == []
    assert _without_source(report.batch) == sample, "inputs/migrations.xlsx is stale: run make sample"


def test_the_script_writes_the_sample(tmp_path, sample):
    out = tmp_path / "made.xlsx"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_sample.py"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote {out}\n"
    assert _without_source(check_workbook(out).batch) == sample


def test_the_sample_saved_by_an_office_suite_reads_back_the_same(soffice, sample, tmp_path):
    # LibreOffice saves as Excel does (shared strings, date styles), unlike openpyxl.
    src = tmp_path / "sample.xlsx"
    write_workbook(src, sample)
    resaved = convert_with_soffice(soffice, src, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    report = check_workbook(resaved)
    assert report.problems == []
    assert _without_source(report.batch) == sample
