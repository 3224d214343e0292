"""Fuzzed input never crashes, hangs or raises anything but CaseError.

Each family of :mod:`fuzz_inputs` (wrong types, huge strings, deep nesting, NaN,
unicode, missing and extra keys, full lists, 1e400, duplicate keys, bytes that are
not UTF-8, far dates, Python objects...) is evaluated input by input: each must end
in a Decision or a CaseError within its time limit (2 s, or 20 s for the huge ones:
a generous guard against hangs, not a benchmark). The default run makes 2,045
inputs; ``RISKREVIEW_PROFILE=long`` makes 100,300; ``run_fuzz.py N`` runs N inputs
of every family mixed and prints the counts by outcome and the slowest input.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from datetime import date
from typing import Any

import pytest
from fuzz_inputs import FAMILIES, HEAVY, describe, inputs, run
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview

AS_OF = date(2026, 3, 2)
LONG = os.environ.get("RISKREVIEW_PROFILE") == "long"
PER_FAMILY = 7_100 if LONG else 145
PER_HEAVY_FAMILY = 300 if LONG else 5
#: families every input of which is valid, or every input of which is invalid
ALWAYS_VALID = {"valid", "many_items"}
NEVER_VALID = {"duplicate_keys", "nan_infinity", "extra_keys"}


def count_of(family: str) -> int:
    return PER_HEAVY_FAMILY if family in HEAVY else PER_FAMILY


def _raising(error: BaseException) -> Any:
    def evaluate(*args: Any, **kwargs: Any) -> Any:
        raise error

    return evaluate


@pytest.mark.parametrize(
    "error",
    [ValueError("boom"), KeyError("x"), RecursionError(), riskreview.EngineError("lost")],
    ids=lambda e: type(e).__name__,
)
def test_the_harness_counts_any_other_exception_as_a_failure(
    monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    # the family tests can only fail if run() reports what evaluate() must never do
    item = next(inputs(1, family="valid"))
    assert run(item).kind == "decision"
    monkeypatch.setattr(riskreview, "evaluate", _raising(error))
    outcome = run(item)
    assert outcome.kind == "other"
    assert outcome.detail.startswith(type(error).__name__)


def test_the_harness_counts_an_input_over_its_time_limit_as_a_failure() -> None:
    item = next(inputs(1, family="valid"))
    outcome = run(dataclasses.replace(item, limit=0.0))
    assert outcome.kind == "other"
    assert "over its 0 s limit" in outcome.detail


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_fuzzed_input_ends_in_a_decision_or_a_case_error(family: str) -> None:
    count = count_of(family)
    kinds: Counter[str] = Counter()
    failures = []
    for item in inputs(count, family=family):
        outcome = run(item)
        kinds[outcome.kind] += 1
        if outcome.kind == "other":
            failures.append(describe(item, outcome))
    assert not failures, f"{len(failures)} of {count} failed:\n" + "\n".join(failures[:20])
    assert sum(kinds.values()) == count
    if family in ALWAYS_VALID:
        assert kinds["decision"] == count
    elif family in NEVER_VALID:
        assert kinds["case_error"] == count
    else:  # each family does break cases (most of the time)
        assert kinds["case_error"] > 0


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["2025-01-01", "low", "domestic_abuse", "arrest", "9999-13-99"])
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=30,
)
_case_keys = st.sampled_from(
    ["case_id", "person", "supervision", "risk", "household", "events", "registrations", "x"]
)


@settings(max_examples=300)
@given(st.one_of(_json, st.dictionaries(_case_keys, _json)), st.booleans())
def test_any_json_value_is_a_decision_or_a_case_error(value: Any, as_text: bool) -> None:
    payload = json.dumps(value) if as_text else value
    try:
        decision = riskreview.evaluate(payload, as_of=AS_OF)
    except riskreview.CaseError as error:
        assert error.problems
    else:
        assert decision.case_id == value["case_id"]
