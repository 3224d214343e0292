"""Bringing a decision forward to a later day without evaluating the case again."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import attrs

from riskreview._args import check_date
from riskreview._assemble import Sortable, sort_key
from riskreview._runtime import calendar_for
from riskreview._stable import shift
from riskreview.decision import Decision, Timing
from riskreview.errors import ArgumentError, ArgumentValueError
from riskreview.pack import Pack, default_pack


def refresh(decision: Decision, as_of: date, pack: Pack | None = None) -> Decision:
    """``decision`` as evaluating the same case under the same pack on ``as_of`` gives it.

    Valid from the decision's own ``as_of`` up to the day before its
    ``stable_until``: every status and timing is recomputed, and every due date and next
    review that rolls with the day moves with it; nothing else can differ in that
    span. A nightly scan re-evaluates only the cases that changed or whose
    ``stable_until`` has come, and refreshes the rest. ``pack`` must be the pack
    the decision was made under (the default pack when None).

    Raises :class:`~riskreview.errors.ArgumentValueError` when ``as_of`` is before
    the decision, on or after its ``stable_until``, the pack's digest differs, or
    the decision carries a trace (a trace measures elapsed time: evaluate again).

    >>> import riskreview
    >>> from datetime import date, timedelta
    >>> d = riskreview.evaluate({"case_id": "R1"}, as_of=date(2026, 11, 23))
    >>> later = date(2026, 11, 24)
    >>> d.stable_until is None or later < d.stable_until
    True
    >>> refresh(d, later) == riskreview.evaluate({"case_id": "R1"}, as_of=later)
    True
    """
    if not isinstance(decision, Decision):
        raise ArgumentError(
            f"decision must be a riskreview.Decision, got {type(decision).__name__}"
        )
    check_date("as_of", as_of)
    if pack is not None and not isinstance(pack, Pack):
        raise ArgumentError("pack must be a Pack from riskreview.load_pack(path), or None")
    policy = pack if pack is not None else default_pack()
    _check(decision, as_of, policy)
    return bring_forward(decision, as_of, policy)


def bring_forward(decision: Decision, as_of: date, policy: Pack) -> Decision:
    """``decision`` on ``as_of``, unchecked: every status recomputed, every rolling date
    moved (the caller has made sure :func:`refusal` has nothing against it)."""
    calendar = calendar_for(policy)
    actions = []
    for action in decision.actions:
        due, trigger = action.due_date, action.trigger_date
        if action.rolling is not None:
            due = shift(as_of, action.rolling, calendar)
            trigger = as_of if action.rolling.from_as_of else None
        status = calendar.status(due, as_of)
        actions.append(
            attrs.evolve(
                action,
                due_date=due,
                trigger_date=trigger,
                status=status.status,
                working_days=status.working_days,
                timing=Timing.of(status.status, due, as_of, decision.upcoming_within),
            )
        )
    actions.sort(key=sort_key)
    review = decision.next_review
    if review is not None and review.rolling:
        day = rolling_review(actions, review.brought_forward_by, as_of, policy)
        review = attrs.evolve(review, date=day)
    return attrs.evolve(decision, as_of=as_of, actions=tuple(actions), next_review=review)


def rolling_review(
    actions: Iterable[Sortable], brought_forward_by: Sequence[str], as_of: date, policy: Pack
) -> date:
    """The date of a next review that rolls with the day, on ``as_of``: the due date of
    the pack's review action when rules brought the review forward, else ``as_of``."""
    code = policy.review.action if policy.review is not None else None
    brought = next((a for a in actions if brought_forward_by and a.code == code), None)
    return brought.due_date if brought is not None else as_of


def refusal(decision: Decision, as_of: date, pack: Pack) -> str | None:
    """Why ``decision`` cannot be brought forward to ``as_of`` under ``pack`` (None: it can)."""
    made = decision.as_of
    if decision.pack.digest != pack.digest:
        return (
            f"decision for case {decision.case_id} was made under pack {decision.pack.name} "
            f"{decision.pack.version} ({decision.pack.digest[:19]}…), not this pack: "
            "evaluate the case again"
        )
    if decision.trace is not None:
        return (
            f"decision for case {decision.case_id} carries a trace, which measures time "
            "elapsed on its day: evaluate the case again"
        )
    if as_of < made:
        return (
            f"as_of {as_of} is before the decision for case {decision.case_id} ({made}): "
            "a decision is refreshed forward only"
        )
    until = decision.stable_until
    if until is not None and as_of >= until:
        return (
            f"the decision for case {decision.case_id} may change on {until} "
            f"(as_of {as_of}): evaluate the case again"
        )
    return None


def _check(decision: Decision, as_of: date, pack: Pack) -> None:
    reason = refusal(decision, as_of, pack)
    if reason is not None:
        raise ArgumentValueError(reason)
