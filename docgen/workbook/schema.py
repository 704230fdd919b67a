"""The workbook's sheets and columns, declared once.

The reader, the validator, ``docgen init``, the Instructions sheet and the README all
come from these declarations, so a column is added or renamed in one place only.
Headers are matched ignoring case, spaces and line breaks (see :func:`normalise`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Column kinds: how a cell is parsed and checked.
TEXT = "text"
DATE = "date"
TIME = "time"
INT = "int"
MONEY = "money"
YESNO = "yesno"
CHOICE = "choice"
EMAIL = "email"
PHONE = "phone"
POSTCODE = "postcode"
ODS = "ods"
ICB = "icb"
SUB_ICB = "sub_icb"


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its record field, header, kind, whether it is required,
    the help text shown in the Instructions sheet and README, for ``choice`` columns
    the allowed values (or the name of the reference list that supplies them), and for
    whole numbers the lowest and highest value allowed."""

    key: str
    header: str
    kind: str = TEXT
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    width: int = 18
    bounds: tuple[int, int] | None = None


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook and its columns, in the order ``docgen init`` writes them."""

    name: str
    columns: tuple[Column, ...]
    help: str = ""
    required: bool = True

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


def normalise(text: object) -> str:
    """Header/sheet-name key: lower case with spaces, line breaks and punctuation removed,
    so ``'Provisional\\ngo-live date'`` matches ``'provisional go-live date'``."""
    return re.sub(r"[^a-z0-9£]", "", str(text or "").replace("_x000D_", "").lower())


YES_NO = ("Yes", "No")

ROLES = (
    "Practice manager",
    "Lead GP",
    "Migration project manager",
    "ICB lead",
    "IT delivery partner",
    "New supplier",
    "Current supplier",
    "Training lead",
    "Business change lead",
    "Data quality lead",
)

#: Roles the guide lists as the minimum kick-off attendance.
KICK_OFF_MINIMUM_ROLES = ("Migration project manager", "Practice manager", "Lead GP", "New supplier", "ICB lead")

STATUSES = (
    "Planning",
    "Ordered",
    "Extract requested",
    "Kick-off held",
    "In progress",
    "Live",
    "On hold",
    "Cancelled",
)

COST_CATEGORIES = ("Training", "Hardware", "Software", "Migration service", "Third party", "Other")
RECURRENCE = ("One-off", "Recurring")

SETTINGS_SHEET = Sheet(
    "Settings",
    (
        Column("setting", "Setting", TEXT, True, "The name of the setting (do not change).", width=44),
        Column("value", "Value", TEXT, False, "Its value. Blank: the default.", width=20),
        Column("notes", "Notes", TEXT, False, "What the setting does.", width=70),
    ),
    "Batch-wide settings: one setting a row.",
    required=False,
)

ICBS = Sheet(
    "ICBs",
    (
        Column("code", "ICB code", ICB, True, "Three characters starting with Q, e.g. QHM.", width=10),
        Column("name", "ICB name", TEXT, True, "Full name, as on letterheads.", width=40),
        Column("address", "Postal address", TEXT, True, "One line per address line (Alt+Enter in a cell).", width=40),
        Column("sender_name", "Sender name", TEXT, True, "Who signs the ICB's letters.", width=24),
        Column("sender_title", "Sender job title", TEXT, True, "", width=30),
        Column("sender_email", "Sender email", EMAIL, True, "", width=30),
        Column("sender_phone", "Sender phone", PHONE, False, "", width=16),
    ),
    "One row per ICB in the batch; each signs its own letters.",
)

PRACTICES = Sheet(
    "Practices",
    (
        Column("ods_code", "ODS code", ODS, True, "One letter and five digits, e.g. A81001.", width=10),
        Column("name", "Practice name", TEXT, True, "", width=36),
        Column("address1", "Address line 1", TEXT, True, "", width=28),
        Column("address2", "Address line 2", TEXT, False, "", width=24),
        Column("address3", "Address line 3", TEXT, False, "", width=20),
        Column("town", "Town", TEXT, True, "", width=18),
        Column("postcode", "Postcode", POSTCODE, True, "A UK postcode, e.g. TS18 1HU.", width=10),
        Column("phone", "Phone", PHONE, False, "Keep the leading 0 (format the column as text).", width=16),
        Column("email", "Email", EMAIL, False, "", width=30),
        Column("icb_code", "ICB code", ICB, True, "Must be listed on the ICBs sheet.", width=10),
        Column("sub_icb_code", "Sub-ICB code", SUB_ICB, False, "Three characters (00K) or five (D9Y0V).", width=12),
        Column("list_size", "List size", INT, False, "Registered patients.", width=10),
    ),
    "One row per GP practice.",
)

MIGRATIONS = Sheet(
    "Migrations",
    (
        Column("migration_id", "Migration ID", TEXT, True, "Your own unique reference, e.g. MIG-001.", width=12),
        Column("ods_code", "ODS code", ODS, True, "The practice (must be on the Practices sheet).", width=10),
        Column("current_supplier", "Current supplier", CHOICE, True, "From the Suppliers sheet.", width=18),
        Column("current_system", "Current system", CHOICE, True, "From the Suppliers sheet.", width=16),
        Column("new_supplier", "New supplier", CHOICE, True, "From the Suppliers sheet.", width=18),
        Column("new_system", "New system", CHOICE, True, "From the Suppliers sheet.", width=16),
        Column("framework", "Framework", TEXT, False, "E.g. Tech Innovation Framework.", width=26),
        Column("order_reference", "Order reference", TEXT, False, "Buying Catalogue order number.", width=16),
        Column(
            "reason",
            "Reason for change",
            TEXT,
            True,
            "Why the practice is moving (goes in the business case).",
            width=40,
        ),
        Column("business_case_approved", "Business case approved", DATE, False, "", width=14),
        Column("order_date", "Order date", DATE, False, "", width=14),
        Column(
            "go_live",
            "Provisional go-live date",
            DATE,
            True,
            "Agreed by practice, ICB, new supplier and partner.",
            width=14,
        ),
        Column(
            "extract_request_date",
            "Extract request date",
            DATE,
            False,
            "When the ICB sends the data extract request.",
            width=14,
        ),
        Column("idp_date", "IDP date", DATE, False, "Initial data production. Blank: proposed.", width=14),
        Column("kickoff_date", "Kick-off date", DATE, False, "Blank: proposed.", width=14),
        Column("kickoff_time", "Kick-off time", TIME, False, "24-hour time, e.g. 10:00.", width=10),
        Column("kickoff_location", "Kick-off location or link", TEXT, False, "An address or a video link.", width=30),
        Column("survey_date", "Technical survey date", DATE, False, "Blank: proposed after kick-off.", width=14),
        Column(
            "subsidiary_systems",
            "Subsidiary systems",
            TEXT,
            False,
            "Third-party systems linked to the clinical system.",
            width=30,
        ),
        Column("status", "Status", CHOICE, True, "", STATUSES, width=16),
    ),
    "One row per migration.",
)

CONTACTS = Sheet(
    "Contacts",
    (
        Column(
            "organisation",
            "Organisation",
            TEXT,
            True,
            "A practice's ODS code, an ICB code, a supplier's name or the IT delivery partner's name.",
            width=24,
        ),
        Column("role", "Role", CHOICE, True, "", ROLES, width=24),
        Column("name", "Name", TEXT, True, "", width=22),
        Column("job_title", "Job title", TEXT, False, "", width=24),
        Column("email", "Email", EMAIL, False, "", width=30),
        Column("phone", "Phone", PHONE, False, "", width=16),
        Column("invitee", "Kick-off invitee", YESNO, False, "Yes: invited to the kick-off meeting.", YES_NO, width=10),
    ),
    "People who work on the migrations.",
)

SUPPLIERS = Sheet(
    "Suppliers",
    (
        Column("supplier", "Supplier", TEXT, True, "", width=28),
        Column("product", "Product", TEXT, True, "", width=16),
        Column(
            "extract_contact_name", "Extract contact name", TEXT, False, "Who receives data extract requests.", width=24
        ),
        Column("extract_contact_email", "Extract contact email", EMAIL, False, "", width=30),
        Column("address", "Postal address", TEXT, False, "One line per address line.", width=36),
        Column(
            "notice_days",
            "Notice period (working days)",
            INT,
            False,
            "Blank: the Settings extract allowance.",
            width=14,
            bounds=(0, 60),
        ),
    ),
    "Reference: clinical system suppliers and their products.",
)

COSTS = Sheet(
    "Costs",
    (
        Column("migration_id", "Migration ID", TEXT, True, "", width=12),
        Column("category", "Category", CHOICE, True, "", COST_CATEGORIES, width=18),
        Column("description", "Description", TEXT, True, "", width=40),
        Column("amount", "Amount (£)", MONEY, True, "In pounds, e.g. 1250.00.", width=12),
        Column("recurrence", "One-off or recurring", CHOICE, True, "", RECURRENCE, width=14),
        Column("funding_source", "Funding source", TEXT, False, "E.g. ICB capital.", width=22),
    ),
    "Cost lines for each migration's business justification.",
)

BLACKOUTS = Sheet(
    "Blackouts",
    (
        Column("start", "Start", DATE, True, "", width=12),
        Column("end", "End", DATE, True, "", width=12),
        Column("reason", "Reason", TEXT, True, "", width=36),
        Column("scope", "Scope", TEXT, True, "All, an ICB code or an ODS code.", width=10),
    ),
    "Dates to avoid for go-live: busy periods, local events, staff leave.",
    required=False,
)

SHEETS: tuple[Sheet, ...] = (SETTINGS_SHEET, ICBS, PRACTICES, MIGRATIONS, CONTACTS, SUPPLIERS, COSTS, BLACKOUTS)

#: Suppliers and products for 2025-26 (DOMAIN.md); ``docgen init`` pre-fills the Suppliers
#: sheet with these, and from then on they are the admin's data.
DEFAULT_SUPPLIERS = (
    ("Optum", "EMIS Web"),
    ("TPP", "SystmOne"),
    ("Cegedim", "Vision"),
    ("Medicus Health", "Medicus"),
    ("Microtest", "Evolution"),
)


def sheet(name: str) -> Sheet:
    """The declared sheet called ``name`` (matched like headers)."""
    for s in SHEETS:
        if normalise(s.name) == normalise(name):
            return s
    raise KeyError(name)
