"""The order of the lists in a case never changes what it requires.

Children, events, offences, concerns, registrations, needs, home visits and the
categories of an offence or concern are sets to policy: shuffled, they give the same
actions with the same due dates, priorities and reasons, and the same information
actions. Evidence names list items by index, so it is compared as a set after
mapping each shuffled index back to the item's original place.
"""

from __future__ import annotations

import copy
import random
from datetime import date
from typing import Any

from _property_support import dated_case_dicts, examples, summary
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview

LISTS = (
    "household.children",
    "events",
    "offending_history",
    "concerns",
    "registrations",
    "needs",
    "home_visits",
)


def _holder(data: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    *parents, name = path.split(".")
    node: Any = data
    for parent in parents:
        node = node.get(parent) if isinstance(node, dict) else None
    return (node if isinstance(node, dict) else None), name


def _shuffle_categories(item: Any, rnd: random.Random) -> None:
    if isinstance(item, dict) and isinstance(item.get("categories"), list):
        rnd.shuffle(item["categories"])


def shuffled(
    data: dict[str, Any], rnd: random.Random
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """A copy of ``data`` with every list shuffled, and each list's new order."""
    out = copy.deepcopy(data)
    orders: dict[str, list[int]] = {}
    for path in LISTS:
        holder, name = _holder(out, path)
        items = holder.get(name) if holder is not None else None
        if not isinstance(items, list):
            continue
        order = list(range(len(items)))
        rnd.shuffle(order)
        holder[name] = [items[i] for i in order]  # type: ignore[index]
        orders[path] = order
        for item in holder[name]:  # type: ignore[index]
            _shuffle_categories(item, rnd)
    _shuffle_categories(out.get("index_offence"), rnd)
    return out, orders


@settings(max_examples=examples(300))
@given(dated_case_dicts(), st.randoms(use_true_random=False))
def test_shuffling_the_lists_of_a_case_changes_nothing_it_requires(
    dated: tuple[dict[str, Any], date], rnd: random.Random
) -> None:
    data, as_of = dated
    mixed, orders = shuffled(data, rnd)
    before = riskreview.evaluate(data, as_of=as_of)
    after = riskreview.evaluate(mixed, as_of=as_of)
    assert summary(after, orders) == summary(before)
