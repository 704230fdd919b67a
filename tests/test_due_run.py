"""Due paperwork end to end, on the sample workbook (as-at 23 November 2026): what ``docgen
run`` writes by default and with ``--all``, what ``docgen due`` prints, and the kick-off
cancellation a stopped migration owes its invitees."""

from __future__ import annotations

import datetime as dt
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import icalendar
import pytest
from letters_fixtures import all_text, render
from sample import AS_AT, sample_batch
from test_cli_run import files, invoke, manifest, screen

from docgen.documents.catalogue import DEFAULT_TEMPLATE_DIR
from docgen.documents.context import build_context
from docgen.plan.calendar import WorkingCalendar
from docgen.plan.schedule import schedule_batch
from docgen.workbook.starter import write_workbook

CAL = WorkingCalendar()
CLOSED = {"MIG-015": "On hold", "MIG-020": "Cancelled", "MIG-023": "Live"}
_LONG = re.compile(r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|"
                   r"December) (20\d\d)\b")  # fmt: skip


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def long_dates(text: str) -> list[dt.date]:
    """Every ``4 August 2026`` in ``text``, in order."""
    return [dt.date(int(y), _MONTHS.index(mo) + 1, int(d)) for d, mo, y in (m.groups() for m in _LONG.finditer(text))]


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "migrations.xlsx"
    write_workbook(path, sample_batch(), force=True)
    return path


@pytest.fixture(scope="module")
def due_run(sample_book, tmp_path_factory):
    """``docgen run`` with no --today: the sample's As-at date is the day."""
    out = tmp_path_factory.mktemp("due") / "outputs"
    result = invoke("run", sample_book, "--out", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    return out, result


@pytest.fixture(scope="module")
def all_run(sample_book, tmp_path_factory):
    out = tmp_path_factory.mktemp("all") / "outputs"
    result = invoke("run", sample_book, "--out", out, "--jobs", "1", "--all")
    assert result.exit_code == 0, result.output
    return out, result


def _by_migration(out: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in manifest(out):
        if row["status"] in ("written", "unchanged") and row["migration_id"]:
            found.setdefault(row["migration_id"], set()).add(row["path"].rsplit("/", 1)[-1])
    return found


def test_by_default_only_what_is_due_is_written(due_run):
    out, result = due_run
    assert _by_migration(out) == {
        "MIG-004": {"data-extract-request.docx", "data-extract-request.eml", "kick-off-invitation.docx",
                    "kick-off-invitation.eml", "kick-off.ics"},
        # No place for the kick-off yet: the letter goes, the calendar invitation waits.
        "MIG-005": {"data-extract-request.docx", "data-extract-request.eml", "kick-off-invitation.docx",
                    "kick-off-invitation.eml"},
        "MIG-007": {"business-justification.docx"},
    }  # fmt: skip
    assert "5 letter(s) for 23 migration(s)" in result.output and "as at 23/11/2026" in result.output
    # Nothing at all goes to a cancelled, on-hold or live migration.
    practices = {m.migration_id: m.ods_code for m in sample_batch().migrations}
    for mid in CLOSED:
        assert not any(f"/{practices[mid]} " in name for name in files(out)), mid


def test_the_manifest_says_why_nothing_was_written(due_run):
    out, _ = due_run
    rows = manifest(out)
    not_due = {r["migration_id"]: r["message"] for r in rows if r["status"] == "not due"}
    for mid, status in CLOSED.items():
        assert not_due[mid] == f"not due: {status}"
    assert not_due["MIG-001"].startswith("business justification: not due: approved on 24/08/2026")
    (blocked,) = [r for r in rows if r["status"] == "blocked"]
    assert (blocked["migration_id"], blocked["document"]) == ("MIG-003", "kick-off-invitation")
    assert "the kick-off proposed for 16/11/2026 has passed" in blocked["message"]
    # Every migration is accounted for: something written, blocked or not due.
    accounted = set(_by_migration(out)) | set(not_due) | {blocked["migration_id"]}
    assert accounted == {m.migration_id for m in sample_batch().migrations}


def test_no_document_written_by_default_asks_for_a_date_before_its_own(due_run):
    out, _ = due_run
    for row in manifest(out):
        if not row["path"].endswith(".docx"):
            continue
        text = all_text(out / row["path"])
        assert "Record copy" not in text, row["path"]
        own = AS_AT
        assert f"Date: {own:%-d %B %Y}" in text
        if row["document"] == "data-extract-request":
            # The request is dated the letter date; the IDP it asks for leaves the notice.
            idp = long_dates(text[text.index("IDP (requested)") :])[0]
            assert f"Date of this request {own:%-d %B %Y}" in " ".join(text.split())
            assert idp >= CAL.add_working_days(own, 15)
            confirm = long_dates(text[text.index("Please confirm by") :])[0]
            assert confirm > own
        if row["document"] == "kick-off-invitation":
            meeting = long_dates(text[text.index("You are invited") :])[0]
            assert meeting > own


def test_drafts_go_only_with_documents_sent(due_run):
    out, _ = due_run
    (ics,) = out.rglob("kick-off.ics")
    event = icalendar.Calendar.from_ical(ics.read_bytes())
    assert str(event["method"]) == "REQUEST"
    vevent = event.walk("VEVENT")[0]
    assert vevent.decoded("dtstart").date() > AS_AT
    (alarm,) = vevent.walk("VALARM")
    assert alarm.decoded("trigger") == -dt.timedelta(days=1)
    # The extract request's draft is copied to whom the letter says it is copied to.
    folder = ics.parent
    draft = BytesParser(policy=policy.default).parsebytes((folder / "data-extract-request.eml").read_bytes())
    letter = all_text(folder / "data-extract-request.docx")
    copied = letter[letter.index("Copy to: ") + len("Copy to: ") :].split("\n")[0].split("; ")
    assert [a.display_name for a in draft["Cc"].addresses] == copied
    # A kick-off with no place yet: the email says the calendar invitation follows.
    mig5 = next(p for p in out.rglob("*") if p.is_dir() and p.name.startswith("Y90007 "))
    invite = BytesParser(policy=policy.default).parsebytes((mig5 / "kick-off-invitation.eml").read_bytes())
    assert "a calendar invitation follows once the venue or video link is confirmed" in (
        invite.get_body(("plain",)).get_content()
    )
    assert not [p for p in invite.iter_attachments() if p.get_filename() == "kick-off.ics"]
    mig7 = next(p for p in out.rglob("*") if p.is_dir() and p.name.startswith("Y90010 "))
    assert sorted(p.name for p in mig7.iterdir()) == ["business-justification.docx"]


def test_all_writes_a_true_record_of_every_step_done(all_run):
    out, result = all_run
    written = _by_migration(out)
    assert "MIG-020" not in written  # cancelled: nothing, even with --all
    assert "every document not cancelled (--all)" in result.output
    live = written["MIG-023"]
    assert live == {"business-justification.docx", "data-extract-request.docx", "kick-off-invitation.docx"}
    folder = next(p for p in out.rglob("*") if p.is_dir() and p.name.startswith("Y90002 "))
    extract = all_text(folder / "data-extract-request.docx")
    assert "Record copy, not to be sent again: this request was sent to Optum on 29 July 2026." in extract
    assert "Date: 29 July 2026" in extract
    kick_off = all_text(folder / "kick-off-invitation.docx")
    assert "the kick-off meeting took place on 4 August 2026" in kick_off
    assert "Please let me know who will attend" not in kick_off
    bj = all_text(folder / "business-justification.docx")
    assert "approved this business justification on 8 June 2026" in bj
    assert "Please check every section" not in bj
    # Records go with no calendar file and no email draft.
    assert not list(folder.glob("*.eml")) and not list(folder.glob("*.ics"))


def test_the_go_live_sentence_follows_the_order_as_at_the_documents_own_date(all_run):
    out, _ = all_run
    folder = next(p for p in out.rglob("*") if p.is_dir() and p.name.startswith("Y90004 "))
    # The record is dated its approval, 12 October, before the order of 16 November.
    record = " ".join(all_text(folder / "business-justification.docx").split())
    assert "Date: 12 October 2026" in record and "before the order is placed" in record
    # Dated after the order, the same form says the date was agreed when it was placed.
    batch = sample_batch()
    migration = next(m for m in batch.migrations if m.migration_id == "MIG-004")
    schedule = schedule_batch(batch, AS_AT)["MIG-004"]
    ctx = build_context(batch, migration, schedule, letter_date=AS_AT, document="business-justification")
    later = " ".join(all_text(render(DEFAULT_TEMPLATE_DIR / "business-justification.docx", ctx)).split())
    assert "agreed when the order was placed on 16 November 2026" in later
    assert "to be agreed" not in later


def test_docgen_due_lists_the_actions_overdue_first(sample_book):
    result = invoke("due", sample_book)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "As at Monday 23/11/2026: 7 action(s) due (1 overdue) for 23 migration(s); 15 warning(s) " \
                       "(docgen validate lists them)."  # fmt: skip
    first = lines[lines.index("Due:") + 1]
    assert "14 day(s) overdue" in first and "MIG-003" in first and "Joanne Ellis" in first
    assert "first: the kick-off proposed for 16/11/2026 has passed" in lines[lines.index("Due:") + 2]
    assert "Coming up:" in lines


def test_today_given_on_the_command_line_wins_over_the_as_at_date(sample_book):
    result = invoke("due", sample_book, "--today", "2027-03-01")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("As at Monday 01/03/2027:")


def _cancel(sheets_path: Path, tmp_path: Path, status: str) -> Path:
    batch = sample_batch()
    migrations = tuple(
        m if m.migration_id != "MIG-004" else type(m)(**{**m.__dict__, "status": status}) for m in batch.migrations
    )
    path = tmp_path / "changed.xlsx"
    write_workbook(path, type(batch)(**{**batch.__dict__, "migrations": migrations}), force=True)
    return path


@pytest.mark.parametrize("status", ["Cancelled", "On hold"])
def test_a_migration_stopped_after_its_invitation_gets_a_cancellation(sample_book, tmp_path, status):
    out = tmp_path / "outputs"
    assert invoke("run", sample_book, "--out", out, "--jobs", "1").exit_code == 0
    folder = next(p for p in out.rglob("*") if p.is_dir() and p.name.startswith("Y90004 "))
    issued = icalendar.Calendar.from_ical((folder / "kick-off.ics").read_bytes()).walk("VEVENT")[0]

    result = invoke("run", _cancel(sample_book, tmp_path, status), "--out", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    cancel = icalendar.Calendar.from_ical((folder / "kick-off-cancelled.ics").read_bytes())
    assert str(cancel["method"]) == "CANCEL"
    event = cancel.walk("VEVENT")[0]
    assert str(event["uid"]) == str(issued["uid"])
    assert int(event["sequence"]) > int(issued.get("sequence", 0))
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("dtstart") == issued.decoded("dtstart")
    draft = BytesParser(policy=policy.default).parsebytes((folder / "kick-off-cancelled.eml").read_bytes())
    assert draft["Subject"].startswith("Cancelled: kick-off meeting")
    assert "is cancelled" in draft.get_body(("plain",)).get_content()
    assert any(r["path"].endswith("kick-off-cancelled.ics") and r["status"] == "written" for r in manifest(out))

    # A rerun keeps the cancellation it wrote; it does not send another.
    again = invoke("run", _cancel(sample_book, tmp_path, status), "--out", out, "--jobs", "1")
    assert again.exit_code == 0, again.output
    rows = {r["path"].rsplit("/", 1)[-1]: r["status"] for r in manifest(out) if r["migration_id"] == "MIG-004"}
    assert rows["kick-off-cancelled.ics"] == rows["kick-off-cancelled.eml"] == "unchanged"


def test_a_moved_kick_off_sends_an_updated_invitation(sample_book, tmp_path):
    out = tmp_path / "outputs"
    assert invoke("run", sample_book, "--out", out, "--jobs", "1").exit_code == 0
    folder = next(p for p in out.rglob("*") if p.is_dir() and p.name.startswith("Y90004 "))
    first = icalendar.Calendar.from_ical((folder / "kick-off.ics").read_bytes()).walk("VEVENT")[0]

    batch = sample_batch()
    moved = tuple(
        m if m.migration_id != "MIG-004" else type(m)(**{**m.__dict__, "kickoff_date": dt.date(2026, 12, 8)})
        for m in batch.migrations
    )
    book = tmp_path / "moved.xlsx"
    write_workbook(book, type(batch)(**{**batch.__dict__, "migrations": moved}), force=True)
    result = invoke("run", book, "--out", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    second = icalendar.Calendar.from_ical((folder / "kick-off.ics").read_bytes()).walk("VEVENT")[0]
    assert str(second["uid"]) == str(first["uid"])
    assert int(second["sequence"]) == int(first.get("sequence", 0)) + 1
    assert second.decoded("dtstart").date() == dt.date(2026, 12, 8)
    draft = BytesParser(policy=policy.default).parsebytes((folder / "kick-off-invitation.eml").read_bytes())
    assert draft["Subject"].startswith("Updated: Kick-off meeting 8 December 2026")


def test_the_run_prints_the_head_of_the_action_list(due_run):
    _, result = due_run
    shown = result.output.splitlines()
    assert "Due:" in shown
    assert any("... and" in line and "docgen due WORKBOOK" in line for line in shown)
    assert any(line.startswith("Due but not written: MIG-003 kick-off-invitation:") for line in screen(result))
