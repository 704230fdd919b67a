"""``docgen.pipeline`` used as a library: what ``run`` refuses, writes and reports."""

from __future__ import annotations

import datetime as dt

import pytest
import wb
from test_cli_run import add_icb, add_practice, make, manifest, two_migrations

from docgen.batch.manifest import ManifestRow, Status
from docgen.errors import DocgenError, OutputError, TemplateCheckFailed, ValidationFailed
from docgen.formats.files import is_temporary
from docgen.pipeline import RunOptions, RunResult, check, run, select

TODAY = dt.date(2026, 11, 23)


def options(out, **changes) -> RunOptions:
    return RunOptions(out=out, today=TODAY, letter_date=TODAY, jobs=1, all_documents=True, **changes)


def test_run_refuses_a_workbook_with_errors_before_creating_anything(tmp_path):
    book = make(tmp_path, lambda s: wb.put(s, "Migrations", 2, "Provisional go-live date", "31/02/2027"))
    with pytest.raises(ValidationFailed) as err:
        run(book, options(tmp_path / "out"))
    assert [str(p) for p in err.value.problems] == [
        "Migrations!L2 (Provisional go-live date): '31/02/2027' is not a date. Enter a date such as 15/06/2026."
    ]
    assert not (tmp_path / "out").exists()


def test_a_broken_template_is_refused_before_the_output_folder_exists(tmp_path):
    templates = tmp_path / "mine"
    templates.mkdir()
    (templates / "data-extract-request.docx").write_bytes(b"not a Word document")
    with pytest.raises(TemplateCheckFailed) as err:
        run(make(tmp_path), options(tmp_path / "out", templates=templates))
    assert err.value.issues[0].template == "data-extract-request.docx"
    assert not (tmp_path / "out").exists()


def test_progress_is_reported_per_migration(tmp_path):
    calls = []
    result = run(make(tmp_path, two_migrations), options(tmp_path / "out"), progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 2), (2, 2)]
    assert (result.letters, result.migrations, result.exit_code) == (6, 2, 0)


def test_the_timeline_is_stored_like_every_other_output(tmp_path, monkeypatch):
    """A rerun whose timeline has the same bytes leaves the file and its mtime alone."""
    import docgen.batch.timeline

    def same_bytes_every_time(batch, schedules, *, today, stages=None):
        return b"timeline " + ",".join(m.migration_id for m in batch.migrations).encode()

    monkeypatch.setattr(docgen.batch.timeline, "timeline_bytes", same_bytes_every_time)
    out = tmp_path / "out"
    book = make(tmp_path)
    run(book, options(out, letters=False))
    before = (out / "timeline.xlsx").stat().st_mtime_ns
    result = run(book, options(out, letters=False))
    assert [(r.path, r.status) for r in result.rows] == [("timeline.xlsx", "unchanged")]
    assert (out / "timeline.xlsx").stat().st_mtime_ns == before
    assert (out / "timeline.xlsx").read_bytes() == b"timeline MIG-001"
    assert not [p for p in out.iterdir() if is_temporary(p.name)]


def test_the_timeline_is_not_even_built_again_from_the_same_batch(tmp_path, monkeypatch):
    import docgen.batch.timeline

    out = tmp_path / "out"
    book = make(tmp_path)
    run(book, options(out, letters=False))
    built = []
    real = docgen.batch.timeline.timeline_bytes
    monkeypatch.setattr(docgen.batch.timeline, "timeline_bytes", lambda *a, **k: built.append(1) or real(*a, **k))

    result = run(book, options(out, letters=False))
    assert [(r.path, r.status) for r in result.rows] == [("timeline.xlsx", "unchanged")]
    assert built == []

    changed = make(tmp_path, two_migrations, name="changed.xlsx")
    result = run(changed, options(out, letters=False))
    assert [(r.path, r.status) for r in result.rows] == [("timeline.xlsx", "written")]
    assert built == [1]


def test_a_timeline_that_cannot_be_written_is_a_failure_not_a_crash(tmp_path, monkeypatch):
    import docgen.batch.timeline

    def refuse(*args, **kwargs):
        raise OutputError("Cannot write timeline.xlsx: Permission denied.")

    monkeypatch.setattr(docgen.batch.timeline, "timeline_bytes", refuse)
    out = tmp_path / "out"
    result = run(make(tmp_path), options(out))
    assert result.exit_code == 1
    assert result.failures == [("timeline.xlsx", "Cannot write timeline.xlsx: Permission denied.")]
    assert result.letters == 3
    assert {r["status"] for r in manifest(out) if r["document"] == "timeline"} == {"failed"}


def test_failures_are_counted_once_per_migration_and_reason():
    failed = Status.FAILED
    rows = [
        ManifestRow(
            migration_id="MIG-002",
            ods_code="Y90002",
            document=doc,
            path=f"QXY/Y90002 X/{doc}.docx",
            status=failed,
            message="boom",
        )
        for doc in ("business-justification", "data-extract-request", "kick-off-invitation")
    ]
    rows.append(
        ManifestRow(migration_id="MIG-003", document="all", path="", status=failed, message="Not written: invalid.")
    )
    rows.append(
        ManifestRow(
            migration_id="MIG-004",
            ods_code="Y90004",
            document="kick-off-invitation (PDF)",
            path="QXY/Y90004 Y/k.pdf",
            status=failed,
            message="x",
        )
    )
    rows.append(
        ManifestRow(
            migration_id="MIG-005",
            ods_code="Y90005",
            document="kick-off-invitation",
            path="QXY/Y90005 Z/k.docx",
            sha256="a",
            bytes=1,
            status=Status.WRITTEN,
        )
    )
    result = RunResult(rows, migrations=4, warnings=0, seconds=0.1)
    assert result.failures == [
        ("MIG-002", "boom"),
        ("MIG-003", "Not written: invalid."),
        ("QXY/Y90004 Y/k.pdf", "x"),
    ]
    assert result.exit_code == 1
    assert RunResult(rows[-1:], 1, 0, 0.1).exit_code == 0
    assert RunResult(rows[-1:], 1, 0, 0.1, errors=1).exit_code == 1  # --skip-invalid skipped an error


def test_select_by_icb_and_ods_codes_ignores_case_and_spaces(tmp_path):
    def two_icbs(sheets):
        two_migrations(sheets)
        add_icb(sheets, "QAB", "NHS Other ICB")
        add_practice(sheets, "Y90003", "Other", "MIG-003", icb="QAB")

    batch = check(make(tmp_path, two_icbs), TODAY).batch
    assert [m.migration_id for m in select(batch, (), " qab ").migrations] == ["MIG-003"]
    assert [m.migration_id for m in select(batch, ("y90002 ",), "QXY").migrations] == ["MIG-002"]
    assert [m.migration_id for m in select(batch, (), None).migrations] == ["MIG-001", "MIG-002", "MIG-003"]
    with pytest.raises(DocgenError, match=r"^--only Y90003: no migration for this ODS code in ICB QXY"):
        select(batch, ("Y90003",), "QXY")


def test_the_locale_reaches_the_prose_docgen_writes_into_a_letter(tmp_path):
    """The go-live sentence is built in Python, not the template: it follows the run's locale too."""
    import zipfile

    from docgen.formats.formatting import daterange

    out = tmp_path / "out"
    book = make(tmp_path)
    run(book, options(out, locale="cy_GB"))
    (letter,) = out.rglob("business-justification*.docx")
    text = zipfile.ZipFile(letter).read("word/document.xml").decode()
    batch = check(book, today=TODAY).batch
    qof = batch.blackouts[0]  # near the go-live: the sentence names it, with its dates
    welsh, english = (daterange(qof.start, qof.end, locale=loc) for loc in ("cy_GB", "en_GB"))
    assert welsh != english
    assert f"It avoids the busy times recorded for the practice: QOF year end ({welsh})" in text
    assert english not in text


def _notes_before_go_live(sheets) -> None:
    """The admin's own column inserted before the go-live date, and go-live on a Saturday."""
    wb.insert_column(sheets, "Migrations", "Provisional go-live date", "Notes")
    wb.put(sheets, "Migrations", 2, "Provisional go-live date", dt.date(2027, 5, 8))


def test_a_schedule_warning_names_the_workbooks_own_cell(tmp_path):
    report = check(make(tmp_path, _notes_before_go_live), TODAY)
    (problem,) = [p for p in report.warnings if p.header == "Provisional go-live date"]
    # L in the layout `docgen init` writes; the inserted column moved go-live to M.
    assert problem.cell == "Migrations!M2"
    assert problem.message.startswith("MIG-001: The go-live date Saturday 8 May 2027 is on a weekend.")
