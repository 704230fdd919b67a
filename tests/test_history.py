"""The run history: what each run records, ``docgen history``, and a history file that is
damaged, locked or unwritable never stopping a run. ``history`` (tests/conftest.py) is
each test's own ``$DOCGEN_HISTORY``."""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import signal
import sqlite3
import threading

import pytest
import wb
from test_cli_run import files, invoke, make, manifest, two_migrations
from test_cli_run import run as cli_run
from test_pipeline import TODAY

from docgen import __version__, pipeline
from docgen.batch import history as run_history
from docgen.batch.history import HistoryEntry, HistoryUnreadable
from docgen.pipeline import RunOptions, run
from docgen.stopping import Stopped


def options(out, **changes) -> RunOptions:
    return RunOptions(out=out, today=TODAY, letter_date=TODAY, jobs=1, all_documents=True, **changes)


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def entry(n: int = 0, **changes) -> HistoryEntry:
    when = run_history.now()
    return HistoryEntry(
        started_at=when,
        finished_at=when,
        who="tester",
        host="here",
        face="command line",
        workbook=f"book{n}.xlsx",
        workbook_sha256="ab" * 32,
        **changes,
    )


def test_a_run_appends_one_record_of_what_it_wrote_from_which_workbook(tmp_path, history):
    book, out = make(tmp_path, two_migrations), tmp_path / "out"
    result = run(book, options(out))

    [e] = pipeline.history()
    rows = manifest(out)
    assert pipeline.history_path() == history and history.exists()
    assert (e.workbook, e.workbook_sha256) == ("migrations.xlsx", sha256(book))
    assert e.manifest_sha256 == sha256(out / "manifest.csv") == result.manifest_sha256
    assert (e.written, e.unchanged, e.failed, e.not_due) == tuple(
        sum(r["status"] == s for r in rows) for s in ("written", "unchanged", "failed", "not due")
    )
    assert e.written == len(files(out)) - 1  # every file but the manifest
    assert (e.outcome, e.exit_code, e.face, e.version) == ("finished", 0, "command line", __version__)
    assert e.who == getpass.getuser()
    assert e.started_at.tzinfo is not None and e.started_at <= e.finished_at
    assert e.options["out"] == str(out.resolve())
    assert (e.options["today"], e.options["letter_date"], e.options["all"]) == ("2026-11-23", "2026-11-23", True)
    assert not [n for n in result.notes if n.startswith("History")]


def test_two_runs_are_two_records_newest_first(tmp_path):
    book, out = make(tmp_path), tmp_path / "out"
    run(book, options(out))
    run(book, options(out, face="web page"))
    second, first = pipeline.history()
    assert second.id > first.id and second.started_at >= first.started_at
    assert (first.face, second.face) == ("command line", "web page")
    assert first.written > 0 and (second.written, second.unchanged) == (0, first.written)
    assert [e.id for e in pipeline.history(limit=1)] == [second.id]


def test_docgen_history_lists_the_runs_newest_first(tmp_path, history):
    book, out = make(tmp_path), tmp_path / "out"
    assert invoke("history").output == f"No runs recorded yet in {history}.\n"
    assert cli_run(book, out).exit_code == 0
    assert cli_run(book, out, "--only", "A99999").exit_code == 1

    result = invoke("history")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"2 run(s) recorded in {history}, newest first:"
    assert lines[2].split() == [
        "#",
        "When",
        "(local",
        "time)",
        "Who",
        "Face",
        "Workbook",
        "(sha256)",
        "Files",
        "Outcome",
    ]
    assert lines[3].startswith("2 ") and "no manifest" in lines[3] and "failed: --only A99999:" in lines[3]
    assert lines[4].startswith("1 ") and lines[4].endswith("finished")
    assert f"migrations.xlsx ({sha256(book)[:12]})" in lines[4]
    assert f"{len(files(out)) - 1} written, 0 unchanged" in lines[4]
    assert len(invoke("history", "--limit", "1").output.splitlines()) == 4


def test_docgen_history_csv_has_every_field_for_a_spreadsheet(tmp_path):
    book, out = make(tmp_path, name="=evil.xlsx"), tmp_path / "out"
    assert cli_run(book, out, "--skip-invalid", "--one-sided").exit_code == 0
    result = invoke("history", "--csv")
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.output)))
    assert row["workbook"] == "'=evil.xlsx"  # shown as text, never run as a formula
    assert row["workbook_sha256"] == sha256(book)
    assert (row["skip_invalid"], row["one_sided"], row["all"], row["pdf"], row["only"]) == (
        "yes",
        "yes",
        "yes",
        "no",
        "",
    )
    assert row["manifest_sha256"] == sha256(out / "manifest.csv")
    assert row["docgen_version"] == __version__


def test_a_damaged_history_is_set_aside_and_the_run_still_writes_its_letters(tmp_path, history):
    history.write_bytes(b"\x00garbage, not a database" * 100)
    book, out = make(tmp_path), tmp_path / "out"
    result = cli_run(book, out)

    assert result.exit_code == 0, result.output
    assert "business-justification.docx" in {p.rsplit("/", 1)[-1] for p in files(out)}
    [note] = [line for line in result.output.splitlines() if line.startswith("History:")]
    [aside] = history.parent.glob("history.sqlite.damaged-*")
    assert note == (
        f"History: {history} was not a docgen history (file is not a database); "
        f"set aside as {aside.name} and a new one started."
    )
    assert aside.read_bytes() == b"\x00garbage, not a database" * 100  # kept for whoever looks into it
    assert [e.outcome for e in pipeline.history()] == ["finished"]


def test_another_programs_database_is_set_aside_too(tmp_path, history):
    with sqlite3.connect(history) as con:
        con.execute("CREATE TABLE something_else (x)")
    con.close()
    result = run(make(tmp_path), options(tmp_path / "out"))
    assert any("another program's SQLite database" in n for n in result.notes)
    assert len(list(history.parent.glob("history.sqlite.damaged-*"))) == 1
    assert len(pipeline.history()) == 1


def test_docgen_history_on_a_damaged_file_says_so_and_what_happens_next(history):
    history.write_bytes(b"not a database at all, just text" * 40)
    result = invoke("history")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: The history {history} is not a docgen history (file is not a database). "
        "The next run sets it aside and starts a new one.\n"
    )
    with pytest.raises(HistoryUnreadable):
        pipeline.history()


def test_a_history_docgen_cannot_write_is_a_note_not_a_failure(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("in the way")
    monkeypatch.setenv("DOCGEN_HISTORY", str(tmp_path / "a-file" / "history.sqlite"))
    result = run(make(tmp_path), options(tmp_path / "out"))
    assert result.exit_code == 0 and result.letters == 3
    [note] = result.notes
    assert note.startswith(f"History: this run was not recorded in {tmp_path / 'a-file' / 'history.sqlite'}: ")


def test_a_history_locked_too_long_costs_only_this_runs_record(tmp_path, history, monkeypatch):
    run_history.append(entry(), history)
    monkeypatch.setattr(run_history, "BUSY_SECONDS", 0.05)
    holder = sqlite3.connect(history, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a database browser in the middle of a change
    try:
        result = run(make(tmp_path), options(tmp_path / "out"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 0 and result.letters == 3
    assert result.notes == [
        f"History: this run was not recorded in {history}: it was locked by another program for more than 0.05 s."
    ]
    assert not list(history.parent.glob("*.damaged-*"))  # a file in use is never renamed
    assert len(pipeline.history()) == 1


def test_a_history_from_a_newer_docgen_is_left_alone(tmp_path, history):
    run_history.append(entry(), history)
    with sqlite3.connect(history) as con:
        con.execute("PRAGMA user_version = 99")
    con.close()
    result = run(make(tmp_path), options(tmp_path / "out"))
    assert result.exit_code == 0
    assert result.notes == [
        f"History: this run was not recorded: {history} was written by a newer docgen "
        "(history schema 99; this docgen knows 1). Use that docgen, or set DOCGEN_HISTORY."
    ]
    assert not list(history.parent.glob("*.damaged-*"))


def test_records_cannot_be_changed_or_deleted(history):
    run_history.append(entry(), history)
    con = sqlite3.connect(history)
    with pytest.raises(sqlite3.DatabaseError, match="append-only: a record cannot be changed"):
        con.execute("UPDATE runs SET who = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only: a record cannot be deleted"):
        con.execute("DELETE FROM runs")
    con.close()
    assert [e.who for e in run_history.read(history)] == ["tester"]


def test_a_run_stopped_by_ctrl_c_or_sigterm_is_recorded_as_stopped(tmp_path):
    book, out = make(tmp_path, two_migrations), tmp_path / "out"

    def ctrl_c(done, total):
        raise KeyboardInterrupt

    def sigterm(done, total):
        raise Stopped(signal.SIGTERM)

    for stop in (ctrl_c, sigterm):
        with pytest.raises(KeyboardInterrupt):
            run(book, options(out), progress=stop)
    by_sigterm, by_ctrl_c = pipeline.history()
    assert (by_ctrl_c.outcome, by_ctrl_c.exit_code, by_ctrl_c.manifest_sha256) == ("stopped", 130, None)
    assert (by_sigterm.outcome, by_sigterm.exit_code) == ("stopped", 143)
    assert by_ctrl_c.workbook_sha256 == sha256(book)


def test_a_refused_run_is_recorded_as_failed_with_its_reason(tmp_path):
    book = make(tmp_path, lambda s: wb.put(s, "Migrations", 2, "Provisional go-live date", "31/02/2027"))
    assert cli_run(book, tmp_path / "out").exit_code == 1
    [e] = pipeline.history()
    assert e.outcome == "failed: The workbook has 1 error(s); nothing was written. Fix them and run again:"
    assert (e.exit_code, e.manifest_sha256, e.written) == (1, None, 0)


def test_the_run_options_history_wins_over_the_environment(tmp_path, history):
    mine = tmp_path / "elsewhere" / "runs.sqlite"
    run(make(tmp_path), options(tmp_path / "out", history=mine, face="web page"))
    assert not history.exists()
    assert [e.face for e in pipeline.history(path=mine)] == ["web page"]


def _append_at_once(history, writers: int) -> list[str]:
    """``writers`` runs recording at the same moment (threads); the notes they gave."""
    notes: list[str] = []
    threads = [
        threading.Thread(target=lambda n=n: notes.extend(run_history.append(entry(n), history))) for n in range(writers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return notes


def test_two_runs_recording_at_once_both_get_in(history):
    run_history.append(entry(), history)  # made; then eight writers at once
    assert _append_at_once(history, 8) == []
    assert len(run_history.read(history)) == 9


def test_a_new_history_made_by_two_runs_at_once_is_made_once(history):
    assert _append_at_once(history, 4) == []
    assert sorted(e.workbook for e in run_history.read(history)) == [f"book{n}.xlsx" for n in range(4)]


def test_the_default_history_is_in_the_user_data_folder(monkeypatch):
    monkeypatch.delenv("DOCGEN_HISTORY")
    import platformdirs

    assert run_history.default_path() == platformdirs.user_data_path("docgen", appauthor=False) / "history.sqlite"


def test_who_falls_back_when_the_system_has_no_name_for_the_user(monkeypatch):
    def no_user():
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_user)
    monkeypatch.setenv("USERNAME", "jsmith")
    assert run_history.who() == "jsmith"
    monkeypatch.delenv("USERNAME")
    assert run_history.who() == "unknown"


def test_a_refused_run_says_its_damaged_history_was_set_aside(tmp_path, history):
    history.write_bytes(b"garbage " * 200)
    book = make(tmp_path, lambda s: wb.put(s, "Migrations", 2, "Provisional go-live date", "31/02/2027"))
    result = cli_run(book, tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith(f"History: {history} was not a docgen history (file is not")
    assert [e.outcome[:40] for e in pipeline.history()] == ["failed: The workbook has 1 error(s); not"]


def test_a_stopped_run_says_its_history_could_not_be_written(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("in the way")
    monkeypatch.setenv("DOCGEN_HISTORY", str(tmp_path / "a-file" / "history.sqlite"))

    def ctrl_c(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as stopped:
        run(make(tmp_path), options(tmp_path / "out"), progress=ctrl_c)
    [note] = stopped.value.__notes__
    assert note.startswith("History: this run was not recorded in ")


def test_a_history_corrupt_inside_is_set_aside_when_a_run_finds_it(tmp_path, history):
    for n in range(3):
        run_history.append(entry(n), history)
    data = bytearray(history.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page : 2 * page] = b"\xff" * page  # the table of runs (page 2), scribbled over
    history.write_bytes(bytes(data))

    result = run(make(tmp_path), options(tmp_path / "out"))
    assert result.exit_code == 0
    [note] = result.notes
    assert note.startswith(f"History: {history} was not a docgen history (database disk image is malformed)")
    assert [e.outcome for e in pipeline.history()] == ["finished"]
