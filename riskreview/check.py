"""Static checks of a policy pack, for policy owners, before it goes live.

:func:`check` finds what loading cannot call an error but a reviewer must see:

* ``unsatisfiable`` (error): a rule whose conditions contradict each other in
  some policy period, e.g. a window that a parameter value makes empty;
* ``overlap`` (info): rules requiring the same action on conditions that can
  hold together for one case (often intended: one action, all reasons); one
  finding per action, naming the rules;
* ``no_scenario`` / ``no_near_miss`` (error): a rule no scenario fires, or none
  stops just short of firing;
* ``scenario_case`` (error): a scenario whose case is not a valid case;
* ``unused_parameter``, ``unused_condition``, ``unused_action``,
  ``unused_information`` (warning): parts of the pack nothing reads;
* ``envelope`` (info): the engine figures per policy period (paths per lane,
  properties per object, siblings per node) against their limits; for the
  engine's maintainers (``riskreview check --engine``), not for policy owners.

A finding that holds in several policy periods is reported once, naming the
periods it holds in (none when it holds in all of them).

>>> from riskreview.pack import default_pack
>>> check(default_pack()).ok
True
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from riskreview import _compile
from riskreview._compile import And, Each, Formula, Or, Test, Unsupported, dnf
from riskreview._conditions import Named, params_of, walk
from riskreview._wording import plural
from riskreview.case import Case
from riskreview.errors import ArgumentError, CaseError
from riskreview.pack import HORIZON_PARAMETER, Pack

__all__ = ["CheckReport", "Finding", "check"]


@attrs.frozen
class Finding:
    """One thing a reviewer should look at: kind, severity, where and what."""

    kind: str
    severity: str  # error | warning | info
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: [{self.kind}] {self.message}"


@attrs.frozen
class CheckReport:
    """Every finding, errors first."""

    pack: str
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and information may remain)."""
        return not any(f.severity == "error" for f in self.findings)

    def of_kind(self, kind: str) -> list[Finding]:
        """The findings of one kind."""
        return [f for f in self.findings if f.kind == kind]

    def __str__(self) -> str:
        if not self.findings:
            return f"{self.pack}: no findings"
        return "\n".join(str(f) for f in self.findings)


_ORDER = {"error": 0, "warning": 1, "info": 2}


def check(pack: Pack, *, scenarios: bool = True) -> CheckReport:
    """Statically check ``pack``; ``scenarios=False`` skips running its scenarios.

    Raises :class:`~riskreview.errors.ArgumentError` when ``pack`` is not a
    :class:`~riskreview.pack.Pack` (load one with :func:`~riskreview.pack.load_pack`).
    """
    if not isinstance(pack, Pack):
        raise ArgumentError(
            "check takes a Pack, as load_pack(path) or default_pack() returns, "
            f"got {type(pack).__name__}"
        )
    if not isinstance(scenarios, bool):
        raise ArgumentError(f"scenarios must be True or False, got {type(scenarios).__name__}")
    findings: list[Finding] = []
    epochs = tuple(pack.change_dates)
    never: dict[str, list[date]] = {}
    pairs: dict[str, dict[tuple[str, str], list[date]]] = {}
    for epoch in epochs:
        compiled = _compile.compile_epoch(pack, epoch)
        for where in _satisfiability(compiled):
            never.setdefault(where, []).append(epoch)
        for action, pair in _overlaps(compiled):
            pairs.setdefault(action, {}).setdefault(pair, []).append(epoch)
        findings.append(_envelope(compiled, epoch))
    findings.extend(
        Finding(
            "unsatisfiable",
            "error",
            where,
            "its conditions contradict each other: it can never fire"
            + _periods(days, epochs, " in "),
        )
        for where, days in never.items()
    )
    findings.extend(_overlap_findings(pairs, epochs))
    findings.extend(_unused(pack))
    findings.extend(_internal_sources(pack))
    if scenarios:
        findings.extend(_scenarios(pack))
    unique = list(dict.fromkeys(findings))
    unique.sort(key=lambda f: (_ORDER[f.severity], f.kind, f.where))
    return CheckReport(pack.name, tuple(unique))


# ------------------------------------------------------------------ satisfiability


def _bounds(tests: Iterable[Test]) -> bool:
    """Whether a conjunction of tests can hold (False when two of them contradict)."""
    low: dict[tuple[Any, ...], int] = {}
    high: dict[tuple[Any, ...], int] = {}
    members: dict[tuple[str, str], list[tuple[frozenset[Any], bool]]] = {}
    present: dict[tuple[str, str], bool] = {}
    values: set[tuple[str, str]] = set()
    for t in tests:
        key = t.prop.key
        if t.side == "ge":
            low[key] = max(low.get(key, t.bound), t.bound)
        else:
            high[key] = min(high.get(key, t.bound), t.bound)
        field = (t.prop.field.path, t.prop.scope)
        if t.prop.kind == "oneof":
            members.setdefault(field, []).append((t.prop.arg, t.side == "ge"))
        if t.prop.kind == "present":
            present[field] = t.side == "ge"
        elif t.prop.kind not in ("count",):
            values.add(field)
    if any(key in high and low[key] > high[key] for key in low):
        return False
    if any(_binary(k) and b > 1 for k, b in low.items()):
        return False
    if any(_binary(k) and b < 0 for k, b in high.items()):
        return False
    if any(present.get(f) is False for f in values):
        return False  # a test on a value the same rule requires to be missing
    for options in members.values():
        allowed: frozenset[Any] | None = None
        excluded: set[Any] = set()
        for arg, positive in options:
            if positive:
                allowed = arg if allowed is None else allowed & arg
            else:
                excluded |= arg
        if allowed is not None and not (allowed - excluded):
            return False
    return True


def _binary(key: tuple[Any, ...]) -> bool:
    return key[0] in ("present", "oneof", "anyof")


def _terms(f: Formula) -> list[list[Test | Each]]:
    """Top-level disjunctive form; list tests are kept whole."""
    if isinstance(f, Test | Each):
        return [[f]]
    if isinstance(f, Or):
        return [t for i in f.items for t in _terms(i)]
    terms: list[list[Test | Each]] = [[]]
    for item in f.items:
        terms = [a + b for a in terms for b in _terms(item)][:4096]
    return terms


def _term_possible(term: list[Test | Each]) -> bool:
    scalars = [t for t in term if isinstance(t, Test)]
    if not _bounds(scalars):
        return False
    for each in (t for t in term if isinstance(t, Each)):
        try:
            inner = dnf(each.cond)
        except Unsupported:
            continue
        if each.mode == "any" and not any(_bounds(c) for c in inner):
            return False
    return True


def _satisfiable(f: Formula) -> bool:
    return any(_term_possible(t) for t in _terms(f))


def _where(rule: Any) -> str:
    return f"{rule.file}:{rule.line} {rule.id}"


def _satisfiability(compiled: _compile.Compiled) -> list[str]:
    """Where each rule is that can never fire in this policy period."""
    return [_where(cr.rule) for cr in compiled.rules if not _satisfiable(cr.plain)]


def _overlaps(compiled: _compile.Compiled) -> list[tuple[str, tuple[str, str]]]:
    """Each action and pair of its rules whose conditions can hold together."""
    return [
        (a.rule.action, (a.rule.id, b.rule.id))
        for a, b in itertools.combinations(compiled.rules, 2)
        if a.rule.action == b.rule.action and _satisfiable(And((a.plain, b.plain)))
    ]


def _periods(days: list[date], epochs: tuple[date, ...], lead: str = " ") -> str:
    """Which policy periods a finding holds in: nothing when it holds in every one."""
    if len(days) == len(epochs):
        return ""
    words = " and ".join(d.isoformat() for d in days)
    return f"{lead}the policy period{'s' * (len(days) > 1)} from {words}"


def _overlap_findings(
    pairs: dict[str, dict[tuple[str, str], list[date]]], epochs: tuple[date, ...]
) -> list[Finding]:
    """One note per action, naming the rules that can require it for the same case."""
    out = []
    for action, held in sorted(pairs.items()):
        rules = sorted({rule for pair in held for rule in pair})
        every = len(held) == len(rules) * (len(rules) - 1) // 2
        if every and all(len(days) == len(epochs) for days in held.values()):
            which = (
                f"{rules[0]} and {rules[1]} can both hold for the same case"
                if len(rules) == 2
                else f"any two of {', '.join(rules)} can hold for the same case"
            )
        else:
            partners: dict[str, list[str]] = {}
            for pair, days in sorted((tuple(sorted(p)), d) for p, d in held.items()):
                partners.setdefault(pair[0], []).append(pair[1] + _periods(days, epochs, " in "))
            which = "these rules can hold for the same case: " + "; ".join(
                f"{a} with {', '.join(bs)}" for a, bs in partners.items()
            )
        out.append(
            Finding(
                "overlap",
                "info",
                f"actions.yaml {action}",
                f"{which}; the decision then shows {action} once, with each rule's reason",
            )
        )
    return out


def _envelope(compiled: _compile.Compiled, epoch: Any) -> Finding:
    lanes = []
    for lane in compiled.lanes:
        rules = [cr for cr in compiled.rules if cr.index in lane.rules]
        paths = sum(cr.paths for cr in rules)
        scalar, item, _ = _compile.object_sizes(rules, compiled.names)
        lanes.append(
            f"lane {lane.number}: {plural(len(rules), 'rule')}, {paths}/{_compile.LANE_PATHS} "
            f"paths, {max(scalar, item)}/{_compile.MAX_OBJECT_PROPS} properties"
        )
    siblings = max((_compile.max_siblings(cr.expression) for cr in compiled.rules), default=0)
    return Finding(
        "envelope",
        "info",
        f"policy period from {epoch}",
        "; ".join(lanes) + f"; widest node {siblings}/{_compile.MAX_SIBLINGS}",
    )


# ------------------------------------------------------------------ unused parts


def _unused(pack: Pack) -> list[Finding]:
    used_params: set[str] = set()
    used_named: set[str] = set()
    for rule in pack.rules:
        used_named.update(n.name for n in walk(rule.when) if isinstance(n, Named))
        used_params |= params_of(rule.when)
        if rule.due is not None and hasattr(rule.due.amount, "name"):
            used_params.add(rule.due.amount.name)
    for d in pack.derived:  # a parameter a derived value reads is used, as is a condition
        used_params |= d.parameters
        used_named |= d.named_conditions
    if pack.review is not None:
        used_params.add(pack.review.interval.name)
    used_params.add(HORIZON_PARAMETER)  # read by the library: due now or upcoming
    out = [
        Finding(
            "unused_parameter",
            "warning",
            f"parameters {name}",
            "no rule, due date or review schedule uses it",
        )
        for name in pack.parameters
        if name not in used_params
    ]
    out.extend(
        Finding(
            "unused_condition",
            "warning",
            f"conditions.yaml {name}",
            "no rule uses this named condition",
        )
        for name in pack.conditions
        if name not in used_named
    )
    actions = {r.action for r in pack.rules}
    if pack.review is not None:
        actions.add(pack.review.action)
    out.extend(
        Finding("unused_action", "warning", f"actions.yaml {code}", "no rule requires this action")
        for code in pack.actions
        if code not in actions
    )
    return out


#: words that mark a source as a note for the pack's authors, not a document a
#: practitioner can look up
_INTERNAL_SOURCE = re.compile(r"\b(DOMAIN|candidate)\b", re.IGNORECASE)


def _internal_sources(pack: Pack) -> list[Finding]:
    """Sources that cite an internal note instead of a public document or local policy."""
    cited = [(_where(rule), rule.source) for rule in pack.rules]
    cited += [(f"parameters {name}", p.source) for name, p in pack.parameters.items()]
    return [
        Finding(
            "internal_source",
            "warning",
            where,
            f"the source cites {match.group(0)!r}, an internal note: name a public document "
            "a practitioner can find (an inspection report, a framework, published "
            "guidance) or say 'local policy (assumed)'",
        )
        for where, source in cited
        if (match := _INTERNAL_SOURCE.search(source))
    ]


# ------------------------------------------------------------------ scenarios


def _scenarios(pack: Pack) -> list[Finding]:
    from riskreview.testing import coverage, run_scenarios  # noqa: PLC0415 - imports pytest

    out = []
    for scenario in pack.scenarios:
        try:
            Case.from_dict(dict(scenario.case))
        except CaseError as error:
            out.append(
                Finding(
                    "scenario_case",
                    "error",
                    f"{scenario.file}:{scenario.line} {scenario.name}",
                    "; ".join(str(p) for p in error.problems),
                )
            )
    results = run_scenarios(pack)
    for result in results:
        if result.failures:
            s = result.scenario
            out.append(
                Finding(
                    "scenario_failed",
                    "error",
                    f"{s.file}:{s.line} {s.name}",
                    "; ".join(result.failures),
                )
            )
    cover = coverage(pack, results)
    for rule in pack.rules:
        if not cover.fired[rule.id]:
            out.append(Finding("no_scenario", "error", _where(rule), "no scenario fires it"))
        if not cover.near_miss[rule.id]:
            out.append(
                Finding(
                    "no_near_miss",
                    "error",
                    _where(rule),
                    "no scenario stops just short of firing it",
                )
            )
    return out
