"""docgen's benchmark: ``make bench``.

Times, in one run on the same templates and the same contexts:
  (a) a plain docxtpl loop (new DocxTemplate per letter, autoescape, save) on a sample;
  (b) docgen's engine on the same sample, single process;
  (c) ``docgen run --all`` end to end on every active English practice (letters, timeline,
      calendar files, email drafts, manifest; no PDF) with ``--jobs 1`` and the default,
      then a rerun on unchanged input;
  (e), (f) PDFs for an ICB of ``--pdf-practices`` practices: docgen's against one plain
      ``soffice --convert-to pdf`` call over the same letters (bench/pdf_bench.py).
It prints letters per second, the ratio (b)/(a), wall and CPU seconds (medians of
``--country-repeat`` runs) and peak memory (the sum of the resident memory of docgen
and its worker processes, sampled every 20 ms).

A national run writes 38,000 files (1.6 GB). On the virtual machines this was built
on, the kernel time to create them on the disk varied from 3 to over 40 s between two
identical runs, so the CPU is printed as user and system time, and ``--out`` can put
the outputs on a memory file system to time docgen's own work:
``make bench BENCH_ARGS="--out /dev/shm/docgen-bench"``.

The practices are real (``../shared/data/epraccur.csv``); every migration, person, date
and cost is MADE UP (see bench/national.py).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from national import EPRACCUR, national_batch  # noqa: E402
from pdf_bench import run_pdf_bench  # noqa: E402

from docgen.documents.catalogue import DOCUMENTS, resolve_templates  # noqa: E402
from docgen.documents.context import build_context  # noqa: E402
from docgen.formats.docx.engine import PreparedTemplate  # noqa: E402
from docgen.formats.docx.environment import make_environment  # noqa: E402
from docgen.plan.schedule import schedule_batch  # noqa: E402

TODAY = "2026-11-23"


def sample_contexts(batch, schedules, n: int):
    """``n`` (template path, context) pairs cycling through the three documents."""
    import datetime as dt

    paths = resolve_templates(None)
    out = []
    for m in batch.migrations:
        for d in DOCUMENTS:
            ctx = build_context(batch, m, schedules[m.migration_id], letter_date=dt.date(2026, 11, 23), document=d.key)
            out.append((d.key, paths[d.key], ctx))
            if len(out) == n:
                return out
    return out


def time_docxtpl(items, env) -> float:
    from docxtpl import DocxTemplate

    t = time.perf_counter()
    for _, path, ctx in items:
        doc = DocxTemplate(path)
        doc.render(ctx, jinja_env=env, autoescape=True)
        doc.save(io.BytesIO())
    return time.perf_counter() - t


def time_engine(items, env) -> float:
    """The engine's per-letter cost; templates are prepared once per process, before."""
    prepared = {key: PreparedTemplate.load(path, env) for key, path, _ in items}
    t = time.perf_counter()
    for key, _, ctx in items:
        prepared[key].render(ctx)
    return time.perf_counter() - t


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_docgen(workbook: Path, out: Path, jobs: int | None) -> tuple[float, tuple[float, float], int, str]:
    """Wall seconds, CPU seconds (user, system: docgen and its workers), peak memory of
    the process tree, and docgen's summary line."""
    # --all: every document of every migration, the work a national run can be asked for
    # (by default only what is due on TODAY is written: most of this batch is not due yet).
    cmd = [sys.executable, "-m", "docgen", "run", str(workbook), "--out", str(out), "--today", TODAY, "--all"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.02)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t
    done.set()
    th.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        print(stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"docgen run failed with exit {proc.returncode}")
    return wall, cpu, peak, stdout.strip().splitlines()[-1]


def fresh(out: Path) -> None:
    """Remove ``out`` and let the disk settle: deleting 40,000 files leaves the file
    system work to do (journal, discards) that would otherwise be charged to the next
    timed run; measured here, it made file creation several times slower for a while."""
    subprocess.run(["rm", "-rf", str(out)], check=True)
    os.sync()
    time.sleep(2)


def _line(label: str, results: list[tuple[float, tuple[float, float], int, str]]) -> str:
    walls = [r[0] for r in results]
    wall = statistics.median(walls)
    user, system = statistics.median(r[1][0] for r in results), statistics.median(r[1][1] for r in results)
    peak = max(r[2] for r in results)
    spread = f" (runs: {', '.join(f'{w:.1f}' for w in walls)})" if len(results) > 1 else ""
    return (
        f"{label}: {wall:6.1f} s wall{spread}, CPU {user:5.1f} s user + {system:5.1f} s system,"
        f" peak {peak / 2**20:5.0f} MiB\n    [{results[-1][3]}]"
    )


def national_workbook(limit: int | None) -> Path:
    """The national workbook, built once from epraccur.csv and cached in bench/data/."""
    from docgen.workbook.starter import write_workbook

    path = HERE / "data" / f"national-{limit or 'all'}.xlsx"
    if not path.exists() or path.stat().st_mtime < max(
        EPRACCUR.stat().st_mtime, (HERE / "national.py").stat().st_mtime
    ):
        t = time.perf_counter()
        write_workbook(path, national_batch(limit=limit), force=True)
        print(f"built {path.relative_to(ROOT)} in {time.perf_counter() - t:.1f} s")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=300, help="letters in the docxtpl comparison")
    ap.add_argument("--repeat", type=int, default=3, help="repeats of (a) and (b); the median is printed")
    ap.add_argument("--limit", type=int, default=None, help="only the first N practices (default: all)")
    ap.add_argument("--skip-country", action="store_true", help="skip (c) and (d)")
    ap.add_argument("--out", type=Path, default=None, help="output folder for (c) and (d) (default bench/data/out)")
    ap.add_argument("--country-repeat", type=int, default=3, help="runs of (c) default and (d); medians printed")
    ap.add_argument(
        "--pdf-practices", type=int, default=150, help="practices of one ICB in the PDF section (3 letters each)"
    )
    ap.add_argument("--skip-pdf", action="store_true", help="skip the PDF section (e), (f)")
    ap.add_argument("--pdf-only", action="store_true", help="only the PDF section (e), (f)")
    args = ap.parse_args()
    import datetime as dt
    import tempfile

    # The bench's runs are not an admin's: they are recorded in a throwaway history file,
    # never in the user's own audit trail (docgen run's subprocesses inherit this).
    os.environ.setdefault("DOCGEN_HISTORY", str(Path(tempfile.mkdtemp(prefix="docgen-bench-")) / "history.sqlite"))

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    pdf_out = (args.out.resolve() if args.out else HERE / "data" / "out") / "pdf-bench"
    if args.pdf_only:
        run_pdf_bench(args.pdf_practices, pdf_out, TODAY)
        return
    batch = national_batch(limit=args.limit)
    schedules = schedule_batch(batch, dt.date.fromisoformat(TODAY))
    print(f"batch: {len(batch.migrations)} practices with MADE-UP migrations, {len(batch.icbs)} ICBs")
    items = sample_contexts(batch, schedules, args.sample)
    env = make_environment()

    a = [time_docxtpl(items, env) for _ in range(args.repeat)]
    b = [time_engine(items, env) for _ in range(args.repeat)]
    ra, rb = len(items) / statistics.median(a), len(items) / statistics.median(b)
    print(f"(a) docxtpl loop : {ra:8.1f} letters/s  (median of {args.repeat}, {len(items)} letters)")
    print(f"(b) docgen engine: {rb:8.1f} letters/s  (median of {args.repeat}, single process)")
    print(f"    ratio (b)/(a): {rb / ra:8.1f}x   target >= 30x")
    if not args.skip_pdf:
        run_pdf_bench(args.pdf_practices, pdf_out, TODAY)
    if args.skip_country:
        return

    workbook = national_workbook(args.limit)
    out = args.out.resolve() if args.out else HERE / "data" / "out"
    print(f"outputs in {out}")
    cores = os.cpu_count()
    for label, jobs in (("--jobs 1", 1), (f"default (--jobs {cores})", None)):
        results = []
        for _ in range(1 if jobs == 1 else args.country_repeat):
            fresh(out)
            results.append(run_docgen(workbook, out, jobs))
        print(_line(f"(c) docgen run, {label}", results))
    first = statistics.median(r[0] for r in results)
    reruns = [run_docgen(workbook, out, None) for _ in range(args.country_repeat)]
    print(_line("(d) rerun, unchanged input", reruns))
    print(f"    rerun / first run: {statistics.median(r[0] for r in reruns) / first:.2f}")
    print("targets: whole country <= 20 s wall on 2 cores, peak < 1024 MiB; rerun rewrites nothing")


if __name__ == "__main__":
    main()
