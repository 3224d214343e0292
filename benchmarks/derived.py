"""What derived values cost: their share of evaluation on a pack that computes them.

Run: python benchmarks/derived.py [--cases 3000] [--pack tiering|hmpps-tier]

Evaluates N cases under the pack: for ``tiering`` (examples/packs/tiering, the
default), synthetic cases of the default pack with the tiering pack's inputs added;
for ``hmpps-tier`` (examples/packs/hmpps-tier, the HMPPS tiering policy), the
cases benchmarks/hmpps_tier.py generates. In the same run, interleaved 50 cases at a time, times
the stages that read them alone: the values stage (``_values.values``: the
pack-declared inputs checked, then every derived value computed in dependency
order) and the inputs check alone, so that the derived computation is the
difference. Results a runtime keeps by the values they read (reported values of
plain scores: ``_derive_fast.Remembered``) are put back before each pass to what
the blocks before left, so that every pass meets each case as the first did, with
the results kept from the cases before it (as a caseload run in order would), never
from the same case in an earlier pass; the share of kept results given again is
printed. Times are CPU time of this process (``time.process_time``). Prints µs
per case for evaluate(Case) and evaluate(dict), the derived computation and its
share of evaluate(Case) (goal: at most 15%), and writes
benchmarks/results/derived.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from datetime import date
from pathlib import Path
from typing import Any

from _results import save
from hmpps_tier import AS_OF as HMPPS_AS_OF
from hmpps_tier import PACK as HMPPS_TIER
from hmpps_tier import hmpps_case

import riskreview
from riskreview import _inputs, _runtime, _values
from riskreview.synthetic import generate

# --- riskreview's private names (they may still move; fix them here) ----------------


def values_stage(pack: Any, case: Any, rt: Any, as_of: date) -> Any:
    return _values.values(pack, case, as_of, rt.calendar, rt.conditions, rt.derived)


def inputs_alone(pack: Any, case: Any) -> Any:
    return _inputs.read_inputs(pack.inputs, case.inputs, case.case_id)


def runtime_of(pack: Any, as_of: date) -> Any:
    return _runtime.runtime(pack, pack.epoch(as_of))


def kept_state(rt: Any) -> dict[str, Any]:
    """What the runtime keeps of results computed in full (_derive_fast.Remembered)."""
    return {name: (dict(m._kept), m.asked, m.computed)
            for name, m in rt.derived.remembered.items()}


def restore(rt: Any, state: dict[str, Any]) -> None:
    for name, (kept, asked, computed) in state.items():
        m = rt.derived.remembered[name]
        m._kept.clear()
        m._kept.update(kept)
        m.asked, m.computed = asked, computed


def kept_counts(rt: Any) -> tuple[int, int, int]:
    """(values kept by what they read, results asked for, of which computed)."""
    memos = rt.derived.remembered.values()
    return len(memos), sum(m.asked for m in memos), sum(m.computed for m in memos)


# -------------------------------------------------------------------------------------

AS_OF = date(2026, 11, 23)
TIERING = Path(__file__).resolve().parents[1] / "examples" / "packs" / "tiering"
FLAGS = ["mental_health", "learning_disability", "substance_misuse", "homelessness",
         "care_leaver", "young_adult"]
CHUNK = 50
GOAL_SHARE = 0.15
clock = time.process_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--pack", choices=("tiering", "hmpps-tier"), default="tiering")
    args = parser.parse_args()
    load_start = os.getloadavg()
    if args.pack == "tiering":
        as_of = AS_OF
        pack = riskreview.load_pack(TIERING)
        rng = random.Random(5)
        data = []
        for raw in generate(args.cases, seed=5, as_of=as_of):
            raw["inputs"] = {"ogrs_score": rng.randint(0, 99), "rsr_score": rng.randint(0, 99),
                             "complexity_flags": rng.sample(FLAGS, rng.randint(0, 4))}
            data.append(raw)
    else:
        as_of = HMPPS_AS_OF
        pack = riskreview.load_pack(HMPPS_TIER)
        data = [hmpps_case(5, i) for i in range(args.cases)]
    cases = [riskreview.Case.from_dict(raw, pack=pack) for raw in data]
    rt = runtime_of(pack, as_of)
    for case, raw in zip(cases[:20], data[:20], strict=True):  # warm-up
        riskreview.evaluate(case, as_of=as_of, pack=pack)
        riskreview.evaluate(raw, as_of=as_of, pack=pack)
    restore(rt, {name: ({}, 0, 0) for name in rt.derived.remembered})  # met first below
    spent = dict.fromkeys(("case", "dict", "values", "inputs"), 0.0)
    for start in range(0, len(cases), CHUNK):
        block = range(start, min(len(cases), start + CHUNK))
        # each pass meets the block's cases as the first met them: with the results
        # kept from the blocks before, not from the same cases in an earlier pass
        before = kept_state(rt)
        t0 = clock()
        for i in block:
            riskreview.evaluate(cases[i], as_of=as_of, pack=pack)
        t1 = clock()
        after = kept_state(rt)
        restore(rt, before)
        t1b = clock()
        for i in block:
            riskreview.evaluate(data[i], as_of=as_of, pack=pack)
        t2 = clock()
        restore(rt, before)
        t2b = clock()
        for i in block:
            values_stage(pack, cases[i], rt, as_of)
        t3 = clock()
        for i in block:
            inputs_alone(pack, cases[i])
        t4 = clock()
        restore(rt, after)
        spent["case"] += t1 - t0
        spent["dict"] += t2 - t1b
        spent["values"] += t3 - t2b
        spent["inputs"] += t4 - t3
    n = len(cases)
    kept, asked, computed = kept_counts(rt)
    us = {key: seconds / n * 1e6 for key, seconds in spent.items()}
    derived = us["values"] - us["inputs"]
    share = derived / us["case"]
    figures = {
        "pack": args.pack,
        "cases": n,
        "as_of": as_of.isoformat(),
        "clock": "time.process_time: CPU time of this process",
        "derived_values": len(pack.derived),
        "evaluate_case_microseconds_per_case": round(us["case"], 1),
        "evaluate_dict_microseconds_per_case": round(us["dict"], 1),
        "values_stage_microseconds_per_case": round(us["values"], 1),
        "inputs_check_microseconds_per_case": round(us["inputs"], 1),
        "derived_microseconds_per_case": round(derived, 1),
        "derived_share_percent": round(share * 100, 1),
        "derived_share_of_dict_percent": round(derived / us["dict"] * 100, 1),
        "goal_share_percent": GOAL_SHARE * 100,
        "values_kept_by_what_they_read": kept,
        "kept_results_asked": asked,
        "kept_results_computed": computed,
        "cases_per_second_with_derived": round(1e6 / us["case"], 1),
        "cases_per_second_without_derived": round(1e6 / (us["case"] - derived), 1),
        "load_average": {"start": load_start, "end": os.getloadavg()},
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    la = figures["load_average"]
    print(f"derived values: {len(pack.derived)} in the {args.pack} pack; {n:,} cases, "
          f"as_of {as_of}")
    print(f"CPU time per case ({figures['clock']}); passes interleaved {CHUNK} cases at a time")
    print(f"load average (1/5/15 min): {' '.join(f'{x:.2f}' for x in la['start'])} at start, "
          f"{' '.join(f'{x:.2f}' for x in la['end'])} at end ({os.cpu_count()} CPUs)")
    print()
    print(f"  evaluate(Case)                    {us['case']:>9,.0f} µs per case "
          f"({figures['cases_per_second_with_derived']:,.0f} cases/s)")
    print(f"  evaluate(dict)                    {us['dict']:>9,.0f} µs per case")
    print(f"  values stage (inputs + derived)   {us['values']:>9,.1f} µs per case")
    print(f"    of which the inputs check       {us['inputs']:>9,.1f} µs per case")
    print(f"    derived computation             {derived:>9,.1f} µs per case")
    print(f"  derived share of evaluate(Case)   {share:>9.1%}   goal ≤ {GOAL_SHARE:.0%}: "
          f"{'met' if share <= GOAL_SHARE else 'NOT met'} "
          f"(of evaluate(dict): {figures['derived_share_of_dict_percent']}%)")
    if kept:
        print(f"  results kept by what they read    {kept} values: {asked:,} asked for, "
              f"{asked - computed:,} given again "
              f"({(asked - computed) / max(asked, 1):.0%}), {computed:,} computed")
    without = figures["cases_per_second_without_derived"]
    print(f"  evaluate(Case) without derived    {without:>9,.0f} cases/s (same run)")
    save(figures, Path("derived.json" if args.pack == "tiering" else "derived_hmpps_tier.json"))


if __name__ == "__main__":
    main()
