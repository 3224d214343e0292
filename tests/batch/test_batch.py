"""Caseload batches: one bad case never stops the batch, and a native crash costs one answer."""

from __future__ import annotations

import json
from datetime import date

import pytest

from riskreview.batch import evaluate_many, summarise
from riskreview.errors import PolicyNotInForceError

AS_OF = date(2026, 11, 23)


def _cases(n: int) -> list[dict[str, object]]:
    return [
        {
            "case_id": f"C{i}",
            "household": {"children_in_contact": i % 2 == 0},
            "index_offence": {"categories": ["domestic_abuse"] if i % 3 == 0 else ["burglary"]},
        }
        for i in range(n)
    ]


def test_in_process_batch_reports_bad_lines_and_keeps_going() -> None:
    items: list[object] = [*_cases(3), "{not json", {"case_id": "X", "mappa": {"level": 9}}]
    results = list(evaluate_many(items, AS_OF))
    assert [r.status for r in results] == ["ok", "ok", "ok", "case_error", "case_error"]
    assert results[4].case_id == "X" and "$.mappa.level" in (results[4].error or "")
    assert [r.index for r in results] == list(range(5))


@pytest.mark.parametrize("as_of", [date(2020, 1, 1), date(2200, 1, 1)])
@pytest.mark.parametrize("workers", [0, 2])
def test_an_as_of_no_policy_covers_fails_the_batch_before_any_case(
    as_of: date, workers: int
) -> None:
    read: list[int] = []

    def cases() -> object:
        for i, case in enumerate(_cases(3)):
            read.append(i)
            yield case

    with pytest.raises(PolicyNotInForceError):
        list(evaluate_many(cases(), as_of, workers=workers))
    assert read == []


def test_worker_batch_matches_the_in_process_batch() -> None:
    cases = _cases(100)
    serial = [r.decision for r in evaluate_many(cases, AS_OF)]
    parallel = [r.decision for r in evaluate_many(cases, AS_OF, workers=2)]
    assert parallel == serial
    assert all(d is not None for d in parallel)


def test_an_injected_native_crash_loses_exactly_that_case() -> None:
    cases = _cases(70)
    cases[41] = {"case_id": "CRASH"}
    results = list(evaluate_many(cases, AS_OF, workers=2, _evaluator="faulty:evaluate"))
    assert len(results) == 70
    lost = [r for r in results if not r.ok]
    assert [(r.index, r.case_id, r.status) for r in lost] == [(41, "CRASH", "crash")]
    assert "died" in (lost[0].error or "")
    expected = {r.index: r.decision for r in evaluate_many(cases[:41] + cases[42:], AS_OF)}
    got = [r.decision for r in results if r.ok]
    assert got == [expected[i] for i in range(69)]


def test_a_hung_case_times_out_and_the_rest_complete() -> None:
    cases = _cases(10)
    cases[3] = {"case_id": "HANG"}
    results = list(
        evaluate_many(cases, AS_OF, workers=1, timeout=2.0, _evaluator="faulty:evaluate")
    )
    assert [r.status for r in results].count("ok") == 9
    assert results[3].status == "timeout" and results[3].case_id == "HANG"


def test_summary_counts_statuses_and_actions() -> None:
    results = list(evaluate_many([*_cases(6), "{"], AS_OF))
    summary = summarise(results)
    assert summary.total == 7
    assert summary.by_status == {"case_error": 1, "ok": 6}
    police = sum("POLICE_DA_CHECK" in r.decision for r in results if r.decision)
    assert summary.actions["POLICE_DA_CHECK"] == police
    assert all(json.loads(r.decision)["case_id"] == f"C{r.index}" for r in results if r.decision)
