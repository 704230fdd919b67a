"""``docgen serve``: the whole job in a browser, for admins who do not use a terminal.

A second face beside :mod:`docgen.cli`: forms in, a :mod:`docgen.pipeline` call, pages
out. Upload a workbook, see its problems and what is due, generate the pack and download
it as a zip. :mod:`docgen.web.security` keeps the page to the admin who started it.
"""

from __future__ import annotations

from docgen.web.server import serve

__all__ = ["serve"]
