"""Rescan: a nightly caseload scan with the previous night's decisions supplied.

Run: python benchmarks/rescan.py [--cases 250000] [--workers 2] [--changed 0.05] [--repeat 2]

Writes a synthetic caseload, decides it with ``riskreview batch`` (the full run,
timed), then changes a share of the cases and decides it again the next day with
``--previous`` set to the first run's output (the rescan, timed ``--repeat``
times, each from the same previous decisions). Prints the times with the load
average (1 minute) before and after each, their ratio, the CPU seconds of the
batch and its workers per case, how many cases the rescan brought forward
(``reused``) and evaluated, and checks that the rescan's decisions equal a fresh
run's on a sample. Cases are written as canonical JSON, as ``Case.to_json``
writes them. The goal: with 250,000 cases and 5% changed, the rescan under 60 s
on 2 cores. Writes benchmarks/results/rescan.json.

Before each timed run the file system is synced (``os.sync``), so that a run does
not pay for writing the one before it to disk: the rescan comes the next night,
long after the full run's 2.6 GB went to disk. riskreview's modules are compiled
to bytecode first (``compileall``), as installing the package does; a checkout
installed for development where ``PYTHONDONTWRITEBYTECODE`` is set would otherwise
compile every module from its source in the batch and each worker (about 0.1 s
of CPU a process). ``--as-found`` skips both.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _results import save

import riskreview
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)


def batch(
    cases: Path, out: Path, day: date, workers: int, previous: Path | None, settle: bool = True
) -> dict:
    """Run ``riskreview batch`` and return its JSON summary with the wall time."""
    command = [str(Path(sys.executable).with_name("riskreview")), "batch", str(cases)]
    command += ["-o", str(out)]
    command += ["--workers", str(workers), "--as-of", day.isoformat(), "--json"]
    if previous is not None:
        command += ["--previous", str(previous)]
    if settle:
        os.sync()
    load = os.getloadavg()[0]
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({done.returncode}): {done.stderr[-500:]}")
    summary = json.loads(done.stdout)
    summary["wall_seconds"] = round(seconds, 1)
    summary["cpu_seconds"] = round(_children_cpu() - cpu, 1)
    summary["load_before"] = round(load, 2)
    summary["load_after"] = round(os.getloadavg()[0], 2)
    return summary


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (the batch and its workers)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _show(name: str, cases: int, run: dict) -> str:
    per_case = run["cpu_seconds"] / cases * 1e6
    return (
        f"{name}: {run['wall_seconds']} s wall, {run['cpu_seconds']} s CPU "
        f"({per_case:,.0f} µs a case), load average {run['load_before']} → {run['load_after']}"
    )


def _line(case: dict) -> str:
    """A case as a case-management export writes it: canonical JSON (sorted keys,
    compact, as ``Case.to_json``), which a rescan recognises without validating."""
    return json.dumps(case, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=250_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--changed", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=2, help="rescans, each timed")
    parser.add_argument(
        "--as-found",
        action="store_true",
        help="no sync before each run, no bytecode compiled beforehand",
    )
    args = parser.parse_args()
    settle = not args.as_found
    if settle:
        package = Path(riskreview.__file__).parent
        compiled = compileall.compile_dir(package, quiet=1)
        print(f"riskreview's bytecode compiled beforehand: {bool(compiled)}", flush=True)
    rng = random.Random(3)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        cases, out = Path(folder) / "cases.jsonl", Path(folder) / "decisions.jsonl"
        rows = list(generate(args.cases, seed=7, as_of=AS_OF))
        cases.write_text("".join(_line(r) for r in rows), encoding="utf-8")
        full = batch(cases, out, AS_OF, args.workers, None, settle)
        print(_show(f"full run, {args.cases:,} cases", args.cases, full), flush=True)
        changed = rng.sample(range(len(rows)), int(len(rows) * args.changed))
        for i in changed:
            rows[i]["domestic_abuse"] = dict(
                rows[i].get("domestic_abuse") or {}, police_callouts_12_months=rng.randint(0, 6)
            )
        cases.write_text("".join(_line(r) for r in rows), encoding="utf-8")
        next_day = AS_OF + timedelta(days=1)
        again = Path(folder) / "again.jsonl"
        rescans = []
        for _ in range(args.repeat):
            rescans.append(batch(cases, again, next_day, args.workers, out, settle))
            print(_show(f"rescan next day, {len(changed):,} changed", args.cases, rescans[-1]))
        rescan = min(rescans, key=lambda r: r["wall_seconds"])
        reused = rescan["by_status"].get("reused", 0)
        print(
            f"rescan: {reused:,} brought forward, {args.cases - reused:,} evaluated; "
            f"previous file: {rescan.get('previous')}",
            flush=True,
        )
        sample = Path(folder) / "sample.jsonl"
        sample.write_text("".join(_line(r) for r in rows[:2000]), encoding="utf-8")
        fresh_out = Path(folder) / "fresh.jsonl"
        batch(sample, fresh_out, next_day, args.workers, None)
        fresh = fresh_out.read_text(encoding="utf-8").splitlines()
        same = again.read_text(encoding="utf-8").splitlines()[: len(fresh)] == fresh
        print(f"rescan equals a fresh run on the first {len(fresh):,} cases: {same}")
    ratio = rescan["wall_seconds"] / full["wall_seconds"]
    print(f"rescan ÷ full run: {ratio:.2f}; goal for 250,000 cases: rescan under 60 s")
    save(
        {
            "cases": args.cases,
            "workers": args.workers,
            "changed": len(changed),
            "full": full | {"actions": None},
            "rescans": [r | {"actions": None} for r in rescans],
            "full_seconds": full["wall_seconds"],
            "rescan_seconds": rescan["wall_seconds"],
            "reused": reused,
            "settled": settle,
            "rescan_equals_fresh": same,
        },
        Path("rescan.json"),
    )
    if not same:
        raise SystemExit("the rescan's decisions differ from a fresh run")


if __name__ == "__main__":
    main()
