"""Many evaluations in one process, one after another and from eight threads at once,
give exactly the answers of a first serial run.

The engine behind riskreview keeps one session and one sid for its whole life, and
durable-rules is not safe to call from two threads (ENGINE-NOTES.md #10-#13). So the
specification is behavioural: after 10,000 evaluations in a row, and while eight
threads share the engine, every decision is byte-identical to the one the same case
got first, in a fresh run, alone.

Sizes: under ``RISKREVIEW_PROFILE=long``, 2,000 generated cases; a first serial
run (2,000 evaluations), four more sequential passes in shuffled orders (8,000),
and eight threads evaluating 1,250 cases each, every case by five different
threads (10,000): 20,000 evaluations in all, the floor the issue sets (three to
four minutes at about 90 evaluations a second, the default pack on two cores).
The default profile runs a fifth of it: 400 cases, two more passes, eight threads
of 200 cases (every case by four threads), 2,800 evaluations, each test under
half a minute. The caches these runs share are warm after the first serial run;
``test_cold_caches.py`` starts eight threads on cold ones.
"""

from __future__ import annotations

import json
import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from _stress_support import compiled_runtime

import riskreview
from riskreview import Case
from riskreview.case import (
    CheckOutcome,
    ConcernSource,
    EventType,
    NeedType,
    OffenceCategory,
    RegistrationType,
    RoshLevel,
    ScreeningOutcome,
    SentenceType,
    Stage,
)

LONG = os.environ.get("RISKREVIEW_PROFILE") == "long"
CASES = 2_000 if LONG else 400
SEQUENTIAL_PASSES = 4 if LONG else 2  # after the first serial run
THREADS = 8
PER_THREAD = 1_250 if LONG else 200  # every case by five threads (long) or four
SEED = 20_251_123


def _values(enum: Any) -> list[str]:
    return [member.value for member in enum]


class CaseGenerator:
    """Deterministic, varied, valid cases: children, offences, events, checks, dates.

    Every field may be left unknown; dates are drawn relative to each case's own
    ``as_of`` (spread over both policy periods of the default pack) and respect the
    case model's date order (sentence, start, release; request before response).
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def maybe(self, value: Any, unknown: float = 0.25) -> Any:
        return None if self.rng.random() < unknown else value

    def flag(self, unknown: float = 0.25) -> bool | None:
        return self.maybe(self.rng.random() < 0.5, unknown)

    def some(self, enum: Any, most: int) -> list[str]:
        return self.rng.sample(_values(enum), self.rng.randint(0, most))

    def case(self, number: int) -> tuple[dict[str, Any], date]:
        rng = self.rng
        as_of = date(2024, 2, 1) + timedelta(days=rng.randrange(4 * 365))

        def ago(lo: int, hi: int, base: date = as_of) -> date:
            return base - timedelta(days=rng.randint(lo, hi))

        sentenced = ago(20, 900)
        start = sentenced + timedelta(days=rng.randint(0, 14))
        custody = rng.random() < 0.3
        released = start + timedelta(days=rng.randint(30, 400)) if custody else None
        if released is not None and released > as_of:
            released = None
        born = ago(18 * 365, 70 * 365)
        data: dict[str, Any] = {
            "case_id": f"S{number:05d}",
            "person": {"date_of_birth": self.maybe(born.isoformat())},
            "supervision": {
                "stage": self.maybe(rng.choice(_values(Stage))),
                "sentence_type": self.maybe(rng.choice(_values(SentenceType))),
                "sentence_date": self.maybe(sentenced.isoformat()),
                "start_date": self.maybe(start.isoformat(), 0.15),
                "release_date": released.isoformat() if released else None,
                "custodial_sentence_months": self.maybe(rng.randint(1, 120), 0.5),
            },
            "index_offence": {
                "categories": self.maybe(self.some(OffenceCategory, 3), 0.15),
                "date": self.maybe(ago(1, 400, sentenced).isoformat()),
            },
            "offending_history": self.maybe([self.offence(sentenced)
                                             for _ in range(rng.randint(0, 4))]),
            "concerns": self.maybe([self.concern(as_of) for _ in range(rng.randint(0, 3))]),
            "risk": self.risk(as_of),
            "registrations": self.maybe(self.some(RegistrationType, 3)),
            "mappa": {"category": self.maybe(rng.randint(1, 4), 0.7),
                      "level": self.maybe(rng.randint(1, 3), 0.7)},
            "domestic_abuse": {
                "dash_score": self.maybe(rng.randint(0, 27), 0.5),
                "police_callouts_12_months": self.maybe(rng.randint(0, 6), 0.5),
                "last_marac_referral_date": self.maybe(ago(0, 700).isoformat(), 0.7),
                "known_victim": self.flag(0.4),
                "dvds_considered_date": self.maybe(ago(0, 500).isoformat(), 0.6),
            },
            "household": {
                "children_in_contact": self.flag(0.3),
                "children": self.maybe([self.child(as_of) for _ in range(rng.randint(0, 4))]),
                "in_relationship": self.flag(),
            },
            "checks": {"police_domestic_abuse": self.maybe(self.check(as_of), 0.4),
                       "childrens_social_care": self.maybe(self.check(as_of), 0.4)},
            "plans": {name: self.maybe(ago(0, 400).isoformat(), 0.5) for name in (
                "risk_management_plan_date", "domestic_abuse_plan_date",
                "safeguarding_plan_date", "sentence_plan_date", "barriers_assessment_date")},
            "needs": self.maybe([{"type": self.maybe(rng.choice(_values(NeedType)), 0.1),
                                  "adjustment_in_plan": self.flag()}
                                 for _ in range(rng.randint(0, 3))]),
            "events": self.maybe([self.event(as_of) for _ in range(rng.randint(0, 6))], 0.2),
            "home_visits": self.maybe([{"date": ago(0, 500).isoformat()}
                                       for _ in range(rng.randint(0, 3))]),
        }
        return data, as_of

    def offence(self, before: date) -> dict[str, Any]:
        when = before - timedelta(days=self.rng.randint(30, 5000))
        return {"categories": self.maybe(self.some(OffenceCategory, 2), 0.1),
                "date": self.maybe(when.isoformat(), 0.2)}

    def concern(self, as_of: date) -> dict[str, Any]:
        return {"source": self.maybe(self.rng.choice(_values(ConcernSource))),
                "categories": self.maybe(self.some(OffenceCategory, 2), 0.1),
                "date": self.maybe((as_of - timedelta(days=self.rng.randint(0, 900))).isoformat())}

    def risk(self, as_of: date) -> dict[str, Any]:
        def ago(lo: int, hi: int) -> str:
            return (as_of - timedelta(days=self.rng.randint(lo, hi))).isoformat()

        levels = {group: self.maybe(self.rng.choice(_values(RoshLevel)), 0.35)
                  for group in ("children", "public", "known_adult", "staff")}
        return {"screening_date": self.maybe(ago(30, 700), 0.2),
                "screening_outcome": self.maybe(self.rng.choice(_values(ScreeningOutcome))),
                "full_analysis_date": self.maybe(ago(10, 500), 0.5),
                "last_review_date": self.maybe(ago(0, 300), 0.4),
                "levels": levels}

    def child(self, as_of: date) -> dict[str, Any]:
        born = as_of - timedelta(days=self.rng.randint(-120, 17 * 365))  # some unborn
        return {"date_of_birth": self.maybe(born.isoformat(), 0.2),
                "lives_with": self.flag(), "contact": self.flag(),
                "child_protection_plan": self.flag(0.5), "child_in_need": self.flag(0.5)}

    def check(self, as_of: date) -> dict[str, Any]:
        asked = as_of - timedelta(days=self.rng.randint(0, 400))
        answered = asked + timedelta(days=self.rng.randint(0, 30))
        done = answered <= as_of and self.rng.random() < 0.6
        return {"requested_date": asked.isoformat(),
                "response_date": answered.isoformat() if done else None,
                "outcome": self.rng.choice(_values(CheckOutcome)) if done else None}

    def event(self, as_of: date) -> dict[str, Any]:
        when = as_of - timedelta(days=self.rng.randint(0, 500))
        return {"type": self.maybe(self.rng.choice(_values(EventType)), 0.05),
                "date": self.maybe(when.isoformat(), 0.1)}


def generate(n: int, seed: int = SEED) -> list[tuple[Case, date]]:
    """``n`` cases, validated by the case model, each with its own as_of."""
    generator = CaseGenerator(seed)
    return [(Case.from_dict(data), as_of) for data, as_of in map(generator.case, range(n))]


@pytest.fixture(scope="module")
def cases() -> list[tuple[Case, date]]:
    return generate(CASES)


@pytest.fixture(scope="module")
def first_run(cases: list[tuple[Case, date]]) -> list[str]:
    """The first serial run: each case's decision as JSON, in order."""
    return [riskreview.evaluate(case, as_of=as_of).to_json() for case, as_of in cases]


def test_the_generator_is_deterministic_and_varied(cases: list[tuple[Case, date]],
                                                   first_run: list[str]) -> None:
    again = generate(50)
    assert [c.to_json() for c, _ in again] == [c.to_json() for c, _ in cases[:50]]
    assert len({c.to_json() for c, _ in cases}) == CASES
    assert len({a for _, a in cases}) > CASES // 4
    pack = riskreview.default_pack()
    assert {pack.epoch(a) for _, a in cases} == set(pack.change_dates)  # every period
    answers = {tuple(a["code"] for a in json.loads(text)["actions"]) for text in first_run}
    assert len(answers) > CASES // 20  # many different sets of required actions


def test_sequential_evaluations_give_the_first_runs_answers(
        cases: list[tuple[Case, date]], first_run: list[str]) -> None:
    rng = random.Random(SEED + 1)
    for _ in range(SEQUENTIAL_PASSES):
        order = list(range(CASES))
        rng.shuffle(order)
        for i in order:
            case, as_of = cases[i]
            assert riskreview.evaluate(case, as_of=as_of).to_json() == first_run[i], \
                cases[i][0].case_id
    _assert_engines_hold_nothing(cases)


def test_eight_threads_give_the_serial_runs_answers(
        cases: list[tuple[Case, date]], first_run: list[str]) -> None:
    start = threading.Barrier(THREADS)
    lock = threading.Lock()
    in_flight = [0]
    overlaps: list[int] = []  # evaluations already running when one started

    def evaluate(i: int) -> str:
        with lock:
            overlaps.append(in_flight[0])
            in_flight[0] += 1
        try:
            return riskreview.evaluate(cases[i][0], as_of=cases[i][1]).to_json()
        finally:
            with lock:
                in_flight[0] -= 1

    def work(thread: int) -> list[tuple[int, str]]:
        first = thread * CASES // THREADS
        chosen = [(first + k) % CASES for k in range(PER_THREAD)]
        random.Random(thread).shuffle(chosen)
        start.wait()
        return [(i, evaluate(i)) for i in chosen]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    for answers in results:
        for i, text in answers:
            assert text == first_run[i], cases[i][0].case_id
    # the threads did share the engine: most evaluations started while others ran
    assert sum(n > 0 for n in overlaps) > len(overlaps) // 2, max(overlaps)
    _assert_engines_hold_nothing(cases)


def _assert_engines_hold_nothing(cases: list[tuple[Case, date]]) -> None:
    pack = riskreview.default_pack()
    for epoch in {pack.epoch(as_of) for _, as_of in cases}:
        assert compiled_runtime(pack, epoch).engine.stored_facts() == []
