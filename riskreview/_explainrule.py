"""Explanations on demand: one rule, condition by condition, for one case.

Built only when asked for (``riskreview.explain``, ``riskreview explain``), never on
the path of an ordinary decision. The rule is walked completely, so every
condition shows whether it held, failed or was unknown, and the engine's outcome
is checked against the walk.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from riskreview._explain import condition_text, detail_of, failure_text, parts_of
from riskreview._match import Outcome, match
from riskreview._reference import unknown_paths
from riskreview._runtime import runtime
from riskreview._values import reference, values
from riskreview.decision import ConditionCheck, Explanation
from riskreview.errors import EngineError
from riskreview.pack import Pack

_WORDS = {True: "held", False: "failed", None: "unknown"}


def explain_rule(case: Any, rule_id: str, as_of: date, pack: Pack) -> Explanation:
    """The explanation of one rule; the engine's outcome is checked against it."""
    rule = pack.rule(rule_id)
    index = pack.rules.index(rule)
    epoch = pack.epoch(as_of)
    base: dict[str, Any] = {
        "rule_id": rule.id,
        "title": rule.title,
        "action": rule.action,
        "rationale": rule.rationale,
        "source": rule.source,
        "as_of": as_of,
    }
    if not rule.in_force(as_of):
        span = f"{rule.effective_from or 'the start'} to {rule.effective_to or 'now'}"
        return Explanation(
            outcome="not_in_force",
            summary=f"{rule.id} is not in force on {as_of} (in force {span}).",
            conditions=(),
            unknown=(),
            **base,
        )
    rt = runtime(pack, epoch)
    quick = rt.conditions  # conditions compiled once per policy period
    vals = values(pack, case, as_of, rt.calendar, quick, rt.derived)
    engine = match(rt, case, as_of, vals.extras, vals.unheld)[index]
    full = reference(pack, case, as_of, rt.calendar, vals, quick)
    result = attrs.evolve(full, complete=True, index_lists=False).evaluate(rule.when)
    outcome = Outcome.of(result.truth)
    if outcome is not engine:
        raise EngineError(
            f"engine and reference evaluator disagree: engine says {engine.value}",
            rule_id=rule.id,
            case_id=case.case_id,
        )
    unknown = tuple(unknown_paths(result))
    if outcome is Outcome.FIRED:
        summary = f"{rule.id} fired: {rule.reason}"
    elif outcome is Outcome.UNDETERMINED:
        summary = f"{rule.id} cannot be decided until these are known: {', '.join(unknown)}."
    else:
        summary = f"{rule.id} did not fire: {failure_text(result)}."
    checks = tuple(
        ConditionCheck(condition_text(p.node), _WORDS[p.truth], detail_of(p))
        for p in parts_of(result)
    )
    return Explanation(
        outcome=outcome.value, summary=summary, conditions=checks, unknown=unknown, **base
    )
