"""The engine boundary: a case the engine cannot take whole, forks, and packs that come and go.

Each test here failed before the engine layer accounted for every fact, re-created
its locks in a forked child and freed its native ruleset with its pack.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import threading
import time
import weakref
from datetime import date
from typing import Any

import orjson
import pytest

import riskreview
from riskreview import CaseError, EngineError, _engine, _match, _runtime
from riskreview._envelope import MAX_FACT_BYTES
from riskreview.case import Case
from riskreview.pack import default_pack_path
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.fixture(scope="module")
def rt() -> Any:
    pack = riskreview.default_pack()
    return _runtime.runtime(pack, pack.epoch(AS_OF))


def _inflated(rt: Any, target_bytes: int) -> list[dict[str, Any]]:
    """A case's facts with one list grown until its fact is about ``target_bytes``."""
    case = Case.from_dict({"case_id": "BIG", "household": {"children": [{}]}})
    facts = rt.builder.build(case, AS_OF, "", _match.tag())
    lists = [(i, k) for i, f in enumerate(facts) for k, v in f.items() if isinstance(v, list)]
    assert lists, "some lane carries the children as a list"
    index, key = lists[0]
    item = facts[index][key][0]
    facts[index][key] = [item] * (target_bytes // (len(orjson.dumps(item)) + 1) + 1)
    return facts


@pytest.mark.parametrize("size", [MAX_FACT_BYTES + 64, 25_000_000], ids=["just-over", "25MB"])
def test_a_fact_larger_than_the_engine_holds_is_refused_before_it_reaches_the_engine(
    rt: Any, size: int
) -> None:
    """Measured: durable-rules dropped a ~20 MB fact without a word (98,690 empty
    children were decided with no actions, status ok) and crashed the process on a
    19.8 MB one. Such a fact must never reach it."""
    facts = _inflated(rt, size)
    with pytest.raises(EngineError, match=r"too large for the engine.*\(case BIG\)"):
        rt.engine.run(facts, case_id="BIG")
    assert rt.engine.stored_facts() == []


def test_a_fact_just_under_the_bound_is_decided(rt: Any) -> None:
    facts = _inflated(rt, MAX_FACT_BYTES - 4096)
    matches = rt.engine.run(facts, case_id="BIG")
    assert sorted(m for m in matches if m[0].startswith("k")) == sorted(
        (f"k{f['l']}", f["v"]) for f in facts
    )


def test_a_fact_the_engine_did_not_match_is_an_engine_error(
    rt: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The accounting, independent of size: the engine's answer loses one fact's
    catch-all match (as it did for the dropped facts), and the run fails."""
    real = _engine._match
    lost = {"done": False}

    def lose_one_catch_all(message: str) -> tuple[str, int]:
        name, variant = real(message)
        if name.startswith("k") and not lost["done"]:
            lost["done"] = True
            return "r999999", variant  # the catch-all's match reads as some other rule's
        return name, variant

    monkeypatch.setattr(_engine, "_match", lose_one_catch_all)
    case = Case.from_dict({"case_id": "LOST"})
    facts = rt.builder.build(case, AS_OF, "", _match.tag())  # two a lane: definite, possible
    assert len(facts) >= 2
    with pytest.raises(EngineError, match=rf"1 of {len(facts)} not matched.*\(case LOST\)"):
        rt.engine.run(facts, case_id="LOST")
    assert lost["done"]
    assert rt.engine.stored_facts() == []


def test_the_same_run_without_the_inflated_fact_accounts_for_every_fact(rt: Any) -> None:
    case = Case.from_dict({"case_id": "OK", "household": {"children": [{}] * 50}})
    facts = rt.builder.build(case, AS_OF, "", _match.tag())
    matches = rt.engine.run(facts, case_id="OK")
    catch_alls = sorted(m for m in matches if m[0].startswith("k"))
    assert catch_alls == sorted((f"k{f['l']}", f["v"]) for f in facts)


@pytest.mark.parametrize(
    "case",
    [
        {"case_id": "K1", "household": {"children": [{}] * 100_000}},
        {"case_id": "K2", "events": [{"type": "arrest", "date": "2026-01-01"}] * 200_000},
    ],
    ids=["100k-children", "200k-events"],
)
def test_a_case_too_large_for_the_engine_is_refused_never_decided_empty(
    case: dict[str, Any],
) -> None:
    """Through the public API: a CaseError naming the limit (validation) or an
    EngineError (the engine's own accounting), never a quiet Decision."""
    with pytest.raises((CaseError, EngineError)) as caught:
        riskreview.evaluate(case, as_of=AS_OF)
    assert case["case_id"] in str(caught.value)


def test_an_interrupted_evaluation_is_the_callers_interrupt() -> None:
    pack = riskreview.default_pack()
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    real = rt.builder.build

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    rt.builder.build = interrupted  # type: ignore[method-assign]
    try:
        with pytest.raises(KeyboardInterrupt):
            riskreview.evaluate({"case_id": "I"}, as_of=AS_OF)
    finally:
        rt.builder.build = real  # type: ignore[method-assign]


def _child_evaluates(deadline: float) -> None:
    """In a forked child: evaluate once and exit 0, or exit 1 on any error. An alarm
    turns a hang on an inherited lock into a distinct exit code."""
    signal.alarm(int(deadline))
    try:
        decision = riskreview.evaluate(
            {"case_id": "F", "household": {"children_in_contact": True}}, as_of=AS_OF
        )
        os._exit(0 if decision.actions else 1)
    except BaseException:
        os._exit(1)


def test_a_child_forked_while_another_thread_evaluates_can_evaluate() -> None:
    """Measured before: 18 of 20 such children hung forever on the engine lock."""
    riskreview.evaluate({"case_id": "warm"}, as_of=AS_OF)
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            riskreview.evaluate(
                {"case_id": "B", "household": {"children": [{}] * 200}}, as_of=AS_OF
            )

    thread = threading.Thread(target=busy, daemon=True)
    thread.start()
    outcomes = []
    try:
        for _ in range(20):
            time.sleep(0.003)
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                _child_evaluates(deadline=20)
            _, status = os.waitpid(pid, 0)
            outcomes.append("hung" if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
    finally:
        stop.set()
        thread.join()
    assert outcomes == [0] * 20


def test_a_forked_child_retires_an_engine_its_parent_held_mid_run() -> None:
    pack = riskreview.load_pack(default_pack_path())
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    with rt.engine._lock:  # as a parent thread inside run() would
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            signal.alarm(20)
            fresh = _runtime.runtime(pack, pack.epoch(AS_OF))
            ok = (not rt.engine.usable) and fresh.engine is not rt.engine
            ok = ok and bool(riskreview.evaluate({"case_id": "C"}, as_of=AS_OF, pack=pack))
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert rt.engine.usable, "the parent's own engine stays in service"


def test_a_dropped_pack_takes_its_runtimes_and_engines_with_it() -> None:
    pack = riskreview.load_pack(default_pack_path())
    riskreview.evaluate({"case_id": "D"}, as_of=AS_OF, pack=pack)
    assert _runtime.cached_runtimes(pack) == len(pack.change_dates)
    engines = [weakref.ref(_runtime.runtime(pack, epoch).engine) for epoch in pack.change_dates]
    gone = weakref.ref(pack)
    del pack
    gc.collect()
    assert gone() is None
    assert all(engine() is None for engine in engines)


def test_loading_a_pack_many_times_does_not_grow_memory() -> None:
    """Measured before: 200 loads took resident memory from 51 to 1,766 MiB (about
    9 MiB of native ruleset per load, never freed)."""
    for _ in range(3):  # warm up allocator pools and import-time caches
        riskreview.evaluate(
            {"case_id": "W"}, as_of=AS_OF, pack=riskreview.load_pack(default_pack_path())
        )
    gc.collect()
    before = _rss_mib()
    engines = len(_engine._ENGINES)  # other tests' packs (module caches) hold their own
    for _ in range(30):
        pack = riskreview.load_pack(default_pack_path())
        riskreview.evaluate({"case_id": "M"}, as_of=AS_OF, pack=pack)
        del pack
        gc.collect()
    grown = _rss_mib() - before
    assert grown < 60, f"30 loads grew resident memory by {grown:.0f} MiB (about 280 before)"
    # the loop's packs are gone with their engines: at most one pack's worth remains
    kept = len(_engine._ENGINES) - engines
    assert kept <= 2 * len(riskreview.default_pack().change_dates) + 2


def test_a_pack_the_engine_refuses_only_as_a_whole_names_its_size_and_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Measured before: ~4,050 identical rules gave "the engine rejected the pack for
    2024-01-01" with no file, rule or count. The engine is made to refuse any ruleset
    of more than a handful of rules, as durable-rules does (error 106) past ~4,000."""
    pack = riskreview.default_pack()
    real = _runtime.Engine

    def small_only(ruleset: dict[str, Any], names: dict[str, str]) -> Any:
        if len(ruleset) > 4:
            raise EngineError("Could not create ruleset, error code: 106")
        return real(ruleset, names)

    monkeypatch.setattr(_runtime, "Engine", small_only)
    with pytest.raises(riskreview.PackError) as caught:
        riskreview.load_pack(default_pack_path())
    text = str(caught.value)
    assert f"the {len(pack.rules)} rules in force from {pack.effective_from}" in text
    assert "though it accepts each alone" in text
    assert "rules/" in text and ".yaml" in text


def test_reading_a_match_without_decoding_it_gives_what_decoding_gives(
    rt: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's action messages are read by position (the rule name first, the
    variant at the first ',"v":'); decoding each whole message must agree."""
    seen: list[str] = []
    real = _engine._match

    def spy(message: str) -> tuple[str, int]:
        seen.append(message)
        return real(message)

    monkeypatch.setattr(_engine, "_match", spy)
    for data in generate(30, seed=9, as_of=AS_OF):
        rt.engine.run(rt.builder.build(Case.from_dict(data), AS_OF, "", _match.tag()))
    assert len(seen) > 300
    for message in seen:
        ((name, body),) = json.loads(message).items()
        assert real(message) == (name, body["m"]["v"])
    # a message in another order is decoded, not misread
    odd = json.dumps({"r7": {"m": {"v": 1, "id": "x", "l": 0}}})
    assert real(odd) == ("r7", 1)
