"""Babel-backed filters for letters: dates, times, money and counts in an explicit locale.

Nothing here reads a global locale: every function takes ``locale`` (default ``en_GB``),
and :func:`filters` binds one locale for a jinja environment.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.dates import DateTimePattern, format_time, parse_pattern
from babel.numbers import format_currency, format_decimal
from jinja2 import Undefined

from docgen.errors import FormatError

DEFAULT_LOCALE = "en_GB"

# NHS letters write "Tuesday 31 March 2026" (no comma, unlike Babel's en_GB "full").
# Parsed once: a letter prints dozens of dates and Babel re-parses a pattern string each call.
_LONG = parse_pattern("d MMMM y")
_DAY = parse_pattern("EEEE d MMMM y")
_SHORT = parse_pattern("dd/MM/yyyy")
_DAY_MONTH = parse_pattern("d MMMM")
_MONTH = parse_pattern("MMM y")
_RANGE_DASH = "\u2013"  # an en dash, as ranges are set in print
_TIME = "HH:mm"


def check_locale(locale: str | Locale) -> Locale:
    """The Babel locale for ``locale``, or a :class:`FormatError` saying how to fix it."""
    if isinstance(locale, Locale):
        return locale
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError) as err:
        raise FormatError(
            f"Unknown locale {locale!r} for dates and money. Use a locale such as en_GB or cy_GB."
        ) from err


def _describe(value: object) -> str:
    if value is None or value == "":
        return "nothing (the value is empty)"
    return f"{value!r} ({type(value).__name__})"


def _as_date(value: object, filter_name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise FormatError(f"{filter_name} needs a date but was given {_describe(value)}.")


# (pattern name, date, locale) -> text. Schedules, calendar invitations and email drafts
# print the same few hundred dates thousands of times over a national batch, and Babel
# takes tens of microseconds a date; bounded, in case a caller prints every day there is.
_DATES: dict[tuple[str, dt.date, str | Locale], str] = {}


def _format_date(pattern: DateTimePattern, value: dt.date, name: str, locale: str | Locale) -> str:
    if isinstance(value, Undefined):
        return str(value)  # a missing field: StrictUndefined raises its own error here
    day = _as_date(value, name)
    key = (name, day, locale)
    try:
        return _DATES[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable locale object: no remembering
        return pattern.apply(day, check_locale(locale))
    if len(_DATES) > 20_000:
        _DATES.clear()
    text = _DATES[key] = pattern.apply(day, check_locale(locale))
    return text


def longdate(value: dt.date, *, locale: str | Locale = DEFAULT_LOCALE) -> str:
    """A date as letters write it: ``31 March 2026``."""
    return _format_date(_LONG, value, "longdate", locale)


def daydate(value: dt.date, *, locale: str | Locale = DEFAULT_LOCALE) -> str:
    """A date with its weekday, for meetings: ``Tuesday 31 March 2026``."""
    return _format_date(_DAY, value, "daydate", locale)


def shortdate(value: dt.date, *, locale: str | Locale = DEFAULT_LOCALE) -> str:
    """A compact date for tables: ``31/03/2026``."""
    return _format_date(_SHORT, value, "shortdate", locale)


def monthyear(value: dt.date, *, locale: str | Locale = DEFAULT_LOCALE) -> str:
    """A month in a chart or a table heading: ``Mar 2027`` (``Sept 2027`` in en_GB, as
    the locale abbreviates it)."""
    return _format_date(_MONTH, value, "monthyear", locale)


def daterange(start: dt.date, end: dt.date, *, locale: str | Locale = DEFAULT_LOCALE) -> str:
    """A span of days, in one style everywhere: ``10–12 February 2027``, ``29 March –
    2 April 2027``, ``29 December 2026 – 2 January 2027``; one day is ``longdate``."""
    if isinstance(start, Undefined):
        return str(start)
    if isinstance(end, Undefined):
        return str(end)
    first, last = _as_date(start, "daterange"), _as_date(end, "daterange")
    if last <= first:
        return longdate(first, locale=locale)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{_RANGE_DASH}{longdate(last, locale=locale)}"
    if first.year == last.year:
        head = _format_date(_DAY_MONTH, first, "daterange", locale)
        return f"{head} {_RANGE_DASH} {longdate(last, locale=locale)}"
    return f"{longdate(first, locale=locale)} {_RANGE_DASH} {longdate(last, locale=locale)}"


def time24(value: dt.time, *, locale: str | Locale = DEFAULT_LOCALE) -> str:
    """A 24-hour clock time: ``10:00``."""
    if isinstance(value, Undefined):
        return str(value)
    if isinstance(value, dt.datetime):
        value = value.time()
    if not isinstance(value, dt.time):
        raise FormatError(f"time24 needs a time but was given {_describe(value)}.")
    return format_time(value, _TIME, locale=check_locale(locale))


def _as_decimal(value: object, filter_name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise FormatError(f"{filter_name} needs a number but was given {_describe(value)}.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FormatError(f"{filter_name} needs a finite number but was given {value!r}.")
        # str() gives the shortest repr, so 0.1 stays 0.1 rather than 0.1000000000000000055...
        return Decimal(str(value))
    number = Decimal(value)
    if not number.is_finite():
        raise FormatError(f"{filter_name} needs a finite number but was given {value!r}.")
    return number


def money(amount: Decimal | int | float, currency: str = "GBP", *, locale: str | Locale = DEFAULT_LOCALE) -> str:
    """An amount in pounds with pence: ``£1,250.00`` (``-£1,250.00`` when negative)."""
    if isinstance(amount, Undefined):
        return str(amount)
    number = _as_decimal(amount, "money")
    try:
        # Half-up, as people round money (Babel's default is banker's rounding).
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation as err:
        raise FormatError(f"money cannot format {amount!r}: the amount is too large.") from err
    return format_currency(number, currency, locale=check_locale(locale))


def number(n: int | Decimal | float, *, locale: str | Locale = DEFAULT_LOCALE) -> str:
    """A number with thousands separators: ``6,250``. (Named so that jinja's own ``count``,
    a list's length, stays what template authors expect.)"""
    if isinstance(n, Undefined):
        return str(n)
    return format_decimal(_as_decimal(n, "number"), locale=check_locale(locale))


FILTERS: dict[str, Callable[..., str]] = {
    "longdate": longdate,
    "daydate": daydate,
    "shortdate": shortdate,
    "daterange": daterange,
    "time24": time24,
    "money": money,
    "number": number,
}


def filters(locale: str | Locale = DEFAULT_LOCALE) -> dict[str, Callable[..., str]]:
    """The filters bound to ``locale``, ready for ``environment.filters.update``."""
    parsed = check_locale(locale)
    return {name: _remembering(func, parsed) for name, func in FILTERS.items()}


def _remembering(func: Callable[..., str], locale: Locale) -> Callable[..., str]:
    """``func`` bound to ``locale``, remembering its answers: a batch prints the same
    dates and amounts in letter after letter, and Babel takes microseconds each time."""
    cache: dict[tuple[type, object], str] = {}

    def bound(value: object, *args: object) -> str:
        if args or isinstance(value, Undefined):
            return func(value, *args, locale=locale)
        key = (type(value), value)  # the type too: True == 1 but money(True) is an error
        try:
            return cache[key]
        except KeyError:
            pass
        except TypeError:  # unhashable: format it every time
            return func(value, locale=locale)
        result = cache[key] = func(value, locale=locale)
        if len(cache) > 50_000:
            cache.clear()
        return result

    bound.__name__, bound.__doc__ = func.__name__, func.__doc__
    return bound
