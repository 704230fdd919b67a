"""The ``docgen`` command line: options in, a library call, errors out as ``Error: ...``.

This is the only module that imports click. Every :class:`~docgen.errors.DocgenError`
becomes a one-paragraph message and exit code 1; click's own usage errors exit 2.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from docgen.errors import DocgenError


def _today() -> dt.date:
    return dt.date.today()


def _parse_date(ctx, param, value):
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            pass
    raise click.BadParameter(f"'{value}' is not a date. Use 2026-06-15 or 15/06/2026.")


def _echo_problems(problems, *, err: bool = True) -> None:
    for p in problems:
        label = "Error" if p.is_error else "Warning"
        click.echo(f"{label}: {p}", err=err)


class _Group(click.Group):
    """Maps DocgenError to ``Error: message`` and exit 1, so no traceback reaches the user."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DocgenError as err:
            click.echo(f"Error: {err}", err=True)
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted: files already written are complete; none is half-written.", err=True)
            sys.exit(130)


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
    from docgen.starter import write_starter

    write_starter(path, force=force)
    click.echo(f"Wrote {path}. Fill it in Excel, then run: docgen validate {path}")


@main.command()
@click.argument("workbook", type=click.Path(exists=True, path_type=Path))
@click.option("--annotate", "annotate_to", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a copy of the workbook with every problem cell coloured and commented.")
@click.option("--today", type=str, callback=_parse_date, help="Check dates as if today were this date.")
def validate(workbook: Path, annotate_to: Path | None, today: dt.date | None) -> None:
    """Check WORKBOOK and list every problem at once (exit 1 if there are errors)."""
    from docgen.pipeline import check

    report = check(workbook, today or _today())
    _echo_problems(report.problems, err=False)
    if annotate_to:
        from docgen.annotate import write_annotated

        write_annotated(workbook, report.problems, annotate_to)
        click.echo(f"Wrote {annotate_to} with {len(report.problems)} problem(s) marked.")
    n_err, n_warn = len(report.errors), len(report.warnings)
    n_mig = len(report.batch.migrations) if report.batch else 0
    click.echo(f"{n_err} error(s), {n_warn} warning(s); {n_mig} migration(s) ready.")
    sys.exit(1 if n_err else 0)
