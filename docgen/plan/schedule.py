"""Pure date logic: a migration's milestones and the warnings about them.

Nothing here reads a file or the clock: ``today`` and the calendar are passed in.
"Working days" are those of :class:`docgen.plan.calendar.WorkingCalendar`; durations come
from ``batch.settings`` (defaults in :class:`docgen.records.Settings`).

**Proposed dates.** A date in the workbook always wins (``given=True``). A missing one
is proposed (``given=False``) as follows; every proposed date is a working day unless
stated otherwise.

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

**Checks** (one :class:`ScheduleWarning` each, with the dates and a concrete suggestion):

* ``go_live_past``: go-live before today while the status is not Live. It replaces every
  other check of that migration: the plan needs a new date before anything else means much.
* ``extract_late``: the request is not yet sent (no date, or a date after today, unless
  the status says it went without a date) and the latest day it can go, the IDP needed
  (the given IDP, else the last IDP that leaves data checking and sign-off before FDP)
  minus the notice, is before today, or before the planned request date.
* ``idp_notice``: a given IDP fewer than the notice working days after the extract request
  (skipped when ``extract_late`` already said so).
* ``go_live_weekend`` / ``go_live_bank_holiday`` / ``go_live_blackout``: one warning naming
  every reason; the code is the blackout's when there is one, then the bank holiday's.
  The suggestion is the nearest acceptable day (later on a tie).
* ``order_to_go_live_short`` / ``order_to_go_live_long``: outside ``min_weeks..max_weeks``.
* ``survey_before_kickoff``: the technical survey before the kick-off.
* ``out_of_order``: the dependencies in :data:`ORDER_RULES` (the guide's order where it
  matters; e.g. an IDP during pre-migration tasks is fine). Pairs about the IDP chain are
  skipped when ``extract_late`` or ``idp_notice`` already covered them.
* ``live_before_go_live``: status Live with a go-live after today.

Cancelled migrations get no checks; Live ones only ``live_before_go_live``; On hold and the
other statuses get all of them (an on-hold plan still needs honest dates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from docgen.formats import formatting
from docgen.plan.calendar import WorkingCalendar
from docgen.problems import WARNING, Problem
from docgen.records import Batch, Blackout, Migration
from docgen.workbook import schema

#: Milestone keys in the order the guide runs them, with their label and owner role.
MILESTONES: tuple[tuple[str, str, str], ...] = (
    ("business_case_approved", "Business case approved", "ICB lead"),
    ("order_placed", "Order placed", "ICB lead"),
    ("extract_request_sent", "Data extract request sent", "ICB lead"),
    ("kick_off", "Kick-off meeting", "Migration project manager"),
    ("technical_survey", "Technical survey", "IT delivery partner"),
    ("pre_migration_tasks", "Pre-migration tasks", "Practice manager"),
    ("idp", "Initial data production (IDP)", "Current supplier"),
    ("data_checking", "Data checking", "Practice manager"),
    ("data_sign_off", "Data sign-off", "Lead GP"),
    ("cut_over_planning", "Cut-over planning meeting", "Migration project manager"),
    ("third_party_links_off", "Third-party links off", "IT delivery partner"),
    ("fdp", "Final data production (FDP)", "Current supplier"),
    ("go_live", "Go-live", "New supplier"),
    ("legacy_access_ends", "Old system read-only access ends", "Practice manager"),
)

_LABEL = {key: label for key, label, _ in MILESTONES}
_OWNER = {key: owner for key, _, owner in MILESTONES}
_KEYS = tuple(key for key, _, _ in MILESTONES)

#: Working days between business case approval and the order when neither is given.
BUYING_DAYS = 10

LIVE = "Live"
CANCELLED = "Cancelled"
#: Statuses that mean the data extract request has been sent.
SENT_STATUSES = frozenset({"Extract requested", "Kick-off held", "In progress", LIVE})

# Warning codes.
GO_LIVE_PAST = "go_live_past"
EXTRACT_LATE = "extract_late"
IDP_NOTICE = "idp_notice"
GO_LIVE_WEEKEND = "go_live_weekend"
GO_LIVE_BANK_HOLIDAY = "go_live_bank_holiday"
GO_LIVE_BLACKOUT = "go_live_blackout"
ORDER_TOO_SHORT = "order_to_go_live_short"
ORDER_TOO_LONG = "order_to_go_live_long"
SURVEY_BEFORE_KICKOFF = "survey_before_kickoff"
OUT_OF_ORDER = "out_of_order"
LIVE_BEFORE_GO_LIVE = "live_before_go_live"

#: The Migrations column each milestone's date comes from (when given) or hangs off
#: (when proposed), so a warning can point at the cell to change.
SOURCE_COLUMN: dict[str, str] = {
    "business_case_approved": "business_case_approved",
    "order_placed": "order_date",
    "extract_request_sent": "extract_request_date",
    "kick_off": "kickoff_date",
    "technical_survey": "survey_date",
    "pre_migration_tasks": "survey_date",
    "idp": "idp_date",
    "data_checking": "idp_date",
    "data_sign_off": "idp_date",
    "cut_over_planning": "go_live",
    "third_party_links_off": "go_live",
    "fdp": "go_live",
    "go_live": "go_live",
    "legacy_access_ends": "go_live",
}

# Statuses compared without case or spaces around them, as typed in a cell.
_SENT = frozenset(s.casefold() for s in SENT_STATUSES)
_LIVE, _CANCELLED = LIVE.casefold(), CANCELLED.casefold()

_FROM_GO_LIVE = frozenset(k for k, col in SOURCE_COLUMN.items() if col == "go_live")

#: ``(earlier, later, strict)``: ``later`` must not start before ``earlier`` starts, or
#: with ``strict`` must start after ``earlier`` ends. Survey after kick-off and IDP after
#: the request have checks of their own; the go-live chain is built in order.
ORDER_RULES: tuple[tuple[str, str, bool], ...] = (
    ("business_case_approved", "order_placed", False),
    ("order_placed", "extract_request_sent", False),
    ("order_placed", "kick_off", False),
    ("kick_off", "cut_over_planning", False),
    ("pre_migration_tasks", "fdp", True),
    ("data_sign_off", "fdp", True),
)

#: How a milestone's date is named in a message: "the IDP date 3 March 2026".
_NOUN = {
    "business_case_approved": "business case approval date",
    "order_placed": "order date",
    "extract_request_sent": "extract request date",
    "kick_off": "kick-off date",
    "technical_survey": "technical survey date",
    "idp": "IDP date",
}

_IDP_CHAIN = frozenset({"extract_request_sent", "idp", "data_checking", "data_sign_off"})


def long_date(d: dt.date) -> str:
    """``31 March 2026``: how dates read in a warning (British English, as in the letters)."""
    return formatting.longdate(d)


def day_name(d: dt.date) -> str:
    """``Monday``: the weekday in British English whatever the machine's locale."""
    return formatting.daydate(d).split(" ", 1)[0]


def short_date(d: dt.date) -> str:
    """``31/03/2026``: how ranges read in a warning, the way Excel shows the cell."""
    return formatting.shortdate(d)


@dataclass(frozen=True)
class Milestone:
    """One step of a migration: ``start``..``end`` (the same day for one-day steps),
    who owns it, and whether the date came from the workbook (``given``) or was
    proposed from the Settings durations."""

    key: str
    label: str
    start: dt.date
    end: dt.date
    owner: str
    given: bool


@dataclass(frozen=True)
class ScheduleWarning:
    """A risk in a migration's dates, with the dates involved and a suggested fix.

    ``column`` is the Migrations column key (see :mod:`docgen.workbook.schema`) the warning is
    about, so ``validate`` can point at the cell.
    """

    migration_id: str
    code: str
    message: str
    suggestion: str
    dates: tuple[dt.date, ...] = ()
    column: str | None = None


@dataclass(frozen=True)
class MigrationSchedule:
    """All milestones of one migration, in order, and the warnings about them."""

    migration_id: str
    milestones: tuple[Milestone, ...]
    warnings: tuple[ScheduleWarning, ...] = ()
    notice_days: int = 15

    def milestone(self, key: str) -> Milestone:
        """The milestone ``key`` (one of :data:`MILESTONES`); ``KeyError`` if unknown."""
        for m in self.milestones:
            if m.key == key:
                return m
        raise KeyError(key)

    def date(self, key: str) -> dt.date:
        """The (start) date of milestone ``key``."""
        return self.milestone(key).start

    @property
    def weeks_order_to_go_live(self) -> float:
        """Weeks from the order to go-live, one decimal: the guide plans 12 to 16."""
        return round((self.date("go_live") - self.date("order_placed")).days / 7, 1)


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
class _Plan:
    """Everything the checks need about one migration."""

    batch: Batch
    migration: Migration
    today: dt.date
    cal: WorkingCalendar
    notice: int
    blackouts: tuple[Blackout, ...]
    ms: dict[str, Milestone] = field(default_factory=dict)

    @property
    def s(self):
        return self.batch.settings

    def start(self, key: str) -> dt.date:
        return self.ms[key].start

    def end(self, key: str) -> dt.date:
        return self.ms[key].end

    def given(self, key: str) -> bool:
        return self.ms[key].given

    def named(self, key: str) -> str:
        """``the IDP date 3 March 2026`` or ``the proposed IDP date 3 March 2026``."""
        return f"the {'' if self.given(key) else 'proposed '}{_NOUN[key]} {long_date(self.start(key))}"

    @property
    def status(self) -> str:
        return self.migration.status.strip().casefold()

    @property
    def extract_sent(self) -> bool:
        given = self.migration.extract_request_date
        if given is not None:
            return given <= self.today
        return self.status in _SENT

    def warning(self, code: str, message: str, suggestion: str, dates, column: str) -> ScheduleWarning:
        return ScheduleWarning(self.migration.migration_id, code, message, suggestion, tuple(dates), column)


def schedule_migration(
    batch: Batch, migration: Migration, today: dt.date, calendar: WorkingCalendar
) -> MigrationSchedule:
    """Every milestone of one migration (given or proposed) and the warnings about its dates."""
    plan = _Plan(batch, migration, today, calendar, notice_days(batch, migration), blackouts_for(batch, migration))
    _propose(plan)
    milestones = tuple([plan.ms[key] for key in _KEYS])
    return MigrationSchedule(migration.migration_id, milestones, tuple(_check(plan)), plan.notice)


def schedule_batch(
    batch: Batch, today: dt.date, calendar: WorkingCalendar | None = None
) -> dict[str, MigrationSchedule]:
    """Each migration's schedule keyed by migration id, in batch order, for validate,
    the letters and the timeline."""
    calendar = calendar or WorkingCalendar()
    return {m.migration_id: schedule_migration(batch, m, today, calendar) for m in batch.migrations}


# -- proposing dates ----------------------------------------------------------------------


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
        milestone = _MADE[made] = Milestone(key, _LABEL[key], start, end, _OWNER[key], given)
    return milestone


def _propose(p: _Plan) -> None:
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
        if p.status in _SENT or p.status == _CANCELLED:
            return order
        return max(cal.on_or_after(order), cal.on_or_after(p.today))

    extract = put("extract_request_sent", m.extract_request_date, propose_extract)
    kick_off = put("kick_off", m.kickoff_date, lambda: after(order, s.kickoff_after_order_days))
    survey = put("technical_survey", m.survey_date, lambda: after(kick_off, s.survey_after_kickoff_days))
    put("pre_migration_tasks", None, lambda: after(survey, 1), s.pre_migration_days)
    idp = put("idp", m.idp_date, lambda: after(extract, p.notice))
    put("data_checking", None, lambda: after(idp, 1), s.data_checking_days)
    put("data_sign_off", None, lambda: after(p.end("data_checking"), 1), s.sign_off_days)
    chain = _go_live_chain(cal, s, go_live)
    for key in ("cut_over_planning", "third_party_links_off", "fdp"):
        put(key, None, lambda key=key: chain[key])
    put("go_live", go_live, None)
    put("legacy_access_ends", None, lambda: go_live + dt.timedelta(days=s.legacy_access_days))


def _go_live_chain(cal: WorkingCalendar, s, go_live: dt.date) -> dict[str, dt.date]:
    """The milestones hung off a go-live date: FDP, links off, cut-over planning."""
    fdp = cal.add_working_days(go_live, -max(s.cut_over_days, 1))
    return {
        "fdp": fdp,
        "third_party_links_off": cal.add_working_days(fdp, -max(s.links_off_days, 1)),
        "cut_over_planning": cal.on_or_before(fdp - dt.timedelta(weeks=s.cut_over_planning_weeks)),
        "go_live": go_live,
    }


# -- checks -------------------------------------------------------------------------------


def _check(p: _Plan) -> list[ScheduleWarning]:
    status = p.status
    if status == _CANCELLED:
        return []
    if status == _LIVE:
        return _live_before_go_live(p)
    past = _go_live_past(p)
    if past:
        return past
    idp_chain = _extract_late(p) or _idp_notice(p)
    return [
        *idp_chain,
        *_go_live_day(p),
        *_order_weeks(p),
        *_survey_before_kickoff(p),
        *_out_of_order(p, skip_idp_chain=bool(idp_chain)),
    ]


def _earliest_go_live(p: _Plan, request: dt.date | None) -> dt.date | None:
    """The earliest acceptable go-live from today: IDP after the notice (from ``request``,
    or the known IDP when the request has gone), data checking and sign-off before FDP,
    the cut-over planning meeting not in the past, and at least ``min_weeks`` after the order."""
    cal, s, today = p.cal, p.s, _first_day(p)
    idp = cal.add_working_days(request, p.notice) if request is not None else max(p.start("idp"), today)
    fdp = cal.add_working_days(idp, s.data_checking_days + s.sign_off_days + 1)
    fdp = max(fdp, cal.on_or_after(today + dt.timedelta(weeks=s.cut_over_planning_weeks)))
    go_live = cal.add_working_days(fdp, max(s.cut_over_days, 1))
    go_live = max(go_live, p.start("order_placed") + dt.timedelta(weeks=s.min_weeks))
    return cal.next_acceptable_go_live(go_live, p.blackouts)


def _first_day(p: _Plan) -> dt.date:
    """Today rolled to a working day: the first day anything can happen."""
    return p.cal.on_or_after(p.today)


def _or_check(d: dt.date | None, what: str) -> str:
    if d is None:
        return f"no acceptable {what} within two years: check the Blackouts sheet"
    return long_date(d)


def _live_before_go_live(p: _Plan) -> list[ScheduleWarning]:
    go_live = p.migration.go_live
    if go_live <= p.today:
        return []
    return [
        p.warning(
            LIVE_BEFORE_GO_LIVE,
            f'The status is "Live" but the go-live date {long_date(go_live)} is after today ({long_date(p.today)}).',
            f"Enter the day the practice went live (on or before {long_date(p.today)}), or correct the status.",
            (go_live, p.today),
            "go_live",
        )
    ]


def _go_live_past(p: _Plan) -> list[ScheduleWarning]:
    go_live = p.migration.go_live
    if go_live >= p.today:
        return []
    earliest = _earliest_go_live(p, None if p.extract_sent else _first_day(p))
    return [
        p.warning(
            GO_LIVE_PAST,
            f"The go-live date {long_date(go_live)} is in the past (today is {long_date(p.today)}) "
            f'but the status is "{p.migration.status}".',
            f"If the practice has gone live, set the status to Live; otherwise agree a new go-live date: "
            f"{_or_check(earliest, 'go-live day')} is the earliest that fits.",
            (go_live, p.today) + ((earliest,) if earliest else ()),
            "go_live",
        )
    ]


def _latest_idp(p: _Plan) -> dt.date:
    """The last IDP that still leaves data checking and sign-off before the FDP."""
    s = p.s
    return p.cal.add_working_days(p.start("fdp"), -(s.data_checking_days + s.sign_off_days + 1))


def _extract_late(p: _Plan) -> list[ScheduleWarning]:
    if p.extract_sent:
        return []
    idp_given = p.given("idp")
    needed_idp = p.start("idp") if idp_given else _latest_idp(p)
    latest = p.cal.add_working_days(needed_idp, -p.notice)
    planned = p.migration.extract_request_date
    go_live = p.migration.go_live
    if latest < p.today:
        idp_text = _idp_text(needed_idp, idp_given)
        earliest = _earliest_go_live(p, _first_day(p))
        return [
            p.warning(
                EXTRACT_LATE,
                f"The data extract request has not been sent and is already late for go-live on "
                f"{long_date(go_live)}: with {p.notice} working days' notice it had to be sent by "
                f"{long_date(latest)} for {idp_text}.",
                f"Send the request now and move go-live to {_or_check(earliest, 'go-live day')} or later "
                f"(the earliest that leaves the notice, data checking and sign-off before FDP).",
                (latest, needed_idp, go_live) + ((earliest,) if earliest else ()),
                "extract_request_date",
            )
        ]
    if planned is not None and planned > latest:
        idp_text = _idp_text(needed_idp, idp_given)
        return [
            p.warning(
                EXTRACT_LATE,
                f"The extract request date {long_date(planned)} is too late for go-live on {long_date(go_live)}: "
                f"with {p.notice} working days' notice it must be sent by {long_date(latest)} for {idp_text}.",
                f"Send the request by {long_date(latest)}.",
                (planned, latest, needed_idp, go_live),
                "extract_request_date",
            )
        ]
    return []


def _idp_text(needed_idp: dt.date, given: bool) -> str:
    """How :func:`_extract_late` names the IDP the request is for (made only for a warning)."""
    return f"the IDP date {long_date(needed_idp)}" if given else f"an IDP by {long_date(needed_idp)}"


def _idp_notice(p: _Plan) -> list[ScheduleWarning]:
    if not p.given("idp"):
        return []
    idp, extract = p.start("idp"), p.start("extract_request_sent")
    days = p.cal.working_days_between(extract, idp)
    if days >= p.notice:
        return []
    m = p.migration
    gap = f"is only {days} working day{'s' if days != 1 else ''} after" if days > 0 else "is not after"
    supplier = f"{m.current_supplier} ({m.current_system})"
    suggestion = f"Move the IDP date to {long_date(p.cal.add_working_days(extract, p.notice))} or later"
    latest = p.cal.add_working_days(idp, -p.notice)
    if not p.extract_sent and latest >= p.today:
        suggestion += f", or send the extract request by {long_date(latest)}"
    return [
        p.warning(
            IDP_NOTICE,
            f"The IDP date {long_date(idp)} {gap} {p.named('extract_request_sent')}; "
            f"{supplier} may take up to {p.notice} working days.",
            suggestion + ".",
            (idp, extract),
            "idp_date",
        )
    ]


def _go_live_day(p: _Plan) -> list[ScheduleWarning]:
    go_live, cal = p.migration.go_live, p.cal
    reasons: list[str] = []
    code = None
    if go_live.weekday() >= 5:
        reasons.append("on a weekend")
        code = GO_LIVE_WEEKEND
    elif cal.is_bank_holiday(go_live):
        reasons.append(f"a bank holiday ({cal.holiday_name(go_live)})")
        code = GO_LIVE_BANK_HOLIDAY
    blackout = cal.blackout_on(go_live, p.blackouts)
    if blackout is not None:
        reasons.append(
            f'in the blackout "{blackout.reason}" ({short_date(blackout.start)} to {short_date(blackout.end)})'
        )
        code = GO_LIVE_BLACKOUT
    if code is None:
        return []
    nearest = cal.nearest_acceptable_go_live(go_live, p.blackouts)
    if nearest is None:
        suggestion = "No working day within two years is clear of the blackouts: check the Blackouts sheet."
    else:
        outside = f' and outside "{blackout.reason}"' if blackout else ""
        suggestion = (
            f"Move go-live to {day_name(nearest)} {long_date(nearest)}, "
            f"the nearest working day clear of bank holidays and blackouts{outside}."
        )
    return [
        p.warning(
            code,
            f"The go-live date {day_name(go_live)} {long_date(go_live)} is {' and '.join(reasons)}.",
            suggestion,
            (go_live,) + ((nearest,) if nearest else ()),
            "go_live",
        )
    ]


def _order_weeks(p: _Plan) -> list[ScheduleWarning]:
    s, cal = p.s, p.cal
    order, go_live = p.start("order_placed"), p.migration.go_live
    weeks = (go_live - order).days / 7
    if s.min_weeks <= weeks <= s.max_weeks:
        return []  # the usual case: no message to write
    span = (
        f"It is {weeks:.1f} weeks from {p.named('order_placed')} to go-live on {long_date(go_live)}; "
        f"plan for {s.min_weeks} to {s.max_weeks} weeks."
    )
    if weeks < s.min_weeks:
        target = cal.next_acceptable_go_live(order + dt.timedelta(weeks=s.min_weeks), p.blackouts)
        return [
            p.warning(
                ORDER_TOO_SHORT,
                span,
                f"Move go-live to {_or_check(target, 'go-live day')} or later ({s.min_weeks} weeks after the order).",
                (order, go_live) + ((target,) if target else ()),
                "go_live",
            )
        ]
    if weeks > s.max_weeks:
        if p.given("order_placed") and order <= p.today:
            target = cal.previous_acceptable_go_live(order + dt.timedelta(weeks=s.max_weeks), p.blackouts)
            suggestion = (
                f"Bring go-live forward to {_or_check(target, 'go-live day')} or earlier "
                f"({s.max_weeks} weeks after the order)."
            )
            column = "go_live"
        else:
            target = cal.on_or_after(go_live - dt.timedelta(weeks=s.max_weeks))
            suggestion = f"Place the order on or after {long_date(target)} ({s.max_weeks} weeks before go-live)."
            column = "order_date"
        return [p.warning(ORDER_TOO_LONG, span, suggestion, (order, go_live) + ((target,) if target else ()), column)]
    return []


def _survey_before_kickoff(p: _Plan) -> list[ScheduleWarning]:
    survey, kick_off = p.start("technical_survey"), p.start("kick_off")
    if survey >= kick_off:
        return []
    n = max(p.s.survey_after_kickoff_days, 1)
    target = p.cal.add_working_days(kick_off, n)
    return [
        p.warning(
            SURVEY_BEFORE_KICKOFF,
            f"The technical survey date {long_date(survey)} is before {p.named('kick_off')}.",
            f"Move the technical survey to {long_date(target)} ({n} working days after the kick-off), "
            f"or hold the kick-off first.",
            (survey, kick_off, target),
            "survey_date",
        )
    ]


def _out_of_order(p: _Plan, *, skip_idp_chain: bool) -> list[ScheduleWarning]:
    out: list[ScheduleWarning] = []
    cal = p.cal
    for earlier, later, strict in ORDER_RULES:
        if skip_idp_chain and (earlier in _IDP_CHAIN or later in _IDP_CHAIN):
            continue
        limit = p.end(earlier) if strict else p.start(earlier)
        later_start = p.start(later)
        if later_start > limit or (not strict and later_start == limit):
            continue
        target = cal.add_working_days(limit, 1) if strict else cal.on_or_after(limit)
        a, b = p.ms[earlier], p.ms[later]
        a_text = _describe(p, a, end=strict)
        b_text = _describe(p, b, end=False)
        relation = "is not after" if strict else "is before"
        message = f"{b_text} {relation} {a_text}, which must come first."
        if later in _FROM_GO_LIVE:
            new_go_live = _go_live_moving(p, later, target)
            suggestion = (
                f"Move go-live to {_or_check(new_go_live, 'go-live day')} or later, so that "
                f"{b.label} falls after {a.label.lower()}."
            )
            column = "go_live"
            dates = (limit, later_start) + ((new_go_live,) if new_go_live else ())
        elif b.given and later_start <= p.today:
            column = SOURCE_COLUMN[earlier]
            header = schema.MIGRATIONS.column(column).header
            latest = cal.add_working_days(later_start, -1) if strict else later_start
            suggestion = f"Check the {header}: it should be on or before {long_date(latest)}."
            dates = (limit, later_start, latest)
        else:
            column = SOURCE_COLUMN[later]
            header = schema.MIGRATIONS.column(column).header
            suggestion = f"Move the {header} to {long_date(target)} or later."
            dates = (limit, later_start, target)
        out.append(p.warning(OUT_OF_ORDER, message, suggestion, dates, column))
    return out


def _describe(p: _Plan, m: Milestone, *, end: bool) -> str:
    d = m.end if end and m.end != m.start else m.start
    verb = "ending " if end and m.end != m.start else ""
    kind = "given" if m.given else "proposed"
    return f"{m.label} ({kind}, {verb}{long_date(d)})"


def _go_live_moving(p: _Plan, key: str, target: dt.date) -> dt.date | None:
    """The first acceptable go-live that puts milestone ``key`` (hung off go-live) on or
    after ``target``."""
    cal = p.cal
    current = p.start(key)
    candidate = cal.add_working_days(p.migration.go_live, max(cal.working_days_between(current, target), 1))
    for _ in range(60):
        found = cal.next_acceptable_go_live(candidate, p.blackouts)
        if found is None:
            return None
        if _go_live_chain(cal, p.s, found)[key] >= target:
            return found
        candidate = cal.add_working_days(found, 1)
    return None


# -- as problems for validate --------------------------------------------------------------


def _schema_letters() -> dict[str, str]:
    return {c.key: get_column_letter(i) for i, c in enumerate(schema.MIGRATIONS.columns, start=1)}


def warnings_as_problems(
    batch: Batch, schedules: dict[str, MigrationSchedule], columns: dict[str, str] | None = None
) -> list[Problem]:
    """Each schedule warning as a :class:`~docgen.problems.Problem` on the migration's
    Migrations row, so ``validate`` lists and annotates it like any other problem.

    ``columns`` maps column keys to the letters of the real workbook; without it the
    order ``docgen init`` writes (:data:`docgen.workbook.schema.MIGRATIONS`) is assumed.
    """
    letters = columns or _schema_letters()
    rows = {m.migration_id: m.row for m in batch.migrations}
    problems = []
    for migration_id, schedule in schedules.items():
        row = rows.get(migration_id) or None
        for w in schedule.warnings:
            header = schema.MIGRATIONS.column(w.column).header if w.column else None
            problems.append(
                Problem(
                    severity=WARNING,
                    sheet=schema.MIGRATIONS.name,
                    message=f"{migration_id}: {w.message} {w.suggestion}",
                    row=row,
                    column=letters.get(w.column) if w.column else None,
                    header=header,
                    migration_id=migration_id,
                )
            )
    return problems
