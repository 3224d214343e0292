"""Pinned packs, the pack reference in decisions, and JSON Schemas (records: test_audit.py)."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest

import riskreview
from riskreview.errors import PackError
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
