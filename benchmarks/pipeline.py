"""Where one evaluation's time goes: the decide pipeline against its own engine, in one run.

    python benchmarks/pipeline.py                  # 2,000 synthetic cases, about 2 minutes
    python benchmarks/pipeline.py --cases 500 --freeze

The default pack, one synthetic caseload (``riskreview.synthetic.generate``), one
``as_of`` (2026-11-23). After a warm-up, these passes take turns over the same cases,
20 cases at a time, in an order that rotates each turn, so that whatever else the
machine does slows them alike:

1. ``riskreview.evaluate(dict)``: the JSON-like dict, so validation is included;
2. ``riskreview.evaluate(Case)``: Case objects built beforehand;
3. the engine layer: facts built from the Case and its values (computed beforehand),
   then ``Engine.run`` (JSON, assert, drain the match queue, retract);
4. the native floor: each case's facts serialised beforehand, then only the native
   calls: ``assert_facts``, drain the action queue, ``retract_facts``;
5. raw durable-rules (``--no-raw`` skips it): the same ruleset in a plain durable
   ``Host`` whose every rule runs a Python action recording the match (as
   throughput.py does);
6. evaluate(dict) again, stage by stage, each stage timed on its own.

Times are CPU time of this process (``time.process_time``), so a busy machine
inflates them less than wall-clock time would. Then one more pass times each
``evaluate(dict)`` alone (wall clock and CPU) for p50, p99 and max latency and
counts gen-2 garbage collections; then passes 1 to 4 run again, each alone over every
case, best of 3, with the two ratios from those (interleaved, each pass also pays for
collecting what the pass before it left, so the interleaved figures of one pass can
shift between commits while the plain loops do not). With ``--freeze`` the latency
pass runs every chunk twice,
taking turns: as it is, and after ``gc.freeze()`` (everything loaded so far frozen,
unfrozen again after the chunk), so the effect of freezing is measured in the same run.

Writes the figures to benchmarks/results/pipeline.json (git-ignored). Exits 1 when
the passes disagree (different match counts, or a stage-by-stage decision that is
not the decision ``evaluate`` returns): then the figures compare different work.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import durable_rules_engine as _native
import orjson
from _results import RESULTS as RESULTS_FOLDER
from _results import save
from throughput import raw_engine

import riskreview
from riskreview import Case, _assemble, _decide, _match, _runtime, _values, _version, _walk
from riskreview.decision import Decision, PackRef
from riskreview.synthetic import generate

# --- riskreview's private names: every one this script uses is in this block ----------
# (they may still move; fix them here). Each function is one stage of _decide.decide.

ENGINE_SID = "rr"  # the session id Engine.run puts on every fact


def stage_runtime(pack: Any, as_of: date) -> tuple[date, Any]:
    epoch = pack.epoch(as_of)
    return epoch, _runtime.runtime(pack, epoch)


def stage_values(pack: Any, case: Case, as_of: date, rt: Any) -> Any:
    return _values.values(pack, case, as_of, rt.calendar, rt.conditions, rt.derived)


def stage_facts(rt: Any, case: Case, as_of: date, vals: Any) -> list[dict[str, Any]]:
    return rt.builder.build(case, as_of, "", _match.tag(), vals.extras)


def stage_engine(rt: Any, facts: list[dict[str, Any]], case_id: str) -> list[tuple[str, int]]:
    return rt.engine.run(facts, case_id)


def stage_outcomes(rt: Any, matches: list[tuple[str, int]]) -> dict[int, Any]:
    """What _match.match makes of the engine's matches (its code after the engine call)."""
    definite = {int(name[1:]) for name, variant in matches if name[0] == "r" and not variant}
    possible = {int(name[1:]) for name, variant in matches if name[0] == "r" and variant}
    if definite - possible:
        raise RuntimeError("a rule matched the definite fact but not the possible one")
    out = _match.Outcome
    return {
        cr.index: out.FIRED
        if cr.index in definite
        else out.UNDETERMINED
        if cr.index in possible
        else out.NOT_FIRED
        for cr in rt.compiled.rules
    }


def stage_walk(pack: Any, case: Case, as_of: date, rt: Any, vals: Any, found: Any) -> Any:
    ref = _values.reference(pack, case, as_of, rt.calendar, vals, rt.conditions)
    return ref, _walk.walk(pack, ref, found)


def stage_assembly(pack: Any, ref: Any, rt: Any, found: Any, walked: Any, vals: Any) -> Any:
    flips: list[date] = []
    within = _assemble.horizon(pack, ref.as_of, None)
    made = _assemble.assemble(pack, ref, rt.calendar, found, walked, vals.derived, flips, within)
    stable_until = _decide._stable_until(pack, rt, ref, flips, found)
    reported = _assemble.reported(pack, vals.derived)
    return made.actions, made.information, made.next_review, reported, stable_until, within


def stage_digest(case: Case) -> str:
    return _decide.input_digest(case)


def stage_decision(
    case: Case, as_of: date, pack: Any, epoch: date, digest: str, assembled: Any
) -> Decision:
    actions, information, next_review, reported, stable_until, within = assembled
    return Decision(
        case_id=case.case_id,
        as_of=as_of,
        pack=PackRef(pack.name, pack.version, pack.digest, epoch),
        input_digest=digest,
        library_version=_version.VERSION,
        actions=actions,
        information=information,
        next_review=next_review,
        trace=None,
        reported=reported,
        stable_until=stable_until,
        upcoming_within=within,
    )


def native_text(facts: list[dict[str, Any]]) -> str:
    """The facts as Engine.run serialises them (with the engine's sid)."""
    for fact in facts:
        fact["sid"] = ENGINE_SID
    return (b"[" + b",".join(orjson.dumps(fact) for fact in facts) + b"]").decode("ascii")


def native_run(rt: Any, text: str) -> int:
    """Assert, drain the action queue, retract: the native calls only. The match count."""
    handle = rt.engine._handle
    result = _native.assert_facts(handle, text)
    if result[0] in (1, 2):
        raise RuntimeError(f"assert_facts refused the facts (code {result[0]})")
    state = 0 if result[0] == 3 else result[1]
    count = 0
    first = _native.start_action_for_state(handle, state)
    message = first[1] if first else None
    while message:
        count += 1
        message = _native.complete_and_start_action(handle, state)
    _native.retract_facts(handle, text)
    return count


# ---------------------------------------------------------------------------------------

RESULTS = RESULTS_FOLDER / "pipeline.json"
AS_OF = date(2026, 11, 23)
CHUNK = 20
STAGES = [
    ("from_dict", "Case.from_dict (validation)"),
    ("runtime", "runtime lookup (epoch, runtime)"),
    ("values", "values (inputs, derived)"),
    ("facts", "facts (FactBuilder.build)"),
    ("engine", "engine run (Engine.run)"),
    ("outcomes", "outcomes (matches to rule outcomes)"),
    ("walk", "walk (cross-check, evidence, questions)"),
    ("assembly", "assembly (actions, information, next review)"),
    ("digest", "input digest (canonical JSON, SHA-256)"),
    ("decision", "Decision construction"),
]
clock = time.process_time


def load() -> tuple[float, float, float]:
    return os.getloadavg()


def timer_cost() -> float:
    """Seconds one read of the CPU clock costs (the stage pass reads it 11 times a case)."""
    n = 20_000
    t0 = clock()
    for _ in range(n):
        clock()
    return (clock() - t0) / n


class Run:
    """The caseload, in every form the passes need, and what each pass found."""

    def __init__(self, n: int, seed: int, raw: bool) -> None:
        self.pack = riskreview.default_pack()
        self.data = list(generate(n, seed=seed, as_of=AS_OF))
        self.cases = [Case.from_dict(d) for d in self.data]
        self.epoch, self.rt = stage_runtime(self.pack, AS_OF)
        self.vals = [stage_values(self.pack, c, AS_OF, self.rt) for c in self.cases]
        self.texts = [native_text(self.rt.builder.build(c, AS_OF, "", f"n{i}", v.extras))
                      for i, (c, v) in enumerate(zip(self.cases, self.vals, strict=True))]
        self.raw_facts = [self.rt.builder.build(c, AS_OF, "raw", f"w{i}", v.extras)
                          for i, (c, v) in enumerate(zip(self.cases, self.vals, strict=True))]
        self.raw = raw_engine(self.rt.compiled.ruleset, "pipeline_raw") if raw else None
        self.seconds = Counter[str]()
        self.stage_seconds = Counter[str]()
        self.found: dict[str, list[Any]] = {key: [None] * n for key in
                                            ("dict", "case", "layer", "native", "raw", "stages")}

    def evaluate_dict(self, part: range) -> None:
        out = self.found["dict"]
        pack, data = self.pack, self.data
        t0 = clock()
        for i in part:
            out[i] = riskreview.evaluate(data[i], as_of=AS_OF, pack=pack)
        self.seconds["dict"] += clock() - t0

    def evaluate_case(self, part: range) -> None:
        out = self.found["case"]
        pack, cases = self.pack, self.cases
        t0 = clock()
        for i in part:
            out[i] = riskreview.evaluate(cases[i], as_of=AS_OF, pack=pack)
        self.seconds["case"] += clock() - t0

    def engine_layer(self, part: range) -> None:
        out = self.found["layer"]
        rt, cases, vals = self.rt, self.cases, self.vals
        t0 = clock()
        for i in part:
            case = cases[i]
            out[i] = stage_engine(rt, stage_facts(rt, case, AS_OF, vals[i]), case.case_id)
        self.seconds["layer"] += clock() - t0

    def native_floor(self, part: range) -> None:
        out = self.found["native"]
        rt, texts = self.rt, self.texts
        t0 = clock()
        for i in part:
            out[i] = native_run(rt, texts[i])
        self.seconds["native"] += clock() - t0

    def raw_durable(self, part: range) -> None:
        if self.raw is None:
            return
        host, matches = self.raw
        out, facts = self.found["raw"], self.raw_facts
        t0 = clock()
        for i in part:
            first = len(matches)
            host.assert_facts("pipeline_raw", facts[i])
            host.retract_facts("pipeline_raw", facts[i])
            out[i] = len(matches) - first
        self.seconds["raw"] += clock() - t0

    def stages(self, part: range) -> None:
        out, spent = self.found["stages"], self.stage_seconds
        pack, data = self.pack, self.data
        for i in part:
            t0 = clock()
            case = Case.from_dict(data[i])
            t1 = clock()
            epoch, rt = stage_runtime(pack, AS_OF)
            t2 = clock()
            vals = stage_values(pack, case, AS_OF, rt)
            t3 = clock()
            facts = stage_facts(rt, case, AS_OF, vals)
            t4 = clock()
            matches = stage_engine(rt, facts, case.case_id)
            t5 = clock()
            found = stage_outcomes(rt, matches)
            t6 = clock()
            ref, walked = stage_walk(pack, case, AS_OF, rt, vals, found)
            t7 = clock()
            assembled = stage_assembly(pack, ref, rt, found, walked, vals)
            t8 = clock()
            digest = stage_digest(case)
            t9 = clock()
            out[i] = stage_decision(case, AS_OF, pack, epoch, digest, assembled)
            t10 = clock()
            for (key, _), a, b in zip(STAGES, (t0, t1, t2, t3, t4, t5, t6, t7, t8, t9),
                                      (t1, t2, t3, t4, t5, t6, t7, t8, t9, t10), strict=True):
                spent[key] += b - a

    def disagreements(self) -> list[str]:
        f = self.found
        problems = []
        layer = [len(m) for m in f["layer"]]
        if layer != f["native"]:
            problems.append("the native floor drained a different number of matches")
        if self.raw is not None and layer != f["raw"]:
            problems.append("raw durable-rules found a different number of matches")
        if f["stages"] != f["case"]:
            problems.append("the stage-by-stage decision differs from evaluate(Case)'s")
        if f["dict"] != f["case"]:
            problems.append("evaluate(dict) and evaluate(Case) decided differently")
        return problems


def latency(run: Run, freeze: bool) -> dict[str, Any]:
    """One evaluate(dict) at a time, each timed (wall and CPU); gen-2 collections counted."""
    modes = ["as is", "after gc.freeze()"] if freeze else ["as is"]
    wall: dict[str, list[float]] = {m: [] for m in modes}
    cpu: dict[str, list[float]] = {m: [] for m in modes}
    pauses: dict[str, list[float]] = {m: [] for m in modes}
    current = {"mode": modes[0], "began": 0.0}

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            current["began"] = time.perf_counter()
        else:
            pauses[str(current["mode"])].append(time.perf_counter() - float(current["began"]))

    pack, data = run.pack, run.data
    gc.callbacks.append(on_gc)
    try:
        for turn, low in enumerate(range(0, len(data), CHUNK)):
            for k in range(len(modes)):  # every chunk in each mode, taking turns to go first
                mode = modes[(turn + k) % len(modes)]
                current["mode"] = mode
                if mode != "as is":
                    gc.freeze()
                for i in range(low, min(len(data), low + CHUNK)):
                    w0, c0 = time.perf_counter(), clock()
                    riskreview.evaluate(data[i], as_of=AS_OF, pack=pack)
                    c1, w1 = clock(), time.perf_counter()
                    wall[mode].append(w1 - w0)
                    cpu[mode].append(c1 - c0)
                if mode != "as is":
                    gc.unfreeze()
    finally:
        gc.callbacks.remove(on_gc)

    def spread(values: list[float]) -> dict[str, float]:
        ms = sorted(v * 1000 for v in values)
        return {"p50": statistics.median(ms), "p99": ms[min(len(ms) - 1, int(0.99 * len(ms)))],
                "max": ms[-1]}

    return {mode: {"cases": len(wall[mode]), "wall_ms": spread(wall[mode]),
                   "cpu_ms": spread(cpu[mode]), "gen2_collections": len(pauses[mode]),
                   "gen2_pause_ms_total": sum(pauses[mode]) * 1000,
                   "gen2_pause_ms_max": max(pauses[mode], default=0.0) * 1000}
            for mode in modes}


def goal_ratios(us: dict[str, float]) -> dict[str, float]:
    """The two ratios the goals are stated in, as throughputs, from µs per case."""
    return {
        "evaluate_dict_over_engine_layer": us["layer"] / us["dict"],
        "engine_layer_over_native_floor": us["native"] / us["layer"],
    }


def plain_loops(run: Run, n: int) -> dict[str, float]:
    """µs per case of passes 1 to 4 each run alone over every case, best of 3: what a
    caller looping over one kind of call sees. Interleaved, each pass also pays for
    collecting what the pass before it left (its decisions, its facts), so their
    figures shift between passes from one commit to the next while these do not."""
    out = {}
    for key, step in (("dict", run.evaluate_dict), ("case", run.evaluate_case),
                      ("layer", run.engine_layer), ("native", run.native_floor)):
        best = float("inf")
        for _ in range(3):
            before = run.seconds[key]
            step(range(n))
            best = min(best, run.seconds[key] - before)
        out[key] = best / n * 1e6
    return out


def measure(n: int, seed: int, raw: bool, freeze: bool) -> dict[str, Any]:
    load_start = load()
    run = Run(n, seed, raw)
    warm = range(min(n, 20))
    passes: list[Callable[[range], None]] = [run.evaluate_dict, run.evaluate_case,
                                             run.engine_layer, run.native_floor,
                                             run.raw_durable, run.stages]
    for step in passes:  # warm-up: calendars, caches, first-call costs
        step(warm)
    run.seconds.clear()
    run.stage_seconds.clear()
    gen2_before = gc.get_stats()[2]["collections"]
    for turn, low in enumerate(range(0, n, CHUNK)):
        part = range(low, min(n, low + CHUNK))
        for k in range(len(passes)):
            passes[(turn + k) % len(passes)](part)
    gen2_passes = gc.get_stats()[2]["collections"] - gen2_before
    problems = run.disagreements()
    us = {key: seconds / n * 1e6 for key, seconds in run.seconds.items()}
    lat = latency(run, freeze)
    alone = plain_loops(run, n)
    load_end = load()

    stage_us = {key: run.stage_seconds[key] / n * 1e6 for key, _ in STAGES}
    matches = [len(m) for m in run.found["layer"]]
    return {
        "cases": n,
        "seed": seed,
        "as_of": AS_OF.isoformat(),
        "clock": "time.process_time: CPU time of this process",
        "pack": {"name": run.pack.name, "version": run.pack.version,
                 "rules": len(run.pack.rules), "lanes": len(run.rt.compiled.lanes),
                 "facts_per_case": 2 * len(run.rt.compiled.lanes)},
        "matches_per_case": statistics.mean(matches),
        "microseconds_per_case": us,
        "stage_microseconds_per_case": stage_us,
        "stage_sum_microseconds": sum(stage_us.values()),
        "timer_read_microseconds": timer_cost() * 1e6,
        "ratios": {
            **goal_ratios(us),
            "evaluate_case_over_raw_durable": us["raw"] / us["case"] if raw else None,
            "evaluate_dict_over_raw_durable": us["raw"] / us["dict"] if raw else None,
        },
        "goals": {"evaluate_dict_over_engine_layer": 0.80, "engine_layer_over_native_floor": 0.50},
        "plain_loops_microseconds_per_case": alone,
        "plain_loops_ratios": goal_ratios(alone),
        "gen2_collections_during_passes": gen2_passes,
        "latency_evaluate_dict": lat,
        "load_average": {"start": load_start, "end": load_end},
        "disagreements": problems,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def report(f: dict[str, Any]) -> str:
    us, st = f["microseconds_per_case"], f["stage_microseconds_per_case"]
    r, p = f["ratios"], f["pack"]
    la = f["load_average"]

    def row(label: str, micro: float, extra: str = "") -> str:
        rate = 1e6 / micro if micro else float("inf")
        return f"  {label:<52}{micro:>9,.0f}{rate:>10,.0f}  {extra}".rstrip()

    def verdict(value: float, goal: float) -> str:
        return "met" if value >= goal else "NOT met"

    def engine_passes(times: dict[str, float]) -> list[str]:
        return [row("1 riskreview.evaluate(dict)", times["dict"]),
                row("2 riskreview.evaluate(Case)", times["case"]),
                row("3 engine layer: facts + Engine.run", times["layer"]),
                row("4 native floor: assert, drain, retract", times["native"])]

    def ratio_lines(ratios: dict[str, float], times: dict[str, float]) -> list[str]:
        dict_layer = ratios["evaluate_dict_over_engine_layer"]
        layer_native = ratios["engine_layer_over_native_floor"]
        # the two goals multiply: evaluate(dict) ÷ native floor ≥ 0.80 × 0.50, whatever
        # the engine layer costs; so evaluate(dict) may cost 2.5 native floors at most
        both = dict_layer * layer_native
        ceiling = times["native"] / (0.80 * 0.50)
        return [f"    evaluate(dict) ÷ engine layer   {dict_layer:6.3f}  "
                f"goal ≥ 0.80: {verdict(dict_layer, 0.80)}",
                f"    engine layer ÷ native floor     {layer_native:6.3f}  "
                f"goal ≥ 0.50: {verdict(layer_native, 0.50)}",
                f"    both: evaluate(dict) ÷ native   {both:6.3f}  needs ≥ 0.40: evaluate(dict) "
                f"within {ceiling:,.0f} µs (2.5 native floors), against {times['dict']:,.0f} µs"]

    lines = [
        f"pipeline: {f['cases']:,} synthetic cases (seed {f['seed']}), as_of {f['as_of']}; "
        f"pack {p['name']} {p['version']}: {p['rules']} rules, {p['lanes']} lanes = "
        f"{p['facts_per_case']} facts a case, {f['matches_per_case']:.1f} matches a case",
        f"CPU time per case ({f['clock']}); passes interleaved {CHUNK} cases at a time",
        f"load average (1/5/15 min): {' '.join(f'{x:.2f}' for x in la['start'])} at start, "
        f"{' '.join(f'{x:.2f}' for x in la['end'])} at end ({os.cpu_count()} CPUs)",
        "",
        f"  {'pass':<52}{'µs/case':>9}{'cases/s':>10}",
        *engine_passes(us),
    ]
    if "raw" in us:
        lines.append(row("5 raw durable-rules: a Python action per match", us["raw"]))
    total = f["stage_sum_microseconds"]
    lines += ["", f"  {'stages of evaluate(dict), each timed alone':<52}{'µs/case':>9}"
              f"{'share':>10}"]
    for key, label in STAGES:
        lines.append(f"    {label:<50}{st[key]:>9,.0f}{st[key] / total:>10.1%}")
    lines += [
        f"    {'sum of the stages':<50}{total:>9,.0f}",
        f"    (evaluate(dict) in pass 1: {us['dict']:,.0f} µs; each of the 11 clock reads a case "
        f"costs {f['timer_read_microseconds']:.2f} µs)",
        f"    engine run less the native floor (JSON, reading matches, accounting): "
        f"{st['engine'] - us['native']:,.0f} µs",
        "",
        "  ratios (throughput, same run)",
        *ratio_lines(r, us),
    ]
    if r["evaluate_case_over_raw_durable"] is not None:
        lines.append(f"    evaluate(Case) ÷ raw durable    "
                     f"{r['evaluate_case_over_raw_durable']:6.3f}  "
                     f"(evaluate(dict) ÷ raw: {r['evaluate_dict_over_raw_durable']:.3f})")
    lines += [
        "",
        f"  {'passes 1-4 each alone over every case, best of 3':<52}{'µs/case':>9}{'cases/s':>10}",
        *engine_passes(f["plain_loops_microseconds_per_case"]),
        *ratio_lines(f["plain_loops_ratios"], f["plain_loops_microseconds_per_case"]),
    ]
    lines += ["", f"  gen-2 collections during the passes: {f['gen2_collections_during_passes']}",
              "", f"  {'latency of one evaluate(dict), each call timed alone':<55}"
              f"{'p50':>8}{'p99':>8}{'max':>8}  ms"]
    for mode, figures in f["latency_evaluate_dict"].items():
        for kind, label in (("wall_ms", "wall clock"), ("cpu_ms", "CPU")):
            s = figures[kind]
            lines.append(f"    {mode + ', ' + label:<53}{s['p50']:>8.2f}{s['p99']:>8.2f}"
                         f"{s['max']:>8.2f}")
        lines.append(f"    {mode}: {figures['cases']:,} cases, {figures['gen2_collections']} gen-2 "
                     f"collections ({figures['gen2_pause_ms_total']:.1f} ms in all, longest "
                     f"{figures['gen2_pause_ms_max']:.1f} ms)")
    if f["disagreements"]:
        lines += ["", *(f"  DISAGREEMENT: {d}" for d in f["disagreements"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="synthetic cases (2000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw durable-rules pass")
    parser.add_argument("--freeze", action="store_true",
                        help="time latency also after gc.freeze(), in alternate chunks")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON output ({RESULTS})")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    figures = measure(args.cases, args.seed, not args.no_raw, args.freeze)
    print(report(figures))
    print(f"\nwritten: {save(figures, args.out)}")
    return 1 if figures["disagreements"] else 0


if __name__ == "__main__":
    sys.exit(main())
