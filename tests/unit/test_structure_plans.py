"""Reading a case by per-class plans: a plainly valid value is taken by a quick check
(no path built), everything else goes the full way with its path; the field
validators are not run twice on values the structurer has checked (an object is
built setting its fields directly). The outcome,
a case or every problem with its path and message, is the full way's, and objects
built directly are still checked."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings

from riskreview import _structure
from riskreview.case import Case, Concern
from riskreview.errors import CaseError
from riskreview.strategies import case_dicts, invalid_case_dicts


def _outcome(data: Any) -> Any:
    try:
        return Case.from_dict(data)
    except CaseError as error:
        return [(p.path, p.message) for p in error.problems]


def _the_full_way(data: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as m:
        m.setattr(_structure, "_PLANS", {})
        m.setattr(_structure, "_PLAIN", {})  # no object read in one step
        m.setattr(_structure, "_quick", lambda info: None)
        m.setattr(_structure, "_BUILDERS", {})  # every object through its __init__
        m.setattr(_structure, "_builder", lambda cls: lambda kwargs: cls(**kwargs))
        return _outcome(data)


@settings(max_examples=200, deadline=None)
@given(invalid_case_dicts())
def test_invalid_cases_report_what_the_full_way_reports(pair: Any) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        quick = _outcome(pair[0])
        assert isinstance(quick, list)
        assert quick == _the_full_way(pair[0], monkeypatch)


@settings(max_examples=200, deadline=None)
@given(case_dicts())
def test_valid_cases_are_built_as_the_full_way_builds_them(data: Any) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        quick = _outcome(data)
        assert isinstance(quick, Case)
        full = _the_full_way(data, monkeypatch)
        assert quick == full
        assert repr(quick) == repr(full)  # every field of every object set, as __init__ sets it


@pytest.mark.parametrize(
    ("concern", "message"),
    [
        ({"date": "2026-02-30"}, "is not a real calendar date"),
        ({"date": "1800-01-01"}, "outside the dates a case may hold"),
        ({"categories": ["sexual", "sexul"]}, "is not one of the allowed values"),
        ({"categories": ["sexual", None]}, "list items may not be null"),
        ({"source": "polic"}, "is not one of the allowed values"),
    ],
)
def test_a_value_the_quick_check_refuses_is_reported_with_its_path(
    concern: dict[str, Any], message: str
) -> None:
    with pytest.raises(CaseError) as caught:
        Case.from_dict({"case_id": "Q", "concerns": [{}, concern]})
    ((path, said),) = [(p.path, p.message) for p in caught.value.problems]
    assert path.startswith("$.concerns[1].")
    assert message in said


def test_objects_built_directly_are_still_checked_after_reading_a_case() -> None:
    Case.from_dict({"case_id": "A", "concerns": [{"date": "2026-01-01"}]})
    with pytest.raises(CaseError):
        Case.from_dict({"case_id": "B", "concerns": [{"date": "no"}]})
    with pytest.raises(CaseError, match="outside the dates"):
        Concern(date=date(1800, 1, 1))
    with pytest.raises(CaseError, match="expected a tuple"):
        Concern(categories=["sexual"])  # type: ignore[arg-type]


def test_an_object_built_from_checked_values_is_what_its_init_builds() -> None:
    """Fields set directly, not through ``__init__``: every field is set (a missing one
    to None), the object is frozen and hashes, and a change through ``attrs.evolve``
    is checked by the validators as on any object."""
    import attrs

    case = Case.from_dict(
        {"case_id": "C1", "household": {"children": [{"ref": "c1", "lives_with": True}]}}
    )
    assert case.household is not None and case.household.children is not None
    child = case.household.children[0]
    assert child == type(child)(ref="c1", lives_with=True)
    assert child.contact is None and child.date_of_birth is None
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        child.contact = True  # type: ignore[misc]
    assert hash(child) == hash(type(child)(ref="c1", lives_with=True))
    with pytest.raises(CaseError, match="expected true or false"):
        attrs.evolve(child, contact="yes")


_SURROGATE = "child-\ud800"


@pytest.mark.parametrize(
    ("child", "message"),
    [
        ({"ref": "c" * 200}, "expected at most"),
        ({"ref": _SURROGATE}, "lone surrogate"),
        ({"lives_with": "yes"}, "expected"),
        ({"date_of_birth": "2026-02-30"}, "is not a real calendar date"),
        ({"colour": "red"}, "is not a known field"),
    ],
)
def test_a_list_item_read_in_one_step_leaves_anything_less_plain_to_the_full_way(
    child: dict[str, Any], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child among plainly valid children: the others are read in one step, this one
    the full way, with its path and message, as the full way reports it."""
    data = {"case_id": "P", "household": {"children": [
        {"ref": "a", "lives_with": True}, child, {"ref": "b", "date_of_birth": "2015-01-02"}]}}
    problems = _outcome(data)
    assert isinstance(problems, list)
    ((path, said),) = problems
    assert path.startswith("$.household.children[1]")
    assert message in said
    assert problems == _the_full_way(data, monkeypatch)


def test_a_null_or_an_order_problem_goes_the_full_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """A field given as null, and dates out of order in an object checked for their
    order, are read the full way: the same case, or the same problem."""
    nulls = {"case_id": "N", "household": {"children": [{"ref": None, "lives_with": None}]},
             "checks": {"police_domestic_abuse": {"requested_date": None}}}
    assert _outcome(nulls) == _the_full_way(nulls, monkeypatch)
    assert isinstance(_outcome(nulls), Case)
    backwards = {"case_id": "O", "checks": {"police_domestic_abuse": {
        "requested_date": "2026-03-02", "response_date": "2026-03-01"}}}
    problems = _outcome(backwards)
    assert problems == _the_full_way(backwards, monkeypatch)
    assert problems == [("$.checks.police_domestic_abuse.response_date",
                         "the response is dated before the request")]
