"""Each exception in docgen.errors, met the way a user meets it: its message in full.

The CLI prints ``str(error)`` as the whole message, so each test builds the situation
through the real code and reads the text an ICB admin would see.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
import wb
from test_cli_run import make

import docgen.errors
from docgen.documents.catalogue import resolve_templates
from docgen.errors import (
    ConversionError,
    DocgenError,
    FormatError,
    OutputError,
    TemplateError,
    ValidationFailed,
    WorkbookError,
)
from docgen.formats import pdf
from docgen.formats.files import inside
from docgen.formats.formatting import longdate
from docgen.pipeline import RunOptions, run
from docgen.workbook.reader import read_workbook
from docgen.workbook.validate import load_batch

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)


def test_an_out_folder_that_is_a_file_stops_the_run_before_anything_is_written(tmp_path):
    (tmp_path / "letters.txt").write_text("notes", encoding="utf-8")
    options = RunOptions(out=tmp_path / "letters.txt", today=TODAY, letter_date=TODAY, jobs=1)
    with pytest.raises(DocgenError) as err:
        run(make(tmp_path), options)
    assert str(err.value) == (
        f"--out {tmp_path / 'letters.txt'}: this is a file, not a folder. Choose a folder for the outputs."
    )
    assert (tmp_path / "letters.txt").read_text(encoding="utf-8") == "notes"


def test_a_workbook_without_its_migrations_sheet_names_the_sheet_and_what_was_found(tmp_path):
    sheets = wb.base()
    del sheets["Migrations"]
    path = wb.write(tmp_path / "migrations.xlsx", sheets)
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(err.value) == (
        f"{path}: the sheet Migrations is missing. Found: Settings, ICBs, Practices, Contacts, Suppliers, Costs, "
        "Blackouts. Rename or add the sheet (docgen init writes a workbook with every sheet)."
    )


def test_a_workbook_with_errors_lists_every_error_but_not_the_warnings(tmp_path):
    def two_errors_and_a_warning(sheets):
        wb.put(sheets, "Migrations", 2, "Provisional go-live date", "31/02/2027")
        wb.put(sheets, "Practices", 2, "List size", "lots")
        sheets["Practices"][0].append("Comments")  # not a docgen column: a warning

    with pytest.raises(ValidationFailed) as err:
        load_batch(wb.make(tmp_path, two_errors_and_a_warning))
    assert str(err.value) == (
        "The workbook has 2 error(s); nothing was written. Fix them and run again:\n"
        "  Practices!L2 (List size): 'lots' is not a whole number. Enter a whole number such as 12.\n"
        "  Migrations!L2 (Provisional go-live date): '31/02/2027' is not a date. Enter a date such as 15/06/2026."
    )
    assert len(err.value.problems) == 3  # the warning is carried for the CLI to list


def test_a_templates_folder_that_does_not_exist_names_the_templates_it_should_hold(tmp_path):
    with pytest.raises(TemplateError) as err:
        resolve_templates(tmp_path / "my templates")
    assert str(err.value) == (
        f"{tmp_path / 'my templates'}: The templates folder does not exist. Give --templates a folder holding "
        "edited copies (business-justification.docx, data-extract-request.docx, kick-off-invitation.docx), or "
        "leave it out to use the defaults."
    )


def test_a_path_that_climbs_out_of_the_output_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OutputError) as err:
        inside(out, "QXY", "..", "..", "letter.docx")
    assert str(err.value) == (
        f"Refusing to write {tmp_path.resolve() / 'letter.docx'}: it is outside the output folder {out.resolve()}."
    )


def test_pdfs_without_libreoffice_say_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    with pytest.raises(ConversionError) as err:
        pdf.convert_to_pdf([tmp_path / "letter.docx"])
    assert str(err.value) == (
        "LibreOffice is not installed (no soffice program was found), so no PDFs were made; the .docx files are "
        "written. Install it and run again: on Debian or Ubuntu `sudo apt-get install libreoffice-writer-nogui`; "
        "on Windows or macOS the installer from https://www.libreoffice.org/download/."
    )


def test_a_date_filter_given_text_says_what_it_was_given():
    with pytest.raises(FormatError) as err:
        longdate("next spring")
    assert str(err.value) == "longdate needs a date but was given 'next spring' (str)."


def _classes_defined_in_errors() -> list[str]:
    tree = ast.parse((ROOT / "docgen" / "errors.py").read_text(encoding="utf-8"))
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef) and issubclass(getattr(docgen.errors, node.name), Exception)
    ]


def _names_called_in_docgen() -> set[str]:
    """Every name called (``Name(...)``) anywhere in docgen but errors.py: raised or built to raise."""
    called = set()
    for path in (ROOT / "docgen").rglob("*.py"):
        if path.name == "errors.py" and path.parent.name == "docgen":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called.add(node.func.id)
    return called


def test_every_exception_class_is_used_by_docgen_and_is_a_docgen_error():
    """A class nobody raises is a message nobody sees: it goes rather than lingers."""
    classes = _classes_defined_in_errors()
    assert classes, "no exception classes found in docgen/errors.py"
    assert all(issubclass(getattr(docgen.errors, name), DocgenError) for name in classes)
    assert sorted(set(classes) - _names_called_in_docgen()) == []
