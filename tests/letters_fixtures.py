"""Batches built in code for the letter tests, and helpers to render a template and read
a .docx back the way a person sees it (body, tables, headers and footers)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import docx
from docx.oxml.ns import qn

from docgen.documents.context import build_context
from docgen.documents.example import example_batch
from docgen.formats.docx.engine import PreparedTemplate
from docgen.formats.docx.environment import make_environment
from docgen.plan.schedule import schedule_batch
from docgen.records import Batch, Blackout, Contact, Cost, Icb, Migration, Practice, Settings, Supplier

TODAY = dt.date(2026, 2, 2)
LETTER_DATE = dt.date(2026, 2, 2)
WELSH = "Meddygfa Tŷ Gwyn & Partners"
AWKWARD = "Dr O'Brien <Riverside> & Partners"
PARTNER = "North East Digital Partnership"

ICB = example_batch()[0].icbs[0]  # the ICB of `docgen templates fields`' example


def full_batch(name: str = WELSH, **migration_changes) -> tuple[Batch, Migration]:
    """One practice and migration with every optional field filled in."""
    practice = Practice(
        "A81001", name, ("Tŷ Gwyn", "1 Heol y Bont"), "Stockton-on-Tees", "TS18 1HU", "QHM",
        phone="01642 000 111", email="tygwyn@nhs.net", sub_icb_code="16C", list_size=6250,
    )  # fmt: skip
    fields = dict(
        framework="Tech Innovation Framework",
        order_reference="C0123-01",
        order_date=dt.date(2026, 2, 23),
        extract_request_date=dt.date(2026, 3, 19),
        kickoff_date=dt.date(2026, 3, 2),
        kickoff_time=dt.time(10, 0),
        kickoff_location="Room 3, Bridge Road Health Centre",
        subsidiary_systems="Docman\nAccuRx",
    )
    fields.update(migration_changes)
    migration = Migration(
        "MIG-001", "A81001", "Optum", "EMIS Web", "TPP", "SystmOne",
        "One shared record with the other practices of the primary care network.",
        fields.pop("go_live", dt.date(2026, 6, 9)), "Ordered", **fields,
    )  # fmt: skip
    batch = Batch(
        settings=Settings(it_delivery_partner=PARTNER),
        icbs=(ICB,),
        practices=(practice,),
        migrations=(migration,),
        contacts=(
            Contact(
                "A81001",
                "Practice manager",
                "Siân Lloyd",
                "Practice Manager",
                "sian.lloyd@nhs.net",
                "01642 000 112",
                True,
            ),
            Contact("A81001", "Lead GP", "Dr Rhys Evans", "GP Partner", "rhys.evans@nhs.net", "", True),
            Contact("QHM", "ICB lead", "Alex Morgan", "Primary Care Digital Lead", "alex.morgan@nhs.net", "", True),
            Contact("TPP", "New supplier", "Sam Carter", "Deployment Manager", "sam.carter@tpp.example", "", True),
            Contact(PARTNER, "Training lead", "Chris Lee", "Training Lead", "chris.lee@nhs.net", "", False),
            # Optum is the current supplier here: its new-supplier lead has no part in this move.
            Contact("Optum", "New supplier", "Laura Finch", "Deployment Lead", "laura.finch@optum.example", "", True),
            Contact("Optum", "Current supplier", "Dana Kerr", "Extracts Lead", "dana.kerr@optum.example", "", False),
        ),
        suppliers=(
            Supplier(
                "Optum",
                "EMIS Web",
                "Data Migration Team",
                "migrations@optum.example",
                ("1 Example Park", "Leeds", "LS1 4AP"),
                15,
            ),
        ),  # fmt: skip
        costs=(
            Cost("MIG-001", "Training", "Staff training (3 days)", Decimal("1250.00"), "One-off", "ICB revenue"),
            Cost("MIG-001", "Hardware", "Two replacement PCs", Decimal("5000"), "One-off", "ICB capital"),
        ),
        blackouts=(
            Blackout(dt.date(2026, 1, 1), dt.date(2026, 3, 31), "the QOF year end", "All"),
            Blackout(dt.date(2026, 8, 1), dt.date(2026, 8, 31), "August leave", "A81001"),
            Blackout(dt.date(2026, 5, 1), dt.date(2026, 5, 31), "another practice's closure", "A99999"),
        ),
    )
    return batch, migration


def bare_batch(name: str = AWKWARD) -> tuple[Batch, Migration]:
    """One practice and migration with every optional field left blank: no sub-ICB, list
    size, order reference, framework, costs, contacts, supplier row, kick-off place."""
    icb = Icb("QWE", "NHS Example Integrated Care Board", ("1 Main Street", "York", "YO1 1AA"),
              "Jo Smith", "Digital Lead", "jo.smith@nhs.net")  # fmt: skip
    practice = Practice("B82005", name, ("The Surgery",), "York", "YO1 2BB", "QWE")
    migration = Migration("MIG-009", "B82005", "Cegedim", "Vision", "Optum", "EMIS Web", "The practice is merging.",
                          dt.date(2026, 7, 14), "Planning")  # fmt: skip
    return Batch(icbs=(icb,), practices=(practice,), migrations=(migration,)), migration


def context_for(batch: Batch, migration: Migration, document: str | None = None) -> dict:
    """The context the pipeline would build, with the real schedule for ``TODAY``."""
    schedule = schedule_batch(batch, TODAY)[migration.migration_id]
    return build_context(batch, migration, schedule, letter_date=LETTER_DATE, document=document)


_PREPARED: dict[Path, PreparedTemplate] = {}


def render(template: Path, context: dict) -> bytes:
    """``template`` filled in by docgen's rendering engine (prepared once per test run)."""
    template = Path(template).resolve()
    if template not in _PREPARED:
        _PREPARED[template] = PreparedTemplate.load(template, make_environment())
    return _PREPARED[template].render(context)


def _paragraph_text(p) -> str:
    out = []
    for node in p.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
        if node.tag == qn("w:t"):
            out.append(node.text or "")
        elif node.tag == qn("w:br"):
            out.append("\n")
        else:
            out.append("\t")
    return "".join(out)


def parts_text(data: bytes | Path) -> dict[str, str]:
    """The text a reader sees, by part: ``body`` (tables included, in order), ``header``
    and ``footer`` (every page's variants), one line per paragraph."""
    document = docx.Document(io.BytesIO(data) if isinstance(data, bytes) else str(data))
    body = "\n".join(_paragraph_text(p) for p in document.element.body.iter(qn("w:p")))
    headers, footers = [], []
    for section in document.sections:
        for hdr in (section.first_page_header, section.header):
            headers += [_paragraph_text(p) for p in hdr._element.iter(qn("w:p"))]
        for ftr in (section.first_page_footer, section.footer):
            footers += [_paragraph_text(p) for p in ftr._element.iter(qn("w:p"))]
    return {"body": body, "header": "\n".join(headers), "footer": "\n".join(footers)}


def all_text(data: bytes | Path) -> str:
    """Body, headers and footers as one string."""
    return "\n".join(parts_text(data).values())


def tables(data: bytes) -> list[list[list[str]]]:
    """Every table as rows of cell texts (a cell's paragraphs joined by newlines; a merged
    cell counts once, as a reader sees it)."""
    document = docx.Document(io.BytesIO(data))
    return [
        [["\n".join(_paragraph_text(p) for p in tc.iter(qn("w:p"))) for tc in tr.tc_lst] for tr in t._tbl.tr_lst]
        for t in document.tables
    ]


def table_with(data: bytes, header: str) -> list[list[str]]:
    """The table whose first row's first cell is ``header``."""
    for t in tables(data):
        if t and t[0] and t[0][0] == header:
            return t
    raise AssertionError(f"no table starting with {header!r}")
