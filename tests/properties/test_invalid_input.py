"""Invalid input only ever raises CaseError, naming exactly the paths that are wrong.

The faults come from :func:`riskreview.strategies.invalid_case_dicts`, which places
them so that none hides another. Paths are compared as sets: one fault may give two
problems at the same path (a release before both the start and the sentence date),
which count as one path here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from _property_support import examples
from hypothesis import given, settings

import riskreview
from riskreview.strategies import invalid_case_dicts


def problem_paths(build: Any, data: Any) -> set[str]:
    with pytest.raises(riskreview.CaseError) as caught:
        build(data)
    return {p.path for p in caught.value.problems}


@settings(max_examples=examples(500))
@given(invalid_case_dicts())
def test_an_invalid_case_is_a_case_error_naming_every_faulty_path(
    invalid: tuple[dict[str, Any], frozenset[str]],
) -> None:
    data, paths = invalid
    assert problem_paths(riskreview.Case.from_dict, data) == paths
    assert problem_paths(riskreview.Case.from_json, json.dumps(data)) == paths


@settings(max_examples=examples(100))
@given(invalid_case_dicts())
def test_evaluate_refuses_an_invalid_case_with_the_same_paths(
    invalid: tuple[dict[str, Any], frozenset[str]],
) -> None:
    data, paths = invalid
    assert problem_paths(riskreview.evaluate, data) == paths
