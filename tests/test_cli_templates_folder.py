"""The --templates folder as an admin fills it: a macro-enabled or password-protected copy
stops the run before anything is written, naming the file and the fix; files docgen does
not use are listed as warnings by ``docgen templates check`` and by a run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import wb
from click.testing import CliRunner
from docx_build import WORD_LOCK, macro_package, ole_file

from docgen.cli import main
from docgen.documents.catalogue import DEFAULT_TEMPLATE_DIR

DEFAULT = DEFAULT_TEMPLATE_DIR / "business-justification.docx"
SAVE_AS = "in Word, Save As 'Word Document (.docx)' and use that."
TEMPLATES_SUMMARY = (
    "1 problem(s) in the Word templates; no letter was written. "
    "Fix them in Word and run again (docgen templates check --templates DIR lists them)."
)
LOCK_WARNING = (
    "Warning: ~$siness-justification.docx: Word's lock file: business-justification.docx is open in Word. "
    "docgen reads each template as last saved, so save it and close it in Word first (if Word is closed, "
    "the lock file was left by a crash and may be deleted)."
)
UNUSED_WARNING = (
    "Warning: Business Justification (old).docx: not used. docgen reads only business-justification.docx, "
    "data-extract-request.docx and kick-off-invitation.docx from this folder; if this file is meant to be one "
    "of them, save it from Word under that name."
)


def invoke(*args):
    """The docgen CLI in-process; stdout and stderr are both in ``result.output``."""
    return CliRunner().invoke(main, [str(a) for a in args])


def run(tmp_path: Path, templates: Path | None):
    """``docgen run`` on wb.py's minimal batch, every document, one process."""
    out = tmp_path / "outputs"
    chosen = ("--templates", templates) if templates else ()
    args = ("--today", "2026-11-23", "--date", "2026-11-23", "--jobs", "1", "--all", *chosen)
    return invoke("run", wb.make(tmp_path), "--out", out, *args), out


def folder(tmp_path: Path) -> Path:
    mine = tmp_path / "mine"
    mine.mkdir()
    return mine


def test_templates_check_refuses_a_docm_rather_than_using_the_default(tmp_path):
    mine = folder(tmp_path)
    macro_package(DEFAULT, mine / "business-justification.docm")
    result = invoke("templates", "check", "--templates", mine)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        "Error: business-justification.docm: is a macro-enabled document; docgen does not run or copy macros: "
        f"{SAVE_AS}"
    )
    assert f"{mine / 'business-justification.docm'}: problems found" in lines


def test_a_run_with_macros_in_a_docx_template_writes_nothing(tmp_path):
    mine = folder(tmp_path)
    macro_package(DEFAULT, mine / "business-justification.docx")
    result, out = run(tmp_path, mine)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: business-justification.docx: is a macro-enabled document (it holds macros, though its name ends in "
        f".docx); docgen does not run or copy macros: {SAVE_AS}",
        TEMPLATES_SUMMARY,
    ]
    assert not out.exists()


def test_a_password_protected_template_is_told_to_remove_the_password(tmp_path):
    mine = folder(tmp_path)
    ole_file(mine / "kick-off-invitation.docx", ("EncryptionInfo", "EncryptedPackage"))
    result = invoke("templates", "check", "--templates", mine)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "Error: kick-off-invitation.docx: is protected with a password, so docgen cannot read it: remove the "
        "password in Word (File > Info > Protect Document > Encrypt with Password, clear the box) and save it again."
    )


def test_files_docgen_does_not_use_are_warnings_in_templates_check(tmp_path):
    mine = folder(tmp_path)
    shutil.copy(DEFAULT, mine)
    (mine / "~$siness-justification.docx").write_bytes(WORD_LOCK)
    shutil.copy(DEFAULT, mine / "Business Justification (old).docx")
    result = invoke("templates", "check", "--templates", mine)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [UNUSED_WARNING, LOCK_WARNING]
    assert [line.rsplit("/", 1)[-1] for line in lines[2:]] == [
        "business-justification.docx: OK",
        "data-extract-request.docx: OK",
        "kick-off-invitation.docx: OK",
    ]


def test_files_docgen_does_not_use_are_warnings_in_a_run(tmp_path):
    (tmp_path / "plain").mkdir()
    plain, _ = run(tmp_path / "plain", None)
    mine = folder(tmp_path)
    shutil.copy(DEFAULT, mine)
    (mine / "~$siness-justification.docx").write_bytes(WORD_LOCK)
    shutil.copy(DEFAULT, mine / "Business Justification (old).docx")

    result, out = run(tmp_path, mine)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert UNUSED_WARNING in lines and LOCK_WARNING in lines
    warnings = [int(re.search(r"; (\d+) warning\(s\)", r.output).group(1)) for r in (plain, result)]
    assert warnings[1] == warnings[0] + 2
    assert (out / "manifest.csv").is_file()
