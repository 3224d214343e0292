"""Decision records, verification, pinned packs, replay and JSON Schemas."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview.audit import DecisionRecord, record, verify
from riskreview.errors import PackError, VerificationError
from riskreview.pack import default_pack, default_pack_path
from riskreview.schema import case_schema, decision_schema, explanation_schema

AS_OF = date(2026, 11, 23)
CASE = {
    "case_id": "AU-1",
    "supervision": {"stage": "community", "start_date": "2026-11-02"},
    "index_offence": {"categories": ["domestic_abuse"]},
    "household": {"children": [{"date_of_birth": "2021-02-03", "contact": True}]},
    "events": [{"type": "arrest", "date": "2026-11-20"}],
    "risk": {"screening_date": "2026-11-03", "levels": {"known_adult": "high"}},
}


def test_record_round_trips_through_json_byte_for_byte() -> None:
    rec = record(riskreview.evaluate(CASE, as_of=AS_OF, trace=True))
    again = DecisionRecord.from_json(rec.to_json())
    assert again == rec
    assert again.to_json() == rec.to_json()
    assert rec.engine.startswith("durable_rules ")


def test_verify_recomputes_and_accepts_an_honest_record() -> None:
    rec = record(riskreview.evaluate(CASE, as_of=AS_OF, trace=True))
    assert verify(DecisionRecord.from_json(rec.to_json()), CASE).to_json() == json.dumps(
        rec.decision, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def test_verify_names_every_tampered_path() -> None:
    rec = record(riskreview.evaluate(CASE, as_of=AS_OF))
    data = json.loads(rec.to_json())
    data["decision"]["actions"][0]["due_date"] = "2030-01-01"
    data["decision"]["actions"][0]["priority"] = "low"
    with pytest.raises(VerificationError) as caught:
        verify(DecisionRecord.from_json(json.dumps(data)), CASE)
    assert any(d.startswith("$.actions[0].due_date") for d in caught.value.differences)
    assert any(d.startswith("$.actions[0].priority") for d in caught.value.differences)


def test_verify_refuses_another_case() -> None:
    rec = record(riskreview.evaluate(CASE, as_of=AS_OF))
    other = dict(CASE, events=[])
    with pytest.raises(VerificationError, match="not the one recorded"):
        verify(rec, other)


def test_verify_refuses_a_changed_pack(tmp_path: Path) -> None:
    copy = tmp_path / "pack"
    shutil.copytree(default_pack_path(), copy)
    (copy / "pack.yaml").write_text(
        (copy / "pack.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    rec = record(riskreview.evaluate(CASE, as_of=AS_OF))
    with pytest.raises(VerificationError, match="pack"):
        verify(rec, CASE, riskreview.load_pack(copy))


def test_a_pinned_version_or_digest_must_match() -> None:
    pack = default_pack()
    assert (
        riskreview.load_pack(default_pack_path(), version=pack.version, digest=pack.digest).digest
        == pack.digest
    )
    with pytest.raises(PackError, match=r"pinned to 9\.9\.9"):
        riskreview.load_pack(default_pack_path(), version="9.9.9")
    with pytest.raises(PackError, match="digest"):
        riskreview.load_pack(default_pack_path(), digest="sha256:0")


def test_decision_names_pack_digest_and_policy_period() -> None:
    decision = riskreview.evaluate(CASE, as_of=AS_OF)
    pack = default_pack()
    assert decision.pack.digest == pack.digest
    assert decision.pack.policy_period == pack.epoch(AS_OF)
    assert decision.input_digest.startswith("sha256:")


def test_schemas_are_valid_json_schema() -> None:
    for schema in (case_schema(), decision_schema(), explanation_schema()):
        jsonschema.Draft202012Validator.check_schema(schema)


def test_case_schema_accepts_what_the_library_writes_and_rejects_what_it_refuses() -> None:
    validator = jsonschema.Draft202012Validator(case_schema())
    case = riskreview.Case.from_dict(CASE)
    assert list(validator.iter_errors(case.to_dict())) == []
    for bad in (
        {"case_id": "X", "mappa": {"category": 9}},
        {"case_id": "X", "events": [{"type": "arest"}]},
        {"case_id": "X", "houshold": {}},
        {"case_id": "X", "person": {"date_of_birth": "1 May 1990"}},
        {"household": {}},
    ):
        assert list(validator.iter_errors(bad)), bad
        with pytest.raises(riskreview.CaseError):
            riskreview.Case.from_dict(bad)


def test_decision_and_explanation_json_match_their_schemas() -> None:
    decision = riskreview.evaluate(CASE, as_of=AS_OF, trace=True)
    jsonschema.validate(json.loads(decision.to_json()), decision_schema())
    explanation = riskreview.explain(CASE, "CS-02", as_of=AS_OF)
    jsonschema.validate(json.loads(json.dumps(explanation.to_dict())), explanation_schema())


def _stored() -> str:
    return record(riskreview.evaluate(CASE, as_of=AS_OF)).to_json()


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda text: text[: len(text) // 2], "not JSON at character"),
        (lambda text: "[]", "expected a JSON object, got list"),
        (lambda text: text.replace('"pack_digest"', '"pack_digets"'), "pack_digest: is required"),
        (lambda text: text.replace('"pack_digest"', '"pack_digets"'), "pack_digets: is not a"),
        (lambda text: text.replace('"traced":false', '"traced":"no"'), "traced: expected bool"),
        (lambda text: text.replace('"as_of":"2026-11-23"', '"as_of":"23/11/2026"'), "as_of: is"),
        (lambda text: text.replace('"as_of":"2026-11-23"', '"as_of":null'), "as_of: expected str"),
    ],
)
def test_a_damaged_record_is_a_verification_error_naming_what_is_wrong(
    damage: Callable[[str], str], problem: str
) -> None:
    text = damage(_stored())
    assert text != _stored()
    with pytest.raises(VerificationError) as caught:
        DecisionRecord.from_json(text)
    assert any(d.startswith(problem) for d in caught.value.differences), caught.value


def test_the_error_for_unreadable_record_text_never_quotes_it() -> None:
    text = _stored().replace('"case_id":"AU-1"', '"case_id":Ruby Smith')
    with pytest.raises(VerificationError) as caught:
        DecisionRecord.from_json(text)
    assert "Ruby" not in str(caught.value)


@settings(max_examples=300)
@given(st.data())
def test_a_record_cut_or_changed_anywhere_is_read_or_refused_never_crashes(
    data: st.DataObject,
) -> None:
    text = _stored()
    at = data.draw(st.integers(0, len(text) - 1))
    change = data.draw(st.sampled_from(["cut", "drop", "insert"]))
    if change == "cut":
        text = text[:at]
    elif change == "drop":
        text = text[:at] + text[at + 1 :]
    else:
        extra = data.draw(st.sampled_from(['"', "{", "]", "1", "x", ",", "null"]))
        text = text[:at] + extra + text[at:]
    try:
        rec = DecisionRecord.from_json(text)
    except VerificationError as error:
        assert error.differences
    else:
        assert isinstance(rec.as_of, date) and isinstance(rec.decision, dict)
