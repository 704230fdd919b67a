"""The timeline workbook (docgen.documents.timeline), read back with openpyxl and LibreOffice."""

from __future__ import annotations

import datetime as dt
import subprocess
import zipfile
from dataclasses import replace
from xml.etree import ElementTree

import pytest
from conftest import convert_with_soffice
from openpyxl import load_workbook

from docgen.documents.timeline import write_timeline
from docgen.documents.timeline_style import RAG_COLOURS
from docgen.plan.schedule import schedule_batch
from docgen.records import Batch, Blackout, Icb, Migration, Practice

D = dt.date
TODAY = D(2026, 3, 2)
FORMULA_NAME = '=HYPERLINK("http://evil.example","Click")'


def as_date(value) -> dt.date:
    """A date cell read back: openpyxl gives a datetime when the format is a date format."""
    assert isinstance(value, dt.datetime), value
    return value.date()


def _migration(migration_id, ods, go_live, status="Planning", row=2, **kw) -> Migration:
    return Migration(
        migration_id, ods, "Optum", "EMIS Web", "TPP", "SystmOne", "Merger", go_live, status, row=row, **kw
    )


@pytest.fixture(scope="module")
def batch() -> Batch:
    return Batch(
        icbs=(Icb("QHM", "North East ICB", ("Pemberton House",), "A Lead", "Director", "a.lead@nhs.net"),),
        practices=(
            Practice("A81001", FORMULA_NAME, ("1 High Street",), "Stockton", "TS18 1HU", "QHM", row=2),
            Practice("A81002", "Riverside Surgery", ("2 Low Street",), "Stockton", "TS18 2AB", "QHM", row=3),
            Practice("A81003", "+44 Medical Centre", ("3 Mid Street",), "Stockton", "TS18 3CD", "QHM", row=4),
        ),
        migrations=(
            # Nothing but go-live Tue 15 Sep 2026: all proposed, no warnings -> Green.
            _migration("MIG-001", "A81001", D(2026, 9, 15), row=2),
            # Go-live on the late summer bank holiday -> one Amber warning.
            _migration("MIG-002", "A81002", D(2026, 8, 31), "Ordered", row=3, order_date=D(2026, 5, 26)),
            # Extract request late for a 15 Apr go-live (see test_schedule) -> Red.
            _migration("MIG-003", "A81003", D(2026, 4, 15), "Ordered", row=4, order_date=D(2026, 1, 19)),
        ),
        blackouts=(Blackout(D(2026, 12, 14), D(2027, 1, 4), "=Christmas and New Year", "All", row=2),),
    )


@pytest.fixture(scope="module")
def written(batch, tmp_path_factory):
    out = tmp_path_factory.mktemp("timeline")
    schedules = schedule_batch(batch, TODAY)
    path = write_timeline(batch, schedules, out / "timeline.xlsx", today=TODAY)
    return path, schedules


@pytest.fixture(scope="module")
def wb(written):
    return load_workbook(written[0])


def test_sheets_and_atomic_write(written, wb):
    path, _ = written
    assert path.name == "timeline.xlsx"
    assert wb.sheetnames == ["Summary", "Actions", "Milestones", "Gantt", "Warnings", "Bank holidays", "Blackouts"]
    assert [p.name for p in path.parent.iterdir()] == ["timeline.xlsx"]  # no temporary file left


def test_summary_rows(wb):
    ws = wb["Summary"]
    headers = [c.value for c in ws[1]]
    assert headers[:6] == ["Migration ID", "ICB", "ODS code", "Practice", "Current system", "New system"]
    col = {h: i for i, h in enumerate(headers)}
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert list(rows) == ["MIG-001", "MIG-002", "MIG-003"]

    first = rows["MIG-001"]
    assert first[col["ICB"]].value == "QHM"
    assert first[col["Current system"]].value == "EMIS Web (Optum)"
    go_live = first[col["Go-live"]]
    assert as_date(go_live.value) == D(2026, 9, 15)
    assert go_live.number_format == "dd/mm/yyyy"
    assert go_live.font.i is False or go_live.font.i is None  # given: plain
    order = first[col["Order"]]
    assert as_date(order.value) == D(2026, 6, 9)  # 15 Sep - 14 weeks, proposed
    assert order.font.i is True  # proposed dates are in italics
    assert first[col["Weeks order to go-live"]].value == 14
    assert first[col["Proposed dates (not in the workbook)"]].value == "Order, Extract request, Kick-off, IDP, FDP"

    rag = {mid: (r[col["RAG"]].value, r[col["Warnings"]].value) for mid, r in rows.items()}
    assert rag == {"MIG-001": ("Green", 0), "MIG-002": ("Amber", 1), "MIG-003": ("Red", 3)}
    red = rows["MIG-003"][col["RAG"]]
    assert red.fill.fgColor.rgb.endswith(RAG_COLOURS["Red"])
    assert rows["MIG-002"][col["Status"]].value == "Ordered"


def test_actions_sheet_lists_what_is_due_with_owner_and_date(wb):
    ws = wb["Actions"]
    assert ws["A1"].value == "Actions as at Monday 02/03/2026"
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref.startswith("A2:")
    headers = [c.value for c in ws[2]]
    col = {h: i for i, h in enumerate(headers)}
    rows = [r for r in ws.iter_rows(min_row=3)]
    by_id = {}
    for r in rows:
        by_id.setdefault(r[col["Migration ID"]].value, []).append(r)
    # MIG-003 was ordered in January: its kick-off proposed for 2 February has passed (the
    # invitation is due but blocked, with what to fix) and its extract request is late.
    first = rows[0]
    assert first[col["Migration ID"]].value == "MIG-003"
    assert first[col["Action"]].value == "Send the kick-off invitation"
    assert "has passed" in first[col["Fix first"]].value
    (request,) = [r for r in by_id["MIG-003"] if r[col["Action"]].value == "Send the data extract request to Optum"]
    assert request[col["Owner"]].value == "ICB lead"
    assert request[col["Days overdue"]].value > 0
    assert request[col["Due or coming up"]].value == "Due"
    # MIG-001 is Planning with nothing due yet: what comes next.
    (mig1,) = by_id["MIG-001"]
    assert mig1[col["Due or coming up"]].value == "Coming up"
    dues = [as_date(r[col["Due"]].value) for r in rows if r[col["Due or coming up"]].value == "Due"]
    assert dues == sorted(dues)
    summary = wb["Summary"]
    head = [c.value for c in summary[1]]
    row3 = {r[0].value: r for r in summary.iter_rows(min_row=2)}["MIG-003"]
    assert row3[head.index("Next action")].value.startswith("Send the kick-off invitation. First: the kick-off")
    assert as_date(row3[head.index("Due")].value) == as_date(first[col["Due"]].value)


def test_text_from_the_workbook_stays_text(wb):
    summary = wb["Summary"]
    practice = summary["D2"]
    assert practice.value == FORMULA_NAME
    assert practice.data_type == "s"
    plus = summary["D4"]
    assert (plus.value, plus.data_type) == ("+44 Medical Centre", "s")
    assert wb["Milestones"]["C2"].value == FORMULA_NAME
    assert wb["Milestones"]["C2"].data_type == "s"
    blackout = wb["Blackouts"]["C2"]
    assert (blackout.value, blackout.data_type) == ("=Christmas and New Year", "s")


def test_sheet_setup(wb):
    expected = {
        "Summary": ("E2", "A1:S4"),
        "Milestones": ("E2", "A1:I43"),
        "Warnings": ("D2", "A1:G5"),
        "Bank holidays": ("A2", "A1:C9"),
        "Blackouts": ("A2", "A1:D2"),
    }
    for name, (freeze, autofilter) in expected.items():
        ws = wb[name]
        assert ws.freeze_panes == freeze, name
        assert ws.auto_filter.ref == autofilter, name
        assert ws.page_setup.orientation == "landscape", name
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, name
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, name
        assert ws.print_title_rows == "$1:$1", name
    assert wb["Summary"].column_dimensions["D"].width == 34
    assert wb["Gantt"].freeze_panes == "E4"
    assert wb["Gantt"].print_title_rows == "$1:$3"


def test_the_gantt_filter_sorts_only_the_migrations(wb):
    """Sorting the Gantt by its header (say by go-live) must not move the "Bank holiday
    weeks" row in among the migrations: the filter's range is the header and the
    migrations below it, nothing above."""
    ws = wb["Gantt"]
    first, last = ws.auto_filter.ref.split(":")
    assert first == "A3" and ws["A3"].value == "Migration ID"
    header = [c for c in ws[3] if c.value is not None]
    assert last == f"{header[-1].column_letter}{ws.max_row}" and len(header) == header[-1].column
    assert [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)] == ["MIG-001", "MIG-002", "MIG-003"]


def test_shared_strings_count_every_use_and_each_text_once(written):
    """sharedStrings' count is the number of string cells, uniqueCount the number of
    texts (ECMA-376 Part 1, sst): Excel checks both against the sheets."""
    path, _ = written
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as zf:
        sst = ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
        sheets = [ElementTree.fromstring(zf.read(n)) for n in zf.namelist() if n.startswith("xl/worksheets/")]
    uses = sum(1 for sheet in sheets for cell in sheet.iter(f"{main}c") if cell.get("t") == "s")
    texts = len(sst.findall(f"{main}si"))
    assert uses > texts
    assert (int(sst.get("count")), int(sst.get("uniqueCount"))) == (uses, texts)


def test_milestones_sheet(wb, written):
    _, schedules = written
    ws = wb["Milestones"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 3 * 14
    mig1 = [r for r in rows if r[0] == "MIG-001"]
    assert [r[3] for r in mig1][:3] == ["Business case approved", "Order placed", "Data extract request sent"]
    by_label = {r[3]: r for r in mig1}
    # Kick-off 23 Jun is 10 working days after the 9 Jun order; given/proposed, owner.
    kick_off = by_label["Kick-off meeting"]
    assert as_date(kick_off[4]) == D(2026, 6, 23)
    assert kick_off[6] == 10
    assert kick_off[7] == "Migration project manager"
    assert kick_off[8] == "Proposed"
    assert by_label["Go-live"][8] == "Given"
    assert by_label["Business case approved"][6] is None  # no previous milestone
    checking = by_label["Data checking"]
    assert (as_date(checking[4]), as_date(checking[5])) == (D(2026, 7, 1), D(2026, 7, 14))
    assert ws["E3"].number_format == "dd/mm/yyyy"


def test_warnings_sheet(wb, written):
    _, schedules = written
    ws = wb["Warnings"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [(r[0], r[4]) for r in rows] == [
        ("MIG-002", "go_live_bank_holiday"),
        ("MIG-003", "extract_late"),
        ("MIG-003", "proposed_past"),
        ("MIG-003", "proposed_past"),
    ]
    bank_holiday = rows[0]
    assert bank_holiday[3] == "Migrations!L3 (Provisional go-live date)"
    assert bank_holiday[5] == "The go-live date Monday 31 August 2026 is a bank holiday (Late Summer Bank Holiday)."
    assert bank_holiday[6].startswith("Move go-live to Tuesday 1 September 2026")
    assert rows[1][3] == "Migrations!M4 (Extract request date)"
    # Ordered in January: the kick-off proposed 10 working days later has passed.
    assert rows[2][3] == "Migrations!O4 (Kick-off date)"
    assert rows[2][5] == "The kick-off meeting proposed for 02/02/2026 has passed."
    assert rows[2][6] == "Enter the date it took place, or a new one, in the Kick-off date column."


def test_warnings_sheet_names_the_cells_of_the_workbook_read(batch, tmp_path):
    # The admin inserted two columns before go-live and deleted the Extract request date one.
    own = replace(batch, columns={"Migrations": {"go_live": "N"}})
    schedules = schedule_batch(own, TODAY)
    ws = load_workbook(write_timeline(own, schedules, tmp_path / "timeline.xlsx", today=TODAY))["Warnings"]
    assert [r[3] for r in ws.iter_rows(min_row=2, values_only=True)] == [
        "Migrations!N3 (Provisional go-live date)",
        "Migrations!4 (Extract request date)",
        "Migrations!4 (Kick-off date)",
        "Migrations!4 (Technical survey date)",
    ]


def test_bank_holidays_and_blackouts_sheets(wb):
    holidays = [(as_date(r[0].value), r[1].value, r[2].value) for r in wb["Bank holidays"].iter_rows(min_row=2)]
    # Every milestone of the batch falls in 2026 (earliest: MIG-003's business case, 5 Jan).
    assert (D(2026, 8, 31), "Monday", "Late Summer Bank Holiday") in holidays
    assert (D(2026, 12, 28), "Monday", "Boxing Day (substitute day)") in holidays
    assert {d.year for d, _, _ in holidays} == {2026}
    assert len(holidays) == 8
    assert wb["Bank holidays"]["A2"].number_format == "dd/mm/yyyy"
    (start, end, reason, scope) = next(wb["Blackouts"].iter_rows(min_row=2, values_only=True))
    assert (as_date(start), as_date(end), reason, scope) == (
        D(2026, 12, 14),
        D(2027, 1, 4),
        "=Christmas and New Year",
        "All",
    )
    assert wb["Blackouts"].max_row == 2


def test_gantt(wb, written):
    _, schedules = written
    ws = wb["Gantt"]
    assert ws["D1"].value == "Legend:"
    header = [c.value for c in ws[3]]  # right above the migrations, so its filter sorts only them
    assert header[:4] == ["Migration ID", "ODS code", "Practice", "Go-live"]
    mondays = [as_date(m) for m in header[4:] if m is not None]
    assert all(m.weekday() == 0 for m in mondays)
    assert all((b - a).days == 7 for a, b in zip(mondays, mondays[1:], strict=False))
    # Starts the week of the earliest order (MIG-003, Mon 19 Jan 2026).
    assert mondays[0] == D(2026, 1, 19)
    # ... and ends the week MIG-001's post go-live support ends (10 working days after 15 Sep).
    assert mondays[-1] == D(2026, 9, 28)
    assert ws["E3"].number_format == "dd/mm/yyyy"
    week_col = {m: i + 5 for i, m in enumerate(mondays)}  # 1-based column numbers

    assert ws["C2"].value == "Bank holiday weeks"
    bank_holiday_row = {ws.cell(2, c).value for c in week_col.values()}
    assert ws.cell(2, week_col[D(2026, 8, 31)]).value == "BH"  # Late Summer Bank Holiday week
    assert ws.cell(2, week_col[D(2026, 4, 6)]).value == "BH"  # Easter Monday week
    assert ws.cell(2, week_col[D(2026, 6, 15)]).value is None
    assert bank_holiday_row == {"BH", None}

    rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    assert list(rows) == ["MIG-001", "MIG-002", "MIG-003"]
    r = rows["MIG-001"]
    assert ws.cell(r, 3).value == FORMULA_NAME and ws.cell(r, 3).data_type == "s"
    assert as_date(ws.cell(r, 4).value) == D(2026, 9, 15)
    # Go-live week (Mon 14 Sep) is marked GL; the week before holds the cut-over (FDP 8 Sep).
    go_live_cell = ws.cell(r, week_col[D(2026, 9, 14)])
    assert go_live_cell.value == "GL"
    cut_over = ws.cell(r, week_col[D(2026, 9, 7)])
    assert cut_over.fill.fgColor.rgb.endswith("ED8B00")
    assert go_live_cell.fill.fgColor.rgb.endswith("DA291C")
    # Nothing before the order week (Mon 8 Jun 2026).
    assert ws.cell(r, week_col[D(2026, 6, 1)]).value is None
    assert ws.cell(r, week_col[D(2026, 6, 1)]).fill.fgColor.rgb in (None, "00000000")


def test_path_may_be_a_folder(batch, tmp_path):
    schedules = schedule_batch(batch, TODAY)
    path = write_timeline(batch, schedules, tmp_path, today=TODAY)
    assert path == tmp_path / "timeline.xlsx"
    assert load_workbook(path)["Summary"]["A2"].value == "MIG-001"


def test_empty_batch_still_writes_every_sheet(tmp_path):
    path = write_timeline(Batch(), {}, tmp_path / "timeline.xlsx", today=TODAY)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "Actions", "Milestones", "Gantt", "Warnings", "Bank holidays", "Blackouts"]
    assert wb["Summary"].max_row == 1
    assert [d.year for (d,) in wb["Bank holidays"].iter_rows(min_row=2, max_col=1, values_only=True)] == [2026] * 8


def test_timeline_opens_in_libreoffice(soffice, written, tmp_path):
    path, _ = written
    pdf = convert_with_soffice(soffice, path, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Riverside Surgery" in text
    assert FORMULA_NAME in text  # shown as text, not evaluated
    assert "15/09/2026" in text
    assert "Late Summer Bank Holiday" in text


def test_gantt_stays_bounded_when_a_year_is_mistyped(batch, tmp_path):
    from dataclasses import replace

    from docgen.documents.timeline import MAX_GANTT_WEEKS

    odd = replace(
        batch,
        migrations=(
            # Live since 2024: more than a year before today, its early weeks are cut.
            _migration("MIG-OLD", "A81002", D(2024, 6, 4), "Live", row=2),
            # 2036 instead of 2026: the sheet stops after MAX_GANTT_WEEKS weeks.
            _migration("MIG-TYPO", "A81001", D(2036, 9, 16), row=3),
        ),
    )
    path = write_timeline(odd, schedule_batch(odd, TODAY), tmp_path / "timeline.xlsx", today=TODAY)
    ws = load_workbook(path)["Gantt"]
    mondays = [as_date(c.value) for c in ws[3][4:] if c.value is not None]
    assert len(mondays) == MAX_GANTT_WEEKS
    assert mondays[0] == D(2025, 3, 3)  # the Monday 52 weeks before Monday 2 Mar 2026
    notes = [c.value for c in ws[1] if isinstance(c.value, str) and "not shown" in c.value]
    assert notes == [
        f"Weeks before 03/03/2025 are not shown. Weeks after {mondays[-1]:%d/%m/%Y} are not shown. "
        "See Milestones for every date."
    ]


def test_same_input_gives_the_same_bytes(batch, written, tmp_path):
    """A rerun on unchanged input must not change the file (the manifest compares hashes)."""
    path, schedules = written
    again = write_timeline(batch, schedules, tmp_path / "timeline.xlsx", today=TODAY)
    assert again.read_bytes() == path.read_bytes()
    with zipfile.ZipFile(again) as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "1980-01-01T00:00:00Z" in zf.read("docProps/core.xml").decode()


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "@SUM(A1)", "-1+2", "+44 1234", " =1 ", "_x0041_"])
def test_formula_like_text_stays_text(batch, tmp_path, text):
    """Every input text is a string cell, never a formula, and reads back exactly as typed."""
    from dataclasses import replace

    odd = replace(batch, practices=(replace(batch.practices[0], name=text), *batch.practices[1:]))
    path = write_timeline(odd, schedule_batch(odd, TODAY), tmp_path / "timeline.xlsx", today=TODAY)
    with zipfile.ZipFile(path) as zf:
        sheets = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in s or b"<f " in s for s in sheets)
    wb = load_workbook(path)
    for ws, ref in ((wb["Summary"], "D2"), (wb["Milestones"], "C2"), (wb["Gantt"], "C4")):
        assert (ws[ref].value, ws[ref].data_type) == (text, "s"), ws.title
