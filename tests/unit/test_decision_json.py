"""A decision's JSON: written field by field, equal to the generic form, read back whole."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

import riskreview
from riskreview._tojson import dumps, unstructure
from riskreview.decision import VALUE_DEPTH, Decision
from riskreview.errors import ArgumentValueError
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)
TIERING = Path(__file__).resolve().parents[2] / "examples" / "packs" / "tiering"


def _generic(decision: Decision) -> str:
    """The JSON the generic unstructure gives (every field at its default left out)."""
    data = unstructure(decision)
    for action in data.get("actions", []):
        action["evidence"] = [
            {"path": e["path"], "value": e.get("value")} for e in action["evidence"]
        ]
    return dumps(data)


def _decisions() -> list[Decision]:
    tiering = riskreview.load_pack(TIERING)
    out = []
    for k, data in enumerate(generate(120, seed=12, as_of=AS_OF)):
        day = AS_OF - timedelta(days=(k * 13) % 200)
        out.append(riskreview.evaluate(data, as_of=day, trace=k % 3 == 0))
        data["inputs"] = {"ogrs_score": k % 100, "rsr_score": (k * 3) % 100}
        out.append(riskreview.evaluate(data, as_of=day, pack=tiering))
    return out


def test_the_written_json_is_the_generic_form_and_reads_back_to_the_same_bytes() -> None:
    decisions = _decisions()
    assert any(d.trace for d in decisions) and any(d.reported for d in decisions)
    assert any(a.rolling for d in decisions for a in d.actions)
    for decision in decisions:
        text = decision.to_json()
        assert text == _generic(decision)
        assert Decision.from_json(text).to_json() == text


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[]", "$: is not an object"),
        ('{"case_id": 5}', "$.case_id: is not text"),
        ("not json", "not JSON"),
    ],
)
def test_text_that_is_not_a_decision_is_refused_naming_where(text: str, where: str) -> None:
    with pytest.raises(ArgumentValueError, match=where.replace("$", r"\$")):
        Decision.from_json(text)



def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [VALUE_DEPTH, VALUE_DEPTH + 1, 300, 500])
def test_a_value_nested_deeper_than_a_decision_holds_is_refused_naming_where(depth: int) -> None:
    """A decision read back must be one that can be written again: a value nested
    hundreds deep can be read as JSON but not written, so it is refused on reading."""
    decision = next(d for d in _decisions() if any(a.evidence for a in d.actions) and d.reported)
    name = next(iter(decision.reported))
    for where in ("evidence", "reported"):
        data = decision.to_dict()
        if where == "evidence":
            action = next(a for a in data["actions"] if a["evidence"])
            action["evidence"][0]["value"] = "__VALUE__"
            refused = r"\.evidence\[0\]\.value: nests deeper than 32"
        else:
            data["reported"][name] = "__VALUE__"
            refused = rf"\$\.reported\.{name}: nests deeper than 32"
        text = dumps(data).replace('"__VALUE__"', _nested(depth), 1)
        if depth <= VALUE_DEPTH:
            assert Decision.from_json(text).to_json() == text
        else:
            with pytest.raises(ArgumentValueError, match=refused):
                Decision.from_json(text)
