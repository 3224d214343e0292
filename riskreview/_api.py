"""The entry points: evaluate one case, explain one rule."""

from __future__ import annotations

from datetime import date
from typing import Any

from riskreview import _decide, _explainrule, _runtime
from riskreview._args import check_date, check_whole
from riskreview.case import Case, check_pack
from riskreview.decision import Decision, Explanation
from riskreview.errors import ArgumentError
from riskreview.pack import Pack, default_pack


def as_case(case: Case | dict[str, Any] | str | bytes) -> Case:
    """A Case from a Case, a dict or JSON text; bad input raises CaseError only."""
    if isinstance(case, Case):
        return case
    if isinstance(case, str | bytes | bytearray):
        return Case.from_json(case)
    return Case.from_dict(case)


def check_as_of(as_of: object) -> None:
    """Refuse an ``as_of`` that is not a :class:`datetime.date` (a datetime is not one)
    with an :class:`~riskreview.errors.ArgumentError` saying what to pass."""
    check_date("as_of", as_of)


def _check_arguments(as_of: object, pack: object) -> None:
    if as_of is not None:
        check_as_of(as_of)
    check_pack(pack)


def evaluate(
    case: Case | dict[str, Any] | str | bytes,
    as_of: date | None = None,
    pack: Pack | None = None,
    *,
    trace: bool = False,
    upcoming_within: int | None = None,
) -> Decision:
    """The actions ``case`` requires on ``as_of`` under ``pack``.

    ``case`` may be a :class:`Case`, a dict or JSON text; invalid input raises
    :class:`~riskreview.errors.CaseError` listing every problem. ``as_of``
    defaults to today on the pack's calendar; ``pack`` to the default England &
    Wales pack. With ``trace=True`` the decision carries every rule's outcome.
    ``upcoming_within`` is the horizon in days: an action due later than that is
    ``upcoming`` (:class:`~riskreview.decision.Timing`), one due sooner ``due_now``;
    None takes the pack's parameter ``upcoming_within_days``, or no horizon when
    the pack has none. Upcoming actions stay in the decision.

    >>> from datetime import date
    >>> d = evaluate({"case_id": "C1", "household": {"children_in_contact": None}},
    ...              as_of=date(2026, 11, 23))
    >>> d.case_id
    'C1'
    """
    _check_arguments(as_of, pack)
    if type(trace) is not bool:
        raise ArgumentError(f"trace must be True or False, got {type(trace).__name__}")
    if upcoming_within is not None:
        check_whole("upcoming_within", upcoming_within)
    checked = as_case(case)
    policy = pack if pack is not None else default_pack()
    when = as_of if as_of is not None else _runtime.calendar_for(policy).today()
    return _decide.decide(checked, when, policy, trace=trace, upcoming_within=upcoming_within)


def explain(
    case: Case | dict[str, Any] | str | bytes,
    rule_id: str,
    as_of: date | None = None,
    pack: Pack | None = None,
) -> Explanation:
    """Why rule ``rule_id`` fired for ``case`` on ``as_of``, why it did not, or what
    unknown fact keeps it from being decided, condition by condition.

    >>> from datetime import date
    >>> e = explain({"case_id": "C1", "household": {"children_in_contact": False}},
    ...             "CS-01", as_of=date(2026, 11, 23))
    >>> e.outcome
    'not_fired'
    """
    if not isinstance(rule_id, str):
        hint = "; explain one rule at a time" if isinstance(rule_id, list | tuple) else ""
        raise ArgumentError(
            "rule_id must be the id of one rule as text, such as 'CS-02', "
            f"got {type(rule_id).__name__}{hint}"
        )
    _check_arguments(as_of, pack)
    checked = as_case(case)
    policy = pack if pack is not None else default_pack()
    when = as_of if as_of is not None else _runtime.calendar_for(policy).today()
    return _explainrule.explain_rule(checked, rule_id, when, policy)
