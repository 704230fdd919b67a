"""The Settings sheet: one setting per row (its label, its value) read into a
:class:`~docgen.records.Settings` record; settings left out keep their defaults.
"""

from __future__ import annotations

from typing import Any

from docgen.records import Settings
from docgen.workbook import schema
from docgen.workbook.checker import Checker
from docgen.workbook.parsers import BadValue, as_text, parse_cell, quote
from docgen.workbook.settings_schema import SETTINGS


def read_settings(check: Checker) -> tuple[Settings, bool]:
    """The Settings sheet (key/value) as a Settings record, and whether it had an error."""
    table = check.tables.get("Settings")
    if table is None:
        return Settings(), False
    by_name = {}
    for s in SETTINGS:
        by_name[schema.normalise(s.label)] = s
        by_name.setdefault(schema.normalise(s.key), s)
    values: dict[str, Any] = {}
    rows_of: dict[str, int] = {}
    had_error = False
    for raw in table.rows:
        name = raw.values.get("setting")
        value = raw.values.get("value")
        if name is None:
            if value is not None:
                check.error("Settings", raw.row, "setting", "A value has no setting name. Fill in the setting name.")
                had_error = True
            continue
        setting = by_name.get(schema.normalise(as_text(name)))
        if setting is None:
            known = ", ".join(s.label for s in SETTINGS)
            check.warn(
                "Settings",
                raw.row,
                "setting",
                f"{quote(name)} is not a setting docgen knows; it is ignored. Known settings: {known}.",
            )
            continue
        if setting.key in rows_of:
            check.error(
                "Settings",
                raw.row,
                "value",
                f"This setting is also on row {rows_of[setting.key]}. Delete one of the two rows.",
                header=setting.label,
            )
            had_error = True
            continue
        rows_of[setting.key] = raw.row
        if value is None:
            continue
        try:
            values[setting.key], _ = parse_cell(setting.column(), value)
        except BadValue as bad:
            check.error("Settings", raw.row, "value", str(bad), header=setting.label)
            had_error = True
    settings = Settings(**values)
    if not settings.min_weeks <= settings.default_weeks <= settings.max_weeks:
        row = rows_of.get("default_weeks") or rows_of.get("min_weeks") or rows_of.get("max_weeks")
        label = next(s.label for s in SETTINGS if s.key == "default_weeks")
        check.error(
            "Settings",
            row,
            "value" if row else None,
            f"The proposed order to go-live ({settings.default_weeks} weeks) must lie between the minimum "
            f"({settings.min_weeks}) and the maximum ({settings.max_weeks}). Correct these three settings.",
            header=label if row else None,
        )
        had_error = True
    return settings, had_error
