"""explain(): why a rule fired, why it did not, and what keeps it undecided."""

from __future__ import annotations

from datetime import date

import pytest

import riskreview

AS_OF = date(2026, 11, 23)
CASE = {
    "case_id": "X-1",
    "supervision": {"start_date": "2026-11-02"},
    "index_offence": {"categories": ["acquisitive"]},
    "household": {"children_in_contact": True},
    "risk": {"last_review_date": "2026-08-10", "levels": {"public": "medium"}},
}


def test_why_not_names_the_failing_condition_its_value_and_how_near_it_came() -> None:
    e = riskreview.explain(CASE, "REV-01", as_of=AS_OF)
    assert e.outcome == "not_fired"
    assert "2026-08-10" in e.summary
    assert "105 days ago" in e.summary and "more than 112 days" in e.summary
    assert [c.outcome for c in e.conditions] == ["failed"]


def test_why_fired_lists_each_condition_with_its_value() -> None:
    e = riskreview.explain(CASE, "DA-01", as_of=AS_OF)
    assert e.outcome == "fired"
    assert e.summary.endswith("No police domestic abuse check is recorded on the case.")
    assert all(c.outcome == "held" for c in e.conditions)
    assert "not recorded" in e.conditions[0].detail


def test_cannot_decide_names_the_unknown_facts() -> None:
    e = riskreview.explain(CASE, "CS-02", as_of=AS_OF)
    assert e.outcome == "undetermined"
    assert "risk.levels.children" in e.unknown
    assert "unknown" in [c.outcome for c in e.conditions]
    assert "held" in [c.outcome for c in e.conditions]


def test_explanation_agrees_with_the_decision_trace() -> None:
    decision = riskreview.evaluate(CASE, as_of=AS_OF, trace=True)
    assert decision.trace is not None
    for outcome in decision.trace:
        assert riskreview.explain(CASE, outcome.rule_id, as_of=AS_OF).outcome == outcome.outcome


def test_unknown_rule_id_says_did_you_mean() -> None:
    with pytest.raises(riskreview.UnknownRuleError, match="did you mean 'REV-01'") as caught:
        riskreview.explain(CASE, "REV01", as_of=AS_OF)
    # in the tree, and still a KeyError for code that caught one before
    assert isinstance(caught.value, riskreview.RiskReviewError)
    assert isinstance(caught.value, KeyError)
    assert str(caught.value) == ("no rule 'REV01' in pack england-wales; did you mean 'REV-01'?")


def test_explanation_serialises_to_json_ready_data() -> None:
    data = riskreview.explain(CASE, "REV-01", as_of=AS_OF).to_dict()
    assert data["as_of"] == "2026-11-23"
    assert data["conditions"][0]["outcome"] == "failed"
