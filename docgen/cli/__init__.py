"""The ``docgen`` command line: options in, a library call, errors out as ``Error: ...``.

This package is the only part of docgen that imports click (``output.py`` prints). Every :class:`~docgen.errors.DocgenError`
becomes a one-paragraph message and exit code 1; click's own usage errors exit 2.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from types import ModuleType

import click

from docgen.cli.output import echo_actions, echo_failures, echo_notes, echo_problems, refuse
from docgen.errors import DocgenError, TemplateCheckFailed, ValidationFailed
from docgen.stopping import describe, signal_number, signals_stop_the_run


def _pipeline() -> ModuleType:
    """:mod:`docgen.pipeline`, the only other module the commands talk to, imported when a
    command runs rather than at start-up: it brings in docxtpl, openpyxl, pypdf, icalendar
    and holidays, which made ``docgen --help`` (and every usage error) take 0.43-0.65 s
    instead of 0.05 s (measured on the development VM, best of 8)."""
    from docgen import pipeline

    return pipeline


def _today() -> dt.date:
    """The admin's calendar date: the only place docgen reads the clock."""
    return dt.date.today()  # noqa: DTZ011 - a local calendar date is what the admin means by "today"


def _parse_date(ctx, param, value):
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            pass
    raise click.BadParameter(f"'{value}' is not a date. Use 2026-06-15 or 15/06/2026.")


class _Group(click.Group):
    """Maps DocgenError to ``Error: message`` and exit 1, and Ctrl-C or SIGTERM to a
    one-line message and exit 130 or 143, so no traceback reaches the user."""

    def invoke(self, ctx):
        try:
            with signals_stop_the_run():
                return super().invoke(ctx)
        except DocgenError as err:
            click.echo(f"Error: {err}", err=True)
            echo_notes(err)
            sys.exit(err.exit_code)
        except KeyboardInterrupt as err:
            signum = signal_number(err)
            click.echo(
                f"{describe(signum)}: files already written are complete; none is half-written. Run again to finish.",
                err=True,
            )
            echo_notes(err)
            sys.exit(128 + signum)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="docgen")
def main() -> None:
    """Prepare GP practices for a clinical system migration, in bulk.

    Fill the workbook (docgen init), check it (docgen validate), then write every
    letter, the timeline and the delivery pack (docgen run).
    """


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: Path, force: bool) -> None:
    """Write a starter workbook to PATH for an admin to fill in Excel."""
    pipeline = _pipeline()
    pipeline.init_workbook(path, force=force, today=_today())
    click.echo(f"Wrote {path}. Fill it in Excel, then run: docgen validate {path}")


@main.command()
@click.argument("workbook", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--annotate",
    "annotate_to",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a copy of the workbook with every problem cell coloured and commented.",
)
@click.option("--today", type=str, callback=_parse_date, help="Check dates as if today were this date.")
def validate(workbook: Path, annotate_to: Path | None, today: dt.date | None) -> None:
    """Check WORKBOOK and list every problem at once (exit 1 if there are errors)."""
    pipeline = _pipeline()
    report = pipeline.check(workbook, today or _today(), use_as_at=today is None)
    echo_problems(report.problems, err=False)
    if annotate_to:
        pipeline.annotate(workbook, report.problems, annotate_to)
        click.echo(f"Wrote {annotate_to} with {len(report.problems)} problem(s) marked.")
    n_err, n_warn = len(report.errors), len(report.warnings)
    n_mig = len(report.batch.migrations) if report.batch else 0
    click.echo(f"{n_err} error(s), {n_warn} warning(s); {n_mig} migration(s) ready.")
    sys.exit(1 if n_err else 0)


def _batch_options(f):
    """Options shared by ``letters`` and ``run``."""
    decorators = [
        click.argument("workbook", type=click.Path(exists=True, path_type=Path)),
        click.option(
            "--out",
            "out",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("outputs"),
            show_default=True,
            help="Folder to write into.",
        ),
        click.option(
            "--only", "only", multiple=True, metavar="ODS", help="Only this practice's migrations (repeat for more)."
        ),
        click.option("--icb", "icb", metavar="CODE", help="Only this ICB's migrations."),
        click.option(
            "--jobs", "jobs", type=click.IntRange(1, 64), help="Worker processes (default: the number of cores)."
        ),
        click.option(
            "--templates",
            "templates",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="Folder with edited copies of the Word templates (missing ones fall back to the defaults).",
        ),
        click.option(
            "--date",
            "letter_date",
            type=str,
            callback=_parse_date,
            help="Date printed on the letters (default: the Settings letter date, else today).",
        ),
        click.option("--today", type=str, callback=_parse_date, help="Work out dates as if today were this date."),
        click.option(
            "--skip-invalid",
            is_flag=True,
            help="Write every valid migration; list the invalid ones as failed (exit 1).",
        ),
        click.option("--pdf", is_flag=True, help="Also write every letter as PDF and print packs (needs LibreOffice)."),
        click.option(
            "--one-sided",
            "one_sided",
            is_flag=True,
            help="Print packs for one-sided printing (default: each letter starts on a right-hand page).",
        ),
        click.option(
            "--all",
            "all_documents",
            is_flag=True,
            help="Write every document of every migration that is not cancelled (records of steps done too), "
            "not only what is due.",
        ),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


def _run(
    workbook,
    out,
    only,
    icb,
    jobs,
    templates,
    letter_date,
    today,
    skip_invalid,
    pdf,
    one_sided,
    all_documents,
    *,
    timeline,
    delivery,
):
    pipeline = _pipeline()
    use_as_at = today is None
    today = today or _today()
    options = pipeline.RunOptions(
        out=out,
        today=today,
        use_as_at=use_as_at,
        all_documents=all_documents,
        duplex=not one_sided,
        letter_date=letter_date,
        only=tuple(only),
        icb=icb,
        jobs=jobs,
        templates=templates,
        skip_invalid=skip_invalid,
        timeline=timeline,
        delivery=delivery,
        pdf=pdf,
    )
    bar = None

    def checked(report, chosen: set[str]) -> None:
        # Warnings about migrations --only/--icb left out would only be noise (and the
        # summary does not count them); an unknown code stops the run before any output.
        nonlocal bar
        echo_problems([p for p in report.problems if p.is_error or p.migration_id in (None, *chosen)])
        if sys.stderr.isatty():
            bar = click.progressbar(length=1, label="Writing letters", file=sys.stderr)
            bar.__enter__()

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = total
            bar.update(done - bar.pos)

    try:
        # The run checks the workbook itself, so a refused run is in the history too.
        result = pipeline.run(workbook, options, progress=progress, checked=checked)
    except ValidationFailed as err:
        hint = "Fix the errors and run again, or add --skip-invalid to write the valid migrations."
        refuse(err.problems, hint, notes=err)
    except TemplateCheckFailed as err:
        # One "Error:" line per problem, exactly as ``docgen templates check`` prints them.
        for issue in err.issues:
            click.echo(f"Error: {issue}", err=True)
        click.echo(
            f"{len(err.issues)} problem(s) in the Word templates; no letter was written. "
            "Fix them in Word and run again (docgen templates check --templates DIR lists them).",
            err=True,
        )
        echo_notes(err)
        sys.exit(1)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    echo_failures(result.failures)
    for note in result.notes:
        click.echo(note, err=True)
    if result.actions and result.today:
        echo_actions(result.actions, result.today, limit=5)
    for row in result.blocked:
        click.echo(f"Due but not written: {row.migration_id} {row.document}: {row.message.split(': ', 1)[-1]}")
    what = "every document not cancelled (--all)" if result.all_documents else "what is due"
    as_at = f" as at {result.today:%d/%m/%Y}" if result.today else ""
    click.echo(
        f"{result.letters} letter(s) for {result.migrations} migration(s) in {out}: {what}{as_at}; "
        f"{len(result.nothing_due)} migration(s) had nothing {'to write' if result.all_documents else 'due'}, "
        f"{len(result.blocked)} due document(s) not written ({result.unchanged} file(s) unchanged since the last "
        f"run); {result.warnings} warning(s); {len(result.failures)} failure(s); {result.seconds:.1f} s. "
        f"See {out / 'manifest.csv'}."
    )
    sys.exit(result.exit_code)


@main.command()
@_batch_options
def letters(**kwargs) -> None:
    """Write the three letters for every migration in WORKBOOK."""
    _run(**kwargs, timeline=False, delivery=False)


@main.command("run")
@_batch_options
def run_cmd(**kwargs) -> None:
    """Validate WORKBOOK, then write the timeline, letters, calendar files, email drafts and manifest."""
    _run(**kwargs, timeline=True, delivery=True)


@main.command()
@click.argument("workbook", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"), show_default=True)
@click.option("--today", type=str, callback=_parse_date, help="Work out dates as if today were this date.")
def timeline(workbook: Path, out: Path, today: dt.date | None) -> None:
    """Write OUT/timeline.xlsx: every migration's dates, a Gantt chart and the warnings."""
    pipeline = _pipeline()
    report = pipeline.check(workbook, today or _today(), use_as_at=today is None)
    if report.batch is None or report.errors:
        refuse(report.problems, "Fix the errors and run again.")
    echo_problems(report.warnings)
    path = pipeline.write_timeline(report, out, workbook)
    click.echo(f"Wrote {path} ({len(report.batch.migrations)} migration(s), {len(report.warnings)} warning(s)).")


@main.command()
@click.argument("workbook", type=click.Path(exists=True, path_type=Path))
@click.option("--today", type=str, callback=_parse_date, help="List what is due as if today were this date.")
def due(workbook: Path, today: dt.date | None) -> None:
    """List what is due for every migration in WORKBOOK, overdue first, and who does it."""
    pipeline = _pipeline()
    report = pipeline.due(workbook, today or _today(), use_as_at=today is None)
    if report.batch is None or report.errors:
        refuse(report.problems, "Fix the errors and run again (docgen validate lists them).")
    actions = report.actions()
    assert report.today is not None
    n_due = sum(1 for a in actions if not a.upcoming)
    n_late = sum(1 for a in actions if not a.upcoming and a.days_overdue(report.today))
    click.echo(
        f"As at {report.today:%A %d/%m/%Y}: {n_due} action(s) due ({n_late} overdue) for "
        f"{len(report.batch.migrations)} migration(s); {len(report.warnings)} warning(s) (docgen validate lists them)."
    )
    echo_actions(actions, report.today)
    sys.exit(0)


@main.command()
@click.option("--limit", type=click.IntRange(1), metavar="N", help="Only the last N runs.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with every recorded field, to paste into a spreadsheet.")
def history(limit: int | None, as_csv: bool) -> None:
    """List the recorded runs, newest first: when, who, which workbook, what was written."""
    pipeline = _pipeline()
    entries = pipeline.history(limit)
    if as_csv:
        click.echo(pipeline.history_text(entries, csv=True), nl=False)
    elif entries:
        click.echo(f"{len(entries)} run(s) recorded in {pipeline.history_path()}, newest first:\n")
        click.echo(pipeline.history_text(entries))
    else:
        click.echo(f"No runs recorded yet in {pipeline.history_path()}.")


@main.group()
def templates() -> None:
    """Check the Word templates, or list the fields they may use."""


_templates_dir = click.option(
    "--templates",
    "templates_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder with edited copies (missing ones fall back to the defaults).",
)


@templates.command("check")
@_templates_dir
def templates_check(templates_dir: Path | None) -> None:
    """Report unknown fields, unbalanced blocks and syntax errors in every template, and
    files in the folder docgen does not use."""
    pipeline = _pipeline()
    paths, issues = pipeline.template_issues(templates_dir)
    for issue in issues:
        click.echo(f"Error: {issue}")
    for warning in pipeline.template_warnings(templates_dir):
        click.echo(f"Warning: {warning}")
    for path in paths.values():
        click.echo(f"{path}: {'problems found' if any(i.template == path.name for i in issues) else 'OK'}")
    sys.exit(1 if issues else 0)


@templates.command("fields")
@click.option("--document", type=str, help="Only this document (e.g. data-extract-request).")
def templates_fields(document: str | None) -> None:
    """Print every field a template may use, with the sample's value."""
    pipeline = _pipeline()
    keys = pipeline.document_keys()
    if document and document not in keys:
        raise click.BadParameter(
            f"'{document}' is not a document. Choose one of: {', '.join(keys)}.", param_hint="--document"
        )
    for key in [document] if document else keys:
        click.echo(f"# {key}")
        for name, value in pipeline.template_fields(key):
            click.echo(f"{{{{ {name} }}}}\t{value}")


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0: any free one).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but this computer's own (127.0.0.1) lets other computers reach it.",
)
@click.option("--no-browser", is_flag=True, help="Print the address but do not open a browser.")
def serve(port: int, host: str, no_browser: bool) -> None:
    """Start the web page: upload a workbook, see its problems and what is due, download the pack."""
    from docgen import web  # the web server's libraries load only for this command

    try:
        web.serve(
            host=host,
            port=port,
            open_browser=not no_browser,
            say=click.echo,
            warn=lambda text: click.echo(text, err=True),
        )
    except KeyboardInterrupt:
        click.echo("docgen serve stopped; the uploaded workbooks and what was written for them are removed.", err=True)
