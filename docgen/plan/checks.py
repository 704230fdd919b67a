"""The checks on a migration's dates: one :class:`~docgen.plan.milestones.ScheduleWarning`
each, with the dates and a concrete suggestion.

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
* ``out_of_order``: the dependencies in :data:`docgen.plan.order.ORDER_RULES` (see there).
* ``live_before_go_live``: status Live with a go-live after today.
* and the checks of :mod:`docgen.plan.sense`: proposed dates already past, a status that
  contradicts the dates, meetings, IDP, FDP and cut-over on bank holidays or in blackouts.

Cancelled migrations get no checks; Live ones only ``live_before_go_live``; On hold and the
other statuses get all of them (an on-hold plan still needs honest dates).
"""

from __future__ import annotations

import datetime as dt

from docgen.plan.milestones import (
    EXTRACT_LATE,
    GO_LIVE_BANK_HOLIDAY,
    GO_LIVE_BLACKOUT,
    GO_LIVE_PAST,
    GO_LIVE_WEEKEND,
    IDP_NOTICE,
    LIVE_BEFORE_GO_LIVE,
    ORDER_TOO_LONG,
    ORDER_TOO_SHORT,
    SURVEY_BEFORE_KICKOFF,
    ScheduleWarning,
)
from docgen.plan.order import out_of_order
from docgen.plan.propose import Plan, latest_request
from docgen.plan.sense import sense_warnings
from docgen.plan.wording import day_name, long_date, named, or_check, short_date


def check(p: Plan) -> list[ScheduleWarning]:
    """Every warning about one planned migration, in the order validate lists them."""
    if p.cancelled:
        return []
    if p.live:
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
        *out_of_order(p, skip_idp_chain=bool(idp_chain)),
        *sense_warnings(p.migration, p.ms, p.today, p.cal, p.blackouts),
    ]


def _earliest_go_live(p: Plan, request: dt.date | None) -> dt.date | None:
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


def _first_day(p: Plan) -> dt.date:
    """Today rolled to a working day: the first day anything can happen."""
    return p.cal.on_or_after(p.today)


def _live_before_go_live(p: Plan) -> list[ScheduleWarning]:
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


def _go_live_past(p: Plan) -> list[ScheduleWarning]:
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
            f"{or_check(earliest, 'go-live day')} is the earliest that fits.",
            (go_live, p.today) + ((earliest,) if earliest else ()),
            "go_live",
        )
    ]


def _extract_late(p: Plan) -> list[ScheduleWarning]:
    if p.extract_sent:
        return []
    idp_given = p.given("idp")
    needed_idp, latest = latest_request(p.ms["idp"], p.start("fdp"), p.notice, p.s, p.cal)
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
                f"Send the request now and move go-live to {or_check(earliest, 'go-live day')} or later "
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


def _idp_notice(p: Plan) -> list[ScheduleWarning]:
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
            f"The IDP date {long_date(idp)} {gap} {named(p.ms['extract_request_sent'])}; "
            f"{supplier} may take up to {p.notice} working days.",
            suggestion + ".",
            (idp, extract),
            "idp_date",
        )
    ]


def _go_live_day(p: Plan) -> list[ScheduleWarning]:
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


def _order_weeks(p: Plan) -> list[ScheduleWarning]:
    s, cal = p.s, p.cal
    order, go_live = p.start("order_placed"), p.migration.go_live
    weeks = (go_live - order).days / 7
    if s.min_weeks <= weeks <= s.max_weeks:
        return []  # the usual case: no message to write
    span = (
        f"It is {weeks:.1f} weeks from {named(p.ms['order_placed'])} to go-live on {long_date(go_live)}; "
        f"plan for {s.min_weeks} to {s.max_weeks} weeks."
    )
    if weeks < s.min_weeks:
        target = cal.next_acceptable_go_live(order + dt.timedelta(weeks=s.min_weeks), p.blackouts)
        return [
            p.warning(
                ORDER_TOO_SHORT,
                span,
                f"Move go-live to {or_check(target, 'go-live day')} or later ({s.min_weeks} weeks after the order).",
                (order, go_live) + ((target,) if target else ()),
                "go_live",
            )
        ]
    if weeks > s.max_weeks:
        if p.given("order_placed") and order <= p.today:
            target = cal.previous_acceptable_go_live(order + dt.timedelta(weeks=s.max_weeks), p.blackouts)
            suggestion = (
                f"Bring go-live forward to {or_check(target, 'go-live day')} or earlier "
                f"({s.max_weeks} weeks after the order)."
            )
            column = "go_live"
        else:
            target = cal.on_or_after(go_live - dt.timedelta(weeks=s.max_weeks))
            suggestion = f"Place the order on or after {long_date(target)} ({s.max_weeks} weeks before go-live)."
            column = "order_date"
        return [p.warning(ORDER_TOO_LONG, span, suggestion, (order, go_live) + ((target,) if target else ()), column)]
    return []


def _survey_before_kickoff(p: Plan) -> list[ScheduleWarning]:
    survey, kick_off = p.start("technical_survey"), p.start("kick_off")
    if survey >= kick_off:
        return []
    n = max(p.s.survey_after_kickoff_days, 1)
    target = p.cal.add_working_days(kick_off, n)
    return [
        p.warning(
            SURVEY_BEFORE_KICKOFF,
            f"The technical survey date {long_date(survey)} is before {named(p.ms['kick_off'])}.",
            f"Move the technical survey to {long_date(target)} ({n} working days after the kick-off), "
            f"or hold the kick-off first.",
            (survey, kick_off, target),
            "survey_date",
        )
    ]
