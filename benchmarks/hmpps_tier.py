"""The HMPPS tiering pack's speed beside the default pack's, in one run.

Run: python benchmarks/hmpps_tier.py [--cases 3000] [--seed 1]

Generates N random hmpps-tier cases (below: registrations, convictions and
requirements, OASys assessments and answers, predictors and domain events in the
proportions of an ordinary caseload, some facts left unknown) and N synthetic
cases of the default pack (``riskreview.synthetic.generate``), then times
``riskreview.evaluate(dict)`` on each, the two packs taking turns 100 cases at a
time so that whatever else the machine does slows them alike. Prints cases/s for
each, by the wall clock and per second of this process's CPU time (which other
work on the machine slows less; goal for hmpps-tier: at least 500 cases/s), the
share of hmpps-tier cases
whose A–G tier, combined tier and change level were decided, and writes
benchmarks/results/hmpps_tier.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from _results import save

import riskreview
from riskreview.pack import default_pack
from riskreview.synthetic import generate

AS_OF = date(2026, 9, 1)
PACK = Path(__file__).resolve().parents[1] / "examples" / "packs" / "hmpps-tier"
CHUNK = 100
GOAL = 500.0

ROSH = ["RLRH", "RMRH", "RHRH", "RVHR"]
FACTORS = ["RMDO", "ALSH", "RVLN", "RCCO", "RCPR", "RCHD", "RPIR", "RVAD", "STRG", "RTAO"]
FLAGS = ["IIOM", "INLL", "ADVP", "REG30", "SPO", "PRC", "HREG", "WRSM"]
QUESTIONS = [
    "noFixedAbodeOrTransient",
    "suitabilityOfAccommodation",
    "permanenceOfAccommodation",
    "locationOfAccommodation",
    "unemployed",
    "employmentHistory",
    "workRelatedSkills",
    "attitudeToEmployment",
    "relCloseFamily",
    "experienceOfChildhood",
    "prevCloseRelationships",
    "parentalResponsibilities",
    "regActivitiesEncourageOffending",
    "easilyInfluenced",
    "recklessness",
    "currentDrugNoted",
    "everInjectedDrugs",
    "motivationToTackleDrugMisuse",
    "drugsMajorActivity",
    "currentUse",
    "bingeDrinking",
    "frequencyAndLevel",
    "alcoholTackleMotivation",
    "recogniseProblems",
    "problemSolvingSkills",
    "awarenessOfConsequences",
    "understandsViewsOfOthers",
    "impulsivity",
    "temperControl",
    "proCriminalAttitudes",
    "attitudesTowardsSupervision",
    "attitudesTowardsCommunitySociety",
    "motivationToAddressBehaviour",
]
ANSWERS = [
    "YES",
    "NO",
    "UNKNOWN",
    "NONE",
    "SOME",
    "SIGNIFICANT",
    "MISSING",
    "NEVER",
    "PREVIOUS",
    "CURRENTLY",
]
EVENTS = [
    "probation-case.registration.added",
    "probation-case.registration.deregistered",
    "probation-case.sentence.created",
    "probation-case.requirement.created",
    "enforcement.breach.raised",
    "enforcement.recall.raised",
    "conviction.changed",
    "risk-assessment.scores.determined",
    "probation-case.engagement.created",
    "probation-case.address.created",
]


def _day(rng: random.Random, within_days: int) -> str:
    return (AS_OF - timedelta(days=rng.randint(0, within_days))).isoformat()


def _registrations(rng: random.Random) -> list[dict[str, Any]]:
    regs: list[dict[str, Any]] = []
    if rng.random() < 0.8:  # a RoSH registration, now and then an earlier one too
        for _ in range(rng.choice([1, 1, 1, 2])):
            code = rng.choices(ROSH, weights=[35, 45, 17, 3])[0]
            regs.append({"code": rng.choice([code, code.lower()]), "date": _day(rng, 2000)})
    if rng.random() < 0.08:
        regs.append(
            {
                "code": "MAPP",
                "level": rng.choice(["M0", "M1", "M2", "M3"]),
                "category": rng.choice(["M1", "M2", "M3", "M4"]),
                "date": _day(rng, 1500),
            }
        )
    for code in rng.sample(FACTORS, rng.choice([0, 0, 0, 1, 1, 2, 3])):
        regs.append({"code": code, "date": _day(rng, 3000)})
    for code in FLAGS:
        if rng.random() < 0.06:
            regs.append({"code": code, "date": _day(rng, 3000)})
    return regs


def _oasys(rng: random.Random, inputs: dict[str, Any]) -> None:
    if rng.random() < 0.85:
        inputs["assessments"] = [
            {
                "layer": rng.choice(["LAYER3", "LAYER3", "LAYER1"]),
                "status": rng.choice(["COMPLETE", "COMPLETE", "LOCKED_INCOMPLETE", "OPEN"]),
                "completed": _day(rng, 600),
            }
            for _ in range(rng.randint(0, 3))
        ]
    if rng.random() < 0.9:
        inputs["answers"] = [
            {"question": q, "answer": rng.choice(ANSWERS)}
            for q in rng.sample(QUESTIONS, rng.randint(0, len(QUESTIONS)))
        ]
    if rng.random() < 0.9:
        inputs["san_indicator"] = rng.random() < 0.3
    if rng.random() < 0.93:  # the predictors; MISSING otherwise
        inputs["arp_score"] = round(rng.uniform(0, 99), 2)
        inputs["csrp_score"] = round(rng.choice([rng.uniform(0, 1.2), rng.uniform(0, 9)]), 2)
        inputs["arp_type"] = rng.choice(["STATIC", "DYNAMIC", "DYNAMIC"])
        inputs["csrp_type"] = rng.choice(["STATIC", "DYNAMIC", "DYNAMIC"])
    if rng.random() < 0.15:
        inputs["dcsrp_score"] = round(rng.uniform(0.6, 6), 2)
        inputs["dcsrp_band"] = rng.choice(["LOW", "MEDIUM", "HIGH", "VERY_HIGH", "NOT_APPLICABLE"])
    if rng.random() < 0.95:
        inputs["sexual_offence_history"] = rng.random() < 0.08


def hmpps_case(seed: int, i: int) -> dict[str, Any]:
    """One random hmpps-tier case, a function of (seed, i) only."""
    rng = random.Random(f"hmpps-tier:{seed}:{i}")
    inputs: dict[str, Any] = {
        "gender": rng.choices(["Male", "Female", "Other"], weights=[84, 15, 1])[0],
        "registrations": _registrations(rng),
        "convictions": [
            {"sentence_type": rng.choice(["SC", "NC", "SA", "ORA"])}
            | ({"terminated": _day(rng, 900)} if rng.random() < 0.3 else {})
            for _ in range(rng.randint(1, 3))
        ],
        "requirements": [
            {
                "main_category": rng.choice(["W", "W1", "RM38", "F", "X"]),
                "restrictive": rng.random() < 0.3,
            }
            for _ in range(rng.randint(0, 3))
        ],
        "previous_enforcement": rng.random() < 0.12,
        "has_active_event": rng.random() < 0.97,
        "last_calculated": _day(rng, 60),
        "domain_events": [
            {
                "type": rng.choice(EVENTS),
                "date": _day(rng, 90),
                "wrapped_type": "assessment.summary.produced",
            }
            for _ in range(rng.randint(0, 4))
        ],
    }
    if rng.random() < 0.9:
        inputs["rsr_score"] = round(rng.uniform(0, 12), 2)
    if rng.random() < 0.9:
        inputs["ogrs_score"] = rng.randint(0, 99)
    if rng.random() < 0.2:
        inputs["latest_release_date"] = _day(rng, 3000)
    _oasys(rng, inputs)
    return {"case_id": f"HT{seed}-{i:06d}", "inputs": inputs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    load_start = os.getloadavg()
    tier_pack = riskreview.load_pack(PACK)
    default = default_pack()
    tier_cases = [hmpps_case(args.seed, i) for i in range(args.cases)]
    default_cases = list(generate(args.cases, seed=args.seed, as_of=AS_OF))
    for a, b in zip(tier_cases[:20], default_cases[:20], strict=True):  # warm-up
        riskreview.evaluate(a, as_of=AS_OF, pack=tier_pack)
        riskreview.evaluate(b, as_of=AS_OF, pack=default)
    spent = {"hmpps-tier": 0.0, "default": 0.0}
    cpu = {"hmpps-tier": 0.0, "default": 0.0}
    decided = {"tier": 0, "tier_score": 0, "change_level": 0}
    for start in range(0, args.cases, CHUNK):
        t0, c0 = time.perf_counter(), time.process_time()
        for case in tier_cases[start : start + CHUNK]:
            decision = riskreview.evaluate(case, as_of=AS_OF, pack=tier_pack)
            for name in decided:
                decided[name] += decision.reported[name]["value"] is not None
        t1, c1 = time.perf_counter(), time.process_time()
        for case in default_cases[start : start + CHUNK]:
            riskreview.evaluate(case, as_of=AS_OF, pack=default)
        t2, c2 = time.perf_counter(), time.process_time()
        spent["hmpps-tier"] += t1 - t0
        spent["default"] += t2 - t1
        cpu["hmpps-tier"] += c1 - c0
        cpu["default"] += c2 - c1
    rate = {name: args.cases / seconds for name, seconds in spent.items()}
    cpu_rate = {name: args.cases / seconds for name, seconds in cpu.items()}
    figures = {
        "cases": args.cases,
        "seed": args.seed,
        "as_of": AS_OF.isoformat(),
        "clock": "time.perf_counter: wall clock; cpu: time.process_time of this process",
        "hmpps_tier_cases_per_second": round(rate["hmpps-tier"], 1),
        "default_pack_cases_per_second": round(rate["default"], 1),
        "hmpps_tier_cases_per_cpu_second": round(cpu_rate["hmpps-tier"], 1),
        "default_pack_cases_per_cpu_second": round(cpu_rate["default"], 1),
        "goal_cases_per_second": GOAL,
        "hmpps_tier_derived_values": len(tier_pack.derived),
        "decided_percent": {k: round(v / args.cases * 100, 1) for k, v in decided.items()},
        "load_average": {"start": load_start, "end": os.getloadavg()},
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    la = figures["load_average"]
    print(
        f"{args.cases:,} cases per pack, seed {args.seed}, as_of {AS_OF}; "
        f"evaluate(dict), the packs taking turns {CHUNK} cases at a time"
    )
    print(
        f"load average (1/5/15 min): {' '.join(f'{x:.2f}' for x in la['start'])} at start, "
        f"{' '.join(f'{x:.2f}' for x in la['end'])} at end ({os.cpu_count()} CPUs)"
    )
    print()
    met = "met" if cpu_rate["hmpps-tier"] >= GOAL else "NOT met"
    print("                                      wall clock      CPU time")
    tier_label = f"hmpps-tier ({len(tier_pack.derived)} derived values)"
    print(
        f"  {tier_label:<34}{rate['hmpps-tier']:>9,.0f}/s   {cpu_rate['hmpps-tier']:>9,.0f}/s"
        f"   goal ≥ {GOAL:,.0f} cases/s: {met}"
    )
    print(
        f"  {'default pack (england-wales)':<34}{rate['default']:>9,.0f}/s   "
        f"{cpu_rate['default']:>9,.0f}/s"
    )
    print(
        "  decided on hmpps-tier cases: "
        + ", ".join(f"{k} {v}%" for k, v in figures["decided_percent"].items())
    )
    save(figures, Path("hmpps_tier.json"))


if __name__ == "__main__":
    main()
