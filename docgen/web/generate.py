"""The Generate page's work: ``pipeline.run`` in a thread of its own per upload, its
progress kept for the page to poll, then a zip of everything the run wrote.

The run is the command line's ``docgen run`` (timeline, letters, calendar files, email
drafts, manifest; PDFs and print packs when asked and LibreOffice is there), called the
same way through :mod:`docgen.pipeline`; only the zip is this page's own.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import zipfile
from pathlib import Path
from typing import Any

from docgen import pipeline
from docgen.errors import DocgenError, ValidationFailed
from docgen.web.session import Generation, Session

log = logging.getLogger("docgen.web")

#: How the run history names this face (``docgen history`` shows it beside "command line").
FACE = "web page"

#: docgen's own bookkeeping files in an output folder (the lock, temporaries, the manifest
#: set aside), which are not part of the pack.
_OWN = (".docgen",)


def start(session: Session, options: dict[str, Any], today: dt.date, now: dt.datetime) -> Generation:
    """Start a run for ``session`` in a thread; the caller checked none is running."""
    generation = Generation(started=now, options=options)
    run_options = pipeline.RunOptions(
        out=session.out,
        today=today,
        use_as_at=True,
        all_documents=bool(options.get("all_documents")),
        pdf=bool(options.get("pdf")),
        duplex=not options.get("one_sided"),
        skip_invalid=bool(options.get("skip_invalid")),
        timeline=True,
        delivery=True,
        face=FACE,
    )
    thread = threading.Thread(
        target=_work, args=(session, generation, run_options), name="docgen-generate", daemon=True
    )
    generation.thread = thread
    session.generation = generation
    thread.start()
    return generation


def _work(session: Session, generation: Generation, options: Any) -> None:
    def progress(done: int, total: int) -> None:
        generation.done, generation.total = done, total
        generation.phase = "Writing the letters" if done < total else _finishing(options)

    def checked(report: Any, chosen: set[str]) -> None:
        session.report = report
        generation.phase = "Writing the letters"

    try:
        # The run checks the workbook itself (as on the command line), so a refused run is
        # in the history too.
        result = pipeline.run(session.workbook, options, progress=progress, checked=checked)
        generation.phase = "Packing the zip"
        generation.zip_path = pack(session.out, session.folder / "pack.zip")
        generation.result = result
    except ValidationFailed as err:
        generation.problems = err.problems
        n_err = sum(1 for p in err.problems if p.severity == "error")
        generation.error = (
            f"The workbook has {n_err} error(s); nothing was written. Fix them and upload it again, or tick "
            "'Write the valid migrations' to leave the invalid ones out."
        )
    except DocgenError as err:
        generation.error = session.tell(str(err))
    except Exception:
        log.exception("docgen web: the run failed")
        generation.error = (
            "docgen stopped on a problem of its own (a bug, not your workbook). The window where "
            "docgen serve runs shows the details; please pass them on."
        )
    finally:
        generation.finished = True


def _finishing(options: Any) -> str:
    return "Converting to PDF, then the email drafts and the manifest" if options.pdf else "Writing the manifest"


def pack(folder: Path, to: Path) -> Path:
    """Zip every regular file under ``folder`` into ``to``: symbolic links (to a file or a
    folder, anywhere) are never followed, so nothing outside ``folder`` gets in, and
    docgen's own lock and temporary files are left out."""
    tmp = to.with_name(to.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for here, dirs, files in os.walk(folder, followlinks=False):
            base = Path(here)
            dirs[:] = sorted(d for d in dirs if not (base / d).is_symlink() and not d.startswith(_OWN))
            for name in sorted(files):
                path = base / name
                if name.startswith(_OWN) or path.is_symlink() or not path.is_file():
                    continue
                archive.write(path, path.relative_to(folder).as_posix())
    tmp.replace(to)
    return to
