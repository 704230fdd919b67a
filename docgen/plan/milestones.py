"""What a migration's plan is made of: the milestones, the warnings, the schedule.

The catalogue :data:`MILESTONES` is the guide's order; :data:`SOURCE_COLUMN` ties each
milestone to the Migrations column it comes from, so a warning can point at a cell.
How the dates are proposed is :mod:`docgen.plan.propose`; how they are checked,
:mod:`docgen.plan.checks`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

LABEL = {key: label for key, label, _ in MILESTONES}
OWNER = {key: owner for key, _, owner in MILESTONES}
KEYS = tuple(key for key, _, _ in MILESTONES)

LIVE = "Live"
CANCELLED = "Cancelled"
#: Statuses that mean the data extract request has been sent.
SENT_STATUSES = frozenset({"Extract requested", "Kick-off held", "In progress", LIVE})

# Warning codes (:mod:`docgen.plan.checks` says when each is given).
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
