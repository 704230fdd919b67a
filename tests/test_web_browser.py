"""The web page in a real browser (Debian's Chromium, driven by Playwright): an admin
uploads a workbook, reads its problems and what is due, generates the pack and opens a
letter from the zip. Screenshots go to $DOCGEN_SHOTS when it is set (else the test's
temporary folder), one PNG per page."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import zipfile
from pathlib import Path

import docx
import pytest
import wb
from openpyxl import load_workbook

from docgen import pipeline
from docgen.web.app import MAX_UPLOAD

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inputs" / "migrations.xlsx"


@pytest.fixture
def shot(tmp_path):
    folder = Path(os.environ.get("DOCGEN_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def console(browser_page):
    """Every error the browser's console shows (a style or script the CSP blocked would be one)."""
    errors: list[str] = []
    browser_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def _open(page, served) -> None:
    page.goto(f"{served.base}/?token={served.token}")
    assert page.url == f"{served.base}/", "the token leaves the address bar"


def _upload(page, path: Path) -> None:
    page.set_input_files("#workbook", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/problems")


def test_an_admin_checks_the_sample_sees_what_is_due_generates_and_opens_a_letter_from_the_zip(
    browser_page, served, shot, console, tmp_path
):
    page = browser_page
    expected = pipeline.check(SAMPLE, dt.date.today(), use_as_at=True)  # noqa: DTZ011 - the sample has its As-at date
    _open(page, served)
    assert page.inner_text("h1") == "Check a migrations workbook"
    shot(page, "1-upload")

    _upload(page, SAMPLE)
    assert page.inner_text("#summary").startswith(
        f"0 error(s), {len(expected.warnings)} warning(s); {len(expected.batch.migrations)} migration(s) ready."
    )
    rows = page.locator("#problems tbody tr")
    assert rows.count() == len(expected.problems)
    first = expected.problems[0]
    assert rows.nth(0).locator("td").all_inner_texts() == [
        "Warning",
        first.sheet,
        f"{first.column}{first.row}",
        first.header,
        first.message,
    ]
    shot(page, "2-problems")
    with page.expect_download() as download:
        page.click("text=Download a copy with the problem cells marked")
    assert download.value.suggested_filename == "migrations - problems marked.xlsx"
    download.value.save_as(tmp_path / "marked.xlsx")
    assert "Problems" in load_workbook(tmp_path / "marked.xlsx").sheetnames

    page.click("nav >> text=Due")
    actions = expected.actions()
    assert page.inner_text("#summary").startswith("As at Monday 23/11/2026: ")
    due_rows = page.locator("#actions tbody tr")
    assert due_rows.count() == len(actions)
    assert "overdue" in due_rows.nth(0).get_attribute("class"), "overdue first"
    assert due_rows.nth(0).locator("td").nth(2).inner_text() == actions[0].migration_id
    shot(page, "3-due")

    page.click("nav >> text=Dashboard")
    board = pipeline.dashboard(expected)
    assert page.inner_text("#summary").startswith(f"{board.total} migration(s) as at Monday 23/11/2026.")
    charts = page.locator(".chart svg")
    assert charts.count() == 4
    titles = [charts.nth(i).locator("title").first.text_content() for i in range(4)]
    assert titles == [title for title, _ in pipeline.dashboard_charts(board)]
    rag_text = charts.nth(1).text_content()
    for label, count in board.rag:
        assert label in rag_text and str(count) in rag_text  # the numbers beside the bars
    shot(page, "4-dashboard")

    page.click("nav >> text=Generate")
    assert page.is_checked("input[name=what][value=due]"), "what is due, by default"
    shot(page, "5-generate")
    page.click("#generate-form button[type=submit]")
    page.wait_for_selector("#result")
    summary = page.inner_text("#summary")
    assert "letter(s) for 23 migration(s): what is due as at 23/11/2026;" in summary
    assert "0 failure(s)" in summary
    shot(page, "6-generated")

    with page.expect_download() as download:
        page.click("#download")
    saved = tmp_path / "pack.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        assert {"manifest.csv", "timeline.xlsx"} <= set(names)
        assert any(n.endswith(".ics") for n in names) and any(n.endswith(".eml") for n in names)
        (request,) = [n for n in names if n.endswith("Y90004 The Dale Health Centre/data-extract-request.docx")]
        archive.extract(request, tmp_path / "unzipped")
    letter = docx.Document(str(tmp_path / "unzipped" / request))
    text = "\n".join(p.text for p in letter.paragraphs)
    assert "The Dale Health Centre" in text and "Y90004" in text

    page.click("nav >> text=History")
    (run,) = page.locator("#history tbody tr").all()
    cells = run.locator("td").all_inner_texts()
    assert cells[3] == "web page"
    assert cells[4].splitlines() == ["migrations.xlsx", hashlib.sha256(SAMPLE.read_bytes()).hexdigest()[:12]]
    assert cells[9] == "finished"
    assert pipeline.history()[0].face == "web page"  # the command line's docgen history lists it too
    shot(page, "7-history")
    assert console == []


def test_a_broken_workbook_shows_each_problem_with_its_cell_and_nothing_is_written(
    browser_page, served, shot, console, tmp_path
):
    def change(sheets):
        wb.put(sheets, "Migrations", 2, "Provisional go-live date", "31/02/2026")
        wb.put(sheets, "Contacts", 2, "Phone", "123")

    page = browser_page
    _open(page, served)
    _upload(page, wb.make(tmp_path, change))
    assert page.inner_text("#summary").startswith("1 error(s), 1 warning(s); 0 migration(s) ready.")
    cells = [r.locator("td").all_inner_texts() for r in page.locator("#problems tbody tr").all()]
    assert cells == [
        [
            "Error",
            "Migrations",
            "L2",
            "Provisional go-live date",
            "'31/02/2026' is not a date. Enter a date such as 15/06/2026.",
        ],
        [
            "Warning",
            "Contacts",
            "F2",
            "Phone",
            "'123' does not look like a UK phone number. Enter a phone number with its area code, such as 01642 672351.",
        ],
    ]
    shot(page, "8-problems-broken")

    page.click("nav >> text=Due")
    assert "The workbook has 1 error(s)" in page.inner_text("main")
    page.click("nav >> text=Generate")
    page.click("#generate-form button[type=submit]")
    page.wait_for_selector("#run-error")
    assert page.inner_text("#run-error").startswith("The workbook has 1 error(s); nothing was written.")
    assert not any(served.root.glob("*/out"))
    page.click("nav >> text=History")
    assert page.locator("#history tbody tr td").nth(9).inner_text().startswith("failed: The workbook has 1 error(s)")
    assert console == []


def test_a_workbook_dropped_on_the_page_is_checked(browser_page, served, console):
    page = browser_page
    _open(page, served)
    data = base64.b64encode(SAMPLE.read_bytes()).decode()
    transfer = page.evaluate_handle(
        """(data) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "dropped.xlsx"));
            return transfer;
        }""",
        data,
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    page.wait_for_url("**/problems")
    assert page.inner_text("header .file") == "dropped.xlsx"
    assert page.inner_text("#summary").startswith("0 error(s)")
    assert console == []


def test_an_oversized_upload_is_told_in_the_page(browser_page, served, shot, tmp_path):
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as fh:
        fh.truncate(MAX_UPLOAD + 1024 * 1024)
    page = browser_page
    _open(page, served)
    page.set_input_files("#workbook", str(big))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector(".message")
    assert page.inner_text(".message").startswith("The file is larger than 50 MB, the most docgen takes here")
    shot(page, "9-too-large")


def test_a_browser_without_the_token_is_refused(browser_page, served, shot):
    page = browser_page
    response = page.goto(f"{served.base}/")
    assert response.status == 403
    assert "did not carry the server's token" in page.inner_text("body")
    shot(page, "10-refused")


def test_the_page_docgen_serve_opens_the_browser_at_brings_it_in_and_leaves_no_token_behind(
    browser_page, served, console, tmp_path
):
    """docgen serve opens the browser at a page in its private folder (a browser's command
    line is public); from there, another site as far as the browser knows, the admin is
    let in all the same, and neither the address bar nor Back shows the token."""
    from docgen.web.server import launch_page

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    page = browser_page
    page.goto(launch_page(private, f"{served.base}/history?token={served.token}"))
    page.wait_for_url(f"{served.base}/history")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "History"
    page.go_back()
    assert served.token not in page.url
    assert console == []
