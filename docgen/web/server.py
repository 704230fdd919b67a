"""``docgen serve``: bind, make the token, start the server, open the browser, and remove
every upload's folder when it stops.

The socket is bound here, before the server starts, so a port in use is a one-line error
(not a server log), and ``--port 0`` takes a free port and still prints the right address.
"""

from __future__ import annotations

import html
import os
import shutil
import socket
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from docgen.errors import DocgenError
from docgen.web.app import create_app
from docgen.web.security import LOOPBACK, new_token

#: Hosts that mean "every interface": the page is then reachable from the network.
WILDCARD = ("0.0.0.0", "::", "")


def server_config(app: Any) -> uvicorn.Config:
    """uvicorn's settings for the page: no access log (an address could hold the token),
    warnings only, and no X-Forwarded-* trusted: there is no proxy in front, and they
    would change the scheme the cross-site check compares Origin against."""
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", proxy_headers=False)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = True,
    say: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
) -> None:
    """Serve the web page until Ctrl-C (or SIGTERM); ``say`` prints the address."""
    if host not in LOOPBACK:
        warn(
            f"Warning: --host {host or '(every interface)'}: other computers on the network can reach this page "
            "(over plain HTTP). Anyone with the address and its token can use it: use this only on a network you "
            "trust, and never on a shared one."
        )
    sock = bind(host, port)
    actual = sock.getsockname()[1]
    token = new_token()
    root = Path(tempfile.mkdtemp(prefix="docgen-web-"))
    try:
        app = create_app(root, token=token, cookie=f"docgen-{actual}", allowed_hosts=allowed_hosts(host))
        url = f"http://{url_host(host)}:{actual}/?token={token}"
        server = uvicorn.Server(server_config(app))
        opening = launch_page(root, url) if open_browser else None
        threading.Thread(target=_when_started, args=(server, url, say, opening), daemon=True).start()
        server.run(sockets=[sock])
    finally:
        sock.close()
        shutil.rmtree(root, ignore_errors=True)


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, or an error that says what to do."""
    try:
        family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise DocgenError(
            f"--host {host}: not an address of this computer ({err}). Leave it out for 127.0.0.1."
        ) from err
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise DocgenError(
            f"Cannot listen on {host}:{port} ({err.strerror}): another program (or another docgen serve) may use "
            "it. Choose another port with --port, or --port 0 for any free one."
        ) from err
    return sock


def allowed_hosts(host: str) -> tuple[str, ...] | None:
    """The names a request's Host header may give: this machine's loopback names and
    ``host``; any name when bound to every interface (the token alone guards it then)."""
    if host in WILDCARD:
        return None
    return (*LOOPBACK, host)


def url_host(host: str) -> str:
    """The host to print in the address: 127.0.0.1 for every interface, [::1] style for IPv6."""
    if host in WILDCARD:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def launch_page(root: Path, url: str) -> str:
    """The address to open the browser at: a page in the server's private folder that sends
    it on to ``url``, as Jupyter does. A browser started with ``url`` itself would show the
    token to every user of the machine, in its command line (``ps``), while it runs."""
    page = root / "open.html"
    fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    link = html.escape(url)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(
            f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={link}">'
            f'<title>docgen</title></head><body><p><a href="{link}">Open docgen</a></p></body></html>'
        )
    return page.as_uri()


def _when_started(server: uvicorn.Server, url: str, say: Callable[[str], None], opening: str | None) -> None:
    """Once the server answers (and Ctrl-C stops it cleanly): print the address, open the browser."""
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.02)
    say(f"docgen is at {url}\nOpen that address in your browser (it has the token). Press Ctrl-C here to stop.")
    if opening is not None:
        webbrowser.open(opening)
