"""The Generate page's pack is the run's output: what its manifest lists, nothing else."""

from __future__ import annotations

import csv
import http.client
import io
import re
import time
import zipfile

from test_web_security import SAMPLE, _upload


def _generate(served, sid: str, fields: str) -> zipfile.ZipFile:
    _, _, form = served.request("GET", f"/s/{sid}/generate")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    body = f"csrf={csrf}&{fields}".encode()
    served.request("POST", f"/s/{sid}/generate", body, {"Content-Type": "application/x-www-form-urlencoded"})
    for _ in range(1200):
        if '"finished":true' in served.request("GET", f"/s/{sid}/status")[2]:
            break
        time.sleep(0.1)
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
    conn.request("GET", f"/s/{sid}/pack.zip", headers={"Cookie": served.cookie})
    response = conn.getresponse()
    assert response.status == 200
    return zipfile.ZipFile(io.BytesIO(response.read()))


def _listed(pack: zipfile.ZipFile) -> set[str]:
    rows = csv.DictReader(io.StringIO(pack.read("manifest.csv").decode("utf-8-sig")))
    return {r["path"] for r in rows if r["path"] and r["status"] in ("written", "unchanged")}


def test_generate_again_for_what_is_due_packs_only_what_is_due_not_the_earlier_run_s_letters(served):
    sid = _upload(served, SAMPLE.read_bytes())[1]["location"].split("/")[2]
    everything = _generate(served, sid, "what=all")
    assert set(everything.namelist()) == _listed(everything) | {"manifest.csv"}
    due = _generate(served, sid, "what=due")
    assert set(due.namelist()) == _listed(due) | {"manifest.csv"}
    assert len(due.namelist()) < len(everything.namelist())


def test_generate_with_pdfs_packs_each_letter_as_pdf_and_the_print_packs(served, soffice):
    """PDFs from the page go the command line's way (a print pack at a time), in the run's
    own process: every letter due has its PDF in the zip, titled for its practice, and
    each print pack's letters start on a right-hand page (double-sided by default)."""
    from pypdf import PdfReader

    sid = _upload(served, SAMPLE.read_bytes())[1]["location"].split("/")[2]
    pack = _generate(served, sid, "what=due&pdf=yes")
    names = set(pack.namelist())
    assert names == _listed(pack) | {"manifest.csv"}
    letters = sorted(n for n in names if n.endswith(".docx"))
    assert letters and all(n[: -len(".docx")] + ".pdf" in names for n in letters)
    for name in letters:
        reader = PdfReader(io.BytesIO(pack.read(name[: -len(".docx")] + ".pdf")))
        ods = name.split("/")[1].split(" ")[0]
        assert reader.metadata.title.endswith(f"({ods})"), name
    packs = sorted(n for n in names if n.startswith("print/") and n.endswith(".pdf"))
    assert packs
    for name in packs:
        reader = PdfReader(io.BytesIO(pack.read(name)))
        starts = [reader.get_destination_page_number(item) + 1 for item in reader.outline]
        assert starts and all(start % 2 == 1 for start in starts), name
