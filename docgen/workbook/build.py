"""The typed records of a checked workbook: the valid rows made into a
:class:`~docgen.records.Batch`, and the migrations that cannot go ahead because a row they
depend on has an error.
"""

from __future__ import annotations

import dataclasses
import functools

from docgen.records import Batch, Blackout, Contact, Cost, Icb, Migration, Practice, Supplier
from docgen.workbook.checker import Checker, Row
from docgen.workbook.cross_checks import Sheets


def _record(cls, r: Row, **fields):
    """A record from a row's typed values; blank optional cells take the record's default."""
    names = _field_names(cls)
    values = {k: v for k, v in r.values.items() if v is not None and k in names}
    values.update(fields)
    values["row"] = r.raw.row
    return cls(**values)


@functools.cache
def _field_names(cls) -> frozenset[str]:
    """The record class's field names, worked out once (not once per row)."""
    return frozenset(f.name for f in dataclasses.fields(cls))


def build_batch(check: Checker, data: Sheets, settings_bad: bool, source: str) -> tuple[Batch, set[str]]:
    """Keep the valid records; a migration is valid only if every row it depends on is:
    its own, its practice's, its ICB's, its costs', its practice's contacts', the blackouts
    that apply to it, its suppliers' and the Settings."""

    def good(sheet: str, rows: list[Row]) -> list[Row]:
        return [r for r in rows if not check.is_bad(sheet, r.raw.row)]

    def bad_keys(sheet: str, rows: list[Row], key) -> set:
        return {key(r) for r in rows if check.is_bad(sheet, r.raw.row)}

    bad_icbs = bad_keys("ICBs", data.icbs, lambda r: r.values.get("code"))
    icbs = [
        _record(Icb, r, address=_address(r.values.get("address")))
        for r in good("ICBs", data.icbs)
        if r.values["code"] not in bad_icbs
    ]
    good_icbs = {i.code for i in icbs}

    bad_ods = bad_keys("Practices", data.practices, lambda r: r.values.get("ods_code"))
    practices = [
        _record(Practice, r, address=_address(*(r.values.get(k) for k in ("address1", "address2", "address3"))))
        for r in good("Practices", data.practices)
        if r.values["ods_code"] not in bad_ods and r.values["icb_code"] in good_icbs
    ]
    practice_by_ods = {p.ods_code: p for p in practices}

    bad_suppliers = bad_keys("Suppliers", data.suppliers, lambda r: (r.values.get("supplier") or "").casefold())
    bad_cost_ids = bad_keys("Costs", data.costs, lambda r: r.values.get("migration_id"))
    bad_orgs = bad_keys("Contacts", data.contacts, lambda r: (r.values.get("organisation") or "").upper())
    bad_scopes = bad_keys("Blackouts", data.blackouts, lambda r: (r.values.get("scope") or "").upper())

    invalid: set[str] = set()
    for r in data.migrations:
        v = r.values
        practice = practice_by_ods.get(v.get("ods_code"))
        if (
            check.is_bad("Migrations", r.raw.row)
            or settings_bad
            or practice is None
            or v.get("migration_id") in bad_cost_ids
            or practice.ods_code in bad_orgs
            or bad_scopes & {"ALL", practice.ods_code, practice.icb_code}
            or (v.get("current_supplier") or "").casefold() in bad_suppliers
            or (v.get("new_supplier") or "").casefold() in bad_suppliers
        ) and v.get("migration_id"):
            invalid.add(v["migration_id"])
    # Both rows of a duplicated ID are invalid, not just the one reported.
    migrations = [
        _record(Migration, r) for r in good("Migrations", data.migrations) if r.values["migration_id"] not in invalid
    ]
    good_ids = {m.migration_id for m in migrations}

    batch = Batch(
        settings=data.settings,
        icbs=tuple(icbs),
        practices=tuple(practices),
        migrations=tuple(migrations),
        contacts=tuple(
            _record(Contact, r, invitee=bool(r.values.get("invitee"))) for r in good("Contacts", data.contacts)
        ),
        suppliers=tuple(
            _record(Supplier, r, address=_address(r.values.get("address"))) for r in good("Suppliers", data.suppliers)
        ),
        costs=tuple(_record(Cost, r) for r in good("Costs", data.costs) if r.values["migration_id"] in good_ids),
        blackouts=tuple(_record(Blackout, r) for r in good("Blackouts", data.blackouts)),
        source=source,
        columns={name: dict(table.letters) for name, table in check.tables.items()},
    )
    return batch, invalid


def _address(*parts: object) -> tuple[str, ...]:
    """Address lines from cells that may each hold several lines; blank lines dropped."""
    lines: list[str] = []
    for part in parts:
        if part:
            lines.extend(line for line in str(part).split("\n") if line.strip())
    return tuple(lines)
