"""A national caseload as a nightly batch: N synthetic cases through worker processes.

Run: python benchmarks/caseload.py [--cases 250000] [--workers 2]

Writes the caseload as JSONL (as a case-management export would be), then times
``riskreview.batch.evaluate_many`` over its lines with N worker processes, as
``riskreview batch`` does. Prints cases per second, the total time, the load
average (1 minute) before and after, and counts by status; writes
benchmarks/results/caseload.json. The target on a 2-core
machine is 250,000 cases in under 60 s with 2 processes.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from _results import save

from riskreview.batch import evaluate_many
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=250_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "caseload.jsonl"
        started = time.perf_counter()
        with path.open("w", encoding="utf-8") as out:
            for case in generate(args.cases, seed=7, as_of=AS_OF):
                out.write(json.dumps(case) + "\n")
        written = time.perf_counter() - started
        by_status: dict[str, int] = {}
        actions = 0
        load = os.getloadavg()[0]
        started = time.perf_counter()
        with path.open(encoding="utf-8") as lines:
            for result in evaluate_many(lines, AS_OF, workers=args.workers):
                by_status[result.status] = by_status.get(result.status, 0) + 1
                if result.decision is not None:
                    actions += result.decision.count('"code":') - result.decision.count(
                        '"information":[{"code"')
        seconds = time.perf_counter() - started
    figures = {
        "cases": args.cases,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "seconds": round(seconds, 2),
        "cases_per_second": round(args.cases / seconds, 1),
        "by_status": by_status,
        "generate_seconds": round(written, 2),
        "target_seconds": 60,
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }
    print(f"caseload: {args.cases} cases with {args.workers} worker processes "
          f"in {seconds:.1f} s = {args.cases / seconds:,.0f} cases/s "
          f"(target: 250,000 in under 60 s), load average {figures['load_before']} → "
          f"{figures['load_after']}; statuses {by_status}")
    save(figures, Path("caseload.json"))


if __name__ == "__main__":
    main()
