"""Finishing a rendered part as docxtpl does: its fixes failing on an odd document are the
template's fault, named; docgen's own failure there is a bug, not blamed on the template."""

from __future__ import annotations

import re
import zipfile

import pytest
from docx_build import make_docx

from docgen.errors import TemplateError
from docgen.formats.docx import docxtpl_adapter
from docgen.formats.docx.engine import PreparedTemplate
from docgen.formats.docx.environment import make_environment

COLUMN_LOOP = ("table", [["{%tc for m in milestones %}", "{{ m }}", "{%tc endfor %}"]])


def without_second_grid(path):
    """``path`` with its second table's ``<w:tblGrid>`` taken out (Word needs none)."""
    with zipfile.ZipFile(path) as archive:
        members = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members.items():
            if info.filename == "word/document.xml":
                grids = list(re.finditer(rb"<w:tblGrid>.*?</w:tblGrid>", data))
                data = data[: grids[1].start()] + data[grids[1].end() :]
            archive.writestr(info, data)
    return path


def test_docxtpls_table_fix_failing_on_an_odd_table_names_the_template_and_part(tmp_path):
    # A column loop grows the first table's grid; docxtpl's fix_tables then reads every
    # table's grid and fails on the second, which has none.
    path = make_docx(tmp_path / "grid.docx", [COLUMN_LOOP, ("table", [["plain"]])])
    template = PreparedTemplate.load(without_second_grid(path), make_environment())
    with pytest.raises(TemplateError) as caught:
        template.render({"milestones": ["Kick-off", "IDP", "Go-live", "Review"]})
    assert (caught.value.template, caught.value.part) == ("grid.docx", "body")
    assert str(caught.value).startswith("grid.docx (body): Finishing the filled-in document failed (AttributeError: ")
    assert str(caught.value).endswith('Run "docgen templates check" and simplify the tables in this part.')


def test_a_docgen_bug_while_finishing_is_not_blamed_on_the_template(tmp_path, monkeypatch):
    # A stand-in for a bug in docgen's adapter: "Finishing the filled-in document failed
    # ... simplify the tables" would send the admin to a template that is fine.
    path = make_docx(tmp_path / "tabs.docx", ["Scanners: {{ what }}"])
    template = PreparedTemplate.load(path, make_environment())
    monkeypatch.setattr(docxtpl_adapter, "_DOCXTPL", None)
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'resolve_listing'"):
        template.render({"what": "two\tthree"})
