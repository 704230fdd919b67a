"""A migration's RAG: one colour that says whether it can keep its go-live as planned.

Red: a warning that the migration cannot keep its go-live as planned (:data:`RED_CODES`:
extract request late, IDP inside the supplier's notice, go-live in the past). Amber: any
other warning. Green: no warning. Grey: cancelled. One rule, here, for every view of the
batch: the timeline's Summary sheet and the web page's dashboard both ask :func:`rag`.
"""

from __future__ import annotations

from docgen.plan.milestones import CANCELLED, EXTRACT_LATE, GO_LIVE_PAST, IDP_NOTICE, MigrationSchedule

RED_CODES = frozenset({EXTRACT_LATE, IDP_NOTICE, GO_LIVE_PAST})
RED, AMBER, GREEN, GREY = "Red", "Amber", "Green", "Grey"
#: The colours a migration still going ahead can have, most urgent first.
RAGS = (RED, AMBER, GREEN)


def is_cancelled(status: str) -> bool:
    """True for a Cancelled migration (cells are compared without case or spaces)."""
    return status.strip().casefold() == CANCELLED.casefold()


def rag(schedule: MigrationSchedule, status: str) -> str:
    """Red, Amber, Green or Grey for a migration (rules in the module docstring), so the
    admin sees at a glance which migrations need action first."""
    if is_cancelled(status):
        return GREY
    codes = {w.code for w in schedule.warnings}
    if codes & RED_CODES:
        return RED
    return AMBER if codes else GREEN
