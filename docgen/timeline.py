"""The timeline workbook: one file to steer the whole batch from.

Sheets: *Summary* (a row per migration with its key dates and a RAG), *Milestones* (a row
per milestone), *Gantt* (weeks across), *Warnings*, *Bank holidays* and *Blackouts*.
Written in openpyxl's write-only mode (rows streamed to disk, memory flat however big the
batch); styles are built once and copied onto cells.

**RAG.** Red: a warning that the migration cannot keep its go-live as planned
(:data:`RED_CODES`: extract request late, IDP inside the supplier's notice, go-live in the
past). Amber: any other warning. Green: no warning. Grey: cancelled.

**Gantt phases** (a week takes the most urgent phase it touches, in this order): go-live
week, cut-over (FDP to go-live), data checking and sign-off, extract wait (request to
IDP), pre-migration (kick-off to the end of pre-migration tasks), preparation (order to
kick-off), post go-live support (``post_go_live_days`` working days), other planned weeks
between order and go-live. The weeks shown start at the earliest order (but no more than
a year before today) and stop after :data:`MAX_GANTT_WEEKS` weeks.
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from docgen.calendar import WorkingCalendar
from docgen.output import atomic_save
from docgen.records import Batch, Migration
from docgen.schedule import (
    CANCELLED,
    EXTRACT_LATE,
    GO_LIVE_PAST,
    IDP_NOTICE,
    MigrationSchedule,
    day_name,
    short_date,
    warnings_as_problems,
)
from docgen.xlsx import text_cell

SHEET_NAMES = ("Summary", "Milestones", "Gantt", "Warnings", "Bank holidays", "Blackouts")
RED_CODES = frozenset({EXTRACT_LATE, IDP_NOTICE, GO_LIVE_PAST})
MAX_GANTT_WEEKS = 156
DATE_FORMAT = "dd/mm/yyyy"

#: Summary's key dates: (milestone key, header).
KEY_DATES = (
    ("order_placed", "Order"),
    ("extract_request_sent", "Extract request"),
    ("kick_off", "Kick-off"),
    ("idp", "IDP"),
    ("fdp", "FDP"),
    ("go_live", "Go-live"),
)

#: Gantt phases, least urgent first (a later one wins a week): (key, legend label, colour, mark).
PHASES = (
    ("planned", "Planned", "E8EDEE", ""),
    ("post_go_live", "Post go-live", "78BE20", ""),
    ("preparation", "Preparation", "41B6E6", ""),
    ("pre_migration", "Pre-migration", "768692", ""),
    ("extract_wait", "Extract wait", "FFB81C", ""),
    ("data_checking", "Data checking", "00A499", ""),
    ("cut_over", "Cut-over", "ED8B00", ""),
    ("go_live", "Go-live", "DA291C", "GL"),
)

_EXCEL_EPOCH = dt.date(1899, 12, 30)

RAG_COLOURS = {"Red": "DA291C", "Amber": "FFB81C", "Green": "009639", "Grey": "D9D9D9"}
_WHITE_TEXT = {"Red", "Green", "go_live"}


def rag(schedule: MigrationSchedule, status: str) -> str:
    """Red, Amber, Green or Grey for a migration (rules in the module docstring), so the
    admin sees at a glance which migrations need action first."""
    if status.strip().casefold() == CANCELLED.casefold():
        return "Grey"
    codes = {w.code for w in schedule.warnings}
    if codes & RED_CODES:
        return "Red"
    return "Amber" if codes else "Green"


class _Styles:
    """Fonts, fills and formats made once per workbook; cells get a copy of a prototype's
    style array, which is much faster than assigning style objects cell by cell."""

    def __init__(self, ws) -> None:
        self._ws = ws
        self._protos: dict[str, WriteOnlyCell] = {}
        self._shared: dict[tuple, WriteOnlyCell] = {}
        white_bold = Font(bold=True, color="FFFFFF")
        header_fill = PatternFill("solid", fgColor="005EB8")
        wrap = Alignment(wrap_text=True, vertical="top")
        self.add("header", font=white_bold, fill=header_fill, alignment=Alignment(wrap_text=True, vertical="center"))
        self.add("bold", font=Font(bold=True))
        self.add("date", number_format=DATE_FORMAT)
        self.add("date_proposed", number_format=DATE_FORMAT, font=Font(italic=True, color="595959"))
        self.add("week", number_format=DATE_FORMAT, font=white_bold, fill=header_fill,
                 alignment=Alignment(text_rotation=90, horizontal="center"))  # fmt: skip
        bh_fill = PatternFill("solid", fgColor="F4B6B6")
        self.add("week_bh", number_format=DATE_FORMAT, font=Font(bold=True, color="8A1538"), fill=bh_fill,
                 alignment=Alignment(text_rotation=90, horizontal="center"))  # fmt: skip
        self.add("bh", font=Font(bold=True, color="8A1538", size=8), fill=bh_fill,
                 alignment=Alignment(horizontal="center"))  # fmt: skip
        self.add("wrap", alignment=wrap)
        for name, colour in RAG_COLOURS.items():
            font = Font(bold=True, color="FFFFFF" if name in _WHITE_TEXT else "000000")
            self.add(f"rag_{name}", font=font, fill=PatternFill("solid", fgColor=colour))
        for key, _label, colour, _mark in PHASES:
            font = Font(bold=True, size=8, color="FFFFFF" if key in _WHITE_TEXT else "000000")
            self.add(f"phase_{key}", font=font, fill=PatternFill("solid", fgColor=colour),
                     alignment=Alignment(horizontal="center"))  # fmt: skip

    def add(self, name: str, **style) -> None:
        self._protos[name] = text_cell(self._ws, None, **style)

    def cell(self, ws, value: object, style: str | None = None) -> WriteOnlyCell:
        """A cell for ``value`` (strings stay text) with the named style."""
        if isinstance(value, dt.date):
            # The serial number is exactly what openpyxl writes for a date, without its
            # slow per-cell conversion; the dd/mm/yyyy style makes it a date again.
            value = (value - _EXCEL_EPOCH).days
        cell = text_cell(ws, value)
        if style is not None:
            cell._style = copy(self._protos[style]._style)
        return cell

    def shared(self, ws, value: object, style: str) -> WriteOnlyCell:
        """Like :meth:`cell`, but one cell object per (value, style) for the whole sheet.

        Safe because a write-only sheet writes each appended row before ``append``
        returns, so a cell can be appended again (it only takes the new position); it
        saves building the same date or Gantt cell hundreds of thousands of times.
        Only for *styled* cells: openpyxl reuses an unstyled appended cell for the next
        plain value in the row, which would overwrite it.
        """
        key = (value, style)
        cell = self._shared.get(key)
        if cell is None:
            cell = self._shared[key] = self.cell(ws, value, style)
        return cell


def _sheet(wb: Workbook, title: str, headers: list[tuple[str, float]], *, n_rows: int, freeze: str,
           header_row: int = 1, title_rows: str = "1:1"):  # fmt: skip
    """A write-only sheet with widths, frozen panes, an autofilter and print set-up; all of
    it must be set before the first row is written."""
    ws = wb.create_sheet(title)
    for i, (_header, width) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = freeze
    last = get_column_letter(max(len(headers), 1))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(n_rows, 1)}"
    ws.print_title_rows = title_rows
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _header_row(ws, headers, styles: _Styles) -> list:
    return [styles.cell(ws, h, "header") for h, _ in headers]


def write_timeline(
    batch: Batch,
    schedules: dict[str, MigrationSchedule],
    path: Path,
    *,
    today: dt.date,
    calendar: WorkingCalendar | None = None,
) -> Path:
    """Write the timeline workbook to ``path`` (``path/timeline.xlsx`` when ``path`` is a
    folder) atomically and return where it went: the admin's one view of the batch."""
    path = Path(path)
    if path.is_dir():
        path = path / "timeline.xlsx"
    calendar = calendar or WorkingCalendar()
    wb = Workbook(write_only=True)
    migrations = [m for m in batch.migrations if m.migration_id in schedules]
    _summary(wb, batch, migrations, schedules)
    _milestones(wb, batch, migrations, schedules, calendar)
    _gantt(wb, batch, migrations, schedules, calendar, today)
    _warnings(wb, batch, migrations, schedules)
    _bank_holidays(wb, migrations, schedules, calendar, today)
    _blackouts(wb, batch)
    atomic_save(path, wb.save)
    return path


def _practice_name(batch: Batch, m: Migration) -> str:
    practice = batch.practice_by_ods.get(m.ods_code)
    return practice.name if practice else ""


def _summary(wb, batch, migrations, schedules) -> None:
    headers = [
        ("Migration ID", 13), ("ICB", 7), ("ODS code", 10), ("Practice", 34),
        ("Current system", 22), ("New system", 22),
        *((label, 11.5) for _, label in KEY_DATES),
        ("Weeks order to go-live", 10), ("Status", 15), ("Warnings", 10), ("RAG", 8),
        ("Proposed dates (not in the workbook)", 34),
    ]  # fmt: skip
    ws = _sheet(wb, "Summary", headers, n_rows=len(migrations), freeze="E2")
    st = _Styles(ws)
    ws.row_dimensions[1].height = 45
    ws.append(_header_row(ws, headers, st))
    for m in migrations:
        sched = schedules[m.migration_id]
        practice = batch.practice_by_ods.get(m.ods_code)
        row = [
            st.cell(ws, m.migration_id),
            st.cell(ws, practice.icb_code if practice else ""),
            st.cell(ws, m.ods_code),
            st.cell(ws, practice.name if practice else ""),
            st.cell(ws, f"{m.current_system} ({m.current_supplier})"),
            st.cell(ws, f"{m.new_system} ({m.new_supplier})"),
        ]
        proposed = []
        for key, label in KEY_DATES:
            ms = sched.milestone(key)
            row.append(st.shared(ws, ms.start, "date" if ms.given else "date_proposed"))
            if not ms.given:
                proposed.append(label)
        status_rag = rag(sched, m.status)
        row += [
            sched.weeks_order_to_go_live,
            st.cell(ws, m.status),
            len(sched.warnings),
            st.cell(ws, status_rag, f"rag_{status_rag}"),
            st.cell(ws, ", ".join(proposed)),
        ]
        ws.append(row)


def _milestones(wb, batch, migrations, schedules, calendar: WorkingCalendar) -> None:
    headers = [
        ("Migration ID", 13), ("ODS code", 10), ("Practice", 30), ("Milestone", 32), ("Start", 11.5),
        ("End", 11.5), ("Working days since previous", 12), ("Owner", 26), ("Given or proposed", 12),
    ]  # fmt: skip
    n = len(migrations) * (len(next(iter(schedules.values())).milestones) if schedules else 0)
    ws = _sheet(wb, "Milestones", headers, n_rows=n, freeze="E2")
    st = _Styles(ws)
    ws.row_dimensions[1].height = 30
    ws.append(_header_row(ws, headers, st))
    between = calendar.working_days_between
    for m in migrations:
        name = _practice_name(batch, m)
        previous = None
        for ms in schedules[m.migration_id].milestones:
            date_style = "date" if ms.given else "date_proposed"
            ws.append(
                [
                    st.cell(ws, m.migration_id),
                    st.cell(ws, m.ods_code),
                    st.cell(ws, name),
                    ms.label,  # our own labels: plain values are faster than cells
                    st.shared(ws, ms.start, date_style),
                    st.shared(ws, ms.end, date_style),
                    None if previous is None else between(previous, ms.start),
                    ms.owner,
                    "Given" if ms.given else "Proposed",
                ]
            )
            previous = ms.start


def _monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _phases(sched: MigrationSchedule, calendar: WorkingCalendar, post_days: int) -> dict[str, tuple[dt.date, dt.date]]:
    """Each Gantt phase's first and last day for one migration."""
    d = sched.date
    go_live = d("go_live")
    return {
        "planned": (d("order_placed"), go_live),
        "post_go_live": (calendar.add_working_days(go_live, 1), calendar.add_working_days(go_live, max(post_days, 1))),
        "preparation": (d("order_placed"), d("kick_off")),
        "pre_migration": (d("kick_off"), sched.milestone("pre_migration_tasks").end),
        "extract_wait": (d("extract_request_sent"), d("idp")),
        "data_checking": (d("data_checking"), sched.milestone("data_sign_off").end),
        "cut_over": (d("fdp"), go_live),
        "go_live": (go_live, go_live),
    }


def _gantt(wb, batch, migrations, schedules, calendar: WorkingCalendar, today: dt.date) -> None:
    post_days = batch.settings.post_go_live_days
    phase_dates = {m.migration_id: _phases(schedules[m.migration_id], calendar, post_days) for m in migrations}
    notes = []
    if phase_dates:
        first = _monday(min(p["planned"][0] for p in phase_dates.values()))
        last = _monday(max(p["post_go_live"][1] for p in phase_dates.values()))
        # Bounded, so one mistyped year cannot make the sheet thousands of columns wide.
        start = max(first, _monday(today) - dt.timedelta(weeks=52))
        n_weeks = min((last - start).days // 7 + 1, MAX_GANTT_WEEKS)
        if start > first:
            notes.append(f"Weeks before {short_date(start)} are not shown.")
        if start + dt.timedelta(weeks=n_weeks) <= last:
            notes.append(f"Weeks after {short_date(start + dt.timedelta(weeks=n_weeks - 1))} are not shown.")
    else:
        start, n_weeks = _monday(today), 0
    weeks = [start + dt.timedelta(weeks=i) for i in range(n_weeks)]
    fixed = [("Migration ID", 13), ("ODS code", 10), ("Practice", 30), ("Go-live", 11.5)]
    headers = fixed + [("", 3.6)] * n_weeks
    ws = _sheet(wb, "Gantt", headers, n_rows=len(migrations) + 1, freeze="E4", header_row=2, title_rows="1:3")
    ws.print_title_cols = "A:D"
    st = _Styles(ws)
    ws.row_dimensions[2].height = 62

    # Row 1: the legend, a swatch then its label, every five columns from E.
    legend = [None, None, None, st.cell(ws, "Legend:", "bold")]
    items = [(f"phase_{key}", mark, label) for key, label, _c, mark in reversed(PHASES)] + [
        ("bh", "BH", "Bank holiday")
    ]
    for style, mark, label in items:
        legend += [st.cell(ws, mark or None, style), st.cell(ws, label), None, None, None]
    if notes:
        legend.append(st.cell(ws, " ".join(notes) + " See Milestones for every date.", "bold"))
    ws.append(legend)

    # Rows 2-3: Monday dates, and the weeks with a bank holiday.
    holiday_weeks = {
        _monday(d) for d, _ in calendar.bank_holidays(start.year, (start + dt.timedelta(weeks=n_weeks)).year)
    }
    ws.append(_header_row(ws, fixed, st) + [st.cell(ws, w, "week_bh" if w in holiday_weeks else "week") for w in weeks])
    ws.append(
        [None, None, st.cell(ws, "Bank holiday weeks", "bold"), None]
        + [st.cell(ws, "BH", "bh") if w in holiday_weeks else None for w in weeks]
    )

    for m in migrations:
        cells: list = [None] * n_weeks
        for key, _label, _colour, mark in PHASES:
            first_day, last_day = phase_dates[m.migration_id][key]
            lo = max((first_day - start).days // 7, 0)
            hi = min((last_day - start).days // 7, n_weeks - 1)
            for i in range(lo, hi + 1):
                cells[i] = (key, mark)
        row = [
            st.cell(ws, m.migration_id),
            st.cell(ws, m.ods_code),
            st.cell(ws, _practice_name(batch, m)),
            st.shared(ws, m.go_live, "date"),
        ]
        row += [None if c is None else st.shared(ws, c[1] or None, f"phase_{c[0]}") for c in cells]
        ws.append(row)


def _warnings(wb, batch, migrations, schedules) -> None:
    headers = [
        ("Migration ID", 13), ("ODS code", 10), ("Practice", 30), ("Workbook cell", 30), ("Code", 22),
        ("Warning", 70), ("Suggestion", 60),
    ]  # fmt: skip
    ordered = {m.migration_id: schedules[m.migration_id] for m in migrations}
    problems = warnings_as_problems(batch, ordered)
    n = len(problems)
    ws = _sheet(wb, "Warnings", headers, n_rows=n, freeze="D2")
    st = _Styles(ws)
    ws.append(_header_row(ws, headers, st))
    by_id = {m.migration_id: m for m in migrations}
    warnings = [w for sched in ordered.values() for w in sched.warnings]
    for w, problem in zip(warnings, problems, strict=True):
        m = by_id[w.migration_id]
        where = problem.cell + (f" ({problem.header})" if problem.header else "")
        ws.append(
            [
                st.cell(ws, m.migration_id),
                st.cell(ws, m.ods_code),
                st.cell(ws, _practice_name(batch, m)),
                st.cell(ws, where),
                w.code,
                st.cell(ws, w.message, "wrap"),
                st.cell(ws, w.suggestion, "wrap"),
            ]
        )


def _bank_holidays(wb, migrations, schedules, calendar: WorkingCalendar, today: dt.date) -> None:
    if migrations:
        years = [ms.start.year for m in migrations for ms in schedules[m.migration_id].milestones]
        first, last = min(years), max(years)
    else:
        first = last = today.year
    days = calendar.bank_holidays(first, last)
    headers = [("Date", 12), ("Day", 11), ("Bank holiday", 36)]
    ws = _sheet(wb, "Bank holidays", headers, n_rows=len(days), freeze="A2")
    st = _Styles(ws)
    ws.append(_header_row(ws, headers, st))
    for d, name in days:
        ws.append([st.cell(ws, d, "date"), st.cell(ws, day_name(d)), st.cell(ws, name)])


def _blackouts(wb, batch) -> None:
    headers = [("Start", 12), ("End", 12), ("Reason", 40), ("Scope", 12)]
    ws = _sheet(wb, "Blackouts", headers, n_rows=len(batch.blackouts), freeze="A2")
    st = _Styles(ws)
    ws.append(_header_row(ws, headers, st))
    for b in batch.blackouts:
        ws.append(
            [st.cell(ws, b.start, "date"), st.cell(ws, b.end, "date"), st.cell(ws, b.reason), st.cell(ws, b.scope)]
        )
