"""A case survives its own JSON: nothing is lost, added or changed on the way."""

from __future__ import annotations

import json
from typing import Any

from _property_support import examples
from hypothesis import given, settings

import riskreview
from riskreview.strategies import case_dicts, cases


@settings(max_examples=examples(500))
@given(cases())
def test_a_case_read_back_from_its_json_is_the_same_case(case: riskreview.Case) -> None:
    assert riskreview.Case.from_json(case.to_json()) == case
    assert riskreview.Case.from_dict(case.to_dict()) == case
    assert json.loads(case.to_json()) == case.to_dict()
    # and the canonical text is a fixed point
    assert riskreview.Case.from_json(case.to_json()).to_json() == case.to_json()


def without_nulls(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: without_nulls(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [without_nulls(v) for v in data]
    return data


@settings(max_examples=examples(300))
@given(case_dicts())
def test_a_null_reads_the_same_as_a_missing_key(data: dict[str, Any]) -> None:
    case = riskreview.Case.from_dict(data)
    assert riskreview.Case.from_dict(without_nulls(data)) == case
    # what a case writes leaves every unknown out
    assert without_nulls(case.to_dict()) == case.to_dict()
