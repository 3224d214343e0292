"""Derived values computed values first agree with the full computation.

The values stage computes each derived value with a function compiled for it
(:mod:`riskreview._derive_fast`), which gives up on anything but a plainly known
value, and builds a value's full result only when something reads it. Here, on
generated cases of every pack that declares derived values, the values so written
(with whether each has one) and every result built from them are compared with the
full computation of every value in order; and each compiled function is seen to
give its value on some case, so one that always gave up would be caught too.
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from _property_support import dated_case_dicts, examples
from hypothesis import given, settings

import riskreview
from riskreview import _derive_fast, _runtime, _values
from riskreview.errors import EngineError
from riskreview.pack import load_pack

ROOT = Path(__file__).resolve().parents[2]
PACKS = {
    "default": ROOT / "rules" / "england-wales",
    "scored": ROOT / "tests" / "fixtures" / "packs" / "scored",
    "tiering": ROOT / "examples" / "packs" / "tiering",
    "hmpps-tier": ROOT / "examples" / "packs" / "hmpps-tier",
}


@functools.cache
def pack_named(name: str) -> riskreview.Pack:
    return load_pack(PACKS[name])


def _in_full(pack: riskreview.Pack, case: riskreview.Case, as_of: date) -> tuple[Any, Any]:
    """Every derived value of ``case`` computed in full, in order: (values by path,
    results by name)."""
    rt = _runtime.runtime(pack, pack.epoch(as_of))
    steps = _derive_fast.in_full(pack.derived)
    vals = _values.values(pack, case, as_of, rt.calendar, rt.conditions, steps)
    return vals.extras, dict(vals.derived)


@pytest.mark.parametrize("name", list(PACKS))
def test_values_first_agree_with_the_full_computation(name: str) -> None:
    pack = pack_named(name)
    assert pack.derived, f"the {name} pack declares no derived value"
    fast: Counter[str] = Counter()
    cases: list[int] = []

    def counted(name: str, f: _derive_fast.Fast) -> _derive_fast.Fast:
        def answer(x: dict[str, Any], ref: Any) -> Any:
            v = f(x, ref)
            if v is not _derive_fast.SLOW:
                fast[name] += 1
            return v

        return answer

    # results computed in full are kept by the values they read, as the runtime keeps
    # them: a result kept for one generated case must be right for the next
    steps = _derive_fast.Plan(
        [(d, None if f is None else counted(d.name, f)) for d, f in rt_plan(pack)],
        remember=True,
    )

    @settings(max_examples=examples(300), deadline=None)
    @given(dated_case_dicts(pack=pack))
    def agree(dated: tuple[dict[str, Any], date]) -> None:
        data, as_of = dated
        case = riskreview.Case.from_dict(data, pack=pack)
        rt = _runtime.runtime(pack, pack.epoch(as_of))
        vals = _values.values(pack, case, as_of, rt.calendar, rt.conditions, steps)
        extras, results = _in_full(pack, case, as_of)
        assert vals.extras == extras
        assert dict(vals.derived) == results
        cases.append(1)

    agree()
    assert cases
    compiled = [d.name for d, f in steps if f is not None]
    never = [n for n in compiled if not fast[n]]
    assert not never, f"these values were never computed values first: {never}"


def rt_plan(pack: riskreview.Pack) -> _derive_fast.Plan:
    return _runtime.runtime(pack, pack.change_dates[0]).derived


def test_a_reported_value_is_computed_in_full_and_the_rest_values_first() -> None:
    """On a case whose every fact is known, only the reported values (whose
    explanation every decision shows), the operations never compiled (arithmetic on
    exact decimals, joined labels) and the values known to have none hold a result
    after the values stage: the rest make one only when it is read."""
    pack = pack_named("hmpps-tier")
    case, as_of = _known_hmpps_case()
    rt = _runtime.runtime(pack, pack.epoch(as_of))
    for d, f in rt.derived:
        assert (f is None) == (d.reported or d.op not in _derive_fast._MAKERS), d.name
    vals = _values.values(pack, case, as_of, rt.calendar, rt.conditions, rt.derived)
    in_full = vals.derived.computed_in_full()  # type: ignore[attr-defined]
    assert set(in_full) == {d.name for d, f in rt.derived if f is None}
    assert len(in_full) < len(pack.derived) / 2
    # reading one builds its result, the full computation's own
    first = next(d.name for d, f in rt.derived if f is not None)
    assert first not in in_full
    assert vals.derived[first] == _in_full(pack, case, as_of)[1][first]
    assert first in vals.derived.computed_in_full()  # type: ignore[attr-defined]


def _hmpps_cases() -> Any:
    """The HMPPS tiering benchmark's case maker: realistic answers, registrations and
    scores, most of them known."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from hmpps_tier import AS_OF, hmpps_case
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return AS_OF, hmpps_case


def test_values_first_agree_on_realistic_hmpps_cases() -> None:
    """The benchmark's cases, realistic where generated ones are sparse: every value
    known to the compiled functions agrees, and most are so computed."""
    pack = pack_named("hmpps-tier")
    as_of, make = _hmpps_cases()
    rt = _runtime.runtime(pack, pack.epoch(as_of))
    in_full = 0
    for i in range(300):
        case = riskreview.Case.from_dict(make(11, i), pack=pack)
        vals = _values.values(pack, case, as_of, rt.calendar, rt.conditions, rt.derived)
        in_full += len(vals.derived.computed_in_full())  # type: ignore[attr-defined]
        extras, results = _in_full(pack, case, as_of)
        assert vals.extras == extras
        assert dict(vals.derived) == results
    assert in_full < 300 * len(pack.derived) / 2


def _known_hmpps_case() -> tuple[riskreview.Case, date]:
    AS_OF, hmpps_case = _hmpps_cases()
    pack = pack_named("hmpps-tier")
    for i in range(200):
        case = riskreview.Case.from_dict(hmpps_case(5, i), pack=pack)
        rt = _runtime.runtime(pack, pack.epoch(AS_OF))
        vals = _values.values(pack, case, AS_OF, rt.calendar, rt.conditions, rt.derived)
        if all(v is not None or r.absent
               for r, v in ((vals.derived[n], vals.extras[f"derived.{n}"]) for n in vals.derived)):
            return case, AS_OF
    raise AssertionError("no generated HMPPS case has every derived value known")


@pytest.mark.parametrize(
    ("name", "wrong", "said"),
    [
        ("ete_score", lambda v: v + 1, r"\d+ against \d+"),
        ("ete_score", lambda v: _derive_fast.ABSENT, "no value against"),
        ("ete_score", lambda v: _derive_fast.UNKNOWN, "unknown against"),
        ("rosh_points", lambda v: 7, "7 against"),
    ],
)
def test_a_compiled_value_that_disagrees_with_the_full_computation_fails_when_read(
    name: str, wrong: Any, said: str
) -> None:
    """The agreement check can fail: a compiled function that gives a wrong value, or
    says a known value has none or is unknown, is caught when its result is made (a
    value computed in full reads it, or something reads it), as an EngineError naming
    the value."""
    pack = pack_named("hmpps-tier")
    case, as_of = _known_hmpps_case()
    steps = [(d, (lambda x, ref, f=f: wrong(f(x, ref))) if d.name == name else f)
             for d, f in _derive_fast.plan(pack.derived)]
    rt = _runtime.runtime(pack, pack.epoch(as_of))
    with pytest.raises(EngineError, match=rf"derived\.{name} computed two ways disagrees: {said}"):
        # caught when a value computed in full reads it, or else when it is read
        _values.values(pack, case, as_of, rt.calendar, rt.conditions, steps).derived[name]
