"""The business justification's sentence on the go-live date (docgen.documents.rationale);
the letters' tests show it in context."""

from __future__ import annotations

import datetime as dt

from docgen.documents.rationale import go_live_rationale
from docgen.plan.milestones import ScheduleWarning
from docgen.records import Blackout


def test_go_live_rationale_without_blackouts_asks_the_practice_to_confirm():
    text = go_live_rationale(dt.date(2026, 6, 9), (), ())
    assert text.startswith("No busy periods or blackout dates are recorded for the practice around the "
                           "provisional go-live date of 9 June 2026")  # fmt: skip
    assert "staff training or leave" in text


def test_go_live_rationale_reports_a_schedule_warning_honestly():
    warning = ScheduleWarning("MIG-1", "order_to_go_live_short", "It is 9.0 weeks from the order to go-live.",
                              "Move go-live.", (dt.date(2026, 6, 9),), "go_live")  # fmt: skip
    blackout = Blackout(dt.date(2026, 1, 1), dt.date(2026, 3, 31), "the QOF year end")
    text = go_live_rationale(dt.date(2026, 6, 9), (blackout,), (warning,))
    assert text == ("The provisional go-live date of 9 June 2026 needs review before it is agreed. "
                    "It is 9.0 weeks from the order to go-live.")  # fmt: skip
