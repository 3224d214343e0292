"""The differential check catches a bug planted in the compiler, and quickly.

Each test plants one fault in how rules are compiled for the engine (an
off-by-one comparison, a flipped side, a dropped test), compiles the default
pack with it, and runs engine and reference side by side over a synthetic
caseload. The fault must show as a divergence within the first few hundred
cases; the test prints how many cases it took.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

import riskreview
from riskreview import _compile, _match, _runtime
from riskreview._reference import Reference
from riskreview.pack import default_pack_path
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)
LIMIT = 300


def _off_by_one(t: _compile.Test, names: _compile.Names, prefix: str) -> dict[str, Any]:
    op = "$gt" if t.side == "ge" else "$lte"  # ">=" became ">"
    return {op: {prefix + names.side(t.prop, t.side): t.bound}}


def _flipped(t: _compile.Test, names: _compile.Names, prefix: str) -> dict[str, Any]:
    op = "$lte" if t.side == "ge" else "$gte"  # the two sides swapped
    return {op: {prefix + names.side(t.prop, t.side): t.bound}}


def _first_divergence(pack: riskreview.Pack) -> int | None:
    for n, raw in enumerate(generate(LIMIT, seed=11, as_of=AS_OF), start=1):
        case = riskreview.Case.from_dict(raw)
        rt = _runtime.runtime(pack, pack.epoch(AS_OF))
        engine = _match.match(rt, case, AS_OF)
        ref = Reference(case, AS_OF, pack.parameter, rt.calendar)
        for index, outcome in engine.items():
            truth = ref.evaluate(pack.rules[index].when).truth
            if outcome != {True: "fired", False: "not_fired", None: "undetermined"}[truth]:
                return n
    return None


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Any], riskreview.Pack]]:
    def plant(fault: Any) -> riskreview.Pack:
        monkeypatch.setattr(_compile, "_test_json", fault)
        return riskreview.load_pack(default_pack_path())

    yield plant


@pytest.mark.parametrize("fault", [_off_by_one, _flipped], ids=["off-by-one", "flipped"])
def test_a_planted_compiler_bug_is_caught_within_a_few_hundred_cases(
    planted: Callable[[Any], riskreview.Pack], fault: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _first_divergence(planted(fault))
    with capsys.disabled():
        print(f"\n  planted {fault.__name__}: first divergence at case {found}")
    assert found is not None and found <= LIMIT


def test_the_unplanted_compiler_shows_no_divergence() -> None:
    assert _first_divergence(riskreview.load_pack(default_pack_path())) is None
