"""A small, fully filled batch in code, for ``docgen templates fields`` and the template
check: every optional field has a value, so every placeholder a template may use exists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from docgen.documents.context import build_context
from docgen.plan.milestones import MILESTONES, MigrationSchedule, Milestone
from docgen.records import Batch, Blackout, Contact, Cost, Icb, Migration, Practice, Settings, Supplier


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
    schedule = MigrationSchedule(
        "MIG-001",
        tuple(Milestone(key, label, *days[key], owner, key in given) for key, label, owner in MILESTONES),
    )
    return batch, migration, schedule
