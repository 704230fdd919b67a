"""Shared test fixtures."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _history_for_the_session(tmp_path_factory):
    """No test (nor a module-scoped fixture's run, set up before any per-test fixture)
    records its runs in the real user's data folder."""
    before = os.environ.get("DOCGEN_HISTORY")
    os.environ["DOCGEN_HISTORY"] = str(tmp_path_factory.mktemp("session-history") / "history.sqlite")
    yield
    if before is None:
        del os.environ["DOCGEN_HISTORY"]
    else:
        os.environ["DOCGEN_HISTORY"] = before


@pytest.fixture(autouse=True)
def history(tmp_path_factory, monkeypatch) -> Path:
    """Each test's own run history (``$DOCGEN_HISTORY``), in a folder of its own beside
    ``tmp_path`` so tests that list ``tmp_path`` do not see it; the file is made by the
    first run."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite"
    monkeypatch.setenv("DOCGEN_HISTORY", str(path))
    return path


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def soffice() -> str:
    """Path to LibreOffice; skips without it, fails in CI (DOCGEN_REQUIRE_LIBREOFFICE=1)."""
    path = _soffice()
    if path is None:
        if os.environ.get("DOCGEN_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice is required here (DOCGEN_REQUIRE_LIBREOFFICE=1) but soffice is not on PATH.")
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"
        )
    return path


def convert_with_soffice(soffice: str, src: Path, fmt: str, outdir: Path, timeout: int = 180) -> Path:
    """Convert ``src`` with real LibreOffice (own profile, so tests may run side by side);
    return the converted file. Used by tests that prove a document opens in an office suite."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice did not convert {src.name} to {fmt}"
    return out
