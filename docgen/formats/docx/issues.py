"""A template problem as the admin reads it (file, part, paragraph, field), and the
error that stops a batch when templates have any. Shared by the block checks, the
unknown-field checks and the template check."""

from __future__ import annotations

from dataclasses import dataclass

from docgen.errors import TemplateCheckFailed, TemplateError


@dataclass(frozen=True)
class TemplateIssue:
    """One problem in a template, located as an admin finds it in Word: the file, the
    part (body/header/footer), the paragraph's text and the field or tag concerned."""

    template: str
    part: str | None
    paragraph: str | None
    placeholder: str | None
    message: str

    def __str__(self) -> str:
        where = self.template + (f" ({self.part})" if self.part else "")
        text = f"{where}: {self.message}"
        if self.paragraph:
            where_in = "property" if self.part == "document properties" else "paragraph"
            text += f' In the {where_in} "{self.paragraph}".'
        return text


def raise_if_issues(issues: list[TemplateIssue]) -> None:
    """Stop a batch before any letter is written when a template has problems."""
    if issues:
        raise TemplateCheckFailed(issues)


def issue_from(template: str, part: str | None, err: TemplateError) -> TemplateIssue:
    """``err`` as an issue of ``template``; ``part`` when the error does not name one."""
    return TemplateIssue(template, err.part or part, err.paragraph, err.placeholder, err.message)
