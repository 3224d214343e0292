"""Quick truth tests: a condition compiled once into Python closures.

The reference walk puts every item of a list to its ``any`` condition; most fail,
and only those that match or cannot be decided are then walked in full for their
evidence. This module turns a condition into a function ``(reference, item) →
truth`` with the dispatch on node kinds done once, when a policy period first
meets the condition, instead of once per item. Its answers are the reference
evaluator's own (:meth:`Reference.truth`), which a test checks on every rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from riskreview._conditions import All, AnyOf, Cmp, FieldRef, Named, Node, Not, ParamRef, Quant
from riskreview._condnodes import Window
from riskreview._fields import EXTRA, Field, read_path
from riskreview._logic import Truth, agree, all_of, comparer, kleene


class Reference(Protocol):
    """What a quick test reads of the reference evaluator that runs it."""

    case: Any
    as_of: date
    extras: Mapping[str, Any]
    unheld: frozenset[str]

    def param(self, name: str, day: date) -> Any: ...
    def lookup(self, root: Any, field: Field) -> Any: ...
    def options(self, value: Any) -> list[Any]: ...
    def truth(self, node: Node, item: Any = None) -> Truth: ...
    def window_truth(self, node: Cmp, actual: date | None) -> Truth: ...
    def keyed(
        self,
        path: str,
        items: Sequence[Any],
        key: tuple[Field, tuple[Any, ...], bool],
        ordered: bool = True,
    ) -> Sequence[int]: ...


Test = Callable[[Reference, Any], Truth]
_WINDOWS = ("older_than", "within_last", "within_next")


def compile_truth(node: Node) -> Test:
    """A function giving ``node``'s three-valued truth for the case or an item."""
    if isinstance(node, All | AnyOf):
        return kleene(tuple(compile_truth(n) for n in node.items), isinstance(node, AnyOf))
    if isinstance(node, Named):
        return compile_truth(node.item)
    if isinstance(node, Not):
        inner = compile_truth(node.item)

        def negated(ref: Reference, item: Any) -> Truth:
            t = inner(ref, item)
            return None if t is None else not t

        return negated
    if isinstance(node, Quant):
        return _quantifier(node)
    assert isinstance(node, Cmp)
    return _comparison(node)


def _quantifier(node: Quant) -> Test:
    """A list of the case put to an item condition: an ``all`` stops at its first false
    item, an ``any`` (or a ``none``) at its first true one, and looks only at the items
    the condition may hold for (:func:`cond_key`: the rest are false for it)."""
    test = compile_truth(node.cond)
    field = node.field
    if node.mode == "all":

        def every(ref: Reference, item: Any) -> Truth:
            items = ref.lookup(ref.case, field)
            return None if items is None else all_of(test(ref, it) for it in items)

        return every
    path, key, negate = field.path, cond_key(node.cond), node.mode == "none"

    def some(ref: Reference, item: Any) -> Truth:
        items = ref.lookup(ref.case, field)
        if items is None:
            return None
        unknown = False
        # the truth is the same whichever matching item is met first: read unordered
        for i in range(len(items)) if key is None else ref.keyed(path, items, key, False):
            t = test(ref, items[i])
            if t:
                return not negate
            if t is None:
                unknown = True
        return None if unknown else negate

    return some


def _comparison(node: Cmp) -> Test:
    read = reader(node)
    op, value = node.op, node.value
    if op in ("exists", "missing"):
        return _presence(node, read)
    if op in _WINDOWS:
        return _window(node, read)
    holds = comparer(op, node.field.labelled)
    if isinstance(value, FieldRef):
        other = value.field  # one value, of the case: no table to agree over

        def against_field(ref: Reference, item: Any) -> Truth:
            actual = read(ref, item)
            if actual is None:
                return None
            expected = ref.lookup(ref.case, other)
            return None if expected is None else holds(actual, expected)

        return against_field
    if isinstance(value, ParamRef) and value.by is None:
        name = value.name  # one value, the parameter's on as_of

        def against_parameter(ref: Reference, item: Any) -> Truth:
            actual = read(ref, item)
            if actual is None:
                return None
            expected = ref.param(name, ref.as_of)
            return None if expected is None else holds(actual, expected)

        return against_parameter
    if isinstance(value, ParamRef):

        def resolved(ref: Reference, item: Any) -> Truth:
            actual = read(ref, item)
            if actual is None:
                return None
            options = ref.options(value)
            return agree([None if e is None else holds(actual, e) for e in options])

        return resolved
    attribute = _attribute(node)
    if attribute is not None and op in ("eq", "in"):
        # an item's own field against a literal: the commonest test of a list's items,
        # read and compared in one step
        if op == "eq":
            return lambda ref, item: (
                None if (a := getattr(item, attribute)) is None else a == value
            )
        return lambda ref, item: None if (a := getattr(item, attribute)) is None else a in value
    if op == "eq":
        return lambda ref, item: None if (a := read(ref, item)) is None else a == value
    if op == "in":
        return lambda ref, item: None if (a := read(ref, item)) is None else a in value
    return lambda ref, item: None if (a := read(ref, item)) is None else holds(a, value)


def _window(node: Cmp, read: Callable[[Reference, Any], Any]) -> Test:
    """A time window; one of a fixed number of days or weeks counted here, any other
    (working days, calendar months, an amount a parameter gives) by the evaluator."""
    window: Window = node.value
    if isinstance(window.amount, ParamRef) or window.unit not in ("days", "weeks"):
        return lambda ref, item: ref.window_truth(node, read(ref, item))
    amount = window.amount * (7 if window.unit == "weeks" else 1)
    if node.op == "older_than":
        return lambda ref, item: (
            None if (a := read(ref, item)) is None else (ref.as_of - a).days > amount
        )
    if node.op == "within_last":
        return lambda ref, item: (
            None if (a := read(ref, item)) is None else 0 <= (ref.as_of - a).days <= amount
        )
    return lambda ref, item: (
        None if (a := read(ref, item)) is None else -amount <= (ref.as_of - a).days <= 0
    )


def _attribute(node: Cmp) -> str | None:
    """The attribute an item's test reads when it is a plain field of the item."""
    return node.field.attribute if node.scope == "item" else None


def _presence(node: Cmp, read: Callable[[Reference, Any], Any]) -> Test:
    """``exists`` / ``missing``: unknown when the field is absent and its record group is
    not held (``Reference.unheld``), else whether it is there."""
    exists, path = node.op == "exists", node.path
    if node.scope == "item":
        return lambda ref, item: (read(ref, item) is not None) is exists

    def presence(ref: Reference, item: Any) -> Truth:
        if read(ref, item) is not None:
            return exists
        return None if path in ref.unheld else not exists

    return presence


def reader(node: Cmp) -> Callable[[Reference, Any], Any]:
    """How to read the compared field: from the item, or from the case (read once)."""
    field = node.field
    if field.virtual == EXTRA:
        path = field.path
        return lambda ref, item: ref.extras.get(path)
    if node.scope != "item":
        return lambda ref, item: ref.lookup(ref.case, field)
    name = _attribute(node)
    if name is not None:
        return lambda ref, item: getattr(item, name)
    virtual, steps = field.virtual, field.steps
    return lambda ref, item: read_path(item, steps, virtual, ref.as_of)


def cond_key(cond: Node) -> tuple[Field, tuple[Any, ...], bool] | None:
    """(item field, values, whether the field is a list) when every item ``cond``
    holds for must have one of those values in that field (``eq``, ``in``: enum
    members or true/false), or a list there holding one of them (``contains``,
    ``contains_any``); None when no test of the item says so."""
    while isinstance(cond, Named):
        cond = cond.item
    tests = cond.items if isinstance(cond, All) else (cond,)
    for t in tests:
        if (
            isinstance(t, Cmp)
            and t.scope == "item"
            and t.field.virtual is None
            and t.op in _KEYED
            and not isinstance(t.value, ParamRef | FieldRef | Window)
        ):
            many = t.op in ("contains", "contains_any")
            values = t.value if t.op in ("in", "contains_any") else (t.value,)
            if isinstance(values, tuple | list | frozenset | set) and all(
                isinstance(v, StrEnum) or type(v) is bool for v in values
            ):
                return t.field, tuple(values), many
    return None


#: the item tests an ``any`` can be indexed by: a value among given ones, or a list
#: holding one of them
_KEYED = ("eq", "in", "contains", "contains_any")
