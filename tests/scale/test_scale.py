"""The Dask path on a real local cluster gives exactly the in-process batch's answers, and
never needs Dask's usual ports."""

from __future__ import annotations

import builtins
import contextlib
import errno
import json
import math
import shutil
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import dask
import distributed
import pytest
from distributed import LocalCluster

from riskreview import scale
from riskreview.batch import BatchResult, evaluate_many
from riskreview.errors import ArgumentValueError
from riskreview.pack import Pack, default_pack_path, load_pack
from riskreview.scale import evaluate_bag, pack_files

AS_OF = date(2026, 11, 23)

_CATEGORIES = [["domestic_abuse"], ["burglary"], ["violence", "weapons"], ["sexual"], ["drugs"]]
_EVENTS = ["arrest", "new_relationship", "change_of_address", "separation"]


def _case(i: int) -> dict[str, Any]:
    """A varied, valid case: children, offences, checks, reviews and events differ by i."""
    start = date(2026, 1 + i % 10, 1 + i % 27)
    case: dict[str, Any] = {
        "case_id": f"S{i:04d}",
        "supervision": {"stage": "community", "start_date": start.isoformat()},
        "index_offence": {"categories": _CATEGORIES[i % len(_CATEGORIES)]},
        "household": {"children_in_contact": [True, False, None][i % 3]},
        "risk": {"levels": {"public": ["low", "medium", "high", "very_high"][i % 4]}},
    }
    if i % 4 == 0:
        case["checks"] = {"police_domestic_abuse": {"requested_date": start.isoformat()}}
    if i % 5 == 0:
        case["risk"]["last_review_date"] = date(2026, 1 + i % 6, 2).isoformat()
    if i % 7 == 0:
        case["events"] = [{"type": _EVENTS[i % len(_EVENTS)], "date": "2026-11-02"}]
    return case


def _caseload(n: int) -> list[Any]:
    """n inputs: mostly valid cases, some as JSON text, some invalid."""
    items: list[Any] = []
    for i in range(n):
        case = _case(i)
        if i % 50 == 13:
            items.append({"case_id": f"BAD{i}", "mappa": {"level": 9}})
        elif i % 3 == 1:
            items.append(json.dumps(case))
        else:
            items.append(case)
    return items


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of the default pack, so every process here reads the same policy."""
    target = tmp_path_factory.mktemp("pack") / "england-wales"
    shutil.copytree(default_pack_path(), target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return target


@pytest.fixture(scope="module")
def pack(pack_dir: Path) -> Pack:
    return load_pack(pack_dir)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes, one thread each. A task on a worker that dies is given up
    at once (allowed-failures 0), so the crash test does not wait for retries."""
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        scale._local_cluster(distributed, 2) as local,
    ):
        yield local


def _in_process(items: list[Any], pack: Pack) -> list[BatchResult]:
    return list(evaluate_many(items, AS_OF, pack))


def test_a_jsonl_caseload_on_a_fresh_local_cluster_matches_the_in_process_batch(
    tmp_path: Path, pack_dir: Path, pack: Pack
) -> None:
    lines = [json.dumps(c) if isinstance(c, dict) else c for c in _caseload(300)]
    lines[40] = "{not json"
    path = tmp_path / "caseload.jsonl"
    path.write_text("\n".join(lines[:150]) + "\n\n   \n" + "\n".join(lines[150:]) + "\n")

    results = evaluate_bag(path, AS_OF, pack_dir, workers=2, partitions=7)

    assert results == _in_process(lines, pack)
    assert [r.index for r in results] == list(range(300))
    statuses = [r.status for r in results]
    assert statuses.count("case_error") == 7  # six invalid cases and one line that is not JSON
    assert results[40].status == "case_error" and results[40].case_id is None
    decided = [json.loads(r.decision) for r in results if r.decision is not None]
    assert {d["pack"]["digest"] for d in decided} == {pack.digest}
    codes = {a["code"] for d in decided for a in d["actions"]}
    assert {"CSC_ENQUIRY", "POLICE_DA_CHECK", "RISK_REVIEW"} <= codes


def test_an_iterable_caseload_via_a_scheduler_address_matches_the_in_process_batch(
    cluster: LocalCluster, pack_dir: Path, pack: Pack
) -> None:
    items = _caseload(240)
    results = evaluate_bag(items, AS_OF, pack_dir, scheduler=cluster.scheduler_address)
    assert results == _in_process(items, pack)
    assert sum(r.ok for r in results) == 235


def test_a_worker_killed_by_a_native_crash_costs_exactly_that_case(
    cluster: LocalCluster, pack_dir: Path, pack: Pack
) -> None:
    items = _caseload(60)
    items[17] = {"case_id": "CRASH"}
    results = evaluate_bag(
        items,
        AS_OF,
        pack_dir,
        scheduler=cluster.scheduler_address,
        partitions=4,
        _evaluator="crashy:evaluate",
    )
    assert len(results) == 60
    lost = [(r.index, r.case_id, r.status) for r in results if r.status == "crash"]
    assert lost == [(17, "CRASH", "crash")]
    expected = _in_process(items, pack)
    assert [r for r in results if r.index != 17] == [r for r in expected if r.index != 17]


def test_an_empty_caseload_gives_no_results_without_a_cluster(
    tmp_path: Path, pack_dir: Path
) -> None:
    nowhere = "tcp://127.0.0.1:9"  # nothing listens there: connecting would fail
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert evaluate_bag([], AS_OF, pack_dir, scheduler=nowhere) == []
    assert evaluate_bag(empty, AS_OF, pack_dir, scheduler=nowhere) == []


def test_pack_files_hold_every_pack_file_and_nothing_hidden(pack_dir: Path, pack: Pack) -> None:
    (pack_dir / ".editor-swap").write_text("x")
    try:
        files = pack_files(pack_dir)
    finally:
        (pack_dir / ".editor-swap").unlink()
    assert "pack.yaml" in files and "actions.yaml" in files
    assert any(name.startswith("rules/") for name in files)
    assert ".editor-swap" not in files
    assert files["pack.yaml"] == (pack_dir / "pack.yaml").read_bytes()
    with pytest.raises(FileNotFoundError, match="not a pack folder"):
        pack_files(pack_dir / "rules")


def test_bad_arguments_are_refused_before_any_cluster_starts() -> None:
    with pytest.raises(TypeError, match=r"datetime\.date"):
        evaluate_bag([], "2026-11-23")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1"):
        evaluate_bag([], AS_OF, partitions=0)


@pytest.mark.parametrize(
    ("option", "value"), [("timeout", math.nan), ("timeout", 0), ("workers", 0), ("workers", -3)]
)
def test_a_bad_timeout_or_worker_count_is_refused_before_any_cluster_starts(
    option: str, value: float
) -> None:
    nowhere = "tcp://127.0.0.1:9"  # nothing listens there: connecting would fail otherwise
    for scheduler in (None, nowhere):
        with pytest.raises(ArgumentValueError, match=f"{option} must be"):
            evaluate_bag(_caseload(2), AS_OF, scheduler=scheduler, **{option: value})


def test_without_dask_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_distributed(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "distributed":
            raise ImportError("No module named 'distributed'", name="distributed")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    with pytest.raises(ImportError, match=r"riskreview\[dask\]") as info:
        evaluate_bag([], AS_OF)
    assert "distributed" in str(info.value)


@contextlib.contextmanager
def _port_taken(port: int) -> Iterator[None]:
    """Port ``port`` of 127.0.0.1 held for the block (already held by another process
    is as good)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        try:
            holder.bind(("127.0.0.1", port))
            holder.listen()
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
        yield


def test_a_fresh_local_cluster_runs_while_port_8787_is_taken(
    pack_dir: Path, pack: Pack
) -> None:
    items = _caseload(20)
    with _port_taken(8787):  # Dask's dashboard port: a warning, an error here, if wanted
        results = evaluate_bag(items, AS_OF, pack_dir, workers=1)
    assert results == _in_process(items, pack)


def _get(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_cluster_listens_on_this_machine_on_free_ports_with_the_dashboard_off(
    cluster: LocalCluster,
) -> None:
    scheduler = cluster.scheduler
    assert scheduler.address.startswith("tcp://127.0.0.1:")
    assert scheduler.port != 8786
    http = scheduler.http_server.port
    assert http != 8787
    assert _get(http, "/health") == 200  # the scheduler's HTTP server is up...
    assert _get(http, "/status") == 404  # ...without the dashboard
