"""Turning a case and ``as_of`` into the engine's facts for one compiled policy period.

Each lane gets two facts: ``v=0`` (definite: unknown values left out) and ``v=1``
(possible: unknown values at ``±BIG``, an unknown list as one unknown item). All
values are integers, so the engine never compares a string with a number.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from operator import attrgetter
from typing import Any

from riskreview._compile import BIG, And, Compiled, Formula, Or, Prop, Test, tests_of
from riskreview._condnodes import add_months
from riskreview._fields import EXTRA, Field, read_path, unheld_paths
from riskreview._logic import kleene
from riskreview.calendar import Calendar


class Ctx:
    """What one evaluation reads besides the object at hand: the case, as_of, and the
    pack-declared inputs and derived values (by field path)."""

    __slots__ = ("as_of", "case", "extras", "read", "unheld")

    def __init__(
        self,
        case: Any,
        as_of: date,
        extras: Mapping[str, Any],
        unheld: frozenset[str] = frozenset(),
    ) -> None:
        self.case = case
        self.as_of = as_of
        self.extras = extras
        self.unheld = unheld  # fields whose absence is unknown (a record group not held)
        self.read: dict[str, Any] = {}  # the case's fields read so far, by path


Getter = Callable[[Any, Ctx], Any]
Encoder = Callable[[Any, Ctx], int | None]  # (owner, context) → value


def _getter(field: Field, of_case: bool = False) -> Getter:
    """How to read ``field`` from its owner (the case or a list item): a plain
    attribute in one C call, a path step by step, a computed field from its owner.
    A field of the case (``of_case``: the owner is always the case) that takes more
    than one step is read once per evaluation, however many properties test it.
    Items are read once per property (columns), so there is nothing to cache."""
    if field.virtual == EXTRA:
        path = field.path
        return lambda owner, ctx: ctx.extras.get(path)
    virtual, steps = field.virtual, field.steps
    if field.attribute is not None:
        attribute = operator.attrgetter(field.attribute)
        return lambda owner, ctx: attribute(owner)
    if not of_case:
        return lambda owner, ctx: read_path(owner, steps, virtual, ctx.as_of)
    path = field.path

    def read_once(owner: Any, ctx: Ctx) -> Any:
        found = ctx.read.get(path, ctx)  # the context itself: not read yet
        if found is ctx:
            found = ctx.read[path] = read_path(owner, steps, virtual, ctx.as_of)
        return found

    return read_once


def _as_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, StrEnum):
        return list(type(value)).index(value)
    return int(value)


def encoder(prop: Prop, calendar: Calendar) -> Encoder:
    """How to compute ``prop`` for one owner (the case, or a list item)."""
    kind = prop.kind
    if kind == "either":
        holds = _truth(prop.arg, lambda p: encoder(p, calendar))
        return lambda owner, ctx: None if (t := holds(owner, ctx)) is None else int(t)
    get = _getter(prop.field, of_case=prop.scope == "root")
    if kind == "value":
        return lambda owner, ctx: _as_int(get(owner, ctx))
    if kind == "present":
        if prop.scope == "item":
            return lambda owner, ctx: int(get(owner, ctx) is not None)
        path = prop.field.path

        def present(owner: Any, ctx: Ctx) -> int | None:
            if get(owner, ctx) is not None:
                return 1
            return None if path in ctx.unheld else 0

        return present
    if kind == "oneof":
        members = prop.arg

        def oneof(owner: Any, ctx: Ctx) -> int | None:
            value = get(owner, ctx)
            return None if value is None else int(value in members)

        return oneof
    if kind == "anyof":
        wanted = prop.arg

        def anyof(owner: Any, ctx: Ctx) -> int | None:
            values = get(owner, ctx)
            return None if values is None else int(not wanted.isdisjoint(values))

        return anyof
    if kind == "count":

        def count(owner: Any, ctx: Ctx) -> int | None:
            values = get(owner, ctx)
            return None if values is None else len(values)

        return count
    if kind == "diff":
        other = _getter(prop.arg, of_case=True)

        def diff(owner: Any, ctx: Ctx) -> int | None:
            a, b = get(owner, ctx), other(ctx.case, ctx)
            if a is None or b is None:
                return None
            if isinstance(a, date):
                days: int = (a - b).days
                return days
            return (_as_int(a) or 0) - (_as_int(b) or 0)  # labels by their positions

        return diff

    if kind == "months_edge":
        months = prop.arg

        def edge(owner: Any, ctx: Ctx) -> int | None:
            value = get(owner, ctx)
            return None if value is None else (value - add_months(ctx.as_of, months)).days

        return edge

    def dated(owner: Any, ctx: Ctx) -> int | None:
        value = get(owner, ctx)
        if value is None:
            return None
        if kind == "age_days":
            return int((ctx.as_of - value).days)
        if kind == "age_wd":
            return calendar.working_days_between(value, ctx.as_of)
        return int(value.toordinal())

    return dated


def _truth(
    f: Formula, read: Callable[[Prop], Callable[[Any, Ctx], int | None]]
) -> Callable[[Any, Ctx], bool | None]:
    """The three-valued truth of folded alternatives (``either``): each test on its
    property's number as ``read(prop)`` gives it (an owner's, by its encoder; an item's,
    from its row of columns), an unknown value undecided, and Kleene's ``and``/``or``
    over them, as the definite and possible facts give it."""
    if isinstance(f, Test):
        one, bound = read(f.prop), f.bound
        if f.side == "ge":
            return lambda owner, ctx: None if (v := one(owner, ctx)) is None else v >= bound
        return lambda owner, ctx: None if (v := one(owner, ctx)) is None else v <= bound
    assert isinstance(f, And | Or), "folded alternatives hold no list test"
    return kleene(tuple(_truth(i, read) for i in f.items), isinstance(f, Or))


def _either_column(f: Formula, tested: list[Prop]) -> Callable[[Any, Ctx], Column]:
    """Folded alternatives over each item, from the columns of the properties they
    test (in the order of ``tested``): what :func:`encoder` gives item by item."""
    slot = {p.key: i for i, p in enumerate(tested)}

    def cell(prop: Prop) -> Callable[[tuple[int | None, ...], Ctx], int | None]:
        i = slot[prop.key]
        return lambda row, ctx: row[i]

    if isinstance(f, And | Or) and all(isinstance(t, Test) for t in f.items):
        # the commonest: tests of the item's own values (on a plan or in need)
        return _flat_either(f, slot)
    holds = _truth(f, cell)
    return lambda columns, ctx: [
        None if (t := holds(row, ctx)) is None else int(t)
        for row in zip(*columns, strict=True)
    ]


def _flat_either(f: And | Or, slot: dict[Any, int]) -> Callable[[Any, Ctx], Column]:
    """:func:`_either_column` of an ``and`` or ``or`` of tests alone, row by row in one
    loop: Kleene's logic as :func:`_truth` gives it."""
    tests = [(slot[t.prop.key], t.side == "ge", t.bound) for t in f.items if isinstance(t, Test)]
    decisive = isinstance(f, Or)
    decided, otherwise = int(decisive), int(not decisive)

    def column(columns: Any, ctx: Ctx) -> Column:
        out: Column = []
        for row in zip(*columns, strict=True):
            unknown = False
            for i, ge, bound in tests:
                v = row[i]
                if v is None:
                    unknown = True
                elif (v >= bound if ge else v <= bound) is decisive:
                    out.append(decided)
                    break
            else:
                out.append(None if unknown else otherwise)
        return out

    return column


Column = list[int | None]
#: (the plain attribute it reads, or None; how to encode a list's items): given that
#: attribute's values of every item when it names one, else the items themselves
ColumnEncoder = tuple[str | None, Callable[[list[Any], Ctx], Column]]


def column_encoder(prop: Prop, calendar: Calendar) -> ColumnEncoder:
    """How to compute ``prop`` for every item of a list at once: the commonest kinds
    over a plain attribute of the item in one pass over that attribute's values (read
    once for every property of the list that tests it), the same numbers
    :func:`encoder` gives item by item; the rest item by item."""
    field, kind = prop.field, prop.kind
    name = field.attribute
    if name is not None and prop.scope == "item":
        if kind == "oneof":
            members = prop.arg
            return name, lambda vs, ctx: [None if v is None else int(v in members) for v in vs]
        if kind == "anyof":
            wanted = prop.arg
            return name, lambda vs, ctx: [
                None if v is None else int(not wanted.isdisjoint(v)) for v in vs
            ]
        if kind == "present":
            return name, lambda vs, ctx: [int(v is not None) for v in vs]
        if kind == "count":
            return name, lambda vs, ctx: [None if v is None else len(v) for v in vs]
        if kind == "value":
            return name, lambda vs, ctx: [_as_int(v) for v in vs]
        if kind == "diff":
            other = _getter(prop.arg, of_case=True)

            def diffs(vs: list[Any], ctx: Ctx) -> Column:
                b = other(ctx.case, ctx)
                if b is None:
                    return [None] * len(vs)
                label = None if isinstance(b, date) else _as_int(b) or 0  # labels: positions
                return [
                    None
                    if a is None
                    else (a - b).days
                    if isinstance(a, date)
                    else (_as_int(a) or 0) - label  # type: ignore[operator]
                    for a in vs
                ]

            return name, diffs
    one = encoder(prop, calendar)
    return None, lambda items, ctx: [one(item, ctx) for item in items]


class FactBuilder:
    """Builds the facts of one compiled policy period; reusable across cases.

    Each property is encoded once per owner per evaluation: the case's properties
    once for all lanes, and each list's items column by column, once for every
    lane and both variants that read them.
    """

    def __init__(self, compiled: Compiled, calendar: Calendar) -> None:
        names = compiled.names
        read = compiled.read
        self._encoders: dict[tuple[Any, ...], Encoder] = {}
        self._keys: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        #: each list property's column: (list path, attribute index or -1, encoder), by
        #: column number; the attributes read, by number
        self._columns: list[tuple[str, int, Callable[[Any, Ctx], Column], tuple[int, ...]]] = []
        self._column_ids: dict[tuple[str, tuple[Any, ...]], int] = {}
        self._attributes: dict[tuple[str, str], int] = {}
        shared_ids: dict[tuple[Any, ...], int] = {}
        #: the case's properties' encoders, in the order of their slots (a property's
        #: value is read by its slot number: a key holds a formula, which would be
        #: hashed again on every lookup)
        self._root: list[Encoder] = []
        self._lists: dict[str, Getter] = {}
        self._lanes: list[tuple[int, list[tuple[int, str, int]], list[Any]]] = []
        slots: dict[tuple[Any, ...], int] = {}
        for lane in compiled.lanes:
            scalars: list[tuple[int, str, int]] = []
            for prop in lane.scalar_props:
                key = self._encoder(prop, calendar)
                slot = slots.get(key)
                if slot is None:
                    slot = slots[key] = len(self._root)
                    self._root.append(self._encoders[key])
                scalars.extend(
                    (slot, name, unknown) for name, unknown in _sides(names, prop, read, "")
                )
            lists = []
            for part, props in lane.lists:
                path = part.field.path
                self._lists.setdefault(path, _getter(part.field))
                listed = names.list(part)
                specs = tuple(
                    (name, unknown, self._column(path, p, calendar))
                    for p in props
                    for name, unknown in _sides(names, p, read, f"{listed}:")
                )
                # an item carries ``one`` where a rule tests it, and always when it
                # would otherwise carry nothing (an empty item list would lose its count)
                one = f"{listed}:one" in read or not specs
                selector = self._column(path, part.key, calendar) if part.key is not None else None
                # lanes that read the same properties of a list share its encoded items
                shared = shared_ids.setdefault((path, specs, selector, one), len(shared_ids))
                lists.append((listed, path, specs, selector, shared, one))
            self._lanes.append((lane.number, scalars, lists))
        self._shared = len(shared_ids)

    def _encoder(self, prop: Prop, calendar: Calendar) -> tuple[Any, ...]:
        """``prop``'s key, the one object every lane uses for it (a lookup by the very
        key compares no parts), with its encoder made on first sight."""
        key = prop.key
        found = self._keys.setdefault(key, key)
        if found is key:
            self._encoders[key] = encoder(prop, calendar)
        return found

    def _column(self, path: str, prop: Prop, calendar: Calendar) -> int:
        """The number of ``prop``'s column over the list at ``path``. Folded alternatives
        (``either``) are worked out from the columns of the properties they test."""
        found = self._column_ids.get((path, prop.key))
        if found is None:
            parts: tuple[int, ...] = ()
            attribute = -1
            if prop.kind == "either":
                tested = list(dict.fromkeys(t.prop for t in tests_of(prop.arg)))
                parts = tuple(self._column(path, p, calendar) for p in tested)
                name, encode = None, _either_column(prop.arg, tested)
            else:
                name, encode = column_encoder(prop, calendar)
            if name is not None:
                attribute = self._attributes.setdefault((path, name), len(self._attributes))
            found = self._column_ids[(path, prop.key)] = len(self._columns)
            self._columns.append((name or "", attribute, encode, parts))
        return found

    def build(
        self,
        case: Any,
        as_of: date,
        sid: str,
        tag: str,
        extras: Mapping[str, Any] | None = None,
        unheld: frozenset[str] = frozenset(),
    ) -> list[dict[str, Any]]:
        """The definite and possible facts of every lane for ``case`` on ``as_of``
        (``unheld``: the fields whose absence is unknown; when not given, the case
        fields of the record groups the case says its system does not hold)."""
        if not unheld and case.not_held:
            unheld = unheld_paths(case.not_held)
        ctx = Ctx(case, as_of, extras or {}, unheld)
        values = [encode(case, ctx) for encode in self._root]
        items_of: dict[str, Any] = {}
        plan = self._columns
        columns: list[Column | None] = [None] * len(plan)
        attributes: list[list[Any] | None] = [None] * len(self._attributes)
        encoded_lists: list[tuple[list[Any], list[Any]] | None] = [None] * self._shared

        def column(number: int, items: Any) -> Column:
            found = columns[number]
            if found is None:
                name, attribute, encode, parts = plan[number]
                if parts:  # folded alternatives: from the columns of what they test
                    found = encode([column(n, items) for n in parts], ctx)  # noqa: F821
                elif attribute < 0:
                    found = encode(items, ctx)
                else:  # the attribute's values, read once for every property testing it
                    read = attributes[attribute]
                    if read is None:
                        read = attributes[attribute] = list(map(attrgetter(name), items))
                    found = encode(read, ctx)
                columns[number] = found
            return found

        facts: list[dict[str, Any]] = []
        for number, scalars, lists in self._lanes:
            definite: dict[str, Any] = {"id": f"{tag}.{number}.0", "sid": sid, "t": "c"}
            definite.update(l=number, v=0, one=1)
            possible: dict[str, Any] = {"id": f"{tag}.{number}.1", "sid": sid, "t": "c"}
            possible.update(l=number, v=1, one=1)
            for slot, side, unknown in scalars:
                value = values[slot]
                if value is not None:
                    definite[side] = possible[side] = value
                else:
                    possible[side] = unknown
            for name, path, specs, selector, shared, one in lists:
                if path not in items_of:
                    items_of[path] = self._lists[path](case, ctx)
                items = items_of[path]
                if items is None:
                    possible[name] = [_phantom(specs, one)]
                    continue
                if not items:
                    definite[name], possible[name] = [], []
                    continue
                encoded = encoded_lists[shared]
                if encoded is None:
                    cols = [(side, unknown, column(n, items)) for side, unknown, n in specs]
                    keys = column(selector, items) if selector is not None else None
                    encoded = encoded_lists[shared] = _items(len(items), cols, keys, one)
                definite[name], possible[name] = encoded
            facts.append(definite)
            facts.append(possible)
        # ``column`` calls itself through its closure: emptied (which the linter reads
        # as the name undefined above), so that the columns go when the call returns,
        # not at the next collection of reference cycles
        del column
        return facts


def _sides(names: Any, prop: Prop, read: frozenset[str], owner: str) -> list[tuple[str, int]]:
    """(name, value when unknown) of each side of ``prop`` some rule reads (``owner``:
    ``<list name>:`` for a list item's property, else empty): ``>=`` is ``+BIG`` when
    unknown and ``<=`` is ``-BIG``, so every test of an unknown value passes in the
    possible fact (a side no rule reads is not written at all)."""
    sides = [(names.side(prop, "ge"), BIG), (names.side(prop, "le"), -BIG)]
    return [(name, unknown) for name, unknown in sides if owner + name in read]


def _phantom(specs: tuple[tuple[str, int, Any], ...], one: bool) -> dict[str, int]:
    """The one item of an unknown list in the possible fact: every property unknown."""
    phantom = {"one": 1} if one else {}
    for side, unknown, _ in specs:
        phantom[side] = unknown
    return phantom


def _items(
    n: int,
    cols: list[tuple[str, int, list[int | None]]],
    keys: list[int | None] | None,
    one: bool = True,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A list's items in the definite and the possible fact. With ``keys`` (one part of
    the list), the definite fact holds the items whose key is 1 and the possible fact
    those whose key is 1 or unknown. With ``one``, each item also carries ``one: 1``
    (for a rule that tests only that an item is there).

    An item whose properties are all known is the same in both facts, so it is built
    once, as one dict both lists hold (the engine reads the facts as JSON text, so
    sharing is invisible to it); only an item with an unknown property, or an unknown
    key, gets a definite and a possible version of its own.
    """
    if keys is not None:  # only the items of this part, or perhaps of it
        chosen = [i for i, key in enumerate(keys) if key != 0]
        if len(chosen) < n:
            cols = [(side, unknown, [col[i] for i in chosen]) for side, unknown, col in cols]
            keys = [keys[i] for i in chosen]
            n = len(chosen)
    names = (*(("one",) if one else ()), *(side for side, _, _ in cols))
    known = [*(([1] * n,) if one else ()), *(col for _, _, col in cols)]
    if keys is None and not any(None in col for col in known):
        items = [dict(zip(names, row, strict=True)) for row in zip(*known, strict=True)]
        return items, list(items)
    definite: list[dict[str, Any]] = []
    possible: list[dict[str, Any]] = []
    for i, row in enumerate(zip(*known, strict=True)):
        belongs = 1 if keys is None else keys[i]
        if None not in row:
            item = dict(zip(names, row, strict=True))
            if belongs == 1:
                definite.append(item)
            possible.append(item)
            continue
        sure: dict[str, Any] | None = ({"one": 1} if one else {}) if belongs == 1 else None
        maybe: dict[str, Any] = {"one": 1} if one else {}
        for side, unknown, col in cols:
            value = col[i]
            if value is None:
                maybe[side] = unknown
            else:
                maybe[side] = value
                if sure is not None:
                    sure[side] = value
        if sure is not None:
            definite.append(sure)
        possible.append(maybe)
    return definite, possible
