"""The evidence walk: each fired or undetermined rule read once.

The walk is three things at once. It cross-checks the engine (an evaluator of the
library's own must reach the same outcome, or the decision is an
:class:`EngineError`); it yields the evidence and the unknown facts behind each
outcome; and, for a rule whose due date is anchored on the list items that made it
fire (``matched.<list>``), the earliest date among every true alternative's items.

Each is read by a function compiled once per policy period
(:mod:`riskreview._evidence`), in one pass and with no result tree: a fired rule
for its truth, its evidence and its anchor; an undetermined rule for its truth and
the unknown facts to ask for first. Rules that did not fire are read only for a
trace, which reads every rule by the reference evaluator as well, for the words
of each outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, NamedTuple

import attrs

from riskreview._evidence import Pairs, compile_asked, compile_rule
from riskreview._match import Outcome
from riskreview._reference import Reference, Result
from riskreview.errors import EngineError


def needs_complete_walk(rule: Any) -> bool:
    """Whether the rule's due date is anchored on the items that made it fire."""
    return rule.due is not None and rule.due.anchor.startswith("matched.")


class Fired(NamedTuple):
    """What a fired rule gives its action: the facts that made it fire, in condition
    order (a pair may come twice), and, for a due date anchored on the items that made
    it fire, the earliest of their dates (None: unknown, or no such anchor)."""

    evidence: Pairs
    anchor: date | None


class Walked(NamedTuple):
    """The walk of one case: each fired rule's evidence, each undetermined rule's
    unknown facts to ask for first (see :func:`riskreview._evidence.compile_asked`;
    a path may come twice), and, with a trace, every rule's full result."""

    fired: dict[int, Fired]
    asked: dict[int, list[str]]
    results: dict[int, Result]


def walk(pack: Any, ref: Reference, found: Mapping[int, Outcome], *, trace: bool = False) -> Walked:
    """Each fired rule's evidence and each undetermined rule's questions (with
    ``trace``, every rule's full result too), each rule checked against the engine's
    outcome."""
    fired: dict[int, Fired] = {}
    asked: dict[int, list[str]] = {}
    results: dict[int, Result] = {}
    complete: Reference | None = None
    for index, outcome in found.items():
        rule = pack.rules[index]
        whole = outcome is Outcome.FIRED and needs_complete_walk(rule)
        if outcome is Outcome.FIRED:
            truth, fired[index] = _fired(ref, rule, whole)
            _check(ref, rule, truth, outcome)
            if not trace:
                continue
        elif outcome is Outcome.UNDETERMINED:
            truth, asked[index] = _asked(ref, rule)
            _check(ref, rule, truth, outcome)
            if not trace:
                continue
        elif not trace:
            continue
        reader = ref
        if whole:  # the trace shows every true alternative, as the anchor reads them
            if complete is None:
                complete = attrs.evolve(ref, alternatives=True)
            reader = complete
        result = reader.evaluate(rule.when)
        _check(ref, rule, result.truth, outcome)
        results[index] = result
    return Walked(fired, asked, results)


def reading(ref: Reference, rule: Any) -> tuple[Any, ...]:
    """What a decision reads of ``rule`` for the case on the day ``ref`` reads: its
    truth, with a fired rule's evidence and due-date anchor or an undetermined rule's
    questions, as the walk reads them. Two days on which it is the same give the rule
    the same part in the decision."""
    truth = ref.truth(rule.when)
    if truth is True:
        return truth, _fired(ref, rule, needs_complete_walk(rule))[1]
    if truth is None:
        return truth, _asked(ref, rule)[1]
    return (truth,)


def _check(ref: Reference, rule: Any, truth: bool | None, outcome: Outcome) -> None:
    if truth is not outcome.truth:
        raise EngineError(
            f"engine and reference evaluator disagree: engine says {outcome.value}",
            rule_id=rule.id,
            case_id=ref.case.case_id,
        )


def _fired(ref: Reference, rule: Any, whole: bool) -> tuple[bool | None, Fired]:
    """The truth of ``rule`` for the case, its evidence and, with ``whole``, the anchor
    of its due date, by a function compiled once per policy period."""
    when = rule.when
    anchor = rule.due.anchor.removeprefix("matched.") if whole else None
    table = _compiled(ref, ("evidence", "parts"), None, lambda _: {})
    key = ("evidence", id(when), whole, anchor)  # two rules may share a condition
    run = _compiled(ref, key, when, compile_rule, whole, anchor, table)
    truth, pairs, earliest = run(ref)
    return truth, Fired(pairs, earliest)


def _asked(ref: Reference, rule: Any) -> tuple[bool | None, list[str]]:
    """The truth of ``rule`` for the case and, when undetermined, the unknown facts to
    ask for first, by a function compiled once per policy period."""
    when = rule.when
    table = _compiled(ref, ("asked", "parts"), None, lambda _: {})
    run = _compiled(ref, ("asked", id(when)), when, compile_asked, table)
    paths: list[str] = []
    return run(ref, None, "", paths), paths


def _compiled(ref: Reference, key: Any, node: Any, make: Callable[..., Any], *args: Any) -> Any:
    """``make(node, *args)``, made once per policy period (held with the node, as the
    reference evaluator holds its compiled tests)."""
    entry = ref.quick.get(key)
    if entry is None:
        entry = ref.quick[key] = (node, make(node, *args))
    return entry[1]
