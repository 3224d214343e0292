"""Every public function refuses an argument of the wrong type with an ArgumentError.

ArgumentError is a TypeError and a RiskReviewError: one ``except`` catches every
error riskreview raises on purpose, and no wrong argument ever surfaces as an
AttributeError from deep inside. Each message names the argument, the type given
and what to pass instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

import riskreview
from riskreview import Case, default_pack, evaluate, explain, refresh
from riskreview.batch import evaluate_many
from riskreview.calendar import Calendar
from riskreview.decision import Decision
from riskreview.diff import impact
from riskreview.errors import ArgumentError, RiskReviewError
from riskreview.schema import case_schema
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)
CASE = {"case_id": "A1", "household": {"children_in_contact": True}}
PACK_FOLDER = "rules/england-wales"

#: (call, the argument at fault, words the message must hold)
WRONG: list[tuple[Callable[[], Any], str, str]] = [
    (lambda: evaluate(CASE, as_of="2026-11-23"), "as_of", "date.fromisoformat"),
    (lambda: evaluate(CASE, as_of=datetime(2026, 11, 23, 9)), "as_of", ".date()"),
    (lambda: evaluate(CASE, as_of=20261123), "as_of", "date(2026, 11, 23)"),
    (lambda: evaluate(CASE, AS_OF, PACK_FOLDER), "pack", "load_pack(path)"),
    (lambda: evaluate(CASE, AS_OF, pack=5), "pack", "load_pack(path)"),
    (lambda: evaluate(CASE, AS_OF, trace="yes"), "trace", "True or False"),
    (lambda: evaluate(CASE, AS_OF, trace=1), "trace", "True or False"),
    (lambda: explain(CASE, None, as_of=AS_OF), "rule_id", "'CS-02'"),
    (lambda: explain(CASE, 5, as_of=AS_OF), "rule_id", "'CS-02'"),
    (lambda: explain(CASE, ["CS-02"], as_of=AS_OF), "rule_id", "one rule at a time"),
    (lambda: explain(CASE, "CS-02", as_of="2026-11-23"), "as_of", "date.fromisoformat"),
    (lambda: explain(CASE, "CS-02", AS_OF, pack=5), "pack", "load_pack(path)"),
    (lambda: explain(CASE, "CS-02", AS_OF, pack={"name": "x"}), "pack", "load_pack(path)"),
    (lambda: Case.from_dict(CASE, pack=5), "pack", "load_pack(path)"),
    (lambda: Case.from_dict(CASE, pack=PACK_FOLDER), "pack", "load_pack(path)"),
    (lambda: Case.from_json('{"case_id": "A1"}', pack=5), "pack", "load_pack(path)"),
    (lambda: Case.from_json(CASE), "text", "Case.from_dict"),
    (lambda: Case.from_json(None), "text", "str or bytes"),
    (lambda: Case.from_json(42), "text", "str or bytes"),
    (lambda: default_pack(PACK_FOLDER), "default_pack()", "load_pack(path)"),
    (lambda: default_pack(path=PACK_FOLDER), "default_pack()", "load_pack(path)"),
    (lambda: case_schema(5), "pack", "load_pack(path)"),
    (lambda: case_schema(PACK_FOLDER), "pack", "load_pack(path)"),
    (lambda: list(generate("3")), "n", "whole number"),
    (lambda: list(generate(3, as_of="2026-11-23")), "as_of", "date.fromisoformat"),
    (lambda: Calendar(5), "Calendar", "Calendar('GB', 'ENG')"),
    (lambda: Calendar().add_working_days("2026-11-23", 3), "start", "date(2026, 11, 23)"),
    (lambda: Calendar().add_working_days(AS_OF, 2.5), "count", "whole number"),
    (lambda: Calendar().working_days_between(AS_OF, None), "end", "datetime.date"),
    (lambda: Calendar().status(AS_OF, "today"), "as_of", "date.fromisoformat"),
    (lambda: Calendar().is_working_day(20261123), "day", "datetime.date"),
    (lambda: evaluate_many(5, AS_OF), "cases", "iterable of cases"),
    (lambda: evaluate_many(json.dumps(CASE), AS_OF), "cases", "in a list"),
    (lambda: evaluate_many(CASE, AS_OF), "cases", "in a list"),
    (lambda: impact(5, PACK_FOLDER, [], AS_OF), "old_pack", "path of a pack folder"),
    (lambda: impact(PACK_FOLDER, PACK_FOLDER, [], "2026-11-23"), "as_of", "date"),
    (lambda: refresh("decision", AS_OF), "decision", "riskreview.Decision"),
    (lambda: Decision.from_json(None), "text", "str or bytes"),
]


@pytest.mark.parametrize(
    ("call", "argument", "advice"), WRONG, ids=[f"{i}-{w[1]}" for i, w in enumerate(WRONG)]
)
def test_a_wrong_argument_type_is_an_argument_error_saying_what_to_pass(
    call: Callable[[], Any], argument: str, advice: str
) -> None:
    with pytest.raises(ArgumentError) as caught:
        call()
    error = caught.value
    assert isinstance(error, TypeError) and isinstance(error, RiskReviewError)
    assert str(error).startswith(argument)
    assert advice in str(error)


def test_the_argument_error_names_the_type_it_was_given() -> None:
    with pytest.raises(ArgumentError, match=r"got list; explain one rule at a time$"):
        explain(CASE, ["CS-02"], as_of=AS_OF)


def test_argument_errors_are_raised_before_the_case_is_read() -> None:
    # a wrong rule id and an invalid case: the call is wrong before the data is
    with pytest.raises(ArgumentError):
        explain({"case_id": 5}, 5, as_of=AS_OF)


def test_argument_error_is_exported_with_the_other_errors() -> None:
    assert riskreview.ArgumentError is ArgumentError
    assert issubclass(riskreview.ArgumentError, riskreview.RiskReviewError)


def test_default_pack_with_no_arguments_is_the_england_and_wales_pack_loaded_once() -> None:
    assert default_pack() is default_pack()
    assert default_pack().name == "england-wales"


@pytest.mark.parametrize("pack", [None, default_pack()], ids=["default", "given"])
def test_the_right_argument_types_are_accepted(pack: riskreview.Pack | None) -> None:
    assert evaluate(CASE, AS_OF, pack, trace=True).case_id == "A1"
    assert explain(CASE, "CS-02", AS_OF, pack).rule_id == "CS-02"
    assert Case.from_dict(CASE, pack=pack).case_id == "A1"
    assert Case.from_json(b'{"case_id": "A1"}', pack=pack).case_id == "A1"
    assert case_schema(pack)["title"] == "riskreview case"
