"""Working days in England: weekends and bank holidays, and go-live days to avoid.

Bank holidays come from the maintained ``holidays`` package (``holidays.UK(subdiv="ENG")``:
England and Wales, substitute days included), never from a hand-typed list. Years are
loaded on first use, so any year asked for is covered.

Conventions (all dates are ``datetime.date``):

* ``add_working_days(d, n)``: for ``n > 0`` the ``n``-th working day *after* ``d``; for
  ``n < 0`` the ``|n|``-th working day *before* ``d``; for ``n == 0`` ``d`` itself when it
  is a working day, else the next working day (so 0 never moves a working day).
* ``working_days_between(a, b)``: the working days after ``a`` up to and including ``b``
  (negative when ``b`` is before ``a``), so that
  ``working_days_between(d, add_working_days(d, n)) == n`` for any ``n > 0``.
* A go-live day is *acceptable* when it is a working day outside every given
  :class:`~docgen.records.Blackout` (start and end inclusive).
  ``nearest_acceptable_go_live`` picks the acceptable day nearest in calendar days;
  on a tie it picks the later one, because a later go-live only adds preparation time
  while an earlier one takes it away.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

import holidays

from docgen.records import Blackout

#: How far the go-live searches look before giving up (a Blackouts sheet that covers
#: years on end is a mistake in the workbook, not something to loop over).
SEARCH_LIMIT_DAYS = 730

_ONE_DAY = dt.timedelta(days=1)

#: How many ``add_working_days`` answers a calendar keeps (a batch asks far fewer).
_MAX_REMEMBERED = 100_000


class WorkingCalendar:
    """Working days (Monday to Friday, not an England and Wales bank holiday).

    Keeps the working days of the years loaded so far as a sorted list of ordinals, so
    adding or counting working days is a binary search, not a day-by-day loop; and
    remembers each ``add_working_days`` answer, since a batch asks the same few hundred
    (date, n) questions thousands of times (every migration going live on one date shares
    its whole go-live chain).
    """

    def __init__(self, subdiv: str = "ENG") -> None:
        self._subdiv = subdiv
        self._first_year: int | None = None
        self._last_year: int | None = None
        self._holidays: dict[dt.date, str] = {}
        self._working: list[int] = []  # ordinals of working days, sorted
        self._added: dict[tuple[dt.date, int], dt.date] = {}  # add_working_days answers

    # -- loading -------------------------------------------------------------------
    def _load(self, first_year: int, last_year: int) -> None:
        """Make sure the years ``first_year..last_year`` (and all between) are loaded."""
        first_year = max(dt.MINYEAR + 1, first_year)
        last_year = min(dt.MAXYEAR - 1, last_year)
        loaded = self._years()
        if loaded is not None and loaded[0] <= first_year and last_year <= loaded[1]:
            return
        if loaded is not None:
            first_year = min(first_year, loaded[0])
            last_year = max(last_year, loaded[1])
        new_years = [y for y in range(first_year, last_year + 1) if loaded is None or not (loaded[0] <= y <= loaded[1])]
        table = holidays.UK(subdiv=self._subdiv, years=new_years)
        self._holidays.update(table)
        self._first_year, self._last_year = first_year, last_year
        day = dt.date(first_year, 1, 1)
        end = dt.date(last_year, 12, 31)
        working = []
        while day <= end:
            if day.weekday() < 5 and day not in self._holidays:
                working.append(day.toordinal())
            day += _ONE_DAY
        self._working = working

    def _years(self) -> tuple[int, int] | None:
        """The first and last year loaded, or None before the first load."""
        if self._first_year is None or self._last_year is None:
            return None
        return self._first_year, self._last_year

    def _cover(self, d: dt.date, margin_years: int = 1) -> None:
        first, last = self._first_year, self._last_year
        if first is not None and last is not None and first <= d.year - margin_years and d.year + margin_years <= last:
            return  # the common case, kept cheap: it runs on every lookup
        self._load(d.year - margin_years, d.year + margin_years)

    def _extend_for_index(self, index: int) -> bool:
        """Load one more year at the side ``index`` falls off; False when it cannot."""
        loaded = self._years()
        if loaded is None:  # callers cover a date first, so this does not happen
            return False
        first, last = loaded
        if index < 0 and first > dt.MINYEAR + 1:
            self._load(first - 1, last)
            return True
        if index >= len(self._working) and last < dt.MAXYEAR - 1:
            self._load(first, last + 1)
            return True
        return False

    # -- working days ----------------------------------------------------------------
    def is_bank_holiday(self, d: dt.date) -> bool:
        """True on an England and Wales bank holiday (including a substitute day)."""
        self._cover(d, 0)
        return d in self._holidays

    def holiday_name(self, d: dt.date) -> str | None:
        """The bank holiday's name on ``d`` (``None`` on other days), for messages."""
        self._cover(d, 0)
        name = self._holidays.get(d)
        return _british_name(name) if name else None

    def is_working_day(self, d: dt.date) -> bool:
        """True on a Monday to Friday that is not a bank holiday."""
        return d.weekday() < 5 and not self.is_bank_holiday(d)

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``d`` (before it when ``n < 0``; see the module
        docstring for ``n == 0``), for deadlines counted in working days.

        Answers are remembered: loading more years never changes one, since the years
        loaded are always whole and contiguous."""
        key = (d, n)
        found = self._added.get(key)
        if found is None:
            if len(self._added) >= _MAX_REMEMBERED:
                self._added.clear()
            found = self._added[key] = self._add_working_days(d, n)
        return found

    def _add_working_days(self, d: dt.date, n: int) -> dt.date:
        self._cover(d)
        ordinal = d.toordinal()
        while True:
            if n > 0:
                index = bisect_right(self._working, ordinal) + n - 1
            elif n < 0:
                index = bisect_left(self._working, ordinal) + n
            else:
                index = bisect_left(self._working, ordinal)
            if 0 <= index < len(self._working):
                return dt.date.fromordinal(self._working[index])
            if not self._extend_for_index(index):
                raise OverflowError(f"{n} working days from {d.isoformat()} is outside the calendar")

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """The working days after ``a`` up to and including ``b`` (negative if ``b < a``):
        how much notice a request sent on ``a`` gives for a date ``b``."""
        if b < a:
            return -self.working_days_between(b, a)
        self._load(a.year, b.year)
        return bisect_right(self._working, b.toordinal()) - bisect_right(self._working, a.toordinal())

    def on_or_after(self, d: dt.date) -> dt.date:
        """``d`` if it is a working day, else the next one (rounding a proposed date later)."""
        return self.add_working_days(d, 0)

    def on_or_before(self, d: dt.date) -> dt.date:
        """``d`` if it is a working day, else the previous one (rounding a proposed date earlier)."""
        return d if self.is_working_day(d) else self.add_working_days(d, -1)

    def bank_holidays(self, start_year: int, end_year: int) -> list[tuple[dt.date, str]]:
        """The days off in ``start_year..end_year`` with their names, in date order.

        A holiday that falls on a weekend is left out: its substitute day (named
        "... (substitute day)", as GOV.UK does) is the day off.
        """
        if end_year < start_year:
            return []
        self._load(start_year, end_year)
        return [
            (d, _british_name(name))
            for d, name in sorted(self._holidays.items())
            if start_year <= d.year <= end_year and d.weekday() < 5
        ]

    # -- go-live days ----------------------------------------------------------------
    def blackout_on(self, d: dt.date, blackouts: Iterable[Blackout]) -> Blackout | None:
        """The first blackout covering ``d``, if any, so a message can name its reason."""
        for b in blackouts:
            if b.start <= d <= b.end:
                return b
        return None

    def is_acceptable_go_live(self, d: dt.date, blackouts: Iterable[Blackout] = ()) -> bool:
        """True when ``d`` is a working day outside every blackout: a day a practice can go live."""
        return self.is_working_day(d) and self.blackout_on(d, blackouts) is None

    def next_acceptable_go_live(self, d: dt.date, blackouts: Iterable[Blackout] = ()) -> dt.date | None:
        """The first acceptable go-live on or after ``d`` (``None`` if the blackouts cover
        the next two years), to suggest a later date."""
        return self._search(d, tuple(blackouts), forward=True)

    def previous_acceptable_go_live(self, d: dt.date, blackouts: Iterable[Blackout] = ()) -> dt.date | None:
        """The last acceptable go-live on or before ``d`` (``None`` if none in two years),
        to suggest an earlier date."""
        return self._search(d, tuple(blackouts), forward=False)

    def nearest_acceptable_go_live(self, d: dt.date, blackouts: Iterable[Blackout] = ()) -> dt.date | None:
        """The acceptable go-live nearest to ``d`` in calendar days, the later one on a tie,
        to suggest the smallest change to an agreed date."""
        blackouts = tuple(blackouts)
        later = self._search(d, blackouts, forward=True)
        earlier = self._search(d, blackouts, forward=False)
        if earlier is None or later is None:
            return later or earlier
        return earlier if (d - earlier) < (later - d) else later

    def _search(self, d: dt.date, blackouts: tuple[Blackout, ...], *, forward: bool) -> dt.date | None:
        limit = d + dt.timedelta(days=SEARCH_LIMIT_DAYS if forward else -SEARCH_LIMIT_DAYS)
        day = self.on_or_after(d) if forward else self.on_or_before(d)
        while (day <= limit) if forward else (day >= limit):
            blocking = self.blackout_on(day, blackouts)
            if blocking is None:
                return day
            if (blocking.end >= limit) if forward else (blocking.start <= limit):
                return None
            # jump past the whole blackout rather than walking it day by day
            day = self.on_or_after(blocking.end + _ONE_DAY) if forward else self.on_or_before(blocking.start - _ONE_DAY)
        return None


def _british_name(name: str) -> str:
    # The package says "(observed)"; GOV.UK and NHS staff say "(substitute day)".
    return name.replace("(observed)", "(substitute day)")
