"""Policy tests: run a pack's YAML scenarios, as a library or as a pytest plugin.

A scenario (``tests/*.yaml`` in a pack) is a case on a date and what the decision
must contain::

    scenarios:
      - name: enquiry when children are in contact and the offence is domestic abuse
        as_of: 2026-11-23
        case: {case_id: S1, household: {children_in_contact: true}, ...}
        expect:
          required: [CSC_ENQUIRY]        # these actions must be among those required
          forbidden: [CHASE_CSC_ENQUIRY] # these must not be
          fired: [CS-02]                 # these rules fired
          not_fired: [CS-01]             # these did not (near misses)

``required`` and ``forbidden`` assert only what the scenario is about, so a new
rule elsewhere in the pack leaves it alone. ``actions: {exactly: [...]}`` is the
complete set of actions, a deliberate choice: any action added to or dropped from
the decision fails it (a plain ``actions: [...]`` list means the same). ``includes``
and ``absent`` are older spellings of ``required`` and ``forbidden``.

Other expectations: ``undetermined`` (rule ids), ``information`` (information
codes: a plain list or ``{exactly: [...]}`` for the complete set, or
``{required: [...], forbidden: [...]}``), ``due``, ``status`` and ``priority``
(per action code), ``next_review`` (a date) and ``reported`` (values the pack
reports, such as a score or a tier).

Installed with riskreview, a pytest plugin (``riskreview._pytest_plugin``, found
through its entry point) collects every ``tests/*.yaml`` of a folder holding
``pack.yaml``, one test item per scenario, and one *rule coverage* item per pack
that fails when a rule has no scenario that fires it or none that stops just
short of firing it. This module itself does not need pytest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from riskreview._api import evaluate
from riskreview._structure import suggest
from riskreview.decision import Decision
from riskreview.errors import RiskReviewError
from riskreview.pack import Pack, Scenario

__all__ = ["Coverage", "ScenarioResult", "coverage", "run_scenario", "run_scenarios"]


@attrs.frozen
class ScenarioResult:
    """The outcome of one scenario: its failures (empty when it passed) and rule outcomes."""

    scenario: Scenario
    failures: tuple[str, ...]
    outcomes: dict[str, str]
    #: the full explanation of the failures: each rule behind an action that
    #: differs, how it came out and why (``riskreview test -v``, ``pytest -v``)
    details: tuple[str, ...] = ()

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
    """Evaluate one scenario and compare the decision with its expectations.

    Each failure is one short line naming the expectation and the first thing
    that differs; :attr:`ScenarioResult.details` holds the full explanation.
    """
    try:
        decision = evaluate(dict(scenario.case), as_of=scenario.as_of, pack=pack, trace=True)
    except RiskReviewError as error:
        return ScenarioResult(scenario, (f"evaluation failed: {error}",), {})
    assert decision.trace is not None
    outcomes = {o.rule_id: o.outcome for o in decision.trace}
    report = _Report(pack, decision, {o.rule_id: o.detail for o in decision.trace})
    expect = scenario.expect
    report.actions(expect)
    for key, outcome in (
        ("fired", "fired"),
        ("not_fired", "not_fired"),
        ("undetermined", "undetermined"),
    ):
        for rule_id in expect.get(key) or []:
            got = outcomes.get(rule_id)
            if got is None:
                report.fail(f"{key}: rule {rule_id} is not in the pack")
            elif got != outcome:
                report.fail(
                    f"{key}: rule {rule_id} is {got}, expected {outcome}: "
                    f"{_brief(report.detail[rule_id])}",
                    f"{rule_id} {got}: {report.detail[rule_id]}",
                )
    report.information(expect)
    for code, when in (expect.get("due") or {}).items():
        action = decision.action(code)
        if action is None or action.due_date != _as_date(when):
            got_due = action.due_date.isoformat() if action else "no such action"
            report.fail(f"due: {code} due {got_due}, expected {_as_date(when)}")
    for key in ("status", "priority", "timing"):
        for code, value in (expect.get(key) or {}).items():
            action = decision.action(code)
            got_value = getattr(action, key).value if action else "absent"
            if got_value != value:
                report.fail(f"{key}: {code} is {got_value}, expected {value}")
    for name, want in (expect.get("reported") or {}).items():
        got_reported = decision.reported.get(name, {}).get("value")
        wanted = want.isoformat() if isinstance(want, date) else want
        if got_reported != wanted:
            report.fail(f"reported: {name} is {got_reported!r}, expected {wanted!r}")
    if "next_review" in expect:
        got_review = decision.next_review.date if decision.next_review else None
        if got_review != _as_date(expect["next_review"]):
            report.fail(f"next_review: {got_review}, expected {_as_date(expect['next_review'])}")
    return ScenarioResult(scenario, tuple(report.failures), outcomes, tuple(report.details))


#: what a failing complete set says, by how the scenario spelt it
_COMPLETE = {
    "list": "this scenario lists the complete set (a plain `{key}:` list means "
    "`{key}: {{exactly: [...]}}`); to assert only what it is about, write {instead}",
    "exactly": "this scenario lists the complete set (`{key}: {{exactly: [...]}}`); "
    "to assert only what it is about, write {instead}",
}
_INSTEAD = {
    "actions": "`required: [...]` and `forbidden: [...]`",
    "information": "`information: {required: [...], forbidden: [...]}`",
}
_BRIEF = 100


def _brief(text: str) -> str:
    """The start of a long explanation (the whole of it is in the details)."""
    if len(text) <= _BRIEF:
        return text
    return text[:_BRIEF].rsplit(" ", 1)[0] + " …"


def _listed(codes: list[str]) -> str:
    return ", ".join(codes[:3]) + (f" and {len(codes) - 3} more" if len(codes) > 3 else "")


class _Report:
    """The failures (one short line each) and details (the full explanation) of a scenario."""

    def __init__(self, pack: Pack, decision: Decision, detail: dict[str, str]) -> None:
        self.pack = pack
        self.decision = decision
        self.detail = detail
        self.failures: list[str] = []
        self.details: list[str] = []

    def fail(self, line: str, *details: str) -> None:
        self.failures.append(line)
        self.details.extend(details)

    def why_present(self, code: str) -> str:
        action = self.decision.action(code)
        return ", ".join(action.rule_ids) if action else ""

    def why_absent(self, code: str) -> list[str]:
        """Each rule that could require ``code``, with how it came out and why."""
        return [
            f"{code}: {r.id} {self.decision_outcome(r.id)}: {self.detail.get(r.id, '')}"
            for r in self.pack.rules
            if r.action == code
        ]

    def decision_outcome(self, rule_id: str) -> str:
        return next((o.outcome for o in self.decision.trace or () if o.rule_id == rule_id), "")

    def unknown(self, key: str, codes: list[str]) -> list[str]:
        known = set(self.pack.actions)
        bad = [c for c in codes if c not in known]
        if bad:
            hints = "".join(suggest(c, sorted(known)) for c in bad[:1])
            what = "is not an action" if len(bad) == 1 else "are not actions"
            self.fail(f"{key}: {_listed(bad)} {what} of this pack{hints}")
        return [c for c in codes if c in known]

    def actions(self, expect: Mapping[str, Any]) -> None:
        codes = set(self.decision.action_codes)
        for key in ("required", "includes"):
            missing = [c for c in self.unknown(key, list(expect.get(key) or [])) if c not in codes]
            if missing:
                rules = [r.id for r in self.pack.rules if r.action == missing[0]]
                first = f" ({', '.join(rules)} did not fire)" if rules else ""
                self.fail(
                    f"{key}: {_listed(missing)} missing{first}",
                    *(line for c in missing for line in self.why_absent(c)),
                )
        for key in ("forbidden", "absent"):
            present = [c for c in self.unknown(key, list(expect.get(key) or [])) if c in codes]
            if present:
                self.fail(
                    f"{key}: {_listed(present)} present "
                    f"(required by {self.why_present(present[0])})",
                    *(self._reasons(c) for c in present),
                )
        if "actions" in expect:
            spelling, want = _complete(expect["actions"])
            if want is not None and set(want) != codes:
                self._complete_set("actions", spelling, set(want), codes)

    def information(self, expect: Mapping[str, Any]) -> None:
        if "information" not in expect:
            return
        got = {i.code for i in self.decision.information}
        value = expect["information"]
        spelling, want = _complete(value)
        if want is not None:
            if set(want) != got:
                self._complete_set("information", spelling, set(want), got)
            return
        missing = [c for c in value.get("required") or [] if c not in got]
        if missing:
            self.fail(f"information required: {_listed(missing)} missing")
        present = [c for c in value.get("forbidden") or [] if c in got]
        if present:
            self.fail(f"information forbidden: {_listed(present)} present")

    def _reasons(self, code: str) -> str:
        action = self.decision.action(code)
        assert action is not None
        return f"{code}: required by {', '.join(action.rule_ids)}: " + " ".join(action.reasons)

    def _complete_set(self, key: str, spelling: str, want: set[str], got: set[str]) -> None:
        missing, extra = sorted(want - got), sorted(got - want)
        if extra:
            first = f"unexpected {extra[0]}"
            if key == "actions":
                first += f" (required by {self.why_present(extra[0])})"
        else:
            first = f"missing {missing[0]}"
        more = len(missing) + len(extra) - 1
        line = f"{key} (the complete set): {first}" + (f" and {more} more" if more else "")
        details = [f"{key}: missing {c}" for c in missing] + [
            f"{key}: unexpected {c}" for c in extra
        ]
        if key == "actions":
            details = [line for c in missing for line in self.why_absent(c)]
            details += [self._reasons(c) for c in extra]
        self.fail(line, *details)
        self.fail(_COMPLETE[spelling].format(key=key, instead=_INSTEAD[key]))


def _complete(value: Any) -> tuple[str, list[str] | None]:
    """How a set expectation was spelt, and the complete set it lists (None if not one)."""
    if isinstance(value, Mapping):
        return "exactly", (list(value["exactly"] or []) if "exactly" in value else None)
    return "list", list(value or [])


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
