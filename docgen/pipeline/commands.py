"""The other commands' entry points: a starter workbook, an annotated copy, the timeline alone, the dashboard, the templates' checks and fields, whether PDFs can be made."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docgen.batch import outfolder
from docgen.batch import templates as batch_templates
from docgen.batch.timeline import TIMELINE
from docgen.documents import dashboard as dashboards
from docgen.documents import timeline
from docgen.documents.catalogue import DOCUMENTS
from docgen.documents.example import example_context
from docgen.errors import ValidationFailed
from docgen.formats.docx.fields import field_paths
from docgen.formats.docx.issues import TemplateIssue
from docgen.formats.pdf import find_soffice
from docgen.pipeline.checking import CheckReport
from docgen.problems import Problem
from docgen.workbook.annotate import write_annotated
from docgen.workbook.starter import write_starter


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
