"""Fuzz ``riskreview.evaluate`` with N inputs and print what happened to them.

    python tests/fuzz/run_fuzz.py                 # 100,000 inputs
    python tests/fuzz/run_fuzz.py -n 5000 --first 200000

Each input is rebuilt from its number (``fuzz_inputs.make(number)``), so every failure
printed can be replayed alone. Prints a progress line, then the counts by outcome
(Decision, CaseError, other: must be 0), by family, and the slowest input. Exits 1 if
any input ended in anything but a Decision or a CaseError within its time limit.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz_inputs import describe, inputs, run, warm_up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=100_000, help="inputs to run")
    parser.add_argument("--first", type=int, default=0, help="number of the first input")
    args = parser.parse_args(argv)

    warm_up()
    outcomes: Counter[str] = Counter()
    families: Counter[tuple[str, str]] = Counter()
    failures: list[str] = []
    slowest = (0.0, "")
    started = time.perf_counter()
    items = inputs(args.count, first=args.first)
    for done, item in enumerate(items, start=1):
        outcome = run(item)
        outcomes[outcome.kind] += 1
        families[(item.family, outcome.kind)] += 1
        if outcome.kind == "other":
            failures.append(describe(item, outcome))
        if outcome.seconds > slowest[0]:
            slowest = (outcome.seconds, describe(item, outcome))
        if done % 500 == 0 or done == args.count:
            elapsed = time.perf_counter() - started
            print(
                f"\r{done:>7}/{args.count} inputs  {elapsed:7.0f} s  "
                f"decision {outcomes['decision']}  case_error {outcomes['case_error']}  "
                f"other {outcomes['other']}",
                end="",
                flush=True,
            )
    elapsed = time.perf_counter() - started
    print()
    print(f"inputs           {sum(outcomes.values())} in {elapsed:.0f} s")
    print(f"ok decisions     {outcomes['decision']}")
    print(f"CaseError        {outcomes['case_error']}")
    print(f"other            {outcomes['other']}  (must be 0)")
    print(f"slowest input    {slowest[0]:.3f} s: {slowest[1]}")
    print("by family         decision  case_error  other")
    for family in sorted({f for f, _ in families}):
        counts = [families[(family, kind)] for kind in ("decision", "case_error", "other")]
        print(f"  {family:<16} {counts[0]:>8}  {counts[1]:>10}  {counts[2]:>5}")
    if failures:
        print(f"failures (first 40 of {len(failures)}):")
        for line in failures[:40]:
            print(f"  {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
