"""``comparer`` chooses an operator once and gives, on every call, what ``compare`` (each
operator written out, below: the specification) decides."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from riskreview._logic import comparer, rank
from riskreview._vocab import OffenceCategory, RoshLevel


def compare(op: str, actual: Any, expected: Any) -> bool:
    """``actual op expected`` for a known ``actual``, each operator written out."""
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "contains":
        return expected in actual
    if op == "not_contains":
        return expected not in actual
    if op == "contains_any":
        return any(e in actual for e in expected)
    if op == "contains_none":
        return not any(e in actual for e in expected)
    a, e = rank(actual), rank(expected)
    if op == "lt":
        return bool(a < e)
    if op == "lte":
        return bool(a <= e)
    if op == "gt":
        return bool(a > e)
    return bool(a >= e)


ORDER_OPS = ["lt", "lte", "gt", "gte"]
PLAIN_OPS = ["eq", "ne", "in", "not_in", "contains", "not_contains", "contains_any",
             "contains_none"]



@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ORDER_OPS), st.data())
def test_an_order_over_dates_and_numbers_needs_no_rank(op: str, data: Any) -> None:
    kind = data.draw(st.sampled_from([int, date]))
    values = st.integers(-5, 5) if kind is int else st.dates(date(2025, 1, 1), date(2025, 1, 9))
    a, e = data.draw(values), data.draw(values)
    assert comparer(op, ranked=False)(a, e) is compare(op, a, e)
    assert comparer(op)(a, e) is compare(op, a, e)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ORDER_OPS), st.sampled_from(list(RoshLevel)),
       st.sampled_from(list(RoshLevel)))
def test_an_order_over_ranked_labels_compares_their_places(
    op: str, a: RoshLevel, e: RoshLevel
) -> None:
    assert comparer(op, ranked=True)(a, e) is compare(op, a, e)


def test_a_ranked_label_is_not_ordered_as_its_text() -> None:
    # "high" < "low" as text, above it as a RoSH level: ranked or not gives the two
    assert comparer("gt", ranked=True)(RoshLevel.HIGH, RoshLevel.LOW) is True
    assert comparer("gt", ranked=False)(RoshLevel.HIGH, RoshLevel.LOW) is False


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(PLAIN_OPS),
    st.sampled_from(list(OffenceCategory)),
    st.frozensets(st.sampled_from(list(OffenceCategory)), max_size=3),
    st.booleans(),
)
def test_membership_and_equality_agree(op: str, one: Any, many: frozenset[Any],
                                       ranked: bool) -> None:
    if op in ("eq", "ne"):
        a, e = one, next(iter(many), one)
    elif op in ("in", "not_in"):
        a, e = one, many
    elif op in ("contains", "not_contains"):
        a, e = many, one
    else:
        a, e = many, (*tuple(many)[:1], one)
    assert comparer(op, ranked)(a, e) is compare(op, a, e)
