"""Working days on the England & Wales calendar, checked against the holidays package itself."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from functools import cache
from typing import Any

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskreview.calendar import Calendar, DueStatus, Status, default_calendar

# ---------------------------------------------------------------- the oracle
# Bank holidays come from the holidays package directly, never from a typed list,
# and working days are counted one date at a time.

ORACLE_YEARS = range(1995, 2056)


@cache
def bank_holidays(subdiv: str = "ENG") -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=subdiv, years=ORACLE_YEARS)


def is_working_day(day: date, subdiv: str = "ENG") -> bool:
    return day.weekday() < 5 and day not in bank_holidays(subdiv)


def count_working_days(start: date, end: date, subdiv: str = "ENG") -> int:
    """Working days in (start, end], negative when end is before start: one day at a time."""
    if end < start:
        return -count_working_days(end, start, subdiv)
    days = (end - start).days
    return sum(is_working_day(start + timedelta(i), subdiv) for i in range(1, days + 1))


def nth_working_day_after(start: date, n: int) -> date:
    day = start
    while n:
        day += timedelta(1)
        n -= is_working_day(day)
    return day


def holiday_named(year: int, words: str) -> date:
    """The date of the holiday whose name contains ``words`` (exactly one)."""
    found = [d for d, name in bank_holidays().items() if d.year == year and words in name]
    assert len(found) == 1, (year, words, found)
    return found[0]


@pytest.fixture
def cal() -> Calendar:
    return Calendar()


SPANS = [
    (date(2026, 4, 1), date(2026, 4, 10)),  # Easter 2026
    (date(2025, 4, 16), date(2025, 4, 23)),  # Easter 2025
    (date(2027, 3, 24), date(2027, 4, 2)),  # Easter 2027 (Good Friday in March)
    (date(2026, 12, 23), date(2027, 1, 4)),  # Christmas on a Friday, Boxing Day on Saturday
    (date(2027, 12, 22), date(2028, 1, 5)),  # Christmas on Saturday, New Year on Saturday
    (date(2032, 12, 22), date(2033, 1, 5)),  # Christmas on Saturday
    (date(2021, 12, 23), date(2022, 1, 5)),  # Christmas on Saturday, New Year on Saturday
    (date(2022, 12, 23), date(2023, 1, 4)),  # Christmas on Sunday, New Year on Sunday
    (date(2022, 9, 16), date(2022, 9, 21)),  # a one-off bank holiday (state funeral)
    (date(2026, 5, 1), date(2026, 6, 1)),  # early May and spring bank holidays
    (date(2024, 2, 27), date(2024, 3, 4)),  # a leap day
    (date(2026, 3, 6), date(2026, 3, 9)),  # Friday to Monday
]


# ---------------------------------------------------------------- is_working_day


def test_good_friday_and_easter_monday_are_not_working_days(cal: Calendar) -> None:
    good_friday = holiday_named(2026, "Good Friday")
    easter_monday = holiday_named(2026, "Easter Monday")
    assert (good_friday, easter_monday) == (date(2026, 4, 3), date(2026, 4, 6))
    assert not cal.is_working_day(good_friday)
    assert not cal.is_working_day(easter_monday)
    assert cal.is_working_day(good_friday - timedelta(1))
    assert cal.is_working_day(easter_monday + timedelta(1))


def test_weekends_are_not_working_days(cal: Calendar) -> None:
    assert not cal.is_working_day(date(2026, 3, 7))
    assert not cal.is_working_day(date(2026, 3, 8))
    assert cal.is_working_day(date(2026, 3, 9))


@pytest.mark.parametrize("year", [2021, 2027, 2032])
def test_christmas_on_a_saturday_moves_both_holidays_to_monday_and_tuesday(
    cal: Calendar, year: int
) -> None:
    assert date(year, 12, 25).weekday() == 5
    observed = {d for d, name in bank_holidays().items() if d.year == year and "observed" in name}
    assert observed == {date(year, 12, 27), date(year, 12, 28)}
    assert not cal.is_working_day(date(year, 12, 27))
    assert not cal.is_working_day(date(year, 12, 28))
    assert cal.is_working_day(date(year, 12, 29))


def test_new_year_on_a_saturday_moves_to_monday(cal: Calendar) -> None:
    assert date(2028, 1, 1).weekday() == 5
    assert not cal.is_working_day(date(2028, 1, 3))
    assert cal.is_working_day(date(2028, 1, 4))
    assert cal.is_working_day(date(2027, 12, 31))


def test_every_day_of_a_decade_agrees_with_the_holidays_package(cal: Calendar) -> None:
    day = date(2024, 1, 1)
    while day < date(2034, 1, 1):
        assert cal.is_working_day(day) == is_working_day(day), day
        day += timedelta(1)


def test_holidays_between_lists_bank_holidays_with_their_names(cal: Calendar) -> None:
    found = cal.holidays_between(date(2027, 12, 20), date(2028, 1, 10))
    expected = {
        d: name
        for d, name in bank_holidays().items()
        if date(2027, 12, 20) <= d <= date(2028, 1, 10)
    }
    assert found == expected
    assert found[date(2027, 12, 27)] == "Christmas Day (observed)"
    assert list(found) == sorted(found)


def test_holidays_between_includes_both_ends(cal: Calendar) -> None:
    good_friday = holiday_named(2026, "Good Friday")
    assert list(cal.holidays_between(good_friday, good_friday)) == [good_friday]


# ---------------------------------------------------------------- add_working_days


def test_maundy_thursday_plus_one_working_day_is_the_tuesday_after_easter(cal: Calendar) -> None:
    assert cal.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_a_task_set_on_friday_with_one_working_day_is_due_on_monday(cal: Calendar) -> None:
    assert cal.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_the_start_day_never_counts(cal: Calendar) -> None:
    monday = date(2026, 3, 9)
    assert cal.add_working_days(monday, 1) == date(2026, 3, 10)
    assert cal.add_working_days(monday, 5) == date(2026, 3, 16)


def test_zero_working_days_is_the_start_day_even_on_a_holiday(cal: Calendar) -> None:
    christmas = date(2026, 12, 25)
    assert cal.add_working_days(christmas, 0) == christmas


@pytest.mark.parametrize(
    ("start", "count", "due"),
    [
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # Boxing Day observed on Monday 28th
        (date(2027, 12, 24), 1, date(2027, 12, 29)),  # both holidays observed Mon 27, Tue 28
        (date(2032, 12, 24), 1, date(2032, 12, 29)),
        (date(2027, 12, 31), 1, date(2028, 1, 4)),  # New Year observed on Monday 3rd
        (date(2025, 12, 31), 1, date(2026, 1, 2)),  # across the year boundary
        (date(2026, 12, 23), 5, date(2027, 1, 4)),  # 24, 29, 30, 31 Dec, 4 Jan
    ],
)
def test_christmas_and_new_year_are_skipped(
    cal: Calendar, start: date, count: int, due: date
) -> None:
    assert cal.add_working_days(start, count) == due
    assert nth_working_day_after(start, count) == due


@pytest.mark.parametrize(("first", "last"), SPANS)
def test_add_working_days_agrees_with_the_oracle(cal: Calendar, first: date, last: date) -> None:
    day = first
    while day <= last:
        for n in range(12):
            assert cal.add_working_days(day, n) == nth_working_day_after(day, n), (day, n)
        day += timedelta(1)


def test_negative_count_goes_back(cal: Calendar) -> None:
    assert cal.add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 2)
    assert cal.add_working_days(date(2028, 1, 4), -1) == date(2027, 12, 31)


@settings(max_examples=100, database=None, deadline=None)
@given(
    a=st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 12, 31)),
    n=st.integers(min_value=1, max_value=100),
)
def test_going_back_n_working_days_leaves_n_working_days_before_the_start(a: date, n: int) -> None:
    # counting back, the start is excluded and the day reached is included: [back, a)
    back = default_calendar().add_working_days(a, -n)
    assert is_working_day(back)
    assert count_working_days(back, a) - is_working_day(a) + 1 == n


@pytest.mark.parametrize("count", [1, 2, 5, 10, 20])
def test_the_result_is_a_working_day(cal: Calendar, count: int) -> None:
    for first, last in SPANS:
        day = first
        while day <= last:
            assert is_working_day(cal.add_working_days(day, count))
            assert is_working_day(cal.add_working_days(day, -count))
            day += timedelta(1)


# ---------------------------------------------------------------- working_days_between


@pytest.mark.parametrize(("first", "last"), SPANS)
def test_working_days_between_counts_the_half_open_interval(
    cal: Calendar, first: date, last: date
) -> None:
    days = [first + timedelta(i) for i in range((last - first).days + 1)]
    for a in days:
        for b in days:
            assert cal.working_days_between(a, b) == count_working_days(a, b), (a, b)


def test_the_start_is_excluded_and_the_end_included(cal: Calendar) -> None:
    monday, tuesday = date(2026, 3, 9), date(2026, 3, 10)
    assert cal.working_days_between(monday, monday) == 0
    assert cal.working_days_between(monday, tuesday) == 1
    assert cal.working_days_between(date(2026, 3, 6), date(2026, 3, 7)) == 0  # Fri → Sat


def test_working_days_between_is_negative_when_reversed(cal: Calendar) -> None:
    assert cal.working_days_between(date(2026, 4, 7), date(2026, 4, 2)) == -1
    assert cal.working_days_between(date(2027, 1, 4), date(2026, 12, 23)) == -5


def test_working_days_across_a_year_boundary(cal: Calendar) -> None:
    a, b = date(2025, 12, 15), date(2026, 1, 15)
    assert cal.working_days_between(a, b) == count_working_days(a, b)


def test_working_days_over_many_years(cal: Calendar) -> None:
    a, b = date(1996, 2, 29), date(2054, 11, 30)
    assert cal.working_days_between(a, b) == count_working_days(a, b)
    assert cal.working_days_between(b, a) == -count_working_days(a, b)


def test_a_fresh_calendar_answers_a_late_range_first(cal: Calendar) -> None:
    # the holiday table grows lazily; a query far from earlier ones must still be right
    assert cal.working_days_between(date(2050, 12, 20), date(2051, 1, 10)) == count_working_days(
        date(2050, 12, 20), date(2051, 1, 10)
    )
    assert cal.working_days_between(date(2000, 12, 20), date(2001, 1, 10)) == count_working_days(
        date(2000, 12, 20), date(2001, 1, 10)
    )


def test_another_subdivision_uses_its_own_holidays() -> None:
    scotland = Calendar(subdiv="SCT")
    assert (scotland.country, scotland.subdiv) == ("GB", "SCT")
    jan2 = date(2026, 1, 2)  # a Friday: a bank holiday in Scotland only
    assert not scotland.is_working_day(jan2)
    assert Calendar().is_working_day(jan2)
    a, b = date(2025, 12, 20), date(2026, 12, 31)
    assert scotland.working_days_between(a, b) == count_working_days(a, b, subdiv="SCT")
    assert scotland.working_days_between(a, b) != Calendar().working_days_between(a, b)


# ---------------------------------------------------------------- properties

_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 12, 31))


@settings(max_examples=200, database=None, deadline=None)
@given(a=_dates, n=st.integers(min_value=0, max_value=300))
def test_counting_back_the_working_days_added_gives_the_count(a: date, n: int) -> None:
    cal = default_calendar()
    assert cal.working_days_between(a, cal.add_working_days(a, n)) == n


@settings(max_examples=200, database=None, deadline=None)
@given(a=_dates, b=_dates)
def test_working_days_between_matches_a_count_day_by_day(a: date, b: date) -> None:
    cal = default_calendar()
    assert cal.working_days_between(a, b) == count_working_days(a, b)
    assert cal.working_days_between(b, a) == -cal.working_days_between(a, b)


@settings(max_examples=200, database=None, deadline=None)
@given(a=_dates, b=_dates, c=_dates)
def test_working_days_between_adds_up_over_consecutive_spans(a: date, b: date, c: date) -> None:
    cal = default_calendar()
    assert cal.working_days_between(a, c) == (
        cal.working_days_between(a, b) + cal.working_days_between(b, c)
    )


@settings(max_examples=200, database=None, deadline=None)
@given(a=_dates, n=st.integers(min_value=1, max_value=60))
def test_add_working_days_matches_the_oracle(a: date, n: int) -> None:
    assert default_calendar().add_working_days(a, n) == nth_working_day_after(a, n)


# ---------------------------------------------------------------- status


def test_a_due_date_equal_to_as_of_is_due_today(cal: Calendar) -> None:
    assert cal.status(date(2026, 4, 7), date(2026, 4, 7)) == DueStatus(Status.DUE_TODAY, 0)


def test_a_due_date_on_a_holiday_is_still_due_that_day(cal: Calendar) -> None:
    christmas = date(2026, 12, 25)
    assert cal.status(christmas, christmas).status is Status.DUE_TODAY


def test_a_future_due_date_is_not_yet_due_by_its_working_days(cal: Calendar) -> None:
    status = cal.status(date(2026, 4, 7), as_of=date(2026, 4, 2))
    assert status == DueStatus(Status.NOT_YET_DUE, 1)


def test_a_past_due_date_is_overdue_by_its_working_days(cal: Calendar) -> None:
    status = cal.status(date(2026, 12, 24), as_of=date(2026, 12, 29))
    assert status == DueStatus(Status.OVERDUE, 1)
    assert cal.status(date(2026, 3, 2), as_of=date(2026, 3, 16)) == DueStatus(Status.OVERDUE, 10)


def test_overdue_from_the_day_after_even_when_no_working_day_has_passed(cal: Calendar) -> None:
    friday, saturday = date(2026, 3, 6), date(2026, 3, 7)
    assert cal.status(friday, as_of=saturday) == DueStatus(Status.OVERDUE, 0)
    assert cal.status(saturday, as_of=friday) == DueStatus(Status.NOT_YET_DUE, 0)


@pytest.mark.parametrize(("first", "last"), SPANS[:6])
def test_status_distances_agree_with_the_oracle(cal: Calendar, first: date, last: date) -> None:
    days = [first + timedelta(i) for i in range((last - first).days + 1)]
    for due in days:
        for as_of in days:
            status = cal.status(due, as_of)
            if due == as_of:
                assert status == DueStatus(Status.DUE_TODAY, 0)
            elif due > as_of:
                assert status == DueStatus(Status.NOT_YET_DUE, count_working_days(as_of, due))
            else:
                assert status == DueStatus(Status.OVERDUE, count_working_days(due, as_of))
            assert status.working_days >= 0


def test_status_values_are_their_json_spellings() -> None:
    assert [s.value for s in Status] == ["not_yet_due", "due_today", "overdue"]


# ---------------------------------------------------------------- today


def test_today_is_injectable() -> None:
    cal = Calendar(today=lambda: date(2026, 4, 2))
    assert cal.today() == date(2026, 4, 2)
    assert cal.status(date(2026, 4, 7), cal.today()) == DueStatus(Status.NOT_YET_DUE, 1)


def test_the_injected_clock_is_asked_each_time() -> None:
    days = iter([date(2026, 4, 2), date(2026, 4, 8)])
    cal = Calendar(today=lambda: next(days))
    assert cal.today() == date(2026, 4, 2)
    assert cal.today() == date(2026, 4, 8)


def test_today_defaults_to_the_system_date() -> None:
    before = date.today()
    today = Calendar().today()
    assert before <= today <= date.today()


def test_the_default_calendar_is_one_shared_england_calendar() -> None:
    cal = default_calendar()
    assert cal is default_calendar()
    assert (cal.country, cal.subdiv) == ("GB", "ENG")


# ---------------------------------------------------------------- threads


def test_filling_a_new_year_does_not_hold_up_answers_about_years_already_filled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # one thread is stopped inside the holidays package, filling 2040, while this
    # thread asks about 2026; it must be answered from the years already filled
    cal = Calendar()
    assert not cal.is_working_day(date(2026, 12, 25))  # fills 2025-2027
    entered, release = threading.Event(), threading.Event()
    held_up: list[bool] = []
    real = holidays.country_holidays

    def slow(*args: Any, **kwargs: Any) -> holidays.HolidayBase:
        if threading.current_thread() is filler and kwargs.get("years") == 2040:
            entered.set()
            held_up.append(not release.wait(timeout=10))
        return real(*args, **kwargs)

    monkeypatch.setattr(holidays, "country_holidays", slow)
    filler = threading.Thread(target=cal.is_working_day, args=(date(2040, 12, 25),))
    filler.start()
    try:
        assert entered.wait(timeout=10)
        assert not cal.is_working_day(date(2026, 12, 25))
        assert list(cal.holidays_between(date(2026, 12, 24), date(2026, 12, 31))) == [
            date(2026, 12, 25),
            date(2026, 12, 26),  # Boxing Day, a Saturday,
            date(2026, 12, 28),  # observed on the Monday
        ]
        assert cal.add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
    finally:
        release.set()
        filler.join()
    assert held_up == [False]
    assert not cal.is_working_day(date(2040, 12, 25))
    assert cal.working_days_between(date(2040, 12, 20), date(2041, 1, 5)) == count_working_days(
        date(2040, 12, 20), date(2041, 1, 5)
    )
