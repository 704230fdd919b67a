"""The delivery pack of ``docgen run``: the kick-off ``.ics``, the ``.eml`` drafts, and with
``--pdf`` the PDFs and print packs, read back the way Outlook, a calendar and a printer would."""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import html
import io
import re
import subprocess
import zipfile
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import wb
from pypdf import PdfReader, PdfWriter
from test_cli_run import PER_MIGRATION, add_practice, files, invoke, make, manifest, run, summary

from docgen.formats import pdf, pdf_merged

LONDON = ZoneInfo("Europe/London")
FOLDER = "QXY/Y90001 Test Surgery"
INVITEES = {
    "mailto:pat.manager@nhs.net": "Pat Manager",
    "mailto:ivy.lead@nhs.net": "Ivy Lead",
    "mailto:sam.carter@tpp.example": "Sam Carter",
}


def _kickoff(sheets, date="15/02/2027"):
    wb.put(sheets, "Migrations", 2, "Kick-off date", date)
    wb.put(sheets, "Migrations", 2, "Kick-off time", "14:30")
    wb.put(sheets, "Migrations", 2, "Kick-off location or link", "https://meet.example/kick-off")


def _people(sheets):
    """Invitees from the practice, the ICB and the new supplier; one person not invited;
    the current supplier's extract contact."""
    rows = sheets["Contacts"]
    for org, role, name, mail, invited in (
        ("QXY", "ICB lead", "Ivy Lead", "ivy.lead@nhs.net", "Yes"),
        ("TPP", "New supplier", "Sam Carter", "sam.carter@tpp.example", "Yes"),
        ("Y90001", "Lead GP", "Dr Not Invited", "not.invited@nhs.net", "No"),
    ):
        n = len(rows) + 1
        for header, value in (("Organisation", org), ("Role", role), ("Name", name), ("Email", mail)):
            wb.put(sheets, "Contacts", n, header, value)
        wb.put(sheets, "Contacts", n, "Kick-off invitee", invited)
    wb.put(sheets, "Suppliers", 2, "Extract contact name", "Optum Data Migrations")
    wb.put(sheets, "Suppliers", 2, "Extract contact email", "migrations@optum.example")


def _calendar(out: Path) -> icalendar.Event:
    cal = icalendar.Calendar.from_ical((out / FOLDER / "kick-off.ics").read_bytes())
    (event,) = cal.walk("VEVENT")
    assert cal["method"] == "REQUEST"
    return event


def _message(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def _attachments(message) -> dict[str, tuple[str, bytes]]:
    return {a.get_filename(): (a.get_content_type(), a.get_content()) for a in message.iter_attachments()}


# --- calendar invitation ----------------------------------------------------------------------------


def test_kickoff_ics_invites_the_migrations_people_at_the_kickoff_time(tmp_path):
    out = tmp_path / "outputs"
    result = run(make(tmp_path, _kickoff, _people), out)
    assert result.exit_code == 0, result.output

    event = _calendar(out)
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == dt.datetime(2027, 2, 15, 14, 30, tzinfo=LONDON)
    assert str(start.tzinfo) == "Europe/London"
    assert end - start == dt.timedelta(minutes=90)
    assert str(event["location"]) == "https://meet.example/kick-off"
    assert str(event["organizer"]) == "mailto:ann.sender@nhs.net"
    assert event["organizer"].params["CN"] == "Ann Sender"
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert {str(a): a.params["CN"] for a in attendees} == INVITEES
    assert "Test Surgery (Y90001)" in str(event["summary"])
    assert int(event["sequence"]) == 0


def test_a_changed_kickoff_date_updates_the_same_event(tmp_path):
    out = tmp_path / "outputs"
    assert run(make(tmp_path, _kickoff, _people), out).exit_code == 0
    first = _calendar(out)

    moved = make(tmp_path, lambda s: _kickoff(s, "16/02/2027"), _people, name="moved.xlsx")
    assert run(moved, out).exit_code == 0
    second = _calendar(out)
    assert str(second["uid"]) == str(first["uid"])
    assert int(second["sequence"]) == 1
    assert second.decoded("dtstart") == dt.datetime(2027, 2, 16, 14, 30, tzinfo=LONDON)

    assert run(moved, out).exit_code == 0  # nothing changed: the same invitation, not a new update
    assert int(_calendar(out)["sequence"]) == 1
    assert {r["path"]: r["status"] for r in manifest(out)}[f"{FOLDER}/kick-off.ics"] == "unchanged"


# --- email drafts --------------------------------------------------------------------------------------


def test_email_drafts_open_as_drafts_with_the_letters_attached(tmp_path):
    out = tmp_path / "outputs"
    assert run(make(tmp_path, _kickoff, _people), out).exit_code == 0

    extract = _message(out / FOLDER / "data-extract-request.eml")
    assert extract["X-Unsent"] == "1"
    assert extract["From"].addresses[0].addr_spec == "ann.sender@nhs.net"
    assert [a.addr_spec for a in extract["To"].addresses] == ["migrations@optum.example"]
    assert extract["Subject"] == "Data extract request: Test Surgery (Y90001), EMIS Web to SystmOne"
    assert "Dear Optum Data Migrations," in extract.get_body(("plain",)).get_content()
    assert _attachments(extract) == {
        "data-extract-request.docx": (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (out / FOLDER / "data-extract-request.docx").read_bytes(),
        )
    }

    kickoff = _message(out / FOLDER / "kick-off-invitation.eml")
    assert kickoff["X-Unsent"] == "1"
    assert {a.addr_spec for a in kickoff["To"].addresses} == {m.removeprefix("mailto:") for m in INVITEES}
    attached = _attachments(kickoff)
    assert list(attached) == ["kick-off-invitation.docx", "kick-off.ics"]
    assert attached["kick-off-invitation.docx"][1] == (out / FOLDER / "kick-off-invitation.docx").read_bytes()
    content_type, ics = attached["kick-off.ics"]
    assert content_type == "text/calendar"
    ics = ics.encode() if isinstance(ics, str) else ics
    assert ics.replace(b"\r\n", b"\n") == (out / FOLDER / "kick-off.ics").read_bytes().replace(b"\r\n", b"\n")
    assert "15 February 2027 at 14:30" in kickoff.get_body(("plain",)).get_content()


# --- PDFs with real LibreOffice -------------------------------------------------------------------------


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_pdf_letters_and_print_packs(soffice, tmp_path):
    out = tmp_path / "outputs"
    book = make(tmp_path, _people, lambda s: add_practice(s, "Y90002", "Siân & O'Brien Practice", "MIG-002"))
    result = run(book, out, "--pdf")
    assert result.exit_code == 0, result.output
    assert summary(result)[:2] == ("6", "2")

    rows = manifest(out)
    listed = {r["path"]: r for r in rows}
    names = {"Y90001": "Test Surgery", "Y90002": "Siân & O'Brien Practice"}
    pages: dict[str, list[int]] = {}
    for r in rows:
        if not r["path"].endswith(".docx"):
            continue
        letter = (out / r["path"]).with_suffix(".pdf")
        rel = Path(r["path"]).with_suffix(".pdf").as_posix()
        assert listed[rel]["status"] == "written"
        assert listed[rel]["sha256"] == hashlib.sha256(letter.read_bytes()).hexdigest()
        text = " ".join(_pdftotext(letter).split())
        assert names[r["ods_code"]] in text, rel
        # The business justification is a record of its approval (2 November); the
        # letters sent now carry the letter date.
        own_date = "2 November 2026" if r["document"] == "business-justification" else "23 November 2026"
        assert own_date in text, rel
        _assert_accessible(letter, out / r["path"])
        _assert_sign_off_not_alone(letter)
        pages.setdefault(r["document"], []).append(len(PdfReader(letter).pages))

    for doc, counts in pages.items():
        pack = out / "print" / f"QXY-{doc}.pdf"
        # Double-sided: the contents and every letter take whole sheets (a blank back where needed).
        sheets = [1, *counts]
        total = sum(n + n % 2 for n in sheets)
        reader = PdfReader(pack)
        assert len(reader.pages) == total, doc
        starts = [reader.get_destination_page_number(item) + 1 for item in reader.outline]
        assert starts == [1 + sum(n + n % 2 for n in sheets[:k]) for k in range(len(sheets))], doc
        assert all(start % 2 == 1 for start in starts), doc
        row = listed[f"print/QXY-{doc}.pdf"]
        assert row["status"] == "written" and row["message"] == f"2 letter(s), {total} page(s)"
        assert row["sha256"] == hashlib.sha256(pack.read_bytes()).hexdigest()
        contents = _pdftotext(pack).split("\f")[0]
        assert "Y90001 Test Surgery" in contents and "Y90002 Siân & O'Brien Practice" in contents

    extract = _message(out / FOLDER / "data-extract-request.eml")
    assert _attachments(extract) == {
        "data-extract-request.pdf": ("application/pdf", (out / FOLDER / "data-extract-request.pdf").read_bytes())
    }
    assert list(_attachments(_message(out / FOLDER / "kick-off-invitation.eml"))) == [
        "kick-off-invitation.pdf",
        "kick-off.ics",
    ]


def test_sample_letters_never_leave_the_sign_off_alone(soffice, tmp_path):
    """The sample's due letters as the admin's run writes them (as at the sample's date):
    the sign-off of a letter that runs onto another page takes some of the letter with it."""
    out = tmp_path / "outputs"
    sample = Path(__file__).resolve().parents[1] / "inputs" / "migrations.xlsx"
    result = invoke("run", sample, "--out", out, "--pdf", "--jobs", "1", "--only", "Y90004", "--only", "Y90007")
    assert result.exit_code == 0, result.output
    letters = sorted(out.glob("QXY/*/*.pdf"))
    assert len(letters) == 4, letters
    for letter in letters:
        _assert_sign_off_not_alone(letter)


def _assert_sign_off_not_alone(letter: Path) -> None:
    """ "Yours sincerely" and the signature never stand alone at the top of a last page:
    at least three lines of the letter (below the running header) come before them."""
    pages = [page for page in _pdftotext(letter).split("\f") if page.strip()]
    if "Yours sincerely" not in pages[-1]:
        return  # a form ending in its signature table (the business justification)
    lines = [line for line in pages[-1].split("Yours sincerely")[0].splitlines() if line.strip()]
    if len(pages) > 1:
        lines = lines[1:]  # the running header
    assert len(lines) >= 3, (letter, lines)


def _assert_accessible(letter: Path, source: Path) -> None:
    """A tagged PDF/UA in the letter's own language (the template's, en-GB), titled as the
    .docx is, so a screen reader gets its structure and a viewer shows the title."""
    reader = PdfReader(letter)
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True, letter
    structure = root["/StructTreeRoot"].get_object()
    assert structure["/K"], letter
    assert b"<pdfuaid:part>1</pdfuaid:part>" in root["/Metadata"].get_object().get_data(), letter
    with zipfile.ZipFile(source) as package:
        styles = package.read("word/styles.xml").decode()
        core = package.read("docProps/core.xml").decode()
    language = re.search(r'<w:rPrDefault>.*?<w:lang [^>]*w:val="([^"]+)"', styles, re.S)
    assert language and language[1] == "en-GB", source
    assert root["/Lang"] == "en-GB", letter
    title = re.search(r"<dc:title>([^<]+)</dc:title>", core)
    assert title and reader.metadata.title == html.unescape(title[1]), letter
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True, letter


# --- PDFs without LibreOffice, and with a stand-in converter ----------------------------------------------


def test_without_libreoffice_the_letters_are_still_written(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    out = tmp_path / "outputs"
    result = run(make(tmp_path, _people), out, "--pdf")

    assert result.exit_code == 0, result.output
    assert pdf.MISSING_LIBREOFFICE in result.output.splitlines()
    assert "sudo apt-get install libreoffice-writer-nogui" in pdf.MISSING_LIBREOFFICE
    assert files(out) == {"manifest.csv", "timeline.xlsx"} | {f"{FOLDER}/{n}" for n in PER_MIGRATION}
    assert list(_attachments(_message(out / FOLDER / "data-extract-request.eml"))) == ["data-extract-request.docx"]


def _fake_pdf(docx: Path) -> bytes:
    """A one-page PDF that remembers which .docx bytes it was made from."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Subject": hashlib.sha256(docx.read_bytes()).hexdigest()})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _made_from(pdf_path: Path) -> str:
    return PdfReader(pdf_path).metadata["/Subject"]


@pytest.fixture
def converter(monkeypatch):
    """LibreOffice replaced by a fast stand-in; ``converter.calls`` lists the .docx it was
    given, ``converter.fail`` the names it fails on."""

    class Converter:
        calls: list[Path] = []
        fail: set[str] = set()

        def __call__(self, paths, *, jobs=1, soffice=None, **kwargs):
            result = pdf.ConversionResult()
            for path in paths:
                if not path.name.startswith("contents"):  # a print pack's contents page is not a letter
                    self.calls.append(path)
                if path.name in self.fail:
                    result.failures[path] = pdf.ConversionError(f"LibreOffice could not convert {path} to PDF.")
                    continue
                path.with_suffix(".pdf").write_bytes(_fake_pdf(path))
                result[path] = path.with_suffix(".pdf")
            return result

    fake = Converter()
    fake.calls, fake.fail = [], set()
    monkeypatch.setattr(pdf, "find_soffice", lambda: "/opt/fake/soffice")
    monkeypatch.setattr(pdf, "convert_to_pdf", fake)
    # The run converts a print pack's letters together: the stand-in takes them one by one.
    monkeypatch.setattr(
        pdf_merged, "convert_letters", lambda packs, **kw: fake([p for pack in packs for p in pack], **kw)
    )
    return fake


def _pdfs_match_letters(out: Path) -> None:
    for name in files(out):
        if name.endswith(".docx"):
            docx_path = out / name
            assert _made_from(docx_path.with_suffix(".pdf")) == hashlib.sha256(docx_path.read_bytes()).hexdigest()


def test_a_rerun_keeps_pdfs_of_unchanged_letters(tmp_path, converter):
    book, out = make(tmp_path), tmp_path / "outputs"
    first = run(book, out, "--pdf")
    assert first.exit_code == 0, first.output
    assert len(converter.calls) == 3
    converter.calls.clear()

    assert run(book, out, "--pdf").exit_code == 0
    assert converter.calls == []
    statuses = {r["path"]: r["status"] for r in manifest(out)}
    assert {s for p, s in statuses.items() if p.endswith(".pdf") and not p.startswith("print/")} == {"unchanged"}
    _pdfs_match_letters(out)


def test_pdfs_left_by_an_older_run_are_not_reused_for_changed_letters(tmp_path, converter):
    """--pdf on 23 November, then without --pdf on 1 December (the letters change, the
    PDFs stay behind), then --pdf on 1 December again: the PDFs must be of the new letters."""
    book, out = make(tmp_path), tmp_path / "outputs"
    assert run(book, out, "--pdf").exit_code == 0
    later = ("--today", "2026-11-23", "--date", "2026-12-01", "--jobs", "1", "--all")
    assert invoke("run", book, "--out", out, *later).exit_code == 0
    converter.calls.clear()

    result = invoke("run", book, "--out", out, *later, "--pdf")

    assert result.exit_code == 0, result.output
    # The record (the business justification) did not change, but the run without --pdf
    # left its PDF out of the manifest, so it is not trusted either.
    assert sorted(p.name for p in converter.calls) == [
        "business-justification.docx",
        "data-extract-request.docx",
        "kick-off-invitation.docx",
    ]
    _pdfs_match_letters(out)


def test_a_failed_conversion_never_sends_or_leaves_a_stale_pdf(tmp_path, converter):
    book, out = make(tmp_path), tmp_path / "outputs"
    assert run(book, out, "--pdf").exit_code == 0
    converter.fail = {"data-extract-request.docx"}

    result = invoke("run", book, "--out", out, "--today", "2026-11-23", "--date", "2026-12-01", "--jobs", "1", "--pdf")

    assert result.exit_code == 1
    letter = out / FOLDER / "data-extract-request.docx"
    assert f"Failed: {FOLDER}/data-extract-request.pdf: LibreOffice could not convert {letter} to PDF." in (
        result.output.splitlines()
    )
    assert not letter.with_suffix(".pdf").exists()
    assert list(_attachments(_message(out / FOLDER / "data-extract-request.eml"))) == ["data-extract-request.docx"]
    assert list(_attachments(_message(out / FOLDER / "kick-off-invitation.eml")))[0] == "kick-off-invitation.pdf"


@pytest.mark.parametrize(("flag", "duplex"), [((), True), (("--one-sided",), False)])
def test_print_packs_are_double_sided_unless_asked(tmp_path, converter, monkeypatch, flag, duplex):
    """The packs' layout follows --one-sided (the layout itself is tested in test_pdf)."""
    import docgen.batch.pdfs

    asked: list[bool] = []

    def packs(specs, **kwargs):
        for spec in specs:
            asked.append(spec.duplex)
            spec.out.parent.mkdir(parents=True, exist_ok=True)
            spec.out.write_bytes(b"%PDF-1.4 pack")
        return [len(spec.entries) for spec in specs]

    monkeypatch.setattr(docgen.batch.pdfs, "build_print_packs", packs)
    book, out = make(tmp_path), tmp_path / "outputs"
    assert run(book, out, "--pdf", *flag).exit_code == 0
    assert asked and set(asked) == {duplex}
