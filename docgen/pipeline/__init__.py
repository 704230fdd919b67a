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

from docgen.batch.history import COMMAND_LINE, WEB_PAGE
from docgen.pipeline.checking import CheckReport, check, due
from docgen.pipeline.commands import (
    annotate,
    dashboard,
    dashboard_charts,
    document_keys,
    init_workbook,
    pdf_available,
    template_fields,
    template_issues,
    template_warnings,
    write_timeline,
)
from docgen.pipeline.options import RunOptions, RunResult
from docgen.pipeline.recording import history, history_path, history_text
from docgen.pipeline.running import run, select

__all__ = [
    "COMMAND_LINE",
    "WEB_PAGE",
    "CheckReport",
    "RunOptions",
    "RunResult",
    "annotate",
    "check",
    "dashboard",
    "dashboard_charts",
    "document_keys",
    "due",
    "history",
    "history_path",
    "history_text",
    "init_workbook",
    "pdf_available",
    "run",
    "select",
    "template_fields",
    "template_issues",
    "template_warnings",
    "write_timeline",
]
