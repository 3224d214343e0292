"""Decisions a practitioner can act on: one clock, no duplicate asks, timing kept apart.

Over generated cases (``riskreview.strategies``): a next review on or before ``as_of``
always comes with the pack's review action, due that day (or, when it rests on an
assessment record the sending system does not hold, with that record asked for as
information under the review's rule id); no information item asks
for what a required action already establishes; information is ranked; every action
is overdue, due now or upcoming against the decision's horizon, and a horizon only
moves actions between "due now" and "upcoming", never in or out of the decision.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from _property_support import dated_case_dicts, examples
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview.decision import Status, Timing
from riskreview.pack import PRIORITIES

PACK = riskreview.default_pack()


@settings(max_examples=examples(300))
@given(dated_case_dicts())
def test_a_next_review_on_or_before_as_of_comes_with_a_required_review_that_day(
    dated: tuple[dict[str, Any], date],
) -> None:
    data, as_of = dated
    decision = riskreview.evaluate(data, as_of=as_of)
    review = decision.next_review
    assert review is not None and PACK.review is not None
    action = decision.action(PACK.review.action)
    waiting = [i for i in decision.information if PACK.review.id in i.rule_ids]
    if review.date <= as_of and waiting:
        # the date rests on an assessment record the system does not hold: it is asked for
        assert action is None and all(i.not_held for i in waiting)
        assert any("not recorded in this system" in r for r in review.reasons)
    elif review.date <= as_of:
        assert action is not None, "a past next review with no review required"
        assert action.due_date == review.date
        assert action.status in (Status.OVERDUE, Status.DUE_TODAY)
        assert action.reasons and action.rule_ids
    if action is not None:
        # one clock: the next review is never later than the review required
        assert review.date <= action.due_date


@settings(max_examples=examples(300))
@given(dated_case_dicts())
def test_no_information_item_duplicates_an_action_and_information_is_ranked(
    dated: tuple[dict[str, Any], date],
) -> None:
    data, as_of = dated
    decision = riskreview.evaluate(data, as_of=as_of)
    codes = set(decision.action_codes)
    assert not codes & {i.code for i in decision.information}
    ranks = [(PRIORITIES.index(i.priority), -len(i.rule_ids), i.code) for i in decision.information]
    assert ranks == sorted(ranks)
    assert PACK.review is not None
    actions = {r.id: r.action for r in PACK.rules} | {PACK.review.id: PACK.review.action}
    for info in decision.information:
        assert info.actions == tuple(dict.fromkeys(actions[r] for r in info.rule_ids))
    for action in decision.actions:  # a rule an action unblocks is one still undecided
        assert all(r in actions for r in action.unblocks)


@settings(max_examples=examples(200))
@given(dated_case_dicts(), st.integers(min_value=0, max_value=120))
def test_a_horizon_only_sorts_actions_into_due_now_and_upcoming(
    dated: tuple[dict[str, Any], date], within: int
) -> None:
    data, as_of = dated
    plain = riskreview.evaluate(data, as_of=as_of, upcoming_within=within)
    assert plain.upcoming_within == within
    horizon = as_of + timedelta(days=within)
    for action in plain.actions:
        if action.status is Status.OVERDUE:
            assert action.timing is Timing.OVERDUE
        elif action.due_date <= horizon:
            assert action.timing is Timing.DUE_NOW
        else:
            assert action.timing is Timing.UPCOMING
    assert plain.due_now + plain.upcoming == plain.actions  # upcoming ones listed last
    wide = riskreview.evaluate(data, as_of=as_of, upcoming_within=100_000)
    assert not wide.upcoming
    assert sorted(wide.action_codes) == sorted(plain.action_codes)


def test_a_date_of_a_group_not_held_is_no_latest_assessment() -> None:
    """The case the long property run found: a full analysis of 2021-06-06, no other
    assessment date, and the screening records not held. A later review may be in
    the records the system does not hold, so the latest assessment is unknown: the
    review interval (REV-01) waits on it with the schedule (REV-02), both asking for
    the records, and no review is required on a date that is only a lower bound. With
    the group held, the same case requires the review."""
    data: dict[str, Any] = {
        "case_id": "C0",
        "risk": {"full_analysis_date": "2021-06-06"},
        "not_held": ["screening"],
    }
    as_of = date(2024, 1, 1)
    decision = riskreview.evaluate(data, as_of=as_of)
    assert decision.action("RISK_REVIEW") is None
    asked = {i.code: i for i in decision.information}
    assert "REV-01" in asked["ESTABLISH_LAST_ASSESSMENT"].rule_ids
    assert asked["ESTABLISH_LAST_ASSESSMENT"].not_held
    assert asked["ESTABLISH_LAST_REVIEW"].rule_ids == ("REV-02",)
    held = riskreview.evaluate({**data, "not_held": []}, as_of=as_of).action("RISK_REVIEW")
    assert held is not None and held.rule_ids == ("REV-01", "REV-02")
    every = {**data, "risk": {"full_analysis_date": "2021-06-06", "screening_date": "2021-05-01",
                              "last_review_date": "2021-07-01"}}
    known = riskreview.evaluate(every, as_of=as_of).action("RISK_REVIEW")
    assert known is not None and "REV-01" in known.rule_ids  # every date there: known
