"""Email drafts: what Outlook (or any mail client) reads back from the .eml."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from pathlib import Path

import docx
import pytest

from docgen.emails import draft
from docgen.errors import OutputError

SENDER = ("Jo Bloggs (QXY ICB)", "jo.bloggs@nhs.net")
WHEN = dt.datetime(2026, 5, 1, 9, 30)  # noqa: DTZ001 - naive is London time (BST here)


@pytest.fixture
def attachments(tmp_path: Path) -> list[Path]:
    letter = tmp_path / "Y90001 Siân & O'Brien" / "kick-off-invitation.docx"
    letter.parent.mkdir()
    doc = docx.Document()
    doc.add_paragraph("Kick-off meeting for Siân & O'Brien Surgery")
    doc.save(letter)
    pdf = tmp_path / "data-extract-request.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% a letter\n%%EOF\n")
    ics = tmp_path / "kick-off.ics"
    ics.write_bytes(b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")
    return [letter, pdf, ics]


def make(attachments, **kw) -> bytes:
    args = dict(
        sender=SENDER,
        to=[("Siân O'Brien", "sian.obrien@nhs.net"), ("Dŵr & Co Ltd", "extracts@dwr.example")],
        cc=[("Lead GP, Dr Ann", "ann.jones@nhs.net")],
        subject="Kick-off: Y90001 Siân & O'Brien Surgery\r\nBcc: everyone@example.com",
        body="Dear colleagues,\n\nPlease find the invitation attached — diolch.\n\nJo\n",
        attachments=attachments,
        date=WHEN,
    )
    args.update(kw)
    return draft(**args)


def parse(raw: bytes):
    return message_from_bytes(raw, policy=policy.default)


def test_draft_is_unsent_with_sender_recipients_and_date(attachments):
    msg = parse(make(attachments))
    assert msg["X-Unsent"] == "1"
    assert [(a.display_name, a.addr_spec) for a in msg["From"].addresses] == [SENDER]
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [
        ("Siân O'Brien", "sian.obrien@nhs.net"),
        ("Dŵr & Co Ltd", "extracts@dwr.example"),
    ]
    assert [(a.display_name, a.addr_spec) for a in msg["Cc"].addresses] == [("Lead GP, Dr Ann", "ann.jones@nhs.net")]
    assert msg["Date"].datetime == WHEN.replace(tzinfo=dt.timezone(dt.timedelta(hours=1)))


def test_a_line_break_in_the_subject_cannot_add_a_header(attachments):
    raw = make(attachments)
    msg = parse(raw)
    assert msg["Subject"] == "Kick-off: Y90001 Siân & O'Brien Surgery Bcc: everyone@example.com"
    assert msg["Bcc"] is None
    assert b"\r\nBcc:" not in raw


def test_a_line_break_in_a_name_cannot_add_a_header(attachments):
    msg = parse(make(attachments, to=[("Practice\nBcc: everyone@example.com", "p@nhs.net")]))
    assert msg["Bcc"] is None
    assert [a.display_name for a in msg["To"].addresses] == ["Practice Bcc: everyone@example.com"]


def test_body_reads_back_in_utf8(attachments):
    msg = parse(make(attachments))
    text = msg.get_body(("plain",)).get_content()
    assert text.splitlines() == ["Dear colleagues,", "", "Please find the invitation attached — diolch.", "", "Jo"]


def test_attachments_keep_name_bytes_and_type(attachments):
    msg = parse(make(attachments))
    parts = list(msg.iter_attachments())
    assert [p.get_filename() for p in parts] == ["kick-off-invitation.docx", "data-extract-request.pdf", "kick-off.ics"]
    assert [p.get_content_type() for p in parts] == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf",
        "text/calendar",
    ]
    assert parts[2].get_param("method") == "REQUEST"
    assert parts[0].get_payload(decode=True) == attachments[0].read_bytes()
    assert parts[1].get_payload(decode=True) == attachments[1].read_bytes()
    assert parts[2].get_payload(decode=True) == attachments[2].read_bytes()


def test_a_non_ascii_attachment_name_survives(tmp_path):
    odd = tmp_path / "Llythyr Siân & O'Brien.pdf"
    odd.write_bytes(b"%PDF-1.4\n%%EOF\n")
    msg = parse(make([odd]))
    (part,) = msg.iter_attachments()
    assert part.get_filename() == "Llythyr Siân & O'Brien.pdf"


def test_reruns_give_the_same_bytes_and_changes_a_new_message_id(attachments):
    first = make(attachments)
    assert make(attachments) == first
    later = parse(make(attachments, date=WHEN + dt.timedelta(days=1)))
    assert later["Message-ID"] != parse(first)["Message-ID"]
    assert parse(first)["Message-ID"].endswith("@docgen>")


def test_without_attachments_it_is_a_plain_draft():
    msg = parse(make([]))
    assert msg.get_content_type() == "text/plain"
    assert msg["X-Unsent"] == "1"


def test_a_bad_address_is_named(attachments):
    with pytest.raises(OutputError) as err:
        make(attachments, to=[("Extracts team", "extracts@dwr.example, everyone@example.com")])
    assert str(err.value) == (
        'Cannot write the email draft "Kick-off: Y90001 Siân & O\'Brien Surgery Bcc: everyone@example.com": '
        '"extracts@dwr.example, everyone@example.com" (Extracts team) is not an email address. '
        "Correct it in the workbook, then run again."
    )


def test_a_missing_attachment_is_named(tmp_path):
    missing = tmp_path / "kick-off.ics"
    with pytest.raises(OutputError) as err:
        make([missing], subject="Kick-off")
    assert str(err.value) == (
        f'Cannot attach {missing} to the email draft "Kick-off": No such file or directory. '
        "Check the file was written, then run again."
    )
