"""The checks across sheets: duplicate keys, and every reference from one sheet to another
(a migration's practice, suppliers and products; a practice's ICB; a contact's
organisation; a cost's migration; a blackout's scope) listed where it points.

Each check records its problems on the :class:`~docgen.workbook.checker.Checker`; a few
also give a value the spelling of the sheet it refers to (a supplier's name, a code's case).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from docgen.records import Settings
from docgen.workbook.checker import Checker, Row
from docgen.workbook.parsers import ICB_RE, ODS_RE, quote

ENGLISH_ODS_FIRST = set("ABCDEFGHIJKLMNOPY")


@dataclass
class Sheets:
    """Every sheet's parsed rows, and the lookups the cross-sheet checks share."""

    icbs: list[Row]
    practices: list[Row]
    migrations: list[Row]
    contacts: list[Row]
    suppliers: list[Row]
    costs: list[Row]
    blackouts: list[Row]
    settings: Settings
    icb_codes: set[str] = field(default_factory=set)
    ods_codes: set[str] = field(default_factory=set)
    migration_ids: set[str] = field(default_factory=set)
    supplier_names: dict[str, str] = field(default_factory=dict)  # casefold -> as on the Suppliers sheet
    products: dict[str, list[str]] = field(default_factory=dict)  # casefold supplier -> products

    def __post_init__(self) -> None:
        self.icb_codes = {r.values["code"] for r in self.icbs if r.values.get("code")}
        self.ods_codes = {r.values["ods_code"] for r in self.practices if r.values.get("ods_code")}
        self.migration_ids = {r.values["migration_id"] for r in self.migrations if r.values.get("migration_id")}
        for r in self.suppliers:
            supplier, product = r.values.get("supplier"), r.values.get("product")
            if supplier and product:
                self.supplier_names.setdefault(supplier.casefold(), supplier)
                self.products.setdefault(supplier.casefold(), []).append(product)


def cross_check(check: Checker, data: Sheets) -> None:
    """Every check across sheets, in the order their problems were always found."""
    _check_duplicates(check, data)
    _check_practices(check, data)
    _check_migrations(check, data)
    _check_contacts(check, data)
    _check_costs_and_blackouts(check, data)


def _check_duplicates(check: Checker, data: Sheets) -> None:
    """The later of two rows with the same key is the one reported."""

    def supplier_key(r: Row):
        supplier, product = r.values.get("supplier"), r.values.get("product")
        return (supplier.casefold(), product.casefold()) if supplier and product else None

    rules = (
        (
            "ICBs",
            data.icbs,
            lambda r: r.values.get("code"),
            "code",
            "{key} is also on row {first}. Each ICB goes on one row.",
        ),
        (
            "Practices",
            data.practices,
            lambda r: r.values.get("ods_code"),
            "ods_code",
            "{key} is also on row {first}. Each practice goes on one row.",
        ),
        (
            "Migrations",
            data.migrations,
            lambda r: r.values.get("migration_id"),
            "migration_id",
            "'{key}' is also on row {first}. Give each migration its own ID.",
        ),
        (
            "Suppliers",
            data.suppliers,
            supplier_key,
            "product",
            "{supplier} {product} is also on row {first}. Delete one of the two rows.",
        ),
    )
    for sheet, rows, key_of, column, message in rules:
        seen: dict[object, int] = {}
        for r in rows:
            key = key_of(r)
            if key is None:
                continue
            if key in seen:
                text = message.format(key=key, first=seen[key], **{k: r.values.get(k) for k in ("supplier", "product")})
                check.error(sheet, r.raw.row, column, text, r.values.get("migration_id"))
            else:
                seen[key] = r.raw.row


def _check_practices(check: Checker, data: Sheets) -> None:
    """English ODS codes (a warning otherwise) and an ICB listed on the ICBs sheet."""
    for r in data.practices:
        ods, icb = r.values.get("ods_code"), r.values.get("icb_code")
        if ods and ods[0] not in ENGLISH_ODS_FIRST:
            check.warn(
                "Practices",
                r.raw.row,
                "ods_code",
                f"{ods} does not start with A to P or Y, as English GP practice codes do. Check the code.",
            )
        if icb and icb not in data.icb_codes:
            check.error(
                "Practices",
                r.raw.row,
                "icb_code",
                f"{icb} is not on the ICBs sheet. Add the ICB there, or correct the code.",
            )


def _check_supplier_columns(check: Checker, data: Sheets, r: Row, which: str, mid: str | None) -> None:
    """A migration's supplier must be on the Suppliers sheet and its system one of that supplier's
    products; both take the Suppliers sheet's spelling."""
    sup_key, sys_key = f"{which}_supplier", f"{which}_system"
    supplier, system = r.values.get(sup_key), r.values.get(sys_key)
    if not supplier:
        return
    canonical = data.supplier_names.get(supplier.casefold())
    if canonical is None:
        listed = ", ".join(data.supplier_names.values()) or "none"
        check.error(
            "Migrations",
            r.raw.row,
            sup_key,
            f"{quote(supplier)} is not on the Suppliers sheet (listed: {listed}). "
            "Choose a supplier from the list, or add it to the Suppliers sheet first.",
            mid,
        )
        return
    r.values[sup_key] = canonical
    if not system:
        return
    own = data.products[supplier.casefold()]
    match = next((p for p in own if p.casefold() == system.casefold()), None)
    if match is None:
        check.error(
            "Migrations",
            r.raw.row,
            sys_key,
            f"{quote(system)} is not a product of {canonical} on the Suppliers sheet "
            f"({canonical}: {', '.join(own)}). Choose the product that goes with the supplier.",
            mid,
        )
    else:
        r.values[sys_key] = match


def _check_migrations(check: Checker, data: Sheets) -> None:
    """Practice listed (with a practice manager), suppliers and products listed, a real
    change of system, order date not after go-live; a warning when there are none."""
    managers = {
        (r.values.get("organisation") or "").strip().upper()
        for r in data.contacts
        if r.values.get("role") == "Practice manager"
    }
    for r in data.migrations:
        v, row, mid = r.values, r.raw.row, r.values.get("migration_id")
        ods = v.get("ods_code")
        if ods and ods not in data.ods_codes:
            check.error(
                "Migrations",
                row,
                "ods_code",
                f"{ods} is not on the Practices sheet. Add the practice there, or correct the code.",
                mid,
            )
        elif ods and ods not in managers:
            check.warn(
                "Migrations",
                row,
                "ods_code",
                f"Practice {ods} has no Practice manager on the Contacts sheet. Add one: the letters and "
                "the kick-off invitation are addressed to the practice manager.",
                mid,
            )
        _check_supplier_columns(check, data, r, "current", mid)
        _check_supplier_columns(check, data, r, "new", mid)
        # Text, or None when blank: the all() below rules out None before casefold().
        current: tuple[Any, Any] = (v.get("current_supplier"), v.get("current_system"))
        new: tuple[Any, Any] = (v.get("new_supplier"), v.get("new_system"))
        if all(current) and all(new) and [x.casefold() for x in current] == [x.casefold() for x in new]:
            check.error(
                "Migrations",
                row,
                "new_system",
                f"The new system is the same as the current one ({new[0]} {new[1]}). "
                "Enter the system the practice is moving to.",
                mid,
            )
        order, go_live = v.get("order_date"), v.get("go_live")
        if order and go_live and order > go_live:
            check.error(
                "Migrations",
                row,
                "order_date",
                f"The order date {order:%d/%m/%Y} is after the provisional go-live date {go_live:%d/%m/%Y}. "
                "Correct one of the two dates.",
                mid,
            )
    if not data.migrations and "Migrations" in check.tables:
        check.warn("Migrations", None, None, "There are no migrations. Add one row per migration.")


def _check_contacts(check: Checker, data: Sheets) -> None:
    """An organisation that looks like an ODS or ICB code must be listed; any other must be
    a supplier or the IT delivery partner, or the contact is on no letter (a warning)."""
    partner = data.settings.it_delivery_partner.strip().casefold()
    for r in data.contacts:
        org = r.values.get("organisation")
        if not org:
            continue
        code = org.strip().upper()
        if ODS_RE.match(code) or ICB_RE.match(code):
            is_ods = bool(ODS_RE.match(code))
            if code in (data.ods_codes if is_ods else data.icb_codes):
                r.values["organisation"] = code
            elif is_ods:
                check.error(
                    "Contacts",
                    r.raw.row,
                    "organisation",
                    f"{quote(org)} looks like an ODS code but is not on the Practices sheet. "
                    "Correct the code, or add the practice.",
                )
            else:
                check.error(
                    "Contacts",
                    r.raw.row,
                    "organisation",
                    f"{quote(org)} looks like an ICB code but is not on the ICBs sheet. "
                    "Correct the code, or add the ICB.",
                )
        elif org.casefold() not in data.supplier_names and org.strip().casefold() != partner:
            check.warn(
                "Contacts",
                r.raw.row,
                "organisation",
                f"{quote(org)} is not a practice's ODS code, an ICB code, a supplier on the Suppliers sheet "
                "or the IT delivery partner in Settings, so this contact is on no letter or invitation. "
                "Correct the organisation.",
            )


def _check_costs_and_blackouts(check: Checker, data: Sheets) -> None:
    """Costs point at a real migration; blackouts are a real period with a known scope."""
    for r in data.costs:
        mid = r.values.get("migration_id")
        if mid and mid not in data.migration_ids:
            check.error(
                "Costs",
                r.raw.row,
                "migration_id",
                f"{quote(mid)} is not a Migration ID on the Migrations sheet. Correct it, or delete the line.",
                mid,
            )
    for r in data.blackouts:
        start, end, scope = r.values.get("start"), r.values.get("end"), r.values.get("scope")
        if start and end and end < start:
            check.error(
                "Blackouts",
                r.raw.row,
                "end",
                f"The end {end:%d/%m/%Y} is before the start {start:%d/%m/%Y}. Swap or correct the dates.",
            )
        if not scope:
            continue
        code = scope.strip().upper()
        if code == "ALL":
            r.values["scope"] = "All"
        elif code in data.icb_codes or code in data.ods_codes:
            r.values["scope"] = code
        else:
            check.error(
                "Blackouts",
                r.raw.row,
                "scope",
                f"{quote(scope)} is not All, an ICB code on the ICBs sheet or an ODS code on the "
                "Practices sheet. Enter one of those.",
            )
