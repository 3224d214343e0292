"""The evidence walk: each fired or undetermined rule read once by the reference evaluator.

The walk is three things at once. It cross-checks the engine (the reference
evaluator must reach the same outcome, or the decision is an :class:`EngineError`);
it yields the evidence and the unknown facts behind each outcome; and, for a rule
whose due date is anchored on the list items that made it fire (``matched.<list>``),
it walks every alternative of each ``any``, so that every true alternative is seen
and the anchor is the earliest of them. Rules that did not fire are walked only for a trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from riskreview._match import Outcome
from riskreview._reference import Reference, Result
from riskreview.errors import EngineError


def needs_complete_walk(rule: Any) -> bool:
    """Whether the rule's due date is anchored on the items that made it fire."""
    return rule.due is not None and rule.due.anchor.startswith("matched.")


def walk(
    pack: Any, ref: Reference, found: Mapping[int, Outcome], *, trace: bool = False
) -> dict[int, Result]:
    """The reference result of every fired or undetermined rule (of every rule with
    ``trace``), each checked against the engine's outcome."""
    results: dict[int, Result] = {}
    complete: Reference | None = None
    for index, outcome in found.items():
        if outcome is Outcome.NOT_FIRED and not trace:
            continue
        rule = pack.rules[index]
        reader = ref
        if outcome is Outcome.FIRED and needs_complete_walk(rule):
            if complete is None:
                complete = attrs.evolve(ref, alternatives=True)
            reader = complete
        result = reader.evaluate(rule.when)
        if result.truth is not outcome.truth:
            raise EngineError(
                f"engine and reference evaluator disagree: engine says {outcome.value}",
                rule_id=rule.id,
                case_id=ref.case.case_id,
            )
        results[index] = result
    return results
