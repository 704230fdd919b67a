"""Write the sample batch (docgen/sample.py) as a workbook: ``python scripts/make_sample.py OUT.xlsx``."""

from __future__ import annotations

import sys
from pathlib import Path

from docgen.sample import sample_batch
from docgen.starter import write_workbook


def main(argv: list[str]) -> int:
    """Write the sample workbook to the path given, replacing it."""
    if len(argv) != 1:
        print("Usage: python scripts/make_sample.py OUT.xlsx", file=sys.stderr)
        return 2
    out = Path(argv[0])
    write_workbook(out, sample_batch(), force=True)
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
