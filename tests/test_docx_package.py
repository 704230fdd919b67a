"""Zip I/O: a file that is not a .docx docgen can read is refused, saying why."""

from __future__ import annotations

import pytest

from docgen.errors import TemplateError
from docgen.formats.docx.engine import PreparedTemplate
from docgen.formats.docx.environment import make_environment


def test_a_file_that_is_not_a_word_document(tmp_path):
    path = tmp_path / "letter.docx"
    path.write_text("not a zip")
    with pytest.raises(TemplateError) as caught:
        PreparedTemplate.load(path, make_environment())
    assert str(caught.value) == (
        "letter.docx: is not a Word document docgen can read (it is not a zip package). "
        "Save it from Word as a .docx (Word Document) and try again."
    )
