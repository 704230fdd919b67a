"""One cell's value typed by its column's kind: dates, times, whole numbers, money, Yes/No,
phone numbers, email addresses, postcodes and codes.

A value that cannot be read raises :class:`BadValue`, whose message is shown to the admin as
is: the value quoted, what it is not, and an example of what to type. Values are data,
never code: text such as ``{{ 7*7 }}`` or ``=HYPERLINK(...)`` is kept as that exact text.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.utils.datetime import from_excel

from docgen.workbook import schema
from docgen.workbook.cells import FormulaWithoutValue, is_excel_error

ODS_RE = re.compile(r"^[A-Z]\d{5}$")
ICB_RE = re.compile(r"^Q[A-Z0-9]{2}$")
SUB_ICB_RE = re.compile(r"^(?:[A-Z0-9]{3}|[A-Z0-9]{5})$")
POSTCODE_RE = re.compile(r"^(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})$")
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.I)
_WHOLE_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_AMOUNT = re.compile(r"-?\d+(?:\.\d+)?")
_NOT_DIGIT = re.compile(r"\D")
_SPACES = re.compile(r"\s+")
_AREA_CODE = re.compile(r"01\d1|011\d")
_DATE_SERIALS = (36526, 73050)  # 1 January 2000 to 31 December 2099, as Excel counts days

HINTS = {
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


class BadValue(Exception):
    """A cell value that cannot be read; the message is shown to the admin."""


def quote(value: object) -> str:
    """The value as the admin sees it in Excel, quoted and cut at 60 characters, for messages."""
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


def as_text(value: object) -> str:
    """Any cell value as the text a text column keeps: Yes/No, 12 not 12.0, 2026-06-15, 10:00."""
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
    raise BadValue(f"{quote(value)} is not a date. {HINTS[schema.DATE]}")


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
    raise BadValue(f"{quote(value)} is not a time. {HINTS[schema.TIME]}")


def whole_number_hint(bounds: tuple[int, int] | None) -> str:
    """What to type into a whole-number cell: any number, or one in ``bounds``."""
    return f"Enter a whole number from {bounds[0]} to {bounds[1]}." if bounds else HINTS[schema.INT]


def parse_int(value: object, bounds: tuple[int, int] | None = None) -> int:
    """A whole number from a number cell or text such as 6,500, within ``bounds`` (lowest,
    highest) when given, else not negative."""
    hint = whole_number_hint(bounds)
    if isinstance(value, dt.date):  # a date cell: Excel shows it as a date, not as its serial number
        raise BadValue(f"{quote(value)} is a date, not a whole number. {hint}")
    if isinstance(value, bool):
        raise BadValue(f"{quote(value)} is not a whole number. {hint}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        number = int(value.replace(",", ""))
    else:
        raise BadValue(f"{quote(value)} is not a whole number. {hint}")
    if bounds and not bounds[0] <= number <= bounds[1]:
        raise BadValue(f"{quote(value)} is outside the range docgen accepts here{_as_date(number)}. {hint}")
    if number < 0:
        raise BadValue(f"{quote(value)} is negative. {hint}")
    return number


def _as_date(number: int) -> str:
    """Words for a number that is a date of this century as Excel counts days (46188 is
    15/06/2026): a date typed into a cell formatted as a number shows as one."""
    if not _DATE_SERIALS[0] <= number <= _DATE_SERIALS[1]:
        return ""
    return f" (it looks like the date {quote(from_excel(number))[1:-1]} shown as a number)"


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
        raise BadValue(f"{quote(value)} is not an amount of money. {HINTS[schema.MONEY]}") from None
    if amount < 0:
        raise BadValue(f"{quote(value)} is negative. {HINTS[schema.MONEY]}")
    if amount != amount.quantize(Decimal("0.01")):
        raise BadValue(f"{quote(value)} has fractions of a penny. Round it to pounds and pence, such as 1250.00.")
    return amount.quantize(Decimal("0.01"))


def parse_yes_no(value: object) -> bool:
    """True or False from Yes/No, Y/N, TRUE/FALSE or 1/0."""
    if isinstance(value, bool):
        return value
    text = as_text(value).strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise BadValue(f"{quote(value)} is not Yes or No. {HINTS[schema.YESNO]}")


def format_phone(value: object) -> str:
    """A phone number as text; one Excel stored as a number gets its leading 0 back."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return as_text(value)
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


def parse_cell(col: schema.Column, value: object) -> tuple[object, str | None]:
    """The typed value of one cell, and a warning message if it looks wrong but is usable."""
    if isinstance(value, FormulaWithoutValue):
        raise BadValue(
            "This cell holds a formula that was never calculated, so it has no value to read. "
            "Open the workbook in Excel and save it (Excel calculates formulas when it saves), or type the value."
        )
    if is_excel_error(value):
        raise BadValue(f"The formula in this cell gives {value}. Fix the formula, or type the value.")
    return _PARSERS.get(col.kind, _parse_text)(col, value)


def _parse_text(col: schema.Column, value: object) -> tuple[str, None]:
    return as_text(value), None


def _parse_phone(col: schema.Column, value: object) -> tuple[str, str | None]:
    phone = format_phone(value)
    n = len(_NOT_DIGIT.sub("", phone))
    if not 10 <= n <= 13:
        return phone, f"{quote(phone)} does not look like a UK phone number. {HINTS[schema.PHONE]}"
    return phone, None


def _parse_email(col: schema.Column, value: object) -> tuple[str, None]:
    text = as_text(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not EMAIL_RE.match(text):
        raise BadValue(f"{quote(value)} is not an email address. {HINTS[schema.EMAIL]}")
    return text, None


def _parse_postcode(col: schema.Column, value: object) -> tuple[str, None]:
    compact = _SPACES.sub("", as_text(value).upper())
    if not POSTCODE_RE.match(compact):
        raise BadValue(f"{quote(value)} is not a UK postcode. {HINTS[schema.POSTCODE]}")
    return compact[:-3] + " " + compact[-3:], None


def _code_parser(pattern: re.Pattern, what: str, kind: str):
    """The parser of a code column (ODS, ICB, sub-ICB): upper case, spaces removed, checked."""

    def parse(col: schema.Column, value: object) -> tuple[str, None]:
        code = as_text(value).upper().replace(" ", "")
        if not pattern.match(code):
            raise BadValue(f"{quote(value)} is not {what}. {HINTS[kind]}")
        return code, None

    return parse


def _parse_choice(col: schema.Column, value: object) -> tuple[str, None]:
    text = as_text(value)
    if not col.choices:  # the list comes from the Suppliers sheet, checked later
        return text, None
    for choice in col.choices:
        if schema.normalise(choice) == schema.normalise(text):
            return choice, None
    raise BadValue(f"{quote(value)} is not one of: {', '.join(col.choices)}. Choose one from the list.")


#: How each kind of column is parsed (one lookup, not a chain of comparisons per cell).
_PARSERS = {
    schema.DATE: lambda col, value: (parse_date(value), None),
    schema.TIME: lambda col, value: (parse_time(value), None),
    schema.INT: lambda col, value: (parse_int(value, col.bounds), None),
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


def outcome(col: schema.Column, value: object) -> tuple[object, str | None, str | None]:
    """:func:`parse_cell` as data: (typed value, warning, None), or (None, None, the error)."""
    try:
        return (*parse_cell(col, value), None)
    except BadValue as bad:
        return None, None, str(bad)


def memo_key(value: Any) -> tuple | None:
    """The key under which :meth:`~docgen.workbook.checker.Checker.rows` remembers the
    outcome of a cell that is not text (an amount, a date), or None when equal values may
    not give the same outcome: 0.0 and -0.0 are equal but are different amounts, and
    aware or ambiguous datetimes equal to another may print differently."""
    cls = value.__class__
    if cls is int or (cls is float and value) or (cls is dt.datetime and value.tzinfo is None and not value.fold):
        return cls, value
    return None


def required_hint(col: schema.Column) -> str:
    """What to type into an empty required cell of ``col``."""
    if col.kind == schema.INT:
        return whole_number_hint(col.bounds)
    if col.kind in HINTS:
        return HINTS[col.kind]
    if col.choices:
        return f"Choose one of: {', '.join(col.choices)}."
    if col.kind == schema.CHOICE:
        return "Choose one from the list (it comes from the Suppliers sheet)."
    return f"Fill it in: {col.help[0].lower()}{col.help[1:]}" if col.help else "Fill it in."
