"""The calendar file and email drafts beside each migration's letters, so the admin
sends and diarises the kick-off without retyping.

:mod:`docgen.formats.ics` and :mod:`docgen.formats.eml` make the bytes; this module
decides what each migration's drafts say, and stores them (:mod:`docgen.batch.store`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path, PurePosixPath

from docgen.batch.job import Job
from docgen.batch.manifest import PRESENT, ManifestRow, Status
from docgen.batch.store import store
from docgen.batch.templates import prepared_templates
from docgen.errors import DocgenError
from docgen.formats import eml as emails
from docgen.formats import ics as invites
from docgen.formats.formatting import longdate
from docgen.records import Migration

EXTRACT = "data-extract-request"
KICKOFF = "kick-off-invitation"


def write_drafts(job: Job, rows: list[ManifestRow], *, pdf: bool = False) -> list[ManifestRow]:
    """Per migration: ``kick-off.ics`` and the two email drafts, next to its letters.

    With ``pdf``, a letter is attached as PDF only if this run made or kept that PDF
    (a row in ``rows``); else as .docx, never as a stale PDF from an older run."""
    letters: defaultdict[str, dict[str, PurePosixPath]] = defaultdict(dict)
    pdfs: set[str] = set()
    for r in rows:
        if r.status in PRESENT and r.path.endswith(".docx"):
            letters[r.migration_id][r.document] = PurePosixPath(r.path)
        elif r.status in PRESENT and r.path.endswith(".pdf"):
            pdfs.add(r.path)
    out_rows: list[ManifestRow] = []
    for m in job.batch.migrations:
        if set(letters.get(m.migration_id, {})) >= {EXTRACT, KICKOFF}:
            out_rows.extend(migration_drafts(job, m, letters[m.migration_id], pdf=pdf, pdfs=pdfs))
    return out_rows


def _kickoff_start(job: Job, migration: Migration) -> dt.datetime:
    schedule = job.schedules[migration.migration_id]
    when = migration.kickoff_time or job.batch.settings.kickoff_time
    return dt.datetime.combine(schedule.date("kick_off"), when)


#: The calendar file and email drafts written beside each migration's letters:
#: (document as the manifest names it, file name).
DRAFTS = (
    ("kick-off calendar invitation", "kick-off.ics"),
    ("data extract request email draft", "data-extract-request.eml"),
    ("kick-off invitation email draft", "kick-off-invitation.eml"),
)


def draft_paths(letters: dict[str, PurePosixPath]) -> list[tuple[str, PurePosixPath]]:
    """(document, path) of the calendar file and drafts, in the kick-off letter's folder."""
    folder = letters[KICKOFF].parent
    return [(document, folder / name) for document, name in DRAFTS]


def migration_drafts(
    job: Job,
    migration: Migration,
    letters: dict[str, PurePosixPath],
    *,
    pdf: bool = False,
    pdfs: set[str] | None = None,
    data: dict[str, bytes] | None = None,
    inputs: str = "",
) -> list[ManifestRow]:
    """One migration's ``kick-off.ics``, ``data-extract-request.eml`` and
    ``kick-off-invitation.eml``; a failure is a failed row, never an exception.

    ``pdfs`` (relative paths) are the PDFs this run made or kept; with ``pdf`` a letter
    goes out as its PDF only if listed there (None: any PDF beside it). ``data``: the
    letters' bytes when the caller has just rendered them (else they are read back);
    ``inputs``: their fingerprint, for the manifest."""
    batch, out = job.batch, Path(job.out)
    practice, icb = batch.practice(migration), batch.icb(migration)
    schedule = job.schedules[migration.migration_id]
    mid, ods = migration.migration_id, migration.ods_code
    (ics_doc, ics_rel), (extract_doc, extract_rel), (kickoff_doc, kickoff_rel) = draft_paths(letters)
    rows: list[ManifestRow] = []
    stamp = dt.datetime.combine(job.letter_date, dt.time(9, 0))
    sender = (icb.sender_name, icb.sender_email)

    def attachment(doc: str) -> Path | tuple[str, bytes, int]:
        path = out / letters[doc]
        if data and doc in data and not pdf:
            # Just rendered: no need to read it back. Its first bytes are the template's
            # (see PreparedTemplate.prefix), whose base64 the draft may reuse.
            return (path.name, data[doc], len(prepared_templates(job)[doc].prefix))
        rel = letters[doc].with_suffix(".pdf").as_posix()
        fresh = rel in pdfs if pdfs is not None else path.with_suffix(".pdf").exists()
        return path.with_suffix(".pdf") if pdf and fresh else path

    try:
        start = _kickoff_start(job, migration)
        minutes = batch.settings.kickoff_minutes
        location = migration.kickoff_location or "To be confirmed"
        try:
            previous = (out / ics_rel).read_bytes()
        except OSError:
            previous = None
        sequence = invites.next_sequence(previous, start, start + dt.timedelta(minutes=minutes), location)
        invitees = batch.invitees(migration)
        ics = invites.kickoff_event(
            uid=invites.stable_uid(mid, ods, "kick-off"),
            summary=f"Kick-off: {practice.name} ({ods}) move to {migration.new_system}",
            start=start,
            minutes=minutes,
            location=location,
            description=(
                f"Kick-off meeting for the move of {practice.name} ({ods}) from {migration.current_system} to "
                f"{migration.new_system} (migration {mid}). Provisional go-live: {longdate(schedule.date('go_live'))}.\n"
                "Agenda: introductions and roles; the new supplier's schedule of dates; data extract and IDP; "
                "technical survey arrangements; training and staff leave; third-party systems; patient communications; "
                "risks and next steps.\nPlease bring staff leave and training dates, a list of third-party systems "
                "and your patient communication plans."
            ),
            organiser=sender,
            attendees=[(c.name, c.email, c.role) for c in invitees],
            sequence=sequence,
            stamp=stamp,
        )
        rows.append(store(job, ics_rel, ics, migration_id=mid, ods_code=ods, document=ics_doc, inputs=inputs))

        supplier = batch.supplier(migration.current_supplier, migration.current_system)
        to = (
            [(supplier.extract_contact_name or migration.current_supplier, supplier.extract_contact_email)]
            if supplier and supplier.extract_contact_email
            else []
        )
        eml = emails.draft(
            sender=sender,
            to=to,
            subject=f"Data extract request: {practice.name} ({ods}), {migration.current_system} to {migration.new_system}",
            body=(
                f"Dear {(supplier.extract_contact_name if supplier and supplier.extract_contact_name else 'colleague')},\n\n"
                f"Please find attached our formal data extract request for {practice.name} ({ods}), which is moving "
                f"from {migration.current_system} to {migration.new_system} under the contractual migration process. "
                f"We request the initial data production on {longdate(schedule.date('idp'))}.\n\n"
                "Please confirm receipt and the IDP date by reply.\n\n"
                f"Kind regards,\n{icb.sender_name}\n{icb.sender_title}\n{icb.name}\n"
            ),
            attachments=[attachment(EXTRACT)],
            date=stamp,
        )
        rows.append(store(job, extract_rel, eml, migration_id=mid, ods_code=ods, document=extract_doc, inputs=inputs))

        eml = emails.draft(
            sender=sender,
            to=[(c.name, c.email) for c in invitees if c.email],
            subject=f"Kick-off meeting {longdate(start.date())}: {practice.name} ({ods}) move to {migration.new_system}",
            body=(
                "Dear colleagues,\n\n"
                f"You are invited to the kick-off meeting for the move of {practice.name} ({ods}) to "
                f"{migration.new_system} on {longdate(start.date())} at {start:%H:%M}, {location}. "
                "The invitation letter with the agenda and key dates, and a calendar invitation, are attached.\n\n"
                f"Kind regards,\n{icb.sender_name}\n{icb.sender_title}\n{icb.name}\n"
            ),
            attachments=[attachment(KICKOFF), (ics_rel.name, ics)],
            date=stamp,
        )
        rows.append(store(job, kickoff_rel, eml, migration_id=mid, ods_code=ods, document=kickoff_doc, inputs=inputs))
    except DocgenError as err:
        rows.append(
            ManifestRow(
                migration_id=mid,
                ods_code=ods,
                document="email drafts",
                path=ics_rel.parent.as_posix(),
                status=Status.FAILED,
                message=f"Migrations!{migration.row} ({mid}, {ods}): {err}",
            )
        )
    return rows
