"""Write the sample batch (tests/sample.py) as a workbook: ``python scripts/make_sample.py OUT.xlsx``."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sample import sample_batch  # noqa: E402  (the sample's data lives with the tests)

from docgen.workbook.starter import write_workbook  # noqa: E402


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
