"""Word templates built in code for the rendering and template-check tests."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from docgen.formats.ole import OLE_MAGIC


def tiny_png() -> bytes:
    """A 1x1 PNG, so a template can hold a picture (a ``wp:docPr`` docxtpl renumbers)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x80\xff"))
        + chunk(b"IEND", b"")
    )


def add_page_field(paragraph) -> None:
    """A PAGE field, as letters have in their footer."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, end):
        run._r.append(el)


def make_docx(
    path: Path,
    body: list,
    header: list[str] | None = None,
    footer: list[str] | None = None,
    page_field: bool = False,
) -> Path:
    """Write a .docx: ``body`` items are paragraph texts, ``("table", rows)`` tables of
    cell texts, ``("bold", before, after)`` a paragraph of a bold and a plain run, or
    ``("picture",)``; ``header``/``footer`` are paragraph texts."""
    document = docx.Document()
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header[0]
        for text in header[1:]:
            section.header.add_paragraph(text)
    if footer or page_field:
        first = section.footer.paragraphs[0]
        first.text = (footer or [""])[0]
        if page_field:
            add_page_field(first)
        for text in (footer or [])[1:]:
            section.footer.add_paragraph(text)
    for item in body:
        if isinstance(item, str):
            document.add_paragraph(item)
        elif item[0] == "table":
            rows = item[1]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            table.style = "Table Grid"
            for row, texts in zip(table.rows, rows, strict=True):
                for cell, text in zip(row.cells, texts, strict=False):
                    cell.text = text
        elif item[0] == "bold":
            paragraph = document.add_paragraph()
            paragraph.add_run(item[1]).bold = True
            paragraph.add_run(item[2])
        elif item[0] == "picture":
            document.add_picture(io.BytesIO(tiny_png()), width=Cm(1))
        else:
            raise ValueError(item)
    document.save(path)
    return path


def example() -> dict:
    """The example context the template-check tests check templates against."""
    return {
        "practice": {"name": "Marsh & Partners", "ods_code": "A81001", "list_size": 6250},
        "costs": [{"category": "Training", "amount": 1250}],
        "urgent": False,
        "go_live": dt.date(2026, 3, 31),
    }


MACRO_DOCUMENT = "application/vnd.ms-word.document.macroEnabled.main+xml"
PLAIN_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
VBA_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def macro_package(
    source: Path, path: Path, *, part: bool = True, content_type: bool = True, relationship: bool = True
) -> Path:
    """A copy of the template ``source`` at ``path`` made macro-enabled as Word saves a .docm:
    a ``word/vbaProject.bin`` part, the macro-enabled main content type (and the VBA
    project's), a relationship from the document to the VBA project; each can be left out."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml" and content_type:
                data = data.replace(PLAIN_DOCUMENT.encode(), MACRO_DOCUMENT.encode()).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            if info.filename == "word/_rels/document.xml.rels" and relationship:
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdVba" Type="{VBA_RELATIONSHIP}" Target="vbaProject.bin"/></Relationships>'.encode(),
                )
            dst.writestr(info, data)
        if part:
            dst.writestr("word/vbaProject.bin", OLE_MAGIC + b"\x00" * 504 + "VBA".encode("utf-16-le"))
    return path


def ole_file(path: Path, stream_names: tuple[str, ...] = ()) -> Path:
    """An OLE compound file's header and a directory sector naming ``stream_names``: an
    old .doc with ``("WordDocument",)``, a password-protected .docx with
    ``("EncryptionInfo", "EncryptedPackage")``."""
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\x00") for name in ("Root Entry", *stream_names))
    path.write_bytes(OLE_MAGIC + b"\x00" * 504 + directory.ljust(512, b"\x00"))
    return path


#: A Word lock file as Word writes it: the user's name, padded (162 bytes, not a zip).
WORD_LOCK = b"\x0aA. N. Admin" + b"\x20" * 43 + b"\x0a\x00" + "A. N. Admin".encode("utf-16-le") + b"\x00" * 84
