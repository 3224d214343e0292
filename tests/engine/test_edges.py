"""The engine's sharp edges, each shown real on raw durable-rules and fenced in riskreview.

For every edge of ENGINE-NOTES.md (#1-#17 and the edges of its API) and for the
edges measured on this machine since, (a)-(g), there are two kinds of test:

* ``raw``: a short script run on bare durable-rules 2.0.28 in a child process
  (``_raw.run_raw``) shows that the hazard is real: a segmentation fault is a
  negative return code, a hang a ``TimeoutExpired``, a silent loss a wrong
  result. If the engine ever changed, these tests would say so.
* ``guard``: a test through riskreview's public API, its engine layer
  (``riskreview._engine.Engine``) or its compiler proves that riskreview cannot
  reach the edge.

Edges measured beyond ENGINE-NOTES.md:

(a) a rule that the session's own state object can match (``$ex`` on ``id``, a bare
    ``$nex``) re-fires forever: ``assert_facts`` never returns;
(b) ``$iall`` over an empty list is false;
(c) an object with 255 or more properties in an ``assert_facts`` batch is a
    segmentation fault (alone, it is error 302);
(d) an ``$or`` inside ``$iany`` is evaluated wrongly (a true first disjunct is lost);
(e) when one fact of a batch matches no rule, the call raises and the actions of
    the *other* facts do not run (they run during the next call, for another case);
(f) a top-level ``$or`` fires its action once per matching disjunct, and each
    firing counts toward the 64-match limit;
(g) a rule with 16 or more ``$and``/``$or`` nodes is refused when the ruleset is
    created (error 113, MAX_SEQUENCE_EXPRESSIONS in rete.h).

Where this machine measured differently from ENGINE-NOTES.md, the raw tests assert
what was measured: #6 is refused from 255 properties; #13 gave no segmentation
fault within seconds, but two threads lose actions (``assert`` returns before they
ran); #15 hangs from 513 children of one node; an alias named ``c`` works, while
aliases named like the action context's own attributes (``s``, ``m``) read the
wrong thing.

Two guards began as reports of bugs in riskreview itself, not in the engine: the
number of lanes was not bounded (a pack needing 513 lanes hung ``load_pack``), and a
literal beyond the encoding of unknown (BIG) made an unknown value read as "no".
Both are fixed; the two tests now assert the fix (the pack is refused at load,
naming the limit) and fail if it is lost.
"""

from __future__ import annotations

import copy
import inspect
import itertools
import json
import random
import subprocess
import threading
import types
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import durable.engine
import pytest
from _raw import run_python, run_raw

import riskreview
from riskreview import CaseError, EngineError, PackError, _match, _runtime
from riskreview._compile import (
    LANE_PATHS,
    MAX_BOUND,
    MAX_OBJECT_PROPS,
    MAX_SIBLINGS,
    max_siblings,
)
from riskreview._engine import Engine
from riskreview._reference import Reference
from riskreview.case import Case

HANG = 2.0  # seconds a hanging child gets before it is killed (the same script
#            with the hazard removed finishes in about 0.1 s)
AS_OF = date(2026, 1, 5)
LOAD_TIMEOUT = 12.0  # loading the 520-rule pack takes about 1.5 s on this machine


# ---------------------------------------------------------------------------- helpers


def rule_names_of(rt: Any) -> dict[str, str]:
    """Engine rule name → policy rule id, as riskreview's runtime builds it."""
    return {f"r{cr.index}": cr.rule.id for cr in rt.compiled.rules}


def walk(node: Any, keys: tuple[str, ...] = ()) -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Every node of a JSON value with the dict keys on the way down to it."""
    yield node, keys
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*keys, key))
    elif isinstance(node, list):
        for value in node:
            yield from walk(value, keys)


def objects_of(fact: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The fact itself and every object in its lists (the engine sizes each separately)."""
    yield fact
    for value in fact.values():
        if isinstance(value, list):
            yield from value


_ACTIONS = {"ACT": {"title": "Act", "area": "test", "priority": "medium"}}


def write_pack(
    root: Path, rules: list[dict[str, Any]], conditions: dict[str, Any] | None = None
) -> Path:
    """A minimal pack folder: one action ``ACT``, the given rules (``id`` and ``when``)
    and named conditions. JSON is YAML; one rule a line keeps large packs quick to read."""
    (root / "rules").mkdir(parents=True)
    (root / "pack.yaml").write_text("name: edge-test\nversion: '1'\neffective_from: 2024-01-01\n")
    (root / "actions.yaml").write_text(json.dumps({"actions": _ACTIONS}))
    if conditions:
        named = {name: {"description": name, "when": when} for name, when in conditions.items()}
        (root / "conditions.yaml").write_text(json.dumps({"conditions": named}))
    lines = ["rules:"]
    for rule in rules:
        full = {
            "title": rule["id"],
            "area": "test",
            "action": "ACT",
            "source": "test",
            "rationale": "test",
            **rule,
        }
        lines.append(f"  - {json.dumps(full)}")
    (root / "rules" / "rules.yaml").write_text("\n".join(lines) + "\n")
    return root


def outcomes_by_id(decision: riskreview.Decision) -> dict[str, str]:
    assert decision.trace is not None
    return {o.rule_id: o.outcome for o in decision.trace}


_CATEGORIES = [
    "domestic_abuse",
    "sexual",
    "violence",
    "offence_against_children",
    "stalking",
    "non_fatal_strangulation",
    "child_cruelty_or_neglect",
    "burglary",
    "drugs",
]
_REGISTRATIONS = [
    "domestic_abuse_perpetrator",
    "domestic_abuse_history",
    "child_protection",
    "child_concerns",
    "mappa",
    "registered_sexual_offender",
    "high_rosh",
]
_EVENTS = [
    "new_relationship",
    "arrest",
    "domestic_abuse_callout",
    "separation",
    "charge",
    "change_of_address",
    "birth_of_child",
]
_LEVELS = ["low", "medium", "high", "very_high"]


def varied_cases(n: int, seed: int = 2024) -> list[tuple[Case, date]]:
    """``n`` deterministic, varied cases (each with its own as_of), unknowns included."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        as_of = date(2024, 3, 1) + timedelta(days=rng.randrange(900))

        def maybe(value: Any, p: float = 0.3) -> Any:
            return None if rng.random() < p else value

        def day(lo: int, hi: int, as_of: date = as_of) -> str:
            return (as_of - timedelta(days=rng.randint(lo, hi))).isoformat()

        def flag() -> bool | None:
            return maybe(rng.random() < 0.5)

        children = [{"lives_with": flag(), "contact": flag()} for _ in range(rng.randrange(4))]
        data = {
            "case_id": f"V{i}",
            "supervision": {"start_date": maybe(day(30, 600))},
            "index_offence": {"categories": maybe(rng.sample(_CATEGORIES, rng.randrange(3)))},
            "offending_history": maybe(
                [
                    {"categories": maybe(rng.sample(_CATEGORIES, 1)), "date": day(700, 4000)}
                    for _ in range(rng.randrange(3))
                ]
            ),
            "concerns": maybe(
                [
                    {"categories": maybe(rng.sample(_CATEGORIES, 1)), "date": day(0, 900)}
                    for _ in range(rng.randrange(2))
                ]
            ),
            "registrations": maybe(rng.sample(_REGISTRATIONS, rng.randrange(3))),
            "risk": {
                "screening_date": maybe(day(60, 500)),
                "full_analysis_date": maybe(day(30, 400), 0.6),
                "last_review_date": maybe(day(0, 300), 0.5),
                "levels": {
                    "children": maybe(rng.choice(_LEVELS)),
                    "public": maybe(rng.choice(_LEVELS)),
                },
            },
            "household": {"children_in_contact": flag(), "children": maybe(children)},
            "checks": {
                "police_domestic_abuse": maybe({"requested_date": day(0, 400)}),
                "childrens_social_care": maybe({"requested_date": day(0, 400)}),
            },
            "domestic_abuse": {"dvds_considered_date": maybe(day(0, 300), 0.6)},
            "events": maybe(
                [
                    {"type": rng.choice(_EVENTS), "date": maybe(day(0, 400), 0.1)}
                    for _ in range(rng.randrange(5))
                ]
            ),
        }
        out.append((Case.from_dict(data), as_of))
    return out


@pytest.fixture(scope="module")
def pack() -> riskreview.Pack:
    return riskreview.default_pack()


@pytest.fixture(scope="module")
def runtimes(pack: riskreview.Pack) -> list[Any]:
    """The default pack compiled for every one of its policy periods."""
    return [_runtime.runtime(pack, epoch) for epoch in pack.change_dates]


@pytest.fixture(scope="module")
def rt(pack: riskreview.Pack) -> Any:
    """The default pack's runtime for the period containing AS_OF."""
    return _runtime.runtime(pack, pack.epoch(AS_OF))


@pytest.fixture(scope="module")
def cases() -> list[tuple[Case, date]]:
    return varied_cases(150)


class NativeCalls:
    """Every call into the durable C extension: by name, with the sids it carried."""

    def __init__(self) -> None:
        self.names: Counter[str] = Counter()
        self.sids: set[Any] = set()
        self.events: list[tuple[int, str, str]] = []  # (thread, function, enter|exit)
        self._lock = threading.Lock()

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            me = threading.get_ident()
            with self._lock:
                self.names[name] += 1
                self.events.append((me, name, "enter"))
                if name in ("assert_facts", "retract_facts", "assert_fact", "retract_fact"):
                    payload = json.loads(args[1])
                    for fact in payload if isinstance(payload, list) else [payload]:
                        self.sids.add(fact.get("sid", "<none>"))
            try:
                return function(*args)
            finally:
                with self._lock:
                    self.events.append((me, name, "exit"))

        return call

    def interleavings(self) -> int:
        """Native calls made by one thread while another was between its assert and retract."""
        owner = None
        bad = 0
        for thread, name, kind in self.events:
            if owner is not None and thread != owner:
                bad += 1
            if name == "assert_facts" and kind == "enter":
                owner = thread
            elif name == "retract_facts" and kind == "exit":
                owner = None
        return bad


@pytest.fixture
def native(monkeypatch: pytest.MonkeyPatch) -> NativeCalls:
    """Record every call riskreview makes into ``durable_rules_engine`` during a test."""
    log = NativeCalls()
    module = durable.engine.durable_rules_engine
    for name in dir(module):
        function = getattr(module, name)
        if isinstance(function, types.BuiltinFunctionType):
            monkeypatch.setattr(module, name, log.wrap(name, function))
    return log


def engine_truths(rt: Any, case: Case, as_of: date) -> dict[str, bool | None]:
    """Rule id → fired (True), undetermined (None) or not (False), by the engine."""
    found = _match.match(rt, case, as_of)
    value = {"fired": True, "undetermined": None, "not_fired": False}
    rule_id = {cr.index: cr.rule.id for cr in rt.compiled.rules}
    return {rule_id[index]: value[outcome] for index, outcome in found.items()}


def reference_truths(
    pack: riskreview.Pack, rt: Any, case: Case, as_of: date
) -> dict[str, bool | None]:
    """The same, by the pure-Python reference evaluator."""
    ref = Reference(case, as_of, pack.parameter, rt.calendar)
    return {cr.rule.id: ref.evaluate(cr.rule.when).truth for cr in rt.compiled.rules}


# ============================================================ no silent loss, overall


def test_engine_and_reference_evaluator_agree_on_every_rule_of_varied_cases(
    pack: riskreview.Pack, cases: list[tuple[Case, date]]
) -> None:
    """The sum of every fence: no match is lost, none invented, unknown stays unknown."""
    seen: Counter[bool | None] = Counter()
    for case, as_of in cases:
        rt = _runtime.runtime(pack, pack.epoch(as_of))
        engine = engine_truths(rt, case, as_of)
        assert engine == reference_truths(pack, rt, case, as_of), case.case_id
        seen.update(engine.values())
    assert seen[True] and seen[None] and seen[False]  # all three outcomes were exercised


# ============================================================ 1: post() sends events


def test_e01_raw_posted_events_are_consumed_by_the_first_rule_that_matches() -> None:
    run = run_raw("""
        rules = {f"r{i}": {"x": 1} for i in range(3)}
        events, fired_events = recording_host(rules, "events")
        facts, fired_facts = recording_host(rules, "facts")
        for i in range(10):
            events.post("events", {"id": i, "sid": "s", "x": 1})
            facts.assert_fact("facts", {"id": i, "sid": "s", "x": 1})
        report([len(fired_events), len(fired_facts)])
    """)
    assert run.result == [10, 30]  # 3 rules should fire per case: events lose two in three


def test_e01_guard_case_state_is_asserted_as_facts_never_posted(
    native: NativeCalls, cases: list[tuple[Case, date]]
) -> None:
    for case, as_of in cases[:50]:
        riskreview.evaluate(case, as_of=as_of)
    assert native.names["assert_facts"] == 50
    assert native.names["assert_event"] == native.names["assert_events"] == 0
    assert native.names["assert_fact"] == 0  # one batch per case, as measured fastest


def test_e01_guard_every_rule_that_should_fire_on_one_case_fires(
    pack: riskreview.Pack, rt: Any
) -> None:
    case = Case.from_dict(
        {
            "case_id": "MANY",
            "household": {"children_in_contact": True},
            "index_offence": {"categories": ["domestic_abuse"]},
            "risk": {"last_review_date": "2024-01-02"},
            "events": [
                {"type": "new_relationship", "date": "2025-12-01"},
                {"type": "arrest", "date": "2025-12-02"},
            ],
        }
    )
    truths = engine_truths(rt, case, AS_OF)
    assert truths == reference_truths(pack, rt, case, AS_OF)
    assert sum(1 for t in truths.values() if t) >= 5


# ============================================================ 2: split conditions join facts


def test_e02_raw_two_patterns_never_fire_on_one_fact_but_one_and_does() -> None:
    run = run_raw("""
        split = {"all": [{"m": {"$gt": {"a": 0}}}, {"m_1": {"b": True}}], "run": "split"}
        joined = {"all": [{"m": {"$and": [{"$gt": {"a": 0}}, {"b": True}]}}], "run": "joined"}
        fired = []
        host = Host({"split": lambda c: fired.append("split"),
                     "joined": lambda c: fired.append("joined")})
        host.set_rulesets({"rs": {"split": split, "joined": joined}})
        host.assert_fact("rs", {"id": 1, "sid": "s", "a": 1, "b": True})
        report(fired)
    """)
    assert run.result == ["joined"]


def test_e02_guard_every_rule_is_one_and_over_one_fact(runtimes: list[Any]) -> None:
    for rt in runtimes:
        for name, rule in rt.compiled.ruleset.items():
            assert set(rule) == {"all", "run"}, name
            assert len(rule["all"]) == 1 and list(rule["all"][0]) == ["m"], name
            assert list(rule["all"][0]["m"]) == ["$and"], name


# ============================================================ 3: content-hash ids


def test_e03_raw_facts_without_id_are_one_fact_and_the_second_raises() -> None:
    run = run_raw("""
        host, fired = recording_host({"r": {"x": 1}})
        host.assert_fact("rs", {"sid": "s", "x": 1})
        try:
            host.assert_fact("rs", {"sid": "s", "x": 1})
            second = "accepted"
        except engine.MessageObservedException:
            second = "MessageObservedException"
        report([second, len(fired)])
    """)
    assert run.result == ["MessageObservedException", 1]


def test_e03_guard_every_fact_has_an_explicit_id_unique_across_builds(
    rt: Any, cases: list[tuple[Case, date]]
) -> None:
    case, as_of = cases[0]
    first = rt.builder.build(case, as_of, "", _match.tag())
    again = rt.builder.build(case, as_of, "", _match.tag())
    ids = [f["id"] for f in first + again]
    assert len(ids) == len(set(ids)) == 2 * len(first)
    assert all(isinstance(i, str) and i for i in ids)


def test_e03_guard_the_same_case_twice_gives_the_same_decision() -> None:
    case = {"case_id": "TWICE", "household": {"children_in_contact": True}}
    first = riskreview.evaluate(case, as_of=AS_OF)
    second = riskreview.evaluate(case, as_of=AS_OF)
    assert first.to_json() == second.to_json()
    assert first.actions


# ============================================================ 4: strings compared with numbers


def test_e04_raw_strings_compare_as_text_and_null_or_true_silently_fail() -> None:
    run = run_raw("""
        host, fired = recording_host({"r": {"$gte": {"n": 75}}})
        for i, value in enumerate(["9", "100", 100, 9, None, True]):
            quietly(host.assert_fact, "rs", {"id": i, "sid": "s", "n": value})
        report([fact_id for _, fact_id in fired])
    """)
    # "9" >= 75 matched, "100" >= 75 did not; None and True silently did not
    assert run.result == [0, 2]


def test_e04_guard_every_tested_value_is_an_int(rt: Any, cases: list[tuple[Case, date]]) -> None:
    """Only the id, the sid and the constant tag ``t`` are text; everything tested is int."""
    for case, as_of in cases:
        for fact in rt.builder.build(case, as_of, "", _match.tag()):
            text = {k for k, v in fact.items() if type(v) is str}
            assert text == {"id", "sid", "t"} and fact["t"] == "c"
            assert fact["v"] in (0, 1)
            for key, value in fact.items():
                if key in text:
                    continue
                if isinstance(value, list):
                    assert all(type(v) is int for item in value for v in item.values()), key
                else:
                    assert type(value) is int, key


def test_e04_guard_every_rule_constant_is_an_int_except_the_fact_tag(runtimes: list[Any]) -> None:
    for rt in runtimes:
        for node, keys in walk(rt.compiled.ruleset):
            if isinstance(node, dict | list) or (keys and keys[-1] == "run"):
                continue
            if keys and keys[-1] == "t":
                assert node == "c"
            else:
                assert type(node) is int, (keys, node)


@pytest.mark.parametrize("value", ["9", True, 9.0, None])
def test_e04_guard_a_mistyped_number_is_a_case_error_before_the_engine(value: Any) -> None:
    data = {"case_id": "T", "domestic_abuse": {"dash_score": value}}
    if value is None:
        assert Case.from_dict(data).domestic_abuse.dash_score is None  # None means unknown
        return
    with pytest.raises(CaseError, match=r"\$\.domestic_abuse\.dash_score"):
        riskreview.evaluate(data, as_of=AS_OF)


# ============================================================ 5 and (f): 64 matches per fact


def test_e05_raw_65_matching_rules_reject_the_whole_fact() -> None:
    run = run_raw("""
        out = []
        for n in (64, 65):
            host, fired = recording_host({f"r{i}": {"$gte": {"x": i}} for i in range(n)})
            try:
                host.assert_fact("rs", {"id": 1, "sid": "s", "x": 1000})
                error = None
            except Exception as e:
                error = str(e)
            out.append([len(fired), error])
        report(out)
    """)
    assert run.result == [[64, None], [0, "Could not assert fact, error code: 303"]]


def test_f_raw_a_top_level_or_fires_once_per_matching_disjunct_and_counts_to_64() -> None:
    run = run_raw("""
        host, fired = recording_host({"r": {"$or": [{"$gte": {"x": 1}}, {"$gte": {"y": 1}},
                                                    {"$gte": {"z": 1}}]}})
        host.assert_fact("rs", {"id": 1, "sid": "s", "x": 1, "y": 1, "z": 0})
        once = len(fired)
        rules = {f"r{i}": {"$or": [{"$gte": {"x": i}}, {"$gte": {"y": i}}, {"$gte": {"z": i}}]}
                 for i in range(22)}
        host, fired = recording_host(rules, "many")
        try:
            host.assert_fact("many", {"id": 1, "sid": "s", "x": 99, "y": 99, "z": 99})
            error = None
        except Exception as e:
            error = str(e)
        report([once, len(fired), error])
    """)
    # one rule fired twice; 22 rules x 3 disjuncts = 66 > 64: the fact is rejected
    assert run.result == [2, 0, "Could not assert fact, error code: 303"]


def test_e05_guard_no_lane_can_match_more_than_64_paths(runtimes: list[Any]) -> None:
    assert LANE_PATHS + 1 <= 64  # a lane's rules plus its catch-all
    for rt in runtimes:
        by_index = {cr.index: cr for cr in rt.compiled.rules}
        for lane in rt.compiled.lanes:
            assert sum(by_index[i].paths for i in lane.rules) <= LANE_PATHS


def test_e05_guard_the_most_unknown_case_stays_within_64_matches_per_fact(rt: Any) -> None:
    """With everything unknown the 'possible' facts match as much as they ever can."""
    facts = rt.builder.build(Case(case_id="UNKNOWN"), AS_OF, "", _match.tag())
    matches = rt.engine.run(facts)
    per_fact = Counter(variant_lane for variant_lane in _lane_of_matches(rt, matches))
    assert per_fact and max(per_fact.values()) <= 64


def _lane_of_matches(rt: Any, matches: list[tuple[str, int]]) -> Iterator[tuple[int, int]]:
    lane_of = {f"r{i}": lane.number for lane in rt.compiled.lanes for i in lane.rules}
    lane_of.update({f"k{lane.number}": lane.number for lane in rt.compiled.lanes})
    for name, variant in matches:
        yield lane_of[name], variant


def _alternatives(n: int) -> dict[str, Any]:
    """``any`` of ``n`` tests of the arrests among the events, one comparison each:
    ``n`` engine paths (alternatives over the case's own values, or over any items
    of one list, fold into one property; those naming a part of a list do not)."""
    return {"any": [_older_arrest(k) for k in range(n)]}


def _older_arrest(k: int) -> dict[str, Any]:
    return {"events": {"any": {"type": "arrest", "date": {"older_than": {"days": 100 + k}}}}}


#: an arrest older than every ``_older_arrest`` window used here
_OLD_ARREST = [{"type": "arrest", "date": "2020-01-01"}]


def test_f_guard_compiled_paths_are_exactly_the_firings_of_a_rule(tmp_path: Path) -> None:
    pack = riskreview.load_pack(
        write_pack(tmp_path / "p", [{"id": "FIVE", "when": _alternatives(5)}])
    )
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    (rule,) = rt.compiled.rules
    assert rule.paths == 5
    old = Case.from_dict({"case_id": "OLD", "events": _OLD_ARREST})
    matches = Counter(rt.engine.run(rt.builder.build(old, AS_OF, "", _match.tag())))
    assert matches[(f"r{rule.index}", 0)] == matches[(f"r{rule.index}", 1)] == 5


def test_f_guard_alternatives_over_the_cases_own_values_are_one_path(tmp_path: Path) -> None:
    """Five alternatives over the case's own values are folded into one property the
    fact builder computes (1, 0 or unknown): one path, one firing, and the outcome
    the alternatives give in each of the three cases."""
    when = {"any": [{"person.age": {"gte": 90 + k}} for k in range(5)]}
    pack = riskreview.load_pack(write_pack(tmp_path / "p", [{"id": "FIVE", "when": when}]))
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    (rule,) = rt.compiled.rules
    assert rule.paths == 1
    old = Case.from_dict({"case_id": "OLD", "person": {"date_of_birth": "1930-01-01"}})
    matches = Counter(rt.engine.run(rt.builder.build(old, AS_OF, "", _match.tag())))
    assert matches[(f"r{rule.index}", 0)] == matches[(f"r{rule.index}", 1)] == 1
    ages = [("1930-01-01", "fired"), ("1990-01-01", "not_fired"), (None, "undetermined")]
    for born, outcome in ages:
        case = {"case_id": "A", "person": {"date_of_birth": born}}
        decision = riskreview.evaluate(case, as_of=AS_OF, pack=pack, trace=True)
        assert outcomes_by_id(decision) == {"FIVE": outcome}, born


def test_e05_guard_a_rule_with_56_alternatives_loads_and_runs_at_the_limit(tmp_path: Path) -> None:
    pack = riskreview.load_pack(
        write_pack(tmp_path / "p", [{"id": "WIDE", "when": _alternatives(56)}])
    )
    unknown = riskreview.evaluate({"case_id": "U"}, as_of=AS_OF, pack=pack, trace=True)
    old = riskreview.evaluate(
        {"case_id": "O", "events": _OLD_ARREST},
        as_of=AS_OF,
        pack=pack,
        trace=True,
    )
    assert outcomes_by_id(unknown) == {"WIDE": "undetermined"}  # 56 + catch-all matched
    assert outcomes_by_id(old) == {"WIDE": "fired"}


def test_e05_guard_a_rule_with_57_alternatives_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"rules/rules\.yaml:\d+ WIDE.*57 paths"):
        riskreview.load_pack(
            write_pack(tmp_path / "p", [{"id": "WIDE", "when": _alternatives(57)}])
        )


# ============================================================ 6 and (c): object properties


def test_e06_raw_an_object_of_255_properties_is_rejected_with_error_302() -> None:
    run = run_raw("""
        out = []
        for n in (254, 255):
            host, fired = recording_host({"r": {"x": 1}}, f"rs{n}")
            fact = {"id": 1, "sid": "s", "x": 1, **{f"p{i}": i for i in range(n - 3)}}
            try:
                host.assert_fact(f"rs{n}", fact)
                error = None
            except Exception as e:
                error = str(e)
            out.append([len(fired), error])
        report(out)
    """)
    assert run.result == [[1, None], [0, "Could not assert fact, error code: 302"]]


def test_c_raw_an_object_of_255_properties_in_a_batch_is_a_segmentation_fault() -> None:
    body = """
        host, fired = recording_host({"r": {"x": 1}})
        big = {"id": 1, "sid": "s", "x": 1, **{f"p{i}": i for i in range(N - 3)}}
        host.assert_facts("rs", [big, {"id": 2, "sid": "s", "x": 1}])
        report(len(fired))
    """
    assert run_raw(body, N=254).result == 2
    crash = run_raw(body, N=255)
    assert crash.killed_by_signal and crash.result is None


def test_e06_guard_no_engine_object_has_more_than_200_properties(
    runtimes: list[Any], cases: list[tuple[Case, date]]
) -> None:
    assert MAX_OBJECT_PROPS <= 200  # the engine refuses 255 (and crashes in a batch)
    for rt in runtimes:
        for case, as_of in [*cases, (Case(case_id="UNKNOWN"), AS_OF)]:
            for fact in rt.builder.build(case, as_of, "", _match.tag()):
                for obj in objects_of(fact):
                    assert len(obj) <= MAX_OBJECT_PROPS


def _registration_subsets(n: int) -> list[list[str]]:
    members = [m.value for m in riskreview.case.RegistrationType]
    pairs = itertools.chain(itertools.combinations(members, 2), itertools.combinations(members, 3))
    return [list(s) for s in itertools.islice(pairs, n)]


#: A lane fact holds id, sid, t, l, v and one, two properties (>= and <= sides) per tested
#: value, and riskreview keeps one more in reserve: this many values fit in one rule.
WIDEST = (MAX_OBJECT_PROPS - 7) // 2


def _broad(n: int) -> dict[str, Any]:
    """A rule testing ``n`` different values (contains_any of ``n`` different subsets)."""
    return {
        "id": "BROAD",
        "when": {"all": [{"registrations": {"contains_any": s}} for s in _registration_subsets(n)]},
    }


def test_e06_guard_the_widest_rule_that_fits_loads_and_runs(tmp_path: Path) -> None:
    pack = riskreview.load_pack(write_pack(tmp_path / "p", [_broad(WIDEST)]))
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    every = [m.value for m in riskreview.case.RegistrationType]
    case = Case.from_dict({"case_id": "R", "registrations": every})
    assert max(len(f) for f in rt.builder.build(case, AS_OF, "", _match.tag())) <= 200
    decision = riskreview.evaluate(case, as_of=AS_OF, pack=pack, trace=True)
    assert outcomes_by_id(decision) == {"BROAD": "fired"}


def test_e06_guard_one_more_tested_value_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"BROAD: reads \d+ properties of one object"):
        riskreview.load_pack(write_pack(tmp_path / "p", [_broad(WIDEST + 1)]))


# ============================================================ 7: exceptions inside actions


def test_e07_raw_an_action_exception_is_swallowed_into_the_session_state() -> None:
    run = run_raw("""
        def boom(c):
            raise ValueError("boom")
        typo = []
        host = Host({"boom": boom, "typo": lambda c: typo.append(c.mm)})
        host.set_rulesets({"rs": {"boom": {"all": [{"m": {"x": 1}}], "run": "boom"},
                                  "typo": {"all": [{"m": {"x": 2}}], "run": "typo"}}})
        state = host.assert_fact("rs", {"id": 1, "sid": "s", "x": 1})
        host.assert_fact("rs", {"id": 2, "sid": "t", "x": 2})
        report(["boom" in state.get("exception", ""),
                "boom" in host.get_state("rs", "s").get("exception", ""), typo])
    """)
    # nothing was raised; the error sits in the state; a mistyped c.mm is None
    assert run.result == [True, True, [None]]


def test_e07_guard_no_python_action_ever_runs(
    monkeypatch: pytest.MonkeyPatch, cases: list[tuple[Case, date]]
) -> None:
    """Matches are read off the engine's action queue: no action code runs, so no
    exception can be swallowed into the session state and no action can be async."""
    ran: list[Any] = []
    monkeypatch.setattr(durable.engine.Promise, "run", lambda self, c, done: ran.append(c))
    decisions = [riskreview.evaluate(case, as_of=as_of) for case, as_of in cases[:40]]
    assert ran == []
    assert any(d.actions for d in decisions)


def test_e07_guard_an_engine_refusal_during_a_run_is_an_engine_error(rt: Any) -> None:
    engine = Engine(rt.compiled.ruleset, rule_names_of(rt))
    facts = rt.builder.build(Case(case_id="D"), AS_OF, "", _match.tag())
    with pytest.raises(EngineError, match=r"the engine failed.*\(case D\)"):
        engine.run([*facts, dict(facts[0])], case_id="D")  # the same id twice
    assert engine.stored_facts() == []


@pytest.mark.parametrize(
    ("planted", "raised"),
    [(RuntimeError, EngineError), (KeyboardInterrupt, KeyboardInterrupt)],
    ids=["engine-failure-is-engine-error", "interrupt-stays-an-interrupt"],
)
def test_e07_guard_a_failure_midway_leaves_nothing_behind(
    rt: Any, monkeypatch: pytest.MonkeyPatch, planted: type[BaseException], raised: type
) -> None:
    """A failure inside the engine is an EngineError naming the case; an interrupt
    (Ctrl-C, SystemExit) is the caller's and goes on as itself, never disguised as an
    engine fault. Either way the engine is left empty and answers the next case
    exactly as a fresh engine does."""
    fresh = Engine(rt.compiled.ruleset, rule_names_of(rt))
    engine = Engine(rt.compiled.ruleset, rule_names_of(rt))
    native = durable.engine.durable_rules_engine
    real = native.complete_and_start_action
    calls = Counter[str]()

    def fail_on_the_third(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise planted
        return real(*args)

    case = Case.from_dict({"case_id": "M", "household": {"children_in_contact": True}})
    monkeypatch.setattr(native, "complete_and_start_action", fail_on_the_third)
    with pytest.raises(raised) as caught:
        engine.run(rt.builder.build(case, AS_OF, "", _match.tag()), case_id="M")
    if raised is EngineError:
        assert "(case M)" in str(caught.value)
    monkeypatch.setattr(native, "complete_and_start_action", real)
    assert engine.stored_facts() == []
    after = engine.run(rt.builder.build(case, AS_OF, "", _match.tag()))
    assert sorted(after) == sorted(fresh.run(rt.builder.build(case, AS_OF, "", _match.tag())))


# ============================================================ 8: two-parameter actions


def test_e08_raw_a_two_parameter_action_locks_the_session_and_loses_later_actions() -> None:
    run = run_raw("""
        calls = []
        host = Host({"r": lambda c, complete: calls.append(c.m["id"])})
        host.set_rulesets({"rs": {"r": {"all": [{"m": {"x": 1}}], "run": "r"}}})
        for i in range(1, 5):
            host.assert_fact("rs", {"id": i, "sid": "s", "x": 1})
        report(calls)
    """)
    assert run.result == [1]  # four facts matched; three actions never ran


def test_e08_guard_every_engine_action_takes_exactly_one_parameter(rt: Any) -> None:
    engine = Engine(rt.compiled.ruleset, rule_names_of(rt))
    ruleset = engine._host.get_ruleset(engine._name)
    assert set(ruleset._actions) == set(rt.compiled.ruleset)
    for promise in ruleset._actions.values():
        assert promise._sync is True
        assert len(inspect.signature(promise._func).parameters) == 1


# ============================================================ 9: facts without sid


def test_e09_raw_facts_without_sid_share_session_0_and_join_different_people() -> None:
    run = run_raw("""
        joined = []
        host = Host({"r": lambda c: joined.append([c.first["person"], c.second["person"]])})
        host.set_rulesets({"rs": {"r": {"all": [{"first": {"kind": "offence"}},
                                                {"second": {"kind": "child"}}], "run": "r"}}})
        quietly(host.assert_fact, "rs", {"id": 1, "kind": "offence", "person": "A"})
        quietly(host.assert_fact, "rs", {"id": 2, "kind": "child", "person": "B"})
        quietly(host.assert_fact, "rs", {"id": 3, "sid": "C", "kind": "offence", "person": "C"})
        quietly(host.assert_fact, "rs", {"id": 4, "sid": "D", "kind": "child", "person": "D"})
        report(joined)
    """)
    assert run.result == [["A", "B"]]  # A's offence joined with B's child; C and D kept apart


def test_e09_guard_every_fact_carries_the_engines_own_sid(
    native: NativeCalls, cases: list[tuple[Case, date]]
) -> None:
    for case, as_of in cases[:30]:
        riskreview.evaluate(case, as_of=as_of)
    assert native.sids == {"rr"}


# ============================================================ 10, 11, 12: session ids


def test_e10_raw_the_1025th_sid_is_a_memory_error_and_retrying_it_segfaults() -> None:
    body = """
        host, fired = recording_host({"r": {"x": 1}})
        failed = []
        for i in range(1030):
            try:
                host.assert_fact("rs", {"id": 1, "sid": f"s{i}", "x": 1})
            except MemoryError:
                failed.append(i)
        report(failed)
        host.assert_fact("rs", {"id": 2, "sid": RETRY, "x": 1})
        report("survived")
    """
    survived = run_raw(body, RETRY="s0")
    assert survived.result == "survived"
    crashed = run_raw(body, RETRY="s1024")
    assert crashed.killed_by_signal
    assert crashed.stdout.startswith("RESULT [1024, 1025, 1026, 1027, 1028, 1029]")


def test_e11_raw_delete_state_after_an_unmatched_fact_is_a_segmentation_fault() -> None:
    body = """
        host, fired = recording_host({"r": {"x": 1}})
        quietly(host.assert_fact, "rs", {"id": 1, "sid": "s", "x": X})
        host.delete_state("rs", "s")
        report("survived")
    """
    assert run_raw(body, X=1).result == "survived"
    assert run_raw(body, X=0).killed_by_signal


def test_e12_raw_sid_churn_leaves_stale_state_that_the_dispatch_loop_reads() -> None:
    body = """
        host, fired = recording_host({"r": {"x": 1}})
        for i in range(3):
            host.assert_fact("rs", {"id": 1, "sid": f"s{i}", "x": 1})
        for i in range(DELETE):
            host.delete_state("rs", f"s{i}")
        for _ in range(20):
            host.get_ruleset("rs").dispatch()  # what Host's timer thread calls every 0.2 s
        report("survived")
    """
    assert run_raw(body, DELETE=0).result == "survived"
    assert run_raw(body, DELETE=2).killed_by_signal


def test_e10_e11_e12_guard_2000_cases_use_one_sid_never_deleted(
    monkeypatch: pytest.MonkeyPatch, pack: riskreview.Pack, native: NativeCalls
) -> None:
    """Through the engine layer evaluate uses (_match.match): the decision around
    it adds nothing that touches the engine, and costs three times as much."""

    def refuse(*args: Any) -> None:
        raise AssertionError("delete_state must never be called")

    monkeypatch.setattr(durable.engine.Host, "delete_state", refuse)
    monkeypatch.setattr(durable.engine.Ruleset, "delete_state", refuse)
    for case, as_of in varied_cases(2000, seed=10):
        _match.match(_runtime.runtime(pack, pack.epoch(as_of)), case, as_of)
    assert native.names["assert_facts"] == native.names["retract_facts"] == 2000
    assert native.sids == {"rr"}
    assert native.names["delete_state"] == 0
    assert native.names["create_ruleset"] <= 3  # only for policy periods not yet compiled


def test_guard_facts_are_always_retracted(
    pack: riskreview.Pack, cases: list[tuple[Case, date]]
) -> None:
    for case, as_of in cases[:100]:
        riskreview.evaluate(case, as_of=as_of)
        assert _runtime.runtime(pack, pack.epoch(as_of)).engine.stored_facts() == []


# ============================================================ 13: threads


def test_e13_raw_two_threads_make_assert_return_before_its_actions_ran() -> None:
    run = run_raw(
        """
        fired = []
        def act(c):
            time.sleep(0.0001)  # any action that lets go of the GIL
            fired.append(c.m["id"])
        host = Host({"a": act})
        host.set_rulesets({"rs": {f"r{i}": {"all": [{"m": {"$gte": {"x": i}}}], "run": "a"}
                                  for i in range(5)}})
        asserted, early = [], []
        def work(t):
            end = time.monotonic() + 0.8
            i = 0
            while time.monotonic() < end:
                fact = {"id": f"{t}.{i}", "sid": "s", "x": 10}
                host.assert_fact("rs", fact)
                if fired.count(fact["id"]) < 5:
                    early.append(fact["id"])
                host.retract_fact("rs", fact)
                asserted.append(fact["id"])
                i += 1
        threads = [threading.Thread(target=work, args=(t,)) for t in range(2)]
        for t in threads: t.start()
        for t in threads: t.join()
        report([len(asserted) * 5, len(fired), len(early)])
    """,
        timeout=10,
    )
    expected, fired, early = run.result
    assert early > 0
    assert fired < expected  # actions silently lost


def test_e13_guard_eight_threads_never_interleave_inside_the_engine(
    native: NativeCalls, cases: list[tuple[Case, date]]
) -> None:
    chosen = cases[:32]
    serial = [riskreview.evaluate(c, as_of=a).to_json() for c, a in chosen]
    native.events.clear()

    def work(offset: int) -> list[str]:
        order = chosen[offset:] + chosen[:offset]
        return [riskreview.evaluate(c, as_of=a).to_json() for c, a in order]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(0, 32, 4)))
    for offset, got in zip(range(0, 32, 4), results, strict=True):
        assert got == serial[offset:] + serial[:offset]
    assert len({thread for thread, _, _ in native.events}) > 1
    assert native.interleavings() == 0


# ============================================================ 14: Host timer threads


def test_e14_raw_a_default_host_starts_two_timer_threads() -> None:
    run = run_raw("""
        before = threading.active_count()
        plain = engine.Host()
        report(threading.active_count() - before)
    """)
    assert run.result == 2


def test_e14_guard_the_engine_starts_no_threads(rt: Any) -> None:
    before = threading.active_count()
    engine = Engine(rt.compiled.ruleset, rule_names_of(rt))
    engine.run(rt.builder.build(Case(case_id="T"), AS_OF, "", _match.tag()))
    assert threading.active_count() == before


# ============================================================ 15: sibling count


def test_e15_raw_513_lanes_under_one_node_hang_ruleset_creation() -> None:
    body = """
        host = Host({"a": lambda c: None})
        rules = {f"k{n}": {"all": [{"m": {"$and": [{"t": "c"}, {"l": n}]}}], "run": "a"}
                 for n in range(LANES)}
        host.set_rulesets({"rs": rules})
        report("created")
    """
    assert run_raw(body, LANES=511).result == "created"
    with pytest.raises(subprocess.TimeoutExpired):
        run_raw(body, LANES=513, timeout=HANG)


def test_e15_guard_no_node_of_the_default_pack_has_more_than_400_children(
    runtimes: list[Any],
) -> None:
    for rt in runtimes:
        assert max_siblings(rt.compiled.ruleset) <= MAX_SIBLINGS < 512
        assert len(rt.compiled.lanes) <= MAX_SIBLINGS  # children of the {"t": "c"} node


def test_e15_guard_a_rule_with_401_parts_under_one_node_is_a_pack_error(tmp_path: Path) -> None:
    when = {"all": [{"person.age": {"gte": k}} for k in range(401)]}
    with pytest.raises(PackError, match=r"MANY.*401 parts"):
        riskreview.load_pack(write_pack(tmp_path / "p", [{"id": "MANY", "when": when}]))


def test_e15_guard_a_pack_needing_more_than_400_lanes_is_a_pack_error(tmp_path: Path) -> None:
    """Each lane is a child of the one ``{"t": "c"}`` node, and 513 children hang
    ``set_rulesets`` (the raw test above). 520 rules of 30 paths (two never share one
    56-path lane) need 520 lanes: ``load_pack`` refuses the pack, naming the lanes
    it needs and the limit (MAX_LANES, 400), before any engine is built. Once it hung
    instead; run in a child process, so a return of that hang costs this test only.
    """
    wide = {
        "all": [
            {"any": [_older_arrest(k) for k in range(2)]},
            {"any": [{"events": {"any": {"type": "charge", "date": {"older_than": {"days": k}}}}}
                     for k in range(3)]},
            {"any": [{"events": {"any": {"type": "recall", "date": {"older_than": {"days": k}}}}}
                     for k in range(5)]},
        ]
    }
    rules = [{"id": f"R{i}", "when": {"condition": "wide"}} for i in range(520)]
    root = write_pack(tmp_path / "p", rules, {"wide": wide})  # 2 x 3 x 5 = 30 paths a rule
    script = f"""
        from datetime import date
        import riskreview
        try:
            pack = riskreview.load_pack({str(root)!r})
        except riskreview.PackError as error:
            print("PackError", error)
        else:
            riskreview.evaluate({{"case_id": "L"}}, as_of=date(2026, 1, 5), pack=pack)
            print("evaluated")
    """
    try:
        run = run_python(script, timeout=LOAD_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"load_pack of a 520-lane pack did not return in {LOAD_TIMEOUT} s")
    assert run.stdout.startswith("PackError"), run.stdout + run.stderr
    assert "the rules need 520 engine lanes (limit 400)" in run.stdout


# ============================================================ 16: $div by zero


def test_e16_raw_integer_div_by_zero_kills_the_interpreter_with_sigfpe() -> None:
    body = """
        rule = {"all": [{"first": {"t": 1}},
                        {"m": {"$gt": {"x": {"$div": {"$l": {"first": "y"}, "$r": D}}}}}],
                "run": "a"}
        host = Host({"a": lambda c: None})
        host.set_rulesets({"rs": {"r": rule}})
        quietly(host.assert_fact, "rs", {"id": 1, "sid": "s", "t": 1, "y": 10})
        quietly(host.assert_fact, "rs", {"id": 2, "sid": "s", "x": 100})
        report("survived")
    """
    assert run_raw(body, D=2).result == "survived"
    crash = run_raw(body, D=0)
    assert crash.returncode == -8  # SIGFPE


_FORBIDDEN = {"$add", "$sub", "$mul", "$div", "$mt", "$imt", "$ex", "$nex", "$l", "$r"}


def test_e16_guard_no_arithmetic_regex_or_existence_operator_is_ever_emitted(
    runtimes: list[Any],
) -> None:
    for rt in runtimes:
        used = {key for _, keys in walk(rt.compiled.ruleset) for key in keys}
        assert not used & _FORBIDDEN


# ============================================================ 17: correlated joins (#381)


def test_e17_raw_the_correlated_two_rule_pattern_of_issue_381_segfaults() -> None:
    # the crash reads freed memory, so on rare runs it survives: up to five tries
    for _ in range(5):
        run = _run_issue_381()
        if run.killed_by_signal:
            break
    assert run.killed_by_signal and "survived" not in run.stdout


def _run_issue_381() -> Any:
    return run_python(
        """
        from durable.lang import ruleset, when_all, m, c, post
        with ruleset("metrics"):
            @when_all(c.first << (m.metric == "met-A") & (m.amount > 10),
                      c.second << (m.metric == "met-B") & (m.amount > c.first.amount))
            def detected(c):
                pass
            @when_all(c.first << (m.metric == "met-A") & (m.amount > 50),
                      c.second << (m.metric == "met-B") & (m.amount < c.first.amount))
            def detected2(c):
                pass
        post("metrics", {"metric": "met-A", "amount": 100})
        post("metrics", {"metric": "met-B", "amount": 200})
        print("survived")
    """,
        timeout=10,
    )


def test_e17_guard_no_join_and_no_alias_but_m_is_ever_emitted(runtimes: list[Any]) -> None:
    for rt in runtimes:
        for name, rule in rt.compiled.ruleset.items():
            assert [list(pattern) for pattern in rule["all"]] == [["m"]], name


# ============================================================ (a): the state object matches


def test_a_raw_the_session_state_object_has_an_id_but_no_t_or_l() -> None:
    run = run_raw("""
        host, fired = recording_host({"r": {"x": 1}})
        host.assert_fact("rs", {"id": 1, "sid": "s", "x": 1})
        report(host.get_state("rs", "s"))
    """)
    assert run.result == {"sid": "s", "id": "sid-s", "$s": 1}


@pytest.mark.parametrize("condition", [{"$ex": {"id": 1}}, {"$nex": {"absent": 1}}])
def test_a_raw_a_rule_the_state_object_matches_refires_forever(condition: Any) -> None:
    body = """
        host, fired = recording_host({"r": COND})
        quietly(host.assert_fact, "rs", {"id": 1, "sid": "s", "x": 1})
        report(len(fired))
    """
    guarded = {"$and": [{"t": "c"}, condition]}
    assert run_raw(body, COND=guarded).result == 0
    with pytest.raises(subprocess.TimeoutExpired):
        run_raw(body, COND=condition, timeout=HANG)


def test_a_guard_every_rule_tests_t_and_its_lane_which_the_state_lacks(runtimes: list[Any]) -> None:
    for rt in runtimes:
        lane_of = {f"r{i}": lane.number for lane in rt.compiled.lanes for i in lane.rules}
        lane_of.update({f"k{lane.number}": lane.number for lane in rt.compiled.lanes})
        assert set(lane_of) == set(rt.compiled.ruleset)
        for name, rule in rt.compiled.ruleset.items():
            head = rule["all"][0]["m"]["$and"][:2]
            assert head == [{"t": "c"}, {"l": lane_of[name]}], name


# ============================================================ (b): $iall over []


def test_b_raw_iall_over_an_empty_list_is_false() -> None:
    run = run_raw("""
        host, fired = recording_host({"r": {"$and": [{"t": 1},
                                                     {"$iall": {"L": {"$gte": {"$i.x": 1}}}}]}})
        for i, items in enumerate([[], [{"x": 1}], [{"x": 0}], [{"x": 1}, {"x": 2}]]):
            quietly(host.assert_fact, "rs", {"id": i, "sid": "s", "t": 1, "L": items})
        report(sorted(fact_id for _, fact_id in fired))
    """)
    assert run.result == [1, 3]  # "every item of []" should have been true (id 0)


def test_b_guard_every_iall_is_paired_with_an_empty_count(runtimes: list[Any]) -> None:
    """``all`` compiles to ``count <= 0 or $iall``: the empty list is handled outside $iall."""
    for rt in runtimes:
        paired = 0
        for node, _ in walk(rt.compiled.ruleset):
            if isinstance(node, dict) and "$or" in node and any("$iall" in a for a in node["$or"]):
                empty, every = node["$or"]
                assert list(every) == ["$iall"]
                ((count, bound),) = empty["$lte"].items()  # the list's count <= 0
                assert bound == 0 and not count.startswith("$i.")
                paired += 1
        iall = sum(1 for _, keys in walk(rt.compiled.ruleset) if keys and keys[-1] == "$iall")
        assert iall == paired


def test_b_guard_all_and_none_over_an_empty_list_are_true(tmp_path: Path) -> None:
    pack = riskreview.load_pack(
        write_pack(
            tmp_path / "p",
            [
                {"id": "ALL", "when": {"household.children": {"all": {"lives_with": True}}}},
                {"id": "NONE", "when": {"household.children": {"none": {"contact": True}}}},
            ],
        )
    )

    def outcomes(children: Any) -> dict[str, str]:
        case = {"case_id": "K", "household": {"children": children}}
        return outcomes_by_id(riskreview.evaluate(case, as_of=AS_OF, pack=pack, trace=True))

    assert outcomes([]) == {"ALL": "fired", "NONE": "fired"}
    assert outcomes([{"lives_with": False, "contact": True}]) == {
        "ALL": "not_fired",
        "NONE": "not_fired",
    }
    assert outcomes(None) == {"ALL": "undetermined", "NONE": "undetermined"}


# ============================================================ (d): $or inside $iany


def test_d_raw_an_or_inside_iany_loses_a_true_first_alternative() -> None:
    run = run_raw("""
        host, fired = recording_host({"r": {"$iany": {"w": {"$or": [{"$gte": {"$i.a": 1}},
                                                                   {"$gte": {"$i.b": 1}}]}}}})
        for i, item in enumerate([{"a": 1, "b": 0}, {"a": 0, "b": 1}, {"a": 1, "b": 1},
                                  {"a": 0, "b": 0}]):
            quietly(host.assert_fact, "rs", {"id": i, "sid": "s", "w": [item]})
        report(sorted(fact_id for _, fact_id in fired))
    """)
    assert run.result == [1, 2]  # fact 0 (a true, b false) should have matched


def test_d_guard_no_or_is_ever_inside_iany_or_iall(runtimes: list[Any]) -> None:
    for rt in runtimes:
        for node, keys in walk(rt.compiled.ruleset):
            if isinstance(node, dict) and "$or" in node:
                assert "$iany" not in keys and "$iall" not in keys, keys


def test_d_guard_alternatives_inside_a_list_item_each_count(tmp_path: Path) -> None:
    pack = riskreview.load_pack(
        write_pack(
            tmp_path / "p",
            [
                {
                    "id": "NEAR",
                    "when": {
                        "household.children": {
                            "any": {"any": [{"lives_with": True}, {"contact": True}]}
                        }
                    },
                }
            ],
        )
    )
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    assert not [
        keys
        for node, keys in walk(rt.compiled.ruleset)
        if isinstance(node, dict) and "$or" in node and "$iany" in keys
    ]

    def outcome(child: dict[str, bool]) -> str:
        case = {"case_id": "N", "household": {"children": [child]}}
        return outcomes_by_id(riskreview.evaluate(case, as_of=AS_OF, pack=pack, trace=True))["NEAR"]

    assert outcome({"lives_with": True, "contact": False}) == "fired"
    assert outcome({"lives_with": False, "contact": True}) == "fired"
    assert outcome({"lives_with": False, "contact": False}) == "not_fired"
    assert outcome({"contact": False}) == "undetermined"
    assert outcome({"contact": True}) == "fired"
    (rule,) = rt.compiled.rules
    assert rule.paths == 1  # the alternatives over one child are one property of it


def test_d_guard_alternatives_over_one_list_merge_into_one_path(tmp_path: Path) -> None:
    """``any`` child living with the person, or ``any`` child in contact: one ``any``
    of a child doing either, one path; a list of another kind stays a path of its own."""
    when = {"any": [
        {"household.children": {"any": {"lives_with": True}}},
        {"household.children": {"any": {"contact": True}}},
        {"offending_history": {"any": {"categories": {"contains": "sexual"}}}},
    ]}
    pack = riskreview.load_pack(write_pack(tmp_path / "p", [{"id": "KIDS", "when": when}]))
    (rule,) = _runtime.runtime(pack, pack.epoch(AS_OF)).compiled.rules
    assert rule.paths == 2

    def outcome(*children: dict[str, Any]) -> str:
        case = {"case_id": "K", "household": {"children": list(children)},
                "offending_history": []}
        return outcomes_by_id(riskreview.evaluate(case, as_of=AS_OF, pack=pack, trace=True))["KIDS"]

    assert outcome({"lives_with": False, "contact": False}, {"contact": True}) == "fired"
    assert outcome({"lives_with": True}) == "fired"
    assert outcome({"lives_with": False, "contact": False}) == "not_fired"
    assert outcome({"lives_with": False}) == "undetermined"
    assert outcome() == "not_fired"


def test_d_guard_a_list_test_naming_parts_is_not_merged_with_one_that_does_not(
    tmp_path: Path,
) -> None:
    """``any`` event that is a recent arrest or a recent charge (two parts of the
    events), or ``any`` event within ten days or over 400 days old (no part): the first
    keeps a path for each part, the second is one path of its own, folded. Merged into
    one ``any``, its two alternatives would each take a path (four in all)."""
    recent = {"within_last": {"days": 30}}
    parts = {"any": [{"type": "arrest", "date": recent}, {"type": "charge", "date": recent}]}
    dated = {"any": [{"date": {"within_last": {"days": 10}}},
                     {"date": {"older_than": {"days": 400}}}]}
    when = {"any": [{"events": {"any": parts}}, {"events": {"any": dated}}]}
    pack = riskreview.load_pack(write_pack(tmp_path / "p", [{"id": "BOTH", "when": when}]))
    (rule,) = _runtime.runtime(pack, pack.epoch(AS_OF)).compiled.rules
    assert rule.paths == 3

    def outcome(kind: str, days: int) -> str:
        event = {"type": kind, "date": (AS_OF - timedelta(days=days)).isoformat()}
        decision = riskreview.evaluate(
            {"case_id": "B", "events": [event]}, as_of=AS_OF, pack=pack, trace=True
        )
        return outcomes_by_id(decision)["BOTH"]

    assert outcome("charge", 20) == outcome("recall", 5) == outcome("recall", 500) == "fired"
    assert outcome("recall", 20) == outcome("arrest", 100) == "not_fired"


def test_d_guard_alternatives_naming_parts_of_a_list_stay_apart(tmp_path: Path) -> None:
    """Alternatives inside a list item that each name one value of an enum field
    (``type: arrest``) are not folded: each scans only its own part of the list."""
    recent = {"within_last": {"days": 30}}
    when = {"events": {"any": {"any": [{"type": "arrest", "date": recent},
                                       {"type": "charge", "date": recent}]}}}
    pack = riskreview.load_pack(write_pack(tmp_path / "p", [{"id": "PARTS", "when": when}]))
    rt = _runtime.runtime(pack, pack.epoch(AS_OF))
    (rule,) = rt.compiled.rules
    assert rule.paths == 2
    assert len(rt.compiled.names.lists) == 2  # events[type=arrest], events[type=charge]

    def outcome(kind: str, days: int) -> str:
        event = {"type": kind, "date": (AS_OF - timedelta(days=days)).isoformat()}
        decision = riskreview.evaluate(
            {"case_id": "P", "events": [event]}, as_of=AS_OF, pack=pack, trace=True
        )
        return outcomes_by_id(decision)["PARTS"]

    assert outcome("arrest", 3) == outcome("charge", 3) == "fired"
    assert outcome("arrest", 40) == outcome("recall", 3) == "not_fired"


# ============================================================ (e): an unmatched fact in a batch


def test_e_raw_an_unmatched_fact_stops_the_batch_and_strands_the_others_actions() -> None:
    run = run_raw("""
        host, fired = recording_host({"r": {"x": 1}})
        try:
            host.assert_facts("rs", [{"id": 1, "sid": "s", "x": 1}, {"id": 2, "sid": "s", "x": 0},
                                     {"id": 3, "sid": "s", "x": 1}])
            raised = None
        except engine.MessageNotHandledException:
            raised = "MessageNotHandledException"
        after_batch = sorted(fact_id for _, fact_id in fired)
        host.assert_facts("rs", [{"id": 9, "sid": "s", "x": 1}])  # the next case
        report([raised, after_batch, sorted(fact_id for _, fact_id in fired)])
    """)
    # facts 1 and 3 matched, their actions did not run, then ran for the next call
    assert run.result == ["MessageNotHandledException", [], [1, 3, 9]]


def test_e_guard_every_lane_has_a_catch_all_rule(runtimes: list[Any]) -> None:
    for rt in runtimes:
        for lane in rt.compiled.lanes:
            catch_all = rt.compiled.ruleset[f"k{lane.number}"]
            assert catch_all["all"] == [{"m": {"$and": [{"t": "c"}, {"l": lane.number}]}}]


def test_e_guard_a_case_no_rule_matches_is_an_ordinary_empty_answer(tmp_path: Path) -> None:
    pack = riskreview.load_pack(
        write_pack(tmp_path / "p", [{"id": "ADULT", "when": {"person.age": {"gte": 18}}}])
    )
    child = {"case_id": "Y", "person": {"date_of_birth": "2015-01-01"}}
    decision = riskreview.evaluate(child, as_of=AS_OF, pack=pack, trace=True)
    assert decision.actions == () and outcomes_by_id(decision) == {"ADULT": "not_fired"}
    assert _runtime.runtime(pack, pack.epoch(AS_OF)).engine.stored_facts() == []


def test_e_guard_after_a_failed_batch_nothing_leaks_into_the_next_case(rt: Any) -> None:
    engine = Engine(rt.compiled.ruleset, rule_names_of(rt))
    fresh = Engine(rt.compiled.ruleset, rule_names_of(rt))
    first = Case.from_dict(
        {
            "case_id": "A",
            "household": {"children_in_contact": True},
            "index_offence": {"categories": ["domestic_abuse"]},
        }
    )
    stray = {"id": "stray", "t": "c", "l": 10_000, "v": 0}  # there is no lane 10000
    with pytest.raises(EngineError, match="the engine failed"):
        engine.run([*rt.builder.build(first, AS_OF, "", _match.tag()), stray], case_id="A")
    assert engine.stored_facts() == []
    second = Case.from_dict({"case_id": "B", "household": {"children_in_contact": False}})
    got = engine.run(rt.builder.build(second, AS_OF, "", _match.tag()))
    assert sorted(got) == sorted(fresh.run(rt.builder.build(second, AS_OF, "", _match.tag())))


# ============================================================ (g): expressions per rule


def test_g_raw_a_rule_with_16_and_or_nodes_is_refused_with_error_113() -> None:
    body = """
        inner = [{"$and": [{"a": k}, {"b": k}]} for k in range(ALTERNATIVES)]
        host = Host({"a": lambda c: None})
        try:
            host.set_rulesets({"rs": {"r": {"all": [{"m": {"$and": [{"t": 1}, {"$or": inner}]}}],
                                             "run": "a"}}})
            report("created")
        except Exception as e:
            report(str(e))
    """
    assert run_raw(body, ALTERNATIVES=13).result == "created"  # 15 $and/$or nodes
    assert run_raw(body, ALTERNATIVES=14).result == "Could not create ruleset, error code: 113"


def test_g_guard_the_default_pack_stays_under_16_and_or_nodes_per_rule(runtimes: list[Any]) -> None:
    for rt in runtimes:
        for name, rule in rt.compiled.ruleset.items():
            nodes = sum(
                1
                for node, _ in walk(rule)
                if isinstance(node, dict)
                for key in node
                if key in ("$and", "$or")
            )
            assert 1 <= nodes <= 15, name  # every rule has at least its head $and


def test_g_guard_a_rule_the_engine_would_refuse_is_a_pack_error_naming_it(tmp_path: Path) -> None:
    """``all`` of 14 tests of list items, each of two comparisons (``within_last`` is
    >= and <=), is more expressions than durable-rules holds in one rule (error 113);
    13 are not. The pack is refused at load, naming the rule."""

    def pack_of(n: int) -> Path:
        within = [{"offending_history": {"any": {"date": {"within_last": {"days": 100 + k}}}}}
                  for k in range(n)]
        return write_pack(tmp_path / f"p{n}", [{"id": "AGES", "when": {"all": within}}])

    riskreview.evaluate({"case_id": "G"}, as_of=AS_OF, pack=riskreview.load_pack(pack_of(13)))
    with pytest.raises(PackError, match=r"rules/rules\.yaml:\d+ AGES.*113"):
        riskreview.load_pack(pack_of(14))


# ============================================================ unknown stays unknown (BIG)


def test_a_bound_near_the_encoding_of_unknown_is_refused_and_one_below_keeps_unknown_unknown(
    tmp_path: Path,
) -> None:
    """The 'possible' fact encodes an unknown value as ±1,000,000,000 (BIG). A literal
    beyond BIG would make the possible test fail, so an unknown value would read as
    "no". The loader refuses every literal of MAX_BOUND (BIG / 10) or more, naming the
    rule; the largest literal it accepts still leaves an unknown value undetermined.
    """

    def pack_of(name: str, op: str, bound: int) -> Path:
        when = {"domestic_abuse.police_callouts_12_months": {op: bound}}
        return write_pack(tmp_path / name, [{"id": name.upper(), "when": when}])

    for name, op, bound in [("huge", "gt", 10**9), ("edge", "gte", MAX_BOUND)]:
        with pytest.raises(PackError, match=rf"{name.upper()}: a number too large for the engine"):
            riskreview.load_pack(pack_of(name, op, bound))
    largest = riskreview.load_pack(pack_of("largest", "gte", MAX_BOUND - 1))
    decision = riskreview.evaluate({"case_id": "H"}, as_of=AS_OF, pack=largest, trace=True)
    assert outcomes_by_id(decision) == {"LARGEST": "undetermined"}


# ============================================================ the edges of the API


def test_api_raw_a_fact_no_rule_matches_raises_and_is_not_stored() -> None:
    run = run_raw("""
        host, fired = recording_host({"r": {"x": 1}})
        outcome = quietly(host.assert_fact, "rs", {"id": 1, "sid": "s", "x": 0})
        report([outcome, host.get_facts("rs", "s")])
    """)
    assert run.result == ["not handled", []]


def test_api_raw_the_global_host_silently_replaces_then_refuses_a_ruleset_name() -> None:
    run = run_python("""
        from durable.lang import ruleset, when_all, m, assert_fact
        seen = []
        with ruleset("x"):
            @when_all(m.a == 1)
            def first(c): seen.append("first")
        with ruleset("x"):
            @when_all(m.b == 1)
            def second(c): seen.append("second")
        for i, fact in enumerate([{"a": 1}, {"b": 1}]):
            try:
                assert_fact("x", {"id": i, "sid": "s", **fact})
            except Exception as e:
                seen.append(type(e).__name__)
        try:
            with ruleset("x"):
                @when_all(m.c == 1)
                def third(c): seen.append("third")
            assert_fact("x", {"id": 3, "sid": "s", "c": 1})
        except Exception as e:
            seen.append(str(e))
        print(seen)
    """)
    assert run.stdout.strip() == (
        "['MessageNotHandledException', 'second', 'Ruleset with name x already registered']"
    )


def test_api_guard_riskreview_never_touches_the_global_host() -> None:
    run = run_python("""
        import sys
        from datetime import date
        import riskreview
        riskreview.evaluate({"case_id": "G"}, as_of=date(2026, 1, 5))
        print("durable.engine" in sys.modules, "durable.lang" in sys.modules)
    """)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "False"]  # its own Host; the global one never loaded


def test_api_guard_two_engines_of_one_ruleset_are_independent(rt: Any) -> None:
    one = Engine(rt.compiled.ruleset, rule_names_of(rt))
    two = Engine(rt.compiled.ruleset, rule_names_of(rt))
    assert one._name != two._name and one._host is not two._host
    case = Case.from_dict({"case_id": "I", "household": {"children_in_contact": True}})
    a = one.run(rt.builder.build(case, AS_OF, "", _match.tag()))
    b = two.run(rt.builder.build(case, AS_OF, "", _match.tag()))
    assert sorted(a) == sorted(b) and a


def test_api_raw_set_rulesets_deletes_the_run_of_each_rule() -> None:
    run = run_raw("""
        definition = {"rs": {"r": {"all": [{"m": {"x": 1}}], "run": "a"}}}
        Host({"a": lambda c: None}).set_rulesets(definition)
        report(definition)
    """)
    assert run.result == {"rs": {"r": {"all": [{"m": {"x": 1}}]}}}


def test_api_guard_the_compiled_ruleset_is_unchanged_by_the_engine(rt: Any) -> None:
    before = copy.deepcopy(rt.compiled.ruleset)
    Engine(rt.compiled.ruleset, rule_names_of(rt))
    assert rt.compiled.ruleset == before
    assert all(rule["run"] == name for name, rule in rt.compiled.ruleset.items())


def test_api_raw_an_alias_named_like_a_closure_attribute_reads_the_wrong_thing() -> None:
    run = run_raw("""
        seen = []
        host = Host({"a": lambda c: seen.append(c.s._d)})
        host.set_rulesets({"rs": {"r": {"all": [{"s": {"x": 1}}, {"second": {"y": {"s": "x"}}}],
                                         "run": "a"}}})
        host.assert_fact("rs", {"id": 1, "sid": "p", "x": 1})
        host.assert_fact("rs", {"id": 2, "sid": "p", "y": 1})
        report(seen)
    """)
    # the action asked for the fact aliased "s" and got the session state instead
    assert run.result == [{"sid": "p", "id": "sid-p", "$s": 1}]


def test_api_raw_load_errors_are_bare_numbers_naming_no_rule() -> None:
    run = run_raw("""
        try:
            Host({"a": lambda c: None}).set_rulesets(
                {"rs": {"my_rule": {"all": [{"m": {"$bogus": {"x": 1}}}], "run": "a"}}})
        except Exception as e:
            report(str(e))
    """)
    assert run.result == "Could not create ruleset, error code: 202"


def test_api_guard_an_engine_refusal_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match=r"rejected the compiled pack.*202"):
        Engine({"r0": {"all": [{"m": {"$bogus": {"x": 1}}}], "run": "r0"}}, {"r0": "X"})


def test_api_guard_a_pack_mistake_names_file_line_rule_and_field(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        riskreview.load_pack(
            write_pack(
                tmp_path / "p", [{"id": "TYPO", "when": {"household.childrn_in_contact": True}}]
            )
        )
    (problem,) = caught.value.problems
    assert problem.path.startswith("rules/rules.yaml:") and "TYPO" in problem.path
    assert "childrn_in_contact" in problem.message and "children_in_contact" in problem.message


def test_api_raw_a_misspelled_operator_is_an_equality_test_on_a_property_of_that_name() -> None:
    run = run_raw("""
        host, fired = recording_host({"r": {"$contanis": "x"}})
        quietly(host.assert_fact, "rs", {"id": 1, "sid": "s", "name": "x"})
        quietly(host.assert_fact, "rs", {"id": 2, "sid": "s", "$contanis": "x"})
        report([fact_id for _, fact_id in fired])
    """)
    assert run.result == [2]  # accepted at load, and matches only a literal "$contanis"


def test_api_guard_a_misspelled_operator_is_a_pack_error_with_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"SPELL.*'older_then' is not an operator.*older_than"):
        riskreview.load_pack(
            write_pack(
                tmp_path / "p",
                [{"id": "SPELL", "when": {"supervision.start_date": {"older_then": {"days": 3}}}}],
            )
        )


def test_api_raw_timers_need_the_hosts_threads_and_follow_the_wall_clock() -> None:
    body = """
        fired = []
        class Timed(Host):
            def _run(self):
                if THREADS:
                    engine.Host._run(self)
        host = Timed({"start": lambda c: c.start_timer("T", 1),
                      "timer": lambda c: fired.append(time.monotonic())})
        timeout = {"m$all": [{"base": {"$timerName": "T"}},
                             {"timeout": {"$gte": {"$time": {"base": "$baseTime"}}}}]}
        host.set_rulesets({"rs": {"start": {"all": [{"m": {"go": 1}}], "run": "start"},
                                  "timer": {"all": [timeout], "run": "timer"}}})
        host.assert_fact("rs", {"id": 1, "sid": "s", "go": 1})
        end = time.monotonic() + 2.2
        while not fired and time.monotonic() < end:
            time.sleep(0.05)
        report(len(fired))
    """
    assert run_raw(body, THREADS=True).result == 1
    assert run_raw(body, THREADS=False).result == 0


def test_api_guard_no_timer_is_ever_started_or_dispatched(
    native: NativeCalls, runtimes: list[Any]
) -> None:
    for case, as_of in varied_cases(20, seed=3):
        riskreview.evaluate(case, as_of=as_of)
    assert not {"start_timer", "cancel_timer", "assert_timers", "start_action"} & set(native.names)
    for rt in runtimes:
        text = json.dumps(rt.compiled.ruleset)
        assert "$timerName" not in text and "$time" not in text


def test_api_raw_a_lower_pri_fires_first() -> None:
    run = run_raw("""
        order = []
        host = Host({"late": lambda c: order.append("late"),
                     "soon": lambda c: order.append("soon")})
        host.set_rulesets({"rs": {"late": {"pri": 3, "all": [{"m": {"x": 1}}], "run": "late"},
                                  "soon": {"pri": 1, "all": [{"m": {"x": 1}}], "run": "soon"}}})
        host.assert_fact("rs", {"id": 1, "sid": "s", "x": 1})
        report(order)
    """)
    assert run.result == ["soon", "late"]


def test_api_guard_no_priorities_and_order_of_facts_does_not_matter(
    runtimes: list[Any], cases: list[tuple[Case, date]]
) -> None:
    for rt in runtimes:
        assert all("pri" not in rule for rule in rt.compiled.ruleset.values())
    rt = runtimes[-1]
    for case, as_of in cases[:30]:
        facts = rt.builder.build(case, as_of, "", _match.tag())
        again = rt.builder.build(case, as_of, "", _match.tag())
        assert sorted(rt.engine.run(facts)) == sorted(rt.engine.run(again[::-1]))


def test_raw_demonstrations_ran_on_the_engine_version_riskreview_pins() -> None:
    run = run_python("""
        from importlib.metadata import version
        print(version("durable-rules"))
    """)
    assert run.stdout.strip() == "2.0.28"
