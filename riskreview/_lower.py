"""Lowered formulas: a pack's parsed conditions as integer tests on case properties.

Every condition is lowered to integer tests ``prop >= c`` or ``prop <= c``
(:class:`Test` on a :class:`Prop`), combined by :class:`And`, :class:`Or` and
:class:`Each` (over a list's items), in negation normal form, where it is
monotone in its tests. :func:`normalise` lifts alternatives out of list items,
as the engine needs; :mod:`riskreview._compile` turns the result into a ruleset.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs

from riskreview._conditions import (
    All,
    AnyOf,
    Cmp,
    FieldRef,
    Named,
    Node,
    Not,
    ParamRef,
    Quant,
    Window,
)
from riskreview._condnodes import CALENDAR_UNITS, window_months
from riskreview._envelope import LANE_PATHS
from riskreview._fields import Field

# ------------------------------------------------------------------ properties


@attrs.frozen(cache_hash=True)
class Prop:
    """An integer the fact builder computes from the case (None when unknown)."""

    kind: str  # value present member oneof anyof age_days age_wd months_edge ordinal diff
    #            count either
    field: Field
    scope: str  # root | item
    #: member ("member"), members ("oneof", "anyof"), other Field ("diff"), the folded
    #: alternatives ("either", see :func:`fold`)
    arg: Any = None

    @functools.cached_property
    def key(self) -> tuple[Any, ...]:
        """What tells two properties apart (hashed often: worked out once)."""
        other = self.arg
        if isinstance(other, Field):
            other = other.path
        elif isinstance(other, frozenset):
            other = tuple(sorted(str(m) for m in other))
        return (self.kind, self.field.path, self.scope, other)


# ------------------------------------------------------------------ lowered formulas


@attrs.frozen(cache_hash=True)
class Test:
    """``prop >= bound`` (side ``ge``) or ``prop <= bound`` (side ``le``)."""

    prop: Prop
    side: str
    bound: int

    def negate(self) -> Test:
        if self.side == "ge":
            return Test(self.prop, "le", self.bound - 1)
        return Test(self.prop, "ge", self.bound + 1)


@attrs.frozen(cache_hash=True)
class And:
    items: tuple[Formula, ...]


@attrs.frozen(cache_hash=True)
class Or:
    items: tuple[Formula, ...]


@attrs.frozen(cache_hash=True)
class Each:
    """``any`` or ``all`` items of a list satisfy ``cond`` (item-scoped tests)."""

    field: Field
    mode: str  # any | all
    cond: Formula


Formula = Test | And | Or | Each
TRUE = And(())
FALSE = Or(())


def negate(f: Formula) -> Formula:
    """Negation pushed down to the tests (negation normal form)."""
    if isinstance(f, Test):
        return f.negate()
    if isinstance(f, And):
        return Or(tuple(negate(i) for i in f.items))
    if isinstance(f, Or):
        return And(tuple(negate(i) for i in f.items))
    return Each(f.field, "all" if f.mode == "any" else "any", negate(f.cond))


def _eq(prop: Prop, value: int) -> Formula:
    return And((Test(prop, "ge", value), Test(prop, "le", value)))


def _cmp(prop: Prop, op: str, value: int) -> Formula:
    if op == "eq":
        return _eq(prop, value)
    if op == "ne":
        return negate(_eq(prop, value))
    return {
        "gte": Test(prop, "ge", value),
        "gt": Test(prop, "ge", value + 1),
        "lte": Test(prop, "le", value),
        "lt": Test(prop, "le", value - 1),
    }[op]


ParamValue = Callable[[str], Any]


@attrs.define
class Lowering:
    """Lowers parsed conditions for one policy period (parameters are constants)."""

    param: ParamValue

    def lower(self, node: Node) -> Formula:
        if isinstance(node, All):
            return And(tuple(self.lower(n) for n in node.items))
        if isinstance(node, AnyOf):
            return Or(tuple(self.lower(n) for n in node.items))
        if isinstance(node, Not):
            return negate(self.lower(node.item))
        if isinstance(node, Named):
            return self.lower(node.item)
        if isinstance(node, Quant):
            inner = self.lower(node.cond)
            if node.mode == "none":
                return Each(node.field, "all", negate(inner))
            return Each(node.field, node.mode, inner)
        return self._cmp(node)

    def _keyed(self, ref: ParamRef, build: Callable[[int], Formula]) -> Formula:
        """A test whose number comes from a table keyed by another field's enum value."""
        table = self.param(ref.name)
        if ref.by is None:
            return build(table)
        assert ref.by_field is not None and ref.by_field.enum is not None
        members = list(ref.by_field.enum)
        rows = tuple(
            And(
                (
                    Test(Prop("oneof", ref.by_field, "root", frozenset({m})), "ge", 1),
                    build(table[m.value]),
                )
            )
            for m in members
        )
        # whatever the key, the test holds when it holds for every row: decided even
        # when the key is unknown (the reference evaluator reads tables the same way)
        every_row = And(tuple(build(table[m.value]) for m in members))
        return Or((*rows, every_row))

    def _cmp(self, node: Cmp) -> Formula:
        field, op, value, scope = node.field, node.op, node.value, node.scope
        if op in ("exists", "missing"):
            return _cmp(
                Prop("present", field, scope),
                "gte" if op == "exists" else "lte",
                1 if op == "exists" else 0,
            )
        if field.kind == "set":
            return self._set(node)
        if field.kind == "date":
            return self._date(node)
        prop = Prop("value", field, scope)
        if isinstance(value, FieldRef):
            return _cmp(Prop("diff", field, scope, value.field), op, 0)
        if isinstance(value, ParamRef):
            return self._keyed(value, lambda n: _cmp(prop, op, n))
        if field.kind == "bool":
            # 0/1 values: one test each way, so negation never needs an $or
            holds = Test(prop, "ge", 1) if value else Test(prop, "le", 0)
            return holds if op == "eq" else holds.negate()
        if op in ("eq", "ne", "in", "not_in") and (field.kind == "enum" or op in ("in", "not_in")):
            # membership as one 0/1 property: no $or, which durable mis-evaluates inside $iany
            members = frozenset(value) if isinstance(value, tuple) else frozenset({value})
            holds = Test(Prop("oneof", field, scope, members), "ge", 1)
            return holds if op in ("eq", "in") else holds.negate()
        return _cmp(prop, op, _encode(field, value))

    def _set(self, node: Cmp) -> Formula:
        members = node.value if isinstance(node.value, tuple) else (node.value,)
        holds = Test(Prop("anyof", node.field, node.scope, frozenset(members)), "ge", 1)
        return holds if node.op in ("contains", "contains_any") else holds.negate()

    def _date(self, node: Cmp) -> Formula:
        field, op, value, scope = node.field, node.op, node.value, node.scope
        if isinstance(value, Window) and value.unit in CALENDAR_UNITS:
            age = Prop("age_days", field, scope)
            window_unit = value

            def calendar_window(n: int) -> Formula:
                # days from the date to as_of moved by n calendar months: the edge
                # moves with the calendar, so the fact builder works it out each day
                months = window_months(window_unit, n)
                if op == "within_next":
                    ahead = Prop("months_edge", field, scope, months)
                    return And((Test(ahead, "le", 0), Test(age, "le", 0)))
                back = Prop("months_edge", field, scope, -months)
                if op == "older_than":
                    return Test(back, "le", -1)
                return And((Test(back, "ge", 0), Test(age, "ge", 0)))

            if isinstance(value.amount, ParamRef):
                return self._keyed(value.amount, calendar_window)
            return calendar_window(value.amount)
        if isinstance(value, Window):
            kind = "age_wd" if value.unit == "working_days" else "age_days"
            prop = Prop(kind, field, scope)
            scale = 7 if value.unit == "weeks" else 1

            def window(n: int) -> Formula:
                n *= scale
                if op == "older_than":
                    return Test(prop, "ge", n + 1)
                if op == "within_last":
                    return And((Test(prop, "ge", 0), Test(prop, "le", n)))
                return And((Test(prop, "ge", -n), Test(prop, "le", 0)))

            if isinstance(value.amount, ParamRef):
                return self._keyed(value.amount, window)
            return window(value.amount)
        if isinstance(value, FieldRef):
            return _cmp(Prop("diff", field, scope, value.field), op, 0)
        assert isinstance(value, date)
        return _cmp(Prop("ordinal", field, scope), op, value.toordinal())


def _encode(field: Field, value: Any) -> int:
    if field.kind == "bool":
        return int(bool(value))
    if field.kind == "enum":
        assert field.enum is not None
        return list(field.enum).index(value)
    return int(value)


def simplify(f: Formula) -> Formula:
    """Flatten nested and/or and drop constant parts."""
    if isinstance(f, And | Or):
        cls = type(f)
        items: list[Formula] = []
        for item in (simplify(i) for i in f.items):
            if isinstance(item, cls):
                items.extend(item.items)
            else:
                items.append(item)
        if isinstance(f, And) and any(isinstance(i, Or) and not i.items for i in items):
            return FALSE
        if isinstance(f, Or) and any(isinstance(i, And) and not i.items for i in items):
            return TRUE
        unique = tuple(dict.fromkeys(items))
        if len(unique) == 1:
            return unique[0]
        return cls(unique)
    if isinstance(f, Each):
        return Each(f.field, f.mode, simplify(f.cond))
    return f


def tests_of(f: Formula) -> list[Test]:
    """Every test of a formula, in order (list items' tests included)."""
    if isinstance(f, Test):
        return [f]
    if isinstance(f, Each):
        return tests_of(f.cond)
    return [t for i in f.items for t in tests_of(i)]


def props_of(f: Formula) -> list[Prop]:
    """Every property a formula tests (list items' properties included)."""
    if isinstance(f, Test):
        return [f.prop]
    if isinstance(f, Each):
        extra = [Prop("count", f.field, "root")] if f.mode == "all" else []
        return extra + props_of(f.cond)
    return [p for i in f.items for p in props_of(i)]


# ------------------------------------------------------------------ normal forms


def fold(f: Formula) -> Formula:
    """Fold alternatives over one object's own values into one property each.

    The engine expands every alternative into a path of its own, and a fact may match
    at most 64 paths at once, so a pack's paths decide how many lanes (pairs of
    facts) a case needs, and each lane copies the lists its rules read. Alternatives
    that test only the fact's own properties (no list among them), or only one list
    item's properties, need no paths of their own: the fact builder computes them as
    one ``either`` property, 1 when they hold, 0 when they do not, unknown when
    Kleene's logic over the values it has cannot tell (the same three values the
    two facts give them as separate paths). Alternatives over list items that name the
    part of a list they scan (``type: arrest`` among ``events``) are left to
    :func:`normalise`, which keeps each part's items apart.
    """
    if isinstance(f, Test):
        return f
    if isinstance(f, Each):
        return Each(f.field, "any", _fold_item(f.cond)) if f.mode == "any" else f
    items = tuple(fold(i) for i in f.items)
    if isinstance(f, And):
        return simplify(And(items))
    plain = tuple(i for i in items if _plain(i))
    rest = _merge_lists(tuple(i for i in items if not _plain(i)))
    if len(plain) < 2:
        return simplify(Or((*plain, *rest)))
    return simplify(Or((_either(Or(plain), "root"), *rest)))


def _merge_lists(items: tuple[Formula, ...]) -> tuple[Formula, ...]:
    """Alternatives ``any`` of one list's items with A, or ``any`` with B: one ``any``
    with A or B (in Kleene's logic too: an item matching either is the same as one
    matching A or one matching B), folded. An ``any`` whose condition names a part
    of the list (``type: arrest``) is left apart, to scan only that part."""
    groups: dict[str, list[Each]] = {}
    for i in items:
        if isinstance(i, Each) and i.mode == "any" and not _names_part(_unfolded(i.cond)):
            groups.setdefault(i.field.path, []).append(i)
    out: list[Formula] = []
    for i in items:
        group = groups.get(i.field.path, []) if isinstance(i, Each) else []
        if i not in group or len(group) < 2:
            out.append(i)
        elif i is group[0]:
            conds = tuple(_unfolded(e.cond) for e in group)
            out.append(Each(i.field, "any", _fold_item(simplify(Or(conds)))))
    return tuple(out)


def _unfolded(cond: Formula) -> Formula:
    """An item condition with a folded ``either`` of its alternatives opened again."""
    if isinstance(cond, Test) and cond.prop.kind == "either":
        folded: Formula = cond.prop.arg
        return folded
    if isinstance(cond, And):
        return simplify(And(tuple(_unfolded(i) for i in cond.items)))
    return cond


def _fold_item(cond: Formula) -> Formula:
    """An ``any``'s condition on one item with its alternatives folded (see :func:`fold`)."""
    if isinstance(cond, Or):
        return cond if any(_keyed(i) for i in cond.items) else _either(cond, "item")
    if isinstance(cond, And):
        return simplify(And(tuple(_fold_item(i) for i in cond.items)))
    return cond


def _names_part(cond: Formula) -> bool:
    """Whether an item condition, or one of its alternatives, names a part of the list
    (:func:`_keyed`): such an ``any`` stays apart from the others over its list."""
    return any(_keyed(i) for i in cond.items) if isinstance(cond, Or) else _keyed(cond)


def _keyed(f: Formula) -> bool:
    """Whether an alternative names one value of an enum field (``type: arrest``): the
    part of a list it scans (:func:`riskreview._compile.split`)."""
    tests = f.items if isinstance(f, And) else (f,)
    return any(
        isinstance(t, Test)
        and t.prop.kind == "oneof"
        and t.side == "ge"
        and t.bound == 1
        and len(t.prop.arg) == 1
        for t in tests
    )


def _plain(f: Formula) -> bool:
    """Whether ``f`` tests no list (only the fact's own properties)."""
    if isinstance(f, Test):
        return True
    if isinstance(f, Each):
        return False
    return all(_plain(i) for i in f.items)


def _either(f: Formula, scope: str) -> Test:
    """``f`` (alternatives over one object) as one property that must be 1."""
    return Test(Prop("either", tests_of(f)[0].prop.field, scope, f), "ge", 1)


class Unsupported(Exception):
    """A condition the engine cannot evaluate faithfully."""


def dnf(f: Formula) -> list[tuple[Test, ...]]:
    """Disjunctive normal form of a formula without list tests."""
    if isinstance(f, Test):
        return [(f,)]
    if isinstance(f, Or):
        return [t for i in f.items for t in dnf(i)]
    if isinstance(f, And):
        terms: list[tuple[Test, ...]] = [()]
        for item in f.items:
            terms = [a + b for a in terms for b in dnf(item)]
            if len(terms) > LANE_PATHS:
                raise Unsupported(f"more than {LANE_PATHS} alternatives")
        return terms
    raise Unsupported("a list test inside a list item")


def normalise(f: Formula) -> Formula:
    """Lift alternatives out of list items: any(a or b) becomes any(a) or any(b).

    ``all``/``none`` over a list cannot be split that way; their item condition
    must be a plain conjunction (checked when the pack loads).
    """
    if isinstance(f, Each):
        terms = dnf(f.cond)
        if f.mode == "any":
            return simplify(Or(tuple(Each(f.field, "any", And(t)) for t in terms)))
        if len(terms) != 1:
            raise Unsupported(
                f"'all'/'none' over {f.field.path} with alternatives inside an item "
                "(write 'none' of the alternatives as separate conditions, or use 'any')"
            )
        return Each(f.field, "all", And(terms[0]))
    if isinstance(f, And):
        return simplify(And(tuple(normalise(i) for i in f.items)))
    if isinstance(f, Or):
        return simplify(Or(tuple(normalise(i) for i in f.items)))
    return f
