"""What a letter's template reads: one migration's context.

The context is a plain dict of ``str``, ``int``, ``bool``, ``Decimal``, ``datetime.date``,
``datetime.time``, ``None`` and lists/dicts of those (no record objects), so it pickles
cheaply to worker processes and every key a template may use exists, which is what
``StrictUndefined`` needs. A blank text field is ``""`` and a missing date or number is
``None``: templates test them with ``{% if ... %}`` so no letter prints "None".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from docgen.documents.dicts import (
    contact_dict,
    cost_dict,
    document_dict,
    first_role,
    icb_dict,
    migration_fields,
    milestone_dict,
    practice_dict,
    settings_dict,
    supplier_dict,
)
from docgen.documents.rationale import go_live_rationale
from docgen.documents.selection import Issue
from docgen.plan.calendar import WorkingCalendar
from docgen.plan.milestones import MigrationSchedule
from docgen.plan.states import DATA_EXTRACT_REQUEST
from docgen.records import Batch, Blackout, Contact, Cost, Icb, Migration, Practice, Supplier

#: The roles the current supplier needs to act on a data extract request (the people who
#: arrange the extract and receive it); training, data quality and business change leads
#: and the lead GP are left out: the supplier needs no more personal data than that.
EXTRACT_ROLES = frozenset({"practice manager", "migration project manager", "icb lead", "new supplier"})

#: Working days the ICB gives a supplier to confirm a data extract request.
REPLY_WORKING_DAYS = 5

#: ``dates`` key -> schedule milestone key.
_DATE_KEYS = {
    "business_case": "business_case_approved",
    "order": "order_placed",
    "extract_request": "extract_request_sent",
    "kick_off": "kick_off",
    "survey": "technical_survey",
    "pre_migration": "pre_migration_tasks",
    "idp": "idp",
    "data_checking": "data_checking",
    "data_sign_off": "data_sign_off",
    "cut_over_planning": "cut_over_planning",
    "links_off": "third_party_links_off",
    "fdp": "fdp",
    "go_live": "go_live",
    "legacy_access_end": "legacy_access_ends",
}

_CALENDAR = WorkingCalendar()


def build_context(
    batch: Batch,
    migration: Migration,
    schedule: MigrationSchedule,
    *,
    letter_date: dt.date,
    document: str | None = None,
    locale: str = "en_GB",
    issue: Issue | None = None,
) -> dict:
    """Everything the three templates print for one migration, as a plain picklable dict.

    ``issue`` (see :mod:`docgen.documents.selection`) is the document as this run writes
    it: its own date (a record carries the day its step happened) and its stage. Without
    it, the document is as if due on ``letter_date``.

    Keys (stable: ``docgen templates fields`` lists them with the sample's values):

    - ``letter_date`` (date: the document's own date); ``document``: ``key``, ``title``,
      ``stem`` ("" when no document is given).
    - ``stage``: ``state`` ("due", "done", "not yet", "not applicable"), ``record``
      (bool: a record of a step done, not to be sent again), ``reason``, ``due_by``
      (date or None).
    - ``given``: for each ``dates`` key, True when the workbook gives the date (else it
      is proposed).
    - ``icb``: ``code``, ``name``, ``address_lines`` (list), ``address`` (lines joined
      by newlines), ``sender_name``, ``sender_title``, ``sender_email``, ``sender_phone``.
    - ``practice``: ``name``, ``ods_code``, ``address_lines`` (filled lines 1-3),
      ``town``, ``postcode``, ``full_address_lines`` (lines, town, postcode), ``address``
      (full, newline-joined), ``phone``, ``email``, ``icb_code``, ``icb_name``,
      ``sub_icb_code``, ``list_size`` (int or None).
    - ``migration``: every Migrations column (``migration_id``, ``ods_code``,
      ``current_supplier``, ``current_system``, ``new_supplier``, ``new_system``,
      ``framework``, ``order_reference``, ``reason``, ``business_case_approved``,
      ``order_date``, ``go_live``, ``extract_request_date``, ``idp_date``,
      ``kickoff_date``, ``kickoff_time``, ``kickoff_location``, ``survey_date``,
      ``subsidiary_systems``, ``status``) as entered: blank dates are None.
    - ``supplier_current``, ``supplier_new``: ``name``, ``product``,
      ``extract_contact_name``, ``extract_contact_email``, ``address_lines``,
      ``address``, ``notice_days`` (int or None).
    - ``costs``: list of ``category``, ``description``, ``recurrence``, ``amount``
      (Decimal), ``funding_source``; ``costs_total``, ``one_off_total``,
      ``recurring_total`` (Decimal); ``funding_sources`` (distinct, in order).
    - ``dates``: ``business_case``, ``order``, ``extract_request``, ``kick_off``,
      ``survey``, ``pre_migration``, ``idp``, ``data_checking``, ``data_sign_off``,
      ``cut_over_planning``, ``links_off``, ``fdp``, ``go_live``,
      ``legacy_access_end`` (the schedule's start dates) and ``reply_by`` (the date the
      supplier should confirm the extract request by).
    - ``extract_working_days`` (int): working days from the extract request to IDP;
      ``notice_days`` (int): the working days' notice the current supplier may take.
    - ``funding``: per funding source (in order; "To be agreed" for lines without one),
      ``source``, ``one_off``, ``recurring`` (Decimal, recurring a year);
      ``cost_categories``: the categories of the cost lines, distinct, in order.
    - ``extract_contacts``: the people the current supplier needs to act on the request
      (:data:`EXTRACT_ROLES`); ``copy_to``: who gets a copy of the request, list of
      ``organisation`` and ``email`` (the practice, the new supplier, the IT delivery
      partner), the same list the email draft's Cc is made from.
    - ``subsidiary_systems``: the Migrations cell split into a list (one a line, or
      separated by ``;``), for prose such as "Docman, AccuRx".
    - ``kick_off``: ``date``, ``start``, ``end`` (times), ``minutes``, ``location``,
      ``is_link`` (bool: the location is a video link).
    - ``milestones``: list of ``key``, ``label``, ``start``, ``end``, ``owner``,
      ``given`` (bool: from the workbook, else proposed), ``status`` ("Planned" or
      "Proposed").
    - ``contacts``, ``invitees``: the migration's people (``Batch.contacts_for``, less a
      supplier's staff whose role is the other side of this move), lists of ``role``, ``name``, ``job_title``,
      ``organisation`` (display name), ``organisation_code`` (as entered), ``email``,
      ``phone``, ``invitee``; ``practice_manager``, ``lead_gp``: one such dict (all
      values "" when the practice has none).
    - ``blackouts``: the practice's blackouts (``start``, ``end``, ``reason``).
    - ``go_live_rationale``: a sentence on why the go-live date avoids busy times, or
      an honest note that it needs review; ``schedule_warnings``: list of ``code``,
      ``message``, ``suggestion``.
    - ``it_delivery_partner`` (str); ``settings``: every Settings value.
    """
    if issue is not None:
        letter_date = issue.letter_date
    return _context(_Facts.of(batch, migration, schedule, letter_date, locale), document, issue)


@dataclass(frozen=True)
class _Facts:
    """What a migration's contexts are made of: its records looked up and its dates,
    totals and sentences worked out (immutable, so the documents can share them)."""

    batch: Batch
    migration: Migration
    schedule: MigrationSchedule
    letter_date: dt.date
    locale: str
    practice: Practice
    icb: Icb
    dates: tuple[tuple[str, dt.date | None], ...]
    extract_days: int
    costs: tuple[Cost, ...]
    contacts: tuple[Contact, ...]
    blackouts: tuple[Blackout, ...]
    supplier_current: Supplier | None
    supplier_new: Supplier | None
    kick_time: dt.time
    kick_end: dt.time
    rationale: str
    subsidiary_systems: tuple[str, ...]
    given: dict[str, bool]

    @classmethod
    def of(
        cls, batch: Batch, migration: Migration, schedule: MigrationSchedule, letter_date: dt.date, locale: str
    ) -> _Facts:
        """The facts of this migration: the last ones again when they are asked for the
        same objects (a run builds a migration's three contexts one after the other;
        records are frozen, and holding them means no other object can share their id)."""
        last = _LAST_FACTS[0]
        if (
            last is not None
            and last.batch is batch
            and last.migration is migration
            and last.schedule is schedule
            and last.letter_date == letter_date
            and last.locale == locale
        ):
            return last
        facts = _LAST_FACTS[0] = cls.gather(batch, migration, schedule, letter_date, locale)
        return facts

    @classmethod
    def gather(
        cls, batch: Batch, migration: Migration, schedule: MigrationSchedule, letter_date: dt.date, locale: str
    ) -> _Facts:
        """Look up and work out everything :func:`_context` needs."""
        starts = {m.key: m.start for m in schedule.milestones}
        dates: dict[str, dt.date | None] = {name: starts.get(key) for name, key in _DATE_KEYS.items()}
        go_live = dates["go_live"] or migration.go_live
        dates["go_live"] = go_live
        dates["reply_by"] = _CALENDAR.add_working_days(letter_date, REPLY_WORKING_DAYS)
        extract_days = 0
        if dates["extract_request"] and dates["idp"]:
            extract_days = max(0, _CALENDAR.working_days_between(dates["extract_request"], dates["idp"]))
        practice = batch.practice(migration)
        blackouts = tuple(batch.blackouts_for(practice))
        kick_time = migration.kickoff_time or batch.settings.kickoff_time
        minutes = batch.settings.kickoff_minutes
        return cls(
            batch,
            migration,
            schedule,
            letter_date,
            locale,
            practice,
            batch.icb(migration),
            tuple(dates.items()),
            extract_days,
            tuple(batch.costs_for(migration)),
            tuple(batch.contacts_for(migration)),
            blackouts,
            batch.supplier(migration.current_supplier, migration.current_system),
            batch.supplier(migration.new_supplier, migration.new_system),
            kick_time,
            (dt.datetime.combine(dt.date(2000, 1, 1), kick_time) + dt.timedelta(minutes=minutes)).time(),
            go_live_rationale(go_live, blackouts, schedule.warnings, locale=locale),
            tuple(s.strip() for s in re.split(r"[\n;]", migration.subsidiary_systems) if s.strip()),
            {m.key: m.given for m in schedule.milestones},
        )


def request_dates(schedule: MigrationSchedule, letter_date: dt.date) -> tuple[dt.date, dt.date]:
    """(the request's date, the IDP it asks for) for a data extract request sent on
    ``letter_date``: the plan's IDP (given, or proposed from the planned request) when it
    leaves the supplier its notice, else the first day that does, so the request never
    asks for an IDP inside the notice (the schedule's warnings tell the admin when the
    plan needs its dates moved)."""
    earliest = _CALENDAR.add_working_days(letter_date, schedule.notice_days)
    return letter_date, max(schedule.date("idp"), earliest)


def funding_by_source(costs: list[dict]) -> list[dict]:
    """One-off and recurring totals per funding source, in the order the sources appear."""
    totals: dict[str, dict] = {}
    for c in costs:
        source = c["funding_source"] or "To be agreed"
        entry = totals.setdefault(source, {"source": source, "one_off": Decimal("0"), "recurring": Decimal("0")})
        entry["recurring" if c["recurrence"].casefold() == "recurring" else "one_off"] += c["amount"]
    return list(totals.values())


def copy_to(contacts: list[dict], practice: Practice, migration: Migration, partner: str) -> list[dict]:
    """Who a data extract request is copied to: the practice (its email, else its practice
    manager's), the new supplier (its "New supplier" contact) and the IT delivery partner
    (its migration project manager, else anyone of it), each with an email where known."""

    def email_of(organisation: str, *roles: str) -> str:
        mine = [c for c in contacts if c["organisation_code"].casefold() == organisation.casefold() and c["email"]]
        for role in roles:
            for c in mine:
                if c["role"].casefold() == role:
                    return c["email"]
        return mine[0]["email"] if mine and not roles else ""

    out = [
        {"organisation": practice.name, "email": practice.email or email_of(practice.ods_code, "practice manager")},
        {"organisation": migration.new_supplier, "email": email_of(migration.new_supplier, "new supplier")},
    ]
    if partner:
        out.append(
            {"organisation": partner, "email": email_of(partner, "migration project manager") or email_of(partner)}
        )
    return out


# The facts last built (see _Facts.of).
_LAST_FACTS: list[_Facts | None] = [None]


def _context(facts: _Facts, document: str | None, issue: Issue | None = None) -> dict:
    """One document's context (see :func:`build_context`), all of its own containers."""
    batch, migration, practice, icb = facts.batch, facts.migration, facts.practice, facts.icb
    dates = dict(facts.dates)
    extract_days = facts.extract_days
    record = issue is not None and issue.record
    if document == DATA_EXTRACT_REQUEST and not record:
        sent, idp = request_dates(facts.schedule, facts.letter_date)
        dates["extract_request"], dates["idp"] = sent, idp
        extract_days = _CALENDAR.working_days_between(sent, idp)
    costs = [cost_dict(c) for c in facts.costs]
    contacts = [contact_dict(c, practice, icb) for c in facts.contacts]
    location = migration.kickoff_location.strip()
    return {
        "letter_date": facts.letter_date,
        "document": document_dict(document),
        "stage": {
            "state": str(issue.stage.state) if issue else "due",
            "record": record,
            "reason": issue.stage.reason if issue else "",
            "due_by": issue.stage.due_by if issue else None,
        },
        "given": {name: facts.given.get(key, False) for name, key in _DATE_KEYS.items()},
        "icb": icb_dict(icb),
        "practice": practice_dict(practice, icb),
        # type[Migration] is hashable; mypy confuses the class with its instances' __hash__.
        "migration": {name: getattr(migration, name) for name in migration_fields(type(migration))},  # type: ignore[arg-type]
        "supplier_current": supplier_dict(facts.supplier_current, migration.current_supplier, migration.current_system),
        "supplier_new": supplier_dict(facts.supplier_new, migration.new_supplier, migration.new_system),
        "costs": costs,
        "costs_total": sum((c["amount"] for c in costs), Decimal("0")),
        "one_off_total": sum((c["amount"] for c in costs if c["recurrence"].casefold() != "recurring"), Decimal("0")),
        "recurring_total": sum((c["amount"] for c in costs if c["recurrence"].casefold() == "recurring"), Decimal("0")),
        "funding_sources": list(dict.fromkeys(c["funding_source"] for c in costs if c["funding_source"])),
        "funding": funding_by_source(costs),
        "cost_categories": list(dict.fromkeys(c["category"] for c in costs)),
        "dates": dates,
        "extract_working_days": extract_days,
        "notice_days": facts.schedule.notice_days,
        "subsidiary_systems": list(facts.subsidiary_systems),
        "kick_off": {
            "date": dates["kick_off"],
            "start": facts.kick_time,
            "end": facts.kick_end,
            "minutes": batch.settings.kickoff_minutes,
            "location": location,
            "is_link": location.lower().startswith(("http://", "https://", "www.")),
        },
        "milestones": [milestone_dict(m) for m in facts.schedule.milestones],
        "contacts": contacts,
        "invitees": [c for c in contacts if c["invitee"]],
        "extract_contacts": [c for c in contacts if c["role"].casefold() in EXTRACT_ROLES],
        "copy_to": copy_to(contacts, practice, migration, batch.settings.it_delivery_partner),
        "practice_manager": first_role(contacts, practice, "Practice manager"),
        "lead_gp": first_role(contacts, practice, "Lead GP"),
        "blackouts": [{"start": b.start, "end": b.end, "reason": b.reason} for b in facts.blackouts],
        "go_live_rationale": facts.rationale,
        "schedule_warnings": [
            {"code": w.code, "message": w.message, "suggestion": w.suggestion} for w in facts.schedule.warnings
        ],
        "it_delivery_partner": batch.settings.it_delivery_partner,
        "settings": dict(settings_dict(batch.settings)),
    }
