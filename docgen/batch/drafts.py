"""The calendar file and email drafts beside each migration's letters, so the admin
sends and diarises the kick-off without retyping.

:mod:`docgen.formats.ics` and :mod:`docgen.formats.eml` make the bytes; this module
decides what each migration's drafts say, and stores them (:mod:`docgen.batch.store`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path, PurePosixPath

from docgen.batch.job import Job, selection_of
from docgen.batch.manifest import PRESENT, ManifestRow, Status, sha256
from docgen.batch.store import store
from docgen.batch.templates import prepared_templates
from docgen.documents.context import copy_to, request_dates
from docgen.documents.dicts import contact_dict
from docgen.errors import DocgenError
from docgen.formats import eml as emails
from docgen.formats import ics as invites
from docgen.formats.formatting import longdate
from docgen.plan.milestones import CANCELLED
from docgen.plan.states import DATA_EXTRACT_REQUEST, KICK_OFF_INVITATION, ON_HOLD, stage_name
from docgen.records import Migration

EXTRACT = DATA_EXTRACT_REQUEST
KICKOFF = KICK_OFF_INVITATION


def write_drafts(job: Job, rows: list[ManifestRow], *, pdf: bool = False) -> list[ManifestRow]:
    """Per migration: the calendar file and email drafts of the documents it sends in this
    run (not its records), next to its letters.

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
        mine = letters.get(m.migration_id, {})
        if sent_documents(job, m) & set(mine):
            out_rows.extend(migration_drafts(job, m, mine, pdf=pdf, pdfs=pdfs))
    return out_rows


def sent_documents(job: Job, migration: Migration) -> set[str]:
    """The documents this run writes to be sent (not records): they get the drafts."""
    return {i.document for i in selection_of(job, migration).issues if not i.record}


def _kickoff_start(job: Job, migration: Migration) -> dt.datetime:
    schedule = job.schedules[migration.migration_id]
    when = migration.kickoff_time or job.batch.settings.kickoff_time
    return dt.datetime.combine(schedule.date("kick_off"), when)


#: The calendar file and email drafts that go with a document sent: (document, (name in
#: the manifest, file name) ...), in the order they are written.
DRAFTS: dict[str, tuple[tuple[str, str], ...]] = {
    KICKOFF: (("kick-off calendar invitation", "kick-off.ics"),),
    EXTRACT: (("data extract request email draft", "data-extract-request.eml"),),
}
_EMAIL = {KICKOFF: ("kick-off invitation email draft", "kick-off-invitation.eml")}
#: The cancellation written when an invitation was issued and the migration stopped.
CANCEL_ICS = ("kick-off cancellation", "kick-off-cancelled.ics")
CANCEL_EML = ("kick-off cancellation email draft", "kick-off-cancelled.eml")
#: Every file name a migration's drafts may have (for the output folder's checks).
DRAFT_NAMES = tuple(
    name for _, name in (*(d for ds in DRAFTS.values() for d in ds), *_EMAIL.values(), CANCEL_ICS, CANCEL_EML)
)


def calendar_file(job: Job, migration: Migration) -> bool:
    """Whether the kick-off gets a calendar file: not while its place is still blank (a
    firm meeting request with nowhere to go), unless the Settings ask for one anyway."""
    return bool(migration.kickoff_location.strip()) or job.batch.settings.invite_before_place


def draft_paths(
    letters: dict[str, PurePosixPath], sent: set[str], *, calendar: bool = True
) -> list[tuple[str, PurePosixPath]]:
    """(document, path) of the calendar file (with ``calendar``) and drafts of the
    documents ``sent``, in the letters' folder: ``kick-off.ics``,
    ``data-extract-request.eml``, ``kick-off-invitation.eml``."""
    if not letters:
        return []
    folder = next(iter(letters.values())).parent
    names = [n for doc in (KICKOFF, EXTRACT) if doc in sent and (doc != KICKOFF or calendar) for n in DRAFTS[doc]]
    if KICKOFF in sent:
        names.append(_EMAIL[KICKOFF])
    return [(document, folder / name) for document, name in names]


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
    """One migration's calendar file and drafts for the documents it sends in this run
    (:func:`draft_paths`); a failure is a failed row, never an exception.

    ``pdfs`` (relative paths) are the PDFs this run made or kept; with ``pdf`` a letter
    goes out as its PDF only if listed there (None: any PDF beside it). ``data``: the
    letters' bytes when the caller has just rendered them (else they are read back);
    ``inputs``: their fingerprint, for the manifest."""
    batch, out = job.batch, Path(job.out)
    practice, icb = batch.practice(migration), batch.icb(migration)
    schedule = job.schedules[migration.migration_id]
    mid, ods = migration.migration_id, migration.ods_code
    sent = sent_documents(job, migration) & set(letters)
    with_calendar = calendar_file(job, migration)
    paths = dict(draft_paths(letters, sent, calendar=with_calendar))
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

    def keep(document: str, rel: PurePosixPath, content: bytes) -> None:
        rows.append(store(job, rel, content, migration_id=mid, ods_code=ods, document=document, inputs=inputs))

    try:
        ics, sequence = b"", 0
        if KICKOFF in sent and with_calendar:
            ics_doc, _ = DRAFTS[KICKOFF][0]
            ics, sequence = _invitation(job, migration, paths[ics_doc])
            keep(ics_doc, paths[ics_doc], ics)
        if EXTRACT in sent:
            supplier = batch.supplier(migration.current_supplier, migration.current_system)
            people = [contact_dict(c, practice, icb) for c in batch.contacts_for(migration)]
            copies = copy_to(people, practice, migration, batch.settings.it_delivery_partner)
            to = (
                [(supplier.extract_contact_name or migration.current_supplier, supplier.extract_contact_email)]
                if supplier and supplier.extract_contact_email
                else []
            )
            _, idp = request_dates(schedule, job.letter_date)
            doc, _ = DRAFTS[EXTRACT][0]
            eml = emails.draft(
                sender=sender,
                to=to,
                cc=[(c["organisation"], c["email"]) for c in copies if c["email"]],
                subject=f"Data extract request: {practice.name} ({ods}), {migration.current_system} to {migration.new_system}",
                body=(
                    f"Dear {(supplier.extract_contact_name if supplier and supplier.extract_contact_name else 'colleague')},\n\n"
                    f"Please find attached our formal data extract request for {practice.name} ({ods}), which is moving "
                    f"from {migration.current_system} to {migration.new_system} under the contractual migration process. "
                    f"We request the initial data production on {longdate(idp)}.\n\n"
                    "Please confirm receipt and the IDP date by reply.\n\n"
                    f"Kind regards,\n{icb.sender_name}\n{icb.sender_title}\n{icb.name}\n"
                ),
                attachments=[attachment(EXTRACT)],
                date=stamp,
            )
            keep(doc, paths[doc], eml)
        if KICKOFF in sent:
            start = _kickoff_start(job, migration)
            location = migration.kickoff_location or "the place to be confirmed"
            doc, _ = _EMAIL[KICKOFF]
            updated = "Updated: " if sequence else ""
            eml = emails.draft(
                sender=sender,
                to=[(c.name, c.email) for c in batch.invitees(migration) if c.email],
                subject=f"{updated}Kick-off meeting {longdate(start.date())}: {practice.name} ({ods}) move to "
                f"{migration.new_system}",
                body=(
                    "Dear colleagues,\n\n"
                    + ("The kick-off meeting has changed. " if sequence else "")
                    + f"You are invited to the kick-off meeting for the move of {practice.name} ({ods}) to "
                    f"{migration.new_system} on {longdate(start.date())} at {start:%H:%M}, {location}. "
                    + (
                        "The invitation letter with the agenda and key dates, and a calendar invitation, are attached."
                        if ics
                        else "The invitation letter with the agenda and key dates is attached; a calendar invitation "
                        "follows once the venue or video link is confirmed."
                    )
                    + f"\n\nKind regards,\n{icb.sender_name}\n{icb.sender_title}\n{icb.name}\n"
                ),
                attachments=[attachment(KICKOFF)] + ([(DRAFTS[KICKOFF][0][1], ics)] if ics else []),
                date=stamp,
            )
            keep(doc, paths[doc], eml)
    except DocgenError as err:
        folder = next(iter(letters.values())).parent if letters else PurePosixPath(mid)
        rows.append(
            ManifestRow(
                migration_id=mid,
                ods_code=ods,
                document="email drafts",
                path=folder.as_posix(),
                status=Status.FAILED,
                message=f"Migrations!{migration.row} ({mid}, {ods}): {err}",
            )
        )
    return rows


def _invitation(
    job: Job, migration: Migration, rel: PurePosixPath, *, cancelled: bool = False, previous: bytes | None = None
) -> tuple[bytes, int]:
    """The kick-off calendar file (or its cancellation) and its SEQUENCE, one more than
    the file issued before when anything calendars compare has changed."""
    batch = job.batch
    practice = batch.practice(migration)
    schedule = job.schedules[migration.migration_id]
    mid, ods = migration.migration_id, migration.ods_code
    start = _kickoff_start(job, migration)
    minutes = batch.settings.kickoff_minutes
    location = migration.kickoff_location or "To be confirmed"
    if previous is None and not cancelled:
        try:
            previous = (Path(job.out) / rel).read_bytes()
        except OSError:
            previous = None
    if cancelled:
        issued = invites.issued_event(previous or b"")
        sequence = issued[0] + 1 if issued else 1
        start = issued[1].replace(tzinfo=None) if issued else start
    else:
        sequence = invites.next_sequence(previous, start, start + dt.timedelta(minutes=minutes), location)
    icb = batch.icb(migration)
    summary = f"Kick-off: {practice.name} ({ods}) move to {migration.new_system}"
    ics = invites.kickoff_event(
        uid=invites.stable_uid(mid, ods, "kick-off"),
        summary=f"Cancelled: {summary}" if cancelled else summary,
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
        )
        if not cancelled
        else f"The kick-off meeting for the move of {practice.name} ({ods}) (migration {mid}) is cancelled: "
        f"the migration is {migration.status.strip().lower()}.",
        organiser=(icb.sender_name, icb.sender_email),
        attendees=[(c.name, c.email, c.role) for c in batch.invitees(migration)],
        sequence=sequence,
        stamp=dt.datetime.combine(job.letter_date, dt.time(9, 0)),
        cancelled=cancelled,
    )
    return ics, sequence


def cancellation(job: Job, migration: Migration, folder: PurePosixPath) -> list[ManifestRow]:
    """When this migration is Cancelled or On hold and an earlier run issued its kick-off
    calendar file for a meeting still to come: the cancellation (same UID, higher
    SEQUENCE, METHOD:CANCEL) and an email draft to the invitees saying so. Written once:
    a rerun keeps the cancellation it finds."""
    if stage_name(migration.status) not in (CANCELLED, ON_HOLD):
        return []
    out = Path(job.out)
    issued_rel = folder / DRAFTS[KICKOFF][0][1]
    try:
        previous = (out / issued_rel).read_bytes()
    except OSError:
        return []
    issued = invites.issued_event(previous)
    if issued is None or issued[1].date() <= job.letter_date:
        return []
    mid, ods = migration.migration_id, migration.ods_code
    rows: list[ManifestRow] = []
    (ics_doc, ics_name), (eml_doc, eml_name) = CANCEL_ICS, CANCEL_EML
    for doc, name in ((ics_doc, ics_name), (eml_doc, eml_name)):
        rel = folder / name
        found = out / rel
        if found.is_file() and not found.is_symlink():
            data = found.read_bytes()
            rows.append(
                ManifestRow(
                    migration_id=mid,
                    ods_code=ods,
                    document=doc,
                    path=rel.as_posix(),
                    sha256=sha256(data),
                    bytes=len(data),
                    status=Status.UNCHANGED,
                )
            )
    if len(rows) == 2:
        return rows
    batch = job.batch
    practice, icb = batch.practice(migration), batch.icb(migration)
    try:
        ics, _ = _invitation(job, migration, issued_rel, cancelled=True, previous=previous)
        when = issued[1]
        eml = emails.draft(
            sender=(icb.sender_name, icb.sender_email),
            to=[(c.name, c.email) for c in batch.invitees(migration) if c.email],
            subject=f"Cancelled: kick-off meeting {longdate(when.date())}: {practice.name} ({ods})",
            body=(
                "Dear colleagues,\n\n"
                f"The kick-off meeting for the move of {practice.name} ({ods}) to {migration.new_system}, "
                f"planned for {longdate(when.date())} at {when:%H:%M}, is cancelled: the migration is "
                f"{migration.status.strip().lower()}. The attached calendar file removes it from your calendar. "
                "We will be in touch if it is arranged again.\n\n"
                f"Kind regards,\n{icb.sender_name}\n{icb.sender_title}\n{icb.name}\n"
            ),
            attachments=[(ics_name, ics)],
            date=dt.datetime.combine(job.letter_date, dt.time(9, 0)),
        )
        return [
            store(job, folder / ics_name, ics, migration_id=mid, ods_code=ods, document=ics_doc),
            store(job, folder / eml_name, eml, migration_id=mid, ods_code=ods, document=eml_doc),
        ]
    except DocgenError as err:
        return [
            ManifestRow(
                migration_id=mid,
                ods_code=ods,
                document=ics_doc,
                path=(folder / ics_name).as_posix(),
                status=Status.FAILED,
                message=f"Migrations!{migration.row} ({mid}, {ods}): {err}",
            )
        ]
