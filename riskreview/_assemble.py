"""The assembly stage: walked rules to required actions, information and the next review.

Nothing here evaluates a condition: every result comes from the evidence walk
(:mod:`riskreview._walk`), and a due date anchored on matched items reads the
complete result that walk made for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from riskreview._conditions import ParamRef
from riskreview._derive import DerivedResult
from riskreview._fields import CASE_FIELDS
from riskreview._match import Outcome
from riskreview._reference import Reference, Result, earliest_matched_date, evidence, unknown_paths
from riskreview._stable import after, first_day_reaching
from riskreview.calendar import Calendar
from riskreview.decision import Evidence, InformationAction, NextReview, RequiredAction, RollingDue
from riskreview.pack import PRIORITIES, Pack, Rule


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
) -> tuple[date, date | None, RollingDue | None]:
    """(due date, trigger date, how it rolls) of a fired rule.

    A rule due from ``as_of``, with no due time, or whose anchor is unknown (due at
    once) has a due date that moves with the day of the decision: the third item
    says how, and is None for a due date fixed by a date of the case.
    """
    as_of = ref.as_of
    spec = rule.due
    if spec is None:
        return as_of, None, RollingDue(0, "days", from_as_of=False)
    anchor: date | None
    if spec.anchor == "as_of":
        anchor = as_of
    elif spec.anchor.startswith("matched."):
        # ``result`` is complete (see _walk): every true alternative counts
        anchor = earliest_matched_date(ref, result, spec.anchor.removeprefix("matched."))
    else:
        anchor = ref.lookup(ref.case, field_of(pack, spec.anchor))
    if anchor is None:
        return as_of, None, RollingDue(0, "days", from_as_of=False)
    if spec.not_before is not None:
        floor = ref.lookup(ref.case, field_of(pack, spec.not_before))
        anchor = anchor if floor is None else max(anchor, floor)
    n = _amount(pack, spec.amount, as_of)
    rolling = RollingDue(n, spec.unit) if spec.anchor == "as_of" else None
    return after(anchor, -n if spec.before else n, spec.unit, calendar), anchor, rolling


def actions(
    pack: Pack,
    ref: Reference,
    calendar: Calendar,
    found: Mapping[int, Outcome],
    results: Mapping[int, Result],
    flips: list[date],
) -> tuple[RequiredAction, ...]:
    """The required actions, one per action code, with every rule and reason behind it.

    Adds to ``flips`` each day on which an action's due date could stop rolling
    with the day (it reaches a fixed due date of the same action).
    """
    groups: dict[str, dict[str, Any]] = {}
    for index, outcome in found.items():
        if outcome is not Outcome.FIRED:
            continue
        rule = pack.rules[index]
        result = results[index]
        action = pack.actions[rule.action]
        due, trigger, rolling = due_date(pack, ref, calendar, rule, result)
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
                "fixed": None,
                "rolling": [],
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
        if rolling is None:
            g["fixed"] = due if g["fixed"] is None else min(g["fixed"], due)
        else:
            g["rolling"].append((due, rolling))
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
                rolling=_rolls(g, ref.as_of, calendar, flips),
            )
        )
    out.sort(key=sort_key)
    return tuple(out)


def sort_key(action: RequiredAction) -> tuple[int, date, str]:
    """The order of actions in a decision: priority, then due date, then code."""
    return (PRIORITIES.index(action.priority), action.due_date, action.code)


def _rolls(
    group: dict[str, Any], as_of: date, calendar: Calendar, flips: list[date]
) -> RollingDue | None:
    """How the group's due date rolls with the day, if the earliest due date rolls."""
    fixed: date | None = group["fixed"]
    rolling: list[tuple[date, RollingDue]] = group["rolling"]
    if not rolling:
        return None
    due, how = min(rolling, key=lambda dr: dr[0])
    if fixed is not None and fixed <= due:
        return None  # a rolling due date only grows: the fixed one stays the earliest
    if len({h for _, h in rolling}) > 1:
        flips.append(as_of + timedelta(days=1))  # which rule sets the date may change
    if fixed is not None:  # from the day it passes the fixed due date, that one is earlier
        flips.append(first_day_reaching(as_of, how, fixed + timedelta(days=1), calendar))
    return how


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


def information(
    pack: Pack,
    found: Mapping[int, Outcome],
    results: Mapping[int, Result],
    derived: Mapping[str, DerivedResult],
) -> tuple[InformationAction, ...]:
    groups: dict[str, tuple[str, str, list[str]]] = {}
    for index, outcome in found.items():
        if outcome is not Outcome.UNDETERMINED:
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


def next_review(
    pack: Pack,
    ref: Reference,
    calendar: Calendar,
    found: Mapping[int, Outcome],
    actions: tuple[RequiredAction, ...],
    flips: list[date],
) -> NextReview | None:
    """The next review date and its reasons; adds to ``flips`` the day on which a
    rolling review date would stop rolling or a fixed one would start to."""
    policy = pack.review
    if policy is None:
        return None
    as_of = ref.as_of
    scheduled, reasons = _scheduled(pack, ref, policy)
    best, rolling = (as_of, True) if scheduled is None else (scheduled, False)
    brought: list[str] = []
    for action in actions:
        if action.code != policy.action:
            continue
        if action.due_date < best:
            brought.extend(action.rule_ids)
            reasons.append(
                "brought forward by "
                + ", ".join(action.rule_ids)
                + ": "
                + "; ".join(action.reasons)
            )
            best, rolling = action.due_date, action.rolling is not None
            if action.rolling is not None and scheduled is not None:
                # from the day it reaches the regular date, the regular date holds
                flips.append(first_day_reaching(as_of, action.rolling, scheduled, calendar))
        elif scheduled is None and action.rolling is None:
            flips.append(action.due_date + timedelta(days=1))  # then it brings "now" forward
    would = tuple(
        r.id
        for i, r in enumerate(pack.rules)
        if r.action == policy.action and found.get(i) is not Outcome.FIRED and i in found
    )
    return NextReview(best, tuple(reasons), tuple(brought), would, rolling)


def _scheduled(pack: Pack, ref: Reference, policy: Any) -> tuple[date | None, list[str]]:
    """The regular review date (None: due now, with no earlier date recorded) and why."""
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
        reasons.append("no earlier assessment or review date is recorded: review is due now")
        return None, reasons
    anchor = ref.lookup(ref.case, field_of(pack, anchor_path))
    level_text = f" for {level.value} risk of serious harm" if level is not None else ""
    reasons.append(
        f"regular review every {weeks} weeks{level_text}, from {anchor_path} {anchor.isoformat()}"
    )
    scheduled: date = anchor + timedelta(weeks=weeks)
    return scheduled, reasons


def reported(pack: Pack, derived: Mapping[str, DerivedResult]) -> dict[str, dict[str, Any]]:
    """The derived values the pack reports on every decision, with how each was computed."""
    return {
        d.name: {"value": _plain(derived[d.name].value), "explanation": derived[d.name].explanation}
        for d in pack.derived
        if d.reported
    }


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value
