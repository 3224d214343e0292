"""What one more list item costs: each list of the case model grown from 0 to 1,000 items.

    python benchmarks/list_slopes.py                  # about 2 minutes
    python benchmarks/list_slopes.py --rounds 10 --sizes 0 100 1000

One realistic base case (the first synthetic community case with every list
present) is evaluated with one of its lists replaced by 0, 10, 100, 300 and 1,000
realistic items, sampled (with replacement) from that list in 1,000 synthetic cases
of the same ``as_of``; the other lists stay as they are. Each size has a few
variants (different samples); every round evaluates every list at every size, in a
shuffled order, once as a JSON-like dict (``evaluate(dict)``: validation included)
and once as a Case built beforehand (``evaluate(Case)``).

Times are CPU time of this process (``time.process_time``). For each list and size
the median over the rounds is printed in µs per case, and the slope in µs per item
is the least-squares line through those medians. Goals: at most 50 µs per event,
20 µs per concern, offending history item or child (on evaluate(dict)); the other
lists have no stated goal. Writes benchmarks/results/list_slopes.json (git-ignored).
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from _results import RESULTS as RESULTS_FOLDER
from _results import save

import riskreview
from riskreview import Case
from riskreview.synthetic import generate

RESULTS = RESULTS_FOLDER / "list_slopes.json"
AS_OF = date(2026, 11, 23)
clock = time.process_time

#: every list of riskreview.case.Case, by its path in the case dict; the µs-per-item
#: goal, if one is stated. An offence's or a concern's own ``categories`` list is the
#: same kind of list as the index offence's.
LISTS: dict[str, float | None] = {
    "events": 50.0,
    "concerns": 20.0,
    "offending_history": 20.0,
    "household.children": 20.0,
    "needs": None,
    "home_visits": None,
    "registrations": None,
    "index_offence.categories": None,
}
LIST_FIELDS = ("offending_history", "concerns", "events", "needs", "home_visits",
               "registrations", "household.children")


def get(data: dict[str, Any], path: str) -> Any:
    *parents, last = path.split(".")
    for name in parents:
        data = data.get(name) or {}
    return data.get(last)


def put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for name in parents:
        data = data.setdefault(name, {})
    data[last] = value


def base_case(seed: int) -> dict[str, Any]:
    """The first synthetic community case with every list present and not empty."""
    for data in generate(10_000, seed=seed, as_of=AS_OF):
        if data["supervision"].get("stage") == "community" and all(
            get(data, path) for path in LIST_FIELDS
        ):
            return data
    raise SystemExit("no synthetic case has every list present")


def pools(seed: int, n: int) -> dict[str, list[Any]]:
    """Every item of each list in ``n`` synthetic cases."""
    found: dict[str, list[Any]] = {path: [] for path in LISTS}
    for data in generate(n, seed=seed, as_of=AS_OF):
        for path, items in found.items():
            items.extend(get(data, path) or [])
    return found


def variants(base: dict[str, Any], pool: list[Any], path: str, size: int, k: int,
             rng: random.Random) -> list[tuple[dict[str, Any], Case]]:
    """``k`` copies of the base case with the list at ``path`` holding ``size`` sampled items."""
    out = []
    for _ in range(k if size else 1):
        data = copy.deepcopy(base)
        put(data, path, copy.deepcopy(rng.choices(pool, k=size)))
        out.append((data, Case.from_dict(data)))
    return out


def fit(sizes: list[int], micros: list[float]) -> tuple[float, float]:
    """(slope µs per item, intercept µs) of the least-squares line."""
    mx, my = statistics.fmean(sizes), statistics.fmean(micros)
    sxx = sum((x - mx) ** 2 for x in sizes)
    slope = sum((x - mx) * (y - my) for x, y in zip(sizes, micros, strict=True)) / sxx
    return slope, my - slope * mx


def measure(sizes: list[int], rounds: int, k: int, seed: int) -> dict[str, Any]:
    load_start = os.getloadavg()
    pack = riskreview.default_pack()
    base = base_case(seed)
    items = pools(seed + 1, 1000)
    rng = random.Random(seed)
    work = {(path, size): variants(base, items[path], path, size, k, rng)
            for path in LISTS for size in sizes}
    for data, case in work[next(iter(work))]:  # warm-up
        riskreview.evaluate(data, as_of=AS_OF, pack=pack)
        riskreview.evaluate(case, as_of=AS_OF, pack=pack)
    times: dict[tuple[str, int, str], list[float]] = {
        (path, size, mode): [] for path, size in work for mode in ("dict", "case")
    }
    order = list(work)
    for turn in range(rounds):
        rng.shuffle(order)
        for path, size in order:
            options = work[(path, size)]
            data, case = options[turn % len(options)]
            t0 = clock()
            riskreview.evaluate(data, as_of=AS_OF, pack=pack)
            t1 = clock()
            riskreview.evaluate(case, as_of=AS_OF, pack=pack)
            t2 = clock()
            times[(path, size, "dict")].append(t1 - t0)
            times[(path, size, "case")].append(t2 - t1)
    lists = {}
    for path, goal in LISTS.items():
        entry: dict[str, Any] = {"goal_us_per_item": goal, "base_items": len(get(base, path))}
        for mode in ("dict", "case"):
            medians = [statistics.median(times[(path, size, mode)]) * 1e6 for size in sizes]
            slope, intercept = fit(sizes, medians)
            entry[mode] = {"us_per_case": dict(zip(map(str, sizes), medians, strict=True)),
                           "slope_us_per_item": slope, "intercept_us": intercept}
        lists[path] = entry
    return {
        "base_case": base["case_id"],
        "as_of": AS_OF.isoformat(),
        "sizes": sizes,
        "rounds": rounds,
        "variants_per_size": k,
        "clock": "time.process_time: CPU time of this process, median over rounds",
        "lists": lists,
        "load_average": {"start": load_start, "end": os.getloadavg()},
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def report(f: dict[str, Any]) -> str:
    sizes = f["sizes"]
    la = f["load_average"]
    lines = [
        f"list slopes: base case {f['base_case']} (as_of {f['as_of']}), one list at a time "
        f"grown to each size; {f['rounds']} rounds, {f['variants_per_size']} samples a size",
        f"µs per case: {f['clock']}",
        f"load average (1/5/15 min): {' '.join(f'{x:.2f}' for x in la['start'])} at start, "
        f"{' '.join(f'{x:.2f}' for x in la['end'])} at end ({os.cpu_count()} CPUs)",
        "",
        f"  {'list':<26}{'evaluate':<9}" + "".join(f"{s:>9,}" for s in sizes)
        + f"{'µs/item':>10}{'goal':>7}",
    ]
    for path, entry in f["lists"].items():
        goal = entry["goal_us_per_item"]
        for mode in ("dict", "case"):
            e = entry[mode]
            slope = e["slope_us_per_item"]
            verdict = "" if goal is None or mode != "dict" else (
                "  met" if slope <= goal else "  NOT met")
            shown_goal = f"≤{goal:.0f}" if goal is not None and mode == "dict" else ""
            lines.append(
                f"  {path if mode == 'dict' else '':<26}{'(' + mode + ')':<9}"
                + "".join(f"{e['us_per_case'][str(s)]:>9,.0f}" for s in sizes)
                + f"{slope:>10.1f}{shown_goal:>7}{verdict}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10, 100, 300, 1000],
                        help="list sizes (0 10 100 300 1000; at most 1,000, the case limit)")
    parser.add_argument("--rounds", type=int, default=25, help="evaluations per size (25)")
    parser.add_argument("--variants", type=int, default=5, help="samples per size (5)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON output ({RESULTS})")
    args = parser.parse_args(argv)
    if len(set(args.sizes)) < 2 or min(args.sizes) < 0 or max(args.sizes) > 1000:
        parser.error("--sizes needs two or more different sizes from 0 to 1000")
    if args.rounds < 1 or args.variants < 1:
        parser.error("--rounds and --variants must be at least 1")
    figures = measure(sorted(set(args.sizes)), args.rounds, args.variants, args.seed)
    print(report(figures))
    print(f"\nwritten: {save(figures, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
