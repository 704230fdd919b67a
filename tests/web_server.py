"""A real ``docgen serve`` server in a thread of the test process, on a free port."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from docgen.web.app import create_app
from docgen.web.security import new_token
from docgen.web.server import allowed_hosts, bind, server_config


@dataclass
class Served:
    base: str  # http://127.0.0.1:PORT
    port: int
    token: str
    root: Path  # where the uploads' folders are

    @property
    def cookie(self) -> str:
        return f"docgen-{self.port}={self.token}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, cookie=True):
        """One request; returns (status, headers as a dict of lower-case names, body text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Cookie": self.cookie} if cookie else {}
        sent.update(headers or {})
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data.decode("utf-8", "replace")


@contextmanager
def serving(tmp_path: Path) -> Iterator[Served]:
    """Start the app as ``docgen serve`` does (bound socket, token, Host check), stop it after."""
    root = tmp_path / "server-root"
    root.mkdir()
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    token = new_token()
    app = create_app(root, token=token, cookie=f"docgen-{port}", allowed_hosts=allowed_hosts("127.0.0.1"))
    server = uvicorn.Server(server_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.025)
    assert server.started, "the test server did not start"
    try:
        yield Served(f"http://127.0.0.1:{port}", port, token, root)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it, and its Content-Type."""
    boundary = "----docgentestboundary7MA4YWxkTrZu0gW"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
