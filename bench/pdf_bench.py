"""The PDF part of ``make bench``: docgen's PDFs against plain LibreOffice, on the same
letters, in the same run.

An ICB-sized batch (the first ``practices`` practices of the ICB with the most, three
letters each with ``--all``) is written once without PDFs; then, timed:
  (e) ``docgen run --all --pdf`` on a fresh folder, less ``docgen run --all`` on another:
      the seconds docgen's PDFs (letters and print packs) add, per letter;
  (f) plain ``soffice --headless --convert-to pdf`` over the same .docx files, one call
      (LibreOffice 7.4 stops after 247 documents of one call, so calls of 200 files one
      after the other), on one core as a user would run it.
It prints seconds a letter for each and their ratio (f)/(e).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

from national import EPRACCUR, largest_icb, national_batch  # noqa: E402

_FILES_PER_CALL = 200


def icb_workbook(practices: int) -> Path:
    """The ICB-sized workbook, built once and cached in bench/data/."""
    from docgen.workbook.starter import write_workbook

    icb = largest_icb()
    path = HERE / "data" / f"icb-{icb}-{practices}.xlsx"
    if not path.exists() or path.stat().st_mtime < max(
        EPRACCUR.stat().st_mtime, (HERE / "national.py").stat().st_mtime
    ):
        write_workbook(path, national_batch(limit=practices, icb=icb), force=True)
    return path


def _cpu() -> float:
    """CPU seconds (user and system) of the finished child processes and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _docgen(workbook: Path, out: Path, today: str, *extra: str) -> tuple[float, float, str]:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "docgen", "run", str(workbook), "--out", str(out), "--today", today, "--all", *extra]
    started, cpu = time.perf_counter(), _cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"docgen run {' '.join(extra)} failed with exit {proc.returncode}")
    return wall, cpu, proc.stdout.strip().splitlines()[-1]


def _plain_soffice(letters: list[Path]) -> tuple[float, float, int]:
    """Seconds (wall, CPU) for plain LibreOffice to convert ``letters``, and how many PDFs it made."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed: the PDF benchmark needs it")
    with tempfile.TemporaryDirectory(prefix="docgen-bench-soffice-") as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        for k, letter in enumerate(letters):
            shutil.copyfile(letter, root / "in" / f"{k:05d}.docx")
        names = sorted(p.name for p in (root / "in").iterdir())
        started, cpu = time.perf_counter(), _cpu()
        for start in range(0, len(names), _FILES_PER_CALL):
            subprocess.run(
                [
                    *(["taskset", "-c", "0"] if shutil.which("taskset") else []),
                    soffice,
                    f"-env:UserInstallation={(root / 'profile').as_uri()}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(root / "out"),
                    *names[start : start + _FILES_PER_CALL],
                ],
                cwd=root / "in",
                capture_output=True,
                check=False,
            )
        wall, cpu = time.perf_counter() - started, _cpu() - cpu
        made = len(list((root / "out").glob("*.pdf"))) if (root / "out").exists() else 0
    return wall, cpu, made


def run_pdf_bench(practices: int, out: Path, today: str) -> None:
    """Print (e), (f) and their ratio for an ICB of ``practices`` practices."""
    workbook = icb_workbook(practices)
    plain_out, pdf_out = out / "no-pdf", out / "pdf"
    base, base_cpu, _ = _docgen(workbook, plain_out, today)
    with_pdf, with_pdf_cpu, summary = _docgen(workbook, pdf_out, today, "--pdf")
    letters = sorted(plain_out.glob("*/*/*.docx"))
    n = len(letters)
    soffice_wall, soffice_cpu, made = _plain_soffice(letters)
    ours, ours_cpu = (with_pdf - base) / n, (with_pdf_cpu - base_cpu) / n
    theirs = soffice_wall / made if made else float("nan")
    theirs_cpu = soffice_cpu / made if made else float("nan")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"PDF batch: {workbook.relative_to(HERE.parent)}, {n} letters ({practices} practices of one ICB)")
    print(
        f"(e) docgen --pdf    : {ours:6.3f} s a letter, CPU {ours_cpu:.3f} s"
        f"  (run --pdf {with_pdf:.1f} s less run {base:.1f} s, {os.cpu_count()} cores)"
    )
    print(f"    [{summary}]")
    print(
        f"(f) plain soffice   : {theirs:6.3f} s a letter, CPU {theirs_cpu:.3f} s"
        f"  ({soffice_wall:.1f} s, {made} PDFs of {n}, one core)"
    )
    print(
        f"    ratio (f)/(e)   : {theirs / ours:6.1f}x wall, {theirs_cpu / ours_cpu:.1f}x CPU"
        "   target >= 4x, about 0.03 s a letter"
    )
    print(f"    load average {load:.2f}: other work on the machine slows both, docgen's two processes more")
    shutil.rmtree(out, ignore_errors=True)
