"""An action's priority is an enum like its status: same text in JSON, same comparisons."""

from __future__ import annotations

import json
from datetime import date

import pytest

import riskreview
from riskreview.audit import record, verify
from riskreview.decision import Decision, Priority
from riskreview.errors import ArgumentValueError
from riskreview.schema import decision_schema
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)


def _decisions() -> list[Decision]:
    return [riskreview.evaluate(c, as_of=AS_OF) for c in generate(40, seed=3, as_of=AS_OF)]


def test_every_action_priority_is_a_priority_equal_to_its_text() -> None:
    actions = [a for d in _decisions() for a in d.actions]
    assert len({a.priority for a in actions}) >= 2
    for action in actions:
        assert type(action.priority) is Priority
        assert action.priority == action.priority.value
        assert action.priority in ("urgent", "high", "medium", "low")


def test_json_holds_the_text_and_reads_back_as_the_enum() -> None:
    for decision in _decisions():
        text = decision.to_json()
        data = json.loads(text)
        assert all(type(a["priority"]) is str for a in data["actions"])
        back = Decision.from_json(text)
        assert [a.priority for a in back.actions] == [a.priority for a in decision.actions]
        assert all(type(a.priority) is Priority for a in back.actions)
        assert back.to_json() == text


def test_an_unknown_priority_is_refused_naming_its_path() -> None:
    decision = next(d for d in _decisions() if d.actions)
    data = json.loads(decision.to_json())
    data["actions"][0]["priority"] = "soon"
    with pytest.raises(ArgumentValueError, match=r"\$\.actions\[0\]\.priority: is not a priority"):
        Decision.from_dict(data)


def test_the_decision_schema_lists_the_priorities() -> None:
    text = json.dumps(decision_schema())
    assert '"enum": ["urgent", "high", "medium", "low"]' in text


def test_an_audit_record_verifies_with_the_enum() -> None:
    case = next(c for c in generate(20, seed=5, as_of=AS_OF))
    decision = riskreview.evaluate(case, as_of=AS_OF)
    stored = record(decision).to_json()
    assert verify(stored, case).case_id == decision.case_id
