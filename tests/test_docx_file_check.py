"""A template that is not a .docx docgen may use is refused saying what it is and what to
do: macros (by name or inside), a password, an old .doc, Word's lock file."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from docx_build import WORD_LOCK, example, macro_package, ole_file

from docgen.documents.catalogue import DEFAULT_TEMPLATE_DIR
from docgen.errors import TemplateError
from docgen.formats.docx.check import check_template
from docgen.formats.docx.engine import PreparedTemplate
from docgen.formats.docx.environment import make_environment

DEFAULT = DEFAULT_TEMPLATE_DIR / "business-justification.docx"
SAVE_AS = "in Word, Save As 'Word Document (.docx)' and use that."


def _refusal(path) -> str:
    with pytest.raises(TemplateError) as caught:
        PreparedTemplate.load(path, make_environment())
    return str(caught.value)


def test_a_docm_is_refused_by_name(tmp_path):
    path = macro_package(DEFAULT, tmp_path / "business-justification.docm")
    assert _refusal(path) == (
        f"business-justification.docm: is a macro-enabled document; docgen does not run or copy macros: {SAVE_AS}"
    )


def test_a_docm_without_macros_is_refused_by_name_too(tmp_path):
    # Letters would carry a name and a package Word keeps for macros; Save As .docx is the fix.
    path = tmp_path / "business-justification.docm"
    shutil.copy(DEFAULT, path)
    assert "is a macro-enabled document" in _refusal(path)


@pytest.mark.parametrize(
    "which",
    [
        {},
        {"content_type": False, "relationship": False},
        {"part": False, "relationship": False},
        {"part": False, "content_type": False},
    ],
    ids=["word-saved", "vba-part-only", "content-type-only", "relationship-only"],
)
def test_a_macro_enabled_package_named_docx_is_refused(tmp_path, which):
    path = macro_package(DEFAULT, tmp_path / "business-justification.docx", **which)
    assert _refusal(path) == (
        "business-justification.docx: is a macro-enabled document (it holds macros, though its name ends in .docx); "
        f"docgen does not run or copy macros: {SAVE_AS}"
    )


def test_the_default_templates_hold_no_macros():
    with zipfile.ZipFile(DEFAULT) as zf:
        assert not any("vba" in name.lower() for name in zf.namelist())
    PreparedTemplate.load(DEFAULT, make_environment())  # accepted


def test_a_password_protected_template_is_told_to_remove_the_password(tmp_path):
    path = ole_file(tmp_path / "business-justification.docx", ("EncryptionInfo", "EncryptedPackage"))
    assert _refusal(path) == (
        "business-justification.docx: is protected with a password, so docgen cannot read it: remove the password "
        "in Word (File > Info > Protect Document > Encrypt with Password, clear the box) and save it again."
    )


def test_an_old_doc_is_told_to_save_as_docx(tmp_path):
    path = ole_file(tmp_path / "business-justification.docx", ("WordDocument", "1Table"))
    assert _refusal(path) == (
        f"business-justification.docx: is an old Word 97-2003 document (.doc), not a .docx: {SAVE_AS}"
    )


def test_word_lock_file_given_as_a_template_gets_its_own_message(tmp_path):
    path = tmp_path / "~$siness-justification.docx"
    path.write_bytes(WORD_LOCK)
    assert _refusal(path) == (
        "~$siness-justification.docx: is Word's lock file (Word makes it beside a document while the document is "
        "open), not a template: give the document itself, and close it in Word first."
    )


def test_the_template_check_lists_a_refusal_as_one_issue(tmp_path):
    path = macro_package(DEFAULT, tmp_path / "letter.docx")
    (issue,) = check_template(path, example(), make_environment())
    assert (issue.template, issue.part) == ("letter.docx", None)
    assert issue.message.startswith("is a macro-enabled document (it holds macros")
