"""How dates read in a schedule warning: British English whatever the machine's locale,
as in the letters and the way Excel shows a cell."""

from __future__ import annotations

import datetime as dt

from docgen.formats import formatting
from docgen.plan.milestones import Milestone

#: How a milestone's date is named in a message: "the IDP date 3 March 2026".
_NOUN = {
    "business_case_approved": "business case approval date",
    "order_placed": "order date",
    "extract_request_sent": "extract request date",
    "kick_off": "kick-off date",
    "technical_survey": "technical survey date",
    "idp": "IDP date",
}


def long_date(d: dt.date) -> str:
    """``31 March 2026``: how dates read in a warning (British English, as in the letters)."""
    return formatting.longdate(d)


def day_name(d: dt.date) -> str:
    """``Monday``: the weekday in British English whatever the machine's locale."""
    return formatting.daydate(d).split(" ", 1)[0]


def short_date(d: dt.date) -> str:
    """``31/03/2026``: how ranges read in a warning, the way Excel shows the cell."""
    return formatting.shortdate(d)


def named(m: Milestone) -> str:
    """``the IDP date 3 March 2026`` or ``the proposed IDP date 3 March 2026``."""
    return f"the {'' if m.given else 'proposed '}{_NOUN[m.key]} {long_date(m.start)}"


def or_check(d: dt.date | None, what: str) -> str:
    """``d`` as a long date, or what to do when no acceptable ``what`` was found."""
    if d is None:
        return f"no acceptable {what} within two years: check the Blackouts sheet"
    return long_date(d)
