"""What riskreview answers: the actions a case now requires, why, and by when.

A :class:`Decision` is frozen and deterministic: the same case, pack and
``as_of`` give byte-identical JSON (:meth:`Decision.to_json`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

import attrs
import orjson

from riskreview._limits import MAX_DECISION_BYTES
from riskreview._structure import dumps, unstructure
from riskreview._tojson import dumps_fresh, holds_float
from riskreview.calendar import Status
from riskreview.errors import ArgumentError, ArgumentValueError

__all__ = [
    "ConditionCheck",
    "Decision",
    "Evidence",
    "Explanation",
    "InformationAction",
    "NextReview",
    "PackRef",
    "Priority",
    "RequiredAction",
    "RollingDue",
    "RuleOutcome",
    "Status",
    "Timing",
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


class Priority(StrEnum):
    """How soon an action wants attention, most pressing first (``urgent`` … ``low``).

    A :class:`~enum.StrEnum`: it equals its text (``Priority.HIGH == "high"``) and
    is written to JSON as that text.
    """

    URGENT = "urgent"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


def _priority(value: str) -> Priority:
    return value if isinstance(value, Priority) else Priority(value)


class Timing(StrEnum):
    """Whether an action is for now or coming up (a :class:`~enum.StrEnum`).

    ``overdue``: its due date has passed; ``due_now``: due today or within the
    decision's horizon (``Decision.upcoming_within`` days, or no horizon at all);
    ``upcoming``: due later than that. Nothing is left out of a decision for being
    upcoming: an integrator may show upcoming actions apart, or schedule them.
    """

    OVERDUE = "overdue"
    DUE_NOW = "due_now"
    UPCOMING = "upcoming"

    @classmethod
    def of(cls, status: Status, due: date, as_of: date, within: int | None) -> Timing:
        """The timing of an action due on ``due`` with ``status`` on ``as_of``, for a
        horizon of ``within`` days (None: no horizon)."""
        if status is Status.OVERDUE:
            return cls.OVERDUE
        if within is None or (due - as_of).days <= within:
            return cls.DUE_NOW
        return cls.UPCOMING


def _timing(value: str) -> Timing:
    return value if isinstance(value, Timing) else Timing(value)


@attrs.frozen
class RequiredAction:
    """An action policy now requires, with every rule and reason that requires it.

    ``due_date`` is the earliest due date of those rules; ``status`` says where it
    stands on ``as_of``; ``working_days`` is how many working days until it is due
    (or by how many it is overdue). ``priority`` is the most pressing priority of
    those rules (given as text, it is read as a :class:`Priority`). ``timing``
    says whether it is overdue, due now or upcoming (:class:`Timing`).
    ``unblocks`` lists the rules waiting on what this action establishes (an
    action that also answers an unknown fact is not asked for again as
    information).
    """

    code: str
    title: str
    area: str
    priority: Priority = attrs.field(converter=_priority)
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
    unblocks: tuple[str, ...] = ()
    timing: Timing = attrs.field(kw_only=True, converter=_timing)


@attrs.frozen
class InformationAction:
    """Something to establish because a rule cannot be decided without it.

    ``field`` is the case field (list items as ``list[].field``); ``rule_ids`` the
    rules waiting on it; ``actions`` the action codes those rules would settle
    (require, or rule out); ``priority`` the most pressing priority among them.
    A decision ranks its information by that priority, then by how many rules
    wait. ``not_held`` is true when the field is a record of a group the sending
    system does not hold (``Case.not_held``): not recorded in this system, rather
    than not done. Unknown is never read as "no".
    """

    code: str
    title: str
    field: str
    rule_ids: tuple[str, ...]
    actions: tuple[str, ...] = attrs.field(kw_only=True)
    priority: Priority = attrs.field(kw_only=True, converter=_priority)
    not_held: bool = attrs.field(default=False, kw_only=True)


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

    ``actions`` are ordered with upcoming ones last, then by priority, due date
    and code; ``information`` by the priority of the rules waiting on it, then by
    how many wait, then by code. ``trace`` is present when asked for.
    ``upcoming_within`` is the horizon in days that separates actions due now from
    upcoming ones (None: no horizon, every action not overdue is due now).

    ``stable_until`` is the first day after ``as_of`` on which, with the same case
    and pack, the decision could differ other than in what moves with the day
    itself (each action's status, a rolling due date, a rolling next review):
    a time window that closes, a birthday, a policy change. A window's edge counts
    only on a day it changes the outcome of a condition in a rule that is not false
    on both sides of it (an event leaving a window of a rule it never matched does
    not). None when nothing of the kind lies ahead. :func:`riskreview.refresh`
    brings a decision forward to any day before it without evaluating again.
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
    upcoming_within: int | None = None

    @property
    def action_codes(self) -> tuple[str, ...]:
        """The codes of the required actions, in order."""
        return tuple(a.code for a in self.actions)

    @property
    def due_now(self) -> tuple[RequiredAction, ...]:
        """The actions overdue or due within the horizon, in order."""
        return tuple(a for a in self.actions if a.timing is not Timing.UPCOMING)

    @property
    def upcoming(self) -> tuple[RequiredAction, ...]:
        """The actions due after the horizon (``upcoming_within`` days), in order."""
        return tuple(a for a in self.actions if a.timing is Timing.UPCOMING)

    def action(self, code: str) -> RequiredAction | None:
        """The required action with this code, or None."""
        return next((a for a in self.actions if a.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        """The decision as JSON-ready data (fields at their default left out)."""
        # written out field by field: the generic unstructure was a third of the cost
        # of bringing a decision forward (riskreview.refresh); a test holds the two equal
        data: dict[str, Any] = {
            "actions": [_action_data(a) for a in self.actions],
            "as_of": self.as_of.isoformat(),
            "case_id": self.case_id,
            "information": [_information_data(i) for i in self.information],
            "input_digest": self.input_digest,
            "library_version": self.library_version,
            "next_review": None if self.next_review is None else _review_data(self.next_review),
            "pack": {
                "digest": self.pack.digest,
                "name": self.pack.name,
                "policy_period": self.pack.policy_period.isoformat(),
                "version": self.pack.version,
            },
        }
        if self.trace is not None:
            data["trace"] = [
                {"detail": t.detail, "outcome": t.outcome, "rule_id": t.rule_id} for t in self.trace
            ]
        if self.reported:
            data["reported"] = unstructure(self.reported)
        if self.stable_until is not None:
            data["stable_until"] = self.stable_until.isoformat()
        if self.upcoming_within is not None:
            data["upcoming_within"] = self.upcoming_within
        return data

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, compact; identical input gives identical bytes."""
        # a float can come only from a case's own values: evidence and reported values
        data = self.to_dict()
        if not holds_float(self.reported) and not any(
            holds_float(e.value) for a in self.actions for e in a.evidence
        ):
            return dumps(data, floats=False)
        evidence = [a["evidence"] for a in data["actions"] if "evidence" in a]
        return dumps_fresh(data, [data.get("reported"), *evidence])

    @classmethod
    def from_dict(cls, data: Any) -> Decision:
        """Read back a decision's JSON data (what :meth:`to_dict` gave).

        ``Decision.from_json(d.to_json()).to_json() == d.to_json()``. Evidence values
        come back as JSON values (a date as its ISO text). Anything else raises
        :class:`~riskreview.errors.ArgumentValueError` naming the JSON path, as does
        an evidence or reported value nested deeper than 32 lists and objects (a
        case's values nest a few levels; one that deep could not be written again).
        """
        return _read(data)

    @classmethod
    def from_json(cls, text: str | bytes) -> Decision:
        """Read back a decision from :meth:`to_json`'s text (see :meth:`from_dict`)."""
        if not isinstance(text, str | bytes | bytearray):
            raise ArgumentError(f"text must be JSON text (str or bytes), got {type(text).__name__}")
        if not text.strip():
            raise ArgumentValueError("not a riskreview decision: the text is empty")
        if len(text) > MAX_DECISION_BYTES:
            raise ArgumentValueError(
                f"not a riskreview decision: the text is {len(text):,} long, more than the "
                f"{MAX_DECISION_BYTES:,} bytes of any decision"
            )
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise ArgumentValueError("not a riskreview decision: the text is not JSON") from None
        return _read(data)


def _action_data(a: RequiredAction) -> dict[str, Any]:
    data: dict[str, Any] = {
        "area": a.area,
        "code": a.code,
        "due_date": a.due_date.isoformat(),
        "evidence": [{"path": e.path, "value": unstructure(e.value)} for e in a.evidence],
        "priority": a.priority.value,
        "reasons": list(a.reasons),
        "rule_ids": list(a.rule_ids),
        "sources": list(a.sources),
        "status": a.status.value,
        "timing": a.timing.value,
        "title": a.title,
        "trigger_date": None if a.trigger_date is None else a.trigger_date.isoformat(),
        "wording": a.wording,
        "working_days": a.working_days,
    }
    if a.rolling is not None:
        rolling: dict[str, Any] = {"amount": a.rolling.amount, "unit": a.rolling.unit}
        if not a.rolling.from_as_of:
            rolling["from_as_of"] = False
        data["rolling"] = rolling
    if a.unblocks:
        data["unblocks"] = list(a.unblocks)
    return data


def _information_data(i: InformationAction) -> dict[str, Any]:
    data: dict[str, Any] = {
        "actions": list(i.actions),
        "code": i.code,
        "field": i.field,
        "priority": i.priority.value,
        "rule_ids": list(i.rule_ids),
        "title": i.title,
    }
    if i.not_held:
        data["not_held"] = True
    return data


def _review_data(r: NextReview) -> dict[str, Any]:
    data: dict[str, Any] = {
        "brought_forward_by": list(r.brought_forward_by),
        "date": r.date.isoformat(),
        "reasons": list(r.reasons),
        "would_bring_forward": list(r.would_bring_forward),
    }
    if r.rolling:
        data["rolling"] = True
    return data


# ------------------------------------------------------------ reading back

T = TypeVar("T")


class _Bad(Exception):
    def __init__(self, path: str, what: str) -> None:
        super().__init__(f"{path}: {what}")


def _read(data: Any) -> Decision:
    """A :class:`Decision` from its JSON data; ArgumentValueError naming the path if not one."""
    try:
        return _decision(data, "$")
    except _Bad as error:
        raise ArgumentValueError(f"not a riskreview decision: {error}") from None


def _decision(data: Any, at: str) -> Decision:
    d = _mapping(data, at)
    review = d.get("next_review")
    trace = d.get("trace")
    return Decision(
        case_id=_text(d, "case_id", at),
        as_of=_day(d, "as_of", at),
        pack=_pack(_mapping(d.get("pack"), f"{at}.pack"), f"{at}.pack"),
        input_digest=_text(d, "input_digest", at),
        library_version=_text(d, "library_version", at),
        actions=_each(d, "actions", at, _action),
        information=_each(d, "information", at, _information),
        next_review=None if review is None else _review(review, f"{at}.next_review"),
        trace=None if trace is None else _each(d, "trace", at, _outcome),
        reported=_reported(d.get("reported", {}), f"{at}.reported"),
        stable_until=None if d.get("stable_until") is None else _day(d, "stable_until", at),
        upcoming_within=None
        if d.get("upcoming_within") is None
        else _int(d, "upcoming_within", at),
    )


def _pack(d: Mapping[str, Any], at: str) -> PackRef:
    return PackRef(
        _text(d, "name", at),
        _text(d, "version", at),
        _text(d, "digest", at),
        _day(d, "policy_period", at),
    )


def _action(data: Any, at: str) -> RequiredAction:
    d = _mapping(data, at)
    rolling = d.get("rolling")
    status = _text(d, "status", at)
    if status not in {s.value for s in Status}:
        raise _Bad(f"{at}.status", "is not a status")
    priority = _text(d, "priority", at)
    if priority not in {p.value for p in Priority}:
        raise _Bad(f"{at}.priority", "is not a priority")
    timing = _text(d, "timing", at)
    if timing not in {t.value for t in Timing}:
        raise _Bad(f"{at}.timing", "is not a timing (overdue, due_now, upcoming)")
    trigger = d.get("trigger_date")
    return RequiredAction(
        code=_text(d, "code", at),
        title=_text(d, "title", at),
        area=_text(d, "area", at),
        priority=Priority(priority),
        wording=_text(d, "wording", at, default=""),
        rule_ids=_texts(d, "rule_ids", at),
        reasons=_texts(d, "reasons", at),
        evidence=_each(d, "evidence", at, _evidence),
        sources=_texts(d, "sources", at),
        trigger_date=None if trigger is None else _day(d, "trigger_date", at),
        due_date=_day(d, "due_date", at),
        status=Status(status),
        working_days=_int(d, "working_days", at),
        rolling=None if rolling is None else _rolling(rolling, f"{at}.rolling"),
        unblocks=_texts(d, "unblocks", at),
        timing=Timing(timing),
    )


def _rolling(data: Any, at: str) -> RollingDue:
    d = _mapping(data, at)
    unit = _text(d, "unit", at)
    if unit not in ("days", "weeks", "working_days"):
        raise _Bad(f"{at}.unit", "is not days, weeks or working_days")
    return RollingDue(_int(d, "amount", at), unit, _flag(d, "from_as_of", at, True))


def _evidence(data: Any, at: str) -> Evidence:
    d = _mapping(data, at)
    return Evidence(_text(d, "path", at), _shallow(d.get("value"), f"{at}.value"))


def _reported(data: Any, at: str) -> dict[str, Any]:
    d = _mapping(data, at)
    return {key: _shallow(value, f"{at}.{key}") for key, value in d.items()}


#: How deep a value a decision reports (evidence, a reported value) may nest, in
#: lists and objects. A case's values nest a few levels; a decision read with one
#: much deeper could not be written again.
VALUE_DEPTH = 32


def nests_within(value: Any, depth: int = VALUE_DEPTH) -> bool:
    """Whether the JSON value ``value`` nests no deeper than ``depth`` lists and
    objects (found without recursion, however deep it is)."""
    if not isinstance(value, list | dict):
        return True
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if level > depth:
            return False
        items = node.values() if isinstance(node, dict) else node
        stack.extend((item, level + 1) for item in items if isinstance(item, list | dict))
    return True


def _shallow(value: Any, at: str) -> Any:
    if not nests_within(value):
        raise _Bad(at, f"nests deeper than {VALUE_DEPTH} lists and objects")
    return value


def _information(data: Any, at: str) -> InformationAction:
    d = _mapping(data, at)
    priority = _text(d, "priority", at)
    if priority not in {p.value for p in Priority}:
        raise _Bad(f"{at}.priority", "is not a priority")
    return InformationAction(
        _text(d, "code", at),
        _text(d, "title", at),
        _text(d, "field", at),
        _texts(d, "rule_ids", at),
        actions=_texts(d, "actions", at),
        priority=Priority(priority),
        not_held=_flag(d, "not_held", at, False),
    )


def _review(data: Any, at: str) -> NextReview:
    d = _mapping(data, at)
    return NextReview(
        _day(d, "date", at),
        _texts(d, "reasons", at),
        _texts(d, "brought_forward_by", at),
        _texts(d, "would_bring_forward", at),
        _flag(d, "rolling", at, False),
    )


def _outcome(data: Any, at: str) -> RuleOutcome:
    d = _mapping(data, at)
    return RuleOutcome(_text(d, "rule_id", at), _text(d, "outcome", at), _text(d, "detail", at))


def _mapping(data: Any, at: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _Bad(at, "is not an object")
    return data


def _text(d: Mapping[str, Any], key: str, at: str, default: str | None = None) -> str:
    value = d.get(key, default)
    if not isinstance(value, str):
        raise _Bad(f"{at}.{key}", "is not text")
    return value


def _flag(d: Mapping[str, Any], key: str, at: str, default: bool) -> bool:
    value = d.get(key, default)
    if not isinstance(value, bool):
        raise _Bad(f"{at}.{key}", "is not true or false")
    return value


def _int(d: Mapping[str, Any], key: str, at: str) -> int:
    value = d.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"{at}.{key}", "is not a whole number")
    return value


def _day(d: Mapping[str, Any], key: str, at: str) -> date:
    value = d.get(key)
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _no()
    except ValueError:
        raise _Bad(f"{at}.{key}", "is not a YYYY-MM-DD date") from None


def _no() -> date:
    raise ValueError


def _texts(d: Mapping[str, Any], key: str, at: str) -> tuple[str, ...]:
    values = d.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _Bad(f"{at}.{key}", "is not a list of text")
    return tuple(values)


def _each(d: Mapping[str, Any], key: str, at: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
    values = d.get(key, [])
    if not isinstance(values, list):
        raise _Bad(f"{at}.{key}", "is not a list")
    return tuple(read(v, f"{at}.{key}[{i}]") for i, v in enumerate(values))
