"""The assembly stage: walked rules to required actions, information and the next review.

Nothing here evaluates a condition: every result comes from the evidence walk
(:mod:`riskreview._walk`), and a due date anchored on matched items reads the
complete result that walk made for it. :func:`assemble` runs the stage: the
actions (this module), the review the schedule requires and the next review date
(:mod:`riskreview._review`), then the information items, ranked, with any fact an
action establishes left to that action (:mod:`riskreview._information`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Protocol

import attrs

from riskreview._conditions import ParamRef
from riskreview._derive import DerivedResult
from riskreview._information import information
from riskreview._match import Outcome
from riskreview._reference import Reference
from riskreview._review import field_of, review
from riskreview._stable import after, first_day_reaching
from riskreview._units import show_units
from riskreview._walk import Fired, Walked
from riskreview.calendar import Calendar
from riskreview.decision import (
    Evidence,
    InformationAction,
    NextReview,
    RequiredAction,
    RollingDue,
    Timing,
)
from riskreview.pack import HORIZON_PARAMETER, PRIORITIES, Pack, Rule

#: each priority's place, most pressing first
_RANK: dict[str, int] = {p: i for i, p in enumerate(PRIORITIES)}


@attrs.frozen
class Assembled:
    """What the assembly stage makes of one case's walked rules."""

    actions: tuple[RequiredAction, ...]
    information: tuple[InformationAction, ...]
    next_review: NextReview | None


def horizon(pack: Pack, as_of: date, upcoming_within: int | None) -> int | None:
    """The horizon in days: the one asked for, else the pack's parameter, else none."""
    if upcoming_within is not None:
        return upcoming_within
    if HORIZON_PARAMETER in pack.parameters:
        days: int = pack.parameter(HORIZON_PARAMETER, as_of)
        return days
    return None


def assemble(
    pack: Pack,
    ref: Reference,
    calendar: Calendar,
    found: Mapping[int, Outcome],
    walked: Walked,
    derived: Mapping[str, DerivedResult],
    flips: list[date],
    within: int | None,
) -> Assembled:
    """Actions, information and the next review of one case (``within``: the horizon)."""
    acts = actions(pack, ref, calendar, found, walked.fired, flips, within)
    acts, next_review, waits = review(pack, ref, calendar, found, acts, flips, within)
    info, acts = information(
        pack, ref.as_of, found, walked.asked, derived, acts, ref.unheld, waits
    )
    return Assembled(tuple(sorted(acts, key=sort_key)), info, next_review)


def _amount(pack: Pack, ref: Reference, amount: Any, before: bool) -> int:
    if not isinstance(amount, ParamRef):
        return int(amount)
    value = pack.parameter(amount.name, ref.as_of)
    if amount.by_field is None:
        return int(value)
    # a time per level: the case's level picks it; with the level unknown, the time
    # that gives the earliest due date (the longest before a date, else the shortest)
    level = ref.lookup(ref.case, amount.by_field)
    if level is not None:
        return int(value[level.value])
    return int(max(value.values()) if before else min(value.values()))


def due_date(
    pack: Pack, ref: Reference, calendar: Calendar, rule: Rule, matched: date | None
) -> tuple[date, date | None, RollingDue | None]:
    """(due date, trigger date, how it rolls) of a fired rule (``matched``: for a due date
    anchored on the items that made it fire, the earliest of their dates).

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
        anchor = matched  # every true alternative counted (see _walk)
    else:
        anchor = ref.lookup(ref.case, field_of(pack, spec.anchor))
    if anchor is None:
        return as_of, None, RollingDue(0, "days", from_as_of=False)
    if spec.not_before is not None:
        floor = ref.lookup(ref.case, field_of(pack, spec.not_before))
        anchor = anchor if floor is None else max(anchor, floor)
    n = _amount(pack, ref, spec.amount, spec.before)
    rolling = RollingDue(n, spec.unit) if spec.anchor == "as_of" else None
    return after(anchor, -n if spec.before else n, spec.unit, calendar), anchor, rolling


def actions(
    pack: Pack,
    ref: Reference,
    calendar: Calendar,
    found: Mapping[int, Outcome],
    fired: Mapping[int, Fired],
    flips: list[date],
    within: int | None = None,
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
        evidence, matched = fired[index]
        action = pack.actions[rule.action]
        due, trigger, rolling = due_date(pack, ref, calendar, rule, matched)
        g = groups.get(rule.action)
        if g is None:
            g = groups[rule.action] = {
                "rules": [],
                "reasons": [],
                "evidence": {},
                "sources": [],
                "priority": "low",
                "due": None,
                "trigger": None,
                "rolls": False,  # whether the due date so far rolls with the day
                "fixed": None,
                "rolling": [],
            }
        g["rules"].append(rule.id)
        g["reasons"].append(rule.reason)
        g["evidence"].update(dict.fromkeys(evidence))  # ordered, each pair once
        if rule.source not in g["sources"]:
            g["sources"].append(rule.source)
        priority = rule.priority_on(ref.as_of) or action.priority
        if _RANK[priority] < _RANK[g["priority"]]:
            g["priority"] = priority
        if rolling is None:
            g["fixed"] = due if g["fixed"] is None else min(g["fixed"], due)
        else:
            g["rolling"].append((due, rolling))
        # on a tie, a fixed due date's trigger: a rolling one only moves later, so
        # from the next day the fixed one is the earliest (and the decision the same)
        tie = due == g["due"] and g["rolls"] and rolling is None
        if g["due"] is None or due < g["due"] or tie:
            g["due"], g["trigger"], g["rolls"] = due, trigger, rolling is not None
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
                evidence=tuple(Evidence(path, value) for path, value in g["evidence"]),
                sources=tuple(g["sources"]),
                trigger_date=g["trigger"],
                due_date=g["due"],
                status=status.status,
                working_days=status.working_days,
                rolling=_rolls(g, ref.as_of, calendar, flips),
                timing=Timing.of(status.status, g["due"], ref.as_of, within),
            )
        )
    out.sort(key=sort_key)
    return tuple(out)


class Sortable(Protocol):
    """What :func:`sort_key` reads of an action (a :class:`RequiredAction`, or a
    previous decision's action as a rescan reads it)."""

    @property
    def timing(self) -> Timing: ...
    @property
    def priority(self) -> str: ...
    @property
    def due_date(self) -> date: ...
    @property
    def code(self) -> str: ...


def sort_key(action: Sortable) -> tuple[bool, int, date, str]:
    """The order of actions in a decision: upcoming ones last, then priority, due date
    and code."""
    upcoming = action.timing is Timing.UPCOMING
    return (upcoming, _RANK[action.priority], action.due_date, action.code)


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
    if fixed is not None:  # from the day it reaches the fixed due date, that one holds
        flips.append(first_day_reaching(as_of, how, fixed, calendar))
    return how


def reported(pack: Pack, derived: Mapping[str, DerivedResult]) -> dict[str, dict[str, Any]]:
    """The derived values the pack reports on every decision, with how each was computed."""
    return {
        d.name: {
            "value": _plain(derived[d.name].value, d.places),
            "explanation": derived[d.name].explanation,
        }
        for d in pack.derived
        if d.reported
    }


def _plain(value: Any, places: int = 0) -> Any:
    if places and type(value) is int:  # a decimal, held in its units: 725 is "7.25"
        return show_units(value, places)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value
