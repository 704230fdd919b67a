"""What keeps the web page to the admin who started it: the token, the Host check,
cross-site form posts refused, and strict security headers on every response.

The server is bound to 127.0.0.1, but every user of the machine, and every web page the
admin's browser opens, can reach 127.0.0.1. So, as Jupyter does, a random token made at
start-up is printed in the address; the first request brings it in the query, gets it
back as an HttpOnly SameSite=Strict cookie and is redirected to the clean address (the
token leaves the address bar and the history). Every request without the token is
refused (403). The Host header must name this machine (a DNS-rebinding page names its
own host), and a form post must come from this page (Origin, Sec-Fetch-Site; the pages
add a per-upload token to each form, checked by the routes).
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, quote, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Every response's headers. The CSP allows this server's own files only: no inline
#: script or style, no framing, forms post only here.
HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",  # no-referrer would make browsers send "Origin: null" on posts
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}

LOOPBACK = ("127.0.0.1", "localhost", "::1")
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def new_token() -> str:
    """The start-up token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def same(given: str | None, expected: str) -> bool:
    """Whether ``given`` is ``expected``, compared in constant time (any text, even non-ASCII)."""
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


def host_name(host_header: str) -> str:
    """The host of a Host header, without its port: ``[::1]:8765`` -> ``::1``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware around the whole app (static files too): Host, token, cross-site
    posts, headers. ``allowed_hosts`` None accepts any Host (a server bound to every
    interface, where the token alone guards it)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str,
        cookie: str,
        allowed_hosts: Iterable[str] | None,
        limit: Callable[[str], int],
        too_large: str,
        render: Callable[[int, str], bytes] | None = None,
    ) -> None:
        self.app = app
        self.token = token
        self.cookie = cookie
        self.allowed = None if allowed_hosts is None else {h.lower().strip("[]") for h in allowed_hosts}
        self.limit = limit  # the largest body a path takes
        self.too_large = too_large
        self.render = render or (lambda status, message: _plain(message))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if self.allowed is not None and host_name(host) not in self.allowed:
            await _respond(send_with_headers, 403, _plain(_WRONG_HOST))
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        if "token" in query:
            if not same(query["token"], self.token):
                await _respond(send_with_headers, 403, _plain(_NO_TOKEN))
                return
            await self._welcome(scope, query, headers, send_with_headers)
            return
        if not same(_cookie(headers.get("cookie", ""), self.cookie), self.token):
            await _respond(send_with_headers, 403, _plain(_NO_TOKEN))
            return
        if scope["method"] in _UNSAFE and not _same_origin(headers, scope):
            await self._refuse(send_with_headers, 403, "This form was sent from another web site; docgen refused it.")
            return
        if scope["method"] in _UNSAFE and not await self._size_ok(scope, headers, receive, send_with_headers):
            return
        await self.app(scope, receive, send_with_headers)

    async def _size_ok(self, scope: Scope, headers: dict[str, str], receive: Receive, send: Send) -> bool:
        """Refuse a body larger than the path takes before reading it: browsers always say
        a form's length (Content-Length), which the server holds the body to. The refused
        body is read and dropped (up to a bound), never kept, so the browser is still
        listening when the answer comes and shows it."""
        try:
            length = int(headers["content-length"])
        except (KeyError, ValueError):
            await self._refuse(send, 411, "docgen takes forms only with their length (Content-Length).")
            return False
        if length <= self.limit(scope.get("path", "")):
            return True
        dropped = 0
        while dropped < _DRAIN:
            message = await receive()
            if message["type"] != "http.request":
                break
            dropped += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await self._refuse(send, 413, self.too_large)
        return False

    async def _refuse(self, send: Send, status: int, message: str) -> None:
        """A refusal on the page's own look (the request carries the token, so its style loads)."""
        await _respond(send, status, self.render(status, message))

    async def _welcome(self, scope: Scope, query: dict[str, str], headers: dict[str, str], send: Send) -> None:
        """Set the token cookie and redirect to the same page without the token.

        Opened from another site (docgen serve's own page in its private folder, see
        :func:`docgen.web.server.launch_page`), a redirect would not carry the SameSite=Strict
        cookie, so this answers a page that goes on itself: then the next request comes from
        this server's own page, which the browser sends the cookie with."""
        # Percent-encoded, so no character of the path (a backslash, which browsers read as
        # a slash, or a line break) can make the address another site's or break the header.
        path = quote(scope.get("path", "/"), safe="/")
        if not path.startswith("/") or path.startswith("//"):
            path = "/"  # never a protocol-relative address to another site
        rest = urlencode({k: v for k, v in query.items() if k != "token"})
        location = path + (f"?{rest}" if rest else "")
        cookie = (b"set-cookie", f"{self.cookie}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode())
        if headers.get("sec-fetch-site", "none") in ("none", "same-origin"):
            status, answer = 303, [(b"location", location.encode()), cookie]
            body = b""
        else:
            link = html.escape(location)
            body = (
                '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
                f'<meta http-equiv="refresh" content="0;url={link}"><title>docgen</title>'
                '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"></head>'
                f'<body><p><a href="{link}">Open docgen</a></p></body></html>'
            ).encode()
            status, answer = 200, [(b"content-type", b"text/html; charset=utf-8"), cookie]
        answer.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": answer})
        await send({"type": "http.response.body", "body": body})


#: How much of a refused, oversized body is read and dropped before answering.
_DRAIN = 512 * 1024 * 1024

_WRONG_HOST = "This address is not the docgen server's: open the address docgen serve printed."
_NO_TOKEN = (
    "docgen refused this request: it did not carry the server's token. Open the address that "
    "docgen serve printed when it started (it ends in ?token=...), in this browser."
)


def _cookie(header: str, name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is only a missing token
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def _same_origin(headers: dict[str, str], scope: Scope) -> bool:
    """A post from this server's own page: the browser says so (Sec-Fetch-Site) and its
    Origin, when sent, is this server's address."""
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True  # an old browser or a script on this machine, which holds the token anyway
    scheme = scope.get("scheme", "http")
    return origin == f"{scheme}://{headers.get('host', '')}"


def _plain(message: str) -> bytes:
    """A refusal to a request without the token: a page on its own (its style would be refused too)."""
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>docgen: refused</title></head>'
        f"<body><h1>docgen refused this request</h1><p>{html.escape(message)}</p></body></html>"
    ).encode()


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
