"""One exception hierarchy for docgen.

Every message says where the problem is (file, sheet, cell, template, placeholder),
what is wrong and how to fix it, because the CLI shows it to an ICB admin as is.
The CLI catches :class:`DocgenError` once; anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol


class _Problem(Protocol):
    """What :class:`ValidationFailed` needs of a :class:`docgen.problems.Problem` (a module
    of the same layer, which errors.py does not import)."""

    @property
    def severity(self) -> str: ...


class _Issue(Protocol):
    """What :class:`TemplateCheckFailed` needs of a template issue
    (:class:`docgen.formats.docx.issues.TemplateIssue`, a layer this module does not import)."""

    @property
    def template(self) -> str: ...
    @property
    def part(self) -> str | None: ...
    @property
    def paragraph(self) -> str | None: ...
    @property
    def placeholder(self) -> str | None: ...


class DocgenError(Exception):
    """Base class: a problem the user can fix. ``str()`` is the whole user message.

    Raised as is by :mod:`docgen.pipeline` for an option it cannot honour: an ``--icb``
    or ``--only`` code the workbook does not have, or an ``--out`` folder that is a file
    or cannot be made.
    """

    exit_code = 1


class WorkbookError(DocgenError):
    """Raised by :mod:`docgen.workbook.reader` (and ``--annotate``) when the input file
    cannot be read as an Excel workbook at all (wrong format, truncated,
    password-protected, a directory, missing sheets). Problems in cells are not raised:
    they are collected as :class:`~docgen.problems.Problem` objects."""


class ValidationFailed(DocgenError):
    """Raised by ``load_batch`` and ``pipeline.run`` when the workbook has errors and the
    caller asked for a clean batch (no ``--skip-invalid``).

    Carries every problem found, errors and warnings, so the CLI can list them all.
    """

    def __init__(self, problems: Iterable[_Problem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"The workbook has {len(errors)} error(s); nothing was written. Fix them and run again:"]
        lines += [f"  {p}" for p in errors]
        super().__init__("\n".join(lines))


class TemplateError(DocgenError):
    """Raised when a Word template is broken or asks for a field docgen does not have
    (while it is loaded, checked or filled in), or when the templates folder or a
    default template is missing.

    ``template`` is the file name, ``part`` is body/header/footer, ``placeholder`` the
    field and ``paragraph`` the text of the paragraph it stands in, so the admin can find
    it in Word.
    """

    def __init__(
        self,
        message: str,
        *,
        template: str,
        part: str | None = None,
        placeholder: str | None = None,
        paragraph: str | None = None,
    ):
        self.template = template
        self.part = part
        self.placeholder = placeholder
        self.paragraph = paragraph
        self.message = message
        where = template + (f" ({part})" if part else "")
        text = f"{where}: {message}"
        if paragraph:
            where_in = "property" if part == "document properties" else "paragraph"
            text += f' In the {where_in} "{paragraph}".'
        super().__init__(text)


class TemplateCheckFailed(TemplateError):
    """Raised before a batch writes anything when one or more templates are broken
    (:func:`docgen.formats.docx.issues.raise_if_issues`); ``issues`` holds every problem
    found (``TemplateIssue``: template, part, paragraph, placeholder, message)."""

    def __init__(self, issues: Sequence[_Issue]) -> None:
        self.issues = list(issues)
        first = self.issues[0]
        self.template, self.part, self.placeholder, self.paragraph = (
            first.template,
            first.part,
            first.placeholder,
            first.paragraph,
        )
        lines = [
            f"The Word templates have {len(self.issues)} problem(s); no letter was written. Fix them in Word and run again:"
        ]
        lines += [f"  {issue}" for issue in self.issues]
        self.message = "\n".join(lines)
        DocgenError.__init__(self, self.message)


class OutputError(DocgenError):
    """Raised when docgen cannot write where it was asked to (permissions, a file in the
    way, a disk full, a path outside the output folder, ``docgen init`` over an existing
    file) or an email draft has an address it cannot write, naming the path or address."""


class ConversionError(DocgenError):
    """Raised when LibreOffice is missing or cannot be started, or a PDF cannot be read
    for a print pack. A document LibreOffice fails to convert gets one in the result's
    ``failures`` instead, so the other letters are kept."""


class DependencyError(DocgenError):
    """Raised when an installed library docgen leans on closely (docxtpl) is a version
    docgen was not written for, naming the installed version and the supported range."""


class FormatError(DocgenError, ValueError):
    """Raised when a formatting filter (``longdate``, ``money``...) is given a value it
    cannot format, or an unknown locale; the renderer adds the template and paragraph."""
