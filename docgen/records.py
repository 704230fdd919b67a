"""Typed, frozen records: what the rest of the pipeline trusts after validation.

Each record keeps ``row``, the Excel row it came from, so a later step (the schedule's
checks, a failing letter) can still point the admin at the right row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property


@dataclass(frozen=True)
class Settings:
    """Batch-wide settings; defaults from DOMAIN.md (see :data:`docgen.workbook.settings_schema.SETTINGS`)."""

    letter_date: dt.date | None = None
    as_at_date: dt.date | None = None
    it_delivery_partner: str = ""
    extract_allowance_days: int = 15
    kickoff_after_order_days: int = 10
    survey_after_kickoff_days: int = 3
    pre_migration_days: int = 10
    data_checking_days: int = 10
    sign_off_days: int = 3
    cut_over_days: int = 5
    cut_over_planning_weeks: int = 4
    links_off_days: int = 1
    post_go_live_days: int = 10
    legacy_access_days: int = 90
    min_weeks: int = 12
    max_weeks: int = 16
    default_weeks: int = 14
    kickoff_minutes: int = 90
    kickoff_time: dt.time = dt.time(10, 0)
    business_case_lead_weeks: int = 8
    invitation_notice_days: int = 5
    invite_before_place: bool = False


@dataclass(frozen=True)
class Icb:
    """An ICB in the batch; it signs the letters of its practices."""

    code: str
    name: str
    address: tuple[str, ...]
    sender_name: str
    sender_title: str
    sender_email: str
    sender_phone: str = ""
    row: int = 0


@dataclass(frozen=True)
class Practice:
    """A GP practice."""

    ods_code: str
    name: str
    address: tuple[str, ...]  # address lines 1-3 that are filled, then nothing else
    town: str
    postcode: str
    icb_code: str
    phone: str = ""
    email: str = ""
    sub_icb_code: str = ""
    list_size: int | None = None
    row: int = 0

    @property
    def full_address(self) -> tuple[str, ...]:
        """Address lines, town and postcode, ready to print one per line."""
        return (*self.address, self.town, self.postcode)


@dataclass(frozen=True)
class Migration:
    """One practice's move from its current clinical system to a new one."""

    migration_id: str
    ods_code: str
    current_supplier: str
    current_system: str
    new_supplier: str
    new_system: str
    reason: str
    go_live: dt.date
    status: str
    framework: str = ""
    order_reference: str = ""
    business_case_approved: dt.date | None = None
    order_date: dt.date | None = None
    extract_request_date: dt.date | None = None
    idp_date: dt.date | None = None
    kickoff_date: dt.date | None = None
    kickoff_time: dt.time | None = None
    kickoff_location: str = ""
    survey_date: dt.date | None = None
    subsidiary_systems: str = ""
    row: int = 0


@dataclass(frozen=True)
class Contact:
    """A person; ``organisation`` is an ODS code, an ICB code, a supplier name or the
    delivery partner's name, which decides which migrations the contact belongs to."""

    organisation: str
    role: str
    name: str
    job_title: str = ""
    email: str = ""
    phone: str = ""
    invitee: bool = False
    row: int = 0


@dataclass(frozen=True)
class Supplier:
    """A supplier's product, with where its data extract requests go."""

    supplier: str
    product: str
    extract_contact_name: str = ""
    extract_contact_email: str = ""
    address: tuple[str, ...] = ()
    notice_days: int | None = None
    row: int = 0


@dataclass(frozen=True)
class Cost:
    """One cost line of a migration's business justification."""

    migration_id: str
    category: str
    description: str
    amount: Decimal
    recurrence: str
    funding_source: str = ""
    row: int = 0


@dataclass(frozen=True)
class Blackout:
    """Dates to avoid for go-live; ``scope`` is ``All``, an ICB code or an ODS code."""

    start: dt.date
    end: dt.date
    reason: str
    scope: str = "All"
    row: int = 0

    def applies_to(self, practice: Practice) -> bool:
        """True when this blackout covers ``practice`` (everyone, its ICB, or itself)."""
        scope = self.scope.strip().upper()
        return scope in ("", "ALL") or scope in (practice.icb_code.upper(), practice.ods_code.upper())


@dataclass(frozen=True)
class Batch:
    """Everything read from one workbook, valid and typed.

    Lookups are computed once on first use (``cached_property`` works on a frozen
    dataclass because it writes to ``__dict__`` directly).
    """

    settings: Settings = field(default_factory=Settings)
    icbs: tuple[Icb, ...] = ()
    practices: tuple[Practice, ...] = ()
    migrations: tuple[Migration, ...] = ()
    contacts: tuple[Contact, ...] = ()
    suppliers: tuple[Supplier, ...] = ()
    costs: tuple[Cost, ...] = ()
    blackouts: tuple[Blackout, ...] = ()
    source: str = ""
    #: Each sheet's column letters as read: sheet name -> {column key -> letter}, so a
    #: schedule warning points at the admin's cell even after they inserted a column.
    #: Empty for a batch built in code. Layout, not content: left out of ``==``.
    columns: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)

    @cached_property
    def practice_by_ods(self) -> dict[str, Practice]:
        return {p.ods_code: p for p in self.practices}

    @cached_property
    def icb_by_code(self) -> dict[str, Icb]:
        return {i.code: i for i in self.icbs}

    @cached_property
    def costs_by_migration(self) -> dict[str, tuple[Cost, ...]]:
        out: dict[str, list[Cost]] = {}
        for c in self.costs:
            out.setdefault(c.migration_id, []).append(c)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def _contacts_by_org(self) -> dict[str, tuple[Contact, ...]]:
        out: dict[str, list[Contact]] = {}
        for c in self.contacts:
            out.setdefault(c.organisation.strip().casefold(), []).append(c)
        return {k: tuple(v) for k, v in out.items()}

    def practice(self, migration: Migration) -> Practice:
        """The practice a migration belongs to."""
        return self.practice_by_ods[migration.ods_code]

    def icb(self, migration: Migration) -> Icb:
        """The ICB that signs a migration's letters."""
        return self.icb_by_code[self.practice(migration).icb_code]

    def supplier(self, name: str, product: str) -> Supplier | None:
        """The Suppliers row for a supplier's product, if listed."""
        for s in self.suppliers:
            if s.supplier.casefold() == name.casefold() and s.product.casefold() == product.casefold():
                return s
        return None

    def costs_for(self, migration: Migration) -> tuple[Cost, ...]:
        """The migration's cost lines, in workbook order."""
        return self.costs_by_migration.get(migration.migration_id, ())

    def blackouts_for(self, practice: Practice) -> tuple[Blackout, ...]:
        """Blackouts that apply to a practice: batch-wide, its ICB's and its own."""
        return tuple(b for b in self.blackouts if b.applies_to(practice))

    def contacts_for(self, migration: Migration) -> tuple[Contact, ...]:
        """Everyone who works on a migration, practice first.

        The practice's own contacts (by ODS code), its ICB's (by ICB code), the new and
        current suppliers' (by supplier name) and the IT delivery partner's (by the
        Settings name), in that order and in workbook order within each. Remembered per
        migration: the stages, the letters and the fingerprints all ask.
        """
        found = self._contacts_of.get(migration.migration_id)
        if found is not None and found[0] is migration:
            return found[1]
        practice = self.practice(migration)
        keys = [practice.ods_code, practice.icb_code, migration.new_supplier, migration.current_supplier]
        if self.settings.it_delivery_partner:
            keys.append(self.settings.it_delivery_partner)
        seen: list[Contact] = []
        for key in keys:
            for c in self._contacts_by_org.get(key.strip().casefold(), ()):
                if c not in seen and _plays_a_part(c, migration):
                    seen.append(c)
        self._contacts_of[migration.migration_id] = (migration, tuple(seen))
        return tuple(seen)

    @cached_property
    def _contacts_of(self) -> dict[str, tuple[Migration, tuple[Contact, ...]]]:
        return {}

    def invitees(self, migration: Migration) -> tuple[Contact, ...]:
        """The migration's contacts marked as kick-off invitees."""
        return tuple(c for c in self.contacts_for(migration) if c.invitee)


def _plays_a_part(contact: Contact, migration: Migration) -> bool:
    """False for a supplier's person whose role is the other side of a migration: Optum's
    "New supplier" lead has no part in a move away from Optum."""
    org = contact.organisation.strip().casefold()
    role = contact.role.casefold()
    new, current = migration.new_supplier.strip().casefold(), migration.current_supplier.strip().casefold()
    if role == "new supplier" and org == current and org != new:
        return False
    return not (role == "current supplier" and org == new and org != current)
