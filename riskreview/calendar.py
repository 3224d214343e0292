"""Working days on the England & Wales calendar.

Weekends and the bank holidays of England & Wales (from the ``holidays``
package, never typed by hand) are not working days. Counting conventions, used
by every deadline in riskreview:

* ``add_working_days(d, n)`` is the ``n``-th working day after ``d`` (``d`` itself
  never counts): a task set on a Friday with 1 working day is due on Monday.
* ``working_days_between(a, b)`` counts the working days in ``(a, b]``; it is
  negative when ``b`` is before ``a``.
* A date is *older than n working days* on ``as_of`` when more than ``n`` working
  days lie in ``(date, as_of]``, i.e. from the first working day after the deadline.

>>> from datetime import date
>>> cal = Calendar()
>>> cal.add_working_days(date(2026, 4, 2), 1)   # Maundy Thursday → Tuesday after Easter
datetime.date(2026, 4, 7)
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import attrs
import holidays as _holidays

from riskreview._args import check_date, check_whole
from riskreview.errors import ArgumentError

__all__ = ["Calendar", "DueStatus", "Status", "default_calendar"]

_SATURDAY = 5


class Status(StrEnum):
    """Where a due date stands against ``as_of``."""

    NOT_YET_DUE = "not_yet_due"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"


@attrs.frozen
class DueStatus:
    """A due date's status and its distance from ``as_of`` in working days (≥ 0)."""

    status: Status
    working_days: int


class _Years:
    """The bank holidays of some years: built whole, published once, never changed."""

    __slots__ = ("names", "weekday_set", "weekdays", "years")

    def __init__(self, years: frozenset[int], names: dict[date, str]) -> None:
        self.years = years
        self.names = names  # every bank holiday of those years, by date, in date order
        self.weekdays = tuple(d.toordinal() for d in names if d.weekday() < _SATURDAY)
        self.weekday_set = frozenset(self.weekdays)


class Calendar:
    """Working-day arithmetic for one jurisdiction's bank holidays.

    ``country`` and ``subdiv`` are ``holidays`` package codes (default England).
    ``today`` is the clock used by :meth:`today`; inject one in tests.
    One Calendar may be shared by any number of threads.
    """

    def __init__(
        self,
        country: str = "GB",
        subdiv: str | None = "ENG",
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        if not isinstance(country, str) or not (subdiv is None or isinstance(subdiv, str)):
            raise ArgumentError(
                "Calendar takes a country code and a subdivision as text, such as "
                f"Calendar('GB', 'ENG'), got {type(country).__name__} and {type(subdiv).__name__}"
            )
        if not callable(today):
            raise ArgumentError(
                f"today must be a function returning a date, got {type(today).__name__}"
            )
        self.country = country
        self.subdiv = subdiv
        self._today = today
        self._lock = threading.Lock()  # one thread at a time fills the year cache
        self._source: Any = _holidays.country_holidays(country, subdiv=subdiv, years=[])
        self._covered = _Years(frozenset(), {})

    def today(self) -> date:
        """Today's date by this calendar's clock."""
        return self._today()

    def _cover(self, first: int, last: int) -> _Years:
        """The bank holidays of at least the years ``first - 1`` to ``last + 1``.

        Readers never wait: they use the published :class:`_Years`, which is never
        changed. A thread that needs more years fills them under the lock and then
        publishes a new one in a single assignment, so no reader sees a year listed
        whose holidays are not yet there.
        """
        covered = self._covered
        if covered.years.issuperset(range(first - 1, last + 2)):
            return covered
        with self._lock:
            covered = self._covered
            wanted = set(range(first - 1, last + 2)) - covered.years
            if wanted:
                for year in sorted(wanted):
                    self._source.update(
                        _holidays.country_holidays(self.country, subdiv=self.subdiv, years=year)
                    )
                names = {d: str(n) for d, n in sorted(self._source.items())}
                covered = _Years(covered.years | wanted, names)
                self._covered = covered
            return covered

    def holidays_between(self, start: date, end: date) -> dict[date, str]:
        """Bank holidays in ``[start, end]`` with their names."""
        if type(start) is not date:
            check_date("start", start)
        if type(end) is not date:
            check_date("end", end)
        covered = self._cover(start.year, end.year)
        return {d: n for d, n in covered.names.items() if start <= d <= end}

    def is_working_day(self, day: date) -> bool:
        """True on a weekday that is not a bank holiday."""
        if type(day) is not date:
            check_date("day", day)
        if day.weekday() >= _SATURDAY:
            return False
        covered = self._covered
        if day.year not in covered.years:
            covered = self._cover(day.year, day.year)
        return day.toordinal() not in covered.weekday_set

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (before it, if negative)."""
        if type(start) is not date:
            check_date("start", start)
        if type(count) is not int:
            check_whole("count", count, minimum=-(2**31))
        if count > 0:
            return self._forward(start, count)
        remaining = -count
        day = start
        while remaining:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def _forward(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``count`` > 0), by arithmetic:
        jump ``count`` weekdays, then as many more as bank holidays were jumped over,
        until none was (each jump lands on a weekday and never passes the answer)."""
        first = start.toordinal()
        base = reached = _weekdays_upto(first)  # weekdays up to the day reached so far
        short = count
        while True:
            reached += short
            weeks, rest = divmod(reached - 1, 5)  # the ``reached``-th weekday's ordinal
            day = weeks * 7 + rest + 1
            holidays = self._cover(start.year, date.fromordinal(day).year).weekdays
            lost = bisect.bisect_right(holidays, day) - bisect.bisect_right(holidays, first)
            short = count - (reached - base - lost)
            if short == 0:
                return date.fromordinal(day)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; minus those in ``(end, start]`` when end < start."""
        if type(start) is not date:
            check_date("start", start)
        if type(end) is not date:
            check_date("end", end)
        if end < start:
            return -self.working_days_between(end, start)
        holidays = self._cover(start.year, end.year).weekdays
        weekdays = _weekdays_upto(end.toordinal()) - _weekdays_upto(start.toordinal())
        lo = bisect.bisect_right(holidays, start.toordinal())
        hi = bisect.bisect_right(holidays, end.toordinal())
        return weekdays - (hi - lo)

    def status(self, due: date, as_of: date) -> DueStatus:
        """Whether ``due`` is not yet due, due today or overdue on ``as_of``.

        Overdue from the day after the due date; the distance counts working days.
        """
        if type(due) is not date:
            check_date("due", due)
        if type(as_of) is not date:
            check_date("as_of", as_of)
        if due == as_of:
            return DueStatus(Status.DUE_TODAY, 0)
        if due > as_of:
            return DueStatus(Status.NOT_YET_DUE, self.working_days_between(as_of, due))
        return DueStatus(Status.OVERDUE, self.working_days_between(due, as_of))


def _weekdays_upto(ordinal: int) -> int:
    """Weekdays among ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


_DEFAULT: Calendar | None = None
_DEFAULT_LOCK = threading.Lock()


def default_calendar() -> Calendar:
    """The shared England & Wales calendar (one instance, whichever thread asks first)."""
    global _DEFAULT  # noqa: PLW0603 - one lazily built shared instance
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = Calendar()
    return _DEFAULT
