"""The Word templates a job renders with: checked before anything is written, then
prepared once per process (:mod:`docgen.formats.docx.engine`) for every letter after."""

from __future__ import annotations

from pathlib import Path

from docgen.batch.job import Job
from docgen.documents.catalogue import DOCUMENTS, resolve_templates, unused_files
from docgen.documents.example import example_context
from docgen.formats.docx.check import check_templates as check
from docgen.formats.docx.engine import PreparedTemplate
from docgen.formats.docx.environment import make_environment
from docgen.formats.docx.issues import raise_if_issues
from docgen.formats.docx.tag_formatting import formatting_warnings, parts_warnings

# Per-process cache: prepared templates for (templates folder, locale).
_PREPARED: dict[tuple[str, str], dict[str, PreparedTemplate]] = {}


def prepared_templates(job: Job) -> dict[str, PreparedTemplate]:
    """The job's templates, prepared once per process: document key -> PreparedTemplate."""
    key = (str(job.templates), job.locale)
    if key not in _PREPARED:
        env = make_environment(job.locale)
        paths = resolve_templates(job.templates)
        _PREPARED[key] = {d.key: PreparedTemplate.load(paths[d.key], env) for d in DOCUMENTS}
    return _PREPARED[key]


def template_issues(templates: Path | None, locale: str = "en_GB", prepared: dict | None = None) -> tuple[dict, list]:
    """The templates in use (an admin's folder, defaults for missing files) and every
    problem in them, checked against each document's example context. Templates that
    pass are put in ``prepared`` (path -> PreparedTemplate) when given."""
    paths = resolve_templates(templates)
    issues = check(
        {d.key: paths[d.key] for d in DOCUMENTS},
        {d.key: example_context(d.key) for d in DOCUMENTS},
        make_environment(locale),
        prepared,
    )
    return paths, issues


def check_templates(job: Job) -> None:
    """Refuse to start when a template is broken or asks for a field docgen lacks; else
    keep the templates the check prepared, ready for :func:`prepared_templates`."""
    prepared: dict[Path, PreparedTemplate] = {}
    paths, issues = template_issues(job.templates, job.locale, prepared)
    raise_if_issues(issues)
    if all(Path(path) in prepared for path in paths.values()):
        _PREPARED[(str(job.templates), job.locale)] = {key: prepared[Path(path)] for key, path in paths.items()}


def template_warnings(templates: Path | None, locale: str = "en_GB") -> list[str]:
    """What a template folder has that works but is probably not what the admin meant:
    files docgen does not use, and fields with formatting that starts inside them (lost).
    Templates a run has already checked and prepared are not read again."""
    paths = resolve_templates(templates)
    prepared = _PREPARED.get((str(templates), locale), {})
    warnings = unused_files(templates)
    for d in DOCUMENTS:
        template = prepared.get(d.key)
        warnings += parts_warnings(template.name, template.parts) if template else formatting_warnings(paths[d.key])
    return warnings
