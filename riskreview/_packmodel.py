"""The pack model: a loaded pack and its parts, frozen and checked.

The loader (:mod:`riskreview._packload` and the ``_pack*`` modules beside it)
builds these; :mod:`riskreview.pack` is their public face, with ``load_pack``.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

import attrs

from riskreview._conditions import Node
from riskreview._derive import DerivedDef
from riskreview._fields import Field
from riskreview._inputs import InputDef, read_inputs
from riskreview._structure import FIRST_DATE, LAST_DATE
from riskreview.errors import (
    PolicyNotInForceError,
    UnknownRuleError,
)

__all__ = [
    "PRIORITIES",
    "ActionDef",
    "DueSpec",
    "InformationDef",
    "Pack",
    "Parameter",
    "ReviewPolicy",
    "Rule",
    "Scenario",
]

#: Priorities, most urgent first.
PRIORITIES = ("urgent", "high", "medium", "low")

#: The parameter a pack may declare to set, in days, how far ahead an action counts as
#: due now rather than upcoming (``riskreview.evaluate``'s ``upcoming_within``).
HORIZON_PARAMETER = "upcoming_within_days"


@attrs.frozen
class ActionDef:
    """An action a rule can require: its code, title, area, default priority and wording."""

    code: str
    title: str
    area: str
    priority: str
    wording: str
    category: str = "action"  # "action" or "review"


@attrs.frozen
class InformationDef:
    """What to ask for when a field a rule needs is unknown."""

    path: str
    code: str
    title: str


@attrs.frozen
class Parameter:
    """A dated policy value: each value applies from its date until the next one.

    ``key_enum`` is set when the value is a table with one number per member of an
    enum (for example per RoSH level).
    """

    name: str
    description: str
    source: str
    unit: str
    values: tuple[tuple[date, Any], ...]
    key_enum: type[StrEnum] | None = None

    def value_on(self, as_of: date) -> Any:
        """The value in force on ``as_of`` (None before the first date)."""
        current = None
        for start, value in self.values:
            if start <= as_of:
                current = value
        return current

    def first_negative(self) -> tuple[date, int] | None:
        """The first date from which it takes a negative number (in any row of a
        table) and that number, or None; a use that cannot be negative refuses it."""
        for start, value in self.values:
            lowest = min(value.values()) if isinstance(value, Mapping) else value
            if lowest < 0:
                return start, lowest
        return None


@attrs.frozen
class DueSpec:
    """When an action falls due: ``amount`` ``unit`` after (or before) the anchor date.

    ``anchor`` is ``as_of``, a case date field path, or ``matched.<list>`` for the
    earliest date among the list items that made the rule fire (the first change
    not yet acted on: a later one never puts an overdue action back).

    ``before`` counts back from the anchor (a case date field: the time before a
    release); the date it gives may be in the past, and then the action is overdue.
    ``not_before`` is a case date field: counting starts from the later of the
    anchor and that date, when it is known (an event in custody counts from the
    release).
    """

    amount: Any  # int or ParamRef (with ``by``: a table with a time per level)
    unit: str
    anchor: str
    before: bool = False
    not_before: str | None = None


@attrs.frozen
class Rule:
    """One rule of a pack, parsed and type-checked."""

    id: str
    title: str
    area: str
    when: Node
    action: str
    priority: str | None
    due: DueSpec | None
    source: str
    rationale: str
    reason: str
    findings: tuple[int, ...]
    effective_from: date | None
    effective_to: date | None
    file: str
    line: int
    raw_when: Any = attrs.field(eq=False, repr=False)
    #: a priority that changes on given dates, earliest first (``priority`` is then None)
    priorities: tuple[tuple[date, str], ...] = ()

    def priority_on(self, as_of: date) -> str | None:
        """The rule's own priority on ``as_of`` (None: the action's default applies)."""
        if not self.priorities:
            return self.priority
        current = [p for since, p in self.priorities if since <= as_of]
        return current[-1] if current else None

    def priority_shown(self, default: str) -> str:
        """The rule's priority in words, with its dates when it changes over time."""
        if not self.priorities:
            return self.priority or default
        first = self.priorities[0][0]
        steps = [f"{p} from {since.isoformat()}" for since, p in self.priorities]
        return ", ".join(steps) + f" ({default} before {first.isoformat()})"

    def in_force(self, as_of: date) -> bool:
        """Whether the rule applies on ``as_of``."""
        if self.effective_from is not None and as_of < self.effective_from:
            return False
        return self.effective_to is None or as_of <= self.effective_to


@attrs.frozen
class ReviewPolicy:
    """How the next review date is set: the regular interval and what brings it forward."""

    action: str
    interval: Any  # ParamRef (weeks)
    anchors: tuple[str, ...]
    unknown_level: str  # "shortest": fail closed when the level is unknown
    #: the rule id, reason and source a review due by the schedule is required under
    id: str = "REVIEW-SCHEDULE"
    reason: str = ""
    source: str = ""


@attrs.frozen
class Scenario:
    """A policy test: a case on a date and what the decision must (not) contain."""

    name: str
    file: str
    line: int
    as_of: date
    case: Mapping[str, Any]
    expect: Mapping[str, Any]
    covers: tuple[str, ...] = ()


@attrs.frozen(eq=False)
class Pack:
    """A loaded, checked policy pack. Build one with :func:`load_pack`."""

    name: str
    version: str
    title: str
    description: str
    effective_from: date
    digest: str
    path: str
    actions: Mapping[str, ActionDef]
    parameters: Mapping[str, Parameter]
    rules: tuple[Rule, ...]
    information: Mapping[str, InformationDef]
    scenarios: tuple[Scenario, ...]
    review: ReviewPolicy | None
    findings: Mapping[int, str]
    conditions: Mapping[str, str] = attrs.field(factory=dict)
    inputs: Mapping[str, InputDef] = attrs.field(factory=dict)
    derived: tuple[DerivedDef, ...] = ()  # in dependency order
    fields: Mapping[str, Field] = attrs.field(factory=dict, repr=False)  # path → Field
    calendar_country: str = "GB"
    calendar_subdiv: str | None = "ENG"
    meta: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id.

        Raises :class:`~riskreview.errors.UnknownRuleError` (a ``KeyError``) with a
        suggestion if there is none.
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        if self.review is not None and rule_id == self.review.id:
            raise UnknownRuleError(
                f"{rule_id!r} is the review schedule of pack {self.name} (pack.yaml review:), "
                "not a rule: a decision's next_review says when the review falls due and why"
            )
        raise UnknownRuleError(f"no rule {rule_id!r} in pack {self.name}{self._rule_hint(rule_id)}")

    def _rule_hint(self, rule_id: str) -> str:
        # rule ids are typed by hand: "cs-02" and "CS-2" both mean CS-02
        upper = {r.upper(): r for r in self.rule_ids}
        close = difflib.get_close_matches(rule_id.upper(), list(upper), n=1, cutoff=0.6)
        return f"; did you mean {upper[close[0]]!r}?" if close else ""

    def check_case_inputs(self, case: Any) -> None:
        """Raise :class:`~riskreview.errors.CaseError` when ``case.inputs`` do not fit
        the inputs this pack declares (what ``Case.from_dict(data, pack)`` asks)."""
        read_inputs(self.inputs, case.inputs, case.case_id)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule id, in pack order."""
        return tuple(r.id for r in self.rules)

    def parameter(self, name: str, as_of: date) -> Any:
        """The value of parameter ``name`` in force on ``as_of``."""
        return self.parameters[name].value_on(as_of)

    def epoch(self, as_of: date) -> date:
        """The start of the policy period containing ``as_of``.

        Within one period no parameter value and no rule changes, so one compiled
        ruleset serves every date in it.
        """
        if as_of < self.effective_from:
            raise PolicyNotInForceError(
                f"pack {self.name} {self.version} is in force from {self.effective_from}; "
                f"as_of {as_of} is before that"
            )
        if not FIRST_DATE <= as_of <= LAST_DATE:
            raise PolicyNotInForceError(
                f"as_of {as_of} is outside the dates riskreview evaluates "
                f"({FIRST_DATE} to {LAST_DATE})"
            )
        return max(d for d in self.change_dates if d <= as_of)

    @functools.cached_property
    def change_dates(self) -> tuple[date, ...]:
        """Every date on which some parameter or rule of the pack changes."""
        dates = {self.effective_from}
        for p in self.parameters.values():
            dates.update(d for d, _ in p.values)
        for r in self.rules:
            if r.effective_from:
                dates.add(r.effective_from)
            if r.effective_to:
                dates.add(date.fromordinal(r.effective_to.toordinal() + 1))
            dates.update(since for since, _ in r.priorities)
        return tuple(sorted(d for d in dates if d >= self.effective_from))
