"""Working days, bank holidays and acceptable go-live days (docgen.plan.calendar)."""

from __future__ import annotations

import datetime as dt

import pytest

from docgen.plan.calendar import WorkingCalendar
from docgen.records import Blackout

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# The dates DOMAIN.md and the issue name, substitute days included.
KNOWN_BANK_HOLIDAYS = [
    (D(2026, 4, 3), "Good Friday"),
    (D(2026, 4, 6), "Easter Monday"),
    (D(2026, 5, 4), "May Day"),
    (D(2026, 5, 25), "Spring Bank Holiday"),
    (D(2026, 8, 31), "Late Summer Bank Holiday"),
    (D(2026, 12, 25), "Christmas Day"),
    (D(2026, 12, 28), "Boxing Day (substitute day)"),
    (D(2027, 12, 27), "Christmas Day (substitute day)"),
    (D(2027, 12, 28), "Boxing Day (substitute day)"),
    (D(2028, 1, 3), "New Year's Day (substitute day)"),
]


@pytest.mark.parametrize(("day", "name"), KNOWN_BANK_HOLIDAYS, ids=[d.isoformat() for d, _ in KNOWN_BANK_HOLIDAYS])
def test_known_bank_holidays_are_not_working_days(cal, day, name):
    assert day.weekday() < 5  # each is a weekday that is still a day off
    assert cal.is_bank_holiday(day)
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day) == name


def test_bank_holidays_lists_the_days_off_with_names(cal):
    listed = cal.bank_holidays(2026, 2028)
    for day, name in KNOWN_BANK_HOLIDAYS:
        assert (day, name) in listed
    assert listed == sorted(listed)
    # Boxing Day 2026 falls on a Saturday: the day off is the substitute Monday, not the Saturday.
    assert D(2026, 12, 26) not in [d for d, _ in listed]
    assert [d for d, _ in cal.bank_holidays(2026, 2026)] == [
        D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4),
        D(2026, 5, 25), D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28),
    ]  # fmt: skip
    assert cal.bank_holidays(2027, 2026) == []


def test_weekends_and_ordinary_weekdays(cal):
    assert not cal.is_working_day(D(2026, 3, 7))  # Saturday
    assert not cal.is_working_day(D(2026, 3, 8))  # Sunday
    assert cal.is_working_day(D(2026, 3, 10))  # Tuesday
    assert not cal.is_bank_holiday(D(2026, 3, 10))
    assert cal.holiday_name(D(2026, 3, 10)) is None


def test_fifteen_working_days_over_christmas(cal):
    # Request on Monday 14 Dec 2026. Counting working days after it:
    # 15-18 Dec (4), 21-24 Dec (8; Fri 25 Christmas Day), Mon 28 Boxing Day substitute,
    # 29-31 Dec (11; Fri 1 Jan New Year's Day), 4-7 Jan (15) -> Thursday 7 January 2027.
    assert cal.add_working_days(D(2026, 12, 14), 15) == D(2027, 1, 7)
    assert cal.working_days_between(D(2026, 12, 14), D(2027, 1, 7)) == 15


def test_easter_weekend(cal):
    # Thu 2 Apr 2026; Good Friday 3, the weekend, Easter Monday 6 -> next working day Tue 7 Apr.
    assert cal.add_working_days(D(2026, 4, 2), 1) == D(2026, 4, 7)
    assert cal.add_working_days(D(2026, 4, 7), -1) == D(2026, 4, 2)
    assert cal.working_days_between(D(2026, 4, 2), D(2026, 4, 7)) == 1
    assert cal.working_days_between(D(2026, 4, 7), D(2026, 4, 2)) == -1


def test_zero_working_days_rolls_forward_only_off_a_working_day(cal):
    assert cal.add_working_days(D(2026, 4, 4), 0) == D(2026, 4, 7)  # Saturday of Easter -> Tuesday
    assert cal.add_working_days(D(2026, 4, 7), 0) == D(2026, 4, 7)
    assert cal.on_or_after(D(2026, 12, 25)) == D(2026, 12, 29)
    assert cal.on_or_before(D(2026, 12, 28)) == D(2026, 12, 24)
    assert cal.working_days_between(D(2026, 4, 7), D(2026, 4, 7)) == 0


def test_counting_from_a_weekend(cal):
    # From Saturday 7 Mar 2026 the first working day after is Monday 9 Mar; the first before is Fri 6.
    assert cal.add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 9)
    assert cal.add_working_days(D(2026, 3, 7), -1) == D(2026, 3, 6)
    assert cal.working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1
    assert cal.working_days_between(D(2026, 3, 7), D(2026, 3, 8)) == 0


def test_adding_and_counting_agree_over_three_years(cal):
    day = D(2026, 1, 1)
    while day < D(2029, 1, 1):
        for n in (1, 5, 15, 20):
            later = cal.add_working_days(day, n)
            assert cal.is_working_day(later)
            assert cal.working_days_between(day, later) == n
            assert cal.working_days_between(later, day) == -n
            earlier = cal.add_working_days(day, -n)
            assert cal.is_working_day(earlier)
            # n - 1 working days lie strictly between them, plus ``day`` itself if it is one.
            assert cal.working_days_between(earlier, day) == n - 1 + cal.is_working_day(day)
        day += dt.timedelta(days=3)


def test_any_year_is_covered_lazily():
    cal = WorkingCalendar()
    assert not cal.is_working_day(D(2040, 12, 25))
    assert cal.add_working_days(D(2026, 1, 2), 260 * 3) > D(2028, 12, 1)
    assert cal.add_working_days(D(2026, 1, 5), -260) < D(2025, 1, 10)
    assert (D(2035, 12, 25), "Christmas Day") in cal.bank_holidays(2035, 2035)


CHRISTMAS = Blackout(D(2026, 12, 14), D(2027, 1, 4), "Christmas and New Year")


def test_acceptable_go_live_days(cal):
    assert cal.is_acceptable_go_live(D(2026, 12, 11), [CHRISTMAS])
    assert not cal.is_acceptable_go_live(D(2026, 12, 14), [CHRISTMAS])  # first day of the blackout
    assert not cal.is_acceptable_go_live(D(2027, 1, 4), [CHRISTMAS])  # last day of the blackout
    assert cal.is_acceptable_go_live(D(2027, 1, 5), [CHRISTMAS])
    assert not cal.is_acceptable_go_live(D(2026, 8, 31))  # bank holiday, no blackouts
    assert cal.blackout_on(D(2026, 12, 20), [CHRISTMAS]) is CHRISTMAS


def test_next_previous_and_nearest_go_live(cal):
    assert cal.next_acceptable_go_live(D(2026, 12, 22), [CHRISTMAS]) == D(2027, 1, 5)
    assert cal.previous_acceptable_go_live(D(2026, 12, 22), [CHRISTMAS]) == D(2026, 12, 11)
    # 22 Dec: Friday 11 Dec is 11 days back, Tuesday 5 Jan 14 days on -> the earlier one.
    assert cal.nearest_acceptable_go_live(D(2026, 12, 22), [CHRISTMAS]) == D(2026, 12, 11)
    # 2 Jan: 5 Jan is 3 days on, 11 Dec 22 days back -> the later one.
    assert cal.nearest_acceptable_go_live(D(2027, 1, 2), [CHRISTMAS]) == D(2027, 1, 5)
    # Saturday 6 Jun 2026: Friday 5 is one day back, Monday 8 two days on.
    assert cal.nearest_acceptable_go_live(D(2026, 6, 6)) == D(2026, 6, 5)
    # An acceptable day is its own nearest.
    assert cal.nearest_acceptable_go_live(D(2026, 6, 9), [CHRISTMAS]) == D(2026, 6, 9)


def test_nearest_go_live_tie_goes_later(cal):
    one_day = [Blackout(D(2026, 6, 10), D(2026, 6, 10), "Staff training")]  # Wednesday
    assert cal.nearest_acceptable_go_live(D(2026, 6, 10), one_day) == D(2026, 6, 11)


def test_back_to_back_blackouts_are_jumped(cal):
    blackouts = [
        Blackout(D(2027, 1, 5), D(2027, 1, 31), "Flu clinics"),
        CHRISTMAS,
        Blackout(D(2027, 2, 1), D(2027, 3, 31), "QOF year end"),
    ]
    assert cal.next_acceptable_go_live(D(2026, 12, 20), blackouts) == D(2027, 4, 1)


def test_blackouts_covering_years_give_no_day(cal):
    forever = [Blackout(D(2026, 1, 1), D(2030, 12, 31), "Typo in the Blackouts sheet")]
    assert cal.next_acceptable_go_live(D(2026, 6, 1), forever) is None
    assert cal.previous_acceptable_go_live(D(2026, 6, 1), forever) == D(2025, 12, 31)
    assert cal.nearest_acceptable_go_live(D(2026, 6, 1), forever) == D(2025, 12, 31)


def test_remembered_answers_match_a_calendar_asked_in_another_order():
    """add_working_days remembers its answers: loading more years afterwards (on either
    side) must not make one wrong, nor must the order questions come in."""
    questions = [(D(2026, 1, 1) + dt.timedelta(days=k), n) for k in range(0, 800, 5) for n in (-20, -1, 0, 1, 15)]
    used = WorkingCalendar()
    first = [used.add_working_days(d, n) for d, n in questions]
    used.add_working_days(D(1995, 6, 1), 1)
    used.add_working_days(D(2060, 6, 1), -1)
    assert [used.add_working_days(d, n) for d, n in questions] == first
    other = WorkingCalendar()
    assert [other.add_working_days(d, n) for d, n in reversed(questions)] == first[::-1]


def test_a_full_memory_of_answers_starts_again(monkeypatch):
    import docgen.plan.calendar

    monkeypatch.setattr(docgen.plan.calendar, "_MAX_REMEMBERED", 3)
    cal, fresh = WorkingCalendar(), WorkingCalendar()
    days = [D(2026, 12, 24) + dt.timedelta(days=k) for k in range(10)]
    assert [cal.add_working_days(d, 1) for d in days] == [fresh.add_working_days(d, 1) for d in days]
    assert len(cal._added) <= 3
    assert cal.add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 29)  # Christmas, Boxing Day (substitute)
