"""evaluate(): the end-to-end promises of the core library."""

from __future__ import annotations

from datetime import date

import pytest

import riskreview
from riskreview import CaseError

AS_OF = date(2026, 11, 23)

CHILDREN_AND_DOMESTIC_ABUSE = {
    "case_id": "E-1",
    "supervision": {"stage": "community", "start_date": "2026-11-16"},
    "index_offence": {"categories": ["domestic_abuse"]},
    "household": {"children_in_contact": True},
}


def test_enquiry_and_police_check_required_with_rule_reason_evidence_and_source() -> None:
    decision = riskreview.evaluate(CHILDREN_AND_DOMESTIC_ABUSE, as_of=AS_OF)
    enquiry = decision.action("CSC_ENQUIRY")
    police = decision.action("POLICE_DA_CHECK")
    assert enquiry is not None and police is not None
    assert enquiry.rule_ids == ("CS-02",)
    assert police.rule_ids == ("DA-01",)
    for action in (enquiry, police):
        assert action.reasons and all(r.strip() for r in action.reasons)
        assert action.sources and all("HMI Probation" in s for s in action.sources)
        assert action.evidence
    paths = {e.path for e in enquiry.evidence}
    assert {"household.children_in_contact", "index_offence.categories"} <= paths
    assert enquiry.due_date == date(2026, 11, 23)  # 5 working days after Monday 16th


def test_recorded_enquiry_removes_the_enquiry_but_not_the_police_check() -> None:
    case = dict(CHILDREN_AND_DOMESTIC_ABUSE)
    case["checks"] = {"childrens_social_care": {"requested_date": "2026-11-17"}}
    decision = riskreview.evaluate(case, as_of=AS_OF)
    assert decision.action("CSC_ENQUIRY") is None
    assert decision.action("POLICE_DA_CHECK") is not None


def test_unknown_children_is_an_action_to_establish_never_a_silent_no() -> None:
    case = {k: v for k, v in CHILDREN_AND_DOMESTIC_ABUSE.items() if k != "household"}
    decision = riskreview.evaluate(case, as_of=AS_OF)
    assert decision.action("CSC_ENQUIRY") is None
    assert decision.action("ESTABLISH_CHILDREN_CONTACT") is not None


def test_invalid_case_lists_every_bad_field_in_one_case_error() -> None:
    bad = {
        "case_id": "E-2",
        "household": {"children_in_contact": "yes", "children": [{"contct": True}]},
        "events": [{"type": "arest", "date": "2026-02-30"}],
        "mappa": {"category": 7},
    }
    with pytest.raises(CaseError) as caught:
        riskreview.evaluate(bad, as_of=AS_OF)
    paths = {p.path for p in caught.value.problems}
    assert paths == {
        "$.household.children_in_contact",
        "$.household.children[0].contct",
        "$.events[0].type",
        "$.events[0].date",
        "$.mappa.category",
    }
    assert "did you mean 'arrest'" in str(caught.value)


@pytest.mark.parametrize("bad", ["{", "[]", "null", b"\xff", '{"case_id": 1}', "1e999"])
def test_any_bad_json_raises_case_error_only(bad: str | bytes) -> None:
    with pytest.raises(CaseError):
        riskreview.evaluate(bad, as_of=AS_OF)


def test_wrong_argument_types_are_type_errors_that_say_what_to_pass() -> None:
    with pytest.raises(TypeError, match=r"datetime\.date"):
        riskreview.evaluate(CHILDREN_AND_DOMESTIC_ABUSE, as_of="2026-11-23")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="load_pack"):
        riskreview.evaluate(CHILDREN_AND_DOMESTIC_ABUSE, as_of=AS_OF, pack="x")  # type: ignore[arg-type]


def test_same_input_gives_byte_identical_json() -> None:
    first = riskreview.evaluate(CHILDREN_AND_DOMESTIC_ABUSE, as_of=AS_OF, trace=True).to_json()
    second = riskreview.evaluate(CHILDREN_AND_DOMESTIC_ABUSE, as_of=AS_OF, trace=True).to_json()
    assert first == second


def test_one_action_per_code_with_every_rule_that_required_it() -> None:
    case = {
        "case_id": "E-3",
        "supervision": {"stage": "community", "start_date": "2026-06-01"},
        "registrations": ["domestic_abuse_perpetrator"],
        "risk": {"last_review_date": "2026-10-01", "levels": {"known_adult": "medium"}},
        "events": [
            {"type": "new_relationship", "date": "2026-11-18"},
            {"type": "arrest", "date": "2026-11-20"},
        ],
    }
    decision = riskreview.evaluate(case, as_of=AS_OF)
    review = decision.action("RISK_REVIEW")
    assert review is not None
    assert set(review.rule_ids) == {"CC-NEWREL", "CC-ARREST"}
    assert decision.action_codes.count("RISK_REVIEW") == 1
    assert review.priority == "urgent"
    assert decision.next_review is not None
    assert decision.next_review.date == review.due_date
    assert set(decision.next_review.brought_forward_by) == {"CC-NEWREL", "CC-ARREST"}


def test_as_of_before_the_pack_is_in_force_is_refused() -> None:
    with pytest.raises(riskreview.PolicyNotInForceError):
        riskreview.evaluate(CHILDREN_AND_DOMESTIC_ABUSE, as_of=date(2020, 1, 1))


@pytest.mark.parametrize("as_of", [date(2200, 1, 1), date(9999, 12, 31)])
def test_as_of_after_2199_is_refused_before_any_date_arithmetic(as_of: date) -> None:
    with pytest.raises(riskreview.PolicyNotInForceError) as info:
        riskreview.evaluate(CHILDREN_AND_DOMESTIC_ABUSE, as_of=as_of)
    assert str(info.value) == (
        f"as_of {as_of} is outside the dates riskreview evaluates (1900-01-01 to 2199-12-31)"
    )


def test_a_case_dated_at_the_end_of_the_accepted_range_gets_its_due_dates() -> None:
    # due dates are counted forward from case dates: the last accepted date still fits
    case = {
        "case_id": "C-END",
        "supervision": {"stage": "community", "start_date": "2199-12-31"},
    }
    decision = riskreview.evaluate(case, as_of=date(2199, 12, 31))
    assert decision.actions
    assert all(a.due_date >= date(2199, 12, 31) for a in decision.actions)
