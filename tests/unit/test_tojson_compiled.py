"""The compiled unstructurer (one conversion per type, found once) gives the very data
the generic one it replaced gave, so every input digest stays byte-identical.

The generic unstructurer is kept here as the reference; both run over generated
cases (every model class, defaults, unknowns), the synthetic caseload and its
decisions, and plain values of every kind.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import date
from enum import StrEnum
from typing import Any

import attrs
import pytest
from hypothesis import given, settings

import riskreview
from riskreview import Case
from riskreview._decide import input_digest
from riskreview._tojson import dumps, unstructure
from riskreview.strategies import cases
from riskreview.synthetic import generate

_PLANS: dict[type, list[tuple[str, bool, Any]]] = {}


def _plan(cls: type) -> list[tuple[str, bool, Any]]:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = []
        for a in attrs.fields(cls):
            default = a.default
            if default is attrs.NOTHING:
                plan.append((a.name, False, None))
            elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                plan.append((a.name, True, generic(default.factory())))
            else:
                plan.append((a.name, True, generic(default)))
        _PLANS[cls] = plan
    return plan


def generic(obj: Any) -> Any:
    """The unstructurer as it was: a chain of type tests for every value."""
    if obj is None or isinstance(obj, bool | int | float):
        return obj
    if isinstance(obj, StrEnum):
        return obj.value
    if isinstance(obj, str):
        return obj
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, tuple | list):
        return [generic(v) for v in obj]
    if isinstance(obj, dict):
        return {k: generic(v) for k, v in obj.items()}
    out: dict[str, Any] = {}
    for name, has_default, default in _plan(type(obj)):
        raw = getattr(obj, name)
        if raw is None:
            if not (has_default and default is None):
                out[name] = None
            continue
        value = generic(raw)
        if has_default and value == default:
            continue
        out[name] = value
    return out


def _same(obj: Any) -> None:
    new, old = unstructure(obj), generic(obj)
    assert new == old
    assert dumps(new) == dumps(old)  # the canonical text, key order aside, too


@settings(max_examples=300, deadline=None)
@given(cases())
def test_generated_cases_unstructure_as_before(case: Case) -> None:
    _same(case)
    assert (
        input_digest(case) == "sha256:" + hashlib.sha256(dumps(generic(case)).encode()).hexdigest()
    )


def test_the_synthetic_caseload_and_its_decisions_unstructure_as_before() -> None:
    pack = riskreview.default_pack()
    seen = 0
    for data in itertools.islice(generate(300, seed=3), 300):
        case = Case.from_dict(data)
        _same(case)
        _same(riskreview.evaluate(case, as_of=date(2026, 11, 23), pack=pack))
        seen += 1
    assert seen == 300


def test_a_default_case_is_its_id_alone() -> None:
    assert unstructure(Case(case_id="X")) == generic(Case(case_id="X")) == {"case_id": "X"}


class _Mood(StrEnum):
    CALM = "calm"


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        1.5,
        "text",
        _Mood.CALM,
        date(2026, 1, 2),
        (1, (2, _Mood.CALM)),
        [None],
        {"a": (date(2026, 1, 1),), "b": {"c": _Mood.CALM}},
    ],
)
def test_plain_values_convert_as_before(value: Any) -> None:
    _same(value)


def test_a_value_that_is_no_model_is_refused_as_before() -> None:
    with pytest.raises(attrs.exceptions.NotAnAttrsClassError):
        generic(object())
    with pytest.raises(attrs.exceptions.NotAnAttrsClassError):
        unstructure(object())
