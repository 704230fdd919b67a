"""A wheel built from the repo works away from the checkout, with its own default templates."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_wheel_installed_outside_the_checkout_writes_the_sample_letters(tmp_path: Path) -> None:
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(ROOT)], ROOT
    )
    if built.returncode != 0:
        pytest.fail(f"pip wheel failed (it needs the package registry for setuptools):\n{built.stderr[-2000:]}")
    (wheel,) = (tmp_path / "dist").glob("docgen-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        for template in sorted(p.name for p in (ROOT / "templates").glob("*.docx")):
            assert f"docgen/templates/{template}" in names
            # The wheel carries the very bytes of the admin-facing copy.
            assert archive.read(f"docgen/templates/{template}") == (ROOT / "templates" / template).read_bytes()
        # The web page's pages, style, script and icon (docgen serve needs no network).
        for asset in sorted((ROOT / "docgen" / "web").glob("*/*")):
            if asset.parent.name in ("templates", "static"):
                assert f"docgen/web/{asset.parent.name}/{asset.name}" in names

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], tmp_path).returncode == 0
    python = venv / "bin" / "python"
    installed = _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr
    # The libraries come from this environment's site-packages, added as a plain path (no
    # .pth processing there, so the checkout's editable install stays out of it).
    purelib = Path(sysconfig.get_paths()["purelib"])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = str(purelib)
    away = tmp_path / "elsewhere"
    away.mkdir()
    where = _run([str(python), "-c", "import docgen, docgen.templates; print(docgen.__file__)"], away, env)
    assert where.returncode == 0, where.stderr
    assert str(venv) in where.stdout and str(ROOT) not in where.stdout

    out = away / "out"
    ran = _run(
        [
            str(python),
            "-m",
            "docgen",
            "run",
            str(ROOT / "inputs" / "migrations.xlsx"),
            "--out",
            str(out),
            "--jobs",
            "1",
        ],
        away,
        env,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    letters = [p.name for p in out.rglob("*.docx")]
    for template in ("business-justification", "data-extract-request", "kick-off-invitation"):
        assert any(template in name for name in letters), f"no {template} letter in {sorted(letters)[:5]}"
    assert (out / "manifest.csv").is_file()
