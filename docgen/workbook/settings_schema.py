"""The Settings sheet's settings, declared once: each one's label, kind, default, what it
does and, for a whole number, the range it must lie in.

The reader (:mod:`docgen.workbook.settings_sheet`), ``docgen init`` and the README's
workbook reference all come from :data:`SETTINGS`; the sheet itself (its Setting, Value
and Notes columns) is :data:`docgen.workbook.schema.SETTINGS_SHEET`.

The ranges are wide enough for any real plan (the guide's durations are days to a few
weeks) and narrow enough that no value can overflow a date or keep the schedule counting
working days for minutes: a phone number pasted into the wrong row, or a date typed where
a number belongs (Excel stores 15/06/2026 as 46188), is an error naming the cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from docgen.workbook.schema import DATE, INT, TEXT, TIME, YESNO, Column


@dataclass(frozen=True)
class Setting:
    """One key of the Settings sheet (a key/value sheet), with its default and, for a whole
    number, the lowest and highest value allowed: wide enough for any real plan, and
    narrow enough that no value can make the schedule overflow a date or run for ever."""

    key: str
    label: str
    kind: str
    default: object
    help: str = ""
    bounds: tuple[int, int] | None = None

    def column(self) -> Column:
        """The setting's value cell as a column, so that it is typed and checked as one."""
        return Column(self.key, self.label, self.kind, bounds=self.bounds)

    @property
    def range(self) -> str:
        """The values allowed, in words ("1 to 60"), or "" for a setting that is not a number."""
        return f"{self.bounds[0]} to {self.bounds[1]}" if self.bounds else ""

    @property
    def notes(self) -> str:
        """What the setting does and the values allowed: the Settings sheet's Notes column."""
        return f"{self.help} A whole number from {self.range}." if self.bounds else self.help


SETTINGS: tuple[Setting, ...] = (
    Setting("letter_date", "Letter date", DATE, None, "Date printed on every letter. Blank: the day of the run."),
    Setting(
        "as_at_date",
        "As-at date",
        DATE,
        None,
        "Work out stages and what is due as if today were this date (a sample or a rehearsal). "
        "Leave blank in a real workbook: the day of the run.",
    ),
    Setting(
        "it_delivery_partner", "IT delivery partner", TEXT, "", "Organisation running the technical survey and project."
    ),
    Setting(
        "extract_allowance_days",
        "Extract allowance (working days)",
        INT,
        15,
        "Working days a current supplier may take to provide the data extract (the guide: up to 15).",
        (1, 60),
    ),
    Setting(
        "kickoff_after_order_days",
        "Order to kick-off (working days)",
        INT,
        10,
        "Proposed kick-off this many working days after the order when no date is given.",
        (0, 60),
    ),
    Setting(
        "survey_after_kickoff_days",
        "Kick-off to technical survey (working days)",
        INT,
        3,
        "Proposed technical survey this many working days after kick-off.",
        (0, 60),
    ),
    Setting("pre_migration_days", "Pre-migration tasks (working days)", INT, 10, "The guide: 1 to 2 weeks.", (1, 60)),
    Setting(
        "data_checking_days",
        "Data checking (working days)",
        INT,
        10,
        "The guide: 3 days to 3 weeks, 2 to 3 rounds.",
        (1, 60),
    ),
    Setting("sign_off_days", "Data sign-off (working days)", INT, 3, "The guide: 1 to 5 days.", (1, 60)),
    Setting(
        "cut_over_days",
        "Cut-over (working days)",
        INT,
        5,
        "FDP to go-live. The guide: 3 days to 2 weeks.",
        (1, 60),
    ),
    Setting(
        "cut_over_planning_weeks",
        "Cut-over planning before FDP (weeks)",
        INT,
        4,
        "Cut-over planning meeting at least this many weeks before FDP.",
        (1, 52),
    ),
    Setting(
        "links_off_days",
        "Third-party links off before FDP (working days)",
        INT,
        1,
        "The guide: 1 to 2 days.",
        (0, 60),
    ),
    Setting(
        "post_go_live_days",
        "Post go-live support (working days)",
        INT,
        10,
        "The guide: 5 days to 2 weeks.",
        (0, 60),
    ),
    Setting(
        "legacy_access_days",
        "Old system read-only (days)",
        INT,
        90,
        "Calendar days the old system stays readable.",
        (0, 3650),
    ),
    Setting("min_weeks", "Order to go-live minimum (weeks)", INT, 12, "Shorter plans are flagged.", (1, 52)),
    Setting("max_weeks", "Order to go-live maximum (weeks)", INT, 16, "Longer plans are flagged.", (1, 52)),
    Setting(
        "default_weeks",
        "Order to go-live proposed (weeks)",
        INT,
        14,
        "Used when a go-live date must be proposed.",
        (1, 52),
    ),
    Setting(
        "kickoff_minutes",
        "Kick-off length (minutes)",
        INT,
        90,
        "Length of the kick-off meeting invitation.",
        (15, 480),
    ),
    Setting("kickoff_time", "Kick-off default time", TIME, "10:00", "Used when a kick-off date has no time."),
    Setting(
        "business_case_lead_weeks",
        "Business justification lead time (weeks)",
        INT,
        8,
        "The business justification goes to the practice this many weeks before its approval date "
        "(given, or proposed 2 weeks before the order).",
        (0, 52),
    ),
    Setting(
        "invitation_notice_days",
        "Kick-off invitation notice (working days)",
        INT,
        5,
        "The kick-off invitation is due this many working days before the meeting (it goes out once the "
        "order is placed, and never for a meeting that is past or on the letter date).",
        (0, 60),
    ),
    Setting(
        "invite_before_place",
        "Calendar invitation before the place is confirmed",
        YESNO,
        "No",
        "Yes: a kick-off calendar invitation goes out even while its venue or video link is blank. "
        "No: the invitation letter goes, and the calendar invitation waits for the place.",
    ),
)
