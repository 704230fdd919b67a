"""The batch from workbook to outputs: load, validate, schedule, render, write, report.

``check`` is what ``docgen validate`` runs; ``run`` (added by the letters issue) is what
``docgen run`` runs. Both take ``today`` as a parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from docgen.problems import Problem, errors, warnings
from docgen.records import Batch


@dataclass
class CheckReport:
    """What ``check`` found: the valid part of the batch, every problem, the schedules."""

    batch: Batch | None
    problems: list[Problem]
    invalid_migrations: set[str] = field(default_factory=set)
    schedules: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return warnings(self.problems)


def check(workbook: Path, today: dt.date) -> CheckReport:
    """Validate ``workbook`` and schedule its valid migrations; collect every problem."""
    from docgen.validate import check_workbook

    report = check_workbook(workbook, today=today)
    result = CheckReport(report.batch, list(report.problems), set(report.invalid_migrations))
    if report.batch is not None and report.batch.migrations:
        try:
            from docgen.schedule import schedule_batch, warnings_as_problems
        except ImportError:  # schedule logic not there yet
            return result
        result.schedules = schedule_batch(report.batch, today)
        result.problems.extend(warnings_as_problems(report.batch, result.schedules))
    return result
