"""How long a decision holds: the first day it could change without new facts.

Only a few things in a decision move with the day it is made. Each is found here
as the dates on which it can change:

* a time window in a condition (``older_than``, ``within_last``, ``within_next``)
  closes or opens as the day passes a date of the case;
* a derived value that reads the day changes only where a window or an age in its
  conditions does (:func:`derived_time_tests`); one that counts days to ``as_of``,
  or an ``age``, may change any day, and ends the span the next day;
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

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from riskreview._conditions import (
    All,
    AnyOf,
    Cmp,
    FieldRef,
    Named,
    Node,
    Not,
    Quant,
    walk,
)
from riskreview._condnodes import CALENDAR_UNITS, add_months
from riskreview._derivedefs import DerivedDef
from riskreview._reference import Reference, item_key, window_holds
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


#: a comparison whose outcome can change with the day alone, the list it reads items
#: of (None for the case), the conditions (of rules) it is part of, and that list's
#: key test (see :func:`~riskreview._reference.item_key`; None when it has none)
TimeTest = tuple[Quant | None, Cmp, tuple[Node, ...], Any]


def time_tests(nodes: Iterable[Node]) -> tuple[TimeTest, ...]:
    """The comparisons in ``nodes`` whose outcome can change with the day alone (a
    time window, an age), each with the list it reads items of (None for the case)
    and the nodes of ``nodes`` that hold it. Found once per policy period: most of a
    pack's conditions have none."""
    found: dict[tuple[Quant | None, Cmp], dict[int, Node]] = {}
    for top in nodes:
        todo: list[tuple[Node, Quant | None]] = [(top, None)]
        while todo:
            node, within = todo.pop()
            if isinstance(node, All | AnyOf):
                todo.extend((item, within) for item in node.items)
            elif isinstance(node, Named | Not):
                todo.append((node.item, within))
            elif isinstance(node, Quant):
                todo.append((node.cond, node))
            elif isinstance(node, Cmp) and _moves(node):
                key = (within if node.scope == "item" else None, node)
                found.setdefault(key, {})[id(top)] = top
    return tuple(
        (within, node, tuple(tops.values()), None if within is None else item_key(within))
        for (within, node), tops in found.items()
    )


def derived_time_tests(defs: Iterable[DerivedDef]) -> tuple[TimeTest, ...] | None:
    """The comparisons in the pack's derived values whose outcome can change with the
    day alone (see :func:`time_tests`), each held by the condition it is part of; a
    value's ``where`` is held as ``any`` of its list's items meeting it (its value is
    the same on two days on which no item meets it). A derived value can change only
    on a day one of them changes, so :func:`first_change` of them ends a decision's
    span. None when a value can change on any day: an ``age``, a span to ``as_of``,
    or a window inside a list test inside a ``where``."""
    nodes: list[Node] = []
    for d in defs:
        if not d.reads_as_of:
            continue
        if d.op == "age" or any(f.path == "as_of" for f in d.fields):
            return None
        if d.where is not None:
            if not d.fields or any(
                isinstance(n, Quant) and any(_moves_in(n.cond)) for n in walk(d.where)
            ):
                return None
            nodes.append(Quant(d.fields[0].path, "any", d.where, d.fields[0]))
        nodes.extend(c for c in d.conditions if c is not d.where)
    return time_tests(nodes)


def _moves_in(node: Node) -> Iterator[bool]:
    """Whether each comparison in ``node`` can change with the day alone."""
    return (isinstance(n, Cmp) and _moves(n) for n in walk(node))


def _moves(node: Cmp) -> bool:
    ages = node.field.virtual in _AGES or (
        isinstance(node.value, FieldRef) and node.value.field.virtual in _AGES
    )
    return node.op in _WINDOWS or ages


#: The most dated items (over every test's list) for which :func:`first_change` reads
#: rules (its ``reads``): each reading reads every item its rule tests, on each day
#: an item's test changes, so a case with more goes without, and any change of a
#: test in a rule not false ends its span, as before rules were read. The limit is
#: of the case's items, not of the days looked at, so that the span ends on the same
#: day from whichever day of it the case is evaluated (a rescan's spot check holds
#: a decision brought forward to a fresh one, ``stable_until`` included).
READ_ITEMS = 64


def first_change(
    ref: Reference,
    tests: Iterable[TimeTest],
    bound: date | None,
    false_today: Callable[[Node], bool] | None = None,
    reads: Callable[[Node, Reference], object] | None = None,
) -> date | None:
    """The first day after ``as_of`` and before ``bound`` on which one of ``tests`` (see
    :func:`time_tests`) changes its outcome for the case or one of its items, in a
    rule that is not false both that day and the day before; ``bound`` when there is
    none (None: no bound).

    Each test proposes the days around its edges on which it could change (a run of
    weekend days or a short month can move an edge by days); a proposed day is kept
    only if the test's outcome on it differs from the day before (for an item, if
    the item's whole condition is not false on both days: an event leaving a window
    changes nothing when its type never matched), and if a rule holding the test is
    not false on both days (a rule that is false plays no part in the decision).
    ``false_today`` says whether a rule's condition is false on ``as_of`` (what the
    engine found), when the caller knows. ``reads``, when given, is what the decision
    reads of a rule's condition on the day a reference evaluator reads (its truth, and
    the evidence, due-date anchor or questions that go with it): a day on which it
    reads the same of every rule holding the test as the day before is passed over
    too (a rule still fired by another of its alternatives, say).
    """
    as_of = ref.as_of
    calendar = ref.calendar
    # (day, test, the item or None, the date the window is counted from; None for a
    # birthday): every day on which a test could change, looked at in order below
    proposed: list[tuple[date, int, Any, date | None]] = []
    tests = tuple(tests)
    amounts_of: list[list[int]] = []  # each window's amounts on as_of, by test
    dated = 0  # the items (or the case) whose dates the windows read
    for number, (within, node, _, key) in enumerate(tests):
        scope = (ref.case,) if within is None else tuple(ref.lookup(ref.case, within.field) or ())
        amounts_of.append([])
        if node.op in _WINDOWS:
            window = node.value
            # an item of another kind is passed over (its condition is false on every
            # day): the list's items of this kind come from its index, made once a case
            owners: Sequence[Any] = scope
            if within is not None and key is not None and scope:
                owners = [scope[i] for i in ref.keyed(within.path, scope, key)]
            amounts: list[int] | None = None  # read when a window has a date to count from
            dated += len(owners)
            for owner in owners:
                start = ref.lookup(owner, node.field)
                if isinstance(start, date):
                    if amounts is None:
                        amounts = amounts_of[number] = _amounts(ref, window.amount)
                    item = None if within is None else owner
                    for day in set(_window_flips(calendar, node.op, window.unit, start, amounts)):
                        if day > as_of and (bound is None or day < bound):
                            proposed.append((day, number, item, start))
        births = list(_age_flips(ref, node.field.virtual, scope))
        if isinstance(node.value, FieldRef):
            births.extend(_age_flips(ref, node.value.field.virtual, (ref.case,)))
        dated += len(births)
        for day in births:  # a birthday: the age is a year more
            if day > as_of and (bound is None or day < bound):
                proposed.append((day, number, None, None))
    if not proposed:
        return bound
    if dated > READ_ITEMS:
        reads = None
    proposed.sort(key=_day_and_test)
    one = timedelta(days=1)
    on_day: dict[date, Reference] = {as_of: ref}  # the case read on each day looked at
    truths: dict[tuple[int, date], Any] = {}  # (rule, day) → its truth that day

    def outcome(number: int, item: Any, start: date, day: date) -> Any:
        within, node, _, _ = tests[number]
        if within is not None:
            # an item's window matters only through the item's whole condition: an
            # event leaving a window changes nothing when its type never matched
            return _item_holds(_read_on(ref, on_day, day), within.cond, item, day)
        window = node.value
        return tuple(
            window_holds(node.op, window, a, start, day, calendar) for a in amounts_of[number]
        )

    def false_on(rule: Node, day: date) -> bool:
        if day == as_of and false_today is not None:
            return false_today(rule)
        key = (id(rule), day)
        if key not in truths:
            truths[key] = _read_on(ref, on_day, day).truth(rule)
        return truths[key] is False

    readings: dict[tuple[int, date], object] = {}  # (rule, day) → what is read of it

    def read(rule: Node, day: date) -> object:
        key = (id(rule), day)
        if key not in readings:
            assert reads is not None
            readings[key] = reads(rule, _read_on(ref, on_day, day))
        return readings[key]

    def unchanged(rule: Node, day: date) -> bool:
        before = day - one
        if false_on(rule, before) and false_on(rule, day):
            return True  # a rule that is false plays no part in the decision
        if reads is None:
            return False  # the span ends: early, never wrong
        return read(rule, before) == read(rule, day)

    for day, number, item, start in proposed:
        if start is not None and outcome(number, item, start, day) == outcome(
            number, item, start, day - one
        ):
            continue
        if all(unchanged(rule, day) for rule in tests[number][2]):
            continue
        return day
    return bound


def _day_and_test(entry: tuple[date, int, Any, date | None]) -> tuple[date, int]:
    return entry[0], entry[1]


def _read_on(ref: Reference, on_day: dict[date, Reference], day: date) -> Reference:
    """The reference evaluator of the case on ``day`` (made once per day looked at)."""
    other = on_day.get(day)
    if other is None:
        other = on_day[day] = ref.on(day)
    return other


#: an item's condition that is false on both days: the item is no part of the decision
_OUT = "not a match"


def _item_holds(ref: Reference, cond: Node, item: Any, day: date) -> object:
    """What an item's condition makes of it on ``day`` (``ref`` reads that day):
    :data:`_OUT` when it is false (the walk passes over it: no evidence, nothing
    unknown), else ``day`` itself, so that any other outcome on two days counts as a
    change (a true item's evidence, or an undecided item's unknown facts, can differ
    though its outcome does not)."""
    return _OUT if ref.truth(cond, item) is False else day


def _amounts(ref: Reference, amount: Any) -> list[int]:
    """Every amount a window can take on the day: one, or each row of a keyed table
    whose key is unknown (:meth:`Reference.options`). A known key holds for the
    whole span: it is a label of the case, and a derived one ends the span on the
    first day it could change."""
    return [int(v) for v in ref.options(amount)]


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
