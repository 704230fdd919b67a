"""The three letters each migration gets: their templates and where each is written.

:data:`DOCUMENTS` is the catalogue; :func:`resolve_templates` finds each one's template
(the admin's edited copy, else the default shipped with docgen); :func:`output_relpath`
names each migration's file, unique within the batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath

from docgen.errors import TemplateError
from docgen.formats.docx.file_check import LOCK_PREFIX
from docgen.formats.files import safe_name
from docgen.records import Batch, Migration


@dataclass(frozen=True)
class Document:
    """One kind of letter: its key (used on the command line and in the manifest), its
    template file, its human title and the stem of the file written for each migration."""

    key: str
    template: str
    title: str
    stem: str


#: The letters, in the order the guide sends them.
DOCUMENTS: tuple[Document, ...] = (
    Document(
        "business-justification", "business-justification.docx", "Business justification", "business-justification"
    ),
    Document("data-extract-request", "data-extract-request.docx", "Data extract request", "data-extract-request"),
    Document("kick-off-invitation", "kick-off-invitation.docx", "Kick-off invitation", "kick-off-invitation"),
)

#: Where the default templates live: the package ``docgen.templates``, which pyproject maps
#: to the top-level ``templates/`` folder the admin edits, so a checkout, an editable install
#: and a wheel all read the same files.
DEFAULT_TEMPLATE_DIR = Path(str(resources.files("docgen.templates")))


def find_document(key: str) -> Document:
    """The :data:`DOCUMENTS` entry for ``key``, so callers can name a letter by its key."""
    for d in DOCUMENTS:
        if d.key == key:
            return d
    raise KeyError(f"'{key}' is not a document. Choose one of: {', '.join(d.key for d in DOCUMENTS)}.")


def output_relpath(batch: Batch, migration: Migration, document: Document | str, used: set) -> PurePosixPath:
    """``<ICB code>/<ODS code> <practice name>/<stem>.docx``, safe on Windows and Linux and
    unique within ``used`` (compared ignoring case, as Windows does); the result is added
    to ``used`` so the next call in the batch cannot take it."""
    doc = document if isinstance(document, Document) else find_document(document)
    practice = batch.practice(migration)
    folder = f"{_safe_name(practice.icb_code)}/{_safe_name(f'{practice.ods_code} {practice.name}')}"
    stem = _safe_name(doc.stem, 95)  # 95 + ".docx": at most 100 characters
    n = 0
    while True:
        if n == 0:
            name = stem
        else:  # two migrations of one practice share its folder: the second gets its id
            with_id = _safe_name(f"{stem} {migration.migration_id}", 95)
            name = with_id if n == 1 else f"{with_id[: 95 - len(f' ({n})')]} ({n})"
        path = f"{folder}/{name}.docx"  # as PurePosixPath joins them: safe names hold no "/"
        key = path.casefold()
        if key not in used:
            used.add(key)
            return PurePosixPath(path)
        n += 1


# The three documents of a migration share their folder names, and the whole batch its
# ICB folders and file stems: each name is made safe once (safe_name is pure).
_safe_name = lru_cache(maxsize=4096)(safe_name)


#: Other formats an admin's copy of a template may have been saved in (``<stem>.docm``, ``<stem>.doc``).
#: They are picked up, so the template check refuses them by name with the fix, rather
#: than the default quietly standing in for the admin's edits.
_OTHER_FORMATS = (".docm", ".doc")
#: Files the system puts in any folder, which the admin neither made nor sees.
_SYSTEM_FILES = {"thumbs.db", "desktop.ini"}


def resolve_templates(template_dir: Path | None) -> dict[str, Path]:
    """Each document's template: the admin's edited copy in ``template_dir`` when there is
    one (a .docx, else a .docm or .doc of the same name, which the check refuses), else the
    default shipped in the repository's ``templates/`` folder."""
    if template_dir is not None and not Path(template_dir).is_dir():
        raise TemplateError(
            "The templates folder does not exist. Give --templates a folder holding edited copies "
            f"({', '.join(d.template for d in DOCUMENTS)}), or leave it out to use the defaults.",
            template=str(template_dir),
        )
    paths: dict[str, Path] = {}
    for d in DOCUMENTS:
        own = _own_template(Path(template_dir), d) if template_dir is not None else None
        if own is not None:
            paths[d.key] = own
            continue
        default = DEFAULT_TEMPLATE_DIR / d.template
        if not default.is_file():
            raise TemplateError(
                f"The default template is missing from {DEFAULT_TEMPLATE_DIR}. Rebuild it with `make templates` "
                "or reinstall docgen.",
                template=d.template,
            )
        paths[d.key] = default
    return paths


def _own_template(template_dir: Path, document: Document) -> Path | None:
    """The admin's copy of ``document``'s template in ``template_dir``, if any."""
    stem = PurePosixPath(document.template).stem
    for name in (document.template, *(stem + suffix for suffix in _OTHER_FORMATS)):
        if (template_dir / name).is_file():
            return template_dir / name
    return None


def unused_files(template_dir: Path | None) -> list[str]:
    """A warning (``name: why``) for each file in ``template_dir`` that docgen does not use:
    another name, another format, Word's lock file. Hidden and system files are left out."""
    if template_dir is None or not Path(template_dir).is_dir():
        return []
    used = [path for d in DOCUMENTS if (path := _own_template(Path(template_dir), d)) is not None]
    warnings = []
    for entry in sorted(Path(template_dir).iterdir()):
        name = entry.name
        if not entry.is_file() or name.startswith(".") or name.lower() in _SYSTEM_FILES:
            continue
        # samefile, not the name: on Windows and macOS "Business-Justification.DOCX" is used.
        if any(entry.samefile(path) for path in used):
            continue
        if name.startswith(LOCK_PREFIX):
            warnings.append(f"{name}: {_lock_file(name)}")
        else:
            warnings.append(
                f"{name}: not used. docgen reads only {_listed(d.template for d in DOCUMENTS)} from this folder; "
                "if this file is meant to be one of them, save it from Word under that name."
            )
    return warnings


def _lock_file(name: str) -> str:
    """Why Word's lock file ``name`` is there, and what to do. Word names it ``~$`` and the
    open document's name, less its first two characters when the name is long."""
    tail = name[len(LOCK_PREFIX) :]
    open_ = [d.template for d in DOCUMENTS if tail and (d.template == tail or d.template[2:] == tail)]
    which = f"{open_[0]} is open in Word" if open_ else "a document in this folder is open in Word"
    return (
        f"Word's lock file: {which}. docgen reads each template as last saved, so save it and close it "
        "in Word first (if Word is closed, the lock file was left by a crash and may be deleted)."
    )


def _listed(names) -> str:
    names = list(names)
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
