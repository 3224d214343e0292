"""Compiled derived values on the edges the example packs seldom reach.

A copy of the HMPPS tiering pack gains values that read its registrations every
way a compiled function can: ``latest`` and ``earliest`` among records of equal
date (the first in the case's order wins), ``all`` and ``none`` over a ``where``
the index narrows (a record left out of the scan is false), distinct counts,
``max`` and ``min`` over values that may have none, lookups of a value that has
none, ``first_present``, an age and a span of days. Registrations are drawn from
three dates and a few codes, so ties, empty lists and missing fields are common;
each case's values are compared with the full computation.
"""

from __future__ import annotations

import functools
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview import _derive_fast, _runtime, _values

ROOT = Path(__file__).resolve().parents[2]
HMPPS_TIER = ROOT / "examples" / "packs" / "hmpps-tier"
AS_OF = date(2026, 9, 1)
EDGES = (ROOT / "tests" / "fixtures" / "derived_edges.yaml").read_text(encoding="utf-8")


@functools.cache
def edges_pack(root: str) -> riskreview.Pack:
    copy = Path(root) / "hmpps-edges"
    if not copy.exists():
        shutil.copytree(HMPPS_TIER, copy)
        (copy / "derived" / "edges.yaml").write_text(EDGES, encoding="utf-8")
    return riskreview.load_pack(copy)


registrations = st.lists(
    st.fixed_dictionaries(
        {"code": st.sampled_from(["MAPP", "ADVP", "RVHR", "SPO", "IIOM"])},
        optional={
            "date": st.sampled_from([date(2025, 1, 1), date(2025, 6, 1), date(2026, 1, 1)]),
            "level": st.sampled_from(["M1", "M2", "M3"]),
        },
    ),
    max_size=6,
)


def _in_full(pack: riskreview.Pack, case: riskreview.Case) -> tuple[Any, Any]:
    """Every derived value of ``case`` computed in full: (values by path, results)."""
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    steps = _derive_fast.in_full(pack.derived)
    vals = _values.values(pack, case, AS_OF, rt.calendar, rt.conditions, steps)
    return vals.extras, dict(vals.derived)


def test_the_edge_values_are_compiled(tmp_path_factory: Any) -> None:
    pack = edges_pack(str(tmp_path_factory.getbasetemp()))
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    declared = [line.split(":")[0].strip() for line in EDGES.splitlines()
                if line.startswith("  ") and not line.startswith(("   ", "  #"))]
    compiled = {d.name for d, f in rt.derived if f is not None}
    assert len(declared) == 28
    assert set(declared) <= compiled
    in_one_pass = {d.name for d, f in rt.derived if f is not None and f.__name__ == "counted"}
    assert {"mapp_m1", "mapp_or_rosh_high", "advp", "m1_mapp", "m2"} <= in_one_pass
    assert in_one_pass.isdisjoint(declared[:17])  # every other count of the list is not plain


def test_counts_in_one_pass_leave_what_they_cannot_decide_to_each_count(
    tmp_path_factory: Any,
) -> None:
    pack = edges_pack(str(tmp_path_factory.getbasetemp()))
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))

    def counts(*regs: dict[str, Any]) -> dict[str, Any]:
        case = riskreview.Case.from_dict(
            {"case_id": "E3", "inputs": {"registrations": list(regs)}}, pack=pack
        )
        extras = _values.values(pack, case, AS_OF, rt.calendar, rt.conditions, rt.derived).extras
        names = ("mapp_m1", "mapp_or_rosh_high", "advp", "m1_mapp", "m2")
        return {name: extras[f"derived.{name}"] for name in names}

    known = counts({"code": "MAPP", "level": "M1"}, {"code": "RVHR", "level": "M3"},
                   {"code": "ADVP"}, {"code": "MAPP", "level": "M2"}, {"code": "ADVP"})
    # an ADVP record has no level: whether it is at M2 cannot be decided
    assert known == {"mapp_m1": 1, "mapp_or_rosh_high": 2, "advp": 2, "m1_mapp": 1, "m2": None}
    # a MAPP record with no level: the counts that test its level cannot be decided
    unknown = counts({"code": "MAPP"}, {"code": "ADVP"}, {"code": "SPO", "level": "M1"})
    assert unknown == {"mapp_m1": None, "mapp_or_rosh_high": None, "advp": 1,
                       "m1_mapp": None, "m2": None}
    # an ADVP record with no level is no MAPP record at M1: the count keyed by level
    # gives up its pass and counts it itself
    given_up = counts({"code": "ADVP"}, {"code": "SPO", "level": "M1"})
    assert given_up == {"mapp_m1": 0, "mapp_or_rosh_high": 0, "advp": 1, "m1_mapp": 0,
                        "m2": None}


@settings(max_examples=400, deadline=None)
@given(
    registrations,
    st.one_of(st.none(), st.integers(0, 100)),
    st.one_of(st.none(), st.sampled_from([date(2026, 8, 1), date(2020, 2, 29)])),
)
def test_edge_values_agree_with_the_full_computation(
    tmp_path_factory: Any, regs: list[dict[str, Any]], ogrs: int | None, released: date | None
) -> None:
    pack = edges_pack(str(tmp_path_factory.getbasetemp()))
    inputs: dict[str, Any] = {"registrations": [
        {k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()} for r in regs
    ]}
    if ogrs is not None:
        inputs["ogrs_score"] = ogrs
    if released is not None:
        inputs["latest_release_date"] = released.isoformat()
    case = riskreview.Case.from_dict({"case_id": "E1", "inputs": inputs}, pack=pack)
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    vals = _values.values(pack, case, AS_OF, rt.calendar, rt.conditions, rt.derived)
    extras, results = _in_full(pack, case)
    assert vals.extras == extras
    assert dict(vals.derived) == results


def test_the_first_of_equal_dates_wins(tmp_path_factory: Any) -> None:
    pack = edges_pack(str(tmp_path_factory.getbasetemp()))
    day = "2026-01-01"
    case = riskreview.Case.from_dict({"case_id": "E2", "inputs": {"registrations": [
        {"code": "RVHR", "date": day}, {"code": "MAPP", "date": day, "level": "M2"},
        {"code": "MAPP", "date": day, "level": "M3"}, {"code": "SPO", "date": day},
    ]}}, pack=pack)
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    extras = _values.values(pack, case, AS_OF, rt.calendar, rt.conditions, rt.derived).extras
    assert str(extras["derived.latest_code"]) == "RVHR"
    assert str(extras["derived.earliest_code"]) == "RVHR"
    assert str(extras["derived.latest_level"]) == "M2"
    assert extras["derived.every_mapp"] is False  # two records left out of the scan
    assert extras["derived.no_advp"] is False


def test_whole_number_arithmetic_rounds_a_quotient_toward_zero(tmp_path_factory: Any) -> None:
    pack = edges_pack(str(tmp_path_factory.getbasetemp()))
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))

    def values(*regs: dict[str, Any]) -> dict[str, Any]:
        case = riskreview.Case.from_dict(
            {"case_id": "E4", "inputs": {"registrations": list(regs), "ogrs_score": 7}}, pack=pack
        )
        vals = _values.values(pack, case, AS_OF, rt.calendar, rt.conditions, rt.derived)
        names = ("codes_less_registrations", "halved", "per_code", "scaled")
        return {name: vals.extras[f"derived.{name}"] for name in names}

    mapp = {"code": "MAPP", "level": "M1"}
    # 1 code, 4 registrations: -3 halved is -1 (toward zero), not -2 (an int's floor)
    assert values(mapp, mapp, mapp, mapp) == {
        "codes_less_registrations": -3, "halved": -1, "per_code": 4, "scaled": 84}
    # no registration: a division by zero has no value, and is computed in full
    assert values() == {"codes_less_registrations": 0, "halved": 0, "per_code": None,
                        "scaled": 0}


def test_a_value_reading_a_date_keeps_no_result(tmp_path_factory: Any) -> None:
    """Kept results are keyed by flags, numbers and labels only: a value that reads a
    date (which may be personal) computes its result every time it is read."""
    pack = edges_pack(str(tmp_path_factory.getbasetemp()))
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    kept = rt.derived.remembered
    assert "released_on" not in kept
    assert {"codes_less_registrations", "halved", "per_code", "scaled"} <= set(kept)
