"""docgen: bulk paperwork for GP practice clinical system migrations.

Use it as a library as the CLI does::

    from docgen import load_batch
    batch = load_batch("inputs/migrations.xlsx")
"""

__version__ = "0.1.0"


def load_batch(path):
    """Read and validate a workbook; return a :class:`~docgen.records.Batch` or raise
    :class:`~docgen.errors.ValidationFailed` listing every error."""
    from docgen.workbook.validate import load_batch as _load

    return _load(path)
