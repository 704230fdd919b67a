"""Write docs/workbook.md from the schema: ``python scripts/make_workbook_doc.py [OUT.md]``."""

from __future__ import annotations

import sys
from pathlib import Path

from docgen.starter import instructions_markdown


def main(argv: list[str]) -> int:
    """Regenerate the workbook reference so it always matches docgen/schema.py."""
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "docs" / "workbook.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(instructions_markdown(), encoding="utf-8")
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
