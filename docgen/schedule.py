"""Pure date logic: a migration's milestones and the warnings about them.

Nothing here reads a file or the clock: ``today`` and the calendar are passed in.
(Skeleton: the data shapes other modules rely on; the logic is filled in by the
timeline issue.)
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

    ``column`` is the Migrations column key (see :mod:`docgen.schema`) the warning is
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

    def milestone(self, key: str) -> Milestone:
        for m in self.milestones:
            if m.key == key:
                return m
        raise KeyError(key)

    def date(self, key: str) -> dt.date:
        """The (start) date of milestone ``key``."""
        return self.milestone(key).start
