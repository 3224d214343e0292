"""Every condition that did not hold is explained with the value it read and its boundary.

One test per operator of the pack language (``riskreview._conditions``): the text a
trace (``why``) and an explanation (``failure_text``) give for a false condition
names the field, the value the case holds and what the rule needed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import riskreview
from riskreview._conditions import (
    DATE_OPS,
    EQ_OPS,
    LIST_OPS,
    ORDER_OPS,
    PRESENCE_OPS,
    SET_OPS,
    WINDOW_OPS,
    ParseContext,
    parse,
)
from riskreview._explain import failure_text, why
from riskreview._fields import CASE_FIELDS
from riskreview._reference import Reference
from riskreview.calendar import Calendar

AS_OF = date(2026, 11, 23)
CASE = riskreview.Case.from_dict(
    {
        "case_id": "EXPLAIN-1",
        "supervision": {"stage": "community", "custodial_sentence_months": 10},
        "index_offence": {"categories": ["violence", "weapons"]},
        "risk": {
            "screening_date": "2026-10-02",
            "screening_outcome": "full_analysis_not_required",
            "screening_countersigned": True,
            "levels": {"public": "low"},
        },
        "plans": {"sentence_plan_date": "2026-10-20"},
        "mappa": {"level": 2},
        "household": {
            "children": [
                {"ref": "a", "contact": False, "lives_with": False},
                {"ref": "b", "contact": True, "lives_with": False},
            ]
        },
    }
)


def _text(condition: Any) -> str:
    problems: list[str] = []
    ctx = ParseContext(
        fields=CASE_FIELDS,
        params={},
        named={},
        report=lambda where, message: problems.append(f"{where}: {message}"),
    )
    node = parse(condition, ctx, "test")
    assert node is not None and not problems, problems
    result = Reference(CASE, AS_OF, lambda name, day: None, Calendar()).evaluate(node)
    assert result.truth is False, "each example is a condition the case does not meet"
    text = why(result)
    assert text == "failed: " + failure_text(result)
    return text


# (operator, condition the case fails, what the explanation must say)
CASES: list[tuple[str, Any, tuple[str, ...]]] = [
    (
        "eq",
        {"risk.screening_outcome": "full_analysis_required"},
        ("risk.screening_outcome is full_analysis_not_required", "full_analysis_required"),
    ),
    (
        "ne",
        {"supervision.stage": {"ne": "community"}},
        ("supervision.stage is community", "is not community"),
    ),
    ("lt", {"mappa.level": {"lt": 2}}, ("mappa.level is 2", "less than 2", "0 away")),
    ("lte", {"mappa.level": {"lte": 1}}, ("mappa.level is 2", "at most 1", "1 away")),
    (
        "gt",
        {"supervision.custodial_sentence_months": {"gt": 12}},
        ("custodial_sentence_months is 10", "more than 12", "2 away"),
    ),
    (
        "gte",
        {"supervision.custodial_sentence_months": {"gte": 12}},
        ("custodial_sentence_months is 10", "at least 12", "2 away"),
    ),
    (
        "gte",
        {"risk.overall_level": {"gte": "high"}},
        ("risk.overall_level is low", "at least high", "2 levels away"),
    ),
    (
        "in",
        {"supervision.stage": {"in": ["licence", "custody"]}},
        ("supervision.stage is community", "one of [licence, custody]"),
    ),
    (
        "not_in",
        {"supervision.stage": {"not_in": ["community"]}},
        ("supervision.stage is community", "none of [community]"),
    ),
    (
        "before",
        {"risk.screening_date": {"before": date(2026, 10, 1)}},
        ("risk.screening_date is 2026-10-02", "before 2026-10-01", "1 days after it"),
    ),
    (
        "after",
        {"risk.screening_date": {"after": {"field": "plans.sentence_plan_date"}}},
        ("risk.screening_date is 2026-10-02", "after 2026-10-20", "18 days before it"),
    ),
    (
        "on_or_before",
        {"plans.sentence_plan_date": {"on_or_before": date(2026, 10, 2)}},
        ("plans.sentence_plan_date is 2026-10-20", "on or before 2026-10-02", "18 days after"),
    ),
    (
        "on_or_after",
        {"risk.screening_date": {"on_or_after": date(2026, 10, 3)}},
        ("risk.screening_date is 2026-10-02", "on or after 2026-10-03", "1 days before"),
    ),
    (
        "older_than",
        {"risk.screening_date": {"older_than": {"weeks": 16}}},
        ("risk.screening_date is 2026-10-02", "52 days ago", "more than 112 days"),
    ),
    (
        "within_last",
        {"risk.screening_date": {"within_last": {"days": 30}}},
        ("risk.screening_date is 2026-10-02", "52 days ago", "at most 30 days"),
    ),
    (
        "within_next",
        {"risk.screening_date": {"within_next": {"days": 30}}},
        ("risk.screening_date is 2026-10-02", "52 days ago", "at most 30 days"),
    ),
    (
        "contains",
        {"index_offence.categories": {"contains": "arson"}},
        ("index_offence.categories is [violence, weapons]", "includes arson"),
    ),
    (
        "not_contains",
        {"index_offence.categories": {"not_contains": "weapons"}},
        ("index_offence.categories is [violence, weapons]", "does not include weapons"),
    ),
    (
        "contains_any",
        {"index_offence.categories": {"contains_any": ["arson", "sexual"]}},
        ("index_offence.categories is [violence, weapons]", "any of [arson, sexual]"),
    ),
    (
        "contains_none",
        {"index_offence.categories": {"contains_none": ["weapons"]}},
        ("index_offence.categories is [violence, weapons]", "none of [weapons]"),
    ),
    (
        "exists",
        {"risk.full_analysis_date": {"exists": True}},
        ("risk.full_analysis_date is not recorded",),
    ),
    (
        "missing",
        {"risk.screening_date": {"missing": True}},
        ("risk.screening_date is recorded (2026-10-02)",),
    ),
    (
        "any",
        {"household.children": {"any": {"lives_with": True}}},
        ("0 of 2 household.children items match",),
    ),
    (
        "all",
        {"household.children": {"all": {"contact": True}}},
        ("household.children items match", "not matching: household.children[0].contact is no"),
    ),
    (
        "none",
        {"household.children": {"none": {"contact": True}}},
        ("1 of 2 household.children items match", "matching: household.children[1].contact is yes"),
    ),
]


def test_every_operator_of_the_pack_language_has_an_example() -> None:
    operators = {op for op, _, _ in CASES}
    every = set(EQ_OPS + ORDER_OPS + DATE_OPS + WINDOW_OPS + SET_OPS + PRESENCE_OPS + LIST_OPS)
    assert every | {"in", "not_in"} == operators


@pytest.mark.parametrize(("op", "condition", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_failed_test_shows_the_value_it_read_and_the_boundary(
    op: str, condition: Any, expected: tuple[str, ...]
) -> None:
    text = _text(condition)
    for words in expected:
        assert words in text, f"{op}: {words!r} not in {text!r}"


def test_a_failed_any_shows_each_field_once_with_its_value_and_every_alternative() -> None:
    text = _text(
        {
            "any": [
                {"risk.screening_outcome": {"missing": True}},
                {"risk.screening_outcome": "full_analysis_required"},
                {"risk.screening_countersigned": {"missing": True}},
                {"risk.screening_countersigned": False},
            ]
        }
    )
    assert text == (
        "failed: none held: risk.screening_outcome is full_analysis_not_required "
        "(the rule needs: is not recorded, or is full_analysis_required); "
        "risk.screening_countersigned is yes (the rule needs: is not recorded, or is no)"
    )


def test_a_failed_not_shows_the_values_that_held_inside_it() -> None:
    text = _text({"not": {"supervision.stage": "community"}})
    assert "but supervision.stage is community" in text


def test_a_failed_all_shows_its_first_false_part_with_its_value() -> None:
    text = _text({"all": [{"mappa.level": 2}, {"mappa.level": {"gte": 3}}]})
    assert text == (
        "failed: mappa.level is 2 (mappa.level is at least 3; the rule needs at least 3 (1 away))"
    )


def test_scr02_not_fired_names_the_screening_outcome_and_the_countersignature() -> None:
    case = {
        "case_id": "X-SCR02",
        "supervision": {"stage": "community", "start_date": "2026-10-01"},
        "index_offence": {"categories": ["violence"]},
        "risk": {
            "screening_date": "2026-10-02",
            "screening_outcome": "full_analysis_not_required",
            "screening_countersigned": True,
        },
    }
    e = riskreview.explain(case, "SCR-02", as_of=AS_OF)
    assert e.outcome == "not_fired"
    assert "full_analysis_not_required" in e.summary and "countersigned is yes" in e.summary
    failed = [c for c in e.conditions if c.outcome == "failed"]
    assert len(failed) == 1 and "full_analysis_not_required" in failed[0].detail
    trace = riskreview.evaluate(case, as_of=AS_OF, trace=True).trace
    assert trace is not None
    detail = next(t.detail for t in trace if t.rule_id == "SCR-02")
    assert "full_analysis_not_required" in detail and "countersigned is yes" in detail


def test_a_window_from_a_table_whose_key_is_unknown_shows_the_span_of_its_rows() -> None:
    case = {
        "case_id": "X-REV01",
        "supervision": {"stage": "community", "start_date": "2026-10-01"},
        "risk": {"screening_date": "2026-10-02"},
    }
    e = riskreview.explain(case, "REV-01", as_of=AS_OF)
    assert e.outcome == "not_fired"
    assert "52 days ago; the rule needs more than 56 to 112 days" in e.summary
    assert "by risk.overall_level, which is unknown" in e.summary
