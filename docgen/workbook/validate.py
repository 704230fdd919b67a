"""Check the raw workbook and turn it into typed records, collecting every problem.

Each problem names the sheet, the Excel row, the column letter and header, what is wrong
and how to fix it. Nothing stops at the first problem: the admin sees them all at once.
Values are data, never code: text such as ``{{ 7*7 }}`` or ``=HYPERLINK(...)`` is kept as
that exact text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl.utils import column_index_from_string

from docgen.errors import ValidationFailed
from docgen.problems import ERROR, WARNING, Problem, errors, warnings
from docgen.records import Batch, Blackout, Contact, Cost, Icb, Migration, Practice, Settings, Supplier
from docgen.workbook import schema
from docgen.workbook.cells import EXCEL_ERRORS, FormulaWithoutValue, is_excel_error
from docgen.workbook.reader import gc_paused, read_workbook
from docgen.workbook.tables import RawRow, Table

ODS_RE = re.compile(r"^[A-Z]\d{5}$")
ICB_RE = re.compile(r"^Q[A-Z0-9]{2}$")
SUB_ICB_RE = re.compile(r"^(?:[A-Z0-9]{3}|[A-Z0-9]{5})$")
POSTCODE_RE = re.compile(r"^(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})$")
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
ENGLISH_ODS_FIRST = set("ABCDEFGHIJKLMNOPY")

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.I)
_WHOLE_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_AMOUNT = re.compile(r"-?\d+(?:\.\d+)?")
_NOT_DIGIT = re.compile(r"\D")
_SPACES = re.compile(r"\s+")
_AREA_CODE = re.compile(r"01\d1|011\d")

_HINTS = {
    schema.DATE: "Enter a date such as 15/06/2026.",
    schema.TIME: "Enter a 24-hour time such as 10:00.",
    schema.INT: "Enter a whole number such as 12.",
    schema.MONEY: "Enter an amount in pounds such as 1250.00.",
    schema.YESNO: "Choose Yes or No.",
    schema.EMAIL: "Enter an email address such as name@nhs.net.",
    schema.PHONE: "Enter a phone number with its area code, such as 01642 672351.",
    schema.POSTCODE: "Enter a UK postcode such as TS18 1HU.",
    schema.ODS: "Enter the practice's ODS code: one letter and five digits, such as A81001.",
    schema.ICB: "Enter three characters starting with Q, such as QHM.",
    schema.SUB_ICB: "Enter three characters (00K) or five (D9Y0V).",
}


@dataclass
class ValidationReport:
    """What checking a workbook found: the valid records, every problem (errors and
    warnings in sheet then row order) and the migrations that cannot go ahead."""

    batch: Batch | None
    problems: list[Problem]
    invalid_migrations: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the batch."""
        return errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        """The problems the admin should know about but that stop nothing."""
        return warnings(self.problems)


class _Bad(Exception):
    """A cell value that cannot be read; the message is shown to the admin."""


def _quote(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        text = value.strftime("%d/%m/%Y %H:%M") if value.time() != dt.time() else value.strftime("%d/%m/%Y")
    elif isinstance(value, dt.date):
        text = value.strftime("%d/%m/%Y")
    else:
        text = str(value)
    text = text.replace("\n", " ")
    return "'" + (text if len(text) <= 60 else text[:57] + "...") + "'"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def parse_date(value: object) -> dt.date:
    """A date from a real date cell, ISO text (2026-06-15) or UK text (15/06/2026)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = _ISO_DATE.match(value)
        parts = (m.group(1), m.group(2), m.group(3)) if m else None
        if not m:
            m = _UK_DATE.match(value)
            parts = (m.group(3), m.group(2), m.group(1)) if m else None
        if parts:
            try:
                return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                pass
    raise _Bad(f"{_quote(value)} is not a date. {_HINTS[schema.DATE]}")


def parse_time(value: object) -> dt.time:
    """A time from a real time cell or text such as 10:00, 10.30, 2pm or 2:30 pm."""
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:  # a time typed into a General cell
        minutes = round(value * 24 * 60)
        return dt.time(minutes // 60 % 24, minutes % 60)
    if isinstance(value, str):
        m = _TIME.match(value.strip())
        if m and (m.group(2) or m.group(4)):
            hour, minute = int(m.group(1)), int(m.group(2) or 0)
            suffix = (m.group(4) or "").lower().replace(".", "")
            if suffix and 1 <= hour <= 12:
                hour = hour % 12 + (12 if suffix == "pm" else 0)
            elif suffix:
                hour = 99
            if hour < 24 and minute < 60:
                return dt.time(hour, minute)
    raise _Bad(f"{_quote(value)} is not a time. {_HINTS[schema.TIME]}")


def parse_int(value: object) -> int:
    """A whole number from a number cell or text such as 6,500."""
    if isinstance(value, bool):
        raise _Bad(f"{_quote(value)} is not a whole number. {_HINTS[schema.INT]}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        number = int(value.replace(",", ""))
    else:
        raise _Bad(f"{_quote(value)} is not a whole number. {_HINTS[schema.INT]}")
    if number < 0:
        raise _Bad(f"{_quote(value)} is negative. {_HINTS[schema.INT]}")
    return number


def parse_money(value: object) -> Decimal:
    """Pounds and pence from a number cell or text such as £1,250.00."""
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, int | float):
            amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            text = str(value).strip().replace("£", "").replace(",", "").strip()
            if not _AMOUNT.fullmatch(text):
                raise InvalidOperation
            amount = Decimal(text)
    except InvalidOperation:
        raise _Bad(f"{_quote(value)} is not an amount of money. {_HINTS[schema.MONEY]}") from None
    if amount < 0:
        raise _Bad(f"{_quote(value)} is negative. {_HINTS[schema.MONEY]}")
    if amount != amount.quantize(Decimal("0.01")):
        raise _Bad(f"{_quote(value)} has fractions of a penny. Round it to pounds and pence, such as 1250.00.")
    return amount.quantize(Decimal("0.01"))


def parse_yes_no(value: object) -> bool:
    """True or False from Yes/No, Y/N, TRUE/FALSE or 1/0."""
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise _Bad(f"{_quote(value)} is not Yes or No. {_HINTS[schema.YESNO]}")


def format_phone(value: object) -> str:
    """A phone number as text; one Excel stored as a number gets its leading 0 back."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _text(value)
    digits = str(int(value))
    if digits.startswith("44") and len(digits) in (11, 12):
        digits = digits[2:]
    if len(digits) in (9, 10) and not digits.startswith("0"):
        digits = "0" + digits
    if len(digits) != 11:
        return digits
    if digits[:3] in ("020", "023", "024", "028", "029"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if digits[1] in "389" or _AREA_CODE.match(digits[:4]):
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"


def _parse(col: schema.Column, value: object) -> tuple[object, str | None]:
    """The typed value of one cell, and a warning message if it looks wrong but is usable."""
    if isinstance(value, FormulaWithoutValue):
        raise _Bad(
            "This cell holds a formula that was never calculated, so it has no value to read. "
            "Open the workbook in Excel and save it (Excel calculates formulas when it saves), or type the value."
        )
    if is_excel_error(value):
        raise _Bad(f"The formula in this cell gives {value}. Fix the formula, or type the value.")
    return _PARSERS.get(col.kind, _parse_text)(col, value)


def _parse_text(col: schema.Column, value: object) -> tuple[str, None]:
    return _text(value), None


def _parse_phone(col: schema.Column, value: object) -> tuple[str, str | None]:
    phone = format_phone(value)
    n = len(_NOT_DIGIT.sub("", phone))
    if not 10 <= n <= 13:
        return phone, f"{_quote(phone)} does not look like a UK phone number. {_HINTS[schema.PHONE]}"
    return phone, None


def _parse_email(col: schema.Column, value: object) -> tuple[str, None]:
    text = _text(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not EMAIL_RE.match(text):
        raise _Bad(f"{_quote(value)} is not an email address. {_HINTS[schema.EMAIL]}")
    return text, None


def _parse_postcode(col: schema.Column, value: object) -> tuple[str, None]:
    compact = _SPACES.sub("", _text(value).upper())
    if not POSTCODE_RE.match(compact):
        raise _Bad(f"{_quote(value)} is not a UK postcode. {_HINTS[schema.POSTCODE]}")
    return compact[:-3] + " " + compact[-3:], None


def _code_parser(pattern: re.Pattern, what: str, kind: str):
    """The parser of a code column (ODS, ICB, sub-ICB): upper case, spaces removed, checked."""

    def parse(col: schema.Column, value: object) -> tuple[str, None]:
        code = _text(value).upper().replace(" ", "")
        if not pattern.match(code):
            raise _Bad(f"{_quote(value)} is not {what}. {_HINTS[kind]}")
        return code, None

    return parse


def _parse_choice(col: schema.Column, value: object) -> tuple[str, None]:
    text = _text(value)
    if not col.choices:  # the list comes from the Suppliers sheet, checked later
        return text, None
    for choice in col.choices:
        if schema.normalise(choice) == schema.normalise(text):
            return choice, None
    raise _Bad(f"{_quote(value)} is not one of: {', '.join(col.choices)}. Choose one from the list.")


#: How each kind of column is parsed (one lookup, not a chain of comparisons per cell).
_PARSERS = {
    schema.DATE: lambda col, value: (parse_date(value), None),
    schema.TIME: lambda col, value: (parse_time(value), None),
    schema.INT: lambda col, value: (parse_int(value), None),
    schema.MONEY: lambda col, value: (parse_money(value), None),
    schema.YESNO: lambda col, value: (parse_yes_no(value), None),
    schema.PHONE: _parse_phone,
    schema.EMAIL: _parse_email,
    schema.POSTCODE: _parse_postcode,
    schema.ODS: _code_parser(ODS_RE, "an ODS code", schema.ODS),
    schema.ICB: _code_parser(ICB_RE, "an ICB code", schema.ICB),
    schema.SUB_ICB: _code_parser(SUB_ICB_RE, "a sub-ICB location code", schema.SUB_ICB),
    schema.CHOICE: _parse_choice,
}


def _outcome(col: schema.Column, value: object) -> tuple[object, str | None, str | None]:
    """:func:`_parse` as data: (typed value, warning, None), or (None, None, the error)."""
    try:
        return (*_parse(col, value), None)
    except _Bad as bad:
        return None, None, str(bad)


def _memo_key(value: object) -> tuple | None:
    """The key under which :meth:`_Checker.rows` remembers the outcome of a cell that is not
    text (an amount, a date), or None when equal values may not give the same outcome:
    0.0 and -0.0 are equal but are different amounts, and aware or ambiguous datetimes
    equal to another may print differently."""
    cls = value.__class__
    if cls is int or (cls is float and value) or (cls is dt.datetime and value.tzinfo is None and not value.fold):
        return cls, value
    return None


def _migration_id(raw: RawRow) -> str | None:
    """The row's Migration ID as text, for problems that belong to one migration."""
    value = raw.values.get("migration_id")
    return _text(value) if isinstance(value, str | int | float) else None


def _required_hint(col: schema.Column) -> str:
    if col.kind in _HINTS:
        return _HINTS[col.kind]
    if col.choices:
        return f"Choose one of: {', '.join(col.choices)}."
    if col.kind == schema.CHOICE:
        return "Choose one from the list (it comes from the Suppliers sheet)."
    return f"Fill it in: {col.help[0].lower()}{col.help[1:]}" if col.help else "Fill it in."


@dataclass
class _Row:
    raw: RawRow
    values: dict[str, object]


class _Checker:
    """Collects problems and remembers which rows have errors."""

    def __init__(self, tables: dict[str, Table]):
        self.tables = tables
        self.problems: list[Problem] = []
        self.bad: set[tuple[str, int]] = set()

    def add(
        self,
        severity: str,
        sheet: str,
        row: int | None,
        key: str | None,
        message: str,
        migration_id: str | None = None,
        header: str | None = None,
    ) -> None:
        table = self.tables[sheet]
        letter = table.letter(key) if key else None
        if key and header is None:
            header = table.spec.column(key).header
        self.problems.append(Problem(severity, table.title, message, row, letter, header, migration_id or None))
        if severity == ERROR and row is not None:
            self.bad.add((sheet, row))

    def error(self, sheet, row, key, message, migration_id=None, header=None) -> None:
        self.add(ERROR, sheet, row, key, message, migration_id, header)

    def warn(self, sheet, row, key, message, migration_id=None, header=None) -> None:
        self.add(WARNING, sheet, row, key, message, migration_id, header)

    def is_bad(self, sheet: str, row: int) -> bool:
        return (sheet, row) in self.bad

    def rows(self, sheet: str) -> list[_Row]:
        """Parse every row of ``sheet``: each present column typed, each problem recorded."""
        table = self.tables.get(sheet)
        if table is None:
            return []
        # Per column once, not per cell: its key, whether it is plain text, and the outcome of
        # each value already seen (a national workbook repeats the same supplier, status,
        # category, email, amount or date thousands of times).
        columns = [
            (col, col.key, col.kind == schema.TEXT, {}) for col in table.spec.columns if col.key in table.letters
        ]
        out = []
        for raw in table.rows:
            values: dict[str, object] = {}
            get = raw.values.get
            for col, key, plain, seen in columns:
                value = get(key)
                if value is None:
                    values[key] = None
                    if col.required:
                        hint = _required_hint(col)
                        self.error(sheet, raw.row, key, f"This cell is empty but required. {hint}", _migration_id(raw))
                    continue
                if value.__class__ is str:
                    if plain and value not in EXCEL_ERRORS:
                        values[key] = value  # what _parse gives text in a text column, without the call
                        continue
                    memo = value
                else:
                    memo = _memo_key(value)
                if memo is None:
                    known = _outcome(col, value)
                else:
                    known = seen.get(memo)
                    if known is None:
                        known = seen[memo] = _outcome(col, value)
                typed, warning, bad = known
                values[key] = typed
                if bad:
                    self.error(sheet, raw.row, key, bad, _migration_id(raw))
                elif warning:
                    self.warn(sheet, raw.row, key, warning, _migration_id(raw))
            out.append(_Row(raw, values))
        return out


def _settings(check: _Checker) -> tuple[Settings, bool]:
    """The Settings sheet (key/value) as a Settings record, and whether it had an error."""
    table = check.tables.get("Settings")
    if table is None:
        return Settings(), False
    by_name = {}
    for s in schema.SETTINGS:
        by_name[schema.normalise(s.label)] = s
        by_name.setdefault(schema.normalise(s.key), s)
    values: dict[str, object] = {}
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
        setting = by_name.get(schema.normalise(_text(name)))
        if setting is None:
            known = ", ".join(s.label for s in schema.SETTINGS)
            check.warn(
                "Settings",
                raw.row,
                "setting",
                f"{_quote(name)} is not a setting docgen knows; it is ignored. Known settings: {known}.",
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
        col = schema.Column(setting.key, setting.label, setting.kind)
        try:
            values[setting.key], _ = _parse(col, value)
        except _Bad as bad:
            check.error("Settings", raw.row, "value", str(bad), header=setting.label)
            had_error = True
    settings = Settings(**values)
    if not settings.min_weeks <= settings.default_weeks <= settings.max_weeks:
        row = rows_of.get("default_weeks") or rows_of.get("min_weeks") or rows_of.get("max_weeks")
        label = schema.SETTINGS[[s.key for s in schema.SETTINGS].index("default_weeks")].label
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


def _address(*parts: object) -> tuple[str, ...]:
    lines: list[str] = []
    for part in parts:
        if part:
            lines.extend(line for line in str(part).split("\n") if line.strip())
    return tuple(lines)


@dataclass
class _Sheets:
    """Every sheet's parsed rows, and the lookups the cross-sheet checks share."""

    icbs: list[_Row]
    practices: list[_Row]
    migrations: list[_Row]
    contacts: list[_Row]
    suppliers: list[_Row]
    costs: list[_Row]
    blackouts: list[_Row]
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


def _check_duplicates(check: _Checker, data: _Sheets) -> None:
    """The later of two rows with the same key is the one reported."""

    def supplier_key(r: _Row):
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


def _check_practices(check: _Checker, data: _Sheets) -> None:
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


def _check_supplier_columns(check: _Checker, data: _Sheets, r: _Row, which: str, mid: str | None) -> None:
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
            f"{_quote(supplier)} is not on the Suppliers sheet (listed: {listed}). "
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
            f"{_quote(system)} is not a product of {canonical} on the Suppliers sheet "
            f"({canonical}: {', '.join(own)}). Choose the product that goes with the supplier.",
            mid,
        )
    else:
        r.values[sys_key] = match


def _check_migrations(check: _Checker, data: _Sheets) -> None:
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
        current = (v.get("current_supplier"), v.get("current_system"))
        new = (v.get("new_supplier"), v.get("new_system"))
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


def _check_contacts(check: _Checker, data: _Sheets) -> None:
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
                    f"{_quote(org)} looks like an ODS code but is not on the Practices sheet. "
                    "Correct the code, or add the practice.",
                )
            else:
                check.error(
                    "Contacts",
                    r.raw.row,
                    "organisation",
                    f"{_quote(org)} looks like an ICB code but is not on the ICBs sheet. "
                    "Correct the code, or add the ICB.",
                )
        elif org.casefold() not in data.supplier_names and org.strip().casefold() != partner:
            check.warn(
                "Contacts",
                r.raw.row,
                "organisation",
                f"{_quote(org)} is not a practice's ODS code, an ICB code, a supplier on the Suppliers sheet "
                "or the IT delivery partner in Settings, so this contact is on no letter or invitation. "
                "Correct the organisation.",
            )


def _check_costs_and_blackouts(check: _Checker, data: _Sheets) -> None:
    """Costs point at a real migration; blackouts are a real period with a known scope."""
    for r in data.costs:
        mid = r.values.get("migration_id")
        if mid and mid not in data.migration_ids:
            check.error(
                "Costs",
                r.raw.row,
                "migration_id",
                f"{_quote(mid)} is not a Migration ID on the Migrations sheet. Correct it, or delete the line.",
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
                f"{_quote(scope)} is not All, an ICB code on the ICBs sheet or an ODS code on the "
                "Practices sheet. Enter one of those.",
            )


def check_workbook(path: Path | str) -> ValidationReport:
    """Read and check the workbook at ``path``; return the valid records and every problem.

    Raises :class:`~docgen.errors.WorkbookError` only when the file cannot be read as a
    workbook at all (wrong format, damaged, password-protected, required sheets missing).
    Nothing here depends on the day of the run: the date checks that do (go-live in the
    past, busy periods) live in :mod:`docgen.plan.schedule`.
    """
    with gc_paused():  # see gc_paused: a fifth of the CPU on a national workbook
        return _check_workbook(path)


def _check_workbook(path: Path | str) -> ValidationReport:
    raw = read_workbook(path)
    check = _Checker(raw.tables)
    check.problems.extend(raw.problems)
    spec_of = {t.title: name for name, t in raw.tables.items()}
    for p in raw.problems:
        if p.is_error and p.row is not None and p.sheet in spec_of:
            check.bad.add((spec_of[p.sheet], p.row))

    settings, settings_bad = _settings(check)
    data = _Sheets(
        icbs=check.rows("ICBs"),
        practices=check.rows("Practices"),
        migrations=check.rows("Migrations"),
        contacts=check.rows("Contacts"),
        suppliers=check.rows("Suppliers"),
        costs=check.rows("Costs"),
        blackouts=check.rows("Blackouts"),
        settings=settings,
    )
    _check_duplicates(check, data)
    _check_practices(check, data)
    _check_migrations(check, data)
    _check_contacts(check, data)
    _check_costs_and_blackouts(check, data)
    if raw.unreadable:
        return ValidationReport(None, _sorted(check.problems, raw), set(data.migration_ids))
    batch, invalid = _build(check, data, settings_bad, str(raw.path))
    return ValidationReport(batch, _sorted(check.problems, raw), invalid)


def _record(cls, r: _Row, **fields):
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


def _build(check: _Checker, data: _Sheets, settings_bad: bool, source: str) -> tuple[Batch, set[str]]:
    """Keep the valid records; a migration is valid only if every row it depends on is:
    its own, its practice's, its ICB's, its costs', its practice's contacts', the blackouts
    that apply to it, its suppliers' and the Settings."""

    def good(sheet: str, rows: list[_Row]) -> list[_Row]:
        return [r for r in rows if not check.is_bad(sheet, r.raw.row)]

    def bad_keys(sheet: str, rows: list[_Row], key) -> set:
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
    )
    return batch, invalid


def _sorted(problems: list[Problem], raw) -> list[Problem]:
    order = {}
    for i, spec in enumerate(schema.SHEETS):
        table = raw.tables.get(spec.name)
        order[table.title if table else spec.name] = i

    def key(p: Problem):
        col = column_index_from_string(p.column) if p.column else 0
        return (order.get(p.sheet, len(order)), p.row or 0, col)

    return sorted(problems, key=key)


def load_batch(path: Path | str) -> Batch:
    """The workbook's records, or :class:`~docgen.errors.ValidationFailed` listing every
    problem when there is any error (the library's one-call entry point)."""
    report = check_workbook(path)
    if report.errors or report.batch is None:
        raise ValidationFailed(report.problems)
    return report.batch
