"""Throughput of riskreview.evaluate against the raw durable-rules engine, in one run.

    python benchmarks/throughput.py                 # 5,000 synthetic cases
    python benchmarks/throughput.py --cases 20000 --seed 7

Four passes over the same synthetic caseload, after a warm-up that compiles every
policy period of the default pack. They take turns, 250 cases at a time, so that a
busy machine slows them alike:

1. ``riskreview.evaluate(case)`` with Case objects built beforehand (and the latency
   of each call, for p50/p99);
2. ``riskreview.evaluate(dict)``: the same cases as JSON-like dicts, so validation
   is included;
3. riskreview's engine layer alone: ``Engine.run`` on facts built beforehand;
4. the raw engine: the same compiled ruleset in a fresh durable-rules ``Host``
   subclass with no timer threads, every rule's action a one-parameter function
   that records the match, and per case one ``assert_facts`` and one
   ``retract_facts`` of facts built beforehand. This is the floor ENGINE-NOTES.md
   measures against; only these two calls are timed.

Prints cases per second for each and the ratio riskreview/raw, and writes the
figures to benchmarks/results/throughput.json (git-ignored).
"""

from __future__ import annotations

import argparse
import copy
import platform
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import durable.engine
from _results import RESULTS as RESULTS_FOLDER
from _results import save

import riskreview
from riskreview import Case, _runtime
from riskreview._engine import Engine

RESULTS = RESULTS_FOLDER / "throughput.json"
CHUNK = 250  # cases each pass times before the next pass takes its turn

_CATEGORIES = ["domestic_abuse", "sexual", "violence", "offence_against_children", "stalking",
               "harassment", "non_fatal_strangulation", "child_cruelty_or_neglect", "weapons",
               "burglary", "drugs", "acquisitive", "other"]
_REGISTRATIONS = ["domestic_abuse_perpetrator", "domestic_abuse_history", "child_protection",
                  "child_concerns", "risk_to_children", "mappa", "marac", "high_rosh",
                  "registered_sexual_offender"]
_EVENTS = ["new_relationship", "separation", "arrest", "charge", "conviction", "breach",
           "change_of_address", "homelessness", "domestic_abuse_callout", "police_information",
           "childrens_services_information", "pregnancy", "birth_of_child", "victim_contact"]
_LEVELS = ["low", "medium", "high", "very_high"]


def caseload(n: int, seed: int) -> list[tuple[dict[str, Any], date]]:
    """``n`` synthetic cases as dicts, each with its own as_of; about a quarter of the
    fields a rule reads are unknown, as in a real caseload."""
    rng = random.Random(seed)
    out = []
    for number in range(n):
        as_of = date(2024, 2, 1) + timedelta(days=rng.randrange(4 * 365))

        def maybe(value: Any, unknown: float = 0.25) -> Any:
            return None if rng.random() < unknown else value

        def ago(lo: int, hi: int, base: date = as_of) -> str:
            return (base - timedelta(days=rng.randint(lo, hi))).isoformat()

        def flag() -> bool | None:
            return maybe(rng.random() < 0.5)

        start = date.fromisoformat(ago(30, 900))
        children = [{"date_of_birth": maybe(ago(-100, 6000)), "lives_with": flag(),
                     "contact": flag(), "child_protection_plan": maybe(rng.random() < 0.2)}
                    for _ in range(rng.randint(0, 3))]
        check = {"requested_date": ago(0, 400)}
        data = {
            "case_id": f"B{number:06d}",
            "person": {"date_of_birth": maybe(ago(18 * 365, 65 * 365))},
            "supervision": {"start_date": maybe(start.isoformat(), 0.1),
                            "sentence_date": maybe(ago(0, 14, start))},
            "index_offence": {"categories": maybe(rng.sample(_CATEGORIES, rng.randint(1, 2)), 0.1)},
            "offending_history": maybe([{"categories": rng.sample(_CATEGORIES, 1),
                                         "date": ago(400, 5000)}
                                        for _ in range(rng.randint(0, 4))]),
            "concerns": maybe([{"categories": rng.sample(_CATEGORIES, 1), "date": ago(0, 900)}
                               for _ in range(rng.randint(0, 2))]),
            "registrations": maybe(rng.sample(_REGISTRATIONS, rng.randint(0, 2))),
            "risk": {"screening_date": maybe(ago(30, 600), 0.15),
                     "full_analysis_date": maybe(ago(10, 500), 0.5),
                     "last_review_date": maybe(ago(0, 300), 0.4),
                     "levels": {"children": maybe(rng.choice(_LEVELS), 0.3),
                                "public": maybe(rng.choice(_LEVELS), 0.3),
                                "known_adult": maybe(rng.choice(_LEVELS), 0.5)}},
            "domestic_abuse": {"dash_score": maybe(rng.randint(0, 27), 0.6),
                               "police_callouts_12_months": maybe(rng.randint(0, 5), 0.5),
                               "dvds_considered_date": maybe(ago(0, 500), 0.7)},
            "household": {"children_in_contact": flag(), "children": maybe(children)},
            "checks": {"police_domestic_abuse": maybe(check, 0.4),
                       "childrens_social_care": maybe(dict(check), 0.4)},
            "events": maybe([{"type": rng.choice(_EVENTS), "date": maybe(ago(0, 500), 0.1)}
                             for _ in range(rng.randint(0, 5))], 0.2),
        }
        out.append((data, as_of))
    return out


class RawHost(durable.engine.Host):  # type: ignore[misc]
    """A plain durable-rules Host: no timer threads, actions from a dict."""

    def __init__(self, actions: dict[str, Any]) -> None:
        self._actions_by_name = actions
        super().__init__()

    def _run(self) -> None:
        pass

    def get_action(self, name: str) -> Any:
        return self._actions_by_name[name]


def raw_engine(ruleset: dict[str, Any], name: str) -> tuple[RawHost, list[tuple[str, int]]]:
    """The compiled ruleset in a fresh RawHost; every rule records (rule, fact variant)."""
    matches: list[tuple[str, int]] = []

    def recorder(rule: str) -> Any:
        def record(c: Any) -> None:
            matches.append((rule, c.m["v"]))

        return record

    host = RawHost({rule: recorder(rule) for rule in ruleset})
    host.set_rulesets(copy.deepcopy({name: ruleset}))
    return host, matches


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def run(n: int, seed: int) -> dict[str, Any]:
    pack = riskreview.default_pack()
    data = caseload(n, seed)
    cases = [(Case.from_dict(d), as_of) for d, as_of in data]
    epochs = sorted({pack.epoch(as_of) for _, as_of in cases})
    runtimes = {epoch: _runtime.runtime(pack, epoch) for epoch in epochs}
    for epoch in epochs:  # warm-up: compiled, engines built, calendars loaded
        case, as_of = next((c, a) for c, a in cases if pack.epoch(a) == epoch)
        riskreview.evaluate(case, as_of=as_of)

    # the facts of every case, built beforehand (untimed), for passes 3 and 4
    def facts_of(prefix: str) -> list[tuple[date, list[dict[str, Any]]]]:
        return [(pack.epoch(as_of),
                 runtimes[pack.epoch(as_of)].builder.build(case, as_of, "bench", f"{prefix}{i}"))
                for i, (case, as_of) in enumerate(cases)]

    layer_facts, raw_facts = facts_of("e"), facts_of("r")
    engines = {epoch: Engine(rt.compiled.ruleset, {}) for epoch, rt in runtimes.items()}
    names = {epoch: f"raw{k}" for k, epoch in enumerate(runtimes)}
    hosts = {epoch: raw_engine(rt.compiled.ruleset, names[epoch]) for epoch, rt in runtimes.items()}

    # The four passes take turns, CHUNK cases at a time, so that whatever else the
    # machine does slows them alike and the ratios stay meaningful.
    seconds = Counter[str]()
    latencies: list[float] = []
    layer_matches: list[list[tuple[str, int]]] = []
    spans: list[tuple[date, int, int]] = []
    for low in range(0, n, CHUNK):
        part = range(low, min(n, low + CHUNK))

        # 1. riskreview.evaluate on Case objects, with the latency of every call
        began = time.perf_counter()
        for i in part:
            case, as_of = cases[i]
            t = time.perf_counter()
            riskreview.evaluate(case, as_of=as_of)
            latencies.append(time.perf_counter() - t)
        seconds["case"] += time.perf_counter() - began

        # 2. riskreview.evaluate on dicts (validation included)
        began = time.perf_counter()
        for i in part:
            riskreview.evaluate(data[i][0], as_of=data[i][1])
        seconds["dict"] += time.perf_counter() - began

        # 3. riskreview's engine layer alone
        began = time.perf_counter()
        for i in part:
            epoch, facts = layer_facts[i]
            layer_matches.append(engines[epoch].run(facts))
        seconds["layer"] += time.perf_counter() - began

        # 4. the raw engine: one assert_facts and one retract_facts per case
        began = time.perf_counter()
        for i in part:
            epoch, facts = raw_facts[i]
            host, matches = hosts[epoch]
            first = len(matches)
            host.assert_facts(names[epoch], facts)
            host.retract_facts(names[epoch], facts)
            spans.append((epoch, first, len(matches)))
        seconds["raw"] += time.perf_counter() - began

    case_seconds, dict_seconds = seconds["case"], seconds["dict"]
    layer_seconds, raw_seconds = seconds["layer"], seconds["raw"]
    fired = [end - first for _, first, end in spans]
    same = all(Counter(layer) == Counter(hosts[epoch][1][first:end])
               for layer, (epoch, first, end) in zip(layer_matches, spans, strict=True))

    ms = sorted(x * 1000 for x in latencies)
    rt0 = runtimes[epochs[-1]]
    figures = {
        "cases": n,
        "seed": seed,
        "pack": {"name": pack.name, "version": pack.version, "rules": len(pack.rules),
                 "policy_periods": len(epochs), "lanes": len(rt0.compiled.lanes),
                 "facts_per_case": 2 * len(rt0.compiled.lanes)},
        "evaluate_case_per_s": per_second(n, case_seconds),
        "evaluate_dict_per_s": per_second(n, dict_seconds),
        "engine_layer_per_s": per_second(n, layer_seconds),
        "raw_engine_per_s": per_second(n, raw_seconds),
        "ratio_case_to_raw": raw_seconds / case_seconds,  # riskreview cases/s ÷ raw cases/s
        "ratio_dict_to_raw": raw_seconds / dict_seconds,
        "latency_ms": {"p50": statistics.median(ms),
                       "p99": ms[min(len(ms) - 1, int(0.99 * len(ms)))], "max": ms[-1]},
        "matches_per_case": statistics.mean(fired),
        "raw_and_engine_layer_agree": same,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    return figures


def report(f: dict[str, Any]) -> str:
    p = f["pack"]
    lines = [
        f"caseload: {f['cases']:,} synthetic cases (seed {f['seed']}); pack {p['name']} "
        f"{p['version']}: {p['rules']} rules, {p['policy_periods']} policy period(s), "
        f"{p['lanes']} lanes = {p['facts_per_case']} facts a case, "
        f"{f['matches_per_case']:.1f} matches a case",
        "",
        f"  riskreview.evaluate(Case)          {f['evaluate_case_per_s']:9,.0f} cases/s",
        f"  riskreview.evaluate(dict)          {f['evaluate_dict_per_s']:9,.0f} cases/s",
        f"  riskreview engine layer (Engine)   {f['engine_layer_per_s']:9,.0f} cases/s",
        f"  raw durable-rules (assert+retract) {f['raw_engine_per_s']:9,.0f} cases/s",
        "",
        f"  ratio riskreview/raw: {f['ratio_case_to_raw']:.3f} (Case), "
        f"{f['ratio_dict_to_raw']:.3f} (dict)",
        f"  latency of one evaluate(Case): p50 {f['latency_ms']['p50']:.2f} ms, "
        f"p99 {f['latency_ms']['p99']:.2f} ms, max {f['latency_ms']['max']:.2f} ms",
        f"  raw engine and riskreview's engine layer found the same matches: "
        f"{'yes' if f['raw_and_engine_layer_agree'] else 'NO'}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=5000, help="caseload size (5000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON output ({RESULTS})")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    figures = run(args.cases, args.seed)
    print(report(figures))
    print(f"\nwritten: {save(figures, args.out)}")
    return 0 if figures["raw_and_engine_layer_agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
