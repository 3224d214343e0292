"""Three-valued (Kleene) logic and the comparisons every evaluator of conditions shares.

``True``, ``False`` or ``None`` (cannot be decided: a fact is unknown).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from riskreview._vocab import RANK

Truth = bool | None


def rank(value: Any) -> Any:
    """A value as it is ordered: a member of an ordered vocabulary by its position."""
    return getattr(value, RANK, value)


def agree(truths: list[Truth]) -> Truth:
    """True or False when every option agrees, else undecided."""
    first = truths[0]
    return first if all(t is first for t in truths) else None


#: the operators whose answer never depends on an order
_PLAIN: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, e: bool(a == e),
    "ne": lambda a, e: bool(a != e),
    "in": lambda a, e: a in e,
    "not_in": lambda a, e: a not in e,
    "contains": lambda a, e: e in a,
    "not_contains": lambda a, e: e not in a,
    "contains_any": lambda a, e: any(x in a for x in e),
    "contains_none": lambda a, e: not any(x in a for x in e),
}
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "lt": lambda a, e: bool(a < e),
    "lte": lambda a, e: bool(a <= e),
    "gt": lambda a, e: bool(a > e),
    "gte": lambda a, e: bool(a >= e),
}


def comparer(op: str, ranked: bool = True) -> Callable[[Any, Any], bool]:
    """``actual op expected`` for a known ``actual``, the operator chosen once:
    ``(actual, expected) → bool``.
    ``ranked``: whether either side may be a label of an ordered vocabulary, which
    compares by its place (False for a date or a number: compared as it is)."""
    plain = _PLAIN.get(op)
    if plain is not None:
        return plain
    order = _ORDER[op]
    if not ranked:
        return order
    return lambda a, e: order(rank(a), rank(e))


def all_of(truths: Iterable[Truth]) -> Truth:
    """Kleene conjunction: false if any part is, else unknown if any part is (read up
    to the first false one)."""
    seen_unknown = False
    for t in truths:
        if t is False:
            return False
        if t is None:
            seen_unknown = True
    return None if seen_unknown else True


def any_of(truths: Iterable[Truth]) -> Truth:
    """Kleene disjunction: true if any part is, else unknown if any part is (read up
    to the first true one)."""
    seen_unknown = False
    for t in truths:
        if t is True:
            return True
        if t is None:
            seen_unknown = True
    return None if seen_unknown else False


def kleene(
    parts: tuple[Callable[[Any, Any], Truth], ...], disjunction: bool
) -> Callable[[Any, Any], Truth]:
    """Kleene's ``or`` (``disjunction``) or ``and`` of truth tests that take the same two
    arguments, stopping at the first part that decides it."""
    decisive = disjunction
    if len(parts) == 2:  # the commonest: two tests, written out
        first, second = parts

        def pair(a: Any, b: Any) -> Truth:
            t = first(a, b)
            if t is decisive:
                return decisive
            u = second(a, b)
            if u is decisive:
                return decisive
            return None if t is None or u is None else not decisive

        return pair

    def combined(a: Any, b: Any) -> Truth:
        unknown = False
        for part in parts:
            t = part(a, b)
            if t is decisive:
                return decisive
            if t is None:
                unknown = True
        return None if unknown else not decisive

    return combined
