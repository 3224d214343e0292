"""What derived values cost: the example tiering pack, with and without computing them.

Run: python benchmarks/derived.py [--cases 3000]

Evaluates N synthetic cases (with the tiering pack's inputs added) under
examples/packs/tiering twice in the same run, interleaved in blocks: once in full,
and once timing the derived-value computation alone, so the share of evaluation
spent on scores, bands and grids is measured, not guessed. Prints cases/s with
derived values, the derived computation per case, and cases/s without it; writes
benchmarks/results/derived.json.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date
from pathlib import Path

from _results import save

import riskreview
from riskreview import _runtime, _values
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)
TIERING = Path(__file__).resolve().parents[1] / "examples" / "packs" / "tiering"
FLAGS = ["mental_health", "learning_disability", "substance_misuse", "homelessness",
         "care_leaver", "young_adult"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    args = parser.parse_args()
    pack = riskreview.load_pack(TIERING)
    rng = random.Random(5)
    cases = []
    for raw in generate(args.cases, seed=5, as_of=AS_OF):
        raw["inputs"] = {"ogrs_score": rng.randint(0, 99), "rsr_score": rng.randint(0, 99),
                         "complexity_flags": rng.sample(FLAGS, rng.randint(0, 4))}
        cases.append(riskreview.Case.from_dict(raw, pack=pack))
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    full = derive = 0.0
    for start in range(0, len(cases), 250):
        block = cases[start:start + 250]
        t0 = time.perf_counter()
        for case in block:
            riskreview.evaluate(case, as_of=AS_OF, pack=pack)
        t1 = time.perf_counter()
        for case in block:
            _values.values(pack, case, AS_OF, rt.calendar)
        t2 = time.perf_counter()
        full += t1 - t0
        derive += t2 - t1
    n = len(cases)
    figures = {
        "cases": n,
        "derived_values": len(pack.derived),
        "cases_per_second_with_derived": round(n / full, 1),
        "derived_microseconds_per_case": round(derive / n * 1e6, 1),
        "cases_per_second_without_derived": round(n / (full - derive), 1),
        "derived_share_percent": round(derive / full * 100, 1),
    }
    print(f"derived values: {len(pack.derived)} in the tiering pack; {n} cases")
    print(f"  with derived values    {figures['cases_per_second_with_derived']:>9,.0f} cases/s")
    print(f"  without (same run)     {figures['cases_per_second_without_derived']:>9,.0f} cases/s")
    print(f"  derived computation    {figures['derived_microseconds_per_case']:>9,.1f} µs per case "
          f"({figures['derived_share_percent']}% of evaluation)")
    save(figures, Path("derived.json"))


if __name__ == "__main__":
    main()
