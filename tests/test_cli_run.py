"""``docgen run``, ``letters``, ``timeline`` and ``templates`` end to end, through the CLI,
on small workbooks built in the test: what an admin sees on screen and finds in the folder."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import zipfile
from pathlib import Path

import docx
import pytest
import wb
from click.testing import CliRunner
from letters_fixtures import all_text
from openpyxl import load_workbook

from docgen.cli import main
from docgen.formats.files import is_temporary

TODAY = "2026-11-23"
DATE = "2026-11-23"
SUMMARY = re.compile(
    r"^(\d+) letter\(s\) for (\d+) migration\(s\) in (.+): .*; \d+ migration\(s\) had nothing [a-z ]+, "
    r"\d+ due document\(s\) not written \((\d+) file\(s\) unchanged since the last run\); "
    r"(\d+) warning\(s\); (\d+) failure\(s\); \d+\.\d s\. See (.+)\.$"
)
PER_MIGRATION = [
    "business-justification.docx",
    "data-extract-request.docx",
    "data-extract-request.eml",
    "kick-off-invitation.docx",
    "kick-off-invitation.eml",
    "kick-off.ics",
]
LETTERS = [n for n in PER_MIGRATION if n.endswith(".docx")]


# --- building workbooks and running the CLI (also used by test_delivery and test_pipeline) ---


def _copy_row(sheets: dict, sheet: str, values: dict) -> None:
    """Append a copy of the sheet's first data row with ``values`` (header -> value) changed."""
    rows = sheets[sheet]
    row = list(rows[1])
    for header, value in values.items():
        row[rows[0].index(header)] = value
    rows.append(row)


def add_practice(sheets: dict, ods: str, name: str, migration_id: str, icb: str = "QXY", **migration) -> None:
    """Add a practice, its practice manager and one migration (the base migration's values,
    with ``migration`` given by header) to ``sheets``."""
    _copy_row(sheets, "Practices", {"ODS code": ods, "Practice name": name, "ICB code": icb})
    _copy_row(sheets, "Contacts", {"Organisation": ods})
    _copy_row(sheets, "Migrations", {"Migration ID": migration_id, "ODS code": ods, **migration})


def add_icb(sheets: dict, code: str, name: str) -> None:
    """Add an ICB (the base ICB's sender and address) to ``sheets``."""
    _copy_row(sheets, "ICBs", {"ICB code": code, "ICB name": name})


def two_migrations(sheets: dict) -> None:
    """The base batch plus a second practice and migration in the same ICB."""
    add_practice(sheets, "Y90002", "Second Surgery", "MIG-002")


def make(tmp_path: Path, *changes, name: str = "migrations.xlsx") -> Path:
    """A workbook built from wb.py's minimal valid batch after each change in ``changes``."""

    def change(sheets):
        for c in changes:
            c(sheets)

    return wb.make(tmp_path, change, name=name)


def invoke(*args, **kwargs):
    """Run the docgen CLI in-process; stdout and stderr are both in ``result.output``."""
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def run(workbook: Path, out: Path, *args, command: str = "run", due_only: bool = False):
    """``docgen run WORKBOOK --out OUT --all`` on a fixed today and letter date, one process:
    every document of every migration, as these tests of the writing need (``due_only``:
    without ``--all``, what is due)."""
    every = () if due_only else ("--all",)
    return invoke(command, workbook, "--out", out, "--today", TODAY, "--date", DATE, "--jobs", "1", *every, *args)


def manifest(out: Path) -> list[dict[str, str]]:
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def files(out: Path) -> set[str]:
    """Every file under ``out`` as a relative POSIX path."""
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def screen(result) -> list[str]:
    """What the run printed, less the action list's head (its own tests read it)."""
    lines, out, skipping = result.output.splitlines(), [], False
    for i, line in enumerate(lines):
        if line == "" and i + 1 < len(lines) and lines[i + 1] in ("Due:", "Coming up:"):
            skipping = True
        elif skipping and line == "":
            skipping = False
            continue
        if not skipping:
            out.append(line)
    return out


def summary_line(result) -> str:
    """The run's summary line (the action list's head follows it)."""
    return next(line for line in result.output.splitlines() if " letter(s) for " in line)


def summary(result) -> tuple:
    match = SUMMARY.match(summary_line(result))
    assert match, result.output
    return match.groups()


# --- the layout, the manifest and the summary -------------------------------------------------------


def test_run_writes_the_layout_the_manifest_and_a_summary(tmp_path):
    out = tmp_path / "outputs"
    result = run(make(tmp_path, two_migrations), out)

    assert result.exit_code == 0, result.output
    assert screen(result) == [summary_line(result)]  # no warnings, no failures
    assert summary(result) == ("6", "2", str(out), "0", "0", "0", str(out / "manifest.csv"))
    folders = ["QXY/Y90001 Test Surgery", "QXY/Y90002 Second Surgery"]
    assert files(out) == {"manifest.csv", "timeline.xlsx"} | {f"{d}/{n}" for d in folders for n in PER_MIGRATION}

    rows = manifest(out)
    assert list(rows[0]) == [
        "migration_id", "ods_code", "document", "path", "sha256", "bytes", "status", "message", "inputs", "stat"
    ]  # fmt: skip
    assert {r["path"] for r in rows} == files(out) - {"manifest.csv"}
    for r in rows:
        data = (out / r["path"]).read_bytes()
        assert r["sha256"] == hashlib.sha256(data).hexdigest(), r["path"]
        assert int(r["bytes"]) == len(data), r["path"]
        assert r["status"] == "written"
        assert not Path(r["path"]).is_absolute() and "\\" not in r["path"]
    letters = {(r["migration_id"], r["ods_code"], r["document"]) for r in rows if r["path"].endswith(".docx")}
    assert letters == {
        (mid, ods, doc)
        for mid, ods in (("MIG-001", "Y90001"), ("MIG-002", "Y90002"))
        for doc in ("business-justification", "data-extract-request", "kick-off-invitation")
    }
    for name in files(out):
        if name.endswith(".docx"):
            docx.Document(str(out / name))  # every letter opens
    assert load_workbook(out / "timeline.xlsx").sheetnames[0] == "Summary"


def test_letters_writes_only_the_letters(tmp_path):
    out = tmp_path / "outputs"
    result = run(make(tmp_path), out, command="letters")

    assert result.exit_code == 0, result.output
    assert files(out) == {"manifest.csv"} | {f"QXY/Y90001 Test Surgery/{n}" for n in LETTERS}
    assert summary(result)[:2] == ("3", "1")


def test_timeline_writes_only_the_timeline(tmp_path):
    out = tmp_path / "outputs"
    result = invoke("timeline", make(tmp_path, two_migrations), "--out", out, "--today", TODAY)

    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out / 'timeline.xlsx'} (2 migration(s), 0 warning(s)).\n"
    assert files(out) == {"timeline.xlsx"}


# --- determinism and reruns ------------------------------------------------------------------------


def test_same_input_and_date_give_the_same_bytes(tmp_path):
    book = make(tmp_path, two_migrations)
    first, second = tmp_path / "one", tmp_path / "two"
    assert run(book, first).exit_code == 0
    # Two processes write the batch in the second run: the bytes must not depend on that.
    result = invoke("run", book, "--out", second, "--today", TODAY, "--date", DATE, "--jobs", "2", "--all")
    assert result.exit_code == 0, result.output

    names = sorted(n for n in files(first) if n.endswith((".docx", ".ics", ".eml", ".xlsx")))
    assert len(names) == 13
    assert files(first) == files(second)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def _mtimes(out: Path) -> dict[str, int]:
    return {n: (out / n).stat().st_mtime_ns for n in files(out) if n != "manifest.csv"}


def test_a_rerun_rewrites_nothing(tmp_path):
    book, out = make(tmp_path, two_migrations), tmp_path / "outputs"
    assert run(book, out).exit_code == 0
    before = _mtimes(out)

    result = run(book, out)

    assert result.exit_code == 0, result.output
    assert {r["status"] for r in manifest(out)} == {"unchanged"}
    assert summary(result)[3] == "13"
    assert _mtimes(out) == before


def _count_renders(monkeypatch) -> list[str]:
    """Record every migration whose letters are rendered from now on (in this process)."""
    from docgen.batch import letters

    rendered: list[str] = []
    real = letters.write_migration

    def spy(job, migration, *args, **kwargs):
        rendered.append(migration.migration_id)
        return real(job, migration, *args, **kwargs)

    monkeypatch.setattr(letters, "write_migration", spy)
    return rendered


def test_a_rerun_of_unchanged_input_renders_nothing(tmp_path, monkeypatch):
    book, out = make(tmp_path, two_migrations), tmp_path / "outputs"
    assert run(book, out).exit_code == 0
    rendered = _count_renders(monkeypatch)

    result = run(book, out)

    assert result.exit_code == 0, result.output
    assert rendered == []
    assert {r["status"] for r in manifest(out)} == {"unchanged"}
    # The kept rows still vouch for the files with their real hashes.
    for r in manifest(out):
        assert r["sha256"] == hashlib.sha256((out / r["path"]).read_bytes()).hexdigest(), r["path"]


def test_a_rerun_renders_only_the_migrations_whose_input_changed(tmp_path, monkeypatch):
    book, out = make(tmp_path, two_migrations), tmp_path / "outputs"
    assert run(book, out).exit_code == 0
    changed = make(
        tmp_path,
        two_migrations,
        lambda s: wb.put(s, "Migrations", 3, "Subsidiary systems", "Docman; AccuRx; Lexacom"),
        name="changed.xlsx",
    )
    rendered = _count_renders(monkeypatch)

    result = run(changed, out)

    assert result.exit_code == 0, result.output
    assert rendered == ["MIG-002"]
    statuses = {(r["migration_id"], r["path"].rsplit("/", 1)[-1]): r["status"] for r in manifest(out)}
    assert {s for (mid, _), s in statuses.items() if mid == "MIG-001"} == {"unchanged"}
    assert statuses[("MIG-002", "business-justification.docx")] == "written"
    assert "Lexacom" in all_text(out / "QXY/Y90002 Second Surgery/business-justification.docx")


def test_a_letter_edited_since_the_last_run_is_written_again(tmp_path, monkeypatch):
    book, out = make(tmp_path), tmp_path / "outputs"
    assert run(book, out).exit_code == 0
    letter = out / "QXY/Y90001 Test Surgery/data-extract-request.docx"
    original = letter.read_bytes()
    letter.write_bytes(original + b"edited in Word")
    rendered = _count_renders(monkeypatch)

    result = run(book, out)

    assert result.exit_code == 0, result.output
    assert rendered == ["MIG-001"]
    assert letter.read_bytes() == original
    statuses = {r["path"].rsplit("/", 1)[-1]: r["status"] for r in manifest(out)}
    assert statuses["data-extract-request.docx"] == "written"
    assert statuses["business-justification.docx"] == "unchanged"


def test_a_changed_template_renders_every_letter_again(tmp_path, monkeypatch):
    book, out, mine = make(tmp_path), tmp_path / "outputs", tmp_path / "mine"
    mine.mkdir()
    default = Path(__file__).parents[1] / "templates" / "business-justification.docx"
    (mine / default.name).write_bytes(default.read_bytes())
    assert run(book, out, "--templates", mine).exit_code == 0
    # The same document saved again (another zip timestamp): other bytes, same letter.
    with zipfile.ZipFile(default) as src, zipfile.ZipFile(mine / default.name, "w") as dst:
        for info in src.infolist():
            info.date_time = (2026, 1, 2, 3, 4, 6)
            dst.writestr(info, src.read(info.filename))
    rendered = _count_renders(monkeypatch)

    result = run(book, out, "--templates", mine)

    assert result.exit_code == 0, result.output
    assert rendered == ["MIG-001"]
    assert {r["status"] for r in manifest(out) if r["path"].endswith(".docx")} == {"unchanged"}


def test_a_rerun_with_another_date_rewrites_the_letters(tmp_path):
    book, out = make(tmp_path), tmp_path / "outputs"
    assert run(book, out).exit_code == 0
    result = invoke("run", book, "--out", out, "--today", TODAY, "--date", "2026-12-01", "--jobs", "1", "--all")
    assert result.exit_code == 0, result.output
    statuses = {r["path"].rsplit("/", 1)[-1]: r["status"] for r in manifest(out)}
    # The letters sent now carry the new date; the business justification is a record of
    # its approval on 2 November, whatever the letter date.
    assert statuses == {
        "business-justification.docx": "unchanged",
        "data-extract-request.docx": "written",
        "kick-off-invitation.docx": "written",
        "data-extract-request.eml": "written",
        "kick-off-invitation.eml": "written",
        "kick-off.ics": "written",
        "timeline.xlsx": "unchanged",
    }
    assert "1 December 2026" in all_text(out / "QXY/Y90001 Test Surgery/data-extract-request.docx")


# --- validation errors ------------------------------------------------------------------------------


def _bad_second_go_live(sheets):
    add_practice(sheets, "Y90002", "Second Surgery", "MIG-002", **{"Provisional go-live date": "31/02/2027"})


BAD_GO_LIVE = (
    "Error: Migrations!L3 (Provisional go-live date): '31/02/2027' is not a date. Enter a date such as 15/06/2026."
)


@pytest.mark.parametrize("command", ["run", "letters"])
def test_validation_errors_stop_the_batch_and_write_nothing(tmp_path, command):
    out = tmp_path / "outputs"
    result = run(make(tmp_path, _bad_second_go_live), out, command=command)

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        BAD_GO_LIVE,
        "1 error(s), 0 warning(s); nothing was written. Fix the errors and run again, "
        "or add --skip-invalid to write the valid migrations.",
    ]
    assert not out.exists()


def test_timeline_refuses_a_workbook_with_errors(tmp_path):
    out = tmp_path / "outputs"
    result = invoke("timeline", make(tmp_path, _bad_second_go_live), "--out", out, "--today", TODAY)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        BAD_GO_LIVE,
        "1 error(s), 0 warning(s); nothing was written. Fix the errors and run again.",
    ]
    assert not out.exists()


def test_skip_invalid_writes_the_valid_migrations_and_lists_the_others_as_failed(tmp_path):
    out = tmp_path / "outputs"
    result = run(make(tmp_path, _bad_second_go_live), out, "--skip-invalid")

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:2] == [BAD_GO_LIVE, f"Failed: MIG-002: Not written: {BAD_GO_LIVE.removeprefix('Error: ')}"]
    assert summary(result)[:6] == ("3", "1", str(out), "0", "0", "1")
    assert files(out) == {"manifest.csv", "timeline.xlsx"} | {f"QXY/Y90001 Test Surgery/{n}" for n in PER_MIGRATION}
    failed = [r for r in manifest(out) if r["status"] == "failed"]
    assert [(r["migration_id"], r["message"]) for r in failed] == [
        ("MIG-002", f"Not written: {BAD_GO_LIVE.removeprefix('Error: ')}")
    ]


def test_skip_invalid_exits_1_for_an_error_no_migration_depends_on(tmp_path):
    """A bad supplier contact's email stops no migration, but the admin must still hear of it."""

    def bad_supplier_contact(sheets):
        _copy_row(sheets, "Contacts", {"Organisation": "TPP", "Role": "New supplier", "Email": "not-an-email"})

    result = run(make(tmp_path, bad_supplier_contact), tmp_path / "outputs", "--skip-invalid")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0].startswith("Error: Contacts!E3 (Email): ")
    assert summary(result)[:2] == ("3", "1")


# --- a migration that fails while being written -------------------------------------------------------


def test_a_failing_migration_is_reported_and_skipped(tmp_path, monkeypatch):
    import docgen.batch.letters

    real = docgen.batch.letters.build_context

    def build_context(batch, migration, *args, **kwargs):
        if migration.migration_id == "MIG-002":
            raise RuntimeError("the practice record is corrupt")
        return real(batch, migration, *args, **kwargs)

    monkeypatch.setattr(docgen.batch.letters, "build_context", build_context)
    out = tmp_path / "outputs"
    result = run(make(tmp_path, two_migrations, lambda s: add_practice(s, "Y90003", "Third Surgery", "MIG-003")), out)

    assert result.exit_code == 1
    assert screen(result)[:-1] == [
        "Failed: MIG-002: Migrations!3 (MIG-002, Y90002): unexpected RuntimeError: the practice record is corrupt. "
        "Please report this."
    ]
    assert summary(result)[:6] == ("6", "3", str(out), "0", "0", "1")
    assert not (out / "QXY/Y90002 Second Surgery").exists()  # no letter, no .ics, no .eml of it
    for folder in ("QXY/Y90001 Test Surgery", "QXY/Y90003 Third Surgery"):
        assert {n for n in files(out) if n.startswith(folder + "/")} == {f"{folder}/{n}" for n in PER_MIGRATION}
    failed = [r for r in manifest(out) if r["migration_id"] == "MIG-002"]
    assert {r["status"] for r in failed} == {"failed"}
    assert {r["document"] for r in failed} == {"business-justification", "data-extract-request", "kick-off-invitation"}


GUARDED = "{% if practice.list_size == 5000 %}Registered since {{ practice.list_size|longdate }}.{% endif %}"


def test_a_template_that_fails_for_one_migration_only_skips_just_that_one(tmp_path):
    """The check passes (the example practice's list size is not 5000); rendering fails for
    the practice whose list size is."""
    templates = edited_template(tmp_path, "business-justification.docx", GUARDED)
    out = tmp_path / "outputs"
    book = make(
        tmp_path,
        lambda s: add_practice(s, "Y90002", "Second Surgery", "MIG-002"),
        lambda s: wb.put(s, "Practices", 3, "List size", 7000),
    )
    result = run(book, out, "--templates", templates)

    assert result.exit_code == 1
    assert screen(result)[:-1] == [
        "Failed: MIG-001: Migrations!2 (MIG-001, Y90001): business-justification.docx (body): longdate needs a date "
        "but was given 5000 (int). Check the value in the workbook, or the filter used in this paragraph. "
        f'In the paragraph "{GUARDED}".'
    ]
    assert summary(result)[:6] == ("3", "2", str(out), "0", "0", "1")
    assert not (out / "QXY/Y90001 Test Surgery").exists()
    assert {f"QXY/Y90002 Second Surgery/{n}" for n in PER_MIGRATION} <= files(out)


# --- templates: a missing field, a broken template, templates check and fields ---------------------------


def edited_template(tmp_path: Path, name: str, text: str) -> Path:
    """A folder holding a copy of the default template ``name`` with a paragraph ``text``
    added before its third paragraph, as an admin would type it in Word."""
    folder = tmp_path / "mine"
    folder.mkdir(exist_ok=True)
    document = docx.Document(str(Path(__file__).resolve().parent.parent / "templates" / name))
    document.paragraphs[2].insert_paragraph_before(text)
    document.save(str(folder / name))
    return folder


NICKNAME = "The practice is known locally as {{ practice.nickname }}."
MISSING_FIELD = (
    'Error: business-justification.docx (body): The field "practice.nickname" is not in the data for this letter. '
    'Check its spelling against "docgen templates fields", or remove it from the template. '
    f'In the paragraph "{NICKNAME}".'
)
UNCLOSED = "{% if practice.list_size %}A large practice."
BROKEN = (
    'Error: kick-off-invitation.docx (body): "{% if practice.list_size %}" starts an "if" block that is never '
    f'closed: add "{{% endif %}}" where it should end. In the paragraph "{UNCLOSED}".'
)
TEMPLATES_SUMMARY = (
    "1 problem(s) in the Word templates; no letter was written. "
    "Fix them in Word and run again (docgen templates check --templates DIR lists them)."
)


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [("business-justification.docx", NICKNAME, MISSING_FIELD), ("kick-off-invitation.docx", UNCLOSED, BROKEN)],
    ids=["missing-field", "unclosed-if"],
)
@pytest.mark.parametrize("command", ["run", "letters"])
def test_a_bad_template_stops_the_batch_before_anything_is_written(tmp_path, command, name, text, error):
    templates = edited_template(tmp_path, name, text)
    out = tmp_path / "outputs"
    result = run(make(tmp_path), out, "--templates", templates, command=command)

    assert result.exit_code == 1
    assert result.output.splitlines() == [error, TEMPLATES_SUMMARY]
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [("business-justification.docx", NICKNAME, MISSING_FIELD), ("kick-off-invitation.docx", UNCLOSED, BROKEN)],
    ids=["missing-field", "unclosed-if"],
)
def test_templates_check_reports_the_same_problem(tmp_path, name, text, error):
    templates = edited_template(tmp_path, name, text)
    result = invoke("templates", "check", "--templates", templates)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == error
    assert f"{templates / name}: problems found" in lines[1:]
    assert len([line for line in lines if line.endswith(": OK")]) == 2


def test_templates_check_on_the_defaults_is_ok():
    result = invoke("templates", "check")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.rsplit("/", 1)[-1] for line in lines] == [
        "business-justification.docx: OK",
        "data-extract-request.docx: OK",
        "kick-off-invitation.docx: OK",
    ]


def test_templates_fields_lists_every_field_with_the_samples_value():
    result = invoke("templates", "fields")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "# business-justification"
    name = [line for line in lines if line.startswith("{{ practice.name }}\t")]
    assert len(name) == 3  # once per document
    assert name[0].split("\t", 1)[1].strip()
    one = invoke("templates", "fields", "--document", "data-extract-request")
    assert one.exit_code == 0
    assert one.output.splitlines()[0] == "# data-extract-request"
    assert "{{ dates.idp }}" in {line.split("\t")[0] for line in one.output.splitlines()}


def test_a_template_missing_from_the_folder_falls_back_to_the_default(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    out = tmp_path / "outputs"
    result = run(make(tmp_path), out, "--templates", folder, command="letters")
    assert result.exit_code == 0, result.output
    assert summary(result)[:2] == ("3", "1")


# --- --only and --icb -------------------------------------------------------------------------------


def _two_icbs(sheets):
    two_migrations(sheets)
    add_icb(sheets, "QAB", "NHS Other ICB")
    add_practice(sheets, "Y90003", "Other ICB Surgery", "MIG-003", icb="QAB")


def test_only_selects_practices(tmp_path):
    out = tmp_path / "outputs"
    result = run(make(tmp_path, _two_icbs), out, "--only", "y90002", "--only", "Y90003", command="letters")
    assert result.exit_code == 0, result.output
    assert {n.rsplit("/", 1)[0] for n in files(out) if n != "manifest.csv"} == {
        "QXY/Y90002 Second Surgery",
        "QAB/Y90003 Other ICB Surgery",
    }


def test_icb_selects_one_icb(tmp_path):
    out = tmp_path / "outputs"
    result = run(make(tmp_path, _two_icbs), out, "--icb", "QAB")
    assert result.exit_code == 0, result.output
    assert summary(result)[:2] == ("3", "1")
    assert {n.split("/")[0] for n in files(out)} == {"QAB", "manifest.csv", "timeline.xlsx"}


def test_warnings_are_shown_for_the_selected_migrations_only(tmp_path):
    def second_in_blackout(sheets):
        add_practice(sheets, "Y90002", "Second Surgery", "MIG-002", **{"Provisional go-live date": "10/03/2027"})

    book = make(tmp_path, second_in_blackout)
    everything = run(book, tmp_path / "all")
    assert everything.exit_code == 0, everything.output
    warnings = [line for line in everything.output.splitlines() if line.startswith("Warning: ")]
    assert warnings and all(
        w.startswith("Warning: Migrations!L3 (Provisional go-live date): MIG-002: ") for w in warnings
    )
    assert any('"QOF year end"' in w for w in warnings)
    assert summary(everything)[4] == str(len(warnings))

    one = run(book, tmp_path / "one", "--only", "Y90001")
    assert one.exit_code == 0, one.output
    assert screen(one) == [summary_line(one)]
    assert summary(one)[:5] == ("3", "1", str(tmp_path / "one"), "0", "0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--only", "Y99999"],
            "Error: --only Y99999: no migration for this ODS code in the workbook. Check the code on the Migrations sheet.",
        ),
        (["--icb", "QZZ"], "Error: --icb QZZ: no such ICB on the ICBs sheet (the workbook has: QAB, QXY)."),
        (
            ["--icb", "QXY", "--only", "Y90003"],
            "Error: --only Y90003: no migration for this ODS code in ICB QXY in the workbook. "
            "Check the code on the Migrations sheet.",
        ),
    ],
    ids=["only", "icb", "only-outside-icb"],
)
def test_an_unknown_code_is_a_clear_error(tmp_path, args, message):
    out = tmp_path / "outputs"
    result = run(make(tmp_path, _two_icbs), out, *args)
    assert result.exit_code == 1
    assert result.output.splitlines() == [message]
    assert not out.exists()


# --- values are data ------------------------------------------------------------------------------------

AWKWARD = "Smith & Jones <Partners> 'Ty Ŵ'"
FORMULA = '=HYPERLINK("x")'
CODE = "{{ 7*7 }}"


def _awkward(sheets):
    wb.put(sheets, "Practices", 2, "Practice name", AWKWARD)
    wb.put(sheets, "Migrations", 2, "Reason for change", CODE)
    add_practice(sheets, "Y90002", FORMULA, "MIG-002", **{"Reason for change": FORMULA})
    wb.put(sheets, "Blackouts", 2, "Reason", CODE)


def test_values_are_printed_verbatim_never_evaluated(tmp_path):
    out = tmp_path / "outputs"
    result = run(make(tmp_path, _awkward), out)
    assert result.exit_code == 0, result.output

    first = {r["document"]: out / r["path"] for r in manifest(out) if r["migration_id"] == "MIG-001"}
    second = {r["document"]: out / r["path"] for r in manifest(out) if r["migration_id"] == "MIG-002"}
    justification = all_text(first["business-justification"])
    assert AWKWARD in justification and CODE in justification and "49" not in justification
    assert FORMULA in all_text(second["business-justification"])
    for doc in ("data-extract-request", "kick-off-invitation"):
        assert AWKWARD in all_text(first[doc])
        assert FORMULA in all_text(second[doc])

    book = load_workbook(out / "timeline.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value in (AWKWARD, FORMULA, CODE)]
    assert {c.value for c in cells} == {AWKWARD, FORMULA, CODE}
    assert {c.data_type for c in cells} == {"s"}
    with zipfile.ZipFile(out / "timeline.xlsx") as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


HOSTILE = ["../../escaped", "a/b\\c:d", "..", "CON", "nul.txt", "x" * 300]


def test_a_practice_name_never_leaves_the_output_folder(tmp_path):
    def hostile(sheets):
        wb.put(sheets, "Practices", 2, "Practice name", HOSTILE[0])
        for n, name in enumerate(HOSTILE[1:], start=2):
            add_practice(sheets, f"Y9000{n}", name, f"MIG-00{n}")

    out = tmp_path / "work" / "outputs"
    out.parent.mkdir()
    result = run(make(tmp_path, hostile), out)

    assert result.exit_code == 0, result.output
    assert {p.name for p in out.parent.iterdir()} == {"outputs"}
    assert {p.name for p in tmp_path.iterdir()} == {"work", "migrations.xlsx"}
    folders = sorted({n.rsplit("/", 1)[0] for n in files(out) if "/" in n})
    assert len(folders) == len(HOSTILE)
    for n, folder in enumerate(folders, start=1):
        icb, practice = folder.split("/")
        assert icb == "QXY" and practice.split(" ")[0] == f"Y9000{n}", folder
        assert len(practice) <= 100 and not practice.endswith((".", " ")), folder
        assert not set(practice) & set('<>:"/\\|?*'), folder
        assert (out / folder).resolve().parent.parent == out.resolve()
        assert {f"{folder}/{name}" for name in PER_MIGRATION} <= files(out)


# --- atomic writes -------------------------------------------------------------------------------------


def test_ctrl_c_mid_run_leaves_no_partial_or_temporary_file(tmp_path, monkeypatch):
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        # The second migration's second letter has been written to its temporary file...
        if "Y90002" in str(dst) and str(dst).endswith("data-extract-request.docx"):
            raise KeyboardInterrupt
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    out = tmp_path / "outputs"
    result = run(make(tmp_path, two_migrations, lambda s: add_practice(s, "Y90003", "Third", "MIG-003")), out)
    monkeypatch.undo()

    assert result.exit_code == 130
    assert result.output.splitlines()[-1] == (
        "Interrupted: files already written are complete; none is half-written. Run again to finish."
    )
    everything = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    assert not [n for n in everything if is_temporary(n.split("/")[-1])]
    written = files(out)
    assert "QXY/Y90002 Second Surgery/business-justification.docx" in written
    assert "QXY/Y90002 Second Surgery/data-extract-request.docx" not in written
    assert not [n for n in written if n.startswith("QXY/Y90003")]
    for name in written:
        if name.endswith(".docx"):
            docx.Document(str(out / name))

    # The rerun completes the batch.
    result = run(make(tmp_path, two_migrations, lambda s: add_practice(s, "Y90003", "Third", "MIG-003")), out)
    assert result.exit_code == 0, result.output
    assert len([n for n in files(out) if n.endswith(".docx")]) == 9


def test_an_interrupted_run_is_not_trusted_by_the_next_one(tmp_path, monkeypatch):
    """Run A writes, run B (another kick-off date) is interrupted after rewriting the .ics,
    run A again must put A's .ics back, even though its size is the same as B's."""
    book_a = make(tmp_path, lambda s: wb.put(s, "Migrations", 2, "Kick-off date", "15/02/2027"), name="a.xlsx")
    book_b = make(tmp_path, lambda s: wb.put(s, "Migrations", 2, "Kick-off date", "16/02/2027"), name="b.xlsx")
    out = tmp_path / "outputs"
    ics = out / "QXY/Y90001 Test Surgery/kick-off.ics"
    assert run(book_a, out).exit_code == 0
    first = ics.read_bytes()

    real = os.replace

    def replace(src, dst, *args, **kwargs):
        real(src, dst, *args, **kwargs)
        if str(dst).endswith("kick-off.ics"):
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", replace)
    assert run(book_b, out).exit_code == 130
    monkeypatch.undo()
    assert ics.read_bytes() != first

    assert run(book_a, out).exit_code == 0
    assert b"DTSTART;TZID=Europe/London:20270215T100000" in ics.read_bytes()


def test_out_that_is_a_file_is_refused(tmp_path):
    out = tmp_path / "outputs"
    out.write_text("not a folder")
    result = run(make(tmp_path), out)
    assert result.exit_code == 2
    assert "is a file" in result.output
    assert out.read_text() == "not a folder"


def test_every_batch_command_has_help():
    for command in ("run", "letters", "timeline", "templates"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert result.output.startswith(f"Usage: main {command}") or result.output.startswith("Usage:")
