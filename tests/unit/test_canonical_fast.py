"""Canonical JSON written by orjson (a case with no float) is the standard library's
text byte for byte, so no input digest changes with the writer."""

from __future__ import annotations

import copy
import json
import math
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview import _tojson
from riskreview.decision import Evidence
from riskreview.strategies import cases

AS_OF = date(2026, 11, 23)


def _standard(data: Any) -> str:
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


@settings(max_examples=150, deadline=None)
@given(cases(AS_OF))
def test_a_generated_case_is_written_as_the_standard_library_writes_it(
    case: riskreview.Case,
) -> None:
    assert case.to_json() == _standard(case.to_dict())


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_json_values)
def test_any_float_free_json_data_is_written_alike(data: Any) -> None:
    """Text of every code point (control characters, U+2028, lone surrogates), whole
    numbers past 64 bits (written by the standard library), nested keys."""
    assert _tojson.dumps(data, floats=False) == _standard(data)


@pytest.mark.parametrize("text", ["\x00\x1f\x7f", "\u2028\u2029", 'é😀\\"/', "\t\n\r\b\f"])
def test_awkward_text_in_a_case_is_written_alike(text: str) -> None:
    case = riskreview.Case.from_dict({"case_id": "T" + text, "inputs": {"note": text}})
    assert case.to_json() == _standard(case.to_dict())


def test_a_float_among_the_inputs_is_written_as_the_standard_library_writes_it() -> None:
    assert _tojson.dumps({"x": 1e16}) == '{"x":1e+16}'  # orjson alone would write 1e16
    data = {"x": [1e16, {"y": 1e-07, "z": -0.0}], "n": 7.25}
    fresh = copy.deepcopy(data)
    assert _tojson.dumps_fresh(fresh, [fresh]) == _standard(data)
    case = riskreview.Case.from_dict({"case_id": "F2", "inputs": {"rsr": 7.25, "tiny": 1e-05,
                                                                  "rows": [{"v": 1e-07}]}})
    assert case.to_json() == _standard(case.to_dict())
    assert '"tiny":1e-05' in case.to_json()  # orjson alone would write 1e-5


_json_with_floats = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_json_with_floats)
def test_json_data_with_floats_is_written_alike_at_orjson_speed(data: Any) -> None:
    """Floats of every size (``1e+16``, ``1e-07``, ``-0.0``) spliced in as the standard
    library writes them; whole numbers past 64 bits and lone surrogates, which orjson
    refuses, written by the standard library with the floats put back."""
    fresh = {"data": copy.deepcopy(data)}
    assert _tojson.dumps_fresh(fresh, [fresh]) == _standard({"data": data})


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_float_out_of_the_range_of_json_is_refused_alike(bad: float) -> None:
    fresh = {"x": [bad]}
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        _tojson.dumps_fresh(fresh, [fresh])


def test_a_decision_with_a_float_in_its_evidence_is_written_by_the_standard_library() -> None:
    """No pack puts a float in a decision today (a decimal is shown as its text), but
    a float there must still be written as ``1e+16``, not orjson's ``1e16``."""
    decision = riskreview.evaluate({"case_id": "F1"}, as_of=AS_OF)
    assert decision.actions
    first = decision.actions[0]
    odd = attrs.evolve(first, evidence=(*first.evidence, Evidence("inputs.x", 1e16)))
    changed = attrs.evolve(decision, actions=(odd, *decision.actions[1:]))
    assert '"value":1e+16' in changed.to_json()
    assert changed.to_json() == _standard(changed.to_dict())


@settings(max_examples=100, deadline=None)
@given(cases(AS_OF))
def test_a_decision_is_written_as_the_standard_library_writes_it(case: riskreview.Case) -> None:
    decision = riskreview.evaluate(case, as_of=AS_OF)
    assert decision.to_json() == _standard(decision.to_dict())
