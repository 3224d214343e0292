"""Dated policy: a parameter change applies from its date; earlier dates replay the old policy."""

from __future__ import annotations

from datetime import date

import pytest

import riskreview

CASE = {
    "case_id": "RP-1",
    "supervision": {"stage": "community", "start_date": "2026-01-05"},
    "risk": {"last_review_date": "2027-01-04", "levels": {"public": "medium"}},
    "events": [],
}


PACK = {
    "pack.yaml": """
name: replay
version: 1.0.0
effective_from: 2024-01-01
review:
  action: RISK_REVIEW
  interval: {param: review_interval_weeks, by: risk.overall_level}
  anchors: [risk.last_review_date]
""",
    "actions.yaml": """
actions:
  RISK_REVIEW: {title: Review the risk assessment, area: review, priority: medium, category: review}
""",
    "parameters/review.yaml": """
parameters:
  review_interval_weeks:
    description: Weeks between reviews by RoSH level.
    source: assumed
    by: RoshLevel
    values:
      2024-01-01: {low: 16, medium: 16, high: 12, very_high: 8}
      2027-04-01: {low: 16, medium: 8, high: 8, very_high: 4}
""",
    "rules/review.yaml": """
rules:
  - id: REV-01
    title: Review when the interval has passed
    area: review
    when:
      risk.last_assessment_date:
        older_than: {weeks: {param: review_interval_weeks, by: risk.overall_level}}
    action: RISK_REVIEW
    source: assumed
    rationale: An old assessment no longer describes the case.
""",
}


@pytest.fixture(scope="module")
def changed_pack(tmp_path_factory: pytest.TempPathFactory) -> riskreview.Pack:
    """A pack whose medium-risk review interval drops from 16 to 8 weeks on 2027-04-01."""
    root = tmp_path_factory.mktemp("replay")
    for name, text in PACK.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text.lstrip(), encoding="utf-8")
    return riskreview.load_pack(root)


def _review_fired(pack: riskreview.Pack, as_of: date) -> bool:
    decision = riskreview.evaluate(CASE, as_of=as_of, pack=pack, trace=True)
    assert decision.trace is not None
    return {o.rule_id: o.outcome for o in decision.trace}["REV-01"] == "fired"


def test_the_new_interval_applies_from_its_effective_date(changed_pack: riskreview.Pack) -> None:
    # 12 weeks after the last review: overdue under 8 weeks, not under 16
    assert _review_fired(changed_pack, date(2027, 4, 1))
    assert not _review_fired(changed_pack, date(2027, 3, 31))


def test_replay_before_the_change_gives_the_old_answer(changed_pack: riskreview.Pack) -> None:
    before = riskreview.evaluate(CASE, as_of=date(2027, 3, 31), pack=changed_pack)
    assert before.pack.policy_period < date(2027, 4, 1)
    after = riskreview.evaluate(CASE, as_of=date(2027, 4, 1), pack=changed_pack)
    assert after.pack.policy_period == date(2027, 4, 1)
    assert before.next_review is not None and after.next_review is not None
    assert before.next_review.date == date(2027, 4, 26)  # 16 weeks
    assert after.next_review.date == date(2027, 3, 1)  # 8 weeks


def test_the_policy_periods_are_the_change_dates(changed_pack: riskreview.Pack) -> None:
    assert changed_pack.change_dates == (date(2024, 1, 1), date(2027, 4, 1))
    with pytest.raises(riskreview.PolicyNotInForceError):
        riskreview.evaluate(CASE, as_of=date(2023, 12, 31), pack=changed_pack)
