"""The Generate page's work: ``pipeline.run`` in a process of its own per upload, its
progress kept for the page to poll, then a zip of everything the run wrote.

The run is the command line's ``docgen run`` (timeline, letters, calendar files, email
drafts, manifest; PDFs and print packs when asked and LibreOffice is there), called the
same way through :mod:`docgen.pipeline`; only the zip is this page's own.

A process, not a thread: the library stops a run on KeyboardInterrupt in the thread that
runs it (its worker pool, LibreOffice and temporary files included), which only a main
thread gets. So Ctrl-C in the server's terminal reaches the run's process as it reaches
``docgen run``, and a server stopped otherwise (SIGTERM, a test) sends the run SIGTERM:
either way the run stops at once and cleanly, is recorded as stopped, and leaves nothing
running or written outside its upload's folder, which the server then removes.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import threading
import zipfile
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from docgen import pipeline
from docgen.errors import DocgenError, ValidationFailed
from docgen.stopping import signals_stop_the_run
from docgen.web.session import Generation, Session

log = logging.getLogger("docgen.web")

#: How the run history names this face (``docgen history`` shows it beside "command line").

#: docgen's own bookkeeping files in an output folder (the lock, temporaries, the manifest
#: set aside), which are not part of the pack.
_OWN = (".docgen",)


def start(session: Session, options: dict[str, Any], today: dt.date, now: dt.datetime) -> Generation:
    """Start a run for ``session`` in a process, followed by a thread; the caller checked none is running."""
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
        face=pipeline.WEB_PAGE,
    )
    # spawn, not fork: the server has threads (a fork copies their locks, held or not).
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_run, args=(session.workbook, run_options, session.folder / "pack.zip", send), name="docgen-generate"
    )
    thread = threading.Thread(
        target=_follow, args=(session, generation, process, receive), name="docgen-generate", daemon=True
    )
    generation.process, generation.thread = process, thread
    session.generation = generation
    process.start()
    send.close()  # the child holds the only sending end: its exit ends the parent's reading
    thread.start()
    return generation


def stop(generation: Generation, timeout: float = 60) -> None:
    """Stop a running generation as SIGTERM stops ``docgen run`` (a process already told by
    Ctrl-C ignores it and goes on stopping), and wait for it and its follower."""
    process = generation.process
    if process is not None and process.is_alive():
        process.terminate()
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join()
    if generation.thread is not None:
        generation.thread.join(timeout)


def _run(workbook: Path, options: Any, zip_to: Path, send: Connection) -> None:
    """The run's process: ``pipeline.run`` as ``docgen run`` calls it, its progress and
    outcome sent to the server as plain data."""
    try:
        with signals_stop_the_run():
            result = pipeline.run(
                workbook,
                options,
                progress=lambda done, total: send.send(("progress", done, total)),
                checked=lambda report, chosen: send.send(("checked", report)),
            )
            send.send(("packing",))
            send.send(("finished", result, pack(Path(options.out), zip_to, only=result.files)))
    except ValidationFailed as err:
        send.send(("invalid", err.problems))
    except DocgenError as err:
        send.send(("error", str(err)))
    except KeyboardInterrupt:
        send.send(("stopped",))
    except Exception:
        log.exception("docgen web: the run failed")
        send.send(("bug",))
    finally:
        send.close()


def _follow(session: Session, generation: Generation, process: Any, receive: Connection) -> None:
    """The server's side: the run's messages into ``generation``, until its process ends."""
    options = generation.options
    try:
        while True:
            try:
                message = receive.recv()
            except EOFError:
                break
            kind, *data = message
            if kind == "progress":
                generation.done, generation.total = data
                generation.phase = "Writing the letters" if data[0] < data[1] else _finishing(options)
            elif kind == "checked":
                session.report = data[0]
                generation.phase = "Writing the letters"
            elif kind == "packing":
                generation.phase = "Packing the zip"
            elif kind == "finished":
                generation.result, generation.zip_path = data
            elif kind == "invalid":
                generation.problems = data[0]
                n_err = sum(1 for p in data[0] if p.severity == "error")
                generation.error = (
                    f"The workbook has {n_err} error(s); nothing was written. Fix them and upload it again, or tick "
                    "'Write the valid migrations' to leave the invalid ones out."
                )
            elif kind == "error":
                generation.error = session.tell(data[0])
            elif kind == "stopped":
                generation.error = (
                    "The run was stopped (the server is stopping): what was not written is not in a pack."
                )
            else:
                generation.error = BUG
        process.join()
        if generation.result is None and not generation.error:
            log.error("docgen web: the run's process ended without a word (exit code %s)", process.exitcode)
            generation.error = BUG
    except Exception:
        log.exception("docgen web: following the run failed")
        generation.error = BUG
    finally:
        receive.close()
        generation.finished = True


BUG = (
    "docgen stopped on a problem of its own (a bug, not your workbook). The window where "
    "docgen serve runs shows the details; please pass them on."
)


def _finishing(options: dict[str, Any]) -> str:
    return "Converting to PDF, then the email drafts and the manifest" if options.get("pdf") else "Writing the manifest"


def pack(folder: Path, to: Path, *, only: Iterable[str] | None = None) -> Path:
    """Zip the regular files under ``folder`` into ``to``: those of ``only`` (paths relative
    to ``folder``, such as the run's :attr:`~docgen.pipeline.RunResult.files`), else all.
    Symbolic links (to a file or a folder, anywhere) are never followed, so nothing outside
    ``folder`` gets in, and docgen's own lock and temporary files are left out."""
    wanted = None if only is None else set(only)
    tmp = to.with_name(to.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for here, dirs, files in os.walk(folder, followlinks=False):
            base = Path(here)
            dirs[:] = sorted(d for d in dirs if not (base / d).is_symlink() and not d.startswith(_OWN))
            for name in sorted(files):
                path = base / name
                member = path.relative_to(folder).as_posix()
                if name.startswith(_OWN) or path.is_symlink() or not path.is_file():
                    continue
                if wanted is None or member in wanted:
                    archive.write(path, member)
    tmp.replace(to)
    return to
