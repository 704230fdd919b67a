"""PDFs a print pack at a time: letters composed into one document, converted once, cut
back into letters that read exactly as each letter converted alone."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader
from sample import sample_batch

from docgen.cli import main
from docgen.formats import docx_compose, pdf_merged
from docgen.formats import pdf as pdfmod
from docgen.formats.docx_compose import LONG_KEEP_CHAIN, compose, keep_chain, shared_key
from docgen.formats.pdf_cut import CutError, cut_letters
from docgen.formats.pdf_merged import convert_letters
from docgen.workbook.starter import write_workbook

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
KINDS = ("business-justification", "data-extract-request", "kick-off-invitation")


@pytest.fixture(scope="module")
def sample_letters(tmp_path_factory) -> Path:
    """Every letter of the sample batch (``docgen run --all``, no PDF), written once."""
    root = tmp_path_factory.mktemp("sample")
    book = root / "migrations.xlsx"
    write_workbook(book, sample_batch(), force=True)
    result = CliRunner().invoke(main, ["run", str(book), "--out", str(root / "out"), "--all", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return root / "out"


def copy_letters(src: Path, dest: Path) -> list[list[Path]]:
    """A copy of the sample's letters, grouped as the print packs are (ICB and kind, ODS order)."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("*.pdf"))
    packs: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for letter in sorted(dest.glob("*/*/*.docx")):
        packs[(letter.parts[-3], letter.stem)].append(letter)
    return [packs[key] for key in sorted(packs)]


def page_texts(pdf: Path | bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf).pages]


# --- with real LibreOffice ------------------------------------------------------------


def test_every_letter_reads_as_if_converted_alone(soffice, sample_letters, tmp_path, monkeypatch):
    """The fast path against one conversion per letter, page by page, on the whole sample."""
    packs = copy_letters(sample_letters, tmp_path / "fast")
    composed: list[int] = []
    real_compose_all = pdf_merged._compose_all

    def compose_all(todo, jobs):
        done = real_compose_all(todo, jobs)  # composed in worker processes: counted here
        composed.extend(len(chunk) for (chunk, _), ok in zip(todo, done, strict=True) if ok)
        return done

    monkeypatch.setattr(pdf_merged, "_compose_all", compose_all)

    fast = convert_letters(packs, jobs=2, soffice=soffice)
    alone = plain_soffice(soffice, [p for pack in packs for p in pack], tmp_path / "alone")

    assert not fast.failures
    # Every letter of the sample goes into a composite (no long "keep with next" runs left).
    assert sum(composed) == sum(len(pack) for pack in packs)
    for pack in packs:
        for letter in pack:
            ours, theirs = page_texts(fast[letter]), page_texts(alone[letter])
            assert len(ours) == len(theirs), letter
            for number, (page, expected) in enumerate(zip(ours, theirs, strict=True), start=1):
                assert page == expected, f"{letter}, page {number}"
                # Page numbers and totals count the letter's own pages, not the pack's.
                assert re.search(rf"Page {number}\s+of\s+{len(ours)}\b", page), f"{letter}, page {number}"
            _assert_tagged_en_gb(fast[letter])
            # Its own title (the template's names the practice), not the first letter's of its
            # pack, in the document information and in the XMP. (LibreOffice 7.4 itself writes
            # an apostrophe in the XMP title as "&amp;apos;", as in a letter converted alone.)
            info, xmp = _titles(fast[letter])
            assert info == _titles(alone[letter])[0] and html.unescape(xmp) == info, letter


def plain_soffice(soffice: str, letters: list[Path], work: Path) -> dict[Path, Path]:
    """Each letter converted as it is (the very .docx, with docgen's tagged PDF/UA export
    options, whose text LibreOffice spaces differently from an untagged PDF) by one
    ``soffice --convert-to`` call: the reference."""
    (work / "in").mkdir(parents=True)
    names = {}
    for k, letter in enumerate(letters):
        names[letter] = f"{k:05d}"
        shutil.copyfile(letter, work / "in" / f"{k:05d}.docx")
    profile = (work / "profile").resolve().as_uri()
    command = [
        soffice,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--convert-to",
        pdfmod._PDF_EXPORT,
        "--outdir",
        "../out",
    ]
    subprocess.run(
        [*command, *sorted(p.name for p in (work / "in").iterdir())],
        cwd=work / "in",
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {letter: work / "out" / f"{name}.pdf" for letter, name in names.items()}


def _titles(pdf: Path) -> tuple[str, str]:
    """The title in the document information and in the XMP metadata (dc:title)."""
    reader = PdfReader(pdf)
    xmp = reader.xmp_metadata
    return reader.metadata.title, (xmp.dc_title or {}).get("x-default") if xmp else None


def _assert_tagged_en_gb(letter: Path) -> None:
    reader = PdfReader(letter)
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"].value is True, letter
    structure = root["/StructTreeRoot"].get_object()
    assert structure["/K"], letter
    assert root["/Lang"] == "en-GB", letter
    assert b"<pdfuaid:part>1</pdfuaid:part>" in root["/Metadata"].get_object().get_data(), letter
    assert reader.metadata.title, letter
    # The structure holds this letter's paragraphs only: its tagged content is on its pages.
    assert len(structure["/ParentTree"]["/Nums"]) == 2 * len(reader.pages), letter


def _break_header(letter: Path) -> None:
    """Make a letter LibreOffice cannot open (a header that is not XML), as a damaged file would."""
    with zipfile.ZipFile(letter) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    name = next(n for n in parts if re.fullmatch(r"word/header\d+\.xml", n))
    parts[name] = parts[name].replace(b"</w:hdr>", b"<w:p><w:r><w:t>broken</w:r></w:p></w:hdr>")
    with zipfile.ZipFile(letter, "w") as package:
        for part, data in parts.items():
            package.writestr(part, data)


def test_a_letter_libreoffice_cannot_open_is_named_and_the_rest_of_its_pack_written(
    soffice, sample_letters, tmp_path, monkeypatch
):
    packs = copy_letters(sample_letters, tmp_path / "out")
    pack = next(p for p in packs if p[0].stem == "data-extract-request")[:4]
    bad = pack[1]
    _break_header(bad)
    assert shared_key(bad) == shared_key(pack[0])  # it goes into the pack's document with the others
    composed: list[list[Path]] = []
    real_compose = pdf_merged.compose
    monkeypatch.setattr(
        pdf_merged, "compose", lambda letters, out: (composed.append(letters), real_compose(letters, out))
    )

    result = convert_letters([pack], soffice=soffice)

    assert composed == [pack]  # tried together first; LibreOffice failed on the whole document
    assert list(result) == [pack[0], *pack[2:]]
    assert list(result.failures) == [bad]
    assert str(result.failures[bad]) == (
        f"LibreOffice could not convert {bad} to PDF. Check the document opens in Word or LibreOffice, then run again."
    )
    assert not bad.with_suffix(".pdf").exists()
    for letter in result:
        assert len(page_texts(result[letter])) == 2


def test_a_run_names_the_letter_libreoffice_failed_on_and_writes_the_others(soffice, tmp_path, monkeypatch):
    """Through the command line: the failure is in the run's output and its manifest."""
    book = tmp_path / "migrations.xlsx"
    write_workbook(book, sample_batch(), force=True)
    out = tmp_path / "out"
    broken: list[Path] = []
    real = pdf_merged.convert_letters

    def damage_one_then_convert(packs, **kwargs):
        pack = next(p for p in packs if p[0].stem == "business-justification")
        broken.append(pack[2])
        _break_header(pack[2])
        return real(packs, **kwargs)

    monkeypatch.setattr(pdf_merged, "convert_letters", damage_one_then_convert)
    result = CliRunner().invoke(main, ["run", str(book), "--out", str(out), "--all", "--pdf", "--jobs", "2"])

    assert result.exit_code == 1, result.output
    bad = broken[0]
    rel = bad.with_suffix(".pdf").relative_to(out).as_posix()
    assert f"Failed: {rel}: LibreOffice could not convert {bad} to PDF." in " ".join(result.output.split("\n"))
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {row["path"]: row for row in csv.DictReader(fh)}
    assert rows[rel]["status"] == "failed" and str(bad) in rows[rel]["message"]
    letters = [p for p in rows if p.endswith(".docx")]
    written = [p for p in letters if Path(p).with_suffix(".pdf").as_posix() != rel]
    assert len(written) == len(letters) - 1
    for path in written:
        pdf_row = rows[Path(path).with_suffix(".pdf").as_posix()]
        assert pdf_row["status"] == "written" and (out / pdf_row["path"]).exists()


# --- composing, without LibreOffice ---------------------------------------------------


def test_composed_letters_keep_their_own_sections_headers_and_page_totals(sample_letters, tmp_path):
    letters = sorted(sample_letters.glob("*/*/business-justification.docx"))[:3]
    composite = tmp_path / "pack.docx"
    compose(letters, composite)
    with zipfile.ZipFile(composite) as package:
        body = etree.fromstring(package.read("word/document.xml")).find(f"{W}body")
        sections = list(body.iter(f"{W}sectPr"))
        footers = {n: package.read(n).decode() for n in package.namelist() if re.search(r"footer", n)}
    assert len(sections) == 3
    for section in sections:
        assert section.find(f"{W}pgNumType").get(f"{W}start") == "1"
        assert section.find(f"{W}titlePg") is not None
        refs = {ref.get(f"{W}type") for ref in section.findall(f"{W}footerReference")}
        assert refs == {"first", "default"}
    marks = [b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart") if b.get(f"{W}name").startswith("docgenEnd")]
    assert marks == [docx_compose.end_mark(k) for k in range(3)]
    footer_texts = [t for t in footers.values() if "instrText" in t]
    assert footer_texts and all("NUMPAGES" not in t for t in footer_texts)
    for k in range(3):
        assert sum(f"PAGEREF {docx_compose.end_mark(k)}" in t for t in footer_texts) == 2  # first page and the rest


def test_each_composed_letter_numbers_its_agenda_from_one(sample_letters, tmp_path):
    """Lists continue across a document: each letter after the first gets its own, restarted."""
    letters = sorted(sample_letters.glob("*/*/kick-off-invitation.docx"))[:3]
    compose(letters, tmp_path / "pack.docx")
    with zipfile.ZipFile(tmp_path / "pack.docx") as package:
        body = etree.fromstring(package.read("word/document.xml")).find(f"{W}body")
        numbering = etree.fromstring(package.read("word/numbering.xml"))
    restarted = {
        num.get(f"{W}numId"): num.find(f"{W}lvlOverride/{W}startOverride").get(f"{W}val")
        for num in numbering.findall(f"{W}num")
        if num.find(f"{W}lvlOverride/{W}startOverride") is not None
    }
    used = [n.get(f"{W}val") for n in body.iter(f"{W}numId")]
    # The second and third letters each get their own copy of every list the first one uses.
    assert len(restarted) >= 2 and len(restarted) % 2 == 0 and set(restarted.values()) == {"1"}
    assert set(used) == set(restarted)


def test_letters_with_a_long_keep_with_next_chain_are_converted_alone(sample_letters, tmp_path):
    """LibreOffice breaks such a chain differently after another letter (see docx_compose):
    the default templates have none, and a letter edited to keep every paragraph with the
    next (as an admin's template might) is converted by itself."""
    styles: dict = {}
    chains = {kind: {keep_chain(p, styles) for p in sample_letters.glob(f"*/*/{kind}.docx")} for kind in KINDS}
    assert max(max(found) for found in chains.values()) < LONG_KEEP_CHAIN
    packs = copy_letters(sample_letters, tmp_path / "chunks")
    kick_offs = next(pack for pack in packs if pack[0].stem == "kick-off-invitation")
    _keep_every_paragraph_with_the_next(kick_offs[1])
    assert keep_chain(kick_offs[1], {}) >= LONG_KEEP_CHAIN
    chunks = pdf_merged._chunks(packs, jobs=2, max_chunk=60)
    assert [kick_offs[1]] in chunks
    assert all(kick_offs[1] not in chunk for chunk in chunks if len(chunk) > 1)
    assert max(len(chunk) for chunk in chunks if chunk[0].stem == "kick-off-invitation") > 1


def _keep_every_paragraph_with_the_next(letter: Path) -> None:
    with zipfile.ZipFile(letter) as package:
        members = {name: package.read(name) for name in package.namelist()}
    document = members["word/document.xml"].decode()
    members["word/document.xml"] = re.sub(r"<w:pPr>", "<w:pPr><w:keepNext/>", document).encode()
    with zipfile.ZipFile(letter, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)


def test_a_pdf_without_its_letters_marks_cannot_be_cut(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    data = io.BytesIO()
    writer.write(data)
    with pytest.raises(CutError, match="letter 1's end was not found"):
        cut_letters(data.getvalue(), 1)


FAKE_SOFFICE = """#!{python}
# Stands in for LibreOffice: "converts" each file into a tiny PDF (not one pikepdf can cut),
# and hangs on a letter whose body says HANG, as LibreOffice can on a damaged document.
import sys, time, pathlib, zipfile
args = sys.argv[1:]
outdir = pathlib.Path(args[args.index("--outdir") + 1])
for name in [a for a in args if a.endswith(".docx")]:
    body = zipfile.ZipFile(name).read("word/document.xml")
    if b"HANG" in body:
        time.sleep(60)
    (outdir / (pathlib.Path(name).stem + ".pdf")).write_bytes(b"%PDF-1.4\\n%" + body[-20:] + b"\\n%%EOF\\n")
"""


def test_a_pack_libreoffice_hangs_on_is_converted_letter_by_letter(sample_letters, tmp_path):
    """Without LibreOffice: a pack whose PDF cannot be cut, or that hangs, is converted one
    letter at a time; the letter that hangs is named, the others are written."""
    if os.name != "posix":
        pytest.skip("the stand-in LibreOffice is a POSIX script")
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text(FAKE_SOFFICE.format(python=sys.executable))
    fake.chmod(0o755)
    packs = copy_letters(sample_letters, tmp_path / "out")
    pack = next(p for p in packs if p[0].stem == "data-extract-request")[:3]
    with zipfile.ZipFile(pack[1]) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body><!-- HANG -->")
    with zipfile.ZipFile(pack[1], "w") as package:
        for part, data in parts.items():
            package.writestr(part, data)

    result = convert_letters([pack], soffice=str(fake), timeout=1)

    assert list(result) == [pack[0], pack[2]]
    assert list(result.failures) == [pack[1]]
    assert str(result.failures[pack[1]]).startswith(f"LibreOffice took longer than 1 seconds converting {pack[1]}")
