"""PDF letters and print packs: conversion by LibreOffice, failures named, packs merged."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import os
import sys
import time
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from docgen.errors import ConversionError
from docgen.formats import pdf as pdfmod
from docgen.formats import print_pack
from docgen.formats.pdf import convert_to_pdf, find_soffice
from docgen.formats.print_pack import build_print_pack, page_count

ICB = "QXY Integrated Care Board"


def write_letter(path: Path, practice: str, when: dt.date, pages: int = 1) -> Path:
    """A small letter like docgen's: a header and footer on every page, the practice and a date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = docx.Document()
    section = doc.sections[0]
    section.header.paragraphs[0].text = f"{ICB} - {practice}"
    section.footer.paragraphs[0].text = "OFFICIAL"
    doc.add_paragraph(f"Kick-off meeting for {practice}")
    doc.add_paragraph(f"Date: {when.day} {when:%B %Y}")
    for n in range(2, pages + 1):
        doc.add_page_break()
        doc.add_paragraph(f"Page {n} of the letter to {practice}")
    doc.save(path)
    return path


def text_of(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def blank_pdf(path: Path, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer.write(path)
    return path


def outline(pack: Path) -> list[tuple[str, int]]:
    reader = PdfReader(pack)
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


# --- with real LibreOffice ------------------------------------------------------------


def test_same_named_letters_in_different_folders_convert_side_by_side(soffice, tmp_path):
    first = write_letter(tmp_path / "QXY" / "Y90001" / "kick-off-invitation.docx", "The Surgery", dt.date(2026, 6, 15))
    second = write_letter(
        tmp_path / "QXY" / "Y90002" / "kick-off-invitation.docx", "Siân & O'Brien Practice", dt.date(2026, 7, 1)
    )
    missing = tmp_path / "QXY" / "Y90003" / "kick-off-invitation.docx"

    result = convert_to_pdf([first, missing, second], jobs=2, soffice=soffice)

    assert dict(result) == {first: first.with_suffix(".pdf"), second: second.with_suffix(".pdf")}
    one, two = "\n".join(text_of(result[first])), "\n".join(text_of(result[second]))
    assert "Kick-off meeting for The Surgery" in one and "15 June 2026" in one
    assert "Siân & O'Brien Practice" in two and "1 July 2026" in two
    assert "Siân" not in one and "The Surgery" not in two
    assert list(result.failures) == [missing]
    assert str(result.failures[missing]).startswith(f"Cannot convert {missing} to PDF: No such file or directory.")


def test_print_pack_has_a_contents_page_then_every_letter_on_the_front_of_a_sheet(soffice, tmp_path):
    practices = [("Y90001", "The Surgery", 1), ("Y90002", "Siân & O'Brien Practice", 2), ("Y90003", "Hill View", 1)]
    letters = [
        write_letter(tmp_path / ods / "data-extract-request.docx", name, dt.date(2026, 6, 15), pages)
        for ods, name, pages in practices
    ]
    result = convert_to_pdf(letters, soffice=soffice)
    assert not result.failures
    letter_pages = [page_count(result[d]) for d in letters]
    assert letter_pages == [pages for _, _, pages in practices]

    pack = tmp_path / "print" / "QXY-data-extract-request.pdf"
    entries = [(f"{ods} {name}", result[d]) for (ods, name, _), d in zip(practices, letters, strict=True)]
    total = build_print_pack(entries, pack, title="QXY — Data extract requests", soffice=soffice)

    # contents + blank, letter 1 + blank, letter 2, letter 3 + blank: printed double-sided,
    # every letter starts on the front of its own sheet.
    assert total == page_count(pack) == 8
    starts = [3, 5, 7]
    contents = text_of(pack)[0].splitlines()
    assert contents[0] == "QXY — Data extract requests"
    for (title, _), start in zip(entries, starts, strict=True):
        assert f"{title} {start}" in contents
    assert outline(pack) == [("Contents", 0)] + [(t, s - 1) for (t, _), s in zip(entries, starts, strict=True)]
    pages = text_of(pack)
    for (_, name, n), start in zip(practices, starts, strict=True):
        for k in range(n):  # every page of every letter has its own header
            assert f"{ICB} - {name}" in pages[start - 1 + k]
        assert f"Kick-off meeting for {name}" in pages[start - 1]
    assert [pages[k].strip() for k in (1, 3, 7)] == ["", "", ""]
    root = PdfReader(pack).trailer["/Root"]
    assert root["/ViewerPreferences"]["/Duplex"] == "/DuplexFlipLongEdge"  # the print dialog's default
    assert root["/Lang"] == "en-GB"


def test_contents_page_keeps_the_whole_title_and_every_character_of_the_names(soffice, tmp_path):
    title = (
        "Business justifications: QXY NHS Cheshire and Merseyside Integrated Care Board, "
        "migrations from EMIS Web to SystemOne in the spring"
    )
    entries = [("Y90001 Tŷ Siân & O'Brien (Ŵyn) Surgery", blank_pdf(tmp_path / "one.pdf", 1))]
    build_print_pack(entries, tmp_path / "pack.pdf", title=title, soffice=soffice)
    contents = text_of(tmp_path / "pack.pdf")[0]
    assert title in " ".join(contents.split())  # wrapped, never cut short
    assert "Y90001 Tŷ Siân & O'Brien (Ŵyn) Surgery 3" in contents.splitlines()


def test_one_sided_pack_has_no_blank_pages(soffice, tmp_path):
    entries = [(f"Y9000{n} Practice {n}", blank_pdf(tmp_path / f"{n}.pdf", n)) for n in (1, 2, 3)]
    pack = tmp_path / "pack.pdf"
    assert build_print_pack(entries, pack, title="QXY — Kick-off invitations", duplex=False) == 1 + 6
    assert outline(pack)[1:] == [("Y90001 Practice 1", 1), ("Y90002 Practice 2", 2), ("Y90003 Practice 3", 4)]
    assert PdfReader(pack).trailer["/Root"]["/ViewerPreferences"]["/Duplex"] == "/Simplex"


def test_a_long_pack_gets_more_contents_pages(soffice, tmp_path):
    letter = blank_pdf(tmp_path / "one.pdf", 1)
    entries = [(f"Y9{n:04d} Practice with a rather long name number {n}", letter) for n in range(1, 41)]
    pack = tmp_path / "pack.pdf"
    assert build_print_pack(entries, pack, title="QXY — Business justifications", duplex=False) == 2 + 40
    pages = text_of(pack)
    assert pages[0].splitlines()[:2] == ["QXY — Business justifications", "Contents Page"]
    assert pages[1].splitlines()[0] == "Contents Page"  # the heading row again
    listed = [line for page in pages[:2] for line in page.splitlines() if line.startswith("Y9")]
    assert listed == [f"{title} {n + 2}" for n, (title, _) in enumerate(entries, start=1)]
    # Duplex: two contents pages need no blank page; each one-page letter gets one.
    assert build_print_pack(entries, pack, title="QXY — Business justifications") == 2 + 80
    assert outline(pack)[1:3] == [(entries[0][0], 2), (entries[1][0], 4)]


# --- failures, without LibreOffice ----------------------------------------------------


def test_missing_libreoffice_says_how_to_install_it(monkeypatch, tmp_path):
    letter = write_letter(tmp_path / "letter.docx", "The Surgery", dt.date(2026, 6, 15))
    monkeypatch.setattr(pdfmod, "find_soffice", lambda: None)
    with pytest.raises(ConversionError) as err:
        convert_to_pdf([letter])
    assert str(err.value) == (
        "LibreOffice is not installed (no soffice program was found), so no PDFs were made; "
        "the .docx files are written. Install it and run again: on Debian or Ubuntu "
        "`sudo apt-get install libreoffice-writer-nogui`; on Windows or macOS the installer "
        "from https://www.libreoffice.org/download/."
    )
    assert letter.exists() and not letter.with_suffix(".pdf").exists()


FAKE_SOFFICE = """#!{python}
# Stands in for LibreOffice: "converts" each file into a tiny PDF carrying its text,
# and hangs on any file containing HANG, as LibreOffice can on a damaged document.
import sys, time, pathlib
args = sys.argv[1:]
outdir = pathlib.Path(args[args.index("--outdir") + 1])
for name in [a for a in args if a.endswith(".docx")]:
    data = pathlib.Path(name).read_bytes()
    if b"HANG" in data:
        time.sleep(60)
    (outdir / (pathlib.Path(name).stem + ".pdf")).write_bytes(b"%PDF-1.4\\n%" + data + b"\\n%%EOF\\n")
"""


@pytest.fixture
def fake_soffice(tmp_path) -> str:
    if os.name != "posix":
        pytest.skip("the stand-in LibreOffice is a POSIX script")
    path = tmp_path / "bin" / "soffice"
    path.parent.mkdir()
    path.write_text(FAKE_SOFFICE.format(python=sys.executable))
    path.chmod(0o755)
    return str(path)


def fake_letters(tmp_path: Path, contents: list[bytes]) -> list[Path]:
    paths = []
    for k, data in enumerate(contents, start=1):
        path = tmp_path / "out" / f"Y9000{k}" / "kick-off-invitation.docx"
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_a_stuck_letter_is_named_and_the_others_still_convert(fake_soffice, tmp_path):
    letters = fake_letters(tmp_path, [b"one", b"HANG two", b"three"])
    started = time.monotonic()
    result = convert_to_pdf(letters, timeout=1, soffice=fake_soffice)
    assert time.monotonic() - started < 20
    assert list(result) == [letters[0], letters[2]]
    assert result[letters[2]].read_bytes() == b"%PDF-1.4\n%three\n%%EOF\n"
    assert list(result.failures) == [letters[1]]
    assert str(result.failures[letters[1]]) == (
        f"LibreOffice took longer than 1 seconds converting {letters[1]} to PDF and was stopped; "
        "that PDF was not made. Check the document opens in Word or LibreOffice, then run again "
        "(a slow computer may need a longer timeout)."
    )
    with pytest.raises(ConversionError) as err:
        result.raise_for_failures()
    assert str(err.value).splitlines()[0] == "1 document(s) were not converted to PDF:"


def test_libreoffice_that_never_converts_anything_is_given_up_on(fake_soffice, tmp_path):
    letters = fake_letters(tmp_path, [b"HANG one", b"HANG two", b"HANG three"])
    result = convert_to_pdf(letters, timeout=0.5, soffice=fake_soffice)
    assert dict(result) == {}
    assert list(result.failures) == letters
    assert str(result.failures[letters[0]]).startswith(
        f"LibreOffice took longer than 0.5 seconds converting {letters[0]}"
    )
    assert str(result.failures[letters[2]]) == (
        f"{letters[2]} was not converted to PDF: LibreOffice stopped responding (nothing converted in "
        "0.5 seconds, twice). Check LibreOffice starts on this computer, then run again."
    )


def test_pdfs_can_go_to_another_folder_keeping_their_names_apart(fake_soffice, tmp_path):
    letters = fake_letters(tmp_path, [b"one", b"two"])
    result = convert_to_pdf(
        letters, jobs=2, soffice=fake_soffice, outdir_for=lambda p: tmp_path / "pdf" / p.parent.name
    )
    assert result == {
        letters[0]: tmp_path / "pdf" / "Y90001" / "kick-off-invitation.pdf",
        letters[1]: tmp_path / "pdf" / "Y90002" / "kick-off-invitation.pdf",
    }
    assert result[letters[1]].read_bytes() == b"%PDF-1.4\n%two\n%%EOF\n"


def test_find_soffice_uses_the_one_on_path(fake_soffice, monkeypatch):
    monkeypatch.setenv("PATH", str(Path(fake_soffice).parent))
    assert find_soffice() == fake_soffice


# --- print packs, without LibreOffice -------------------------------------------------


def test_a_pack_without_libreoffice_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(print_pack, "find_soffice", lambda: None)
    entries = [("Y90001 The Surgery", blank_pdf(tmp_path / "one.pdf", 1))]
    with pytest.raises(ConversionError) as err:
        build_print_pack(entries, tmp_path / "pack.pdf", title="QXY — Kick-off invitations")
    assert str(err.value) == pdfmod.MISSING_LIBREOFFICE
    assert not (tmp_path / "pack.pdf").exists()


def test_no_letters_no_pack(tmp_path):
    assert build_print_pack([], tmp_path / "pack.pdf", title="QXY — Kick-off invitations") == 0
    assert not (tmp_path / "pack.pdf").exists()


def test_a_letter_that_is_not_a_pdf_is_named(tmp_path):
    bad = tmp_path / "Y90001" / "kick-off-invitation.pdf"
    bad.parent.mkdir()
    bad.write_bytes(b"this is not a PDF")
    pack = tmp_path / "print" / "QXY-kick-off-invitation.pdf"
    with pytest.raises(ConversionError) as err:
        build_print_pack([("Y90001 The Surgery", bad)], pack, title="QXY — Kick-off invitations")
    assert str(err.value).startswith(
        f"Cannot add {bad} (Y90001 The Surgery) to the print pack {pack}: it is not a readable PDF"
    )
    assert str(err.value).endswith("Convert the letter again, then run again.")
    assert not pack.exists()


def test_page_count_of_a_broken_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "letter.pdf"
    bad.write_bytes(b"")
    with pytest.raises(ConversionError) as err:
        page_count(bad)
    assert str(err.value).startswith(f"Cannot read {bad} as a PDF (")
    assert page_count(blank_pdf(tmp_path / "two.pdf", 2)) == 2


STOPPABLE_SOFFICE = """#!{python}
# Stands in for LibreOffice busy converting: notes its process id and temporary folder,
# leaves a file there, and on SIGTERM notes that it was asked to stop (then stops, or not).
import os, pathlib, signal, sys, time
log = pathlib.Path({log!r})
scratch = pathlib.Path(os.environ["TMPDIR"])
(scratch / "lu1234.tmp").write_text("LibreOffice's own")
def term(signum, frame):
    with log.open("a") as fh:
        fh.write("SIGTERM\\n")
    if {exits}:
        sys.exit(0)
signal.signal(signal.SIGTERM, term)
log.write_text(f"{{os.getpid()}} {{scratch}}\\n")
while True:
    time.sleep(0.05)
"""


@pytest.mark.parametrize("exits", [True, False], ids=["stops-when-asked", "has-to-be-forced"])
def test_ctrl_c_asks_libreoffice_to_stop_then_forces_it_and_removes_its_folders(tmp_path, monkeypatch, exits):
    if os.name != "posix":
        pytest.skip("the stand-in LibreOffice is a POSIX script")
    log = tmp_path / "soffice.log"
    soffice = tmp_path / "bin" / "soffice"
    soffice.parent.mkdir()
    soffice.write_text(STOPPABLE_SOFFICE.format(python=sys.executable, log=str(log), exits=exits))
    soffice.chmod(0o755)
    monkeypatch.setattr(pdfmod, "_GRACE_SECONDS", 1.0)
    letters = fake_letters(tmp_path, [b"one"])

    def ctrl_c_once_libreoffice_runs(self, timeout=None):
        """The main thread waits for the conversions: Ctrl-C arrives there."""
        deadline = time.monotonic() + 30
        while not log.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        raise KeyboardInterrupt

    monkeypatch.setattr(concurrent.futures.Future, "result", ctrl_c_once_libreoffice_runs)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        convert_to_pdf(letters, soffice=str(soffice))
    monkeypatch.undo()
    pid, scratch = log.read_text().splitlines()[0].split(" ", 1)
    assert log.read_text().splitlines()[1:] == ["SIGTERM"]  # asked first, in both cases
    assert not Path(f"/proc/{pid}").exists()  # and stopped (forced when it would not stop)
    assert not Path(scratch).exists()  # its temporary folder went with docgen's
    assert time.monotonic() - started < 15
    assert not letters[0].with_suffix(".pdf").exists()
