"""A national-scale batch for benchmarks: every active English GP practice in
``../shared/data/epraccur.csv`` (NHS England ODS data, Open Government Licence v3.0),
each with one MADE-UP migration, contacts and costs.

Nothing but the practices is real: suppliers, dates, people and costs are invented
deterministically from the ODS code so every run builds the same batch.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

from docgen.records import Batch, Contact, Cost, Icb, Migration, Practice, Settings, Supplier
from docgen.workbook.schema import DEFAULT_SUPPLIERS

EPRACCUR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "epraccur.csv"
MADE_UP = "MADE-UP benchmark data"


def _n(code: str, salt: str, mod: int) -> int:
    return int(hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()[:8], 16) % mod


def _title(text: str) -> str:
    return " ".join(w.capitalize() if w.isalpha() else w for w in text.split())


def read_practices(path: Path = EPRACCUR) -> list[Practice]:
    """Active English GP practices: status A, prescribing setting 4, not Welsh (W codes)."""
    practices = []
    with open(path, newline="", encoding="latin-1") as fh:
        for i, r in enumerate(csv.reader(fh), 1):
            if r[12] != "A" or r[25] != "4" or r[0][:1] == "W":  # Welsh practices are not in England
                continue
            lines = [x for x in r[4:8] if x.strip()]
            town = lines.pop() if len(lines) > 1 else (r[6] or r[5] or "")
            practices.append(
                Practice(
                    ods_code=r[0],
                    name=r[1],
                    address=tuple(lines[:3]) or ("-",),
                    town=town,
                    postcode=r[9],
                    icb_code=r[3],
                    phone=r[17],
                    sub_icb_code=r[14],
                    list_size=3000 + _n(r[0], "list", 15000),
                    row=i,
                )
            )
    return practices


def largest_icb(path: Path = EPRACCUR) -> str:
    """The ICB with the most active practices: an ICB-sized batch for the PDF benchmark."""
    counts: dict[str, int] = {}
    for p in read_practices(path):
        counts[p.icb_code] = counts.get(p.icb_code, 0) + 1
    return max(sorted(counts), key=lambda code: counts[code])


def national_batch(path: Path = EPRACCUR, limit: int | None = None, icb: str | None = None) -> Batch:
    """Every active English practice (of ``icb`` only, if given; the first ``limit``) with
    one made-up migration (deterministic)."""
    practices = [p for p in read_practices(path) if icb is None or p.icb_code == icb][:limit]
    icb_codes = sorted({p.icb_code for p in practices})
    icbs = tuple(
        Icb(
            code,
            f"NHS {code} Integrated Care Board ({MADE_UP})",
            (f"{code} House", "1 Example Street", "Leeds", "LS1 4AP"),
            "Alex Morgan",
            "Primary Care Digital Lead",
            f"digital.{code.lower()}@example.nhs.uk",
            "0113 496 0000",
            row=i + 2,
        )
        for i, code in enumerate(icb_codes)
    )
    suppliers = tuple(
        Supplier(
            s,
            p,
            f"{s} Data Migrations",
            f"migrations@{s.split()[0].lower()}.example.com",
            (f"{s} Ltd", "Data Migration Team", "Leeds", "LS1 1AA"),
            None,
            row=i + 2,
        )
        for i, (s, p) in enumerate(DEFAULT_SUPPLIERS)
    )
    migrations, contacts, costs = [], [], []
    start = dt.date(2027, 3, 1)
    for i, p in enumerate(practices):
        cur = DEFAULT_SUPPLIERS[_n(p.ods_code, "cur", 2)]
        new = DEFAULT_SUPPLIERS[(DEFAULT_SUPPLIERS.index(cur) + 1 + _n(p.ods_code, "new", 3)) % len(DEFAULT_SUPPLIERS)]
        go_live = start + dt.timedelta(weeks=_n(p.ods_code, "wk", 40), days=1)  # a Tuesday
        mid = f"NAT-{i + 1:05d}"
        migrations.append(
            Migration(
                migration_id=mid,
                ods_code=p.ods_code,
                current_supplier=cur[0],
                current_system=cur[1],
                new_supplier=new[0],
                new_system=new[1],
                reason=f"{MADE_UP}: practice chose {new[1]} after a demonstration.",
                go_live=go_live,
                status="Planning",
                framework="Tech Innovation Framework",
                order_reference=f"BC-{i + 1:06d}",
                order_date=go_live - dt.timedelta(weeks=14),
                # A place for the kick-off, so every migration gets its calendar file (one
                # without a place waits for it), as the country run always measured.
                kickoff_location=f"https://teams.example/meet/{mid.lower()}",
                row=i + 2,
            )
        )
        contacts += [
            Contact(
                p.ods_code,
                "Practice manager",
                f"Sam Practice{i}",
                "Practice Manager",
                "pm@example.nhs.uk",
                "",
                True,
                row=2 * i + 2,
            ),
            Contact(p.ods_code, "Lead GP", f"Dr Jo Lead{i}", "Lead GP", "gp@example.nhs.uk", "", True, row=2 * i + 3),
        ]
        costs += [
            Cost(
                mid, "Training", "End-user training days", Decimal("1250.00"), "One-off", "ICB revenue", row=2 * i + 2
            ),
            Cost(
                mid,
                "Hardware",
                "Smartcard readers",
                Decimal(120 + _n(p.ods_code, "hw", 900)) + Decimal("0.50"),
                "One-off",
                "ICB capital",
                row=2 * i + 3,
            ),
        ]
    for code in icb_codes:
        contacts.append(
            Contact(
                code,
                "ICB lead",
                "Alex Morgan",
                "Primary Care Digital Lead",
                f"digital.{code.lower()}@example.nhs.uk",
                "",
                True,
            )
        )
    for s, _ in DEFAULT_SUPPLIERS:
        contacts.append(
            Contact(s, "New supplier", f"{s} Migration Lead", "Migration Lead", "lead@example.com", "", True)
        )
    return Batch(
        settings=Settings(letter_date=dt.date(2026, 11, 23), it_delivery_partner="Example IT Partner"),
        icbs=icbs,
        practices=tuple(practices),
        migrations=tuple(migrations),
        contacts=tuple(contacts),
        suppliers=suppliers,
        costs=tuple(costs),
        blackouts=(),
        source=str(path),
    )
