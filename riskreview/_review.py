"""One clock for reviews: the next review date, and the review it requires once it comes.

The next review date is the regular interval counted from the latest assessment
(``review:`` in ``pack.yaml``), or the due date of a required review that is
earlier. When that date is on or before ``as_of``, the decision requires the
pack's review action, due on that date, with the schedule as its reasons: a
decision never shows a next review in the past without a review to do. When
that date rests on the absence of an assessment the sending system does not hold
(``Case.not_held``), the review waits instead on that record, asked for as
information. Part of the assembly stage (:mod:`riskreview._assemble`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import attrs

from riskreview._fields import CASE_FIELDS
from riskreview._match import Outcome
from riskreview._reference import Reference
from riskreview._stable import first_day_reaching
from riskreview.calendar import Calendar
from riskreview.decision import Evidence, NextReview, RequiredAction, RollingDue, Timing
from riskreview.pack import PRIORITIES, Pack


def field_of(pack: Pack, path: str) -> Any:
    """The field a pack names by ``path``: a case field, or one of its inputs or derived values."""
    return pack.fields.get(path) or CASE_FIELDS[path]


@attrs.frozen
class _Schedule:
    """The regular review date (None: due now, nothing to count from) and why."""

    day: date | None
    reasons: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    anchor: date | None
    #: an earlier anchor the sending system does not hold: the date may be later
    waits: str | None = None


def review(
    pack: Pack,
    ref: Reference,
    calendar: Calendar,
    found: Mapping[int, Outcome],
    actions: tuple[RequiredAction, ...],
    flips: list[date],
    within: int | None,
) -> tuple[tuple[RequiredAction, ...], NextReview | None, tuple[tuple[str, Any], ...]]:
    """The actions, with the review the schedule requires added or merged, the next
    review, and the (field, waiter) the schedule waits on instead when it rests on
    a record not held. Adds to ``flips`` each day on which any of them could change
    other than by rolling with the day."""
    policy = pack.review
    if policy is None:
        return actions, None, ()
    schedule = _scheduled(pack, ref, policy)
    nxt = _next_review(pack, ref, calendar, found, actions, flips, schedule)
    as_of = ref.as_of
    current = next((a for a in actions if a.code == policy.action), None)
    if schedule.day is not None and schedule.day > as_of and not _due_by(current, schedule.day):
        flips.append(schedule.day)  # the day the regular review falls due
    if nxt.date > as_of:
        return actions, nxt, ()
    if current is not None and current.due_date <= nxt.date:
        return actions, nxt, ()  # a required review already falls due by then
    if schedule.waits is not None:
        priority = pack.actions[policy.action].priority
        return actions, nxt, ((schedule.waits, (policy.id, policy.action, priority)),)
    due = _schedule_action(pack, calendar, as_of, schedule, nxt, current, within)
    kept = tuple(a for a in actions if a.code != policy.action)
    return (*kept, due), nxt, ()


def _due_by(current: RequiredAction | None, day: date) -> bool:
    """Whether the review action already required falls due by ``day`` on a date that
    does not roll: then the next review is that date, before and after the regular
    review falls due on ``day``, and the required review stands as it is."""
    return current is not None and current.rolling is None and current.due_date <= day


def _schedule_action(
    pack: Pack,
    calendar: Calendar,
    as_of: date,
    schedule: _Schedule,
    nxt: NextReview,
    current: RequiredAction | None,
    within: int | None,
) -> RequiredAction:
    """The review action due on the next review date, merged with the one required."""
    policy = pack.review
    assert policy is not None
    action = pack.actions[policy.action]
    reasons = ((policy.reason,) if policy.reason else ()) + schedule.reasons
    rolling = RollingDue(0, "days", from_as_of=False) if schedule.day is None else None
    status = calendar.status(nxt.date, as_of)
    base: dict[str, Any] = {
        "rule_ids": (policy.id,),
        "reasons": reasons,
        "evidence": schedule.evidence,
        "sources": (policy.source,) if policy.source else (),
        "priority": action.priority,
    }
    if current is not None:
        priority = min(current.priority, action.priority, key=PRIORITIES.index)
        base = {
            "rule_ids": (*current.rule_ids, policy.id),
            "reasons": current.reasons + reasons,
            "evidence": current.evidence
            + tuple(e for e in schedule.evidence if e not in current.evidence),
            "sources": current.sources
            + tuple(s for s in base["sources"] if s not in current.sources),
            "priority": priority,
        }
    return RequiredAction(
        code=policy.action,
        title=action.title,
        area=action.area,
        wording=action.wording,
        trigger_date=schedule.anchor,
        due_date=nxt.date,
        status=status.status,
        working_days=status.working_days,
        rolling=rolling,
        unblocks=current.unblocks if current is not None else (),
        timing=Timing.of(status.status, nxt.date, as_of, within),
        **base,
    )


def _next_review(
    pack: Pack,
    ref: Reference,
    calendar: Calendar,
    found: Mapping[int, Outcome],
    actions: tuple[RequiredAction, ...],
    flips: list[date],
    schedule: _Schedule,
) -> NextReview:
    """The next review date and its reasons; adds to ``flips`` the day on which a
    rolling review date would stop rolling or a fixed one would start to."""
    policy = pack.review
    assert policy is not None
    as_of = ref.as_of
    scheduled = schedule.day
    reasons = list(schedule.reasons)
    best, rolling = (as_of, True) if scheduled is None else (scheduled, False)
    brought: list[str] = []
    for action in actions:
        if action.code != policy.action:
            continue
        if action.due_date < best:
            brought.extend(action.rule_ids)
            reasons.append(f"brought forward by {', '.join(action.rule_ids)}:")
            reasons.extend(action.reasons)
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


def _scheduled(pack: Pack, ref: Reference, policy: Any) -> _Schedule:
    """The regular review date (None: due now, with no earlier date recorded) and why."""
    as_of = ref.as_of
    table = pack.parameter(policy.interval.name, as_of)
    reasons: list[str] = []
    evidence: list[Evidence] = []
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
            evidence.append(Evidence(policy.interval.by, level))
    else:
        weeks = table
    anchor_path = next(
        (p for p in policy.anchors if ref.lookup(ref.case, field_of(pack, p)) is not None), None
    )
    earlier = policy.anchors[: policy.anchors.index(anchor_path)] if anchor_path else policy.anchors
    waits = next((p for p in earlier if p in ref.unheld), None)
    if waits is not None:
        reasons.append(f"{waits} is not recorded in this system: the date may be later")
    if anchor_path is None:
        reasons.append("no earlier assessment or review date is recorded: review is due now")
        return _Schedule(None, tuple(reasons), tuple(evidence), None, waits)
    anchor = ref.lookup(ref.case, field_of(pack, anchor_path))
    evidence.insert(0, Evidence(anchor_path, anchor))
    level_text = f" for {level.value} risk of serious harm" if level is not None else ""
    reasons.append(
        f"regular review every {weeks} weeks{level_text}, from {anchor_path} {anchor.isoformat()}"
    )
    scheduled = anchor + timedelta(weeks=weeks)
    return _Schedule(scheduled, tuple(reasons), tuple(evidence), anchor, waits)
