"""One exception hierarchy for docgen.

Every message says where the problem is (file, sheet, cell, template, placeholder),
what is wrong and how to fix it, because the CLI shows it to an ICB admin as is.
The CLI catches :class:`DocgenError` once; anything else is a bug.
"""

from __future__ import annotations


class DocgenError(Exception):
    """Base class: a problem the user can fix. ``str()`` is the whole user message."""

    exit_code = 1


class WorkbookError(DocgenError):
    """Raised when the input file cannot be read as an Excel workbook at all
    (wrong format, truncated, password-protected, a directory, missing sheets)."""


class InputError(DocgenError):
    """Raised for one bad cell when a caller wants a single exception rather than
    the collected :class:`~docgen.problems.Problem` list."""

    def __init__(self, message: str, *, sheet: str, row: int | None = None, column: str | None = None):
        self.sheet = sheet
        self.row = row
        self.column = column
        where = sheet if row is None else f"{sheet}!{column or ''}{row}"
        super().__init__(f"{where}: {message}")


class ValidationFailed(DocgenError):
    """Raised when the workbook has errors and the caller asked for a clean batch.

    Carries every problem found, errors and warnings, so the CLI can list them all.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"The workbook has {len(errors)} error(s); nothing was written. Fix them and run again:"]
        lines += [f"  {p}" for p in errors]
        super().__init__("\n".join(lines))


class TemplateError(DocgenError):
    """Raised when a Word template is broken or asks for a field docgen does not have.

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
            text += f' In the paragraph "{paragraph}".'
        super().__init__(text)


class TemplateCheckFailed(TemplateError):
    """Raised before a batch writes anything when one or more templates are broken
    (:func:`docgen.formats.docx.check.raise_if_issues`); ``issues`` holds every problem
    found (``TemplateIssue``: template, part, paragraph, placeholder, message)."""

    def __init__(self, issues: list):
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
    way, a disk full), naming the path."""


class ConversionError(DocgenError):
    """Raised when LibreOffice is missing or fails to convert a document to PDF."""


class FormatError(DocgenError, ValueError):
    """Raised when a formatting filter (``longdate``, ``money``...) is given a value it
    cannot format, or an unknown locale; the renderer adds the template and paragraph."""
