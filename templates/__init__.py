"""The default Word templates, shipped inside the package as ``docgen.templates``.

This folder is the copy an admin edits (or copies and points ``--templates`` at);
pyproject maps it into the package, so a wheel carries these very files.
"""
