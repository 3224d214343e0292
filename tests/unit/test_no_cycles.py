"""An evaluation leaves no reference cycles behind.

What a decision's work builds (the case's values, facts, results, the lazily made
derived results and their explanations) is freed by reference counting the moment
the call returns. Anything caught in a cycle waits for the cyclic collector, whose
full collections are the multi-millisecond pauses the latency goal rules out; and
garbage that waits for it grows a batch's memory between collections.
"""

from __future__ import annotations

import gc
import sys
import weakref
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import riskreview
from riskreview._vocab import is_ordered
from riskreview.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 23)


def _hmpps() -> tuple[riskreview.Pack, list[riskreview.Case], date]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from hmpps_tier import AS_OF as HMPPS_AS_OF
        from hmpps_tier import hmpps_case
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    pack = riskreview.load_pack(ROOT / "examples" / "packs" / "hmpps-tier")
    return pack, [riskreview.Case.from_dict(hmpps_case(3, i), pack=pack) for i in range(60)], (
        HMPPS_AS_OF
    )


def _default() -> tuple[riskreview.Pack, list[riskreview.Case], date]:
    cases = [riskreview.Case.from_dict(d) for d in generate(60, seed=8, as_of=AS_OF)]
    return riskreview.default_pack(), cases, AS_OF


@pytest.fixture
def collector_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()


@pytest.mark.parametrize("which", ["default", "hmpps-tier"])
@pytest.mark.parametrize("trace", [False, True])
def test_an_evaluation_leaves_no_reference_cycles(
    which: str, trace: bool, collector_paused: None
) -> None:
    pack, cases, as_of = _default() if which == "default" else _hmpps()
    for case in cases[:5]:  # caches of the policy period built first
        riskreview.evaluate(case, pack=pack, as_of=as_of, trace=trace)
    gc.collect()  # what loading and warming up left, freed
    gc.set_debug(gc.DEBUG_SAVEALL)  # from here, what a collection finds is kept to show
    for case in cases:
        decision = riskreview.evaluate(case, pack=pack, as_of=as_of, trace=trace)
        decision.to_json()
    found = gc.collect()
    kinds: Counter[Any] = Counter(type(o).__name__ for o in gc.garbage)
    assert found == 0, f"{found} objects in reference cycles: {kinds.most_common(6)}"


def test_a_packs_vocabularies_go_with_the_pack() -> None:
    """A pack's label vocabularies (enums made when it loads, ordered ones ranked) are
    held by nothing but the pack: a process that loads its packs again and again (a
    server reloading its policy) does not keep every one it ever loaded."""
    pack = riskreview.load_pack(ROOT / "examples" / "packs" / "hmpps-tier")
    enums = [d.enum for d in pack.derived if d.enum is not None]
    assert any(is_ordered(e) for e in enums)  # ranked ones among them
    held = [weakref.ref(e) for e in enums]
    del pack, enums
    gc.collect()
    assert [r for r in held if r() is not None] == []
