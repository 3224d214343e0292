"""Worker processes: started only for work, capped, checked arguments, and a worker
that dies while starting costs at most the case it was given."""

from __future__ import annotations

import json
import math
import multiprocessing
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from riskreview import _batchio, _pool, batch, cli, evaluate, load_pack
from riskreview._packload import load
from riskreview._pool import PENDING, Early, start_early
from riskreview.batch import DECIDE, evaluate_many, worker_count
from riskreview.errors import RiskReviewError
from riskreview.pack import default_pack_path
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)
TIERING = Path(__file__).resolve().parents[2] / "examples" / "packs" / "tiering"


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


@pytest.fixture
def marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file whose removal lets the first worker importing ``dies_at_start`` die."""
    planted = tmp_path / "die-once"
    planted.touch()
    monkeypatch.setenv("RISKREVIEW_TEST_DIE_ONCE", str(planted))
    return planted


def test_a_worker_that_dies_while_starting_costs_only_the_case_it_was_given(
    marker: Path,
) -> None:
    cases = _cases(10)
    results = list(evaluate_many(cases, AS_OF, workers=1, _evaluator="dies_at_start:evaluate"))
    assert not marker.exists(), "no worker died at start: the fault was not planted"
    assert [(r.index, r.case_id, r.status) for r in results if not r.ok] == [(0, "W0", "crash")]
    assert "while starting" in (results[0].error or "")
    expected = [r.decision for r in evaluate_many(cases[1:], AS_OF)]
    assert [r.decision for r in results[1:]] == expected


def test_with_two_workers_a_death_at_start_still_costs_one_case(marker: Path) -> None:
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
    worker = load(folder, evaluating=True)
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
    assert load(folder, evaluating=True).digest != pack.digest  # what the worker reports
    with pytest.raises(RiskReviewError, match="changed on disk since the batch loaded it"):
        list(evaluate_many(_cases(3), AS_OF, pack, workers=1))


# ------------------------------------------ workers started before the pack loads


def _ready(early: Early) -> None:
    """Wait until every early worker has loaded its pack (its ready is waiting)."""
    for slot in early.slots:
        assert slot.conn.poll(120), "an early worker did not start"


def test_workers_started_early_are_taken_over_and_no_more_are_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pack = load_pack(default_pack_path())
    before = _children()
    early = start_early(str(default_pack_path()), DECIDE, 2)
    started: list[Any] = []
    spawn = _pool._spawn
    monkeypatch.setattr(_pool, "_spawn", lambda *a: started.append(a) or spawn(*a))
    cases = _cases(100)
    results = list(evaluate_many(cases, AS_OF, pack, workers=2, _early=early))
    assert started == [] and early.slots == []
    assert [r.decision for r in results] == [r.decision for r in evaluate_many(cases, AS_OF)]
    assert _children() - before == set()


def test_a_worker_started_early_on_a_pack_since_changed_fails_the_batch(
    tmp_path: Path,
) -> None:
    folder = _pack_copy(tmp_path)
    early = start_early(str(folder), DECIDE, 1)
    _ready(early)  # it loaded the pack as it was
    _edit_rule(folder)
    pack = load_pack(folder)  # the batch loads it as it is now
    with pytest.raises(RiskReviewError, match="changed on disk since the batch loaded it"):
        list(evaluate_many(_cases(3), AS_OF, pack, workers=1, _early=early))
    assert not early.slots


def test_early_workers_not_wanted_are_stopped() -> None:
    """More than the batch uses, or for another evaluator or pack: stopped at once."""
    path = str(default_pack_path())
    for early, size in [
        (start_early(path, DECIDE, 3), 1),
        (start_early(path, "riskreview._rescan:answer", 2), 2),
        (start_early(str(TIERING), DECIDE, 1), 1),
    ]:
        processes = [slot.process for slot in early.slots]
        results = list(evaluate_many(_cases(5), AS_OF, workers=size, _early=early))
        assert [r.status for r in results] == ["ok"] * 5
        assert early.slots == []
        assert not any(p.is_alive() for p in processes[size:])
    assert not _children()


def test_a_worker_started_early_that_dies_before_its_first_case_costs_none(
    marker: Path,
) -> None:
    early = start_early(str(default_pack_path()), "dies_at_start:evaluate", 1)
    early.slots[0].process.join(120)
    assert not marker.exists() and not early.slots[0].process.is_alive()
    cases = _cases(40)
    results = list(
        evaluate_many(cases, AS_OF, workers=1, _evaluator="dies_at_start:evaluate", _early=early)
    )
    assert [r.status for r in results] == ["ok"] * 40
    assert [r.decision for r in results] == [r.decision for r in evaluate_many(cases, AS_OF)]


def test_the_command_line_starts_its_workers_before_it_loads_the_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    start, load_cli = _batchio.early_workers, cli._load

    def started(*args: Any) -> Early:
        events.append(f"workers {args[2]}")
        return start(*args)

    def loaded(*args: Any) -> Any:
        events.append("pack")
        return load_cli(*args)

    monkeypatch.setattr(_batchio, "early_workers", started)
    monkeypatch.setattr(cli, "_load", loaded)
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(c) + "\n" for c in _cases(30)), encoding="utf-8")
    outputs = {}
    for workers in ("2", "0"):
        events.clear()
        out = tmp_path / f"out{workers}.jsonl"
        args = ["batch", str(cases), "-o", str(out), "--workers", workers]
        result = CliRunner().invoke(cli.cli, [*args, "--as-of", AS_OF.isoformat()])
        assert result.exit_code == 0, result.output
        outputs[workers] = out.read_text(encoding="utf-8")
        assert events == (["workers 1", "pack"] if workers == "2" else ["pack"])  # 30 cases
    assert outputs["2"] == outputs["0"]
    assert not _children()


def test_a_pack_that_does_not_load_leaves_no_early_worker_behind(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(c) + "\n" for c in _cases(5)), encoding="utf-8")
    (tmp_path / "empty").mkdir()
    args = ["batch", str(cases), "-o", str(tmp_path / "out.jsonl"), "--workers", "2"]
    result = CliRunner().invoke(cli.cli, [*args, "--pack", str(tmp_path / "empty")])
    assert result.exit_code == 2, result.output
    assert not _children()


def test_the_command_line_starts_early_only_the_workers_its_input_can_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One per 100 cases or so (by size), never more than asked for; none for a pipe."""
    counts: list[int] = []
    monkeypatch.setattr(_batchio, "early_workers", lambda *a: counts.append(a[2]))
    monkeypatch.setattr(batch, "cpu_count", lambda: 4)
    monkeypatch.setattr(_batchio, "cpu_count", lambda: 4)
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    small.write_bytes(b"{}\n" * 5)
    large.write_bytes(b"{}\n" * (_batchio.EARLY_BYTES + 1))  # three times EARLY_BYTES
    for path, workers in [(small, 8), (small, None), (large, 2), (large, None), (large, 0)]:
        _batchio.start_early(path, None, workers, False)
    assert _batchio.start_early(Path("-"), None, 2, False) is None
    assert counts == [1, 1, 2, 3]


def test_early_workers_of_a_batch_refused_at_its_outputs_are_stopped(tmp_path: Path) -> None:
    """The batch's results are never read: its owner stops the workers it started."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(c) + "\n" for c in _cases(5)), encoding="utf-8")
    (tmp_path / "a-folder").mkdir()
    args = ["batch", str(cases), "-o", str(tmp_path / "a-folder"), "--workers", "2"]
    result = CliRunner().invoke(cli.cli, args)
    assert result.exit_code == 2 and "folder" in result.output, result.output
    assert not _children()
