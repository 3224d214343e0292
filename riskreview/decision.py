"""What riskreview answers: the actions a case now requires, why, and by when.

A :class:`Decision` is frozen and deterministic: the same case, pack and
``as_of`` give byte-identical JSON (:meth:`Decision.to_json`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from riskreview._structure import dumps, unstructure
from riskreview.calendar import Status

__all__ = [
    "ConditionCheck",
    "Decision",
    "Evidence",
    "Explanation",
    "InformationAction",
    "NextReview",
    "PackRef",
    "RequiredAction",
    "RollingDue",
    "RuleOutcome",
    "Status",
]


@attrs.frozen
class Evidence:
    """A fact of the case that a rule relied on: its JSON path and value."""

    path: str
    value: Any


@attrs.frozen
class RollingDue:
    """A due date counted from the day of the decision, so it moves with that day.

    ``amount`` ``unit`` (``days``, ``weeks`` or ``working_days``) after the day:
    a rule due "from as_of", or one whose anchor date is unknown (due at once,
    ``from_as_of`` false, no trigger date).
    """

    amount: int
    unit: str
    from_as_of: bool = True


@attrs.frozen
class RequiredAction:
    """An action policy now requires, with every rule and reason that requires it.

    ``due_date`` is the earliest due date of those rules; ``status`` says where it
    stands on ``as_of``; ``working_days`` is how many working days until it is due
    (or by how many it is overdue).
    """

    code: str
    title: str
    area: str
    priority: str
    wording: str
    rule_ids: tuple[str, ...]
    reasons: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    sources: tuple[str, ...]
    trigger_date: date | None
    due_date: date
    status: Status
    working_days: int
    rolling: RollingDue | None = None


@attrs.frozen
class InformationAction:
    """Something to establish because a rule cannot be decided without it.

    ``field`` is the case field (list items as ``list[].field``); ``rule_ids`` the
    rules waiting on it. Unknown is never read as "no".
    """

    code: str
    title: str
    field: str
    rule_ids: tuple[str, ...]


@attrs.frozen
class NextReview:
    """When the risk assessment is next to be reviewed, and why then.

    ``brought_forward_by`` lists the rules whose required review set an earlier
    date than the regular interval; ``would_bring_forward`` the rules that would.
    ``rolling`` is true when the date moves with the day of the decision: a review
    due now (no earlier assessment recorded), or one brought forward by a review
    action whose own due date rolls.
    """

    date: date
    reasons: tuple[str, ...]
    brought_forward_by: tuple[str, ...]
    would_bring_forward: tuple[str, ...]
    rolling: bool = False


@attrs.frozen
class RuleOutcome:
    """How one rule came out: ``fired``, ``not_fired``, ``undetermined`` or ``not_in_force``.

    ``detail`` says why in plain words: the conditions that held, the first that
    failed with its actual value, or the unknown facts that blocked it.
    """

    rule_id: str
    outcome: str
    detail: str


@attrs.frozen
class ConditionCheck:
    """One top-level condition of a rule: its wording, outcome (held, failed,
    unknown) and what the case actually holds."""

    condition: str
    outcome: str
    detail: str


@attrs.frozen
class Explanation:
    """Why a rule fired, why it did not, or why it cannot be decided.

    ``summary`` is one sentence; ``conditions`` walks each top-level condition
    with the actual values; ``unknown`` names the facts that blocked a decision.
    """

    rule_id: str
    title: str
    action: str
    outcome: str
    summary: str
    conditions: tuple[ConditionCheck, ...]
    unknown: tuple[str, ...]
    rationale: str
    source: str
    as_of: date

    def to_dict(self) -> dict[str, Any]:
        """The explanation as JSON-ready data."""
        data: dict[str, Any] = unstructure(self)
        return data

    def __str__(self) -> str:
        lines = [self.summary]
        lines.extend(f"  [{c.outcome}] {c.condition}: {c.detail}" for c in self.conditions)
        return "\n".join(lines)


@attrs.frozen
class PackRef:
    """Which policy decided: pack name, version and content digest."""

    name: str
    version: str
    digest: str
    policy_period: date


@attrs.frozen
class Decision:
    """The actions a case requires on ``as_of`` under a pack.

    ``actions`` are ordered by priority, then due date, then code;
    ``information`` by code. ``trace`` is present when asked for.

    ``stable_until`` is the first day after ``as_of`` on which, with the same case
    and pack, the decision could differ other than in what moves with the day
    itself (each action's status, a rolling due date, a rolling next review):
    a time window that closes, a birthday, a policy change. None when nothing of
    the kind lies ahead. :func:`riskreview.refresh` brings a decision forward to
    any day before it without evaluating again.
    """

    case_id: str
    as_of: date
    pack: PackRef
    input_digest: str
    library_version: str
    actions: tuple[RequiredAction, ...]
    information: tuple[InformationAction, ...]
    next_review: NextReview | None
    trace: tuple[RuleOutcome, ...] | None = None
    reported: dict[str, Any] = attrs.field(factory=dict)
    stable_until: date | None = None

    @property
    def action_codes(self) -> tuple[str, ...]:
        """The codes of the required actions, in order."""
        return tuple(a.code for a in self.actions)

    def action(self, code: str) -> RequiredAction | None:
        """The required action with this code, or None."""
        return next((a for a in self.actions if a.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        """The decision as JSON-ready data."""
        data: dict[str, Any] = unstructure(self)
        for action in data.get("actions", []):
            action["evidence"] = [
                {"path": e["path"], "value": e.get("value")} for e in action["evidence"]
            ]
        return data

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, compact; identical input gives identical bytes."""
        return dumps(self.to_dict())
