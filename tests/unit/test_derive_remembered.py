"""Full results kept by the values they read (``_derive_fast.Remembered``).

A derived value that reads only plain inputs and derived values (flags, numbers,
labels) is a function of them: its full result, explanation and all, is kept under
those values (with their types) and given again to the next case that has them. These
tests hold which values are kept, that a kept result is the full computation's for
the case at hand, how a value read unknown keys it (by what it waits on), that an
input both read and asked for never keys one when unknown, and that the store is
bounded. The differential tests (tests/properties/test_derived_fast.py) run every
pack's generated cases through kept results as well.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import riskreview
from riskreview import _derive_fast, _runtime, _values

ROOT = Path(__file__).resolve().parents[2]
HMPPS_TIER = ROOT / "examples" / "packs" / "hmpps-tier"


def _maker() -> Any:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from hmpps_tier import AS_OF, hmpps_case
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return AS_OF, hmpps_case


def _setup() -> tuple[riskreview.Pack, Any, Any, Any]:
    as_of, make = _maker()
    pack = riskreview.load_pack(HMPPS_TIER)  # a fresh pack: nothing kept yet
    return pack, _runtime.runtime(pack, pack.epoch(as_of)), as_of, make


def test_only_values_of_plain_inputs_and_derived_values_are_kept() -> None:
    pack, rt, _, _ = _setup()
    kept = rt.derived.remembered
    reported = {d.name for d in pack.derived if d.reported}
    # tier_score joins an S when a registration (a list) is PRC: the list is the case's
    assert reported - {"tier_score"} <= set(kept)
    assert "tier_score" not in kept
    listed = {d.name for d in pack.derived
              if d.op in ("count", "any", "all", "none", "latest", "earliest")}
    assert len(listed) > 20 and not listed & set(kept)
    # the values compiled from plain values too: their result is kept when read
    assert {"accommodation_need", "accommodation_score", "mappa_rosh_step"} <= set(kept)
    assert kept["needs_points"].paths == tuple(sorted(
        f"derived.{s}_need" for s in ("accommodation", "ete", "relationships", "lifestyle",
                                      "drugs", "alcohol", "thinking", "attitudes")))
    # the tier asks only whether the predictors are there: any scores will do
    assert kept["tier"].paths == ("derived.highest_step", "inputs.has_active_event")
    assert kept["tier"].present == ("inputs.arp_score", "inputs.csrp_score")
    # the oracle keeps nothing
    assert _derive_fast.in_full(pack.derived).remembered == {}


def test_a_kept_result_is_the_full_computation_of_each_case_that_reads_it() -> None:
    pack, rt, as_of, make = _setup()
    memo = rt.derived.remembered["needs_points"]
    full = _derive_fast.in_full(pack.derived)
    seen: dict[Any, Any] = {}
    shared = 0
    for i in range(400):
        case = riskreview.Case.from_dict(make(23, i), pack=pack)
        vals = _values.values(pack, case, as_of, rt.calendar, rt.conditions, rt.derived)
        oracle = _values.values(pack, case, as_of, rt.calendar, rt.conditions, full)
        assert dict(vals.derived) == dict(oracle.derived)
        key = tuple(vals.extras[p] for p in memo.paths)
        if None in key:
            continue
        result = vals.derived["needs_points"]
        if key in seen:
            assert result is seen[key]  # given again, not computed again
            shared += 1
        seen[key] = result
    assert shared > 100
    # results are kept by unknown values too (by what those wait on)
    assert memo.asked > memo.computed == len(memo) > len(seen)


def test_a_value_read_unknown_keeps_a_result_by_what_it_waits_on() -> None:
    """With no answers every section's need is unknown, waiting on the answers: the
    needs points are kept by that, and a second such case is given the same result;
    a case whose answers are there but whose SAN indicator is not waits on something
    else, and is not."""
    pack, rt, as_of, _ = _setup()
    memo = rt.derived.remembered["needs_points"]
    full = _derive_fast.in_full(pack.derived)
    made = []
    answers = [{"question": "currentUse", "answer": "YES"}]
    no_answers = {"san_indicator": False}
    for n, inputs in enumerate((no_answers, no_answers, {"answers": answers},
                                {"answers": answers})):
        case = riskreview.Case.from_dict({"case_id": f"R{n}", "inputs": inputs}, pack=pack)
        vals = _values.values(pack, case, as_of, rt.calendar, rt.conditions, rt.derived)
        oracle = _values.values(pack, case, as_of, rt.calendar, rt.conditions, full)
        assert dict(vals.derived) == dict(oracle.derived)
        assert vals.extras["derived.needs_points"] is None
        made.append(vals.derived["needs_points"])
    assert made[0].unknown == ("inputs.answers",)
    assert made[2].unknown == ("inputs.san_indicator",)
    assert made[1] is made[0] and made[3] is made[2] and made[2] is not made[0]
    assert (memo.asked, memo.computed) == (4, 2)


def test_an_input_both_read_and_asked_for_is_never_kept_by_when_unknown() -> None:
    """Whether an unknown input is "missing" depends on whether its record group is
    held, which the values read do not say: the sexual reoffending step asks whether
    the DC-SRP score is there and reads it, and is computed every time it is not."""
    pack, rt, as_of, _ = _setup()
    memo = rt.derived.remembered["sexual_reoffending_step"]
    assert "inputs.dcsrp_score" in memo._tested
    case = riskreview.Case.from_dict({"case_id": "S1", "inputs": {}}, pack=pack)
    for _ in range(2):
        vals = _values.values(pack, case, as_of, rt.calendar, rt.conditions, rt.derived)
        assert str(vals.derived["sexual_reoffending_step"].value) == "G"
    assert memo.asked == memo.computed == len(memo) == 0


def test_the_kept_results_are_let_go_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    pack, rt, as_of, make = _setup()
    monkeypatch.setattr(_derive_fast.Remembered, "LIMIT", 5)
    memo = rt.derived.remembered["needs_points"]
    full = _derive_fast.in_full(pack.derived)
    for i in range(200):
        case = riskreview.Case.from_dict(make(29, i), pack=pack)
        vals = _values.values(pack, case, as_of, rt.calendar, rt.conditions, rt.derived)
        oracle = _values.values(pack, case, as_of, rt.calendar, rt.conditions, full)
        assert dict(vals.derived) == dict(oracle.derived)
        assert len(memo) <= 5
    assert memo.computed > 5



def test_a_value_only_asked_to_be_there_is_kept_by_only_while_it_is() -> None:
    """The tier is kept by the highest step alone while the predictors are there
    (any scores give the same tier); without one it is MISSING, never the tier kept."""
    pack, rt, as_of, make = _setup()
    memo = rt.derived.remembered["tier"]
    base = next(d for d in (make(31, i) for i in range(200))
                if "arp_score" in d["inputs"] and d["inputs"].get("has_active_event", True))
    tiers = []
    for change in ({}, {"arp_score": 12.5}, {"arp_score": None}):
        data = dict(base, case_id=f"T{len(tiers)}", inputs=dict(base["inputs"], **change))
        if change.get("arp_score", 0) is None:
            del data["inputs"]["arp_score"]
        case = riskreview.Case.from_dict(data, pack=pack)
        vals = _values.values(pack, case, as_of, rt.calendar, rt.conditions, rt.derived)
        tiers.append(str(vals.extras["derived.tier"]))
    assert tiers[0] == tiers[1] != "MISSING"
    assert tiers[2] == "MISSING"
    assert (memo.asked, memo.computed) == (2, 1)  # the second given again; the third not asked
