"""Regenerate the workbook reference at the end of README.md from the schema:
``python scripts/make_workbook_doc.py``."""

from __future__ import annotations

import sys
from pathlib import Path

from docgen.workbook.starter import instructions_markdown

MARKER = "<!-- workbook reference: generated from docgen/workbook/schema.py by scripts/make_workbook_doc.py -->\n"
README = Path(__file__).resolve().parent.parent / "README.md"


def main(argv: list[str]) -> int:
    """Replace everything after MARKER in README.md, so the README always lists every column."""
    path = Path(argv[0]) if argv else README
    text = path.read_text(encoding="utf-8")
    head = text.split(MARKER)[0] if MARKER in text else text.rstrip("\n") + "\n\n"
    path.write_text(head + MARKER + instructions_markdown(), encoding="utf-8")
    print(f"Wrote the workbook reference into {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
