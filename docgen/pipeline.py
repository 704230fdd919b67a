"""The batch from workbook to outputs: load, validate, schedule, render, write, report.

``check`` is what ``docgen validate`` runs, ``due`` what ``docgen due`` runs; ``run`` is
what ``docgen letters`` and ``docgen run`` run. Each takes ``today`` as a parameter
(the workbook's Settings "As-at date" stands in for it when ``use_as_at`` says the
caller's today is only the clock's); nothing here reads the clock.
The other commands each have their entry point here too (``init_workbook``,
``annotate``, ``write_timeline``, ``template_issues``, ``template_fields``, ``history``),
and the web page's dashboard (``dashboard``, ``dashboard_charts``), so the faces talk to
this module alone. Every ``run`` is recorded in the run history. The per-migration writing
lives in :mod:`docgen.batch` so worker processes import only what they need.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from docgen.batch import history as run_history
from docgen.batch import outfolder
from docgen.batch import templates as batch_templates
from docgen.batch.drafts import write_drafts
from docgen.batch.history import HistoryEntry
from docgen.batch.history_view import history_csv, history_table
from docgen.batch.job import Job
from docgen.batch.letters import plan_paths
from docgen.batch.manifest import PRESENT, ManifestRow, Status, write_manifest
from docgen.batch.pdfs import write_pdfs
from docgen.batch.pool import cpu_count, write_all
from docgen.batch.timeline import TIMELINE, store_timeline
from docgen.documents import dashboard as dashboards
from docgen.documents import timeline
from docgen.documents.catalogue import DOCUMENTS
from docgen.documents.example import example_context
from docgen.documents.selection import select_documents, why_nothing
from docgen.errors import DocgenError, ValidationFailed
from docgen.formats.docx.fields import field_paths
from docgen.formats.docx.issues import TemplateIssue
from docgen.formats.pdf import find_soffice
from docgen.plan.actions import Action
from docgen.plan.as_problems import warnings_as_problems
from docgen.plan.schedule import schedule_batch
from docgen.plan.stages import MigrationStage, action_list, stage_batch
from docgen.problems import Problem
from docgen.records import Batch
from docgen.workbook.annotate import write_annotated
from docgen.workbook.starter import write_starter
from docgen.workbook.validate import ValidationReport, check_workbook


@dataclass
class CheckReport(ValidationReport):
    """What ``check`` found: the validation report plus each valid migration's schedule
    (whose warnings are already among ``problems``) and stage, on ``today``."""

    schedules: dict = field(default_factory=dict)
    stages: dict[str, MigrationStage] = field(default_factory=dict)
    today: dt.date | None = None
    letter_date: dt.date | None = None  # the date the stages judged a document written now would carry

    def actions(self) -> list[Action]:
        """The action list: what is due (overdue first), then what comes up next."""
        assert self.today is not None, "check() sets today"
        return action_list(self.stages, self.today)


def check(
    workbook: Path, today: dt.date, *, use_as_at: bool = False, letter_date: dt.date | None = None
) -> CheckReport:
    """Validate ``workbook``, then schedule and stage its valid migrations on ``today``
    (or on the workbook's As-at date, with ``use_as_at``: ``today`` is then the clock's);
    collect every problem. ``letter_date`` (default: the Settings letter date, else today)
    is the date a document written now would carry."""
    report = check_workbook(workbook)
    result = CheckReport(report.batch, list(report.problems), set(report.invalid_migrations), today=today)
    if report.batch is not None:
        settings = report.batch.settings
        if use_as_at and settings.as_at_date is not None:
            result.today = today = settings.as_at_date
        if report.batch.migrations:
            result.schedules = schedule_batch(report.batch, today)
            result.problems.extend(warnings_as_problems(report.batch, result.schedules))
            result.letter_date = letter_date or settings.letter_date or today
            result.stages = stage_batch(report.batch, result.schedules, today=today, letter_date=result.letter_date)
    return result


def due(workbook: Path, today: dt.date, *, use_as_at: bool = False) -> CheckReport:
    """``docgen due``: the checked workbook with its stages; ``report.actions()`` is the list."""
    return check(workbook, today, use_as_at=use_as_at)


@dataclass(frozen=True)
class RunOptions:
    """What to write and how: the CLI's options, as plain values."""

    out: Path
    today: dt.date
    letter_date: dt.date | None = None  # --date; else the Settings letter date; else today
    only: tuple[str, ...] = ()  # ODS codes
    icb: str | None = None
    jobs: int | None = None  # None: the number of cores
    templates: Path | None = None
    skip_invalid: bool = False
    timeline: bool = True
    letters: bool = True
    delivery: bool = False  # .ics calendar invitations and .eml drafts
    pdf: bool = False
    locale: str = "en_GB"
    all_documents: bool = False  # --all: every document of every migration not Cancelled
    duplex: bool = True  # print packs laid out for double-sided printing (--one-sided: not)
    use_as_at: bool = False  # ``today`` is the clock's: the workbook's As-at date wins
    face: str = run_history.COMMAND_LINE  # who ran it, for the history: "command line" or "web page"
    history: Path | None = None  # the history file; None: $DOCGEN_HISTORY, else the user data folder


@dataclass
class RunResult:
    """What a run wrote, skipped and failed, for the summary line and the exit code."""

    rows: list[ManifestRow]
    migrations: int
    warnings: int
    seconds: float
    notes: list[str] = field(default_factory=list)
    errors: int = 0  # validation errors skipped with --skip-invalid
    actions: list[Action] = field(default_factory=list)
    today: dt.date | None = None
    all_documents: bool = False
    letter_date: dt.date | None = None
    manifest_sha256: str | None = None  # of the manifest.csv this run wrote

    @property
    def blocked(self) -> list[ManifestRow]:
        """Due documents that could not be written, with what to fix."""
        return [r for r in self.rows if r.status == Status.BLOCKED]

    @property
    def nothing_due(self) -> list[ManifestRow]:
        """One row per migration that had nothing to write in this run, with why."""
        return [r for r in self.rows if r.status == Status.NOT_DUE]

    @property
    def failed(self) -> list[ManifestRow]:
        return [r for r in self.rows if r.status == Status.FAILED]

    @property
    def failures(self) -> list[tuple[str, str]]:
        """(what, why) once per failure, for the ``Failed:`` lines and the summary count: a
        migration whose three letters failed for one reason is one failure, not three."""
        groups: dict[tuple[str, str], list[ManifestRow]] = {}
        for r in self.failed:
            groups.setdefault((r.migration_id or r.path or r.document, r.message), []).append(r)
        return [
            (rows[0].path if len(rows) == 1 and rows[0].path else what, message)
            for (what, message), rows in groups.items()
        ]

    @property
    def letters(self) -> int:
        return sum(1 for r in self.rows if r.status in PRESENT and r.path.endswith(".docx"))

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.rows if r.status == Status.UNCHANGED)

    @property
    def exit_code(self) -> int:
        """1 when anything failed or the workbook had errors (skipped with --skip-invalid),
        even an error no migration depends on: the admin must look at the workbook."""
        return 1 if self.failed or self.errors else 0


def select(batch: Batch, only: tuple[str, ...], icb: str | None) -> Batch:
    """Keep the migrations ``--only`` and ``--icb`` ask for; refuse codes with none."""
    migrations = batch.migrations
    if icb:
        code = icb.strip().upper()
        if code not in batch.icb_by_code:
            known = ", ".join(sorted(batch.icb_by_code)) or "none"
            raise DocgenError(f"--icb {icb}: no such ICB on the ICBs sheet (the workbook has: {known}).")
        migrations = tuple(m for m in migrations if batch.practice(m).icb_code == code)
    if only:
        wanted = {o.strip().upper() for o in only}
        missing = sorted(wanted - {m.ods_code for m in migrations})
        if missing:
            raise DocgenError(
                f"--only {', '.join(missing)}: no migration for this ODS code"
                + (f" in ICB {icb.upper()}" if icb else "")
                + " in the workbook. Check the code on the Migrations sheet."
            )
        migrations = tuple(m for m in migrations if m.ods_code in wanted)
    return replace(batch, migrations=migrations)


def run(
    workbook: Path,
    options: RunOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
    report: CheckReport | None = None,
    checked: Callable[[CheckReport, set[str]], None] | None = None,
) -> RunResult:
    """Validate, schedule, then write the timeline, letters, delivery pack and manifest.

    Validation errors stop the batch before anything is written (``ValidationFailed``),
    unless ``skip_invalid``: then the invalid migrations are listed as failed in the
    manifest and the valid ones are written. A migration that fails while being
    written is reported in the manifest and skipped; the others are still written.
    ``checked`` is called once the workbook is checked and the migrations chosen, before
    anything is written, with the report and the chosen migration IDs (a face shows the
    problems that concern them).

    Every run is recorded in the history (:mod:`docgen.batch.history`), after the
    manifest: finished, failed (a DocgenError, re-raised) or stopped (KeyboardInterrupt,
    re-raised). The history's own trouble is a note in ``notes`` (of a run that raised:
    in the exception's ``__notes__``), never a failure.
    """
    started_at = run_history.now()
    seen: list[CheckReport] = []

    def record(outcome: str, exit_code: int, result: RunResult | None = None) -> list[str]:
        return _record(workbook, options, started_at, outcome, exit_code, result, seen[0] if seen else None)

    try:
        result = _run(workbook, options, progress, report, checked, seen)
    except (KeyboardInterrupt, Exception) as err:
        if isinstance(err, KeyboardInterrupt):
            notes = record(run_history.STOPPED, 128 + int(getattr(err, "signum", 2)))  # 2: SIGINT; Stopped has its own
        elif isinstance(err, DocgenError):
            notes = record(f"failed: {str(err).splitlines()[0] if str(err) else type(err).__name__}", err.exit_code)
        else:
            notes = record(f"failed: a docgen bug ({type(err).__name__})", 1)
        for note in notes:
            err.add_note(note)  # the faces show an error's notes after it
        raise
    result.notes.extend(record(run_history.FINISHED, result.exit_code, result))
    return result


def _record(
    workbook: Path,
    options: RunOptions,
    started_at: dt.datetime,
    outcome: str,
    exit_code: int,
    result: RunResult | None,
    report: CheckReport | None,
) -> list[str]:
    """Append this run to the history; the notes to show the user."""
    today = (result and result.today) or (report and report.today) or options.today
    letter_date = (result and result.letter_date) or options.letter_date
    asked: dict[str, object] = {
        "out": str(Path(options.out).resolve()),
        "only": list(options.only),
        "icb": options.icb,
        "today": today.isoformat(),
        "letter_date": letter_date.isoformat() if letter_date else None,
        "all": options.all_documents,
        "pdf": options.pdf,
        "one_sided": not options.duplex,
        "skip_invalid": options.skip_invalid,
        "templates": str(Path(options.templates).resolve()) if options.templates else None,
        "timeline": options.timeline,
        "delivery": options.delivery,
    }
    entry = run_history.entry_for(
        workbook,
        started_at=started_at,
        face=options.face,
        options=asked,
        outcome=outcome,
        exit_code=exit_code,
        rows=result.rows if result else (),
        manifest_sha256=result.manifest_sha256 if result else None,
    )
    return run_history.append(entry, history_path(options.history))


def history_path(path: Path | None = None) -> Path:
    """The history file runs are recorded in: ``path``, else ``$DOCGEN_HISTORY``, else
    ``history.sqlite`` in the user's data folder."""
    return Path(path) if path is not None else run_history.default_path()


def history(limit: int | None = None, path: Path | None = None) -> list[HistoryEntry]:
    """``docgen history``: the recorded runs, newest first (the last ``limit``). Raises
    a DocgenError for a damaged or locked history file."""
    return run_history.read(history_path(path), limit)


def history_text(entries: list[HistoryEntry], *, csv: bool = False) -> str:
    """``docgen history``'s output: a table newest first, or CSV (``csv``) for a spreadsheet."""
    return history_csv(entries) if csv else history_table(entries)


def _run(
    workbook: Path,
    options: RunOptions,
    progress: Callable[[int, int], None] | None,
    report: CheckReport | None,
    checked: Callable[[CheckReport, set[str]], None] | None,
    seen: list[CheckReport],
) -> RunResult:
    started = time.perf_counter()
    report = report or check(workbook, options.today, use_as_at=options.use_as_at, letter_date=options.letter_date)
    seen.append(report)
    if report.batch is None or (report.errors and not options.skip_invalid):
        raise ValidationFailed(report.problems)
    batch = select(report.batch, options.only, options.icb)
    if checked is not None:
        checked(report, {m.migration_id for m in batch.migrations})
    today = report.today or options.today
    letter_date = options.letter_date or batch.settings.letter_date or today
    out = Path(options.out)
    schedules = {m.migration_id: report.schedules[m.migration_id] for m in batch.migrations}
    if report.stages and report.letter_date == letter_date:
        stages = {mid: report.stages[mid] for mid in schedules}  # check() staged them on the same day
    else:
        stages = stage_batch(batch, schedules, today=today, letter_date=letter_date)
    selections = {
        mid: select_documents(stage, schedules[mid], letter_date=letter_date, all_documents=options.all_documents)
        for mid, stage in stages.items()
    }

    job = Job(
        batch=batch,
        schedules=schedules,
        out=str(out.resolve()),
        letter_date=letter_date,
        today=today,
        templates=options.templates,
        locale=options.locale,
        letters=options.letters,
        delivery=options.delivery,
        pdf=options.pdf,
        duplex=options.duplex,
        stages=stages,
        selections=selections,
        all_documents=options.all_documents,
    )
    # Before the output folder is even created: a broken template writes nothing at all.
    batch_templates.check_templates(job)
    unused = batch_templates.template_warnings(options.templates)

    # Every path the run may write, worked out only when a check needs them (rarely): made
    # here on every run, they moved the garbage collector's passes over the batch into the
    # rerun's critical path (+0.1 s on the country).
    def paths() -> Iterable[str]:
        return outfolder.planned(batch, plan_paths(batch))

    outfolder.guard_input(workbook, out, paths)
    outfolder.prepare(out)
    with outfolder.OutFolder(out) as folder:
        folder.refuse_foreign(paths)
        job = replace(job, previous=folder.previous, previous_at=folder.previous_at)
        folder.set_aside()
        rows, notes = _write(job, report, options, progress)
        manifest = write_manifest(out, rows)
        folder.finished()
    notes = [f"Warning: {w}" for w in unused] + notes
    n_warn = len([w for w in report.warnings if w.migration_id is None or w.migration_id in job.schedules])
    n_warn += len(unused)
    return RunResult(
        rows,
        len(batch.migrations),
        n_warn,
        time.perf_counter() - started,
        notes,
        errors=len(report.errors),
        actions=action_list(stages, today),
        today=today,
        all_documents=options.all_documents,
        letter_date=letter_date,
        manifest_sha256=run_history.file_sha256(manifest),
    )


def _write(
    job: Job,
    report: CheckReport,
    options: RunOptions,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[ManifestRow], list[str]]:
    """Every row of the run (the invalid migrations skipped, the letters, timeline, PDFs
    and drafts written, and what was left out) and notes for the user."""
    rows: list[ManifestRow] = []
    notes: list[str] = []
    if options.skip_invalid:
        by_id: dict[str, list[Problem]] = {}
        for p in report.errors:
            by_id.setdefault(p.migration_id or "", []).append(p)
        for mid in sorted(report.invalid_migrations):
            first = by_id.get(mid, [None])[0]
            rows.append(
                ManifestRow(
                    migration_id=mid,
                    document="all",
                    path="",
                    status=Status.FAILED,
                    message=f"Not written: {first}" if first else "Not written: invalid.",
                )
            )

    jobs = options.jobs or cpu_count()
    if options.letters:
        also = store_timeline if options.timeline else None
        rows.extend(write_all(job, jobs=jobs, progress=progress, also=also))
    elif options.timeline:
        rows.append(store_timeline(job))
    if options.pdf and options.letters:
        pdf_rows, pdf_notes = write_pdfs(job, rows, jobs=jobs)
        rows.extend(pdf_rows)
        notes.extend(pdf_notes)
    if options.delivery and options.letters and options.pdf:
        rows.extend(write_drafts(job, rows, pdf=True))
    if options.letters:
        rows.extend(_left_out(job))
    return rows, notes


def _left_out(job: Job) -> list[ManifestRow]:
    """The manifest's word on what this run did not write: a ``blocked`` row for each due
    document that cannot be written today (with what to fix), and a ``not due`` row for
    each migration with nothing written (with why)."""
    rows = []
    for m in job.batch.migrations:
        selection = job.selections[m.migration_id]
        for document, why in selection.blocked:
            rows.append(
                ManifestRow(
                    migration_id=m.migration_id,
                    ods_code=m.ods_code,
                    document=document,
                    path="",
                    status=Status.BLOCKED,
                    message=why,
                )
            )
        if not selection.issues and not selection.blocked:
            rows.append(
                ManifestRow(
                    migration_id=m.migration_id,
                    ods_code=m.ods_code,
                    document="all",
                    path="",
                    status=Status.NOT_DUE,
                    message=why_nothing(job.stages[m.migration_id], selection),
                )
            )
    return rows


def init_workbook(path: Path, *, force: bool, today: dt.date) -> None:
    """``docgen init``: a starter workbook at ``path`` for an admin to fill in Excel."""
    write_starter(path, force=force, today=today)


def annotate(workbook: Path, problems: list[Problem], out: Path) -> None:
    """``docgen validate --annotate``: a copy of ``workbook`` at ``out`` with every
    problem cell coloured and commented."""
    write_annotated(workbook, problems, out)


def write_timeline(report: CheckReport, out: Path, workbook: Path) -> Path:
    """``docgen timeline``: ``out/timeline.xlsx`` for a checked ``workbook``, on its own
    (never over the workbook, and not while a run writes into ``out``)."""
    assert report.batch is not None and report.today is not None, "the CLI refuses a workbook with errors first"
    out = Path(out)
    outfolder.guard_input(workbook, out, lambda: [TIMELINE])
    outfolder.prepare(out)
    with outfolder.OutFolder(out) as folder:
        folder.refuse_foreign(lambda: [TIMELINE])
        return timeline.write_timeline(
            report.batch, report.schedules, out / TIMELINE, today=report.today, stages=report.stages
        )


def dashboard(report: CheckReport, *, locale: str = "en_GB") -> dashboards.Dashboard:
    """The web page's dashboard of a checked workbook: migrations by status, go-lives per
    month, moves from system to system and RAG, as at the report's today (see
    :mod:`docgen.documents.dashboard`; cancelled migrations count only by status).
    A workbook that could not be read at all has no dashboard: its problems are raised."""
    if report.batch is None or report.today is None:
        raise ValidationFailed(report.problems)
    return dashboards.dashboard(report.batch, report.schedules, report.today, locale=locale)


def dashboard_charts(board: dashboards.Dashboard) -> list[tuple[str, str]]:
    """Each of the dashboard's charts as (title, standalone SVG text), in page order: no
    script and no inline style, so it can be inlined under a strict CSP."""
    return dashboards.charts(board)


def template_issues(templates: Path | None) -> tuple[dict[str, Path], list[TemplateIssue]]:
    """``docgen templates check``: each document's template in use (document key -> path,
    in document order; the defaults where ``templates`` lacks one) and every problem
    found in them."""
    return batch_templates.template_issues(templates)


def template_warnings(templates: Path | None) -> list[str]:
    """``docgen templates check`` and ``run``: each file in the ``templates`` folder that
    docgen does not use (another name or format, Word's lock file), with why, and each
    field whose formatting starts inside it (Word formatting docgen cannot keep)."""
    return batch_templates.template_warnings(templates)


def document_keys() -> list[str]:
    """Every document a migration gets, by key, in the order docgen writes them."""
    return [d.key for d in DOCUMENTS]


def template_fields(document: str) -> list[tuple[str, object]]:
    """``docgen templates fields``: every field ``document``'s template may use, with
    the example's value."""
    return field_paths(example_context(document))


def pdf_available() -> bool:
    """Whether LibreOffice is installed, so a face can offer PDFs (``--pdf``) or say why not."""
    return find_soffice() is not None
