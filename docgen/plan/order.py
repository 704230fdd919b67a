"""The order check: milestones that must not start before others (``out_of_order``).

Only the dependencies where the guide's order matters are checked (:data:`ORDER_RULES`;
e.g. an IDP during pre-migration tasks is fine). Pairs about the IDP chain are skipped
when ``extract_late`` or ``idp_notice`` (:mod:`docgen.plan.checks`) already covered them.
"""

from __future__ import annotations

import datetime as dt

from docgen.plan.milestones import OUT_OF_ORDER, SOURCE_COLUMN, Milestone, ScheduleWarning
from docgen.plan.propose import Plan, go_live_chain
from docgen.plan.wording import long_date, or_check
from docgen.workbook import schema

_FROM_GO_LIVE = frozenset(k for k, col in SOURCE_COLUMN.items() if col == "go_live")

#: ``(earlier, later, strict)``: ``later`` must not start before ``earlier`` starts, or
#: with ``strict`` must start after ``earlier`` ends. Survey after kick-off and IDP after
#: the request have checks of their own; the go-live chain is built in order.
ORDER_RULES: tuple[tuple[str, str, bool], ...] = (
    ("business_case_approved", "order_placed", False),
    ("order_placed", "extract_request_sent", False),
    ("order_placed", "kick_off", False),
    ("technical_survey", "idp", False),
    ("kick_off", "cut_over_planning", False),
    ("pre_migration_tasks", "fdp", True),
    ("data_sign_off", "fdp", True),
)

_IDP_CHAIN = frozenset({"extract_request_sent", "idp", "data_checking", "data_sign_off"})

#: Rules checked only when the workbook gives one of the two dates: an IDP proposed before
#: a proposed survey only means the request went early, which the guide asks for.
_GIVEN_ONLY = frozenset({("technical_survey", "idp")})


def out_of_order(p: Plan, *, skip_idp_chain: bool) -> list[ScheduleWarning]:
    """One warning for each rule of :data:`ORDER_RULES` the plan breaks, pointing at the
    date to move: go-live for a milestone hung off it, else the later (or, when that is
    given and past, the earlier) milestone's column."""
    out: list[ScheduleWarning] = []
    cal = p.cal
    for earlier, later, strict in ORDER_RULES:
        if skip_idp_chain and (earlier in _IDP_CHAIN or later in _IDP_CHAIN):
            continue
        if (earlier, later) in _GIVEN_ONLY and not (p.given(earlier) or p.given(later)):
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
                f"Move go-live to {or_check(new_go_live, 'go-live day')} or later, so that "
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


def _describe(p: Plan, m: Milestone, *, end: bool) -> str:
    d = m.end if end and m.end != m.start else m.start
    verb = "ending " if end and m.end != m.start else ""
    kind = "given" if m.given else "proposed"
    return f"{m.label} ({kind}, {verb}{long_date(d)})"


def _go_live_moving(p: Plan, key: str, target: dt.date) -> dt.date | None:
    """The first acceptable go-live that puts milestone ``key`` (hung off go-live) on or
    after ``target``."""
    cal = p.cal
    current = p.start(key)
    candidate = cal.add_working_days(p.migration.go_live, max(cal.working_days_between(current, target), 1))
    for _ in range(60):
        found = cal.next_acceptable_go_live(candidate, p.blackouts)
        if found is None:
            return None
        if go_live_chain(cal, p.s, found)[key] >= target:
            return found
        candidate = cal.add_working_days(found, 1)
    return None
