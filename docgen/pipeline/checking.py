"""Checking a workbook: validated, scheduled and staged on a day (``docgen validate``, ``docgen due``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from docgen.plan.actions import Action
from docgen.plan.as_problems import warnings_as_problems
from docgen.plan.schedule import schedule_batch
from docgen.plan.stages import MigrationStage, action_list, stage_batch
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
