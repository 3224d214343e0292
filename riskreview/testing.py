"""Policy tests: run a pack's YAML scenarios, as a library or as a pytest plugin.

A scenario (``tests/*.yaml`` in a pack) is a case on a date and what the decision
must contain::

    scenarios:
      - name: enquiry when children are in contact and the offence is domestic abuse
        as_of: 2026-11-23
        case: {case_id: S1, household: {children_in_contact: true}, ...}
        expect:
          actions: [CSC_ENQUIRY, POLICE_DA_CHECK]   # the complete set
          fired: [CS-02]                             # these rules fired
          not_fired: [CS-01]                         # these did not (near misses)

Other expectations: ``includes`` / ``absent`` (action codes), ``undetermined``
(rule ids), ``information`` (the complete set of information codes), ``due`` and
``status`` (per action code), ``next_review`` (a date) and ``reported`` (values
the pack reports, such as a score or a tier).

Installed with riskreview, a pytest plugin (``riskreview._pytest_plugin``, found
through its entry point) collects every ``tests/*.yaml`` of a folder holding
``pack.yaml``, one test item per scenario, and one *rule coverage* item per pack
that fails when a rule has no scenario that fires it or none that stops just
short of firing it. This module itself does not need pytest.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from riskreview._api import evaluate
from riskreview.errors import RiskReviewError
from riskreview.pack import Pack, Scenario

__all__ = ["Coverage", "ScenarioResult", "coverage", "run_scenario", "run_scenarios"]


@attrs.frozen
class ScenarioResult:
    """The outcome of one scenario: its failures (empty when it passed) and rule outcomes."""

    scenario: Scenario
    failures: tuple[str, ...]
    outcomes: dict[str, str]

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return not self.failures


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def run_scenario(pack: Pack, scenario: Scenario) -> ScenarioResult:
    """Evaluate one scenario and compare the decision with its expectations."""
    try:
        decision = evaluate(dict(scenario.case), as_of=scenario.as_of, pack=pack, trace=True)
    except RiskReviewError as error:
        return ScenarioResult(scenario, (f"evaluation failed: {error}",), {})
    assert decision.trace is not None
    outcomes = {o.rule_id: o.outcome for o in decision.trace}
    details = {o.rule_id: o.detail for o in decision.trace}
    expect = scenario.expect
    codes = set(decision.action_codes)
    failures: list[str] = []
    if "actions" in expect:
        want = set(expect["actions"] or [])
        if codes != want:
            failures.append(_set_diff("actions", want, codes))
    for code in expect.get("includes") or []:
        if code not in codes:
            failures.append(f"action {code} is missing")
    for code in expect.get("absent") or []:
        if code in codes:
            rules = ", ".join(decision.action(code).rule_ids)  # type: ignore[union-attr]
            failures.append(f"action {code} is present (required by {rules})")
    for key, outcome in (
        ("fired", "fired"),
        ("not_fired", "not_fired"),
        ("undetermined", "undetermined"),
    ):
        for rule_id in expect.get(key) or []:
            got = outcomes.get(rule_id)
            if got is None:
                failures.append(f"rule {rule_id} is not in the pack")
            elif got != outcome:
                failures.append(f"rule {rule_id} is {got}, expected {outcome}: {details[rule_id]}")
    if "information" in expect:
        want = set(expect["information"] or [])
        got_info = {i.code for i in decision.information}
        if got_info != want:
            failures.append(_set_diff("information", want, got_info))
    for code, when in (expect.get("due") or {}).items():
        action = decision.action(code)
        if action is None or action.due_date != _as_date(when):
            got_due = action.due_date.isoformat() if action else "no such action"
            failures.append(f"{code} due {got_due}, expected {_as_date(when)}")
    for code, status in (expect.get("status") or {}).items():
        action = decision.action(code)
        if action is None or action.status.value != status:
            failures.append(
                f"{code} status {action.status.value if action else 'absent'}, expected {status}"
            )
    for name, want in (expect.get("reported") or {}).items():
        got_value = decision.reported.get(name, {}).get("value")
        wanted = want.isoformat() if isinstance(want, date) else want
        if got_value != wanted:
            failures.append(f"reported {name} is {got_value!r}, expected {wanted!r}")
    if "next_review" in expect:
        got_review = decision.next_review.date if decision.next_review else None
        if got_review != _as_date(expect["next_review"]):
            failures.append(f"next review {got_review}, expected {_as_date(expect['next_review'])}")
    return ScenarioResult(scenario, tuple(failures), outcomes)


def _set_diff(label: str, want: set[str], got: set[str]) -> str:
    missing, extra = sorted(want - got), sorted(got - want)
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if extra:
        parts.append(f"unexpected {', '.join(extra)}")
    return f"{label}: " + "; ".join(parts)


def run_scenarios(pack: Pack) -> list[ScenarioResult]:
    """Run every scenario of ``pack``."""
    return [run_scenario(pack, s) for s in pack.scenarios]


@attrs.frozen
class Coverage:
    """Which rules the scenarios fire, and which they stop just short of firing."""

    fired: dict[str, tuple[str, ...]]
    near_miss: dict[str, tuple[str, ...]]

    def gaps(self) -> list[str]:
        """One line per rule lacking a firing scenario or a near miss."""
        lines = []
        for rule_id, names in self.fired.items():
            if not names:
                lines.append(f"{rule_id}: no scenario fires it")
            if not self.near_miss[rule_id]:
                lines.append(
                    f"{rule_id}: no scenario stops just short of firing it "
                    "(list it under expect.not_fired)"
                )
        return lines


def coverage(pack: Pack, results: list[ScenarioResult] | None = None) -> Coverage:
    """Rule coverage of a pack's scenarios.

    A near miss is a scenario that names the rule under ``expect.not_fired`` and in
    which it indeed did not fire.
    """
    results = run_scenarios(pack) if results is None else results
    fired: dict[str, list[str]] = {r.id: [] for r in pack.rules}
    near: dict[str, list[str]] = {r.id: [] for r in pack.rules}
    for result in results:
        for rule_id, outcome in result.outcomes.items():
            if outcome == "fired":
                fired[rule_id].append(result.scenario.name)
        for rule_id in result.scenario.expect.get("not_fired") or []:
            if result.outcomes.get(rule_id) == "not_fired" and rule_id in near:
                near[rule_id].append(result.scenario.name)
    return Coverage({k: tuple(v) for k, v in fired.items()}, {k: tuple(v) for k, v in near.items()})
