"""What the property tests share: example budgets, the two evaluators, decision summaries."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

import riskreview
from riskreview import _match, _runtime, _values
from riskreview.pack import Pack
from riskreview.strategies import as_of_dates, case_dicts

OUTCOME = {True: "fired", None: "undetermined", False: "not_fired"}


def examples(ci: int) -> int:
    """``ci`` examples under the default profile; ten times as many under ``long``."""
    return ci * settings().max_examples // 100


@st.composite
def dated_case_dicts(draw: st.DrawFn, pack: Pack | None = None) -> tuple[dict[str, Any], date]:
    """A valid case dict with the date it is built around (and evaluated on)."""
    as_of = draw(as_of_dates(pack))
    return draw(case_dicts(as_of, pack=pack)), as_of


def disagreements(
    pack: Pack, case: riskreview.Case, as_of: date
) -> tuple[list[str], dict[str, str]]:
    """Rules on which the engine and the reference evaluator differ, and every outcome.

    Returns ``(["RULE: engine says X, reference says Y", ...], {rule id: outcome})``.
    """
    rt = _runtime.runtime(pack, pack.epoch(as_of))
    quick = rt.conditions  # conditions compiled once per policy period
    vals = _values.values(pack, case, as_of, rt.calendar, quick)
    engine = _match.match(rt, case, as_of, vals.extras, vals.unheld)
    reference = _values.reference(pack, case, as_of, rt.calendar, vals, quick)
    differ = []
    found = {}
    for index, outcome in engine.items():
        rule = pack.rules[index]
        expected = OUTCOME[reference.evaluate(rule.when).truth]
        found[rule.id] = expected
        if outcome != expected:
            differ.append(f"{rule.id}: engine says {outcome}, reference says {expected}")
    return differ, found


_INDEX = re.compile(r"^(?P<list>[a-z_.]+)\[(?P<index>[0-9]+)\]")


def unpermute(path: str, orders: Mapping[str, list[int]]) -> str:
    """An evidence path of a shuffled case as a path of the original case.

    ``orders[list_path][new_index]`` is the item's index before the shuffle.
    """
    match = _INDEX.match(path)
    if match is None or match["list"] not in orders:
        return path
    original = orders[match["list"]][int(match["index"])]
    return f"{match['list']}[{original}]{path[match.end() :]}"


def comparable(value: Any) -> Any:
    """An evidence value with the order of a list of flags or categories taken out."""
    if isinstance(value, tuple | list):
        return tuple(sorted(str(v) for v in value))
    return value


def summary(
    decision: riskreview.Decision, orders: Mapping[str, list[int]] | None = None
) -> dict[str, Any]:
    """What a decision says, with every order that may legitimately vary taken out."""
    orders = orders or {}
    return {
        "actions": {
            a.code: (
                a.due_date,
                a.priority,
                a.status,
                a.trigger_date,
                frozenset(a.rule_ids),
                frozenset((unpermute(e.path, orders), comparable(e.value)) for e in a.evidence),
            )
            for a in decision.actions
        },
        "information": {(i.code, i.field, frozenset(i.rule_ids)) for i in decision.information},
        "next_review": decision.next_review.date if decision.next_review else None,
    }
