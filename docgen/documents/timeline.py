"""The timeline workbook: one file to steer the whole batch from.

Sheets: *Summary* (a row per migration with its key dates, RAG, next action and its due
date), *Actions* (the action list as at today: what is due, overdue first, then what comes
next; see :mod:`docgen.plan.stages`), *Milestones* (a row per milestone), *Gantt* (weeks
across), *Warnings*, *Bank holidays* and *Blackouts*.
Written with :mod:`docgen.formats.xlsx_writer` (rows go straight to XML, a million cells in about
a second; openpyxl took a minute for the whole country); styles are registered once per
workbook and cells refer to them by id. Input text is always written as text, never a
formula, and the same input gives the same bytes.

**RAG** is :func:`docgen.plan.rag.rag` (the dashboard counts the same colours): Red, a
warning that the migration cannot keep its go-live as planned; Amber, any other warning;
Green, none; Grey, cancelled.

**Gantt phases** (a week takes the most urgent phase it touches, in this order): go-live
week, cut-over (FDP to go-live), data checking and sign-off, extract wait (request to
IDP), pre-migration (kick-off to the end of pre-migration tasks), preparation (order to
kick-off), post go-live support (``post_go_live_days`` working days), other planned weeks
between order and go-live. The weeks shown start at the earliest order (but no more than
a year before today) and stop after :data:`MAX_GANTT_WEEKS` weeks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docgen.documents.timeline_style import (
    PHASES,
    Styles,
    header_row,
    new_sheet,
)
from docgen.formats.files import atomic_save
from docgen.formats.xlsx_writer import Workbook
from docgen.plan.actions import Action
from docgen.plan.as_problems import warnings_as_problems
from docgen.plan.calendar import WorkingCalendar
from docgen.plan.milestones import MigrationSchedule
from docgen.plan.rag import rag
from docgen.plan.stages import MigrationStage, action_list, stage_batch
from docgen.plan.wording import day_name, short_date
from docgen.records import Batch, Migration

SHEET_NAMES = ("Summary", "Actions", "Milestones", "Gantt", "Warnings", "Bank holidays", "Blackouts")
MAX_GANTT_WEEKS = 156

#: Summary's key dates: (milestone key, header).
KEY_DATES = (
    ("order_placed", "Order"),
    ("extract_request_sent", "Extract request"),
    ("kick_off", "Kick-off"),
    ("idp", "IDP"),
    ("fdp", "FDP"),
    ("go_live", "Go-live"),
)


def write_timeline(
    batch: Batch,
    schedules: dict[str, MigrationSchedule],
    path: Path,
    *,
    today: dt.date,
    calendar: WorkingCalendar | None = None,
    stages: dict[str, MigrationStage] | None = None,
) -> Path:
    """Write the timeline workbook to ``path`` (``path/timeline.xlsx`` when ``path`` is a
    folder) atomically and return where it went: the admin's one view of the batch.
    The same input gives the same bytes, so a rerun leaves the manifest's hash unchanged."""
    path = Path(path)
    if path.is_dir():
        path = path / "timeline.xlsx"
    data = timeline_bytes(batch, schedules, today=today, calendar=calendar, stages=stages)
    atomic_save(path, lambda tmp: Path(tmp).write_bytes(data))
    return path


def timeline_bytes(
    batch: Batch,
    schedules: dict[str, MigrationSchedule],
    *,
    today: dt.date,
    calendar: WorkingCalendar | None = None,
    stages: dict[str, MigrationStage] | None = None,
) -> bytes:
    """The timeline workbook as .xlsx bytes (see :func:`write_timeline`); ``stages`` are
    the migrations' stages on ``today`` (worked out here when not given)."""
    calendar = calendar or WorkingCalendar()
    if stages is None:
        stages = stage_batch(batch, schedules, today=today, calendar=calendar)
    wb = Workbook()
    st = Styles(wb)
    migrations = [m for m in batch.migrations if m.migration_id in schedules]
    actions = action_list({m.migration_id: stages[m.migration_id] for m in migrations}, today)
    _summary(wb, st, batch, migrations, schedules, _next_actions(actions))
    _actions(wb, st, batch, actions, today)
    _milestones(wb, st, batch, migrations, schedules, calendar)
    _gantt(wb, st, batch, migrations, schedules, calendar, today)
    _warnings(wb, st, batch, migrations, schedules)
    _bank_holidays(wb, st, migrations, schedules, calendar, today)
    _blackouts(wb, st, batch)
    return wb.to_bytes()


def _practice_name(batch: Batch, m: Migration) -> str:
    practice = batch.practice_by_ods.get(m.ods_code)
    return practice.name if practice else ""


def _next_actions(actions: list[Action]) -> dict[str, Action]:
    """Each migration's first action in the list's order: its most urgent."""
    first: dict[str, Action] = {}
    for a in actions:
        first.setdefault(a.migration_id, a)
    return first


def _summary(wb: Workbook, st: Styles, batch, migrations, schedules, next_actions: dict[str, Action]) -> None:
    headers = [
        ("Migration ID", 13), ("ICB", 7), ("ODS code", 10), ("Practice", 34),
        ("Current system", 22), ("New system", 22),
        *((label, 11.5) for _, label in KEY_DATES),
        ("Weeks order to go-live", 10), ("Status", 15), ("Warnings", 10), ("RAG", 8),
        ("Next action", 40), ("Due", 11.5),
        ("Proposed dates (not in the workbook)", 34),
    ]  # fmt: skip
    ws = new_sheet(wb, "Summary", headers, n_rows=len(migrations), freeze="E2")
    ws.append(header_row(headers, st), height=45)
    given, proposed_style = st("date"), st("date_proposed")
    for m in migrations:
        sched = schedules[m.migration_id]
        practice = batch.practice_by_ods.get(m.ods_code)
        row: list = [
            m.migration_id,
            practice.icb_code if practice else "",
            m.ods_code,
            practice.name if practice else "",
            f"{m.current_system} ({m.current_supplier})",
            f"{m.new_system} ({m.new_supplier})",
        ]
        proposed = []
        for key, label in KEY_DATES:
            ms = sched.milestone(key)
            row.append((ms.start, given if ms.given else proposed_style))
            if not ms.given:
                proposed.append(label)
        status_rag = rag(sched, m.status)
        action = next_actions.get(m.migration_id)
        row += [
            sched.weeks_order_to_go_live,
            m.status,
            len(sched.warnings),
            (status_rag, st(f"rag_{status_rag}")),
            (_action_text(action), st("wrap")) if action else "",
            (action.due, given) if action and action.due else None,
            ", ".join(proposed),
        ]
        ws.append(row)


def _action_text(action: Action) -> str:
    """The action as one cell reads it: upcoming ones say so, blocked ones say what to fix."""
    text = f"Next: {action.action}" if action.upcoming else action.action
    return f"{text}. First: {action.blocker}" if action.blocker else text


def _actions(wb: Workbook, st: Styles, batch, actions: list[Action], today: dt.date) -> None:
    headers = [
        ("Due", 11.5), ("Days overdue", 9), ("Migration ID", 13), ("ODS code", 10), ("Practice", 30),
        ("Stage", 15), ("Action", 50), ("Owner", 24), ("Name", 20), ("Due or coming up", 11),
        ("Fix first", 50),
    ]  # fmt: skip
    ws = new_sheet(wb, "Actions", headers, n_rows=len(actions), freeze="C3", header_row=2, title_rows="1:2")
    ws.append([(f"Actions as at {day_name(today)} {short_date(today)}", st("title"))], height=22)
    ws.append(header_row(headers, st), height=30)
    date, wrap, overdue = st("date"), st("wrap"), st("overdue")
    names = {m.migration_id: _practice_name(batch, m) for m in batch.migrations}
    for a in actions:
        late = a.days_overdue(today) if not a.upcoming else 0
        ws.append(
            [
                (a.due, date) if a.due else None,
                (late, overdue) if late else None,
                a.migration_id,
                a.ods_code,
                names[a.migration_id],
                a.stage,
                (a.action, wrap),
                a.role,
                a.name,
                "Coming up" if a.upcoming else "Due",
                (a.blocker, wrap) if a.blocker else "",
            ]
        )


def _milestones(wb: Workbook, st: Styles, batch, migrations, schedules, calendar: WorkingCalendar) -> None:
    headers = [
        ("Migration ID", 13), ("ODS code", 10), ("Practice", 30), ("Milestone", 32), ("Start", 11.5),
        ("End", 11.5), ("Working days since previous", 12), ("Owner", 26), ("Given or proposed", 12),
    ]  # fmt: skip
    n = len(migrations) * (len(next(iter(schedules.values())).milestones) if schedules else 0)
    ws = new_sheet(wb, "Milestones", headers, n_rows=n, freeze="E2")
    ws.append(header_row(headers, st), height=30)
    between = calendar.working_days_between
    given, proposed = st("date"), st("date_proposed")
    append = ws.append  # the biggest sheet (14 rows a migration): keep the loop lean
    for m in migrations:
        name = _practice_name(batch, m)
        previous = None
        for ms in schedules[m.migration_id].milestones:
            style = given if ms.given else proposed
            append(
                [
                    m.migration_id,
                    m.ods_code,
                    name,
                    ms.label,
                    (ms.start, style),
                    (ms.end, style),
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


def _gantt(wb: Workbook, st: Styles, batch, migrations, schedules, calendar: WorkingCalendar, today: dt.date) -> None:
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
    # The header sits right above the migrations, so its filter sorts and filters only them.
    ws = new_sheet(wb, "Gantt", headers, n_rows=len(migrations), freeze="E4", header_row=3, title_rows="1:3",
                title_cols="A:D")  # fmt: skip

    # Row 1: the legend, a swatch then its label, every five columns from E.
    legend: list = [None, None, None, ("Legend:", st("bold"))]
    items = [(f"phase_{key}", mark, label) for key, label, _c, mark in reversed(PHASES)] + [
        ("bh", "BH", "Bank holiday")
    ]
    for style, mark, label in items:
        legend += [(mark or None, st(style)), label, None, None, None]
    if notes:
        legend.append((" ".join(notes) + " See Milestones for every date.", st("bold")))
    ws.append(legend)

    # Rows 2-3: the weeks with a bank holiday, then the header with the Monday dates.
    holiday_weeks = {
        _monday(d) for d, _ in calendar.bank_holidays(start.year, (start + dt.timedelta(weeks=n_weeks)).year)
    }
    ws.append(
        [None, None, ("Bank holiday weeks", st("bold")), None]
        + [("BH", st("bh")) if w in holiday_weeks else None for w in weeks]
    )
    ws.append(
        header_row(fixed, st) + [(w, st("week_bh") if w in holiday_weeks else st("week")) for w in weeks], height=62
    )

    # Each phase's cell, made once: the rows share them (a week holds one phase).
    phase_cells = {key: (mark or None, st(f"phase_{key}")) for key, _label, _colour, mark in PHASES}
    date_style = st("date")
    for m in migrations:
        cells: list = [None] * n_weeks
        for key, _label, _colour, _mark in PHASES:
            first_day, last_day = phase_dates[m.migration_id][key]
            lo = max((first_day - start).days // 7, 0)
            hi = min((last_day - start).days // 7, n_weeks - 1)
            if lo <= hi:
                cells[lo : hi + 1] = [phase_cells[key]] * (hi + 1 - lo)
        ws.append([m.migration_id, m.ods_code, _practice_name(batch, m), (m.go_live, date_style), *cells])


def _warnings(wb: Workbook, st: Styles, batch, migrations, schedules) -> None:
    headers = [
        ("Migration ID", 13), ("ODS code", 10), ("Practice", 30), ("Workbook cell", 30), ("Code", 22),
        ("Warning", 70), ("Suggestion", 60),
    ]  # fmt: skip
    ordered = {m.migration_id: schedules[m.migration_id] for m in migrations}
    problems = warnings_as_problems(batch, ordered)
    ws = new_sheet(wb, "Warnings", headers, n_rows=len(problems), freeze="D2")
    ws.append(header_row(headers, st))
    by_id = {m.migration_id: m for m in migrations}
    warnings = [w for sched in ordered.values() for w in sched.warnings]
    wrap = st("wrap")
    for w, problem in zip(warnings, problems, strict=True):
        m = by_id[w.migration_id]
        where = problem.cell + (f" ({problem.header})" if problem.header else "")
        ws.append(
            [
                m.migration_id,
                m.ods_code,
                _practice_name(batch, m),
                where,
                w.code,
                (w.message, wrap),
                (w.suggestion, wrap),
            ]
        )


def _bank_holidays(wb: Workbook, st: Styles, migrations, schedules, calendar: WorkingCalendar, today: dt.date) -> None:
    if migrations:
        years = [ms.start.year for m in migrations for ms in schedules[m.migration_id].milestones]
        first, last = min(years), max(years)
    else:
        first = last = today.year
    days = calendar.bank_holidays(first, last)
    headers = [("Date", 12), ("Day", 11), ("Bank holiday", 36)]
    ws = new_sheet(wb, "Bank holidays", headers, n_rows=len(days), freeze="A2")
    ws.append(header_row(headers, st))
    for d, name in days:
        ws.append([(d, st("date")), day_name(d), name])


def _blackouts(wb: Workbook, st: Styles, batch) -> None:
    headers = [("Start", 12), ("End", 12), ("Reason", 40), ("Scope", 12)]
    ws = new_sheet(wb, "Blackouts", headers, n_rows=len(batch.blackouts), freeze="A2")
    ws.append(header_row(headers, st))
    for b in batch.blackouts:
        ws.append([(b.start, st("date")), (b.end, st("date")), b.reason, b.scope])
