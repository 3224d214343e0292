"""Worker processes: started only for work, capped, checked arguments, and a worker
that dies while starting costs at most the case it was given."""

from __future__ import annotations

import math
import multiprocessing
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from riskreview import batch, evaluate, load_pack
from riskreview._packload import load
from riskreview._pool import PENDING
from riskreview.batch import evaluate_many, worker_count
from riskreview.errors import RiskReviewError
from riskreview.pack import default_pack_path
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)


def _cases(n: int) -> list[dict[str, Any]]:
    return [
        {"case_id": f"W{i}", "household": {"children_in_contact": i % 2 == 0}} for i in range(n)
    ]


def _children() -> set[int]:
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def _most_workers_seen(results: Iterator[batch.BatchResult]) -> tuple[int, list[str]]:
    """Run the batch, noting after each result how many worker processes are alive."""
    before = _children()
    most, statuses = 0, []
    for result in results:
        most = max(most, len(_children() - before))
        statuses.append(result.status)
    return most, statuses


def test_a_worker_that_dies_while_starting_costs_only_the_case_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "die-once"
    marker.touch()
    monkeypatch.setenv("RISKREVIEW_TEST_DIE_ONCE", str(marker))
    cases = _cases(10)
    results = list(evaluate_many(cases, AS_OF, workers=1, _evaluator="dies_at_start:evaluate"))
    assert not marker.exists(), "no worker died at start: the fault was not planted"
    assert [(r.index, r.case_id, r.status) for r in results if not r.ok] == [(0, "W0", "crash")]
    assert "while starting" in (results[0].error or "")
    expected = [r.decision for r in evaluate_many(cases[1:], AS_OF)]
    assert [r.decision for r in results[1:]] == expected


def test_with_two_workers_a_death_at_start_still_costs_one_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "die-once"
    marker.touch()
    monkeypatch.setenv("RISKREVIEW_TEST_DIE_ONCE", str(marker))
    cases = _cases(70)
    results = list(evaluate_many(cases, AS_OF, workers=2, _evaluator="dies_at_start:evaluate"))
    assert [r.index for r in results] == list(range(70))
    lost = [r for r in results if not r.ok]
    assert len(lost) == 1 and lost[0].status == "crash"
    expected = {r.index: r.decision for r in evaluate_many(cases, AS_OF)}
    assert all(r.decision == expected[r.index] for r in results if r.ok)


def test_workers_start_only_when_there_is_a_case_for_them() -> None:
    most, statuses = _most_workers_seen(evaluate_many(_cases(3), AS_OF, workers=8))
    assert statuses == ["ok"] * 3
    assert most == 1  # three cases make one chunk: one worker, not eight
    before = _children()
    assert list(evaluate_many(iter([]), AS_OF, workers=8)) == []
    assert _children() - before == set()


def test_workers_are_capped_at_a_small_multiple_of_the_cpu_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch, "cpu_count", lambda: 1)
    most, statuses = _most_workers_seen(evaluate_many(_cases(200), AS_OF, workers=6))
    assert statuses == ["ok"] * 200
    assert 0 < most <= batch.WORKERS_PER_CPU


@pytest.mark.parametrize(
    ("asked", "cases", "cpus", "expected"),
    [(64, 3, 2, 3), (100_000, None, 2, 4), (3, None, 8, 3), (0, 10, 2, 0), (5, 0, 2, 0)],
)
def test_worker_count_is_the_least_of_the_request_the_cases_and_the_cores(
    monkeypatch: pytest.MonkeyPatch, asked: int, cases: int | None, cpus: int, expected: int
) -> None:
    monkeypatch.setattr(batch, "cpu_count", lambda: cpus)
    assert worker_count(asked, cases) == min(expected, batch.WORKERS_PER_CPU * cpus)


def _unread() -> tuple[list[int], Iterator[dict[str, Any]]]:
    read: list[int] = []

    def cases() -> Iterator[dict[str, Any]]:
        for i, case in enumerate(_cases(3)):
            read.append(i)
            yield case

    return read, cases()


@pytest.mark.parametrize(
    ("workers", "kind"), [(-1, ValueError), (1.5, TypeError), ("2", TypeError), (True, TypeError)]
)
def test_a_worker_count_that_is_not_a_whole_number_from_0_is_refused_when_called(
    workers: Any, kind: type[Exception]
) -> None:
    read, cases = _unread()
    with pytest.raises(RiskReviewError, match=r"workers must be .* such as 2") as info:
        evaluate_many(cases, AS_OF, workers=workers)
    assert isinstance(info.value, kind)
    assert read == []


@pytest.mark.parametrize(
    ("timeout", "kind"),
    [
        (0, ValueError),
        (-1.0, ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        ("30", TypeError),
        (True, TypeError),
    ],
)
@pytest.mark.parametrize("workers", [0, 1])
def test_a_timeout_that_is_not_a_finite_number_above_0_is_refused_when_called(
    timeout: Any, kind: type[Exception], workers: int
) -> None:
    read, cases = _unread()
    before = _children()
    with pytest.raises(RiskReviewError, match=r"timeout must be .* such as 30, or None") as info:
        evaluate_many(cases, AS_OF, workers=workers, timeout=timeout)
    assert isinstance(info.value, kind)
    assert read == []
    assert _children() - before == set()


def test_no_timeout_means_no_limit() -> None:
    results = list(evaluate_many(_cases(4), AS_OF, workers=1, timeout=None))
    assert [r.status for r in results] == ["ok"] * 4


def test_an_interrupt_while_reading_cases_stops_every_worker() -> None:
    def cases() -> Iterator[dict[str, Any]]:
        yield from _cases(40)
        raise KeyboardInterrupt

    before = _children()
    seen: list[int] = []
    with pytest.raises(KeyboardInterrupt):
        for result in evaluate_many(cases(), AS_OF, workers=2):
            seen.append(result.index)
    assert seen == list(range(len(seen)))
    assert _children() - before == set()


def test_closing_the_results_early_stops_every_worker() -> None:
    before = _children()
    results = evaluate_many(_cases(100), AS_OF, workers=2)
    assert next(results).ok
    assert _children() - before
    results.close()
    assert _children() - before == set()


def test_answers_keep_coming_while_the_source_has_no_case_ready() -> None:
    answered: list[int] = []

    def slow_writer() -> Iterator[object]:
        yield from _cases(64)
        for _ in range(30_000):  # a writer with nothing more to say until every answer is out
            if len(answered) == 64:
                return
            yield PENDING
            time.sleep(0.01)
        raise AssertionError(f"only {len(answered)} of 64 answers came while the source waited")

    for result in evaluate_many(slow_writer(), AS_OF, workers=2):
        assert result.ok
        answered.append(result.index)
    assert answered == list(range(64))


def test_in_process_a_source_with_no_case_ready_is_asked_again() -> None:
    items = [PENDING, *_cases(2), PENDING, PENDING, *_cases(1)]
    results = list(evaluate_many(items, AS_OF))
    assert [(r.index, r.case_id) for r in results] == [(0, "W0"), (1, "W1"), (2, "W0")]


# ------------------------------------------------- the pack as a worker loads it


def _pack_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(default_pack_path(), folder, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return folder


def test_a_workers_pack_is_the_batchs_without_its_scenarios_and_decides_alike(
    tmp_path: Path,
) -> None:
    folder = _pack_copy(tmp_path)
    full = load_pack(folder)
    worker = load(folder, evaluating=full.digest)
    assert full.scenarios and worker.scenarios == ()
    assert worker.digest == full.digest
    assert worker.rules == full.rules
    assert [d.name for d in worker.derived] == [d.name for d in full.derived]
    cases = list(generate(150, seed=11, as_of=AS_OF))
    for case in cases:
        assert evaluate(case, AS_OF, worker).to_json() == evaluate(case, AS_OF, full).to_json()


def _edit_rule(folder: Path) -> None:
    rules = sorted((folder / "rules").glob("*.yaml"))[0]
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def _edit_scenario(folder: Path) -> None:
    tests = sorted((folder / "tests").glob("*.yaml"))[0]
    tests.write_text(tests.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def _add_scenario_file(folder: Path) -> None:
    (folder / "tests" / "zz_added.yaml").write_text("scenarios: []\n", encoding="utf-8")


def _remove_scenario_file(folder: Path) -> None:
    sorted((folder / "tests").glob("*.yaml"))[-1].unlink()


@pytest.mark.parametrize(
    "change", [_edit_rule, _edit_scenario, _add_scenario_file, _remove_scenario_file]
)
def test_a_pack_changed_on_disk_after_the_batch_loaded_it_fails_the_batch(
    tmp_path: Path, change: Any
) -> None:
    """A worker reads no scenario, yet a change to the scenario files is a change to
    the pack: they are digested all the same."""
    folder = _pack_copy(tmp_path)
    pack = load_pack(folder)
    change(folder)
    with pytest.raises(RiskReviewError, match="changed on disk since the batch loaded it"):
        load(folder, evaluating=pack.digest)
    with pytest.raises(RiskReviewError, match="changed on disk since the batch loaded it"):
        list(evaluate_many(_cases(3), AS_OF, pack, workers=1))
