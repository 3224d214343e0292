"""The decide pipeline: one pass from a validated case to a Decision.

Each stage has one job and data flows one way::

    Pack ──load──► runtime per policy period             (_runtime: compiled rules, engine)
    Case + as_of ─► inputs & derived values               (_values)
                 ─► facts ─► engine outcomes               (_facts, _match)
                 ─► evidence walk, once per fired or       (_walk: cross-check, evidence,
                    undetermined rule                        due anchors)
                 ─► actions, information, next review      (_assemble)
                 ─► Decision

Explanations are built only on demand (:mod:`riskreview._explainrule`).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from itertools import chain
from typing import Any

from riskreview import _assemble, _version
from riskreview._explain import why
from riskreview._match import Outcome, match
from riskreview._reference import Reference, Result
from riskreview._runtime import Runtime, runtime
from riskreview._stable import derived_time_tests, first_after, first_change, time_tests
from riskreview._values import reference, values
from riskreview._walk import reading, walk
from riskreview.decision import Decision, PackRef, RuleOutcome
from riskreview.pack import Pack


def decide(
    case: Any,
    as_of: date,
    pack: Pack,
    *,
    trace: bool = False,
    upcoming_within: int | None = None,
    digest: str | None = None,
) -> Decision:
    """Evaluate ``case`` on ``as_of`` under ``pack`` (the case is already validated);
    ``upcoming_within``: the horizon in days (None: the pack's, if it sets one);
    ``digest``: the case's :func:`input_digest`, when the caller has it already."""
    epoch = pack.epoch(as_of)
    rt = runtime(pack, epoch)
    quick = rt.conditions
    vals = values(pack, case, as_of, rt.calendar, quick, rt.derived)
    found = match(rt, case, as_of, vals.extras, vals.unheld)
    ref = reference(pack, case, as_of, rt.calendar, vals, quick)
    walked = walk(pack, ref, found, trace=trace)
    flips: list[date] = []
    within = _assemble.horizon(pack, as_of, upcoming_within)
    made = _assemble.assemble(pack, ref, rt.calendar, found, walked, vals.derived, flips, within)
    return Decision(
        case_id=case.case_id,
        as_of=as_of,
        pack=PackRef(pack.name, pack.version, pack.digest, epoch),
        input_digest=input_digest(case) if digest is None else digest,
        library_version=_version.VERSION,
        actions=made.actions,
        information=made.information,
        next_review=made.next_review,
        trace=_trace(pack, found, walked.results, as_of) if trace else None,
        reported=_assemble.reported(pack, vals.derived),
        stable_until=_stable_until(pack, rt, ref, flips, found),
        upcoming_within=within,
    )


def _stable_until(
    pack: Pack, rt: Runtime, ref: Reference, flips: list[date], found: dict[int, Outcome]
) -> date | None:
    """The first day the decision could change but for what rolls with the day
    (``found``: the engine's outcome of each rule in force on ``as_of``)."""
    as_of = ref.as_of
    known = rt.memo.get("time_tests")
    if known is None:  # worked out once per policy period
        daily = derived_time_tests(pack.derived)
        rules_of: dict[int, list[Any]] = {}
        for cr in rt.compiled.rules:  # two rules may share a condition
            rules_of.setdefault(id(cr.rule.when), []).append(cr)
        known = rt.memo["time_tests"] = (
            daily,
            time_tests(cr.rule.when for cr in rt.compiled.rules),
            rules_of,
        )
    daily, tests, rules_of = known
    if daily is None:
        return as_of + timedelta(days=1)  # a derived value of as_of may change any day

    def false_today(when: Any) -> bool:
        return found[rules_of[id(when)][0].index] is Outcome.NOT_FIRED

    def reads(when: Any, on_day: Reference) -> object:
        return [reading(on_day, cr.rule) for cr in rules_of[id(when)]]

    bound = first_after(as_of, chain(flips, pack.change_dates))
    if daily:  # the first day a derived value could change ends the span too
        bound = first_change(ref, daily, bound)
    return first_change(ref, tests, bound, false_today, reads)


def input_digest(case: Any) -> str:
    """SHA-256 of the case's canonical JSON."""
    return "sha256:" + hashlib.sha256(case.to_json().encode()).hexdigest()


def _trace(
    pack: Pack, found: dict[int, Outcome], results: dict[int, Result], as_of: date
) -> tuple[RuleOutcome, ...]:
    out = []
    for index, rule in enumerate(pack.rules):
        if index not in found:
            span = (
                f"in force {rule.effective_from or 'from the start'} "
                f"to {rule.effective_to or 'now'}"
            )
            out.append(
                RuleOutcome(
                    rule.id, Outcome.NOT_IN_FORCE.value, f"not in force on {as_of} ({span})"
                )
            )
        else:
            out.append(RuleOutcome(rule.id, found[index].value, why(results[index])))
    return tuple(out)
