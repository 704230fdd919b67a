"""What the command line prints: problems as ``Error: Sheet!Cell (Header): ...``, the
action list as a table (coloured on a terminal), failures once per reason, and a refusal
that says nothing was written. Kept apart from the commands so they stay about options."""

from __future__ import annotations

import datetime as dt
import sys
from typing import NoReturn

import click


def echo_problems(problems, *, err: bool = True) -> None:
    for p in problems:
        label = "Error" if p.is_error else "Warning"
        click.echo(f"{label}: {p}", err=err)


def echo_notes(err: BaseException) -> None:
    """The notes a failed or stopped run attached to its error (the run history's trouble)."""
    for note in getattr(err, "__notes__", ()):
        click.echo(note, err=True)


def refuse(problems, hint: str, *, notes: BaseException | None = None) -> NoReturn:
    """List every problem as ``Error: Sheet!Cell (Header): ...`` (as ``docgen validate``
    does), then say that nothing was written (and the refused run's ``notes``), and exit 1."""
    echo_problems(problems)
    n_err = sum(1 for p in problems if p.is_error)
    n_warn = len(problems) - n_err
    click.echo(f"{n_err} error(s), {n_warn} warning(s); nothing was written. {hint}", err=True)
    if notes is not None:
        echo_notes(notes)
    sys.exit(1)


def echo_failures(failures: list[tuple[str, str]], *, shown: int = 10) -> None:
    """``Failed: what: why`` once per reason: migrations that failed for the same reason
    (a worker process that died) are named on one line, the first ``shown`` of them."""
    by_reason: dict[str, list[str]] = {}
    for what, why in failures:
        by_reason.setdefault(why, []).append(what)
    for why, whats in by_reason.items():
        names = ", ".join(whats[:shown]) + (f" and {len(whats) - shown} more" if len(whats) > shown else "")
        click.echo(f"Failed: {names}: {why}", err=True)


def echo_actions(actions, today: dt.date, *, limit: int | None = None) -> None:
    """The action list as a table: overdue in red, due in yellow, coming up plain (colour
    only on a terminal); ``limit`` rows and a count of the rest."""
    due = [a for a in actions if not a.upcoming]
    coming = [a for a in actions if a.upcoming]
    shown = 0
    for title, group in (("Due", due), ("Coming up", coming)):
        if not group or (limit is not None and shown >= limit):
            continue
        click.echo(f"\n{title}:")
        for a in group:
            if limit is not None and shown >= limit:
                break
            shown += 1
            late = a.days_overdue(today) if not a.upcoming else 0
            when = a.due.strftime("%d/%m/%Y") if a.due else "no date".ljust(10)
            flag = f"{late} day(s) overdue" if late else ("due" if not a.upcoming else "from")
            who = f"{a.role}" + (f" ({a.name})" if a.name else "")
            line = f"  {when}  {flag:<18} {a.migration_id:<10} {a.ods_code}  [{a.stage}] {a.action} - {who}"
            colour = "red" if late else ("yellow" if not a.upcoming else None)
            click.secho(line, fg=colour)
            if a.blocker:
                click.secho(f"      first: {a.blocker}", fg="red" if late else None)
    if limit is not None and len(actions) > shown:
        click.echo(f"  ... and {len(actions) - shown} more: docgen due WORKBOOK lists them all.")
    click.echo("")
