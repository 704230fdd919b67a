"""A realistic, fictional batch for one ICB: the sample ``inputs/migrations.xlsx``.

Every name, code, address, phone number and email is made up: ODS codes ``Y900nn``, the
ICB ``QXY``, postcodes in the unused ``WB`` area, phone numbers from Ofcom's ranges kept
for drama (01632 960xxx), email domains ending ``.example``. ``scripts/make_sample.py``
writes it; a test checks the file in ``inputs/`` still equals :func:`sample_batch`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from docgen.records import Batch, Blackout, Contact, Cost, Icb, Migration, Practice, Settings, Supplier
from docgen.workbook import schema
from docgen.workbook.starter import busy_periods

D = dt.date
TODAY = D(2026, 11, 23)  # the day the sample was written; its busy periods start this year
ICB_CODE = "QXY"
PARTNER = "Dale Digital Partnership"
#: The day the sample is judged on (its Settings "As-at date").
AS_AT = D(2026, 11, 23)
TIF = "Tech Innovation Framework"

# ODS, name, address lines, town, postcode, sub-ICB, list size
_PRACTICES = (
    ("Y90001", "Riverside Medical Centre", ("14 Riverside Walk",), "Westbrook", "WB1 2AD", "W1B", 11240),
    ("Y90002", "St Mary's Surgery", ("2 Church Lane",), "Westbrook", "WB1 4HQ", "W1B", 7385),
    (
        "Y90003",
        "Harris & Patel Practice",
        ("Unit 3, Foundry Court", "Mill Street"),
        "Westbrook",
        "WB2 7LS",
        "W1B",
        9120,
    ),
    ("Y90004", "The Dale Health Centre", ("Dale Road",), "Dalebridge", "WB7 1NE", "W2D", 15480),
    ("Y90005", "Meddygfa Tŷ Gwyn", ("Heol y Bont",), "Llanfair Dale", "WB9 3TW", "W3W", 4210),
    ("Y90006", "Westbrook Family Practice", ("88 Queen Street",), "Westbrook", "WB3 5EF", "W1B", 12950),
    ("Y90007", "O'Connor & Partners", ("The Old Library", "21 Market Place"), "Ashby Dale", "WB8 2RP", "W2D", 6730),
    ("Y90008", "Millbrook Surgery", ("5 Millbrook Avenue",), "Millbrook", "WB5 9JG", "W2D", 5890),
    ("Y90009", "Kingsway Medical Practice", ("201 Kingsway",), "Westbrook", "WB4 6BB", "W1B", 14020),
    ("Y90010", "Abbey Fields Surgery", ("Abbey Fields",), "Dalebridge", "WB7 4QU", "W2D", 8310),
    (
        "Y90011",
        "Castle View Medical Group",
        ("Castle Hill Health Campus", "Castle Hill"),
        "Westbrook",
        "WB2 1XA",
        "W1B",
        21760,
    ),
    ("Y90012", "Fenwick Lane Surgery", ("47 Fenwick Lane",), "Millbrook", "WB5 3DN", "W2D", 4475),
    ("Y90013", "Oakwood & Ashby Health Centre", ("Oakwood Way",), "Ashby Dale", "WB8 6SH", "W2D", 10690),
    ("Y90014", "The Old Mill Surgery", ("Mill Race Yard",), "Millbrook", "WB6 2PL", "W2D", 6020),
    ("Y90015", "Meddygfa'r Waun", ("Stryd Fawr",), "Llanfair Dale", "WB9 5GY", "W3W", 3880),
    ("Y90016", "Northgate Medical Centre", ("3 Northgate",), "Westbrook", "WB3 8ZT", "W1B", 13305),
    ("Y90017", "Brookside Surgery", ("Brookside", "Lower Green"), "Dalebridge", "WB7 8AW", "W2D", 7150),
    ("Y90018", "Dr Ahmed's Practice", ("12 Station Approach",), "Westbrook", "WB4 2HH", "W1B", 3560),
    ("Y90019", "Station Road Surgery", ("60 Station Road",), "Ashby Dale", "WB8 4LT", "W2D", 8840),
    (
        "Y90020",
        "Parkside Medical Practice <Branch Site>",
        ("Parkside Clinic", "Park Road"),
        "Millbrook",
        "WB6 7RR",
        "W2D",
        2940,
    ),
    ("Y90021", "Queensway Health Centre", ("Queensway",), "Westbrook", "WB1 9PF", "W1B", 16610),
    ("Y90022", "Elm Tree Surgery", ("9 Elm Tree Close",), "Dalebridge", "WB7 3UJ", "W2D", 5230),
    ("Y90023", "Church View Practice", ("Church View", "Vicarage Road"), "Ashby Dale", "WB8 1BS", "W2D", 9475),
    ("Y90024", "Hilltop & Valley Medical Group", ("Hilltop Health Centre",), "Llanfair Dale", "WB9 8NN", "W3W", 11830),
    (
        "Y90025",
        "Greenfields Practice",
        ("Greenfields Health Centre", "Orchard Way"),
        "Westbrook",
        "WB2 4NZ",
        "W1B",
        8045,
    ),
)

_REASONS = {
    "Vision": "Cegedim's future support for Vision in England is uncertain; the practice needs a supported "
    "Foundation solution before the contract ends.",
    "share": "To share one record with the neighbouring practices in its primary care network, which all use {new}.",
    "cloud": "The practice wants a cloud-hosted system with remote access for its new hub and home-working clinicians.",
    "merger": "The practice is merging with a partner practice that uses {new}; one system is needed from day one.",
    "community": "Better integration with the community nursing and care home teams, who use {new}.",
    "usability": "Clinicians and staff report the current system is slow for their workflows; {new} was preferred "
    "after a structured evaluation.",
}

# id, ODS, current (supplier, system), new (supplier, system), reason key, status, go-live,
# then optional dates: business case approved, order, extract request, IDP, kick-off, kick-off time, survey
_MIGRATIONS = (
    (
        "MIG-001",
        "Y90003",
        ("Cegedim", "Vision"),
        ("Optum", "EMIS Web"),
        "Vision",
        "In progress",
        D(2027, 1, 12),
        dict(
            business_case_approved=D(2026, 8, 24),
            order_date=D(2026, 9, 28),
            extract_request_date=D(2026, 9, 30),
            idp_date=D(2026, 11, 17),
            kickoff_date=D(2026, 10, 13),
            kickoff_time=dt.time(10, 0),
            survey_date=D(2026, 10, 16),
            order_reference="C123456-01",
        ),
    ),
    (
        "MIG-002",
        "Y90005",
        ("Cegedim", "Vision"),
        ("TPP", "SystmOne"),
        "Vision",
        "Kick-off held",
        D(2027, 2, 2),
        dict(
            business_case_approved=D(2026, 9, 14),
            order_date=D(2026, 10, 19),
            extract_request_date=D(2026, 10, 21),
            kickoff_date=D(2026, 11, 10),
            kickoff_time=dt.time(14, 0),
            order_reference="C123511-01",
        ),
    ),
    (
        "MIG-003",
        "Y90001",
        ("Optum", "EMIS Web"),
        ("Medicus Health", "Medicus"),
        "cloud",
        "Extract requested",
        D(2027, 2, 16),
        dict(
            business_case_approved=D(2026, 10, 5),
            order_date=D(2026, 11, 2),
            extract_request_date=D(2026, 11, 4),
            order_reference="C123587-01",
        ),
    ),
    (
        "MIG-004",
        "Y90004",
        ("TPP", "SystmOne"),
        ("Optum", "EMIS Web"),
        "merger",
        "Ordered",
        D(2027, 2, 24),
        dict(
            business_case_approved=D(2026, 10, 12),
            order_date=D(2026, 11, 16),
            order_reference="C123640-01",
            kickoff_location="The Dale Health Centre, seminar room",
        ),
    ),
    (
        "MIG-005",
        "Y90007",
        ("Optum", "EMIS Web"),
        ("TPP", "SystmOne"),
        "share",
        "Ordered",
        D(2027, 3, 2),
        dict(business_case_approved=D(2026, 10, 19), order_date=D(2026, 11, 18), order_reference="C123655-01"),
    ),
    (
        "MIG-006",
        "Y90009",
        ("TPP", "SystmOne"),
        ("Medicus Health", "Medicus"),
        "cloud",
        "Planning",
        D(2027, 4, 13),
        dict(business_case_approved=D(2026, 11, 9)),
    ),
    ("MIG-007", "Y90010", ("Optum", "EMIS Web"), ("TPP", "SystmOne"), "community", "Planning", D(2027, 4, 20), {}),
    (
        "MIG-008",
        "Y90011",
        ("Optum", "EMIS Web"),
        ("Medicus Health", "Medicus"),
        "usability",
        "Planning",
        D(2027, 5, 11),
        {},
    ),
    (
        "MIG-009",
        "Y90012",
        ("Cegedim", "Vision"),
        ("Microtest", "Evolution"),
        "Vision",
        "Planning",
        D(2027, 5, 18),
        dict(kickoff_location="Fenwick Lane Surgery, meeting room 2"),
    ),
    ("MIG-010", "Y90013", ("TPP", "SystmOne"), ("Optum", "EMIS Web"), "merger", "Planning", D(2027, 6, 8), {}),
    ("MIG-011", "Y90014", ("Optum", "EMIS Web"), ("TPP", "SystmOne"), "share", "Planning", D(2027, 6, 15), {}),
    ("MIG-012", "Y90015", ("Cegedim", "Vision"), ("Optum", "EMIS Web"), "Vision", "Planning", D(2027, 6, 22), {}),
    (
        "MIG-013",
        "Y90016",
        ("Optum", "EMIS Web"),
        ("Medicus Health", "Medicus"),
        "cloud",
        "Planning",
        D(2027, 7, 6),
        dict(kickoff_location="https://meet.example/qxy-mig-013"),
    ),
    ("MIG-014", "Y90017", ("TPP", "SystmOne"), ("Optum", "EMIS Web"), "usability", "Planning", D(2027, 7, 13), {}),
    (
        "MIG-015",
        "Y90018",
        ("Optum", "EMIS Web"),
        ("Microtest", "Evolution"),
        "usability",
        "On hold",
        D(2027, 9, 14),
        {},
    ),
    ("MIG-016", "Y90019", ("Optum", "EMIS Web"), ("TPP", "SystmOne"), "community", "Planning", D(2027, 9, 21), {}),
    ("MIG-017", "Y90020", ("TPP", "SystmOne"), ("Medicus Health", "Medicus"), "cloud", "Planning", D(2027, 9, 28), {}),
    ("MIG-018", "Y90021", ("Optum", "EMIS Web"), ("TPP", "SystmOne"), "share", "Planning", D(2027, 10, 12), {}),
    ("MIG-019", "Y90022", ("Cegedim", "Vision"), ("TPP", "SystmOne"), "Vision", "Planning", D(2027, 10, 19), {}),
    ("MIG-020", "Y90023", ("TPP", "SystmOne"), ("Optum", "EMIS Web"), "merger", "Cancelled", D(2027, 11, 2), {}),
    (
        "MIG-021",
        "Y90024",
        ("Optum", "EMIS Web"),
        ("Medicus Health", "Medicus"),
        "cloud",
        "Planning",
        D(2027, 11, 9),
        {},
    ),
    ("MIG-022", "Y90025", ("Cegedim", "Vision"), ("Optum", "EMIS Web"), "Vision", "Planning", D(2027, 11, 16), {}),
    (
        "MIG-023",
        "Y90002",
        ("Optum", "EMIS Web"),
        ("TPP", "SystmOne"),
        "share",
        "Live",
        D(2026, 11, 10),
        dict(
            business_case_approved=D(2026, 6, 8),
            order_date=D(2026, 7, 27),
            extract_request_date=D(2026, 7, 29),
            idp_date=D(2026, 9, 15),
            kickoff_date=D(2026, 8, 4),
            kickoff_time=dt.time(9, 30),
            survey_date=D(2026, 8, 6),
            order_reference="C122904-01",
        ),
    ),
)

_SUBSIDIARY = {
    "MIG-001": "Docman; AccuRx; Ardens templates",
    "MIG-003": "Docman; iGPR",
    "MIG-004": "AccuRx; Ardens templates",
    "MIG-008": "Docman; AccuRx",
    "MIG-011": "EMIS Online Triage",
}

_FIRST = (
    "Sarah",
    "James",
    "Priya",
    "Tom",
    "Aisha",
    "David",
    "Emma",
    "Rhys",
    "Olivia",
    "Mohammed",
    "Claire",
    "Gareth",
    "Hannah",
    "Sanjay",
    "Lucy",
    "Owen",
    "Grace",
    "Imran",
    "Megan",
    "Daniel",
    "Chloe",
    "Dewi",
    "Fatima",
    "Ben",
    "Niamh",
)
_LAST = (
    "Thompson",
    "Evans",
    "Shah",
    "Wright",
    "Khan",
    "Roberts",
    "Hughes",
    "Jones",
    "Clarke",
    "Iqbal",
    "Walsh",
    "Pritchard",
    "Lewis",
    "Mistry",
    "Bennett",
    "Morgan",
    "O'Neill",
    "Hussain",
    "Davies",
    "Fletcher",
    "Ward",
    "Llewellyn",
    "Begum",
    "Turner",
    "Doyle",
)


def _phone(n: int) -> str:
    return f"01632 960{n:03d}"


def _email(name: str, domain: str) -> str:
    return name.lower().replace("'", "").replace(" ", ".").replace("dr.", "") + "@" + domain


def _settings() -> Settings:
    # A fixed as-at date keeps the sample meaningful as it ages: it always shows documents
    # due, done and not yet (a real workbook leaves it blank: the day of the run).
    return Settings(it_delivery_partner=PARTNER, as_at_date=AS_AT)


def _icbs() -> tuple[Icb, ...]:
    return (
        Icb(
            ICB_CODE,
            "NHS Westbrook and Dale Integrated Care Board",
            ("Westbrook House", "12 Riverside Way", "Westbrook", "WB1 4QT"),
            "Dr Helen Marsh",
            "Director of Primary Care and Digital",
            "helen.marsh@nhs.example",
            "01632 960100",
        ),
    )


def _practices() -> tuple[Practice, ...]:
    out = []
    for i, (ods, name, address, town, postcode, sub_icb, size) in enumerate(_PRACTICES, start=1):
        slug = ods.lower()
        out.append(
            Practice(
                ods,
                name,
                address,
                town,
                postcode,
                ICB_CODE,
                phone=_phone(100 + i * 3),
                email=f"{slug}.admin@nhs.example",
                sub_icb_code=sub_icb,
                list_size=size,
            )
        )
    return tuple(out)


def _migrations() -> tuple[Migration, ...]:
    out = []
    for mid, ods, (cur_s, cur_p), (new_s, new_p), reason, status, go_live, extra in _MIGRATIONS:
        extra = dict(extra)
        out.append(
            Migration(
                migration_id=mid,
                ods_code=ods,
                current_supplier=cur_s,
                current_system=cur_p,
                new_supplier=new_s,
                new_system=new_p,
                reason=_REASONS[reason].format(new=new_p),
                go_live=go_live,
                status=status,
                framework=TIF,
                subsidiary_systems=_SUBSIDIARY.get(mid, ""),
                kickoff_location=extra.pop("kickoff_location", "")
                or (f"https://teams.example/meet/{mid.lower()}" if extra.get("kickoff_date") else ""),
                **extra,
            )
        )
    return tuple(out)


def _contacts(practices: tuple[Practice, ...], migrations: tuple[Migration, ...]) -> tuple[Contact, ...]:
    migrating = {m.ods_code for m in migrations}
    out: list[Contact] = []
    for i, p in enumerate(practices):
        domain = "nhs.example"
        pm = f"{_FIRST[i]} {_LAST[i]}"
        out.append(
            Contact(
                p.ods_code,
                "Practice manager",
                pm,
                "Practice Manager",
                _email(pm, domain),
                _phone(300 + i),
                invitee=p.ods_code in migrating,
            )
        )
        if p.ods_code in migrating:
            gp = f"Dr {_FIRST[-1 - i]} {_LAST[(i + 7) % len(_LAST)]}"
            out.append(
                Contact(p.ods_code, "Lead GP", gp, "GP Partner", _email(gp, domain), _phone(400 + i), invitee=True)
            )
    out += [
        Contact(
            ICB_CODE,
            "ICB lead",
            "Karen Whitfield",
            "Primary Care Digital Lead",
            "karen.whitfield@nhs.example",
            "01632 960110",
            invitee=True,
        ),
        Contact(
            ICB_CODE,
            "ICB lead",
            "Marcus Reid",
            "Digital Programme Manager",
            "marcus.reid@nhs.example",
            "01632 960111",
            invitee=False,
        ),
        Contact(
            PARTNER,
            "Migration project manager",
            "Joanne Ellis",
            "Migration Project Manager",
            "joanne.ellis@daledigital.example",
            "01632 960120",
            invitee=True,
        ),
        Contact(
            PARTNER,
            "IT delivery partner",
            "Steve Barker",
            "Technical Services Lead",
            "steve.barker@daledigital.example",
            "01632 960121",
            invitee=True,
        ),
        Contact(
            PARTNER,
            "Training lead",
            "Ruth Ogunleye",
            "Clinical Systems Trainer",
            "ruth.ogunleye@daledigital.example",
            "01632 960122",
            invitee=False,
        ),
        Contact(
            PARTNER,
            "Data quality lead",
            "Anil Varma",
            "Data Quality Facilitator",
            "anil.varma@daledigital.example",
            "01632 960123",
            invitee=False,
        ),
        Contact(
            "Optum",
            "New supplier",
            "Laura Finch",
            "Migration Manager",
            "laura.finch@optum-sample.example",
            "020 7946 0101",
            invitee=True,
        ),
        Contact(
            "Optum",
            "Current supplier",
            "Data Migration Team",
            "",
            "gp.migrations@optum-sample.example",
            "020 7946 0102",
            invitee=False,
        ),
        Contact(
            "TPP",
            "New supplier",
            "Chris Holden",
            "Deployment Manager",
            "chris.holden@tpp-sample.example",
            "0113 496 0201",
            invitee=True,
        ),
        Contact("TPP", "Current supplier", "Data Extracts Desk", "", "extracts@tpp-sample.example", "0113 496 0202"),
        Contact(
            "Cegedim",
            "Current supplier",
            "Vision Migrations Team",
            "",
            "vision.migrations@cegedim-sample.example",
            "0118 496 0301",
        ),
        Contact(
            "Medicus Health",
            "New supplier",
            "Nadia Rahman",
            "Implementation Lead",
            "nadia.rahman@medicus-sample.example",
            "0161 496 0401",
            invitee=True,
        ),
        Contact(
            "Microtest",
            "New supplier",
            "Peter Trelawny",
            "Customer Implementation Manager",
            "peter.trelawny@microtest-sample.example",
            "01632 960501",
            invitee=True,
        ),
    ]
    return tuple(out)


def _suppliers() -> tuple[Supplier, ...]:
    details = {
        "Optum": (
            "GP Migrations Team",
            "gp.migrations@optum-sample.example",
            ("Optum (sample address)", "1 Example Park", "Leeds", "LS1 1AA"),
            15,
        ),
        "TPP": (
            "Data Extracts Desk",
            "extracts@tpp-sample.example",
            ("TPP (sample address)", "2 Example Mills", "Leeds", "LS2 2BB"),
            15,
        ),
        "Cegedim": (
            "Vision Migrations Team",
            "vision.migrations@cegedim-sample.example",
            ("Cegedim (sample address)", "3 Example Court", "Reading", "RG1 3DD"),
            15,
        ),
        "Medicus Health": (
            "Onboarding Team",
            "onboarding@medicus-sample.example",
            ("Medicus Health (sample address)", "4 Example Works", "Manchester", "M1 4DD"),
            10,
        ),
        "Microtest": (
            "Migration Services",
            "migrations@microtest-sample.example",
            ("Microtest (sample address)", "5 Example Quay", "Bodmin", "PL31 5EE"),
            15,
        ),
    }
    return tuple(Supplier(s, p, *details[s]) for s, p in schema.DEFAULT_SUPPLIERS)


def _costs(migrations: tuple[Migration, ...]) -> tuple[Cost, ...]:
    out: list[Cost] = []
    for i, m in enumerate(migrations):
        if m.status == "Cancelled":
            continue
        staff = 6 + i % 5
        out.append(
            Cost(
                m.migration_id,
                "Training",
                f"End-user training on {m.new_system}, {staff} sessions",
                Decimal(staff * 287) + Decimal("0.50"),
                "One-off",
                "ICB revenue",
            )
        )
        out.append(
            Cost(
                m.migration_id,
                "Migration service",
                "IT delivery partner project management and go-live floorwalking",
                Decimal("3450.00") + Decimal(i * 25),
                "One-off",
                "ICB revenue",
            )
        )
        if i % 3 == 0:
            out.append(
                Cost(
                    m.migration_id,
                    "Hardware",
                    "Smartcard readers and document scanners",
                    Decimal("1249.99"),
                    "One-off",
                    "ICB capital",
                )
            )
        if m.new_system == "Medicus":
            out.append(
                Cost(
                    m.migration_id,
                    "Software",
                    "Cloud document management licence",
                    Decimal("1890.00"),
                    "Recurring",
                    "Practice",
                )
            )
        if m.subsidiary_systems:
            out.append(
                Cost(
                    m.migration_id,
                    "Third party",
                    f"Re-linking {m.subsidiary_systems.split(';')[0]}",
                    Decimal("375.25"),
                    "One-off",
                    "ICB revenue",
                )
            )
    return tuple(out)


def _blackouts() -> tuple[Blackout, ...]:
    local = [
        Blackout(D(2027, 6, 1), D(2027, 6, 4), "Practice moving to its new building", "Y90013"),
        Blackout(D(2027, 10, 4), D(2027, 10, 8), "ICB network upgrade (HSCN cut-over)", ICB_CODE),
    ]
    return tuple(sorted([*busy_periods(range(TODAY.year, TODAY.year + 3)), *local], key=lambda b: b.start))


def _numbered(records) -> tuple:
    """Give each record the Excel row it lands on when written (header on row 1)."""
    return tuple(dataclasses.replace(r, row=i) for i, r in enumerate(records, start=2))


def sample_batch() -> Batch:
    """The sample batch: one fictional ICB, 25 practices, 23 migrations, every role."""
    practices = _practices()
    migrations = _migrations()
    return Batch(
        settings=_settings(),
        icbs=_numbered(_icbs()),
        practices=_numbered(practices),
        migrations=_numbered(migrations),
        contacts=_numbered(_contacts(practices, migrations)),
        suppliers=_numbered(_suppliers()),
        costs=_numbered(_costs(migrations)),
        blackouts=_numbered(_blackouts()),
    )
