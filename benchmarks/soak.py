"""Soak: many evaluations in one process, with resident memory measured as it runs.

Run: python benchmarks/soak.py [--evaluations 1000000] [--pool 5000]

Cycles over a pool of synthetic cases (built once), evaluating each in turn, and
samples resident memory (RSS, from /proc/self/statm) every 5% of the run. Growth
is measured from the sample after warm-up (10% of the run) to the end; the goal
is under 5% over one million evaluations. Writes benchmarks/results/soak.json.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from pathlib import Path

from _results import save

import riskreview
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=5_000)
    args = parser.parse_args()
    pool = [riskreview.Case.from_dict(c) for c in generate(args.pool, seed=3, as_of=AS_OF)]
    pack = riskreview.default_pack()
    step = max(args.evaluations // 20, 1)
    samples: list[tuple[int, float]] = [(0, rss_mib())]
    started = time.perf_counter()
    actions = 0
    for i in range(args.evaluations):
        decision = riskreview.evaluate(pool[i % len(pool)], as_of=AS_OF, pack=pack)
        actions += len(decision.actions)
        if (i + 1) % step == 0:
            samples.append((i + 1, rss_mib()))
            print(f"  {i + 1:>9,} evaluations  rss {samples[-1][1]:8.1f} MiB", flush=True)
    seconds = time.perf_counter() - started
    warm = next(s for s in samples if s[0] >= args.evaluations // 10)
    growth = (samples[-1][1] - warm[1]) / warm[1] * 100
    figures = {
        "evaluations": args.evaluations,
        "seconds": round(seconds, 1),
        "evaluations_per_second": round(args.evaluations / seconds, 1),
        "rss_after_warmup_mib": round(warm[1], 1),
        "rss_end_mib": round(samples[-1][1], 1),
        "growth_percent": round(growth, 2),
        "samples": samples,
        "actions": actions,
    }
    print(f"soak: {args.evaluations:,} evaluations in {seconds:.0f} s "
          f"({args.evaluations / seconds:,.0f}/s); rss {warm[1]:.1f} MiB after warm-up, "
          f"{samples[-1][1]:.1f} MiB at the end: growth {growth:+.2f}% (goal < 5%)")
    save(figures, Path("soak.json"))


if __name__ == "__main__":
    main()
