"""The web page's routes: upload, Problems, Due, Dashboard, Generate, History.

Each route is a form or a link in, a :mod:`docgen.pipeline` call, a page out, as
``docgen.cli`` is options in, a pipeline call, lines out: no checking or writing is done here.
:func:`create_app` builds the app for one server: its root folder, token and clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from docgen import pipeline
from docgen.errors import DocgenError
from docgen.web import generate
from docgen.web.security import LOOPBACK, Guard, new_token, same
from docgen.web.session import Session, Sessions, safe_stem

#: The largest workbook the page takes (every GP practice in England fits in 18 MB).
MAX_UPLOAD = 50 * 1024 * 1024
_MB = MAX_UPLOAD // (1024 * 1024)
#: The newest runs the History page lists (docgen history --csv has them all).
HISTORY_SHOWN = 200
TOO_LARGE = (
    f"The file is larger than {_MB} MB, the most docgen takes here; nothing was uploaded. A workbook of every "
    "GP practice in England is about 18 MB: check this is the right file, or remove what it does not need."
)
#: Room for the form's other fields and the multipart boundaries around the file.
_FORM_OVERHEAD = 64 * 1024

_ENV = Environment(
    loader=PackageLoader("docgen.web", "templates"),
    autoescape=select_autoescape(["html"], default=True),
    undefined=StrictUndefined,
)
_ENV.filters["day"] = lambda d: d.strftime("%d/%m/%Y") if d else ""


def create_app(
    root: Path,
    *,
    token: str | None = None,
    cookie: str = "docgen-token",
    allowed_hosts: Iterable[str] | None = LOOPBACK,
    today: Callable[[], dt.date] = dt.date.today,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Guard:
    """The whole web app, guarded: uploads kept under ``root`` (removed when it stops)."""
    sessions = Sessions(root)
    form_key = new_token()  # the upload form's cross-site token (before any upload exists)
    pdf = pipeline.pdf_available()

    def page(
        request: Request, template: str, status: int = 200, session: Session | None = None, **context: Any
    ) -> Response:
        context.setdefault("message", "")
        html = _ENV.get_template(template).render(
            session=session, form_key=form_key, max_mb=_MB, page=template.removesuffix(".html"), **context
        )
        return HTMLResponse(html, status_code=status)

    def find(request: Request) -> Session:
        session = sessions.get(request.path_params["sid"])
        if session is None:
            raise HTTPException(
                404,
                "This upload is no longer here (the server was restarted, or it was replaced by newer ones). Upload the workbook again.",
            )
        return session

    async def home(request: Request) -> Response:
        return page(request, "upload.html")

    async def upload(request: Request) -> Response:
        async with request.form(max_files=1, max_fields=4, max_part_size=64 * 1024) as form:
            if not same(_text(form.get("csrf")), form_key):
                return page(
                    request,
                    "upload.html",
                    403,
                    message="This form has expired: reload the page and choose the file again.",
                )
            file = form.get("workbook")
            if not isinstance(file, UploadFile) or not file.filename:
                return page(request, "upload.html", 400, message="Choose an Excel workbook (.xlsx) to upload first.")
            name = display_name(file.filename)
            session = sessions.create(name, now())
            size = 0
            with open(session.workbook, "wb") as fh:
                while chunk := await file.read(1024 * 1024):
                    size += len(chunk)
                    if size > MAX_UPLOAD:
                        break
                    fh.write(chunk)
            if size > MAX_UPLOAD:
                sessions.discard(session)
                return page(request, "upload.html", 413, message=TOO_LARGE)
        try:
            session.report = await run_in_threadpool(pipeline.check, session.workbook, today(), use_as_at=True)
        except DocgenError as err:
            sessions.discard(session)
            return page(request, "upload.html", 422, message=session.tell(str(err)))
        return RedirectResponse(f"/s/{session.id}/problems", status_code=303)

    async def problems(request: Request) -> Response:
        session = find(request)
        report = session.report
        return page(request, "problems.html", session=session, report=report, problems=report.problems)

    async def annotated(request: Request) -> Response:
        session = find(request)
        out = session.folder / "annotated.xlsx"
        try:
            await run_in_threadpool(pipeline.annotate, session.workbook, session.report.problems, out)
        except DocgenError as err:
            report = session.report
            return page(
                request,
                "problems.html",
                422,
                session=session,
                report=report,
                problems=report.problems,
                message=session.tell(str(err)),
            )
        return FileResponse(out, filename=f"{safe_stem(session.name)} - problems marked.xlsx", media_type=_XLSX)

    async def due(request: Request) -> Response:
        session = find(request)
        report = session.report
        actions = report.actions() if report.batch is not None and report.today else []
        return page(request, "due.html", session=session, report=report, actions=actions, today=report.today)

    async def dashboard(request: Request) -> Response:
        session = find(request)
        report = session.report
        try:
            board = await run_in_threadpool(pipeline.dashboard, report)
        except DocgenError as err:
            return page(
                request, "dashboard.html", session=session, report=report, board=None, charts=[], message=str(err)
            )
        # Drawn on the server, text escaped, no script or inline style (see docgen.formats.svg_charts).
        charts = [(title, Markup(svg)) for title, svg in pipeline.dashboard_charts(board)]
        return page(request, "dashboard.html", session=session, report=report, board=board, charts=charts)

    async def generate_page(request: Request) -> Response:
        session = find(request)
        return page(
            request, "generate.html", session=session, report=session.report, generation=session.generation, pdf=pdf
        )

    async def generate_start(request: Request) -> Response:
        session = find(request)
        async with request.form(max_files=0, max_fields=10, max_part_size=1024) as form:
            if not same(_text(form.get("csrf")), session.csrf):
                return page(
                    request,
                    "generate.html",
                    403,
                    session=session,
                    report=session.report,
                    generation=session.generation,
                    pdf=pdf,
                    message="This form has expired: reload the page and press Generate again.",
                )
            # Only these named choices are read: any other field (a path, an output folder) is ignored.
            options = {
                "all_documents": _text(form.get("what")) == "all",
                "pdf": pdf and _text(form.get("pdf")) == "yes",
                "one_sided": _text(form.get("one_sided")) == "yes",
                "skip_invalid": _text(form.get("skip_invalid")) == "yes",
            }
        with session.lock:
            if not session.busy:
                generate.start(session, options, today(), now())
        return RedirectResponse(f"/s/{session.id}/generate", status_code=303)

    async def status(request: Request) -> Response:
        session = find(request)
        g = session.generation
        if g is None:
            return JSONResponse({"running": False, "finished": False})
        return JSONResponse(
            {"running": g.running, "finished": g.finished, "done": g.done, "total": g.total, "phase": g.phase}
        )

    async def download(request: Request) -> Response:
        session = find(request)
        g = session.generation
        if g is None or not g.finished or g.zip_path is None:
            raise HTTPException(404, "There is no pack to download yet: press Generate first.")
        return FileResponse(
            g.zip_path, filename=f"{safe_stem(session.name)} - docgen pack.zip", media_type="application/zip"
        )

    async def history(request: Request) -> Response:
        # ?from= keeps the upload's own links in the bar (an id looked up, nothing more).
        session = sessions.get(request.query_params.get("from", ""))
        where = pipeline.history_path()
        try:
            entries = await run_in_threadpool(pipeline.history, HISTORY_SHOWN)
        except DocgenError as err:
            return page(request, "history.html", session=session, entries=[], where=where, shown=0, message=str(err))
        return page(request, "history.html", session=session, entries=entries, where=where, shown=HISTORY_SHOWN)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        detail = exc.detail if exc.status_code == 404 else "docgen cannot do that."
        return page(request, "error.html", exc.status_code, message=detail)

    async def bug(request: Request, exc: Exception) -> Response:
        return page(
            request,
            "error.html",
            500,
            message="docgen stopped on a problem of its own (a bug, not your workbook). The window where docgen serve runs shows the details.",
        )

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        # Every run stopped (Ctrl-C has reached them already) before the folders are removed.
        for session in sessions.running():
            if session.generation is not None:
                await run_in_threadpool(generate.stop, session.generation)

    routes = [
        Route("/", home),
        Route("/upload", upload, methods=["POST"]),
        Route("/s/{sid}/problems", problems),
        Route("/s/{sid}/annotated.xlsx", annotated),
        Route("/s/{sid}/due", due),
        Route("/s/{sid}/dashboard", dashboard),
        Route("/s/{sid}/generate", generate_page),
        Route("/s/{sid}/generate", generate_start, methods=["POST"]),
        Route("/s/{sid}/status", status),
        Route("/s/{sid}/pack.zip", download),
        Route("/history", history),
        Mount("/static", StaticFiles(packages=[("docgen.web", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: not_found, Exception: bug},
        lifespan=lifespan,
    )

    def render(status: int, message: str) -> bytes:
        return (
            _ENV.get_template("error.html").render(session=None, page="error", message=message, status=status).encode()
        )

    return Guard(
        app,
        token=token or new_token(),
        cookie=cookie,
        allowed_hosts=allowed_hosts,
        limit=lambda path: MAX_UPLOAD + _FORM_OVERHEAD if path == "/upload" else _FORM_OVERHEAD,
        too_large=TOO_LARGE,
        render=render,
    )


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def display_name(filename: str) -> str:
    """The uploaded file's own name, for showing only: no folders (a browser may send
    ``C:\\Users\\...``), no control characters, at most 200 characters."""
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "workbook.xlsx"
