"""The dashboard's counts (docgen.documents.dashboard through pipeline.dashboard): on the
sample workbook they agree with its Migrations sheet and with the timeline's Summary; on
a small batch built here, cancelled migrations and awkward supplier names."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook
from sample import AS_AT

from docgen import pipeline
from docgen.documents.dashboard import Dashboard, dashboard
from docgen.errors import ValidationFailed
from docgen.plan.schedule import schedule_batch
from docgen.problems import Problem
from docgen.records import Batch, Icb, Migration, Practice
from docgen.workbook.schema import STATUSES

SAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "migrations.xlsx"
D = dt.date
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def report() -> pipeline.CheckReport:
    return pipeline.check(SAMPLE, AS_AT)


@pytest.fixture(scope="module")
def board(report) -> Dashboard:
    return pipeline.dashboard(report)


@pytest.fixture(scope="module")
def sheet_rows() -> list[dict]:
    """The sample's Migrations sheet, read as a person would: header row, then a row each."""
    ws = load_workbook(SAMPLE, read_only=True)["Migrations"]
    rows = ws.iter_rows(values_only=True)
    headers = next(rows)
    return [dict(zip(headers, r, strict=False)) for r in rows if any(v is not None for v in r)]


def test_by_status_matches_the_status_column(board, sheet_rows):
    assert board.as_at == AS_AT
    assert board.total == len(sheet_rows) == 23
    assert [label for label, _ in board.by_status] == list(STATUSES)  # the process order, zeros kept
    assert sum(count for _, count in board.by_status) == board.total
    counted = Counter(r["Status"] for r in sheet_rows)
    assert {label: n for label, n in board.by_status if n} == dict(counted)


def test_go_lives_per_month_with_empty_months_shown(board, sheet_rows):
    going_ahead = [r for r in sheet_rows if r["Status"] != "Cancelled"]
    counted = Counter((r["Provisional go-live date"].year, r["Provisional go-live date"].month) for r in going_ahead)
    months = board.go_lives_by_month
    assert months[0] == ("Nov 2026", 1) and months[-1] == ("Nov 2027", 2)
    assert len(months) == 13  # every month from the first go-live to the last
    assert ("Dec 2026", 0) in months and ("Aug 2027", 0) in months
    assert ("Sept 2027", 3) in months  # en_GB's abbreviation, from the formatting helpers
    assert sum(n for _, n in months) == sum(counted.values()) == board.total - 1  # MIG-020 is cancelled


def test_moves_most_first_without_the_cancelled(board, sheet_rows):
    going_ahead = [r for r in sheet_rows if r["Status"] != "Cancelled"]
    counted = Counter(
        f"{r['Current supplier']} ({r['Current system']}) \u2192 {r['New supplier']} ({r['New system']})"
        for r in going_ahead
    )
    assert dict(board.moves) == dict(counted)
    assert board.moves[0] == ("Optum (EMIS Web) \u2192 TPP (SystmOne)", 6)
    assert list(board.moves) == sorted(board.moves, key=lambda item: (-item[1], item[0]))


def test_rag_equals_the_timeline_summary(report, board, tmp_path):
    path = pipeline.write_timeline(report, tmp_path / "out", SAMPLE)
    ws = load_workbook(path, read_only=True)["Summary"]
    rows = ws.iter_rows(values_only=True)
    col = next(rows).index("RAG")
    summary = Counter(r[col] for r in rows if r[0])
    assert summary.pop("Grey") == 1  # the cancelled migration: not on the dashboard
    assert [label for label, _ in board.rag] == ["Red", "Amber", "Green"]
    assert {label: n for label, n in board.rag if n} == dict(summary)
    assert sum(n for _, n in board.rag) == board.total - 1


def test_charts_show_every_count(board):
    charts = pipeline.dashboard_charts(board)
    assert [title for title, _ in charts] == [
        "Migrations by status",
        "RAG",
        "Go-lives per month",
        "Moves by supplier (from \u2192 to)",
    ]
    for (_, svg), series in zip(
        charts, (board.by_status, board.rag, board.go_lives_by_month, board.moves), strict=True
    ):
        shown = {"".join(t.itertext()) for t in ElementTree.fromstring(svg).iter(f"{SVG}text")}
        for label, count in series:
            assert label in shown and str(count) in shown


def _migration(mid: str, ods: str, go_live: dt.date, status: str, current=("Optum", "EMIS Web"), **kw) -> Migration:
    return Migration(mid, ods, *current, "A&B <Systems>", 'Bee & Co\'s "One"', "Merger", go_live, status, **kw)


@pytest.fixture(scope="module")
def small() -> Dashboard:
    today = D(2026, 3, 2)
    batch = Batch(
        icbs=(Icb("QHM", "North East ICB", ("Pemberton House",), "A Lead", "Director", "a.lead@nhs.net"),),
        practices=tuple(
            Practice(f"A8100{i}", f"Practice {i}", ("1 High Street",), "Stockton", "TS18 1HU", "QHM", row=i + 1)
            for i in range(1, 5)
        ),
        migrations=(
            _migration("MIG-001", "A81001", D(2026, 9, 15), "Planning", row=2),  # Green
            # Extract request late for a 15 Apr go-live (see test_timeline) -> Red.
            _migration("MIG-002", "A81002", D(2026, 4, 15), "ordered ", row=3, order_date=D(2026, 1, 19)),
            # Cancelled, with the latest go-live of all and a move nobody else makes.
            _migration("MIG-003", "A81003", D(2027, 2, 2), "Cancelled", ("TPP", "SystmOne"), row=4),
            _migration("MIG-004", "A81004", D(2026, 9, 29), "On hold", row=5),
        ),
    )
    return dashboard(batch, schedule_batch(batch, today), today)


def test_cancelled_counts_by_status_only(small):
    assert small.total == 4
    assert dict(small.by_status)["Cancelled"] == 1
    assert dict(small.by_status)["Ordered"] == 1  # as the sheet spells it, whatever the case typed
    assert small.go_lives_by_month == (
        ("Apr 2026", 1), ("May 2026", 0), ("Jun 2026", 0), ("Jul 2026", 0), ("Aug 2026", 0), ("Sept 2026", 2),
    )  # fmt: skip
    assert small.moves == (('Optum (EMIS Web) \u2192 A&B <Systems> (Bee & Co\'s "One")', 3),)
    assert small.rag == (("Red", 1), ("Amber", 0), ("Green", 2))


def test_supplier_names_are_escaped_in_the_charts(small):
    svg = dict(pipeline.dashboard_charts(small))["Moves by supplier (from \u2192 to)"]
    assert "Bee & Co" not in svg and "Bee &amp; Co" in svg and "&lt;Systems&gt;" in svg
    root = ElementTree.fromstring(svg)
    # A long label is cut with an ellipsis; its full text is the bar label's tooltip (<title>).
    assert 'Optum (EMIS Web) \u2192 A&B <Systems> (Bee & Co\'s "One")' in {t.text for t in root.iter(f"{SVG}title")}


def test_an_empty_batch_has_empty_series():
    board = dashboard(Batch(), {}, D(2026, 3, 2))
    assert (board.total, board.go_lives_by_month, board.moves) == (0, (), ())
    assert board.rag == (("Red", 0), ("Amber", 0), ("Green", 0))
    assert all(n == 0 for _, n in board.by_status)
    assert "No migrations" in dict(pipeline.dashboard_charts(board))["Moves by supplier (from \u2192 to)"]


def test_an_unreadable_workbook_has_no_dashboard():
    problem = Problem("error", "Migrations", "The sheet is missing.")
    with pytest.raises(ValidationFailed, match="The sheet is missing"):
        pipeline.dashboard(pipeline.CheckReport(None, [problem]))
