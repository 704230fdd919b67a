"""The letters' catalogue: where each migration's files go and which templates are used
(docgen.documents.catalogue)."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import PurePosixPath

import pytest
from letters_fixtures import WELSH, full_batch

from docgen.documents.catalogue import (
    DEFAULT_TEMPLATE_DIR,
    DOCUMENTS,
    output_relpath,
    resolve_templates,
    unused_files,
)
from docgen.errors import TemplateError
from docgen.formats.files import inside
from docgen.records import Practice

# -- output paths -----------------------------------------------------------------------


def _practice_batch(*practices: Practice):
    batch, migration = full_batch()
    migrations = tuple(
        replace(migration, migration_id=f"MIG-{i}", ods_code=p.ods_code) for i, p in enumerate(practices)
    )
    return replace(batch, practices=practices, migrations=migrations), migrations


def _practice(ods: str, name: str, icb: str = "QHM") -> Practice:
    return Practice(ods, name, ("1 Street",), "Town", "TS1 1AA", icb)


def test_output_relpath_layout():
    batch, migration = full_batch()
    used: set = set()
    paths = [output_relpath(batch, migration, d, used) for d in DOCUMENTS]
    assert paths == [PurePosixPath(f"QHM/A81001 {WELSH}/{d.stem}.docx") for d in DOCUMENTS]
    assert output_relpath(batch, migration, "kick-off-invitation", set()) == paths[2]


def test_output_relpath_is_safe_for_hostile_names(tmp_path):
    batch, migrations = _practice_batch(
        _practice("A81001", "../..\\Evil/Name:*?<>|"),
        _practice("A81002", "Tab\tand\x07bell"),
        _practice("A81003", "x" * 300),
        _practice("A81004", "Dots ...", icb="CON"),
    )
    used: set = set()
    paths = [output_relpath(batch, m, DOCUMENTS[0], used) for m in migrations]
    for path in paths:
        assert len(path.parts) == 3
        for part in path.parts:
            assert len(part) <= 100
            assert part not in ("..", ".") and not re.search(r'[<>:"/\\|?*\x00-\x1f]', part)
            assert not part.endswith((" ", "."))
        inside(tmp_path, *path.parts)  # raises if it would leave the output folder
    assert paths[0].parts[1] == "A81001 ..-..-Evil-Name-"
    assert paths[1].parts[1] == "A81002 Tab-and-bell"
    assert paths[2].parts[1] == "A81003 " + "x" * 93
    assert paths[3].parts[0] == "CON_"  # a name Windows reserves
    assert paths[3].parts[1] == "A81004 Dots"


def test_output_relpath_is_unique_for_shared_names():
    batch, migrations = _practice_batch(_practice("A81001", "Riverside"), _practice("A81002", "Riverside"))
    used: set = set()
    first, second = (output_relpath(batch, m, DOCUMENTS[0], used) for m in migrations)
    assert first.parent.name == "A81001 Riverside" and second.parent.name == "A81002 Riverside"
    # Two migrations of one practice (a cancelled one and its replacement) share a folder.
    again = replace(migrations[0], migration_id="MIG-7")
    third = output_relpath(batch, again, DOCUMENTS[0], used)
    assert third == first.parent / f"{DOCUMENTS[0].stem} MIG-7.docx"
    # Windows ignores case, so "RIVERSIDE" would overwrite "Riverside" there.
    upper = {str(first).upper().casefold()}
    assert output_relpath(batch, migrations[0], DOCUMENTS[0], upper) != first
    fourth = output_relpath(batch, again, DOCUMENTS[0], used)
    assert fourth == first.parent / f"{DOCUMENTS[0].stem} MIG-7 (2).docx"
    assert len({str(p).casefold() for p in (first, second, third, fourth)}) == 4


# -- templates folder -------------------------------------------------------------------


def test_resolve_templates_defaults_and_edited_copies(tmp_path):
    defaults = resolve_templates(None)
    assert [defaults[d.key] for d in DOCUMENTS] == [DEFAULT_TEMPLATE_DIR / d.template for d in DOCUMENTS]
    assert all(p.is_file() for p in defaults.values())
    shutil.copy(defaults["data-extract-request"], tmp_path / "data-extract-request.docx")
    mixed = resolve_templates(tmp_path)
    assert mixed["data-extract-request"] == tmp_path / "data-extract-request.docx"
    assert mixed["business-justification"] == defaults["business-justification"]


def test_resolve_templates_missing_folder(tmp_path):
    with pytest.raises(TemplateError) as err:
        resolve_templates(tmp_path / "nowhere")
    assert str(err.value).startswith(f"{tmp_path / 'nowhere'}: The templates folder does not exist.")
    assert "business-justification.docx" in str(err.value)


def test_an_admins_docm_or_doc_is_picked_up_not_replaced_by_the_default(tmp_path):
    # Before: the default was used and the admin's edits silently ignored.
    (tmp_path / "business-justification.docm").write_bytes(b"made in Word")
    (tmp_path / "kick-off-invitation.doc").write_bytes(b"made in Word")
    paths = resolve_templates(tmp_path)
    assert paths["business-justification"] == tmp_path / "business-justification.docm"
    assert paths["kick-off-invitation"] == tmp_path / "kick-off-invitation.doc"
    assert paths["data-extract-request"] == DEFAULT_TEMPLATE_DIR / "data-extract-request.docx"


def test_a_docx_wins_over_a_docm_of_the_same_name(tmp_path):
    shutil.copy(DEFAULT_TEMPLATE_DIR / "business-justification.docx", tmp_path)
    (tmp_path / "business-justification.docm").write_bytes(b"an older copy")
    assert resolve_templates(tmp_path)["business-justification"] == tmp_path / "business-justification.docx"
    assert [w.split(":")[0] for w in unused_files(tmp_path)] == ["business-justification.docm"]


def test_files_docgen_does_not_use_are_each_named_with_why(tmp_path):
    for name in ("business-justification.docx", "~$siness-justification.docx", "Business Justification v2.docx",
                 "notes.pdf", "~$old.docx", ".DS_Store", "Thumbs.db"):  # fmt: skip
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "archive").mkdir()
    warnings = unused_files(tmp_path)
    read_only = (
        "docgen reads only business-justification.docx, data-extract-request.docx and kick-off-invitation.docx "
        "from this folder; if this file is meant to be one of them, save it from Word under that name."
    )
    lock = (
        "docgen reads each template as last saved, so save it and close it in Word first (if Word is closed, "
        "the lock file was left by a crash and may be deleted)."
    )
    assert warnings == [
        f"Business Justification v2.docx: not used. {read_only}",
        f"notes.pdf: not used. {read_only}",
        f"~$old.docx: Word's lock file: a document in this folder is open in Word. {lock}",
        f"~$siness-justification.docx: Word's lock file: business-justification.docx is open in Word. {lock}",
    ]
    assert unused_files(None) == []
