"""The same case, pack and date always give byte-identical decisions."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from _property_support import dated_case_dicts, examples
from hypothesis import given, settings

import riskreview


@settings(max_examples=examples(200))
@given(dated_case_dicts())
def test_evaluating_twice_gives_identical_json(dated: tuple[dict[str, Any], date]) -> None:
    data, as_of = dated
    case = riskreview.Case.from_dict(data)
    first = riskreview.evaluate(case, as_of=as_of).to_json()
    assert riskreview.evaluate(case, as_of=as_of).to_json() == first
    # however the case arrives: a Case, a dict or JSON text
    assert riskreview.evaluate(data, as_of=as_of).to_json() == first
    assert riskreview.evaluate(json.dumps(data), as_of=as_of).to_json() == first


@settings(max_examples=examples(100))
@given(dated_case_dicts())
def test_a_traced_decision_is_as_deterministic(dated: tuple[dict[str, Any], date]) -> None:
    data, as_of = dated
    first = riskreview.evaluate(data, as_of=as_of, trace=True)
    again = riskreview.evaluate(data, as_of=as_of, trace=True)
    assert again.to_json() == first.to_json()
    assert first.trace is not None
    # tracing adds the trace and changes nothing else
    plain = json.loads(riskreview.evaluate(data, as_of=as_of).to_json())
    traced = json.loads(first.to_json())
    traced.pop("trace")
    assert traced == plain
