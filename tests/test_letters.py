"""The three letters: their context (docgen.documents.context) and what a reader finds in them."""

from __future__ import annotations

import datetime as dt
import pickle
import re
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import convert_with_soffice
from letters_fixtures import (
    AWKWARD,
    LETTER_DATE,
    PARTNER,
    TODAY,
    WELSH,
    all_text,
    bare_batch,
    context_for,
    full_batch,
    parts_text,
    render,
    table_with,
    tables,
)
from pypdf import PdfReader

from docgen.documents.catalogue import DOCUMENTS, resolve_templates
from docgen.documents.context import build_context
from docgen.documents.example import example_context
from docgen.plan.schedule import schedule_batch
from docgen.records import Cost

TEMPLATES = resolve_templates(None)


def letters_for(batch, migration) -> dict[str, bytes]:
    return {d.key: render(TEMPLATES[d.key], context_for(batch, migration, d.key)) for d in DOCUMENTS}


@pytest.fixture(scope="module")
def welsh_letters() -> dict[str, bytes]:
    return letters_for(*full_batch(WELSH))


# -- what every letter shows ------------------------------------------------------------


@pytest.mark.parametrize("name", [WELSH, AWKWARD, "St Mary's & St John's <Main>"])
def test_every_letter_prints_the_practice_name_verbatim(name):
    letters = letters_for(*full_batch(name))
    for key, data in letters.items():
        parts = parts_text(data)
        assert f"{name} (A81001)" in parts["body"], key  # the subject line
        assert name in parts["header"], key  # page 2 on: practice in the running header
        assert "MIG-001" in parts["footer"] and "Page 1 of 1" in parts["footer"], key
        assert "Date: 2 February 2026" in parts["body"], key
        assert "NHS North East and North Cumbria Integrated Care Board" in parts["header"], key


def test_business_justification_shows_identity_costs_and_dates(welsh_letters):
    data = welsh_letters["business-justification"]
    text = all_text(data)
    practice = dict(row[:2] for row in table_with(data, "Practice"))
    assert practice["ODS code"] == "A81001"
    assert practice["Sub-ICB location"] == "16C"
    assert practice["Registered list size"] == "6,250 patients"
    assert practice["ICB"] == "NHS North East and North Cumbria Integrated Care Board (QHM)"
    system = dict(row[:2] for row in table_with(data, "Current system"))
    assert system["Current system"] == "EMIS Web, supplied by Optum"
    assert system["Proposed new system"] == "SystmOne, supplied by TPP"
    assert system["Framework"] == "Tech Innovation Framework"
    assert system["Order reference"] == "C0123-01"
    assert system["Subsidiary systems"] == "Docman, AccuRx"
    assert "Buying Catalogue" in system["How it is bought"]

    costs = table_with(data, "Category")
    assert costs[1] == ["Training", "Staff training (3 days)", "One-off", "£1,250.00"]
    assert costs[2] == ["Hardware", "Two replacement PCs", "One-off", "£5,000.00"]
    assert costs[-1] == ["One-off costs", "£6,250.00"]  # label merged across the first three columns
    assert "Recurring costs" not in text  # no recurring line: no recurring subtotal
    assert "These costs cover training, hardware." in text  # the lines' own categories, no others
    funding = table_with(data, "Funding source")
    assert funding[1:] == [["ICB revenue", "£1,250.00", "£0.00"], ["ICB capital", "£5,000.00", "£0.00"]]
    # The practice completes what only it can say; the ICB pre-fills the rest.
    assert "the practice completes it and the ICB approves and funds the change" in text
    for section in ("Why the practice wants to change", "considerations and fit with local strategy",
                    "Options considered", "Risks and how they will be managed"):  # fmt: skip
        assert section in text
    assert text.count("For the practice to complete:") == 4

    assert (
        f"The provisional go-live date is Tuesday 9 June 2026, to be agreed by the practice, the ICB, TPP and {PARTNER}"
        in text
    )
    assert (
        "It avoids the busy times recorded for the practice: the QOF year end (1 January \u2013 31 March 2026) and "
        "August leave (1\u201331 August 2026)." in text
    )
    assert text.count("9 June 2026") == 1  # the go-live sentence does not repeat the date
    assert "another practice" not in text  # a blackout scoped to another practice
    assert "technical survey, planned for 5 March 2026, may find extra costs" in text
    assert "read-only for 90 days, until 7 September 2026" in text
    assert "charges may apply if the migration is cancelled" in text
    approval = table_with(data, "")
    assert approval[1] == ["Name", "Dr Rhys Evans", "Alex Morgan"]
    assert approval[2] == ["Role", "GP Partner", "Primary Care Digital Lead"]


def test_business_justification_subtotals_one_off_and_recurring():
    batch, migration = full_batch()
    batch = replace(
        batch, costs=batch.costs + (Cost("MIG-001", "Software", "Forms licence", Decimal("320.5"), "Recurring"),)
    )
    data = render(TEMPLATES["business-justification"], context_for(batch, migration))
    costs = table_with(data, "Category")
    assert ["Software", "Forms licence", "Recurring (a year)", "£320.50"] in costs
    assert ["One-off costs", "£6,250.00"] in costs
    assert costs[-1] == ["Recurring costs, a year", "£320.50"]  # one-off and recurring are never added up
    assert not any("Total" in row[0] for row in costs)
    funding = table_with(data, "Funding source")
    assert ["To be agreed", "£0.00", "£320.50"] in funding  # a line with no funding source


def test_data_extract_request_states_idp_date_and_working_days(welsh_letters):
    data = welsh_letters["data-extract-request"]
    text = all_text(data)
    # The request goes out on the letter date (2 February), as early as possible, for the
    # plan's IDP: the planned request of 19 March + 15 working days, skipping Good Friday
    # and Easter Monday.
    assert (
        "Please provide the initial data production (IDP) extract on Monday 13 April 2026. That is 48 working days "
        "after this request, which allows the 15 working days’ notice that Optum may take."
    ) in text
    assert "Dear Data Migration Team," in text
    assert "By email: migrations@optum.example" in text
    assert "contractual migration process" in text
    assert "directly to TPP, supplier to supplier, by secure internet-based file transfer" in text
    assert "The practice also uses Docman, AccuRx with EMIS Web." in text
    assert "get requests of their own from the ICB" in text
    assert "Please confirm by 9 February 2026" in text  # 5 working days after the letter date
    dates = dict(row[:2] for row in table_with(data, "Date of this request"))
    assert dates["IDP (requested)"] == "Monday 13 April 2026"
    assert dates["FDP (expected)"] == "Tuesday 2 June 2026"
    assert dates["Go-live (expected)"] == "Tuesday 9 June 2026"
    details = dict(row[:2] for row in table_with(data, "Practice"))
    assert details["Order reference"] == "C0123-01, placed on the Buying Catalogue on 23 February 2026"
    contacts = table_with(data, "Role")
    assert contacts[0] == ["Role", "Name", "Email and phone"]
    assert ["Practice manager", f"Siân Lloyd\n{WELSH}", "sian.lloyd@nhs.net\n01642 000 112"] in contacts
    # Only the people the supplier needs to act on the request: no training or data
    # quality leads, no lead GP, and not the supplier's own staff.
    assert {r[0] for r in contacts[1:]} <= {"Practice manager", "Migration project manager", "ICB lead", "New supplier"}
    assert "Chris Lee" not in text and "Dana Kerr" not in text
    assert "Laura Finch" not in text  # Optum's new-supplier lead: Optum is the current supplier here
    assert f"Copy to: {WELSH}; TPP; {PARTNER}" in text


def test_kick_off_invitation_lists_invitees_and_key_dates(welsh_letters):
    data = welsh_letters["kick-off-invitation"]
    text = all_text(data)
    meeting = dict(row[:2] for row in table_with(data, "Date"))
    assert meeting == {
        "Date": "Monday 2 March 2026",
        "Time": "10:00 to 11:30",
        "Where": "Room 3, Bridge Road Health Centre",
    }
    invitees = table_with(data, "Role")
    assert invitees[0] == ["Role", "Name", "Email"]
    assert [r[1].split("\n")[0] for r in invitees[1:]] == ["Siân Lloyd", "Dr Rhys Evans", "Alex Morgan", "Sam Carter"]
    assert invitees[1][1] == f"Siân Lloyd\n{WELSH}"
    assert invitees[3][1].endswith("NHS North East and North Cumbria Integrated Care Board")
    assert "Chris Lee" not in text  # a contact who is not invited
    milestones = {row[0]: row[1:] for row in table_with(data, "Milestone")[1:]}
    assert milestones["Kick-off meeting"] == ["2 March 2026", "Migration project manager", "Planned"]
    assert milestones["Initial data production (IDP)"] == ["13 April 2026", "Current supplier", "Proposed"]
    assert milestones["Go-live"] == ["9 June 2026", "New supplier", "Planned"]
    # 10 working days from the day after the IDP, as every range reads.
    assert milestones["Data checking"][0] == "14\u201327 April 2026"
    assert "Dear Siân Lloyd," in text
    assert "it is planned for Thursday 5 March 2026, carried out by " + PARTNER in text
    # The guide's kick-off agenda, and the schedule attributed honestly.
    for point in ("a regular (weekly) meeting", "Data housekeeping before the extract",
                  "electronic prescriptions need up to five weeks", "Staff awareness and training"):  # fmt: skip
        assert point in text
    assert "proposed by the ICB from standard durations" in text and "TPP has proposed" not in text
    assert "The third-party systems linked to EMIS Web (we have Docman, AccuRx)" in text
    assert "Please let me know who will attend the meeting by 9 February 2026" in text


def test_a_video_link_is_shown_as_online():
    batch, migration = full_batch(kickoff_location="https://teams.example/meet/123")
    data = render(TEMPLATES["kick-off-invitation"], context_for(batch, migration))
    assert dict(r[:2] for r in table_with(data, "Date"))["Where"] == "Online: https://teams.example/meet/123"


# -- optional fields left blank ----------------------------------------------------------


def test_blank_optional_fields_leave_no_none_or_empty_placeholder():
    batch, migration = bare_batch()
    letters = letters_for(batch, migration)
    for key, data in letters.items():
        text = all_text(data)
        assert AWKWARD in text, key
        for bad in (r"\bNone\b", r"\(\s*\)", r" ,", r" \.", r"\{\{|\{%", r":\s*$", r"\bon \.", r"\s;"):
            assert not re.search(bad, text, re.MULTILINE), (key, bad, re.search(bad, text, re.MULTILINE))
        for table in tables(data):
            if len(table[0]) == 2:  # label / value tables: no label without its value
                assert all(value.strip() for _, value in table), (key, table)

    bj = all_text(letters["business-justification"])
    for absent in ("Sub-ICB location", "Registered list size", "Order reference", "Subsidiary systems", "£"):
        assert absent not in bj
    assert "No costs have been entered for this migration yet." in bj
    assert "The ICB will confirm which framework applies." in bj
    assert "The Practice Manager" in bj

    der = all_text(letters["data-extract-request"])
    assert "Dear colleague," in der and "By email" not in der and "notice period" not in der
    assert "The practice has told us of no other systems linked to Vision." in der
    assert "Please reply to me; I will put you in touch with the practice and Optum." in der
    assert f"Copy to: {AWKWARD}; Optum\n" in der + "\n"

    kick = all_text(letters["kick-off-invitation"])
    assert "Dear Practice Manager," in kick
    assert "To be confirmed: we will send the venue or video link before the meeting" in kick
    assert "The list of attendees is being confirmed." in kick
    assert "carried out by" not in kick


# -- the context -----------------------------------------------------------------------


def _plain_types(value, path="ctx"):
    allowed = (str, int, bool, Decimal, dt.date, dt.time, type(None))
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str), path
            _plain_types(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _plain_types(v, f"{path}[{i}]")
    else:
        assert isinstance(value, allowed), f"{path} is a {type(value).__name__}"


def test_context_is_plain_and_picklable():
    ctx = context_for(*full_batch(), "business-justification")
    _plain_types(ctx)
    assert pickle.loads(pickle.dumps(ctx)) == ctx
    assert ctx["document"] == {"key": "business-justification", "title": "Business justification",
                               "stem": "business-justification"}  # fmt: skip
    assert ctx["costs_total"] == Decimal("6250.00") and ctx["one_off_total"] == Decimal("6250.00")
    assert ctx["recurring_total"] == Decimal("0")
    assert ctx["extract_working_days"] == 15
    assert ctx["dates"]["idp"] == dt.date(2026, 4, 13)
    assert ctx["kick_off"]["end"] == dt.time(11, 30)


def test_context_keys_are_the_same_for_every_migration_and_document():
    full = context_for(*full_batch())
    bare = context_for(*bare_batch(), "kick-off-invitation")

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        return None

    assert shape(full) == shape(bare)
    assert shape(example_context()) == shape(full)


def _containers(value, found: set[int]) -> set[int]:
    if isinstance(value, dict | list):
        found.add(id(value))
        for item in value.values() if isinstance(value, dict) else value:
            _containers(item, found)
    return found


def test_a_migrations_contexts_share_no_dict_or_list():
    # The records are looked up once for a migration's three letters, but each context is
    # built of its own containers: what one template does to its context stays there.
    batch, migration = full_batch()
    schedule = schedule_batch(batch, TODAY)[migration.migration_id]
    contexts = [build_context(batch, migration, schedule, letter_date=LETTER_DATE, document=d.key) for d in DOCUMENTS]
    seen: set[int] = set()
    for ctx in contexts:
        mine = _containers(ctx, set())
        assert not mine & seen
        seen |= mine
    contexts[0]["costs"].clear()
    contexts[0]["practice"]["name"] = "changed"
    again = build_context(batch, migration, schedule, letter_date=LETTER_DATE, document=DOCUMENTS[0].key)
    assert len(again["costs"]) == 2 and again["practice"]["name"] == WELSH


def test_context_is_worked_out_again_for_another_migration_or_date():
    (batch_a, a), (batch_b, b) = full_batch(), bare_batch()
    sched_a, sched_b = schedule_batch(batch_a, TODAY)[a.migration_id], schedule_batch(batch_b, TODAY)[b.migration_id]
    first = build_context(batch_a, a, sched_a, letter_date=LETTER_DATE)
    other = build_context(batch_b, b, sched_b, letter_date=LETTER_DATE)
    later = build_context(batch_a, a, sched_a, letter_date=dt.date(2026, 2, 9))
    welsh = build_context(batch_a, a, sched_a, letter_date=LETTER_DATE, locale="cy_GB")
    assert other["practice"]["name"] == AWKWARD and first["practice"]["name"] == WELSH
    assert (first["dates"]["reply_by"], later["dates"]["reply_by"]) == (dt.date(2026, 2, 9), dt.date(2026, 2, 16))
    assert later["letter_date"] == dt.date(2026, 2, 9)
    assert "Awst" in welsh["go_live_rationale"] and "August" in first["go_live_rationale"]
    assert build_context(batch_a, a, sched_a, letter_date=LETTER_DATE) == first


def test_working_days_count_a_given_idp_date():
    # 15 May 2026 is 8 working days after 5 May (the early May bank holiday is the 4th).
    batch, migration = full_batch(extract_request_date=dt.date(2026, 5, 5), idp_date=dt.date(2026, 5, 15))
    ctx = context_for(batch, migration)
    assert ctx["extract_working_days"] == 8
    data = render(TEMPLATES["data-extract-request"], ctx)
    assert (
        "Friday 15 May 2026. That is 8 working days after this request, less than the 15 working days’ notice "
        "that Optum may take: please tell us at once if you cannot meet it."
    ) in " ".join(all_text(data).split())


def test_go_live_in_a_blackout_says_it_needs_review():
    batch, migration = full_batch(go_live=dt.date(2026, 8, 11))
    ctx = context_for(batch, migration)
    rationale = ctx["go_live_rationale"]
    assert rationale == (
        "This date needs review before it is agreed: it falls within August leave (1\u201331 August 2026). "
        "The ICB's schedule checks also raise it."
    )
    data = render(TEMPLATES["business-justification"], ctx)
    assert rationale in all_text(data)


def test_unknown_document_is_refused():
    batch, migration = full_batch()
    schedule = schedule_batch(batch, LETTER_DATE)[migration.migration_id]
    with pytest.raises(KeyError, match="'letters' is not a document. Choose one of: business-justification"):
        build_context(batch, migration, schedule, letter_date=LETTER_DATE, document="letters")


# -- LibreOffice -----------------------------------------------------------------------


def _convert_all(soffice: str, sources: list[Path], outdir: Path) -> list[Path]:
    """Like ``convert_with_soffice`` but one LibreOffice start for every file (it is the
    start that takes the time)."""
    if len(sources) == 1:
        return [convert_with_soffice(soffice, sources[0], "pdf", outdir)]
    profile = outdir / ".lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(outdir), *map(str, sources)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return [outdir / f"{src.stem}.pdf" for src in sources]


def test_letters_open_in_libreoffice_within_three_pages(soffice, tmp_path, welsh_letters):
    sources = []
    for key, data in welsh_letters.items():
        sources.append(tmp_path / f"{key}.docx")
        sources[-1].write_bytes(data)
    for key, pdf in zip(welsh_letters, _convert_all(soffice, sources, tmp_path / "pdf"), strict=True):
        assert pdf.exists(), f"LibreOffice did not convert {key}"
        pages = len(PdfReader(pdf).pages)
        assert 1 <= pages <= 3, f"{key} has {pages} pages"
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert WELSH in text, key
        assert f"Page 1 of {pages}" in text, key
