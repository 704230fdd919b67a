"""``docgen run`` and ``docgen letters``: the batch from a checked workbook to its outputs, recorded in the history whatever happens."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from docgen.batch import history as run_history
from docgen.batch import outfolder
from docgen.batch import templates as batch_templates
from docgen.batch.drafts import write_drafts
from docgen.batch.job import Job
from docgen.batch.letters import plan_paths
from docgen.batch.manifest import ManifestRow, Status, write_manifest
from docgen.batch.pdfs import write_pdfs
from docgen.batch.pool import cpu_count, write_all
from docgen.batch.timeline import store_timeline
from docgen.documents.selection import select_documents, why_nothing
from docgen.errors import DocgenError, ValidationFailed
from docgen.pipeline.checking import CheckReport, check
from docgen.pipeline.options import RunOptions, RunResult
from docgen.pipeline.recording import record as _record
from docgen.plan.stages import action_list, stage_batch
from docgen.problems import Problem
from docgen.records import Batch


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
    unused = batch_templates.template_warnings(options.templates, options.locale)

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
        _, manifest_sha256 = write_manifest(out, rows)
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
        manifest_sha256=manifest_sha256,
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
