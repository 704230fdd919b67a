"""A run's options in and its result out: plain values, the same for every face."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from docgen.batch import history as run_history
from docgen.batch.manifest import MANIFEST, PRESENT, ManifestRow, Status
from docgen.plan.actions import Action


@dataclass(frozen=True)
class RunOptions:
    """What to write and how: the CLI's options, as plain values."""

    out: Path
    today: dt.date
    letter_date: dt.date | None = None  # --date; else the Settings letter date; else today
    only: tuple[str, ...] = ()  # ODS codes
    icb: str | None = None
    jobs: int | None = None  # None: the number of cores
    templates: Path | None = None
    skip_invalid: bool = False
    timeline: bool = True
    letters: bool = True
    delivery: bool = False  # .ics calendar invitations and .eml drafts
    pdf: bool = False
    locale: str = "en_GB"
    all_documents: bool = False  # --all: every document of every migration not Cancelled
    duplex: bool = True  # print packs laid out for double-sided printing (--one-sided: not)
    use_as_at: bool = False  # ``today`` is the clock's: the workbook's As-at date wins
    face: str = run_history.COMMAND_LINE  # who ran it, for the history: "command line" or "web page"
    history: Path | None = None  # the history file; None: $DOCGEN_HISTORY, else the user data folder


@dataclass
class RunResult:
    """What a run wrote, skipped and failed, for the summary line and the exit code."""

    rows: list[ManifestRow]
    migrations: int
    warnings: int
    seconds: float
    notes: list[str] = field(default_factory=list)
    errors: int = 0  # validation errors skipped with --skip-invalid
    actions: list[Action] = field(default_factory=list)
    today: dt.date | None = None
    all_documents: bool = False
    letter_date: dt.date | None = None
    manifest_sha256: str | None = None  # of the manifest.csv this run wrote

    @property
    def blocked(self) -> list[ManifestRow]:
        """Due documents that could not be written, with what to fix."""
        return [r for r in self.rows if r.status == Status.BLOCKED]

    @property
    def nothing_due(self) -> list[ManifestRow]:
        """One row per migration that had nothing to write in this run, with why."""
        return [r for r in self.rows if r.status == Status.NOT_DUE]

    @property
    def failed(self) -> list[ManifestRow]:
        return [r for r in self.rows if r.status == Status.FAILED]

    @property
    def failures(self) -> list[tuple[str, str]]:
        """(what, why) once per failure, for the ``Failed:`` lines and the summary count: a
        migration whose three letters failed for one reason is one failure, not three."""
        groups: dict[tuple[str, str], list[ManifestRow]] = {}
        for r in self.failed:
            groups.setdefault((r.migration_id or r.path or r.document, r.message), []).append(r)
        return [
            (rows[0].path if len(rows) == 1 and rows[0].path else what, message)
            for (what, message), rows in groups.items()
        ]

    @property
    def letters(self) -> int:
        return sum(1 for r in self.rows if r.status in PRESENT and r.path.endswith(".docx"))

    @property
    def files(self) -> list[str]:
        """What this run's output is: the manifest and every file it lists as there (written
        or unchanged), relative to the output folder. The folder may hold more, from earlier
        runs (letters no longer due); a face that hands the run over (the web page's zip)
        hands over these."""
        return [MANIFEST, *dict.fromkeys(r.path for r in self.rows if r.status in PRESENT and r.path)]

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.rows if r.status == Status.UNCHANGED)

    @property
    def exit_code(self) -> int:
        """1 when anything failed or the workbook had errors (skipped with --skip-invalid),
        even an error no migration depends on: the admin must look at the workbook."""
        return 1 if self.failed or self.errors else 0
