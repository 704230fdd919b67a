"""The docxtpl adapter: docgen refuses a docxtpl release its use of docxtpl's insides was not written for."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from docgen.errors import DependencyError, DocgenError
from docgen.formats.docx import docxtpl_adapter

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("installed", ["0.17.2", "0.21.0", "0.21.0rc1", "1.0", "unknown"])
def test_an_unsupported_docxtpl_is_refused_naming_both_versions(installed):
    with pytest.raises(DependencyError) as caught:
        docxtpl_adapter.check_version(installed)
    assert isinstance(caught.value, DocgenError)
    assert str(caught.value) == (
        f"docxtpl {installed} is installed, but docgen supports docxtpl >=0.18,<0.21 only (it relies on parts "
        "of docxtpl that may change between releases). Install a supported version: pip install 'docxtpl>=0.18,<0.21'."
    )


@pytest.mark.parametrize("installed", ["0.18.0", "0.19.1", "0.20.2", "0.20.9rc1"])
def test_a_supported_docxtpl_passes(installed):
    docxtpl_adapter.check_version(installed)


def test_the_adapter_supports_what_pyproject_installs():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"docxtpl{docxtpl_adapter.SUPPORTED_RANGE}" in dependencies


def test_the_cli_says_which_docxtpl_is_installed_and_which_docgen_needs(tmp_path):
    # The check runs when the adapter is imported: the CLI shows it as an error, no traceback.
    script = (
        "import importlib.metadata as m\n"
        "real = m.version\n"
        "m.version = lambda name: '0.21.0' if name == 'docxtpl' else real(name)\n"
        "from docgen.cli import main\n"
        "main(['templates', 'check'])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith("Error: docxtpl 0.21.0 is installed, but docgen supports docxtpl >=0.18,<0.21 only")
    assert "Traceback" not in done.stderr
