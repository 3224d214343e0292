"""A nightly caseload scan: every case evaluated, a CSV of what is due or overdue.

Run every night over the whole caseload (one case a line of JSON Lines, as the
case-management system exports it), the scan answers one question per team:
which required actions are due today or already overdue?

* the caseload is evaluated with :func:`riskreview.batch.evaluate_many` in worker
  processes: a case that fails validation, or crashes the native engine, costs
  that case its answer, reported in ``errors.csv`` with its line, never the scan;
* ``actions.csv`` lists every action due today or overdue (or, with
  ``--horizon N``, due within the next N working days): case_id, code, priority,
  due_date, status, working_days, rule_ids;
* a summary is printed: cases, errors, actions by code, the most overdue.

Without ``--cases`` the scan writes and reads a small synthetic caseload (its own
tiny generator, below), so the example runs anywhere.

Run: python examples/nightly_scan.py [--cases FILE.jsonl] [--as-of YYYY-MM-DD]
     [--out FOLDER] [--pack FOLDER] [--horizon N] [--workers N]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import riskreview
from riskreview.batch import evaluate_many
from riskreview.pack import default_pack_path

COLUMNS = ["case_id", "code", "priority", "due_date", "status", "working_days", "rule_ids"]


def synthetic_case(i: int, as_of: date, rng: random.Random) -> dict[str, Any]:
    """One made-up case: no real person, proportions chosen only to look plausible."""

    def days_ago(low: int, high: int) -> str:
        return (as_of - timedelta(days=rng.randint(low, high))).isoformat()

    start = as_of - timedelta(days=rng.randint(1, 400))
    case: dict[str, Any] = {
        "case_id": f"NIGHT-{i:05d}",
        "supervision": {"stage": "community", "start_date": start.isoformat()},
        "index_offence": {
            "categories": rng.choice(
                [["domestic_abuse"], ["violence"], ["burglary"], ["drugs"], ["acquisitive"]]
            )
        },
        "household": {"children_in_contact": rng.choice([True, True, False, False, None])},
        "risk": {"levels": {"public": rng.choice(["low", "medium", "medium", "high"])}},
    }
    if rng.random() < 0.85:
        case["risk"]["screening_date"] = (start + timedelta(days=rng.randint(0, 5))).isoformat()
    if rng.random() < 0.5:
        case["risk"]["last_review_date"] = days_ago(1, 200)
    if rng.random() < 0.6:
        check = {"requested_date": start.isoformat()}
        if rng.random() < 0.8:
            check["response_date"] = (start + timedelta(days=rng.randint(1, 10))).isoformat()
        case["checks"] = {"police_domestic_abuse": check}
    if rng.random() < 0.8:
        done = (start + timedelta(days=rng.randint(3, 20))).isoformat()
        case["plans"] = {
            "risk_management_plan_date": done,
            "barriers_assessment_date": done,
            "domestic_abuse_plan_date": done,
        }
        case["risk"]["full_analysis_date"] = done
        case["home_visits"] = [{"date": done}]
    if rng.random() < 0.3:
        kind = rng.choice(["arrest", "new_relationship", "change_of_address", "separation"])
        case["events"] = [{"type": kind, "date": days_ago(0, 20)}]
    return case


def write_synthetic(path: Path, n: int, as_of: date, seed: int = 7) -> Path:
    """Write ``n`` synthetic cases to ``path`` as JSON Lines."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, not security
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps(synthetic_case(i, as_of, rng)) + "\n")
    return path


def scan(
    cases: Path,
    as_of: date,
    out: Path,
    *,
    pack: Path | None = None,
    horizon: int = 0,
    workers: int = 2,
) -> dict[str, Any]:
    """Evaluate every line of ``cases``; write actions.csv and errors.csv to ``out``.

    The pack folder is copied first and the scan runs on the copy: worker processes
    load the pack from its folder and refuse one whose content changed, so a pack
    deployed during the night must not change under a running scan.
    """
    with tempfile.TemporaryDirectory(prefix="riskreview-pack-") as tmp:
        snapshot = Path(tmp) / "pack"
        source = pack if pack is not None else default_pack_path()
        shutil.copytree(source, snapshot, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        policy = riskreview.load_pack(snapshot)
        return _scan(cases, as_of, out, policy, horizon, workers)


def _scan(
    cases: Path, as_of: date, out: Path, pack: riskreview.Pack, horizon: int, workers: int
) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    lines = cases.read_text(encoding="utf-8").splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    started = time.monotonic()
    statuses: Counter[str] = Counter()
    by_code: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    with (out / "errors.csv").open("w", newline="", encoding="utf-8") as errors_file:
        errors = csv.writer(errors_file)
        errors.writerow(["line", "case_id", "status", "error"])
        results = evaluate_many([line for _, line in numbered], as_of, pack, workers=workers)
        for result in results:
            statuses[result.status] += 1
            if result.decision is None:
                line_number = numbered[result.index][0]
                errors.writerow([line_number, result.case_id, result.status, result.error])
                continue
            for action in json.loads(result.decision)["actions"]:
                if action["status"] == "not_yet_due" and action["working_days"] > horizon:
                    continue
                by_code[action["code"]] += 1
                by_status[action["status"]] += 1
                rows.append(
                    {
                        "case_id": result.case_id,
                        "code": action["code"],
                        "priority": action["priority"],
                        "due_date": action["due_date"],
                        "status": action["status"],
                        "working_days": action["working_days"],
                        "rule_ids": " ".join(action["rule_ids"]),
                    }
                )
    with (out / "actions.csv").open("w", newline="", encoding="utf-8") as actions_file:
        writer = csv.DictWriter(actions_file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    overdue = sorted(
        (r for r in rows if r["status"] == "overdue"),
        key=lambda r: (-r["working_days"], r["case_id"], r["code"]),
    )
    return {
        "pack": f"{pack.name} {pack.version}",
        "as_of": as_of.isoformat(),
        "cases": len(numbered),
        "seconds": round(time.monotonic() - started, 2),
        "results": dict(sorted(statuses.items())),
        "actions": len(rows),
        "actions_by_status": dict(sorted(by_status.items())),
        "actions_by_code": dict(by_code.most_common()),
        "most_overdue": overdue[:5],
        "actions_csv": str(out / "actions.csv"),
        "errors_csv": str(out / "errors.csv"),
    }


def _print(summary: dict[str, Any], workers: int) -> None:
    results = ", ".join(f"{k} {v}" for k, v in summary["results"].items())
    print(
        f"Nightly scan {summary['as_of']} ({summary['pack']}): {summary['cases']} cases "
        f"in {summary['seconds']} s "
        f"({f'{workers} worker processes' if workers else 'in process'}): {results}"
    )
    statuses = ", ".join(f"{k} {v}" for k, v in summary["actions_by_status"].items())
    print(f"Actions due or overdue: {summary['actions']} ({statuses})")
    for code, count in summary["actions_by_code"].items():
        print(f"  {count:6}  {code}")
    if summary["most_overdue"]:
        print("Most overdue:")
        for row in summary["most_overdue"]:
            print(
                f"  {row['case_id']:12} {row['code']:30} due {row['due_date']} "
                f"({row['working_days']} working days overdue; {row['rule_ids']})"
            )
    print(f"Wrote {summary['actions_csv']}")
    print(f"Wrote {summary['errors_csv']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, help="JSON Lines caseload (default: synthetic)")
    parser.add_argument("--synthetic", type=int, default=200, help="synthetic cases to write")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    parser.add_argument("--out", type=Path, help="output folder (default: a new temporary one)")
    parser.add_argument("--pack", type=Path, help="pack folder (default: England & Wales)")
    parser.add_argument("--horizon", type=int, default=0, help="also list actions due within N")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="riskreview-nightly-"))
    out.mkdir(parents=True, exist_ok=True)
    cases = args.cases or write_synthetic(out / "caseload.jsonl", args.synthetic, args.as_of)
    summary = scan(
        cases, args.as_of, out, pack=args.pack, horizon=args.horizon, workers=args.workers
    )
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        _print(summary, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
