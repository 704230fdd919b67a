"""The three letters each migration gets: their templates, their context, their file names.

The context is a plain dict of ``str``, ``int``, ``bool``, ``Decimal``, ``datetime.date``,
``datetime.time``, ``None`` and lists/dicts of those (no record objects), so it pickles
cheaply to worker processes and every key a template may use exists, which is what
``StrictUndefined`` needs. A blank text field is ``""`` and a missing date or number is
``None``: templates test them with ``{% if ... %}`` so no letter prints "None".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath

from babel.dates import format_date

from docgen.errors import TemplateError
from docgen.formats.files import safe_name
from docgen.formats.formatting import longdate
from docgen.plan.calendar import WorkingCalendar
from docgen.plan.schedule import MigrationSchedule, Milestone, ScheduleWarning
from docgen.records import (
    Batch,
    Blackout,
    Contact,
    Cost,
    Icb,
    Migration,
    Practice,
    Settings,
    Supplier,
)


@dataclass(frozen=True)
class Document:
    """One kind of letter: its key (used on the command line and in the manifest), its
    template file, its human title and the stem of the file written for each migration."""

    key: str
    template: str
    title: str
    stem: str


#: The letters, in the order the guide sends them.
DOCUMENTS: tuple[Document, ...] = (
    Document(
        "business-justification", "business-justification.docx", "Business justification", "business-justification"
    ),
    Document("data-extract-request", "data-extract-request.docx", "Data extract request", "data-extract-request"),
    Document("kick-off-invitation", "kick-off-invitation.docx", "Kick-off invitation", "kick-off-invitation"),
)

#: Where the default templates live: the package ``docgen.templates``, which pyproject maps
#: to the top-level ``templates/`` folder the admin edits, so a checkout, an editable install
#: and a wheel all read the same files.
DEFAULT_TEMPLATE_DIR = Path(str(resources.files("docgen.templates")))

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


def find_document(key: str) -> Document:
    """The :data:`DOCUMENTS` entry for ``key``, so callers can name a letter by its key."""
    for d in DOCUMENTS:
        if d.key == key:
            return d
    raise KeyError(f"'{key}' is not a document. Choose one of: {', '.join(d.key for d in DOCUMENTS)}.")


def build_context(
    batch: Batch,
    migration: Migration,
    schedule: MigrationSchedule,
    *,
    letter_date: dt.date,
    document: str | None = None,
    locale: str = "en_GB",
) -> dict:
    """Everything the three templates print for one migration, as a plain picklable dict.

    Keys (stable: ``docgen templates fields`` lists them with the sample's values):

    - ``letter_date`` (date); ``document``: ``key``, ``title``, ``stem`` ("" when no
      document is given).
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
    - ``extract_working_days`` (int): working days from the extract request to IDP.
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
    return _context(_Facts.of(batch, migration, schedule, letter_date, locale), document)


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
        )


# The facts last built (see _Facts.of).
_LAST_FACTS: list[_Facts | None] = [None]


def _context(facts: _Facts, document: str | None) -> dict:
    """One document's context (see :func:`build_context`), all of its own containers."""
    batch, migration, practice, icb = facts.batch, facts.migration, facts.practice, facts.icb
    dates = dict(facts.dates)
    costs = [_cost_dict(c) for c in facts.costs]
    contacts = [_contact_dict(c, practice, icb) for c in facts.contacts]
    location = migration.kickoff_location.strip()
    return {
        "letter_date": facts.letter_date,
        "document": _document_dict(document),
        "icb": _icb_dict(icb),
        "practice": _practice_dict(practice, icb),
        # type[Migration] is hashable; mypy confuses the class with its instances' __hash__.
        "migration": {name: getattr(migration, name) for name in _migration_fields(type(migration))},  # type: ignore[arg-type]
        "supplier_current": _supplier_dict(
            facts.supplier_current, migration.current_supplier, migration.current_system
        ),
        "supplier_new": _supplier_dict(facts.supplier_new, migration.new_supplier, migration.new_system),
        "costs": costs,
        "costs_total": sum((c["amount"] for c in costs), Decimal("0")),
        "one_off_total": sum((c["amount"] for c in costs if c["recurrence"].casefold() != "recurring"), Decimal("0")),
        "recurring_total": sum((c["amount"] for c in costs if c["recurrence"].casefold() == "recurring"), Decimal("0")),
        "funding_sources": list(dict.fromkeys(c["funding_source"] for c in costs if c["funding_source"])),
        "dates": dates,
        "extract_working_days": facts.extract_days,
        "subsidiary_systems": list(facts.subsidiary_systems),
        "kick_off": {
            "date": dates["kick_off"],
            "start": facts.kick_time,
            "end": facts.kick_end,
            "minutes": batch.settings.kickoff_minutes,
            "location": location,
            "is_link": location.lower().startswith(("http://", "https://", "www.")),
        },
        "milestones": [_milestone_dict(m) for m in facts.schedule.milestones],
        "contacts": contacts,
        "invitees": [c for c in contacts if c["invitee"]],
        "practice_manager": _first_role(contacts, practice, "Practice manager"),
        "lead_gp": _first_role(contacts, practice, "Lead GP"),
        "blackouts": [{"start": b.start, "end": b.end, "reason": b.reason} for b in facts.blackouts],
        "go_live_rationale": facts.rationale,
        "schedule_warnings": [
            {"code": w.code, "message": w.message, "suggestion": w.suggestion} for w in facts.schedule.warnings
        ],
        "it_delivery_partner": batch.settings.it_delivery_partner,
        "settings": dict(_settings_dict(batch.settings)),
    }


@lru_cache(maxsize=8)
def _migration_fields(cls: type) -> tuple[str, ...]:
    """The Migrations columns, asked of dataclasses once (it walks the class each call)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name != "row")


def go_live_rationale(
    go_live: dt.date, blackouts: tuple[Blackout, ...], warnings: tuple[ScheduleWarning, ...], *, locale: str = "en_GB"
) -> str:
    """One sentence for the business justification on why the go-live date avoids busy
    times, or, when the schedule or a blackout says otherwise, that it needs review."""
    return _rationale(go_live, tuple(blackouts), tuple(warnings), locale)


# A batch's migrations share blackouts and each is asked for three letters: remember.
@lru_cache(maxsize=4096)
def _rationale(
    go_live: dt.date, blackouts: tuple[Blackout, ...], warnings: tuple[ScheduleWarning, ...], locale: str
) -> str:
    day = _long(go_live, locale)
    concerns = [_sentence(w.message, locale) for w in warnings if w.column == "go_live" or go_live in w.dates]
    concerns += [
        f"It falls within {b.reason} ({_span(b.start, b.end, locale)})."
        for b in blackouts
        if b.start <= go_live <= b.end and not any(b.reason in c for c in concerns)
    ]
    if concerns:
        return f"The provisional go-live date of {day} needs review before it is agreed. {' '.join(concerns)}"
    # Busy times near the go-live are the ones worth naming; a long list helps nobody.
    near = sorted(
        (
            b
            for b in blackouts
            if b.end >= go_live - dt.timedelta(days=183) and b.start <= go_live + dt.timedelta(days=183)
        ),
        key=lambda b: b.start,
    )[:4]
    if not near:
        return (
            f"No busy periods or blackout dates are recorded for the practice around the provisional go-live "
            f"date of {day}, and the schedule checks found no clash. The practice should confirm that the date "
            f"avoids local busy times and staff training or leave."
        )
    names = [f"{b.reason} ({_span(b.start, b.end, locale)})" for b in near]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"The provisional go-live date of {day} avoids the busy times recorded for the practice: {listed}. "
        f"The practice should confirm that it also avoids staff training and annual leave."
    )


def output_relpath(batch: Batch, migration: Migration, document: Document | str, used: set) -> PurePosixPath:
    """``<ICB code>/<ODS code> <practice name>/<stem>.docx``, safe on Windows and Linux and
    unique within ``used`` (compared ignoring case, as Windows does); the result is added
    to ``used`` so the next call in the batch cannot take it."""
    doc = document if isinstance(document, Document) else find_document(document)
    practice = batch.practice(migration)
    folder = f"{_safe_name(practice.icb_code)}/{_safe_name(f'{practice.ods_code} {practice.name}')}"
    stem = _safe_name(doc.stem, 95)  # 95 + ".docx": at most 100 characters
    n = 0
    while True:
        if n == 0:
            name = stem
        else:  # two migrations of one practice share its folder: the second gets its id
            with_id = _safe_name(f"{stem} {migration.migration_id}", 95)
            name = with_id if n == 1 else f"{with_id[: 95 - len(f' ({n})')]} ({n})"
        path = f"{folder}/{name}.docx"  # as PurePosixPath joins them: safe names hold no "/"
        key = path.casefold()
        if key not in used:
            used.add(key)
            return PurePosixPath(path)
        n += 1


# The three documents of a migration share their folder names, and the whole batch its
# ICB folders and file stems: each name is made safe once (safe_name is pure).
_safe_name = lru_cache(maxsize=4096)(safe_name)


def resolve_templates(template_dir: Path | None) -> dict[str, Path]:
    """Each document's template: the admin's edited copy in ``template_dir`` when there is
    one, else the default shipped in the repository's ``templates/`` folder."""
    if template_dir is not None and not Path(template_dir).is_dir():
        raise TemplateError(
            "The templates folder does not exist. Give --templates a folder holding edited copies "
            f"({', '.join(d.template for d in DOCUMENTS)}), or leave it out to use the defaults.",
            template=str(template_dir),
        )
    paths: dict[str, Path] = {}
    for d in DOCUMENTS:
        own = Path(template_dir) / d.template if template_dir is not None else None
        if own is not None and own.is_file():
            paths[d.key] = own
            continue
        default = DEFAULT_TEMPLATE_DIR / d.template
        if not default.is_file():
            raise TemplateError(
                f"The default template is missing from {DEFAULT_TEMPLATE_DIR}. Rebuild it with `make templates` "
                "or reinstall docgen.",
                template=d.template,
            )
        paths[d.key] = default
    return paths


def example_context(document: str | None = None) -> dict:
    """A fully populated context from a small in-code batch, for ``docgen templates
    check`` and ``docgen templates fields`` (every optional field is filled)."""
    batch, migration, schedule = example_batch()
    return build_context(batch, migration, schedule, letter_date=dt.date(2026, 2, 2), document=document)


def example_batch() -> tuple[Batch, Migration, MigrationSchedule]:
    """The sample behind :func:`example_context`: one ICB, practice and migration with
    every optional field filled, and its schedule written out date by date."""
    icb = Icb(
        "QHM",
        "NHS North East and North Cumbria Integrated Care Board",
        ("Pemberton House", "Colima Avenue", "Sunderland", "SR5 3XB"),
        "Alex Morgan",
        "Primary Care Digital Lead",
        "alex.morgan@nhs.net",
        "0191 123 4567",
    )
    practice = Practice(
        "A81001",
        "Riverside Medical Practice",
        ("Riverside House", "12 Bridge Road"),
        "Stockton-on-Tees",
        "TS18 1HU",
        "QHM",
        phone="01642 000 111",
        email="riverside.practice@nhs.net",
        sub_icb_code="16C",
        list_size=9850,
    )
    migration = Migration(
        "MIG-001",
        "A81001",
        "Optum",
        "EMIS Web",
        "TPP",
        "SystmOne",
        "To share one clinical record with the neighbouring practices of the primary care network\n"
        "and to use the community services already on SystmOne.",
        dt.date(2026, 6, 9),
        "Ordered",
        framework="Tech Innovation Framework",
        order_reference="C012345-01",
        business_case_approved=dt.date(2026, 1, 26),
        order_date=dt.date(2026, 2, 16),
        extract_request_date=dt.date(2026, 2, 18),
        idp_date=dt.date(2026, 3, 11),
        kickoff_date=dt.date(2026, 3, 2),
        kickoff_time=dt.time(10, 0),
        kickoff_location="https://teams.microsoft.com/l/meetup-join/riverside-kick-off",
        survey_date=dt.date(2026, 3, 5),
        subsidiary_systems="Docman\nAccuRx\nFrontdesk",
    )
    contacts = (
        Contact(
            "A81001", "Practice manager", "Priya Shah", "Practice Manager", "priya.shah@nhs.net", "01642 000 112", True
        ),
        Contact("A81001", "Lead GP", "Dr Tom Ellis", "GP Partner", "tom.ellis@nhs.net", "01642 000 113", True),
        Contact(
            "QHM", "ICB lead", "Alex Morgan", "Primary Care Digital Lead", "alex.morgan@nhs.net", "0191 123 4567", True
        ),
        Contact(
            "TPP", "New supplier", "Sam Carter", "Deployment Manager", "sam.carter@tpp-uk.com", "0113 000 0000", True
        ),
        Contact(
            "North East Digital Partnership",
            "Migration project manager",
            "Jo Baker",
            "Project Manager",
            "jo.baker@nhs.net",
            "0191 000 2222",
            True,
        ),
        Contact(
            "North East Digital Partnership",
            "Training lead",
            "Chris Lee",
            "Training Lead",
            "chris.lee@nhs.net",
            "",
            False,
        ),
    )
    suppliers = (
        Supplier(
            "Optum",
            "EMIS Web",
            "Data Migration Team",
            "migrations@optum.example",
            ("1 Example Park", "Leeds", "LS1 4AP"),
            15,
        ),
        Supplier(
            "TPP",
            "SystmOne",
            "Migrations Desk",
            "migrations@tpp.example",
            ("2 Example Court", "Horsforth", "Leeds", "LS18 5PX"),
        ),
    )
    costs = (
        Cost(
            "MIG-001",
            "Training",
            "Clinical and admin staff training (6 days)",
            Decimal("4200.00"),
            "One-off",
            "ICB revenue",
        ),
        Cost(
            "MIG-001",
            "Hardware",
            "Smartcard readers and two replacement PCs",
            Decimal("1850.50"),
            "One-off",
            "ICB capital",
        ),
        Cost(
            "MIG-001",
            "Third party",
            "Docman re-configuration for SystmOne",
            Decimal("750.00"),
            "One-off",
            "ICB revenue",
        ),
        Cost("MIG-001", "Software", "Electronic form templates licence", Decimal("320.00"), "Recurring", "ICB revenue"),
    )
    blackouts = (
        Blackout(dt.date(2026, 1, 1), dt.date(2026, 3, 31), "the QOF year end", "All"),
        Blackout(dt.date(2026, 4, 2), dt.date(2026, 4, 7), "Easter", "All"),
        Blackout(dt.date(2026, 8, 1), dt.date(2026, 8, 31), "August leave", "A81001"),
    )
    batch = Batch(
        settings=Settings(letter_date=dt.date(2026, 2, 2), it_delivery_partner="North East Digital Partnership"),
        icbs=(icb,),
        practices=(practice,),
        migrations=(migration,),
        contacts=contacts,
        suppliers=suppliers,
        costs=costs,
        blackouts=blackouts,
        source="example",
    )
    days = {
        "business_case_approved": (dt.date(2026, 1, 26),) * 2,
        "order_placed": (dt.date(2026, 2, 16),) * 2,
        "extract_request_sent": (dt.date(2026, 2, 18),) * 2,
        "kick_off": (dt.date(2026, 3, 2),) * 2,
        "technical_survey": (dt.date(2026, 3, 5),) * 2,
        "pre_migration_tasks": (dt.date(2026, 3, 6), dt.date(2026, 3, 19)),
        "idp": (dt.date(2026, 3, 11),) * 2,
        "data_checking": (dt.date(2026, 3, 12), dt.date(2026, 4, 1)),
        "data_sign_off": (dt.date(2026, 4, 8), dt.date(2026, 4, 10)),
        "cut_over_planning": (dt.date(2026, 4, 30),) * 2,
        "third_party_links_off": (dt.date(2026, 5, 28),) * 2,
        "fdp": (dt.date(2026, 5, 29),) * 2,
        "go_live": (dt.date(2026, 6, 9),) * 2,
        "legacy_access_ends": (dt.date(2026, 9, 7),) * 2,
    }
    given = {
        "business_case_approved",
        "order_placed",
        "extract_request_sent",
        "kick_off",
        "technical_survey",
        "idp",
        "go_live",
    }
    from docgen.plan.schedule import MILESTONES

    schedule = MigrationSchedule(
        "MIG-001",
        tuple(Milestone(key, label, *days[key], owner, key in given) for key, label, owner in MILESTONES),
    )
    return batch, migration, schedule


# -- helpers -------------------------------------------------------------------------


def _document_dict(key: str | None) -> dict:
    if key is None:
        return {"key": "", "title": "", "stem": ""}
    d = find_document(key)
    return {"key": d.key, "title": d.title, "stem": d.stem}


def _milestone_dict(m: Milestone) -> dict:
    return {
        "key": m.key,
        "label": m.label,
        "start": m.start,
        "end": m.end,
        "owner": m.owner,
        "given": m.given,
        "status": "Planned" if m.given else "Proposed",
    }


def _icb_dict(icb: Icb) -> dict:
    return {
        "code": icb.code,
        "name": icb.name,
        "address_lines": list(icb.address),
        "address": "\n".join(icb.address),
        "sender_name": icb.sender_name,
        "sender_title": icb.sender_title,
        "sender_email": icb.sender_email,
        "sender_phone": icb.sender_phone,
    }


def _practice_dict(practice: Practice, icb: Icb) -> dict:
    full = [line for line in practice.full_address if line]
    return {
        "name": practice.name,
        "ods_code": practice.ods_code,
        "address_lines": [line for line in practice.address if line],
        "town": practice.town,
        "postcode": practice.postcode,
        "full_address_lines": full,
        "address": "\n".join(full),
        "phone": practice.phone,
        "email": practice.email,
        "icb_code": practice.icb_code,
        "icb_name": icb.name,
        "sub_icb_code": practice.sub_icb_code,
        "list_size": practice.list_size,
    }


def _supplier_dict(supplier: Supplier | None, name: str, product: str) -> dict:
    s = supplier or Supplier(name, product)
    return {
        "name": name,
        "product": product,
        "extract_contact_name": s.extract_contact_name,
        "extract_contact_email": s.extract_contact_email,
        "address_lines": list(s.address),
        "address": "\n".join(s.address),
        "notice_days": s.notice_days,
    }


def _cost_dict(cost: Cost) -> dict:
    return {
        "category": cost.category,
        "description": cost.description,
        "recurrence": cost.recurrence,
        "amount": Decimal(cost.amount),
        "funding_source": cost.funding_source,
    }


def _contact_dict(contact: Contact, practice: Practice, icb: Icb) -> dict:
    code = contact.organisation.strip()
    names = {practice.ods_code.casefold(): practice.name, icb.code.casefold(): icb.name}
    return {
        "role": contact.role,
        "name": contact.name,
        "job_title": contact.job_title,
        "organisation": names.get(code.casefold(), code),
        "organisation_code": code,
        "email": contact.email,
        "phone": contact.phone,
        "invitee": contact.invitee,
    }


_NOBODY = {
    "role": "",
    "name": "",
    "job_title": "",
    "organisation": "",
    "organisation_code": "",
    "email": "",
    "phone": "",
    "invitee": False,
}


def _first_role(contacts: list[dict], practice: Practice, role: str) -> dict:
    for c in contacts:
        if (
            c["role"].casefold() == role.casefold()
            and c["organisation_code"].casefold() == practice.ods_code.casefold()
        ):
            return dict(c)
    return dict(_NOBODY)


_SHORT_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


def _sentence(text: str, locale: str) -> str:
    """A schedule warning as a sentence of a letter: its dd/mm/yyyy dates (written for
    the workbook) in the letters' long form."""
    text = _SHORT_DATE.sub(lambda m: _long(dt.date(int(m[3]), int(m[2]), int(m[1])), locale), text.strip())
    return text if text.endswith((".", "!", "?")) else text + "."


def _long(d: dt.date, locale: str) -> str:
    return longdate(d, locale=locale)


@lru_cache(maxsize=1024)
def _settings_dict(settings: Settings) -> dict:
    return dataclasses.asdict(settings)


@lru_cache(maxsize=4096)
def _span(start: dt.date, end: dt.date, locale: str) -> str:
    if start == end:
        return _long(start, locale)
    if (start.year, start.month) == (end.year, end.month):
        return f"{format_date(start, 'd', locale=locale)} to {_long(end, locale)}"
    if start.year == end.year:
        return f"{format_date(start, 'd MMMM', locale=locale)} to {_long(end, locale)}"
    return f"{_long(start, locale)} to {_long(end, locale)}"
