"""Files that are not workbooks are refused with what they are and what to do."""

from __future__ import annotations

import zipfile

import pytest
import wb
from docx import Document

from docgen.errors import WorkbookError
from docgen.workbook.reader import read_workbook


def test_a_folder_is_refused_with_its_path(tmp_path):
    with pytest.raises(WorkbookError) as err:
        read_workbook(tmp_path)
    assert str(err.value) == f"{tmp_path}: is a folder, not a workbook. Give the path of the .xlsx file itself."


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "migrations.xlsx"
    path.write_bytes(b"")
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: is empty (0 bytes). It may not have finished copying or saving: save it again from Excel."
    )


def test_a_csv_named_xlsx_is_refused_with_how_to_save_it(tmp_path):
    path = tmp_path / "migrations.xlsx"
    path.write_text("ODS code,Practice name\nY90001,Riverside Medical Centre\n", encoding="utf-8")
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: is a CSV (plain text) file, not an Excel workbook. Open it in Excel and use File > Save As > "
        "Excel Workbook (.xlsx), then run again."
    )


def test_a_word_document_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "migrations.xlsx"
    doc = Document()
    doc.add_paragraph("Not a workbook")
    doc.save(path)
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == f"{path}: is a Word document, not an Excel workbook. Give the path of the .xlsx workbook."


def _ole_file(path, stream_names=()):
    """An OLE compound file header and a directory sector naming ``stream_names``."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\x00") for name in ("Root Entry", *stream_names))
    path.write_bytes(header + directory.ljust(512, b"\x00"))
    return path


def test_an_old_xls_file_is_refused_with_how_to_convert_it(tmp_path):
    path = _ole_file(tmp_path / "migrations.xlsx", ("Workbook",))
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert "is an old-style Excel 97-2003 (.xls) or other Office file, not an .xlsx workbook." in str(err.value)
    assert "File > Save As > Excel Workbook (.xlsx)" in str(err.value)


def test_a_password_protected_workbook_is_refused_with_how_to_remove_the_password(tmp_path):
    # Excel stores an encrypted .xlsx as an OLE file with these two streams.
    path = _ole_file(tmp_path / "migrations.xlsx", ("EncryptionInfo", "EncryptedPackage"))
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value).startswith(f"{path}: is password-protected, so docgen cannot read it.")
    assert "remove the password" in str(err.value)


def test_a_truncated_workbook_is_refused(tmp_path):
    good = wb.make(tmp_path, name="good.xlsx")
    path = tmp_path / "migrations.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: is damaged or incomplete (it may have been cut short while copying or downloading). "
        "Copy it again or save it again from Excel, then run again."
    )


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "migrations.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == f"{path}: is a zip archive, not an Excel workbook. Give the path of the .xlsx workbook."


def _lock_file(path, user="Pat Manager"):
    """Excel's lock (owner) file: the user's name, as a length byte and text, then again in UTF-16."""
    name = user.encode()
    path.write_bytes((bytes([len(name)]) + name).ljust(55, b" ") + user.encode("utf-16-le").ljust(110, b"\x00"))
    return path


def test_excels_lock_file_is_refused_naming_the_workbook_to_give_instead(tmp_path):
    # It used to be told to "Save As .xlsx", which cannot be done to a lock file.
    wb.make(tmp_path)
    lock = _lock_file(tmp_path / "~$migrations.xlsx")
    with pytest.raises(WorkbookError) as err:
        read_workbook(lock)
    assert str(err.value) == (
        f"{lock}: is Excel's lock file, not the workbook (Excel keeps it beside a workbook while it is open). "
        "Give migrations.xlsx itself, and close it in Excel first."
    )


def test_a_lock_file_over_the_first_letters_of_a_long_name_names_its_workbook(tmp_path):
    wb.make(tmp_path, name="national migrations.xlsx")
    lock = _lock_file(tmp_path / "~$tional migrations.xlsx")
    with pytest.raises(WorkbookError) as err:
        read_workbook(lock)
    assert str(err.value).endswith("Give national migrations.xlsx itself, and close it in Excel first.")


def test_a_real_workbook_whose_name_starts_like_a_lock_file_is_read(tmp_path):
    path = wb.make(tmp_path, name="~$migrations.xlsx")
    assert read_workbook(path).tables["Migrations"].rows
