"""PDFs of the letters and print packs: every letter written this run converted by
LibreOffice a print pack at a time (:mod:`docgen.formats.pdf_merged`: each pack's letters
composed into one document, converted once and cut back into one PDF per letter), then
one pack per ICB and document to print in one go (:mod:`docgen.formats.print_pack`).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath

from docgen.batch.job import Job
from docgen.batch.manifest import PRESENT, ManifestRow, Status, sha256
from docgen.documents.catalogue import DOCUMENTS
from docgen.errors import DocgenError
from docgen.formats import pdf
from docgen.formats.print_pack import PackSpec, build_print_packs


def write_pdfs(job: Job, rows: list[ManifestRow], *, jobs: int = 1) -> tuple[list[ManifestRow], list[str]]:
    """Convert every letter written this run to PDF, then build one print pack per ICB
    and document. Returns the manifest rows and notes for the user (LibreOffice missing)."""
    out = Path(job.out)
    letters = [r for r in rows if r.status in PRESENT and r.path.endswith(".docx")]
    soffice = pdf.find_soffice()
    if soffice is None:
        return [], [pdf.MISSING_LIBREOFFICE]
    by_path = {out / r.path: r for r in letters}
    todo = [p for p, r in by_path.items() if r.status == Status.WRITTEN or not _previous_pdf_fits(job, r)]
    # Imported here: pikepdf and the composer are for runs with --pdf only.
    from docgen.formats import pdf_merged

    packs = _in_packs(job, todo, by_path)
    result = pdf_merged.convert_letters(packs, jobs=jobs, soffice=soffice) if todo else pdf.ConversionResult()
    new_rows: list[ManifestRow] = []
    made: dict[Path, Path] = {}
    for path, row in by_path.items():
        target = path.with_suffix(".pdf")
        rel = PurePosixPath(row.path).with_suffix(".pdf").as_posix()
        if path in result.failures:
            # A PDF from an earlier run would show the old letter beside the new .docx.
            target.unlink(missing_ok=True)
            new_rows.append(
                ManifestRow(
                    migration_id=row.migration_id,
                    ods_code=row.ods_code,
                    document=row.document + " (PDF)",
                    path=rel,
                    status=Status.FAILED,
                    message=str(result.failures[path]),
                )
            )
            continue
        data = target.read_bytes()
        new_rows.append(
            ManifestRow(
                migration_id=row.migration_id,
                ods_code=row.ods_code,
                document=row.document + " (PDF)",
                path=rel,
                sha256=sha256(data),
                bytes=len(data),
                status=Status.WRITTEN if path in result else Status.UNCHANGED,
            )
        )
        made[path] = target

    # Print packs: per ICB and document, practices in ODS code order.
    batch = job.batch
    groups: dict[tuple[str, str], list[tuple[str, str, Path]]] = defaultdict(list)
    for path, row in by_path.items():
        if path in made:
            practice = batch.practice_by_ods[row.ods_code]
            groups[(practice.icb_code, row.document)].append(
                (practice.ods_code, f"{practice.ods_code} {practice.name}", made[path])
            )
    titles = {d.key: d.title for d in DOCUMENTS}
    print_packs = sorted((key, sorted(entries)) for key, entries in groups.items())

    specs = [
        PackSpec(
            [(t, p) for _, t, p in entries],
            out / f"print/{icb}-{doc}.pdf",
            f"{titles.get(doc, doc)}s: {icb} {batch.icb_by_code[icb].name}",
            job.duplex,
        )
        for (icb, doc), entries in print_packs
    ]
    # One LibreOffice call lays out every pack's contents page (a start-up each took longer).
    try:
        outcomes = build_print_packs(specs, jobs=jobs)
    except DocgenError as err:
        outcomes = [err] * len(specs)
    for ((icb, doc), entries), pages in zip(print_packs, outcomes, strict=True):
        rel = f"print/{icb}-{doc}.pdf"
        if isinstance(pages, DocgenError):
            new_rows.append(
                ManifestRow(document=f"print pack {doc}", path=rel, status=Status.FAILED, message=str(pages))
            )
            continue
        data = (out / rel).read_bytes()
        new_rows.append(
            ManifestRow(
                document=f"print pack {doc}",
                path=rel,
                sha256=sha256(data),
                bytes=len(data),
                status=Status.WRITTEN,
                message=f"{len(entries)} letter(s), {pages} page(s)",
            )
        )
    return new_rows, []


def _in_packs(job: Job, paths: list[Path], by_path: dict[Path, ManifestRow]) -> list[list[Path]]:
    """``paths`` grouped as the print packs are (per ICB and document, practices in ODS code
    order), so each pack's letters, sharing a template, are converted together."""
    packs: dict[tuple[str, str], list[tuple[str, Path]]] = defaultdict(list)
    for path in paths:
        row = by_path[path]
        practice = job.batch.practice_by_ods[row.ods_code]
        packs[(practice.icb_code, row.document)].append((practice.ods_code, path))
    return [[path for _, path in sorted(entries)] for _, entries in sorted(packs.items())]


def _previous_pdf_fits(job: Job, row: ManifestRow) -> bool:
    """True when the letter's .docx is unchanged and its PDF is the one the previous run
    listed (same sha256): only then may it be kept. A PDF left by an older run, before a
    run without --pdf changed the .docx, would otherwise be printed and emailed stale."""
    rel = PurePosixPath(row.path).with_suffix(".pdf").as_posix()
    previous = job.previous.get(rel)
    if row.status != Status.UNCHANGED or not previous:
        return False
    try:
        data = (Path(job.out) / rel).read_bytes()
    except OSError:
        return False
    return sha256(data) == previous[0]
