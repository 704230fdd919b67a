"""Babel filters: British dates, times, pounds and counts, in an explicit locale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jinja2
import pytest

from docgen.errors import FormatError
from docgen.formats.docx.environment import make_environment
from docgen.formats.formatting import daterange, daydate, filters, longdate, money, monthyear, number, shortdate, time24


def test_dates_as_letters_write_them():
    day = dt.date(2026, 3, 31)
    assert longdate(day) == "31 March 2026"
    assert daydate(day) == "Tuesday 31 March 2026"
    assert shortdate(day) == "31/03/2026"
    assert shortdate(dt.date(2027, 1, 4)) == "04/01/2027"
    assert longdate(dt.datetime(2026, 12, 28, 9, 30)) == "28 December 2026"  # noqa: DTZ001 - workbook times are local


def test_locale_is_a_parameter_not_a_global():
    day = dt.date(2026, 3, 31)
    assert longdate(day, locale="cy_GB") == "31 Mawrth 2026"
    assert longdate(day) == "31 March 2026"
    assert filters("cy_GB")["daydate"](day) == "Dydd Mawrth 31 Mawrth 2026"


def test_time_on_the_24_hour_clock():
    assert time24(dt.time(10, 0)) == "10:00"
    assert time24(dt.time(14, 5)) == "14:05"
    assert time24(dt.datetime(2026, 3, 31, 9, 0)) == "09:00"  # noqa: DTZ001 - workbook times are local


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1250"), "£1,250.00"),
        (1250, "£1,250.00"),
        (0.1 + 0.2, "£0.30"),
        (Decimal("2.675"), "£2.68"),  # half up, as people round money
        (Decimal("-1250.5"), "-£1,250.50"),
        (0, "£0.00"),
        (Decimal("1234567.891"), "£1,234,567.89"),
    ],
)
def test_money_in_pounds_and_pence(amount, shown):
    assert money(amount) == shown


def test_numbers_have_thousands_separators():
    assert number(6250) == "6,250"
    assert number(Decimal("12000")) == "12,000"
    assert number(7) == "7"


def test_jinjas_own_count_is_a_lists_length_again():
    env = jinja2.Environment()
    env.filters.update(filters())
    assert env.from_string("{{ xs|count }} / {{ n|number }}").render(xs=[1, 2, 3], n=6250) == "3 / 6,250"


def test_date_ranges_read_one_way_everywhere():
    D = dt.date
    assert daterange(D(2027, 2, 10), D(2027, 2, 12)) == "10\u201312 February 2027"
    assert daterange(D(2027, 3, 1), D(2027, 3, 31)) == "1\u201331 March 2027"
    assert daterange(D(2027, 3, 29), D(2027, 4, 2)) == "29 March \u2013 2 April 2027"
    assert daterange(D(2026, 12, 29), D(2027, 1, 2)) == "29 December 2026 \u2013 2 January 2027"
    assert daterange(D(2027, 3, 1), D(2027, 3, 1)) == "1 March 2027"


@pytest.mark.parametrize(
    ("func", "value", "message"),
    [
        (longdate, None, "longdate needs a date but was given nothing (the value is empty)."),
        (daydate, "2026-03-31", "daydate needs a date but was given '2026-03-31' (str)."),
        (shortdate, "", "shortdate needs a date but was given nothing (the value is empty)."),
        (time24, "10am", "time24 needs a time but was given '10am' (str)."),
        (money, None, "money needs a number but was given nothing (the value is empty)."),
        (money, True, "money needs a number but was given True (bool)."),
        (money, float("nan"), "money needs a finite number but was given nan."),
        (number, "6250", "number needs a number but was given '6250' (str)."),
    ],
)
def test_wrong_values_are_refused_with_a_clear_message(func, value, message):
    with pytest.raises(FormatError) as caught:
        func(value)
    assert str(caught.value) == message


def test_unknown_locale_is_refused():
    with pytest.raises(FormatError) as caught:
        filters("xx_YY")
    assert str(caught.value) == "Unknown locale 'xx_YY' for dates and money. Use a locale such as en_GB or cy_GB."


def test_registered_filters_render_in_a_template_and_remember_safely():
    env = make_environment("en_GB")
    template = env.from_string("{{ d|longdate }} | {{ d|shortdate }} | {{ a|money }} | {{ n|number }} | {{ t|time24 }}")
    values = {"d": dt.date(2026, 3, 31), "a": Decimal("1250"), "n": 6250, "t": dt.time(10, 0)}
    assert template.render(values) == "31 March 2026 | 31/03/2026 | £1,250.00 | 6,250 | 10:00"
    # Remembered answers are keyed by type too: after money(1), money(True) is still an error.
    assert env.from_string("{{ 1|money }}").render() == "£1.00"
    with pytest.raises(FormatError):
        env.from_string("{{ x|money }}").render(x=True)
    assert env.from_string("{{ x|money('EUR') }}").render(x=5) == "€5.00"


def test_monthyear_names_a_month_as_the_locale_abbreviates_it():
    assert monthyear(dt.date(2027, 3, 31)) == "Mar 2027"
    assert monthyear(dt.date(2027, 9, 1)) == "Sept 2027"  # en_GB's own abbreviation
    assert monthyear(dt.date(2027, 9, 1), locale="cy_GB") == "Medi 2027"
    with pytest.raises(FormatError, match="monthyear needs a date"):
        monthyear("2027-03")
