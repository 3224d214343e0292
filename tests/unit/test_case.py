"""The case model: strict validation with every problem and its JSON path, exact round trips."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskreview._limits import MAX_CALLOUTS_12_MONTHS, MAX_INPUT_NUMBER
from riskreview.case import (
    Case,
    Check,
    CheckOutcome,
    Checks,
    Child,
    Curfew,
    CurfewStatus,
    DomesticAbuse,
    Event,
    EventType,
    Household,
    Mappa,
    Offence,
    OffenceCategory,
    Person,
    RegistrationType,
    RoshLevel,
    Stage,
    Supervision,
)
from riskreview.errors import ArgumentError, CaseError, Problem, RiskReviewError

# ---------------------------------------------------------------- helpers


def problems_of(data: Any) -> dict[str, str]:
    """Every problem Case.from_dict reports for ``data``, as path → message."""
    with pytest.raises(CaseError) as info:
        Case.from_dict(data)
    found = {p.path: p.message for p in info.value.problems}
    assert len(found) == len(info.value.problems), "one problem per path"
    return found


def only_problem(data: Any) -> Problem:
    with pytest.raises(CaseError) as info:
        Case.from_dict(data)
    assert len(info.value.problems) == 1, str(info.value)
    return info.value.problems[0]


def json_problem(text: str | bytes) -> Problem:
    with pytest.raises(CaseError) as info:
        Case.from_json(text)
    assert len(info.value.problems) == 1, str(info.value)
    return info.value.problems[0]


def case_with(**parts: Any) -> dict[str, Any]:
    return {"case_id": "C-1", **parts}


# ---------------------------------------------------------------- the error type


def test_case_error_is_a_value_error_and_a_riskreview_error() -> None:
    with pytest.raises(CaseError) as info:
        Case.from_dict({})
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, RiskReviewError)


def test_case_error_names_the_case_and_counts_its_problems() -> None:
    with pytest.raises(CaseError) as info:
        Case.from_dict(case_with(mappa={"category": 5, "level": 0}))
    error = info.value
    assert error.subject == "C-1"
    assert str(error).startswith("case C-1 is invalid (2 problems):")
    assert "$.mappa.category" in str(error)
    assert "$.mappa.level" in str(error)


# ---------------------------------------------------------------- every problem at once


def test_every_problem_is_reported_at_once_with_its_json_path() -> None:
    found = problems_of(
        {
            "case_id": "C-1",
            "supervision": {"stage": "comunity", "start_date": "2026-02-30"},
            "mappa": {"category": 5},
            "domestic_abuse": {"dash_score": 28, "police_callouts_12_months": -1},
            "household": {
                "children_in_contact": "yes",
                "children": [{"contact": True}, {"contct": True}],
            },
            "registrations": ["mappa", None],
            "risk": {"screening_countersigned": 1},
        }
    )
    assert set(found) == {
        "$.supervision.stage",
        "$.supervision.start_date",
        "$.mappa.category",
        "$.domestic_abuse.dash_score",
        "$.domestic_abuse.police_callouts_12_months",
        "$.household.children_in_contact",
        "$.household.children[1].contct",
        "$.registrations[1]",
        "$.risk.screening_countersigned",
    }


def test_unknown_key_in_a_list_item_is_reported_with_suggestion() -> None:
    problem = only_problem(case_with(household={"children": [{"contact": True}, {"contct": True}]}))
    assert problem.path == "$.household.children[1].contct"
    assert "not a known field" in problem.message
    assert "did you mean 'contact'?" in problem.message


def test_unknown_top_level_key_is_reported_with_suggestion() -> None:
    problem = only_problem(case_with(houshold={}))
    assert problem.path == "$.houshold"
    assert "did you mean 'household'?" in problem.message


def test_unknown_key_with_nothing_close_has_no_suggestion() -> None:
    problem = only_problem(case_with(person={"zzzz": 1}))
    assert problem.path == "$.person.zzzz"
    assert "did you mean" not in problem.message


# ---------------------------------------------------------------- types


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (True, "got true"),
        (False, "got false"),
        ("5", "got a string of 1 character"),
        (1.0, "without a decimal point, got 1.0"),
        (1.5, "got 1.5"),
        ([1], "got a list of 1 item"),
        ({}, "got an object"),
    ],
)
def test_only_a_json_integer_is_a_whole_number(value: Any, shown: str) -> None:
    problem = only_problem(case_with(domestic_abuse={"dash_score": value}))
    assert problem.path == "$.domestic_abuse.dash_score"
    assert "whole number" in problem.message
    assert shown in problem.message


@pytest.mark.parametrize("value", [1, 0, "true", "yes", [], {}])
def test_only_json_true_or_false_is_a_boolean(value: Any) -> None:
    problem = only_problem(case_with(household={"children_in_contact": value}))
    assert problem.path == "$.household.children_in_contact"
    assert "expected true or false" in problem.message


@pytest.mark.parametrize("value", [20260301, True, ["2026-03-01"], {"y": 2026}])
def test_a_date_must_be_a_string(value: Any) -> None:
    problem = only_problem(case_with(supervision={"start_date": value}))
    assert problem.path == "$.supervision.start_date"
    assert "YYYY-MM-DD" in problem.message


def test_case_id_must_be_a_string() -> None:
    problem = only_problem({"case_id": 42})
    assert problem.path == "$.case_id"
    assert "expected a string, got 42" in problem.message


def test_a_nested_part_must_be_an_object() -> None:
    problem = only_problem(case_with(household=["children"]))
    assert problem.path == "$.household"
    assert "expected an object, got a list of 1 item" in problem.message


def test_a_list_field_must_be_a_list() -> None:
    problem = only_problem(case_with(registrations="mappa"))
    assert problem.path == "$.registrations"
    assert "expected a list" in problem.message


# ---------------------------------------------------------------- enums


def test_misspelt_enum_value_is_reported_with_suggestion_but_not_repeated() -> None:
    problem = only_problem(case_with(supervision={"stage": "comunity"}))
    assert problem.path == "$.supervision.stage"
    assert problem.message.startswith("is not one of the allowed values (")
    assert "did you mean 'community'?" in problem.message
    assert "comunity" not in problem.message


def test_misspelt_enum_value_in_a_list_is_reported_with_its_index() -> None:
    problem = only_problem(case_with(registrations=["mappa", "child_protecton"]))
    assert problem.path == "$.registrations[1]"
    assert "did you mean 'child_protection'?" in problem.message


def test_enum_value_with_nothing_close_lists_the_allowed_values() -> None:
    problem = only_problem(case_with(risk={"levels": {"children": "xyz"}}))
    assert problem.path == "$.risk.levels.children"
    for level in RoshLevel:
        assert level.value in problem.message


def test_enum_values_are_case_sensitive() -> None:
    problem = only_problem(case_with(risk={"levels": {"public": "HIGH"}}))
    assert problem.path == "$.risk.levels.public"


def test_enum_must_be_a_string() -> None:
    problem = only_problem(case_with(supervision={"stage": 2}))
    assert problem.path == "$.supervision.stage"
    assert "got 2" in problem.message


# ---------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("part", "field", "value"),
    [
        ("mappa", "category", 5),
        ("mappa", "category", 0),
        ("mappa", "level", 4),
        ("mappa", "level", 0),
        ("domestic_abuse", "dash_score", 28),
        ("domestic_abuse", "dash_score", -1),
        ("domestic_abuse", "police_callouts_12_months", -1),
        ("supervision", "custodial_sentence_months", -3),
    ],
)
def test_out_of_range_numbers_are_rejected(part: str, field: str, value: int) -> None:
    problem = only_problem(case_with(**{part: {field: value}}))
    assert problem.path == f"$.{part}.{field}"
    assert f"got {value}" in problem.message
    assert "expected a whole number from" in problem.message


@pytest.mark.parametrize(
    ("part", "field", "value"),
    [
        ("mappa", "category", 1),
        ("mappa", "category", 4),
        ("mappa", "level", 3),
        ("domestic_abuse", "dash_score", 0),
        ("domestic_abuse", "dash_score", 27),
        ("domestic_abuse", "police_callouts_12_months", 0),
        ("domestic_abuse", "police_callouts_12_months", 10_000),
    ],
)
def test_numbers_at_the_edges_of_their_range_are_accepted(
    part: str, field: str, value: int
) -> None:
    case = Case.from_dict(case_with(**{part: {field: value}}))
    assert getattr(getattr(case, part), field) == value


def test_a_case_id_longer_than_128_characters_is_rejected() -> None:
    problem = only_problem({"case_id": "C" * 129})
    assert problem.path == "$.case_id"
    assert "at most 128 characters, got 129" in problem.message


def test_a_child_ref_longer_than_64_characters_is_rejected() -> None:
    problem = only_problem(case_with(household={"children": [{"ref": "r" * 65}]}))
    assert problem.path == "$.household.children[0].ref"
    assert "at most 64 characters" in problem.message


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2026-00-10", "2025-02-29"])
def test_dates_that_do_not_exist_are_rejected(text: str) -> None:
    problem = only_problem(case_with(supervision={"start_date": text}))
    assert problem.path == "$.supervision.start_date"
    assert "not a real calendar date" in problem.message


@pytest.mark.parametrize(
    "text", ["01/03/2026", "2026-3-1", "20260301", "2026-03-01T00:00:00", " 2026-03-01", ""]
)
def test_dates_in_other_formats_are_rejected(text: str) -> None:
    problem = only_problem(case_with(supervision={"start_date": text}))
    assert problem.path == "$.supervision.start_date"
    assert "YYYY-MM-DD" in problem.message


def test_an_iso_week_date_is_not_a_yyyy_mm_dd_date() -> None:
    # "2026-W09-1" has ten characters and date.fromisoformat accepts it as 2026-02-23
    problem = only_problem(case_with(supervision={"start_date": "2026-W09-1"}))
    assert problem.path == "$.supervision.start_date"
    assert "YYYY-MM-DD" in problem.message


def test_a_leap_day_is_a_real_date() -> None:
    case = Case.from_dict(case_with(supervision={"start_date": "2028-02-29"}))
    assert case.supervision.start_date == date(2028, 2, 29)


@pytest.mark.parametrize("text", ["9999-12-31", "2200-01-01", "1899-12-31", "0001-01-01"])
def test_dates_outside_1900_to_2199_are_rejected(text: str) -> None:
    # a due date counted from 9999-12-31 would leave the calendar
    problem = only_problem(case_with(supervision={"start_date": text}))
    assert problem.path == "$.supervision.start_date"
    assert problem.message == (
        f"{text} is outside the dates a case may hold (1900-01-01 to 2199-12-31)"
    )


@pytest.mark.parametrize("text", ["1900-01-01", "2199-12-31"])
def test_the_first_and_last_accepted_dates_are_accepted(text: str) -> None:
    case = Case.from_dict(case_with(supervision={"start_date": text}))
    assert case.supervision.start_date == date.fromisoformat(text)


def test_a_date_out_of_range_in_a_list_item_is_rejected_with_its_index() -> None:
    problem = only_problem(case_with(events=[{"type": "arrest", "date": "9999-12-30"}]))
    assert problem.path == "$.events[0].date"
    assert "outside the dates" in problem.message


def test_direct_construction_rejects_a_date_out_of_range() -> None:
    with pytest.raises(CaseError) as info:
        Supervision(start_date=date(9999, 12, 31))
    assert info.value.problems[0].path == "Supervision.start_date"
    assert "outside the dates" in info.value.problems[0].message


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (
            r'{"case_id": "C-1", "household": {"children": [{"ref": "a\udfffb"}]}}',
            "$.household.children[0].ref",
        ),
        (r'{"case_id": "C-1", "inputs": {"note": "\ud800"}}', "$.inputs.note"),
        (r'{"case_id": "C-1", "inputs": {"flags": ["ok", "\udc00"]}}', "$.inputs.flags"),
        (r'{"case_id": "C-1", "inputs": {"\ud800": 1}}', "$.inputs"),
    ],
)
def test_a_lone_surrogate_in_text_is_a_case_error(text: str, path: str) -> None:
    # JSON can spell a lone surrogate as an escape; it is not Unicode text, and
    # would fail later when the decision is written out as UTF-8
    problem = json_problem(text)
    assert problem.path == path
    assert "lone surrogate" in problem.message


def test_a_case_id_with_a_lone_surrogate_is_rejected_and_not_repeated() -> None:
    with pytest.raises(CaseError) as info:
        Case.from_json(r'{"case_id": "C\ud800"}')
    assert [p.path for p in info.value.problems] == ["$.case_id"]
    message = str(info.value)
    assert message.encode("utf-8").decode("utf-8") == message  # always valid text
    assert "C\ud800" not in message


def test_direct_construction_rejects_a_lone_surrogate() -> None:
    with pytest.raises(CaseError) as info:
        Case(case_id="C\ud800")
    assert info.value.problems[0].path == "Case.case_id"


# ---------------------------------------------------------------- impossible combinations


@pytest.mark.parametrize(
    ("supervision", "path", "reason"),
    [
        (
            {"start_date": "2026-03-01", "release_date": "2026-02-28"},
            "$.supervision.release_date",
            "before the start of supervision",
        ),
        (
            {"sentence_date": "2026-03-01", "release_date": "2026-02-01"},
            "$.supervision.release_date",
            "before the sentence date",
        ),
        (
            {"start_date": "2026-03-01", "end_date": "2026-02-28"},
            "$.supervision.end_date",
            "ends before it starts",
        ),
        (
            {"sentence_date": "2026-03-01", "expected_release_date": "2026-01-01"},
            "$.supervision.expected_release_date",
            "before the sentence date",
        ),
    ],
)
def test_impossible_supervision_dates_are_rejected(
    supervision: dict[str, str], path: str, reason: str
) -> None:
    problem = only_problem(case_with(supervision=supervision))
    assert problem.path == path
    assert reason in problem.message


def test_release_before_both_start_and_sentence_gives_two_problems() -> None:
    with pytest.raises(CaseError) as info:
        Case.from_dict(
            case_with(
                supervision={
                    "sentence_date": "2026-03-01",
                    "start_date": "2026-03-02",
                    "release_date": "2026-01-01",
                }
            )
        )
    assert [p.path for p in info.value.problems] == ["$.supervision.release_date"] * 2
    messages = [p.message for p in info.value.problems]
    assert any("sentence date" in m for m in messages)
    assert any("start of supervision" in m for m in messages)


def test_same_day_dates_are_not_contradictions() -> None:
    case = Case.from_dict(
        case_with(
            person={"date_of_birth": "2000-01-01"},
            supervision={
                "sentence_date": "2026-03-01",
                "start_date": "2026-03-01",
                "release_date": "2026-03-01",
                "end_date": "2026-03-01",
            },
            index_offence={"date": "2026-03-01"},
            checks={
                "police_domestic_abuse": {
                    "requested_date": "2026-03-02",
                    "response_date": "2026-03-02",
                }
            },
        )
    )
    assert case.supervision.release_date == date(2026, 3, 1)


def test_supervision_may_start_before_sentence_for_a_court_report() -> None:
    case = Case.from_dict(
        case_with(
            supervision={
                "stage": "pre_sentence",
                "start_date": "2026-02-01",
                "sentence_date": "2026-03-01",
            }
        )
    )
    assert case.supervision.stage is Stage.PRE_SENTENCE


def test_offence_after_sentence_is_rejected() -> None:
    problem = only_problem(
        case_with(index_offence={"date": "2026-03-02"}, supervision={"sentence_date": "2026-03-01"})
    )
    assert problem.path == "$.index_offence.date"
    assert "after the sentence" in problem.message


@pytest.mark.parametrize("check", ["police_domestic_abuse", "childrens_social_care"])
def test_check_response_before_request_is_rejected(check: str) -> None:
    problem = only_problem(
        case_with(checks={check: {"requested_date": "2026-03-10", "response_date": "2026-03-09"}})
    )
    assert problem.path == f"$.checks.{check}.response_date"
    assert "before the request" in problem.message


@pytest.mark.parametrize("field", ["start_date", "sentence_date"])
def test_date_of_birth_after_start_or_sentence_is_rejected(field: str) -> None:
    problem = only_problem(
        case_with(person={"date_of_birth": "2026-03-02"}, supervision={field: "2026-03-01"})
    )
    assert problem.path == "$.person.date_of_birth"
    assert f"supervision.{field}" in problem.message


def test_cross_field_problems_are_reported_with_field_problems() -> None:
    found = problems_of(
        case_with(
            supervision={"start_date": "2026-03-01", "end_date": "2026-01-01"},
            mappa={"level": 9},
        )
    )
    assert set(found) == {"$.supervision.end_date", "$.mappa.level"}


# ---------------------------------------------------------------- JSON text


@pytest.mark.parametrize(
    "text",
    ['{"case_id": ', "{case_id: 'C-1'}", '{"case_id": "C-1",}', '{"case_id": "C-1"} {}'],
)
def test_invalid_json_text_is_a_case_error(text: str) -> None:
    problem = json_problem(text)
    assert problem.path == "$"
    assert problem.message.startswith("not valid JSON")


@pytest.mark.parametrize(("text", "got"), [("", "empty text"), ("  \n", "only white space")])
def test_empty_json_text_is_said_to_be_empty(text: str, got: str) -> None:
    problem = json_problem(text)
    assert (problem.path, problem.message) == ("$", f"expected a case as a JSON object, got {got}")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    problem = json_problem(f'{{"case_id": "C-1", "domestic_abuse": {{"dash_score": {constant}}}}}')
    assert problem.path == "$"
    assert constant.lstrip("-") in problem.message


def test_a_number_too_large_for_a_float_is_not_accepted_as_an_input() -> None:
    problem = json_problem('{"case_id": "C-1", "inputs": {"score": 1e400}}')
    assert problem.path == "$.inputs.score"


def test_an_integer_with_thousands_of_digits_is_a_case_error() -> None:
    digits = "9" * 5000
    problem = json_problem(f'{{"case_id": "C-1", "domestic_abuse": {{"dash_score": {digits}}}}}')
    assert problem.path == "$"


def test_duplicate_json_keys_are_rejected() -> None:
    problem = json_problem('{"case_id": "C-1", "mappa": {"level": 1, "level": 2}}')
    assert problem.path == "$"
    assert "duplicate key 'level'" in problem.message


def test_json_bytes_that_are_not_utf8_are_a_case_error() -> None:
    problem = json_problem(b'{"case_id": "\xff"}')
    assert problem.path == "$"
    assert "not valid JSON" in problem.message


def test_json_bytes_are_accepted() -> None:
    assert Case.from_json(b'{"case_id": "C-1"}').case_id == "C-1"


@pytest.mark.parametrize("text", [None, 42, {"case_id": "C-1"}, ["{}"]])
def test_from_json_needs_text_and_says_so_with_an_argument_error(text: Any) -> None:
    with pytest.raises(ArgumentError, match="text must be JSON text") as caught:
        Case.from_json(text)
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize(("open_", "close"), [("[", "]"), ('{"a":', "}")])
def test_json_nested_100000_deep_is_a_case_error_not_a_recursion_error(
    open_: str, close: str
) -> None:
    text = open_ * 100_000 + "1" * (open_ == '{"a":') + close * 100_000
    problem = json_problem(text)
    assert problem.path == "$"
    assert "nested too deeply" in problem.message


def test_deeply_nested_json_inside_a_case_field_is_a_case_error() -> None:
    text = '{"case_id": "C-1", "registrations": ' + "[" * 100_000 + "]" * 100_000 + "}"
    problem = json_problem(text)
    assert problem.path == "$"


def test_deeply_nested_python_data_is_a_case_error() -> None:
    nested: list[Any] = []
    for _ in range(100_000):
        nested = [nested]
    found = problems_of(
        case_with(registrations=nested, household={"children": nested}, inputs={"x": nested})
    )
    assert set(found) == {"$.registrations[0]", "$.household.children[0]", "$.inputs.x"}


def test_nesting_within_the_recursion_limit_is_reported_at_the_first_wrong_level() -> None:
    text = '{"case_id": "C-1", "events": ' + "[" * 500 + "]" * 500 + "}"
    problem = json_problem(text)
    assert problem.path == "$.events[0]"
    assert "expected an object" in problem.message


# ---------------------------------------------------------------- shape of the input


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        ([{"case_id": "C-1"}], "a list of 1 item"),
        ("C-1", "a string of 3 characters"),
        (7, "7"),
        (True, "true"),
    ],
)
def test_a_case_must_be_an_object(data: Any, shown: str) -> None:
    problem = only_problem(data)
    assert problem.path == "$"
    assert f"expected an object, got {shown}" in problem.message


def test_null_is_not_a_case() -> None:
    problem = only_problem(None)
    assert problem.path == "$"
    assert "null" in problem.message


def test_case_id_is_required() -> None:
    problem = only_problem({"household": {"children_in_contact": True}})
    assert problem.path == "$.case_id"
    assert problem.message == "is required"


def test_case_id_may_not_be_null() -> None:
    problem = only_problem({"case_id": None})
    assert problem.path == "$.case_id"
    assert "null" in problem.message


def test_null_list_items_are_rejected_with_their_index() -> None:
    found = problems_of(
        case_with(
            registrations=[None], events=[{"type": "arrest"}, None], household={"children": [None]}
        )
    )
    assert set(found) == {"$.registrations[0]", "$.events[1]", "$.household.children[0]"}
    assert all("may not be null" in m for m in found.values())


def test_only_case_id_is_required() -> None:
    case = Case.from_dict({"case_id": "C-1"})
    assert case.household.children_in_contact is None
    assert case.registrations is None
    assert case.curfew is None


def test_null_means_unknown_for_optional_fields() -> None:
    case = Case.from_dict(case_with(registrations=None, curfew=None, household={"children": None}))
    assert case == Case.from_dict({"case_id": "C-1"})


# ---------------------------------------------------------------- no free text in messages


def test_a_long_case_id_is_not_echoed() -> None:
    secret = "JANE-SMITH-12-ACACIA-AVENUE-" * 10
    with pytest.raises(CaseError) as info:
        Case.from_dict({"case_id": secret})
    assert secret not in str(info.value)
    assert "JANE-SMITH" not in str(info.value)
    assert info.value.subject == ""


def test_a_child_ref_is_not_echoed_when_the_child_is_invalid() -> None:
    ref = "Ruby Smith, born 3 May 2019, Acacia Avenue"
    with pytest.raises(CaseError) as info:
        Case.from_dict(case_with(household={"children": [{"ref": ref, "lives_with": "yes"}]}))
    assert "Ruby" not in str(info.value)
    assert info.value.problems[0].path == "$.household.children[0].lives_with"


def test_a_too_long_child_ref_is_not_echoed() -> None:
    ref = "Ruby Smith who lives with her grandmother at 12 Acacia Avenue, Leeds"
    with pytest.raises(CaseError) as info:
        Case.from_dict(case_with(household={"children": [{"ref": ref}]}))
    assert "Ruby" not in str(info.value)
    assert "Acacia" not in str(info.value)


@pytest.mark.parametrize(
    ("part", "data"),
    [
        ("household", {"children_in_contact": "yes, Ruby lives with him at 12 Acacia Avenue"}),
        ("domestic_abuse", {"dash_score": "Ruby said he threatened her at 12 Acacia Avenue"}),
        ("supervision", {"stage": "Ruby said he moved to 12 Acacia Avenue last week"}),
        ("supervision", {"start_date": "Ruby said he moved to 12 Acacia Avenue"}),
        ("person", {"Ruby said he moved to 12 Acacia Avenue in the spring of 2025 with her": 1}),
    ],
)
def test_free_text_in_the_wrong_place_is_not_echoed(part: str, data: dict[str, Any]) -> None:
    with pytest.raises(CaseError) as info:
        Case.from_dict(case_with(**{part: data}))
    assert "Acacia" not in str(info.value)
    assert "Ruby" not in str(info.value)


def test_free_text_in_invalid_json_is_not_echoed() -> None:
    with pytest.raises(CaseError) as info:
        Case.from_json('{"case_id": "C-1", "note": Ruby lives at 12 Acacia Avenue}')
    assert "Acacia" not in str(info.value)


# ---------------------------------------------------------------- direct construction


@pytest.mark.parametrize(
    "build",
    [
        lambda: Household(children_in_contact="yes"),
        lambda: Household(children_in_contact=1),
        lambda: Household(children=[Child()]),
        lambda: Household(children=(Child(), None)),
        lambda: Mappa(category=5),
        lambda: Mappa(level=True),
        lambda: DomesticAbuse(dash_score=1.0),
        lambda: Supervision(stage="community"),
        lambda: Supervision(start_date="2026-03-01"),
        lambda: Child(ref="r" * 65),
        lambda: Case(case_id=5),
        lambda: Case(case_id="C-1", household={"children_in_contact": True}),
        lambda: Case(case_id="C-1", registrations=("mappa",)),
    ],
)
def test_direct_construction_with_a_wrong_value_raises_case_error(build: Any) -> None:
    with pytest.raises(CaseError):
        build()


def test_direct_construction_error_names_the_class_and_field() -> None:
    with pytest.raises(CaseError) as info:
        Household(children_in_contact="yes")
    assert info.value.problems[0].path == "Household.children_in_contact"
    assert "true or false" in info.value.problems[0].message


def test_evolving_a_case_into_an_invalid_one_raises_case_error() -> None:
    case = Case(case_id="C-1")
    with pytest.raises(CaseError):
        attrs.evolve(case, mappa=attrs.evolve(case.mappa, category=9))


def test_direct_construction_rejects_release_before_start() -> None:
    with pytest.raises(CaseError) as info:
        Case(
            case_id="C-1",
            supervision=Supervision(start_date=date(2026, 3, 1), release_date=date(2026, 1, 1)),
        )
    # a part built on its own is checked on its own, named by its class
    assert info.value.problems[0].path == "Supervision.release_date"


def test_direct_construction_rejects_date_of_birth_after_start() -> None:
    with pytest.raises(CaseError):
        Case(
            case_id="C-1",
            person=Person(date_of_birth=date(2026, 3, 2)),
            supervision=Supervision(start_date=date(2026, 3, 1)),
        )


def test_direct_construction_rejects_check_response_before_request() -> None:
    # from_dict rejects this case; a directly built one must not exist either, or
    # Case.from_dict(case.to_dict()) fails on a case that was accepted.
    with pytest.raises(CaseError):
        Case(
            case_id="C-1",
            checks=Checks(
                police_domestic_abuse=Check(
                    requested_date=date(2026, 3, 10), response_date=date(2026, 3, 1)
                )
            ),
        )


@pytest.mark.parametrize("value", [math.nan, object()], ids=["nan", "object"])
def test_direct_construction_rejects_inputs_that_are_not_json_values(value: Any) -> None:
    # from_dict rejects these; a directly built case holding one (a pandas NaN, say)
    # cannot be written with to_json, which raises a bare ValueError or TypeError
    with pytest.raises(CaseError):
        Case(case_id="C-1", inputs={"score": value})


def test_a_directly_built_case_equals_the_same_case_from_json() -> None:
    built = Case(
        case_id="C-1",
        supervision=Supervision(stage=Stage.LICENCE, start_date=date(2026, 3, 1)),
        registrations=(RegistrationType.MAPPA,),
        household=Household(children=(Child(ref="a", contact=True),)),
    )
    parsed = Case.from_json(
        '{"case_id": "C-1", "supervision": {"stage": "licence", "start_date": "2026-03-01"},'
        ' "registrations": ["mappa"], "household": {"children": [{"ref": "a", "contact": true}]}}'
    )
    assert built == parsed


def test_from_dict_of_a_case_returns_it() -> None:
    case = Case(case_id="C-1")
    assert Case.from_dict(case) is case


def test_cases_are_frozen() -> None:
    case = Case(case_id="C-1")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        case.case_id = "C-2"  # type: ignore[misc]


# ---------------------------------------------------------------- round trips

DOMESTIC_ABUSE_CASE: dict[str, Any] = {
    "case_id": "DA-0001",
    "person": {"date_of_birth": "1990-06-15"},
    "supervision": {
        "stage": "community",
        "sentence_type": "community_order",
        "sentence_date": "2026-01-12",
        "start_date": "2026-01-14",
        "end_date": "2027-01-13",
    },
    "index_offence": {
        "categories": ["domestic_abuse", "non_fatal_strangulation"],
        "date": "2025-11-02",
    },
    "offending_history": [
        {"categories": ["domestic_abuse"], "date": "2019-04-01"},
        {"categories": ["acquisitive", "drugs"], "date": "2015-09-30"},
        {"categories": []},
    ],
    "concerns": [{"source": "police", "categories": ["stalking"], "date": "2025-12-01"}],
    "risk": {
        "screening_date": "2026-01-20",
        "screening_outcome": "full_analysis_required",
        "screening_countersigned": False,
        "levels": {"known_adult": "high", "children": "medium", "public": "low"},
        "rating_rationale_recorded": True,
    },
    "registrations": ["domestic_abuse_perpetrator", "marac"],
    "domestic_abuse": {
        "dash_score": 16,
        "police_callouts_12_months": 3,
        "last_marac_referral_date": "2025-12-10",
        "known_victim": True,
    },
    "household": {"children_in_contact": False, "children": [], "in_relationship": True},
    "checks": {
        "police_domestic_abuse": {
            "requested_date": "2026-01-15",
            "response_date": "2026-01-19",
            "outcome": "concerns",
        },
        "childrens_social_care": {"requested_date": "2026-01-15"},
    },
    "plans": {"risk_management_plan_date": "2026-02-01", "domestic_abuse_plan_date": "2026-02-01"},
    "events": [{"type": "new_relationship", "date": "2026-02-20"}, {"type": "arrest"}],
}

CHILD_SAFEGUARDING_CASE: dict[str, Any] = {
    "case_id": "CS-0002",
    "supervision": {"stage": "pre_sentence", "start_date": "2026-03-02"},
    "index_offence": {"categories": ["child_cruelty_or_neglect"]},
    "household": {
        "children_in_contact": True,
        "children": [
            {
                "ref": "child-1",
                "date_of_birth": "2018-02-01",
                "lives_with": True,
                "child_protection_plan": True,
                "social_worker_liaison_date": "2026-03-03",
            },
            {
                "ref": "child-2",
                "date_of_birth": "2027-01-01",
                "contact": False,
                "child_in_need": False,
                "looked_after": True,
            },
            {},
        ],
    },
    "registrations": [],
    "needs": [{"type": "learning_disability", "adjustment_in_plan": False}, {"type": "literacy"}],
    "inputs": {
        "ogrs_score": 42,
        "ospc_band": "medium",
        "flags": ["a", "b"],
        "ratio": 0.5,
        "nothing": None,
        "yes": True,
    },
}

RELEASE_CASE: dict[str, Any] = {
    "case_id": "REL-0003",
    "person": {"date_of_birth": "2004-12-31"},
    "supervision": {
        "stage": "licence",
        "sentence_type": "determinate_custody",
        "sentence_date": "2024-05-01",
        "start_date": "2024-05-01",
        "custodial_sentence_months": 24,
        "expected_release_date": "2025-05-01",
        "release_date": "2025-05-02",
        "end_date": "2026-05-01",
    },
    "index_offence": {"categories": ["violence", "weapons"], "date": "2024-01-01"},
    "mappa": {"category": 2, "level": 1},
    "risk": {
        "full_analysis_date": "2025-04-01",
        "last_review_date": "2025-09-01",
        "levels": {"public": "very_high", "staff": "medium", "prisoners": "low"},
    },
    "release": {
        "pre_release_review_date": "2025-04-15",
        "address_police_check_date": "2025-04-16",
        "address_safeguarding_check_date": "2025-04-17",
    },
    "curfew": {
        "status": "imposed",
        "address_police_check_date": "2025-04-16",
        "occupier_agreement": True,
    },
    "home_visits": [{"date": "2025-05-10"}, {}],
    "events": [
        {"type": "release_from_custody", "date": "2025-05-02"},
        {"type": "change_of_address", "date": "2025-06-01"},
    ],
    "plans": {
        "sentence_plan_date": "2025-05-20",
        "barriers_assessment_date": "2025-05-20",
        "next_review_planned_date": "2025-12-01",
        "safeguarding_plan_date": "2025-05-21",
        "victim_safety_plan_date": "2025-05-22",
    },
    "offending_history": [],
    "concerns": [],
}

RICH_CASES = [DOMESTIC_ABUSE_CASE, CHILD_SAFEGUARDING_CASE, RELEASE_CASE]


@pytest.mark.parametrize("data", RICH_CASES, ids=lambda d: d["case_id"])
def test_from_dict_of_to_dict_gives_the_same_case(data: dict[str, Any]) -> None:
    case = Case.from_dict(data)
    assert Case.from_dict(case.to_dict()) == case


@pytest.mark.parametrize("data", RICH_CASES, ids=lambda d: d["case_id"])
def test_from_json_of_to_json_gives_the_same_case(data: dict[str, Any]) -> None:
    case = Case.from_dict(data)
    assert Case.from_json(case.to_json()) == case


@pytest.mark.parametrize("data", RICH_CASES, ids=lambda d: d["case_id"])
def test_to_dict_gives_back_exactly_the_data_read(data: dict[str, Any]) -> None:
    assert Case.from_dict(data).to_dict() == data


@pytest.mark.parametrize("data", RICH_CASES, ids=lambda d: d["case_id"])
def test_to_json_is_canonical(data: dict[str, Any]) -> None:
    text = Case.from_dict(data).to_json()
    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert Case.from_json(text).to_json() == text


@pytest.mark.parametrize("data", RICH_CASES, ids=lambda d: d["case_id"])
def test_to_dict_holds_only_json_types(data: dict[str, Any]) -> None:
    out = Case.from_dict(data).to_dict()
    assert json.loads(json.dumps(out)) == out


def test_values_are_read_into_their_python_types() -> None:
    case = Case.from_dict(DOMESTIC_ABUSE_CASE)
    assert case.supervision.start_date == date(2026, 1, 14)
    assert case.index_offence.categories == (
        OffenceCategory.DOMESTIC_ABUSE,
        OffenceCategory.NON_FATAL_STRANGULATION,
    )
    assert case.risk.levels.known_adult is RoshLevel.HIGH
    assert case.checks.police_domestic_abuse == Check(
        requested_date=date(2026, 1, 15),
        response_date=date(2026, 1, 19),
        outcome=CheckOutcome.CONCERNS,
    )
    assert case.events == (
        Event(type=EventType.NEW_RELATIONSHIP, date=date(2026, 2, 20)),
        Event(type=EventType.ARREST),
    )
    assert Case.from_dict(RELEASE_CASE).curfew == Curfew(
        status=CurfewStatus.IMPOSED,
        address_police_check_date=date(2025, 4, 16),
        occupier_agreement=True,
    )


def test_input_lists_become_tuples_and_round_trip() -> None:
    case = Case.from_dict(CHILD_SAFEGUARDING_CASE)
    assert case.inputs["flags"] == ("a", "b")
    assert case.inputs["nothing"] is None
    assert Case.from_json(case.to_json()).inputs == case.inputs


def test_unknown_stays_distinct_from_no_and_from_empty_after_a_round_trip() -> None:
    unknown = Case.from_dict({"case_id": "C-1"})
    known_no = Case.from_dict(
        case_with(
            household={"children_in_contact": False, "children": []},
            registrations=[],
            events=[],
            risk={"screening_countersigned": False},
            curfew={},
            checks={"police_domestic_abuse": {}},
        )
    )
    assert unknown != known_no
    for case in (unknown, known_no):
        assert Case.from_json(case.to_json()) == case
        assert Case.from_dict(case.to_dict()) == case
    again_unknown = Case.from_json(unknown.to_json())
    again_no = Case.from_json(known_no.to_json())
    assert again_unknown.household.children_in_contact is None
    assert again_no.household.children_in_contact is False
    assert again_unknown.household.children is None
    assert again_no.household.children == ()
    assert again_unknown.registrations is None
    assert again_no.registrations == ()
    assert again_unknown.events is None
    assert again_no.events == ()
    assert again_unknown.risk.screening_countersigned is None
    assert again_no.risk.screening_countersigned is False
    assert again_unknown.curfew is None
    assert again_no.curfew == Curfew()
    assert again_unknown.checks.police_domestic_abuse is None
    assert again_no.checks.police_domestic_abuse == Check()


def test_unknown_values_are_left_out_of_the_json() -> None:
    assert Case.from_dict({"case_id": "C-1"}).to_dict() == {"case_id": "C-1"}
    assert Case.from_dict({"case_id": "C-1"}).to_json() == '{"case_id":"C-1"}'


def test_false_and_empty_lists_are_kept_in_the_json() -> None:
    data = Case.from_dict(
        case_with(household={"children_in_contact": False, "children": []})
    ).to_dict()
    assert data["household"] == {"children_in_contact": False, "children": []}


def test_non_ascii_text_round_trips() -> None:
    case = Case.from_dict({"case_id": "Ç-ñ-日本-🙂", "household": {"children": [{"ref": "Zoë"}]}})
    assert Case.from_json(case.to_json()) == case
    assert "Zoë" in case.to_json()


# ---------------------------------------------------------------- round trip property

_dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2049, 12, 31))
_bools = st.none() | st.booleans()


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _tuple_of(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return _maybe(st.lists(strategy, max_size=3).map(tuple))


_children = st.builds(
    Child,
    ref=_maybe(st.text(max_size=64)),
    date_of_birth=_maybe(_dates),
    lives_with=_bools,
    contact=_bools,
    child_protection_plan=_bools,
    child_in_need=_bools,
    looked_after=_bools,
)
_checks = st.builds(
    Check,
    requested_date=_maybe(st.just(date(2026, 1, 1))),
    response_date=_maybe(st.just(date(2026, 1, 2))),
    outcome=_maybe(st.sampled_from(CheckOutcome)),
)
_cases = st.builds(
    Case,
    case_id=st.text(min_size=1, max_size=128),
    index_offence=st.builds(
        Offence, categories=_tuple_of(st.sampled_from(OffenceCategory)), date=_maybe(_dates)
    ),
    registrations=_tuple_of(st.sampled_from(RegistrationType)),
    mappa=st.builds(Mappa, category=_maybe(st.integers(1, 4)), level=_maybe(st.integers(1, 3))),
    domestic_abuse=st.builds(
        DomesticAbuse,
        dash_score=_maybe(st.integers(0, 27)),
        police_callouts_12_months=_maybe(st.integers(0, MAX_CALLOUTS_12_MONTHS)),
        known_victim=_bools,
    ),
    household=st.builds(
        Household, children_in_contact=_bools, children=_tuple_of(_children), in_relationship=_bools
    ),
    checks=st.builds(
        Checks, police_domestic_abuse=_maybe(_checks), childrens_social_care=_maybe(_checks)
    ),
    events=_tuple_of(
        st.builds(Event, type=_maybe(st.sampled_from(EventType)), date=_maybe(_dates))
    ),
    curfew=_maybe(
        st.builds(Curfew, status=_maybe(st.sampled_from(CurfewStatus)), occupier_agreement=_bools)
    ),
    inputs=st.dictionaries(
        st.text(max_size=10),
        st.none()
        | st.booleans()
        | st.integers(-MAX_INPUT_NUMBER, MAX_INPUT_NUMBER)
        | st.text(max_size=10)
        | st.floats(-MAX_INPUT_NUMBER, MAX_INPUT_NUMBER),
        max_size=3,
    ),
)


@settings(max_examples=150, database=None, deadline=None)
@given(_cases)
def test_any_valid_case_round_trips_through_json(case: Case) -> None:
    assert Case.from_json(case.to_json()) == case
    assert Case.from_dict(case.to_dict()) == case
