"""How long a decision holds: the first day it could change without new facts.

Only a few things in a decision move with the day it is made. Each is found here
as the dates on which it can change:

* a time window in a condition (``older_than``, ``within_last``, ``within_next``)
  closes or opens as the day passes a date of the case;
* an age (a virtual ``age`` field) changes on a birthday;
* the policy in force changes on the pack's next change date;
* a due date or next review that rolls with the day (see
  :class:`~riskreview.decision.RollingDue`) stops rolling when it reaches a fixed
  one beside it (found by assembly, which knows both).

Every candidate is a day on which something *could* change, so the earliest is a
safe ``stable_until``; a test evaluates every day before it and checks that
nothing did.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from riskreview._conditions import All, AnyOf, Cmp, FieldRef, Named, Node, Not, ParamRef, Quant
from riskreview._condnodes import CALENDAR_UNITS, add_months
from riskreview._reference import Reference
from riskreview.calendar import Calendar
from riskreview.decision import RollingDue

_WINDOWS = ("older_than", "within_last", "within_next")
_AGES = {"person.age": "date_of_birth", "child.age": "date_of_birth"}


def after(day: date, amount: int, unit: str, calendar: Calendar) -> date:
    """``amount`` ``unit`` (days, weeks or working days) after ``day`` (before it, if
    negative: a due date counted back from a release)."""
    if unit == "working_days":
        return calendar.add_working_days(day, amount)
    return day + timedelta(days=amount * (7 if unit == "weeks" else 1))


def shift(day: date, due: RollingDue, calendar: Calendar) -> date:
    """The due date ``due`` gives for a decision made on ``day``."""
    return after(day, due.amount, due.unit, calendar)


def first_day_reaching(as_of: date, due: RollingDue, limit: date, calendar: Calendar) -> date:
    """The first day after ``as_of`` on which the rolling due date reaches ``limit``."""
    day = as_of + timedelta(days=1)
    while shift(day, due, calendar) < limit:
        day += timedelta(days=1)
    return day


def first_after(as_of: date, candidates: Iterable[date | None]) -> date | None:
    """The earliest candidate after ``as_of`` (None when there is none)."""
    later = [d for d in candidates if d is not None and d > as_of]
    return min(later) if later else None


def time_tests(nodes: Iterable[Node]) -> tuple[tuple[Quant | None, Cmp], ...]:
    """The comparisons in ``nodes`` whose outcome can change with the day alone (a
    time window, an age), each with the list it reads items of (None for the case).
    Found once per policy period: most of a pack's conditions have none."""
    found: list[tuple[Quant | None, Cmp]] = []
    todo: list[tuple[Node, Quant | None]] = [(node, None) for node in nodes]
    while todo:
        node, within = todo.pop()
        if isinstance(node, All | AnyOf):
            todo.extend((item, within) for item in node.items)
        elif isinstance(node, Named | Not):
            todo.append((node.item, within))
        elif isinstance(node, Quant):
            todo.append((node.cond, node))
        elif isinstance(node, Cmp) and _moves(node):
            found.append((within if node.scope == "item" else None, node))
    return tuple(dict.fromkeys(found))


def _moves(node: Cmp) -> bool:
    ages = node.field.virtual in _AGES or (
        isinstance(node.value, FieldRef) and node.value.field.virtual in _AGES
    )
    return node.op in _WINDOWS or ages


def condition_flips(ref: Reference, tests: Iterable[tuple[Quant | None, Cmp]]) -> Iterator[date]:
    """Days on which one of ``tests`` (see :func:`time_tests`) could change its outcome."""
    for within, node in tests:
        scope = (ref.case,) if within is None else tuple(ref.lookup(ref.case, within.field) or ())
        if node.op in _WINDOWS:
            amounts = _amounts(ref, node.value.amount)
            for owner in scope:
                day = ref.lookup(owner, node.field)
                if isinstance(day, date):
                    yield from _window_flips(ref.calendar, node.op, node.value.unit, day, amounts)
        yield from _age_flips(ref, node.field.virtual, scope)
        if isinstance(node.value, FieldRef):
            yield from _age_flips(ref, node.value.field.virtual, (ref.case,))


def _amounts(ref: Reference, amount: Any) -> list[int]:
    """Every amount a window can take on the day (each row of a table whose key is unknown)."""
    if not isinstance(amount, ParamRef):
        return [int(amount)]
    value = ref.param(amount.name, ref.as_of)
    return [int(v) for v in value.values()] if isinstance(value, dict) else [int(value)]


def _window_flips(
    calendar: Calendar, op: str, unit: str, day: date, amounts: list[int]
) -> Iterator[date]:
    for amount in amounts:
        if unit == "working_days":
            # working days are counted in (day, as_of]: the count moves only on working
            # days, and around ``day`` a run of non-working days can move the edge by
            # up to a week, so the days around each edge are all candidates
            if op == "within_next":
                before = calendar.add_working_days(day, -amount)
                yield from (before + timedelta(days=k) for k in range(-7, 2))
                yield calendar.add_working_days(day, 1)
            else:
                yield calendar.add_working_days(day, amount + 1)
                if op == "within_last":
                    yield from (day + timedelta(days=k) for k in range(-7, 1))
            continue
        if unit in CALENDAR_UNITS:
            # the edge is as_of moved by whole months: it passes ``day`` around the day
            # ``day`` moved the other way (month ends clamp, so look a few days about)
            months = amount * (12 if unit == "years" else 1)
            centre = add_months(day, -months if op == "within_next" else months)
            yield from (centre + timedelta(days=k) for k in range(-4, 5))
            if op != "older_than":
                yield day
                yield day + timedelta(days=1)
            continue
        span = amount * (7 if unit == "weeks" else 1)
        if op == "older_than":
            yield day + timedelta(days=span + 1)
        elif op == "within_last":
            yield day
            yield day + timedelta(days=span + 1)
        else:
            yield day - timedelta(days=span)
            yield day + timedelta(days=1)


def _age_flips(ref: Reference, virtual: str | None, owners: Iterable[Any]) -> Iterator[date]:
    source = _AGES.get(virtual or "")
    if source is None:
        return
    for owner in owners:
        holder = getattr(owner, "person", None) if virtual == "person.age" else owner
        born = getattr(holder, source, None)
        if isinstance(born, date):
            yield _next_birthday(born, ref.as_of)


def _next_birthday(born: date, after: date) -> date:
    """The first day after ``after`` on which a person born on ``born`` is a year older
    (1 March in a year without 29 February, for those born on it)."""
    for year in (after.year, after.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:
            day = date(year, 3, 1)
        if day > after:
            return day
    return date(after.year + 2, 1, 1)  # not reached: a birthday falls within a year
