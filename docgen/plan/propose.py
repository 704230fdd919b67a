"""Proposed dates: every milestone of one migration, from the workbook or from go-live.

Nothing here reads a file or the clock: ``today`` and the calendar are passed in.
"Working days" are those of :class:`docgen.plan.calendar.WorkingCalendar`; durations come
from ``batch.settings`` (defaults in :class:`docgen.records.Settings`).

A date in the workbook always wins (``given=True``). A missing one is proposed
(``given=False``) as follows; every proposed date is a working day unless stated otherwise.

* Go-live: always given (a required column); everything else hangs off it or the order.
* Order placed: go-live minus ``default_weeks`` weeks, on or before that day.
* Business case approved: ``BUYING_DAYS`` (10) working days before the order (the guide's
  1 to 2 weeks of buying).
* Extract request sent: as early as possible, which is the order date, but never before
  today for a request not yet sent. When the status says it has gone (``Extract
  requested``, ``Kick-off held``, ``In progress``, ``Live``) or the migration is
  ``Cancelled``, the order date is shown instead, as the best guess.
* Kick-off: order plus ``kickoff_after_order_days`` working days.
* Technical survey: kick-off plus ``survey_after_kickoff_days`` working days.
* Pre-migration tasks: ``pre_migration_days`` working days from the day after the survey.
* IDP: extract request plus the notice, ``max(extract_allowance_days, the supplier's
  notice_days)`` working days (the current supplier's row on the Suppliers sheet).
* Data checking: ``data_checking_days`` working days from the day after the IDP;
  data sign-off: the next ``sign_off_days`` working days.
* FDP: go-live minus ``cut_over_days`` working days; third-party links off: FDP minus
  ``links_off_days`` working days; cut-over planning meeting: FDP minus
  ``cut_over_planning_weeks`` weeks, on or before that day.
* Legacy access ends: go-live plus ``legacy_access_days`` calendar days (not rounded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from docgen.plan.calendar import WorkingCalendar
from docgen.plan.milestones import CANCELLED, LABEL, LIVE, OWNER, SENT_STATUSES, Milestone, ScheduleWarning
from docgen.records import Batch, Blackout, Migration, Settings

#: Working days between business case approval and the order when neither is given.
BUYING_DAYS = 10

# Statuses compared without case or spaces around them, as typed in a cell.
_SENT = frozenset(s.casefold() for s in SENT_STATUSES)
_LIVE, _CANCELLED = LIVE.casefold(), CANCELLED.casefold()


def notice_days(batch: Batch, migration: Migration) -> int:
    """Working days the current supplier may take for the extract: the Settings allowance,
    or the supplier's own notice period when that is longer."""
    supplier = batch.supplier(migration.current_supplier, migration.current_system)
    own = supplier.notice_days if supplier and supplier.notice_days else 0
    return max(batch.settings.extract_allowance_days, own)


def blackouts_for(batch: Batch, migration: Migration) -> tuple[Blackout, ...]:
    """The blackouts that apply to a migration's practice (batch-wide ones if the practice
    is unknown), for the go-live checks."""
    practice = batch.practice_by_ods.get(migration.ods_code)
    if practice is not None:
        return batch.blackouts_for(practice)
    return tuple(b for b in batch.blackouts if b.scope.strip().upper() in ("", "ALL"))


@dataclass
class Plan:
    """One migration's milestones as they are worked out, and everything the checks
    (:mod:`docgen.plan.checks`) need beside them."""

    batch: Batch
    migration: Migration
    today: dt.date
    cal: WorkingCalendar
    notice: int
    blackouts: tuple[Blackout, ...]
    ms: dict[str, Milestone] = field(default_factory=dict)

    @property
    def s(self) -> Settings:
        return self.batch.settings

    def start(self, key: str) -> dt.date:
        return self.ms[key].start

    def end(self, key: str) -> dt.date:
        return self.ms[key].end

    def given(self, key: str) -> bool:
        return self.ms[key].given

    @property
    def status(self) -> str:
        return self.migration.status.strip().casefold()

    @property
    def live(self) -> bool:
        return self.status == _LIVE

    @property
    def cancelled(self) -> bool:
        return self.status == _CANCELLED

    @property
    def extract_sent(self) -> bool:
        given = self.migration.extract_request_date
        if given is not None:
            return given <= self.today
        return self.status in _SENT

    def warning(self, code: str, message: str, suggestion: str, dates, column: str) -> ScheduleWarning:
        return ScheduleWarning(self.migration.migration_id, code, message, suggestion, tuple(dates), column)


def plan_migration(batch: Batch, migration: Migration, today: dt.date, calendar: WorkingCalendar) -> Plan:
    """One migration's :class:`Plan` with every milestone given or proposed."""
    plan = Plan(batch, migration, today, calendar, notice_days(batch, migration), blackouts_for(batch, migration))
    _propose(plan)
    return plan


#: Milestones already made, by (key, start, end, given): see :func:`_milestone`.
_MADE: dict[tuple[str, dt.date, dt.date, bool], Milestone] = {}
_MAX_MADE = 50_000


def _milestone(key: str, start: dt.date, end: dt.date, given: bool) -> Milestone:
    """The milestone ``key`` on these dates, shared with every migration that has the same
    one: a frozen dataclass costs more to make (each field set through
    ``object.__setattr__``) than to look up, and a batch has 14 a migration but only a few
    hundred different ones (one go-live date fixes five of them)."""
    made = (key, start, end, given)
    milestone = _MADE.get(made)
    if milestone is None:
        if len(_MADE) >= _MAX_MADE:
            _MADE.clear()
        milestone = _MADE[made] = Milestone(key, LABEL[key], start, end, OWNER[key], given)
    return milestone


def _propose(p: Plan) -> None:
    m, s, cal = p.migration, p.s, p.cal

    def put(key: str, given: dt.date | None, proposed, days: int = 1) -> dt.date:
        start = given if given is not None else proposed()
        end = cal.add_working_days(start, days - 1) if days > 1 else start
        p.ms[key] = _milestone(key, start, end, given is not None)
        return start

    def after(d: dt.date, n: int) -> dt.date:
        return cal.add_working_days(d, max(n, 1))

    go_live = m.go_live
    order = put("order_placed", m.order_date, lambda: cal.on_or_before(go_live - dt.timedelta(weeks=s.default_weeks)))
    put("business_case_approved", m.business_case_approved, lambda: cal.add_working_days(order, -BUYING_DAYS))

    def propose_extract() -> dt.date:
        if p.status in _SENT or p.cancelled:
            return order
        return max(cal.on_or_after(order), cal.on_or_after(p.today))

    extract = put("extract_request_sent", m.extract_request_date, propose_extract)
    kick_off = put("kick_off", m.kickoff_date, lambda: after(order, s.kickoff_after_order_days))
    survey = put("technical_survey", m.survey_date, lambda: after(kick_off, s.survey_after_kickoff_days))
    put("pre_migration_tasks", None, lambda: after(survey, 1), s.pre_migration_days)
    idp = put("idp", m.idp_date, lambda: after(extract, p.notice))
    put("data_checking", None, lambda: after(idp, 1), s.data_checking_days)
    put("data_sign_off", None, lambda: after(p.end("data_checking"), 1), s.sign_off_days)
    chain = go_live_chain(cal, s, go_live)
    for key in ("cut_over_planning", "third_party_links_off", "fdp"):
        put(key, None, lambda key=key: chain[key])
    put("go_live", go_live, None)
    put("legacy_access_ends", None, lambda: go_live + dt.timedelta(days=s.legacy_access_days))


def go_live_chain(cal: WorkingCalendar, s: Settings, go_live: dt.date) -> dict[str, dt.date]:
    """The milestones hung off a go-live date: FDP, links off, cut-over planning."""
    fdp = cal.add_working_days(go_live, -max(s.cut_over_days, 1))
    return {
        "fdp": fdp,
        "third_party_links_off": cal.add_working_days(fdp, -max(s.links_off_days, 1)),
        "cut_over_planning": cal.on_or_before(fdp - dt.timedelta(weeks=s.cut_over_planning_weeks)),
        "go_live": go_live,
    }


def latest_request(
    idp: Milestone, fdp: dt.date, notice: int, settings: Settings, cal: WorkingCalendar
) -> tuple[dt.date, dt.date]:
    """(the IDP the plan needs, the last day the extract request can go for it): the given
    IDP, else the last IDP that still leaves data checking and sign-off before the FDP;
    the request ``notice`` working days before it. The schedule's checks and the stage of
    the extract request (:mod:`docgen.plan.stages`) both ask this."""
    needed = (
        idp.start
        if idp.given
        else cal.add_working_days(fdp, -(settings.data_checking_days + settings.sign_off_days + 1))
    )
    return needed, cal.add_working_days(needed, -notice)
