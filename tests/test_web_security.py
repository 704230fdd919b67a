"""``docgen serve`` keeps the page to the admin who started it: the token, the Host check,
cross-site posts, the upload limit, private folders, and paths from a request going nowhere."""

from __future__ import annotations

import html
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import wb
from web_server import Served, multipart

from docgen.web.app import MAX_UPLOAD
from docgen.web.generate import pack

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inputs" / "migrations.xlsx"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _upload(served: Served, data: bytes, filename: str = "migrations.xlsx", extra: dict | None = None):
    _, _, home = served.request("GET", "/")
    body, ctype = multipart({"csrf": _csrf(home), **(extra or {})}, {"workbook": (filename, data)})
    return served.request("POST", "/upload", body, {"Content-Type": ctype, "Origin": served.base})


@pytest.mark.parametrize("path", ["/", "/static/docgen.css", "/static/docgen.js", "/history", "/s/abc/problems"])
def test_a_request_without_the_token_is_refused(served, path):
    status, headers, body = served.request("GET", path, cookie=False)
    assert status == 403
    assert "did not carry the server's token" in html.unescape(body)
    assert "default-src 'self'" in headers["content-security-policy"]


def test_a_wrong_token_is_refused_in_the_address_and_in_the_cookie(served):
    assert served.request("GET", "/?token=guess", cookie=False)[0] == 403
    assert served.request("GET", "/", headers={"Cookie": f"docgen-{served.port}=guess"}, cookie=False)[0] == 403


def test_the_token_in_the_address_becomes_a_strict_cookie_and_leaves_the_address(served):
    status, headers, _ = served.request("GET", f"/history?token={served.token}", cookie=False)
    assert status == 303
    assert headers["location"] == "/history"
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"docgen-{served.port}={served.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, headers, body = served.request("GET", "/history")
    assert status == 200 and "<h1>History</h1>" in body


def test_the_token_brought_from_another_site_sets_the_cookie_on_a_page_that_goes_on_without_it(served):
    """docgen serve's launch page is a file, another site to the browser: a redirect would
    not carry the SameSite=Strict cookie."""
    status, headers, body = served.request(
        "GET", f"/history?token={served.token}", headers={"Sec-Fetch-Site": "cross-site"}, cookie=False
    )
    assert status == 200 and headers["set-cookie"].startswith(f"docgen-{served.port}={served.token};")
    assert '<meta http-equiv="refresh" content="0;url=/history">' in body and served.token not in body


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("//evil.example/", "/"),
        ("/%5Cevil.example/", "/%5Cevil.example/"),  # a browser reads "/\\evil.example/" as "//evil.example/"
        ("/%0D%0ASet-Cookie:%20x=1", "/%0D%0ASet-Cookie%3A%20x%3D1"),
        ("/caf%C3%A9", "/caf%C3%A9"),
    ],
)
def test_the_redirect_never_leaves_the_server(served, path, location):
    status, headers, _ = served.request("GET", f"{path}?token={served.token}", cookie=False)
    assert status == 303 and headers["location"] == location


def test_every_page_has_strict_security_headers(served):
    status, headers, _ = served.request("GET", "/")
    assert status == 200
    csp = headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_another_host_name_is_refused_even_with_the_token(served):
    """A DNS-rebinding page reaches 127.0.0.1 under its own name."""
    status, _, body = served.request("GET", "/", headers={"Host": f"evil.example:{served.port}"})
    assert status == 403 and "not the docgen server's" in html.unescape(body)
    assert served.request("GET", "/", headers={"Host": f"localhost:{served.port}"})[0] == 200


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}],
)
def test_a_form_posted_from_another_site_is_refused(served, headers):
    _, _, home = served.request("GET", "/")
    body, ctype = multipart({"csrf": _csrf(home)}, {"workbook": ("m.xlsx", SAMPLE.read_bytes())})
    status, _, text = served.request("POST", "/upload", body, {"Content-Type": ctype, **headers})
    assert status == 403 and "sent from another web site" in text
    assert list(served.root.iterdir()) == []


def test_a_forwarded_scheme_cannot_make_another_origin_look_like_ours(served):
    _, _, home = served.request("GET", "/")
    body, ctype = multipart({"csrf": _csrf(home)}, {"workbook": ("m.xlsx", SAMPLE.read_bytes())})
    forged = {"Origin": served.base.replace("http://", "https://"), "X-Forwarded-Proto": "https"}
    status, _, text = served.request("POST", "/upload", body, {"Content-Type": ctype, **forged})
    assert status == 403 and "sent from another web site" in text


def test_a_form_without_its_form_token_is_refused(served):
    body, ctype = multipart({"csrf": "forged"}, {"workbook": ("m.xlsx", SAMPLE.read_bytes())})
    status, _, text = served.request("POST", "/upload", body, {"Content-Type": ctype})
    assert status == 403 and "This form has expired" in text
    assert list(served.root.iterdir()) == []


@pytest.mark.parametrize("size", [MAX_UPLOAD + 1, MAX_UPLOAD + 200_000], ids=["file-over", "form-over"])
def test_an_oversized_upload_gets_a_clear_message_and_is_not_kept(served, size):
    """One byte over (the file, counted as it is stored) and well over (the form's length,
    refused before it is read)."""
    status, _, text = _upload(served, b"\0" * size)
    assert status == 413
    assert "The file is larger than 50 MB, the most docgen takes here; nothing was uploaded." in text
    assert list(served.root.iterdir()) == []


def test_a_form_without_a_length_is_refused(served):
    status, _, text = served.request("POST", "/upload", b"x", {"Transfer-Encoding": "chunked"})
    assert status == 411


def test_a_file_that_is_not_a_workbook_gets_the_command_lines_message_with_its_own_name(served):
    status, _, text = _upload(served, b"ODS code,Name\nY90001,Test\n", filename="practices.xlsx")
    assert status == 422
    assert (
        "practices.xlsx: is a CSV (plain text) file, not an Excel workbook. Open it in Excel and use File &gt; Save "
        "As &gt; Excel Workbook (.xlsx), then run again." in text
    )
    assert str(served.root) not in text
    assert list(served.root.iterdir()) == []  # a refused upload's folder is removed


def test_a_path_in_a_form_field_goes_nowhere(served, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    status, headers, _ = _upload(
        served, SAMPLE.read_bytes(), filename="../../../elsewhere/<script>x.xlsx", extra={"out": str(elsewhere)}
    )
    assert status == 303
    session = headers["location"].split("/")[2]
    (folder,) = served.root.iterdir()
    assert [p.relative_to(folder).as_posix() for p in folder.rglob("*")] == ["in", "in/script_x.xlsx"]
    _, _, page = served.request("GET", f"/s/{session}/problems")
    assert "&lt;script&gt;x.xlsx" in page and "<script>x" not in page and "elsewhere/" not in page

    _, _, form = served.request("GET", f"/s/{session}/generate")
    body = f"csrf={_csrf(form)}&what=due&out={elsewhere}&workbook=/etc/passwd&templates=/tmp".encode()
    status, _, _ = served.request(
        "POST", f"/s/{session}/generate", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 303
    for _ in range(600):
        if '"finished":true' in served.request("GET", f"/s/{session}/status")[2]:
            break
        time.sleep(0.1)
    assert not elsewhere.exists()
    assert (folder / "out" / "manifest.csv").is_file()


@pytest.mark.parametrize(
    ("uploaded", "stored"),
    [
        ("../../x.xlsx", "x"),
        ("..", "workbook"),
        ("C:\\Users\\ann\\Migrations 2026 (v2).xlsx", "Migrations 2026 (v2)"),
        ("~$migrations.xlsx", "migrations"),
        (".hidden.xlsx", "hidden"),
    ],
)
def test_an_uploaded_name_is_only_ever_a_plain_file_name(uploaded, stored):
    from docgen.web.app import display_name
    from docgen.web.session import safe_stem

    assert safe_stem(display_name(uploaded)) == stored


def test_two_uploads_live_apart_and_an_unknown_id_finds_nothing(served):
    first = _upload(served, SAMPLE.read_bytes())[1]["location"].split("/")[2]
    second = _upload(served, SAMPLE.read_bytes(), filename="other.xlsx")[1]["location"].split("/")[2]
    assert first != second and len(first) >= 22
    folders = list(served.root.iterdir())
    assert len(folders) == 2 and all(oct(f.stat().st_mode)[-3:] == "700" for f in folders)
    status, _, text = served.request("GET", f"/s/{second}-x/problems")
    assert status == 404 and "no longer here" in text
    _, _, home = served.request("GET", "/")
    assert first not in home and second not in home  # the upload page lists no one's uploads


def test_the_zip_never_follows_a_link_out_of_the_output_folder(tmp_path):
    out = tmp_path / "out"
    (out / "QXY").mkdir(parents=True)
    (out / "QXY" / "letter.docx").write_bytes(b"letter")
    (out / ".docgen.lock").write_text("1")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwords.txt").write_text("no")
    (out / "QXY" / "link.txt").symlink_to(secret / "passwords.txt")
    (out / "linked-folder").symlink_to(secret, target_is_directory=True)
    import zipfile

    with zipfile.ZipFile(pack(out, tmp_path / "pack.zip")) as archive:
        assert archive.namelist() == ["QXY/letter.docx"]


def _free_port_in_use():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock


def test_serve_on_a_port_in_use_says_what_to_do(tmp_path):
    busy = _free_port_in_use()
    try:
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "docgen", "serve", "--no-browser", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        busy.close()
    assert result.returncode == 1
    assert f"Error: Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port 0 for any free one" in result.stderr


def test_serve_prints_the_address_with_its_token_warns_for_another_host_and_removes_its_folder_when_stopped(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "docgen", "serve", "--no-browser", "--port", "0", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        assert re.fullmatch(r"docgen is at http://127\.0\.0\.1:\d+/\?token=[\w-]{43}\n", line), line
        assert [p.name.startswith("docgen-web-") for p in tmp_path.iterdir()] == [True]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "Warning: --host 0.0.0.0: other computers on the network can reach this page" in err
    assert "docgen serve stopped" in err
    assert "Traceback" not in err
    assert proc.returncode == 0
    assert list(tmp_path.iterdir()) == []


def test_a_broken_workbook_s_problems_name_their_cells(served, tmp_path):
    path = wb.make(tmp_path, lambda s: wb.put(s, "Migrations", 2, "Provisional go-live date", "31/02/2026"))
    location = _upload(served, path.read_bytes())[1]["location"]
    _, _, page = served.request("GET", location)
    assert "1 error(s)" in page
    assert '<td class="cell">L2</td>' in page
    assert "&#39;31/02/2026&#39; is not a date. Enter a date such as 15/06/2026." in page


def test_the_browser_is_opened_at_a_private_page_never_at_the_address_with_the_token(tmp_path, monkeypatch):
    """A browser started with the token's address shows it to every user of the machine
    (its command line, in ps), as long as it runs."""
    import tempfile
    import threading

    import uvicorn

    from docgen.web import server as web_server

    opened, servers, said = [], [], []

    class Server(uvicorn.Server):
        def __init__(self, config):
            super().__init__(config)
            servers.append(self)

    monkeypatch.setattr(web_server.uvicorn, "Server", Server)
    monkeypatch.setattr(web_server.webbrowser, "open", opened.append)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    thread = threading.Thread(target=web_server.serve, kwargs={"port": 0, "say": said.append}, daemon=True)
    thread.start()
    try:
        for _ in range(1200):
            if opened:
                break
            time.sleep(0.025)
        (target,) = opened
        url = re.search(r"http://\S+", said[0]).group(0)
        assert "token=" in url and url.split("token=")[1] not in target
        page = Path(target.removeprefix("file://"))
        assert oct(page.stat().st_mode)[-3:] == "600" and oct(page.parent.stat().st_mode)[-3:] == "700"
        assert f'content="0;url={html.escape(url)}"' in page.read_text()
    finally:
        servers[0].should_exit = True
        thread.join(timeout=30)
    assert list(tmp_path.iterdir()) == []
