"""Scored policy in packs: declared inputs and derived values, checked at load and explained."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview import CaseError, PackError

ROOT = Path(__file__).resolve().parents[2]
TIERING = ROOT / "examples" / "packs" / "tiering"
AS_OF = date(2026, 11, 23)
FLAGS = [
    "mental_health",
    "learning_disability",
    "substance_misuse",
    "homelessness",
    "care_leaver",
    "young_adult",
]


@pytest.fixture(scope="module")
def tiering() -> riskreview.Pack:
    return riskreview.load_pack(TIERING)


def _broken(tmp_path: Path, file: str, old: str, new: str) -> PackError:
    copy = tmp_path / "pack"
    shutil.copytree(TIERING, copy)
    target = copy / file
    text = target.read_text(encoding="utf-8")
    assert old in text, old
    target.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        riskreview.load_pack(copy)
    return caught.value


def _case(**inputs: object) -> dict[str, object]:
    base: dict[str, object] = {"ogrs_score": 10, "rsr_score": 5, "complexity_flags": []}
    base.update(inputs)
    return {"case_id": "T1", "risk": {"levels": {"public": "medium"}}, "inputs": base}


def test_a_cycle_between_derived_values_is_rejected(tmp_path: Path) -> None:
    copy = tmp_path / "pack"
    shutil.copytree(TIERING, copy)
    scores = copy / "derived" / "scores.yaml"
    text = scores.read_text(encoding="utf-8")
    text = text.replace(
        "max: [inputs.ogrs_score, inputs.rsr_score]",
        "max: [inputs.ogrs_score, derived.tier_points]",
    )
    text = text.replace(
        "      - {value: derived.complexity_count, times: 2}",
        "      - {value: derived.complexity_count, times: 2}\n"
        "      - {value: derived.predictor_score, times: 1}",
    )
    scores.write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as caught:
        riskreview.load_pack(copy)
    assert "cycle" in str(caught.value)
    assert "tier_points → predictor_score → tier_points" in str(caught.value) or (
        "predictor_score → tier_points → predictor_score" in str(caught.value)
    )


def test_an_unknown_name_is_rejected_with_a_suggestion(tmp_path: Path) -> None:
    error = _broken(
        tmp_path, "derived/scores.yaml", "value: derived.rosh_points", "value: derived.rosh_point"
    )
    assert "did you mean 'derived.rosh_points'" in str(error)
    assert "derived/scores.yaml" in str(error)


def test_band_edges_out_of_order_are_rejected(tmp_path: Path) -> None:
    error = _broken(tmp_path, "derived/scores.yaml", "{label: C, from: 10}", "{label: C, from: 70}")
    assert "rise strictly" in str(error)


def test_a_parameter_that_puts_band_edges_out_of_order_is_rejected(tmp_path: Path) -> None:
    error = _broken(tmp_path, "parameters/tiering.yaml", "2024-01-01: 20", "2024-01-01: 5")
    assert "rise strictly" in str(error) and "points_band" in str(error)


def test_a_type_clash_is_rejected(tmp_path: Path) -> None:
    error = _broken(
        tmp_path,
        "derived/scores.yaml",
        "value: derived.tier_points",
        "value: supervision.start_date",
    )
    assert "type clash" in str(error)


def test_a_grid_missing_a_cell_is_rejected(tmp_path: Path) -> None:
    error = _broken(
        tmp_path,
        "derived/scores.yaml",
        "D: {low: D1, medium: D2, high: D3}",
        "D: {low: D1, medium: D2}",
    )
    assert "D/high" in str(error)


def test_an_input_out_of_range_is_rejected_with_its_path(tiering: riskreview.Pack) -> None:
    with pytest.raises(CaseError) as caught:
        riskreview.evaluate(_case(ogrs_score=120), as_of=AS_OF, pack=tiering)
    assert [p.path for p in caught.value.problems] == ["$.inputs.ogrs_score"]


def test_an_input_without_bounds_still_keeps_within_the_engine_limit(tmp_path: Path) -> None:
    # a number past the engine's limit would read as its encoding of "unknown"
    copy = tmp_path / "pack"
    shutil.copytree(TIERING, copy)
    inputs = copy / "inputs.yaml"
    text = inputs.read_text(encoding="utf-8")
    bounded = "    type: int\n    min: 0\n    max: 99\n"
    assert bounded in text
    text = text.replace(bounded, "    type: int\n", 1)
    text += "  assessed_on:\n    type: date\n    description: When the scores were assessed.\n"
    inputs.write_text(text, encoding="utf-8")
    pack = riskreview.load_pack(copy)
    with pytest.raises(CaseError) as caught:
        riskreview.evaluate(
            _case(ogrs_score=10**7, assessed_on="9999-01-01"), as_of=AS_OF, pack=pack
        )
    problems = {p.path: p.message for p in caught.value.problems}
    assert problems == {
        "$.inputs.ogrs_score": "expected a whole number from -1000000 to 1000000, got 10000000",
        "$.inputs.assessed_on": (
            "9999-01-01 is outside the dates a case may hold (1900-01-01 to 2199-12-31)"
        ),
    }
    decision = riskreview.evaluate(_case(ogrs_score=10**6), as_of=AS_OF, pack=pack)
    assert decision.case_id == "T1"


def test_a_misspelled_input_is_rejected_with_did_you_mean(tiering: riskreview.Pack) -> None:
    case = _case()
    inputs = case["inputs"]
    assert isinstance(inputs, dict)
    inputs["osgr_score"] = inputs.pop("ogrs_score")
    with pytest.raises(CaseError, match="did you mean 'ogrs_score'"):
        riskreview.Case.from_dict(case, pack=tiering)


def test_a_misspelled_input_value_is_rejected(tiering: riskreview.Pack) -> None:
    with pytest.raises(CaseError, match="did you mean 'homelessness'"):
        riskreview.evaluate(_case(complexity_flags=["homelesness"]), as_of=AS_OF, pack=tiering)


def test_an_unknown_input_makes_the_score_unknown_and_asks_for_it(tiering: riskreview.Pack) -> None:
    case = _case()
    inputs = case["inputs"]
    assert isinstance(inputs, dict)
    del inputs["rsr_score"]
    decision = riskreview.evaluate(case, as_of=AS_OF, pack=tiering)
    assert decision.reported["predictor_score"]["value"] is None
    assert decision.reported["tier"]["value"] is None
    codes = {i.code: i.rule_ids for i in decision.information}
    assert "ESTABLISH_INPUTS_RSR_SCORE" in codes
    assert "TIER-FORTNIGHTLY" in codes["ESTABLISH_INPUTS_RSR_SCORE"]


def test_explain_of_a_scored_rule_lists_every_contributing_term(tiering: riskreview.Pack) -> None:
    case = _case(complexity_flags=FLAGS[:2])
    case["mappa"] = {"category": 2, "level": 2}
    explanation = riskreview.explain(case, "TIER-WEEKLY", as_of=AS_OF, pack=tiering)
    text = str(explanation)
    assert explanation.outcome == "fired"
    assert "39 points" in text
    assert "derived.rosh_points 10" in text and "derived.mappa_points 25" in text
    assert "derived.complexity_count 2 × 2 = 4" in text
    assert "band B (20 up to 59)" in text


def test_reported_values_are_in_the_decision_json(tiering: riskreview.Pack) -> None:
    decision = riskreview.evaluate(_case(ogrs_score=80), as_of=AS_OF, pack=tiering)
    assert decision.reported["tier"] == {
        "value": "C3",
        "explanation": "row derived.points_band C, column derived.predictor_band high gives C3",
    }
    assert '"tier":{"explanation"' in decision.to_json()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(st.sampled_from(FLAGS), unique=True),
    st.sampled_from(FLAGS),
    st.sampled_from(["low", "medium", "high", "very_high"]),
)
def test_adding_a_point_bearing_factor_never_lowers_the_points(
    flags: list[str], extra: str, level: str
) -> None:
    pack = riskreview.load_pack(TIERING)
    case = _case(complexity_flags=flags)
    case["risk"] = {"levels": {"public": level}}
    more = _case(complexity_flags=sorted({*flags, extra}))
    more["risk"] = case["risk"]
    before = riskreview.evaluate(case, as_of=AS_OF, pack=pack).reported["tier_points"]["value"]
    after = riskreview.evaluate(more, as_of=AS_OF, pack=pack).reported["tier_points"]["value"]
    assert after >= before


def test_engine_and_reference_read_the_same_derived_numbers(tiering: riskreview.Pack) -> None:
    from riskreview import _match, _runtime, _values
    from riskreview._reference import Reference

    for ogrs in (49, 50, 74, 75):
        case = riskreview.Case.from_dict(_case(ogrs_score=ogrs), pack=tiering)
        rt = _runtime.runtime(tiering, tiering.epoch(AS_OF))
        extras = _values.values(tiering, case, AS_OF, rt.calendar).extras
        engine = _match.match(rt, case, AS_OF, extras)
        ref = Reference(case, AS_OF, tiering.parameter, rt.calendar, extras)
        for index, outcome in engine.items():
            truth = ref.evaluate(tiering.rules[index].when).truth
            assert outcome == {True: "fired", False: "not_fired", None: "undetermined"}[truth]


def test_the_case_schema_under_a_pack_declares_its_inputs(tiering: riskreview.Pack) -> None:
    import jsonschema

    from riskreview.schema import case_schema

    schema = case_schema(tiering)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(_case())) == []
    bad = _case(ogrs_score=120, complexity_flags=["homelesness"])
    inputs = bad["inputs"]
    assert isinstance(inputs, dict)
    inputs["osgr"] = 1
    paths = {"/".join(str(p) for p in e.absolute_path) for e in validator.iter_errors(bad)}
    assert paths == {"inputs", "inputs/ogrs_score", "inputs/complexity_flags"}
