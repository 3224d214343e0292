"""A nightly scan costs what changed: decisions of an earlier run are brought forward
for every case whose input is unchanged and whose decision still holds, and the
answer is exactly what evaluating again would give."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import riskreview
from riskreview.batch import evaluate_many
from riskreview.synthetic import generate

DAY = date(2026, 11, 23)
TIERING = Path(__file__).resolve().parents[2] / "examples" / "packs" / "tiering"


def _caseload(n: int = 40) -> list[dict[str, Any]]:
    return list(generate(n, seed=17, as_of=DAY))


def _by_id(results: list[Any]) -> dict[str, str]:
    return {r.case_id: r.decision for r in results if r.decision is not None}


@pytest.mark.parametrize("workers", [0, 2])
def test_a_rescan_reuses_unchanged_cases_and_answers_as_a_fresh_run(workers: int) -> None:
    cases = _caseload()
    first = _by_id(list(evaluate_many(cases, DAY)))
    changed = [dict(c) for c in cases]
    for c in changed[:3]:  # three cases get a new call-out count
        c["domestic_abuse"] = dict(c.get("domestic_abuse") or {}, police_callouts_12_months=4)
    later = DAY + timedelta(days=1)
    again = list(evaluate_many(changed, later, previous=first, workers=workers))
    fresh = {r.case_id: r.decision for r in evaluate_many(changed, later)}
    assert {r.case_id: r.decision for r in again} == fresh
    status = {r.case_id: r.status for r in again}
    for c in changed[:3]:
        assert status[c["case_id"]] == "ok"
    holds = {
        cid
        for cid, text in first.items()
        if (until := json.loads(text).get("stable_until")) is None
        or date.fromisoformat(until) > later
    }
    unchanged = {c["case_id"] for c in changed[3:]}
    assert {cid for cid, s in status.items() if s == "reused"} == holds & unchanged
    assert len(holds & unchanged) >= len(unchanged) // 2


def test_a_decision_past_its_stable_until_is_evaluated_again() -> None:
    cases = _caseload(20)
    first = _by_id(list(evaluate_many(cases, DAY)))
    ends = [json.loads(t).get("stable_until") for t in first.values()]
    day = max(date.fromisoformat(e) for e in ends if e)
    again = list(evaluate_many(cases, day, previous=first))
    for result in again:
        until = json.loads(first[result.case_id]).get("stable_until")
        if until is not None and date.fromisoformat(until) <= day:
            assert result.status == "ok"
    assert again == list(evaluate_many(cases, day, previous=first))


SPOILS = ["other_pack", "not_json", "not_a_decision", "traced"]
SPOILS += ["nested 300 deep", "nested 500 deep", "nested 500 deep, pretty"]
SPOILS += ["another case's id", "another case's id, pretty"]


@pytest.mark.parametrize("spoil", SPOILS)
def test_a_previous_decision_that_cannot_be_trusted_is_evaluated_again(spoil: str) -> None:
    """Never reused, never stopping the batch: a value nested hundreds deep can be
    read as JSON but not written again (the batch raised RecursionError before)."""
    case = _caseload(1)[0]
    cid = case["case_id"]
    if spoil.startswith("another case's id"):
        data = riskreview.evaluate(case, as_of=DAY).to_dict()
        data["case_id"] = "NOT-" + cid  # the same case's decision, its case id changed
        text = json.dumps(data, indent=1 if "pretty" in spoil else None, sort_keys=True)
        if "pretty" not in spoil:
            text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    elif spoil.startswith("nested"):
        data = riskreview.evaluate(case, as_of=DAY).to_dict()
        action = next(a for a in data["actions"] if a["evidence"])
        depth = int(spoil.split()[1])
        action["evidence"][0]["value"] = json.loads("[" * depth + "]" * depth)
        text = json.dumps(data, indent=1 if "pretty" in spoil else None, sort_keys=True)
    elif spoil == "other_pack":
        tiering = riskreview.load_pack(TIERING)
        text = riskreview.evaluate({"case_id": cid}, as_of=DAY, pack=tiering).to_json()
    elif spoil == "not_json":
        text = "{not json"
    elif spoil == "not_a_decision":
        text = json.dumps({"case_id": cid, "actions": "none"})
    else:
        text = riskreview.evaluate(case, as_of=DAY, trace=True).to_json()
    (result,) = evaluate_many([case], DAY + timedelta(days=1), previous={cid: text})
    assert result.status == "ok"
    assert result.decision == riskreview.evaluate(case, as_of=DAY + timedelta(days=1)).to_json()


def test_previous_must_map_case_ids_to_decisions() -> None:
    with pytest.raises(riskreview.ArgumentError, match="previous must map case ids"):
        evaluate_many([], DAY, previous=["not", "a", "mapping"])  # type: ignore[arg-type]


def test_a_canonical_line_is_matched_without_validation_and_a_doctored_one_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A line written as Case.to_json writes it is recognised by its bytes alone; the
    same case with a duplicate key (which validation refuses) is not brought forward."""
    from riskreview import batch

    later = DAY + timedelta(days=1)
    for data in _caseload():
        case = riskreview.Case.from_dict(data)
        until = riskreview.evaluate(case, as_of=DAY).stable_until
        if until is None or until > later:
            break
    line = case.to_json()
    first = _by_id(list(evaluate_many([line], DAY)))
    validated: list[Any] = []
    real = batch.as_case
    monkeypatch.setattr(batch, "as_case", lambda item: validated.append(item) or real(item))
    (reused,) = evaluate_many([line], later, previous=first)
    assert reused.status == "reused" and validated == []
    doctored = line[:-1] + ',"case_id":' + json.dumps(case.case_id) + "}"
    (again,) = evaluate_many([doctored], later, previous=first)
    assert again.status == "case_error"


def test_every_decision_reused_in_memory_is_what_evaluating_again_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The spot check drawing every decision (in this process): each one brought
    forward from an earlier run's Decision objects is evaluated again and is the same."""
    monkeypatch.setattr(riskreview.batch, "SPOT", 1)
    cases = list(generate(40, seed=12, as_of=DAY))
    first = {r.case_id: r.decision for r in evaluate_many(cases, DAY)}
    later = DAY + timedelta(days=3)
    again = list(evaluate_many(cases, later, previous=first))
    assert sum(r.status == "reused" for r in again) > 20
    assert [r.decision for r in again] == [
        riskreview.evaluate(c, as_of=later).to_json() for c in cases
    ]


@pytest.mark.parametrize("workers", [0, 2])
def test_a_doctored_decision_drawn_for_the_spot_check_stops_the_results(workers: int) -> None:
    """An action taken out of a previous decision that the day's draw picks: the
    results raise (an EngineError naming the case) rather than bring it forward;
    one the draw passes over is brought forward as given (the check's limit)."""
    cases = list(generate(800, seed=13, as_of=DAY))
    first = {r.case_id: json.loads(r.decision or "") for r in evaluate_many(cases, DAY)}
    later = DAY + timedelta(days=1)
    held = [
        d for d in first.values()
        if d["actions"] and d.get("stable_until", "9") > str(later)
    ]
    chosen = [d for d in held if riskreview.batch.drawn(d["input_digest"], later)]
    spared = [d for d in held if d not in chosen]
    assert chosen and spared
    doctored = dict(spared[0], actions=spared[0]["actions"][:-1])
    previous = {k: _json(v) for k, v in first.items()} | {doctored["case_id"]: _json(doctored)}
    results = {r.case_id: r for r in evaluate_many(cases, later, workers=workers,
                                                   previous=previous)}
    assert results[doctored["case_id"]].status == "reused"
    assert results[doctored["case_id"]].decision is not None
    assert len(json.loads(results[doctored["case_id"]].decision or "")["actions"]) == len(
        doctored["actions"]
    )
    doctored = dict(chosen[0], actions=chosen[0]["actions"][:-1])
    previous[doctored["case_id"]] = _json(doctored)
    with pytest.raises(riskreview.EngineError, match=f"case {doctored['case_id']} is not"):
        list(evaluate_many(cases, later, workers=workers, previous=previous))


def _json(decision: dict[str, Any]) -> str:
    return json.dumps(decision, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
