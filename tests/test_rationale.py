"""The business justification's sentence on the go-live date (docgen.documents.rationale);
the letters' tests show it in context."""

from __future__ import annotations

import datetime as dt

from docgen.documents.rationale import go_live_rationale
from docgen.plan.milestones import ScheduleWarning
from docgen.records import Blackout


def test_go_live_rationale_without_blackouts_asks_the_practice_to_confirm():
    text = go_live_rationale(dt.date(2026, 6, 9), (), ())
    assert text.startswith("No busy periods or blackout dates are recorded for the practice around this date")
    assert "staff training or leave" in text
    assert "June" not in text  # the letter has just named the date: no repeat


def test_go_live_rationale_reports_a_schedule_warning_honestly():
    warning = ScheduleWarning("MIG-1", "order_to_go_live_short", "It is 9.0 weeks from the order to go-live.",
                              "Move go-live.", (dt.date(2026, 6, 9),), "go_live")  # fmt: skip
    blackout = Blackout(dt.date(2026, 1, 1), dt.date(2026, 3, 31), "the QOF year end")
    text = go_live_rationale(dt.date(2026, 6, 9), (blackout,), (warning,))
    # Facts in the letter's words, never docgen's own warning text.
    assert text == ("This date needs review before it is agreed: the ICB's checks of the migration schedule "
                    "raise a concern about it.")  # fmt: skip
    assert "9.0 weeks" not in text


def test_go_live_rationale_names_a_bank_holiday_and_a_blackout():
    blackout = Blackout(dt.date(2027, 3, 29), dt.date(2027, 4, 2), "Easter")
    text = go_live_rationale(dt.date(2027, 3, 29), (blackout,), ())
    assert text == (
        "This date needs review before it is agreed: it is a bank holiday (Easter Monday) and it falls within "
        "Easter (29 March \u2013 2 April 2027)."
    )
