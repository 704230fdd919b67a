"""``docgen --help`` answers at once: the command line loads the pipeline (docxtpl,
openpyxl, pypdf...) only when a command runs."""

from __future__ import annotations

import subprocess
import sys


def test_help_does_not_load_the_pipeline():
    code = (
        "import sys\n"
        "from docgen.cli import main\n"
        "try:\n"
        "    main(['--help'], prog_name='docgen')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('docgen.pipeline', 'docxtpl', 'openpyxl', 'pypdf') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: docgen" in result.stdout
    assert result.stdout.splitlines()[-1] == "[]"
