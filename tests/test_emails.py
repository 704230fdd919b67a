"""Email drafts: what Outlook (or any mail client) reads back from the .eml."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.utils import decode_rfc2231, getaddresses
from pathlib import Path
from urllib.parse import unquote

import docx
import pytest

from docgen.errors import OutputError
from docgen.formats.eml import draft

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


_EXTENDED_NAME = re.compile(r"filename\*=([^;\s]+)")


def shown_name(part) -> str:
    """The attachment's name as a reader that knows RFC 2231 shows it: ``filename*`` when
    there is one. (``email`` takes the first ``filename`` parameter, the ASCII one, as a
    reader without RFC 2231 does.)"""
    raw = "".join(value for name, value in part.raw_items() if name.lower() == "content-disposition")
    extended = _EXTENDED_NAME.search(re.sub(r"\r?\n[ \t]", " ", raw))
    if extended is None:
        return part.get_filename()
    charset, _language, value = decode_rfc2231(extended.group(1))
    return unquote(value, encoding=charset)


def test_a_non_ascii_attachment_name_survives(tmp_path):
    odd = tmp_path / "Llythyr Siân & O'Brien.pdf"
    odd.write_bytes(b"%PDF-1.4\n%%EOF\n")
    msg = parse(make([odd]))
    (part,) = msg.iter_attachments()
    assert shown_name(part) == "Llythyr Siân & O'Brien.pdf"


@pytest.mark.parametrize(
    ("filename", "fallback"),
    [
        ("Llythyr Siân & O'Brien.pdf", "Llythyr Sian & O'Brien.pdf"),
        ("Dŵr a Glo – Cyfarfod.docx", "Dwr a Glo _ Cyfarfod.docx"),
        ('a "quoted" \\ name.pdf', "a 'quoted' _ name.pdf"),
        ("=?utf-8?q?x?=.pdf", "=_utf-8?q?x?=.pdf"),
        ("😀 Plan.pdf", "_ Plan.pdf"),
    ],
    ids=["welsh", "dash", "quotes", "encoded-word-lookalike", "emoji"],
)
def test_a_non_ascii_name_has_an_ascii_fallback_before_the_exact_one(tmp_path, filename, fallback):
    """Outlook is reported to show an attachment with only ``filename*`` as "ATT00001": a
    reader without RFC 2231 takes the ``filename`` before it, one with RFC 2231 the exact name."""
    letter = tmp_path / filename
    letter.write_bytes(b"%PDF-1.4\n%%EOF\n")
    raw = make([letter])
    head = raw[raw.index(b"Content-Disposition") :].split(b"\r\n\r\n")[0].decode("ascii")
    first, second = head.split("\r\n")
    assert first == f'Content-Disposition: attachment; filename="{fallback}";'
    assert second.startswith(" filename*=utf-8''") and len(first) <= 78
    for strictness in (policy.default, policy.strict):
        (part,) = message_from_bytes(raw, policy=strictness).iter_attachments()
        assert part.get_filename() == fallback
        assert shown_name(part) == filename


@pytest.mark.parametrize(
    "name",
    ["Pŵyllgor " * 8, "Meddygfa Glan-yr-Afon – Siân Ö'Brien-Llewellyn a'i Phartneriaid", "😀" * 30, "ŵ" * 100],
    ids=["words", "practice", "emoji", "one-long-word"],
)
def test_a_long_non_ascii_name_is_encoded_words_of_at_most_75_characters(name):
    raw = draft(
        sender=(name, "jo.bloggs@nhs.net"),
        to=[("Plain", "b@nhs.net"), (name, "a.very.long.address.for.a.practice@nhs.net")],
        subject="Kick-off",
        body="Hello",
        attachments=[],
        date=WHEN,
    )
    head = raw.split(b"\r\n\r\n")[0].decode("ascii")
    words = re.findall(r"=\?utf-8\?[bq]\?[^?]*\?=", head)
    assert len(words) >= 4 and max(map(len, words)) <= 75  # RFC 2047 2
    assert max(map(len, head.split("\r\n"))) <= 78  # RFC 5322 2.1.1
    msg = message_from_bytes(raw, policy=policy.strict)  # no defect raised
    assert [a.addr_spec for a in msg["To"].addresses] == ["b@nhs.net", "a.very.long.address.for.a.practice@nhs.net"]
    one_line = " ".join(name.split())
    assert people(msg, "From") == [(one_line, "jo.bloggs@nhs.net")]
    assert people(msg, "To") == [("Plain", "b@nhs.net"), (one_line, "a.very.long.address.for.a.practice@nhs.net")]


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


def people(msg, header: str) -> list[tuple[str, str]]:
    """The (name, address) pairs of ``header`` as a mail client shows them: a name's
    encoded words decoded as RFC 2047 6.2 says, ignoring the space between two of them
    (the address parser of Python 3.11 keeps it: CPython gh-128110)."""
    raw = " ".join(value for name, value in msg.raw_items() if name.lower() == header.lower())
    pairs = getaddresses([re.sub(r"\r?\n([ \t])", r"\1", raw)]) if raw else []
    return [(str(make_header(decode_header(name))), address) for name, address in pairs]


def read_back(raw: bytes) -> dict:
    """What a mail client shows: the addresses, subject, body lines and attachments."""
    msg = parse(raw)
    return {
        "from": people(msg, "From"),
        "to": people(msg, "To"),
        "cc": people(msg, "Cc"),
        "subject": str(msg["Subject"]),
        "body": msg.get_body(("plain",)).get_content().splitlines(),
        "attachments": [(shown_name(p), p.get_payload(decode=True)) for p in msg.iter_attachments()],
        "defects": [type(d).__name__ for part in msg.walk() for d in part.defects],
    }


LONG_SUBJECT = "Kick-off meeting 13 January 2027: THE VERY LONG NAMED HEALTH CENTRE (A81007) move to SystmOne"


@pytest.mark.parametrize(
    ("name", "subject", "filename"),
    [
        ("Siân Ö, Dr", LONG_SUBJECT, "Llythyr Siân & O'Brien.pdf"),
        (
            'Dr "Nan" Jones \\ (Lead GP)',
            LONG_SUBJECT.replace("SystmOne", "Meddygfa Glan-yr-Afon – Siân"),
            'a "quoted" name.pdf',
        ),
        ("=?utf-8?q?not_encoded?=", "Subject with =?utf-8?q?x?= in it", "=?utf-8?q?x?=.pdf"),
        ("Pŵyllgor " * 8, "x" * 120 + " then words", "l" * 150 + ".pdf"),
        ("Emoji 😀 Practice", "Kick-off 😀", "é" * 60 + ".pdf"),
    ],
    ids=["welsh", "quotes-and-dash", "encoded-word-lookalikes", "long", "emoji"],
)
def test_names_subjects_and_file_names_read_back_as_given(tmp_path, name, subject, filename):
    letter = tmp_path / filename
    letter.write_bytes(b"%PDF-1.4\n%%EOF\n")
    body = "Line one = x\n\nTrailing spaces   \n" + "long " * 40 + "\r\nno newline at the end"
    raw = make(
        [letter],
        sender=(name, "jo@nhs.net"),
        to=[(name, "a@nhs.net"), ("Plain", "b@nhs.net")],
        subject=subject,
        body=body,
    )
    one_line = " ".join(name.split())
    assert read_back(raw) == {
        "from": [(one_line, "jo@nhs.net")],
        "to": [(one_line, "a@nhs.net"), ("Plain", "b@nhs.net")],
        "cc": [("Lead GP, Dr Ann", "ann.jones@nhs.net")],
        "subject": subject,
        "body": body.replace("\r\n", "\n").splitlines(),
        "attachments": [(filename, b"%PDF-1.4\n%%EOF\n")],
        "defects": [],
    }


def test_a_typical_draft_is_ascii_with_short_lines(attachments):
    raw = make(attachments, subject=LONG_SUBJECT, to=[("Practice manager", f"pm{i}@nhs.net") for i in range(6)])
    lines = raw.split(b"\r\n")
    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    # The Word MIME type alone is longer than 78 characters, and has nowhere to fold.
    assert max(len(line) for line in lines if not line.startswith(b"Content-Type: application/vnd.")) <= 78
    assert parse(raw)["Subject"] == LONG_SUBJECT  # folded, and unfolded without a stray space


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("pm@example.nhs.uk", "pm@example.nhs.uk"),
        ("  a.b-c+tag@x.co.uk\n", "a.b-c+tag@x.co.uk"),
        ("o'brien@x.com", "o'brien@x.com"),
        ('"a b"@c.com', '"a b"@c.com'),
        ("a@[10.0.0.1]", "a@[10.0.0.1]"),
        ("a@b.com (work)", "a@b.com"),
        ("jo@bücher.example", "jo@xn--bcher-kva.example"),
    ],
)
def test_addresses_are_written_as_mail_servers_read_them(attachments, given, written):
    msg = parse(make(attachments, to=[("Someone", given)]))
    assert [a.addr_spec for a in msg["To"].addresses] == [written]


@pytest.mark.parametrize("bad", ["a.@b.com", "a@b..c", "a@", "x", "siân@nhs.net"])
def test_any_malformed_address_is_named(attachments, bad):
    with pytest.raises(OutputError, match=f'"{bad}" \\(Someone\\) is not an email address'):
        make(attachments, to=[("Someone", bad)])


def test_attachments_in_memory_give_the_same_draft_as_files(attachments):
    in_memory = [(path.name, path.read_bytes()) for path in attachments]
    assert make(in_memory) == make(attachments)
    assert make([in_memory[0], attachments[1], (attachments[2].name, bytearray(in_memory[2][1]))]) == make(attachments)


@pytest.mark.parametrize(
    "size", [0, 1, 2, 3, 56, 57, 58, 75, 76, 77, 114, 4863, 3647, 3648, 3649, 64 * 57 * 3 + 1, 43211]
)
def test_base64_lines_are_those_of_the_standard_library(size):
    import base64
    import random

    from docgen.formats.eml import _base64

    data = random.Random(size).randbytes(size)
    assert _base64(data) == base64.encodebytes(data).replace(b"\n", b"\r\n")


def test_a_shared_prefix_gives_the_same_bytes_as_encoding_the_whole():
    """(name, bytes, n): the base64 and hash of the first n bytes (rounded down to whole
    base64 lines) are reused from an earlier attachment that started the same way; a
    draft must not differ by a byte, whether the prefix is new, remembered, or claimed
    wrongly."""
    import random

    rng = random.Random(2045)
    template = rng.randbytes(5000)
    letters = [template[:3000] + rng.randbytes(rng.randrange(0, 3000)) for _ in range(3)]
    letters.append(rng.randbytes(4000))  # starts differently: the claimed prefix is not shared
    letters.append(template[:3000])  # all prefix
    for _round in range(2):  # the second round finds every prefix remembered
        for letter in letters:
            for shared in (0, 1, 56, 57, 58, 113, 114, 2999, 3000, 3001, len(letter) - 1, len(letter), 10**6, -57):
                files = [("letter.docx", letter, shared), ("kick-off.ics", b"BEGIN:VCALENDAR\r\n", shared)]
                plain = [(name, data) for name, data, _ in files]
                assert make(files) == make(plain), (len(letter), shared)


def test_the_remembered_prefixes_are_few(monkeypatch):
    from docgen.formats import eml as emails

    monkeypatch.setattr(emails, "_PREFIXES", [])
    datas = [bytes([i]) * 600 for i in range(40)]
    for data in datas * 2:
        assert make([("a.pdf", data, 300)]) == make([("a.pdf", data)])
    assert len(emails._PREFIXES) <= emails._MAX_PREFIXES


@pytest.mark.parametrize(("fold", "offset"), [(0, 1), (1, 0)], ids=["first-01:30-BST", "second-01:30-GMT"])
def test_the_date_of_an_ambiguous_hour_keeps_its_offset(fold, offset):
    # 25 October 2026: clocks go back at 02:00 BST, so 01:30 happens twice.
    when = dt.datetime(2026, 10, 25, 1, 30, fold=fold)  # noqa: DTZ001 - naive is London time
    for _ in range(2):  # the Date header is remembered: the second time too
        assert parse(make([], date=when))["Date"].datetime.utcoffset() == dt.timedelta(hours=offset)
