"""From engine matches to a Decision: actions, information, due dates, next review."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import attrs

from riskreview import _version
from riskreview._compile import Compiled, compile_epoch
from riskreview._conditions import ParamRef
from riskreview._derive import DerivedResult, compute, read_inputs
from riskreview._engine import Engine
from riskreview._explain import condition_text, detail_of, first_failure, parts_of, result_text, why
from riskreview._facts import FactBuilder
from riskreview._fields import CASE_FIELDS
from riskreview._reference import (
    Reference,
    Result,
    earliest_matched_date,
    evidence,
    unknown_paths,
)
from riskreview.calendar import Calendar
from riskreview.decision import (
    ConditionCheck,
    Decision,
    Evidence,
    Explanation,
    InformationAction,
    NextReview,
    PackRef,
    RequiredAction,
    RuleOutcome,
)
from riskreview.errors import EngineError, Problem
from riskreview.pack import PRIORITIES, Pack, Rule


@attrs.frozen(eq=False)
class Runtime:
    """A pack's policy period, compiled, with its engine and fact builder."""

    compiled: Compiled
    engine: Engine
    builder: FactBuilder
    calendar: Calendar


_RUNTIMES: dict[tuple[int, str, date], Runtime] = {}
_RUNTIMES_LOCK = threading.Lock()
_CALENDARS: dict[tuple[str, str | None], Calendar] = {}


def calendar_for(pack: Pack) -> Calendar:
    """The working-day calendar a pack names (shared per jurisdiction)."""
    key = (pack.calendar_country, pack.calendar_subdiv)
    if key not in _CALENDARS:
        _CALENDARS[key] = Calendar(*key)
    return _CALENDARS[key]


def runtime(pack: Pack, epoch: date) -> Runtime:
    """The compiled runtime for ``pack`` in the period starting ``epoch`` (built once)."""
    key = (id(pack), pack.digest, epoch)
    found = _RUNTIMES.get(key)
    if found is not None:
        return found
    with _RUNTIMES_LOCK:
        found = _RUNTIMES.get(key)
        if found is None:
            compiled = compile_epoch(pack, epoch)
            names = {f"r{cr.index}": cr.rule.id for cr in compiled.rules}
            calendar = calendar_for(pack)
            found = Runtime(
                compiled, Engine(compiled.ruleset, names), FactBuilder(compiled, calendar), calendar
            )
            _RUNTIMES[key] = found
    return found


def build_engines(pack: Pack) -> list[Problem]:
    """Build the engine of every policy period now, so a limit the engine enforces when
    it creates a ruleset (such as its expression limit, error 113) is a load error
    naming the rule, never a failure on the first case."""
    problems: list[Problem] = []
    for epoch in pack.change_dates:
        try:
            runtime(pack, epoch)
        except EngineError:
            compiled = compile_epoch(pack, epoch)
            for lane in compiled.lanes:
                for index in lane.rules:
                    names = {f"k{lane.number}", f"r{index}"}
                    alone = {k: v for k, v in compiled.ruleset.items() if k in names}
                    try:
                        Engine(alone, {})
                    except EngineError as error:
                        rule = pack.rules[index]
                        problem = Problem(
                            f"{rule.file}:{rule.line} {rule.id}",
                            f"the engine cannot hold this rule: {error}",
                        )
                        if problem not in problems:
                            problems.append(problem)
            if not problems:
                problems.append(Problem("pack", f"the engine rejected the pack for {epoch}"))
    return problems


_tags = threading.local()


def _tag() -> str:
    n = getattr(_tags, "n", 0) + 1
    _tags.n = n
    return f"{threading.get_ident()}.{n}"


def outcomes(
    rt: Runtime, case: Any, as_of: date, extras: Mapping[str, Any] | None = None
) -> dict[int, str]:
    """Engine outcome per rule index: ``fired``, ``undetermined`` or ``not_fired``."""
    facts = rt.builder.build(case, as_of, "", _tag(), extras)
    matches = rt.engine.run(facts, case.case_id)
    definite: set[int] = set()
    possible: set[int] = set()
    for name, variant in matches:
        if name.startswith("r"):
            (possible if variant else definite).add(int(name[1:]))
    if definite - possible:
        rule = rt.engine.rule_id(f"r{min(definite - possible)}")
        raise EngineError(
            "a rule matched the definite fact but not the possible one",
            rule_id=rule,
            case_id=case.case_id,
        )
    out = {}
    for cr in rt.compiled.rules:
        i = cr.index
        out[i] = "fired" if i in definite else "undetermined" if i in possible else "not_fired"
    return out


def decide(case: Any, as_of: date, pack: Pack, *, trace: bool = False) -> Decision:
    """Evaluate ``case`` on ``as_of`` under ``pack`` (the case is already validated)."""
    epoch = pack.epoch(as_of)
    rt = runtime(pack, epoch)
    extras, derived = environment(pack, case, as_of, rt.calendar)
    found = outcomes(rt, case, as_of, extras)
    ref = reference(pack, case, as_of, rt.calendar, extras, derived)
    results: dict[int, Result] = {}
    for index, outcome in found.items():
        if outcome == "not_fired" and not trace:
            continue
        rule = pack.rules[index]
        result = ref.evaluate(rule.when)
        expected = {"fired": True, "undetermined": None, "not_fired": False}[outcome]
        if result.truth is not expected:
            raise EngineError(
                f"engine and reference evaluator disagree: engine says {outcome}",
                rule_id=rule.id,
                case_id=case.case_id,
            )
        results[index] = result
    actions = _actions(pack, ref, rt.calendar, found, results)
    information = _information(pack, found, results, derived)
    outcome_list = None
    if trace:
        outcome_list = tuple(
            _trace(pack, index, found, results, as_of) for index in range(len(pack.rules))
        )
    return Decision(
        case_id=case.case_id,
        as_of=as_of,
        pack=PackRef(pack.name, pack.version, pack.digest, epoch),
        input_digest=input_digest(case),
        library_version=_version.VERSION,
        actions=actions,
        information=information,
        next_review=_next_review(pack, ref, rt.calendar, found, actions),
        trace=outcome_list,
        reported={
            d.name: {
                "value": _plain(derived[d.name].value),
                "explanation": derived[d.name].explanation,
            }
            for d in pack.derived
            if d.reported
        },
    )


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def environment(
    pack: Pack, case: Any, as_of: date, calendar: Calendar
) -> tuple[dict[str, Any], dict[str, DerivedResult]]:
    """The pack-declared inputs (checked) and derived values of ``case`` on ``as_of``.

    Raises CaseError when the case's inputs do not fit the pack's declarations.
    """
    extras: dict[str, Any] = read_inputs(pack.inputs, case.inputs, case.case_id)
    if not pack.derived:
        return extras, {}
    ref = Reference(case, as_of, pack.parameter, calendar, extras)

    def evaluate(node: Any, item: Any, current: Mapping[str, Any]) -> Result:
        return ref.evaluate(node, item)

    derived = compute(
        list(pack.derived),
        extras,
        as_of,
        calendar,
        pack.parameter,
        lambda field, current: ref.lookup(case, field),
        evaluate,
    )
    return extras, derived


def reference(
    pack: Pack,
    case: Any,
    as_of: date,
    calendar: Calendar,
    extras: Mapping[str, Any],
    derived: Mapping[str, DerivedResult],
) -> Reference:
    """The reference evaluator for one case, with its derived values' explanations."""
    by_name = {d.name: d for d in pack.derived}

    def chain(name: str, seen: set[str]) -> list[str]:
        out = []
        for dep in by_name[name].depends_on:
            key = dep.removeprefix("derived.")
            if key in derived and key not in seen:
                seen.add(key)
                out.append(f"{dep}: {derived[key].explanation}")
                out.extend(chain(key, seen))
        return out

    notes = {
        f"derived.{name}": "; ".join([r.explanation, *chain(name, {name})])
        for name, r in derived.items()
    }
    return Reference(case, as_of, pack.parameter, calendar, extras, notes)


def input_digest(case: Any) -> str:
    """SHA-256 of the case's canonical JSON."""
    return "sha256:" + hashlib.sha256(case.to_json().encode()).hexdigest()


def _trace(
    pack: Pack, index: int, found: dict[int, str], results: dict[int, Result], as_of: date
) -> RuleOutcome:
    rule = pack.rules[index]
    if index not in found:
        span = f"in force {rule.effective_from or 'from the start'} to {rule.effective_to or 'now'}"
        return RuleOutcome(rule.id, "not_in_force", f"not in force on {as_of} ({span})")
    return RuleOutcome(rule.id, found[index], why(results[index]))


def field_of(pack: Pack, path: str) -> Any:
    """The field a pack names by ``path``: a case field, or one of its inputs or derived values."""
    return pack.fields.get(path) or CASE_FIELDS[path]


def _amount(pack: Pack, amount: Any, as_of: date) -> int:
    if isinstance(amount, ParamRef):
        value: int = pack.parameter(amount.name, as_of)
        return value
    return int(amount)


def due_date(
    pack: Pack, ref: Reference, calendar: Calendar, rule: Rule, result: Result
) -> tuple[date, date | None]:
    """(due date, trigger date) of a fired rule; an unknown anchor makes it due on as_of."""
    as_of = ref.as_of
    spec = rule.due
    if spec is None:
        return as_of, None
    anchor: date | None
    if spec.anchor == "as_of":
        anchor = as_of
    elif spec.anchor.startswith("matched."):
        # every true alternative counts, so evaluate the rule completely
        full = attrs.evolve(ref, complete=True).evaluate(rule.when)
        anchor = earliest_matched_date(ref, full, spec.anchor.removeprefix("matched."))
    else:
        anchor = ref.lookup(ref.case, field_of(pack, spec.anchor))
    if anchor is None:
        return as_of, None
    n = _amount(pack, spec.amount, as_of)
    if spec.unit == "working_days":
        return calendar.add_working_days(anchor, n), anchor
    return anchor + timedelta(days=n * (7 if spec.unit == "weeks" else 1)), anchor


def _actions(
    pack: Pack,
    ref: Reference,
    calendar: Calendar,
    found: dict[int, str],
    results: dict[int, Result],
) -> tuple[RequiredAction, ...]:
    groups: dict[str, dict[str, Any]] = {}
    for index, outcome in found.items():
        if outcome != "fired":
            continue
        rule = pack.rules[index]
        result = results[index]
        action = pack.actions[rule.action]
        due, trigger = due_date(pack, ref, calendar, rule, result)
        g = groups.setdefault(
            rule.action,
            {
                "rules": [],
                "reasons": [],
                "evidence": {},
                "sources": [],
                "priority": "low",
                "due": None,
                "trigger": None,
            },
        )
        g["rules"].append(rule.id)
        g["reasons"].append(rule.reason)
        for path, value in evidence(result):  # a dict: ordered, each pair once
            g["evidence"].setdefault(Evidence(path, value))
        if rule.source not in g["sources"]:
            g["sources"].append(rule.source)
        priority = rule.priority or action.priority
        if PRIORITIES.index(priority) < PRIORITIES.index(g["priority"]):
            g["priority"] = priority
        if g["due"] is None or due < g["due"]:
            g["due"], g["trigger"] = due, trigger
    out = []
    for code, g in groups.items():
        action = pack.actions[code]
        status = calendar.status(g["due"], ref.as_of)
        out.append(
            RequiredAction(
                code=code,
                title=action.title,
                area=action.area,
                priority=g["priority"],
                wording=action.wording,
                rule_ids=tuple(g["rules"]),
                reasons=tuple(g["reasons"]),
                evidence=tuple(g["evidence"]),
                sources=tuple(g["sources"]),
                trigger_date=g["trigger"],
                due_date=g["due"],
                status=status.status,
                working_days=status.working_days,
            )
        )
    out.sort(key=lambda a: (PRIORITIES.index(a.priority), a.due_date, a.code))
    return tuple(out)


def _underlying(paths: list[str], derived: Mapping[str, DerivedResult]) -> list[str]:
    """Unknown derived values replaced by the unknown facts they wait on."""
    out: list[str] = []
    for path in paths:
        inner = derived.get(path.removeprefix("derived.")) if path.startswith("derived.") else None
        out.extend(inner.unknown if inner and inner.unknown else (path,))
    return list(dict.fromkeys(out))


def _info_code(path: str) -> str:
    return "ESTABLISH_" + re.sub(r"[^A-Z0-9]+", "_", path.upper()).strip("_")


def _field_description(pack: Pack, path: str) -> str:
    fields = pack.fields or CASE_FIELDS
    if "[]." in path:
        head, tail = path.split("[].", 1)
        items = fields[head].items if head in fields else None
        return items[tail].description if items and tail in items else path
    field = fields.get(path)
    return field.description if field else path


def _information(
    pack: Pack,
    found: dict[int, str],
    results: dict[int, Result],
    derived: Mapping[str, DerivedResult],
) -> tuple[InformationAction, ...]:
    groups: dict[str, tuple[str, str, list[str]]] = {}
    for index, outcome in found.items():
        if outcome != "undetermined":
            continue
        rule = pack.rules[index]
        for path in _underlying(unknown_paths(results[index]), derived):
            info = pack.information.get(path)
            code = info.code if info else _info_code(path)
            title = info.title if info else f"Establish: {_field_description(pack, path)}"
            _, _, rules = groups.setdefault(code, (title, path, []))
            if rule.id not in rules:
                rules.append(rule.id)
    return tuple(
        InformationAction(code, title, path, tuple(rules))
        for code, (title, path, rules) in sorted(groups.items())
    )


def _next_review(
    pack: Pack,
    ref: Reference,
    calendar: Calendar,
    found: dict[int, str],
    actions: tuple[RequiredAction, ...],
) -> NextReview | None:
    policy = pack.review
    if policy is None:
        return None
    as_of = ref.as_of
    table = pack.parameter(policy.interval.name, as_of)
    reasons: list[str] = []
    level = None
    if policy.interval.by_field is not None:
        level = ref.lookup(ref.case, policy.interval.by_field)
        if level is None:
            weeks = min(table.values())
            reasons.append(
                f"{policy.interval.by} is unknown: the shortest interval ({weeks} weeks) applies"
            )
        else:
            weeks = table[level.value]
    else:
        weeks = table
    anchor_path = next(
        (p for p in policy.anchors if ref.lookup(ref.case, field_of(pack, p)) is not None), None
    )
    if anchor_path is None:
        scheduled = as_of
        reasons.append("no earlier assessment or review date is recorded: review is due now")
    else:
        anchor = ref.lookup(ref.case, field_of(pack, anchor_path))
        scheduled = anchor + timedelta(weeks=weeks)
        level_text = f" for {level.value} risk of serious harm" if level is not None else ""
        reasons.append(
            f"regular review every {weeks} weeks{level_text}, "
            f"from {anchor_path} {anchor.isoformat()}"
        )
    best = scheduled
    brought: list[str] = []
    for action in actions:
        if action.code == policy.action and action.due_date < scheduled:
            brought.extend(action.rule_ids)
            reasons.append(
                f"brought forward to {action.due_date.isoformat()} by "
                + ", ".join(action.rule_ids)
                + ": "
                + "; ".join(action.reasons)
            )
            best = min(best, action.due_date)
    would = tuple(
        r.id
        for i, r in enumerate(pack.rules)
        if r.action == policy.action and found.get(i) != "fired" and i in found
    )
    return NextReview(best, tuple(reasons), tuple(brought), would)


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
    extras, derived = environment(pack, case, as_of, rt.calendar)
    engine = outcomes(rt, case, as_of, extras)[index]
    full = reference(pack, case, as_of, rt.calendar, extras, derived)
    result = attrs.evolve(full, complete=True).evaluate(rule.when)
    outcome = {True: "fired", False: "not_fired", None: "undetermined"}[result.truth]
    if outcome != engine:
        raise EngineError(
            f"engine and reference evaluator disagree: engine says {engine}",
            rule_id=rule.id,
            case_id=case.case_id,
        )
    unknown = tuple(unknown_paths(result))
    if outcome == "fired":
        summary = f"{rule.id} fired: {rule.reason}"
    elif outcome == "undetermined":
        summary = f"{rule.id} cannot be decided until these are known: {', '.join(unknown)}."
    else:
        failed = first_failure(result)
        text = result_text(failed) if failed is not None else condition_text(rule.when)
        summary = f"{rule.id} did not fire: {text}."
    checks = tuple(
        ConditionCheck(condition_text(p.node), _WORDS[p.truth], detail_of(p))
        for p in parts_of(result)
    )
    return Explanation(outcome=outcome, summary=summary, conditions=checks, unknown=unknown, **base)
