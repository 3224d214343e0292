"""The sizes a case may have: every list, text and number is bounded, at validation.

An oversized case is refused with a CaseError naming the JSON path, the size and
the limit, never decided with actions silently missing (the engine once dropped a
case of 98,690 children without an error). Each limit is exported in the JSON
Schema. The lists and whole numbers are found by walking the case model, so a
list or number added to the model later is covered here without a new test.
"""

from __future__ import annotations

import copy
import itertools
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

import riskreview
from riskreview import Case
from riskreview._limits import (
    INPUT_INT_MAX,
    INPUT_INT_MIN,
    MAX_CASE_ID_LENGTH,
    MAX_CASE_ITEMS,
    MAX_CHILD_REF_LENGTH,
    MAX_INPUT_NAME_LENGTH,
    MAX_INPUT_NUMBER,
    MAX_INPUT_TEXT_LENGTH,
    MAX_INPUTS,
    MAX_LIST_ITEMS,
)
from riskreview._structure import TypeInfo, fields_of
from riskreview.case import Child, Household, Need
from riskreview.errors import CaseError
from riskreview.schema import case_schema

AS_OF = date(2026, 11, 23)
TIERING = Path(__file__).resolve().parents[2] / "examples" / "packs" / "tiering"

Path_ = tuple[str | int, ...]


Field_ = tuple[Path_, TypeInfo, dict[str, Any]]


def _walk(info: TypeInfo, path: Path_) -> list[Field_]:
    """Every (path, type, metadata) below ``info``; a list's items appear as index 0."""
    found: list[Field_] = []
    if info.kind == "model":
        assert info.model is not None
        for name, (field, attribute) in fields_of(info.model).items():
            found.append(((*path, name), field, dict(attribute.metadata)))
            found.extend(_walk(field, (*path, name)))
    elif info.kind == "list":
        assert info.item is not None
        found.extend(_walk(info.item, (*path, 0)))
    return found


FIELDS = _walk(TypeInfo("model", False, model=Case), ())
LISTS = [(path, info) for path, info, _ in FIELDS if info.kind == "list"]
#: every whole-number field with its (min, max); a max of None would be a field unbounded
WHOLE_NUMBERS: dict[Path_, tuple[int, int | None]] = {
    path: (meta["min"], meta.get("max")) for path, info, meta in FIELDS if info.kind == "int"
}


def _json_path(path: Path_) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _item(info: TypeInfo) -> Any:
    """A valid item of a list of ``info``: an empty object, or the first allowed value."""
    assert info.item is not None
    if info.item.kind == "model":
        return {}
    assert info.item.enum is not None
    return next(iter(info.item.enum)).value


def _case_with(path: Path_, value: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"case_id": "L1"}
    holder: Any = data
    for step, following in itertools.pairwise(path):
        if isinstance(step, int):
            continue
        holder = holder.setdefault(step, [{}] if isinstance(following, int) else {})
        if isinstance(holder, list):
            holder = holder[0]
    holder[path[-1]] = value
    return data


def _problems(data: Any, pack: riskreview.Pack | None = None) -> dict[str, str]:
    with pytest.raises(CaseError) as caught:
        Case.from_dict(data, pack=pack)
    return {p.path: p.message for p in caught.value.problems}


def test_the_model_walk_finds_the_lists_the_review_named() -> None:
    paths = {_json_path(path) for path, _ in LISTS}
    assert {
        "$.household.children",
        "$.events",
        "$.offending_history",
        "$.offending_history[0].categories",
        "$.concerns",
        "$.concerns[0].categories",
        "$.registrations",
        "$.home_visits",
        "$.needs",
        "$.index_offence.categories",
    } <= paths


# ---------------------------------------------------------------- one list


@pytest.mark.parametrize(("path", "info"), LISTS, ids=[_json_path(p) for p, _ in LISTS])
def test_a_list_of_exactly_the_limit_is_accepted_and_evaluates(path: Path_, info: TypeInfo) -> None:
    data = _case_with(path, [_item(info)] * MAX_LIST_ITEMS)
    case = Case.from_dict(data)
    assert case.to_dict() == data
    assert riskreview.evaluate(case, as_of=AS_OF).case_id == "L1"


@pytest.mark.parametrize(("path", "info"), LISTS, ids=[_json_path(p) for p, _ in LISTS])
def test_a_list_one_item_over_the_limit_is_refused_naming_path_count_and_limit(
    path: Path_, info: TypeInfo
) -> None:
    problems = _problems(_case_with(path, [_item(info)] * (MAX_LIST_ITEMS + 1)))
    assert problems == {
        _json_path(path): (
            "1001 items, more than the 1000 a case may hold in one list; send at most 1000"
        )
    }


def test_a_hundred_thousand_children_are_refused_not_decided_with_no_actions() -> None:
    data = {"case_id": "K1", "household": {"children": [{}] * 100_000}}
    with pytest.raises(CaseError) as caught:
        riskreview.evaluate(data, as_of=AS_OF)
    assert sorted(str(p) for p in caught.value.problems) == [
        "$.household.children: 100000 items, more than the 1000 a case may hold in one list; "
        "send at most 1000",
        "$: 100000 list items in all, more than the 5000 a case may hold; "
        "send at most 5000 across all its lists",
    ]


def test_other_problems_are_still_reported_beside_an_overlong_list() -> None:
    problems = _problems(
        {"case_id": "L1", "events": [{}] * 2_000, "person": {"date_of_birth": "1990-02-30"}}
    )
    assert set(problems) == {"$.events", "$.person.date_of_birth"}


def test_direct_construction_refuses_an_overlong_list() -> None:
    with pytest.raises(CaseError, match=r"Household.children: 1001 items, more than the 1000 "):
        Household(children=(Child(),) * (MAX_LIST_ITEMS + 1))


# ---------------------------------------------------------------- the whole case


#: five lists at their limit: exactly the items a case may hold in all
FULL_LISTS = {
    "household": {"children": [{"date_of_birth": "2020-01-01"}] * MAX_LIST_ITEMS},
    "events": [{"type": "arrest", "date": "2026-11-01"}] * MAX_LIST_ITEMS,
    "offending_history": [{"date": "2019-01-01"}] * MAX_LIST_ITEMS,
    "concerns": [{"source": "police", "date": "2025-01-01"}] * MAX_LIST_ITEMS,
    "home_visits": [{"date": "2026-01-01"}] * MAX_LIST_ITEMS,
}
TOTAL_OVER = (
    "5001 list items in all, more than the 5000 a case may hold; "
    "send at most 5000 across all its lists"
)


def test_a_case_of_exactly_the_total_limit_is_accepted_and_evaluates() -> None:
    assert 5 * MAX_LIST_ITEMS == MAX_CASE_ITEMS  # what FULL_LISTS relies on
    data = {"case_id": "T1", **FULL_LISTS}
    assert riskreview.evaluate(data, as_of=AS_OF).case_id == "T1"


def test_one_item_over_the_total_limit_is_refused_at_the_root() -> None:
    data = {"case_id": "T1", **FULL_LISTS, "needs": [{}]}
    assert _problems(data) == {"$": TOTAL_OVER}


def test_the_total_counts_the_lists_inside_list_items() -> None:
    # every list is within its own limit: 1,000 offences, none of more than five categories
    four = {"categories": ["violence", "sexual", "arson", "weapons"]}
    offences = [four] * 999 + [{"categories": [*four["categories"], "stalking"]}]
    assert _problems({"case_id": "T1", "offending_history": offences}) == {"$": TOTAL_OVER}


def test_the_total_counts_input_lists() -> None:
    data = {
        "case_id": "T1",
        **{name: FULL_LISTS[name] for name in ("events", "offending_history", "concerns")},
        "home_visits": FULL_LISTS["home_visits"],
        "inputs": {"a": ["x"] * MAX_LIST_ITEMS, "b": ["y"]},
    }
    assert _problems(data) == {"$": TOTAL_OVER}


def test_direct_construction_refuses_a_case_over_the_total_limit() -> None:
    case = Case.from_dict({"case_id": "T1", **FULL_LISTS})
    with pytest.raises(CaseError, match=r"^case T1 is invalid .*\n  \$: 5001 list items in all"):
        attrs.evolve(case, needs=(Need(),))


# ---------------------------------------------------------------- whole numbers


def test_the_model_walk_finds_the_numbers_the_review_named() -> None:
    paths = {_json_path(path) for path in WHOLE_NUMBERS}
    assert {
        "$.domestic_abuse.police_callouts_12_months",
        "$.supervision.custodial_sentence_months",
        "$.domestic_abuse.dash_score",
    } <= paths


def test_every_whole_number_has_a_policy_sensible_maximum() -> None:
    ranges = {_json_path(path): bounds for path, bounds in WHOLE_NUMBERS.items()}
    assert ranges["$.domestic_abuse.police_callouts_12_months"] == (0, 10_000)
    assert ranges["$.supervision.custodial_sentence_months"] == (0, 1_200)
    assert ranges["$.domestic_abuse.dash_score"] == (0, 27)
    assert ranges["$.mappa.category"] == (1, 4)
    assert ranges["$.mappa.level"] == (1, 3)
    assert all(high is not None and high < MAX_INPUT_NUMBER for _, high in ranges.values())


@pytest.mark.parametrize("path", WHOLE_NUMBERS, ids=_json_path)
def test_a_whole_number_at_its_maximum_is_accepted_and_evaluates(path: Path_) -> None:
    _, high = WHOLE_NUMBERS[path]
    assert high is not None, "the field has no maximum"
    case = Case.from_dict(_case_with(path, high))
    assert riskreview.evaluate(case, as_of=AS_OF).case_id == "L1"


@pytest.mark.parametrize("path", WHOLE_NUMBERS, ids=_json_path)
@pytest.mark.parametrize("over", [1, 10**30, 10**5000], ids=["one", "1e30", "5000 digits"])
def test_a_whole_number_over_its_maximum_is_a_case_error_never_a_value_error(
    path: Path_, over: int
) -> None:
    low, high = WHOLE_NUMBERS[path]
    assert high is not None, "the field has no maximum"
    data = _case_with(path, high + over)
    with pytest.raises(CaseError) as caught:
        riskreview.evaluate(data, as_of=AS_OF)
    (problem,) = caught.value.problems
    assert problem.path == _json_path(path)
    assert problem.message.startswith(f"expected a whole number from {low} to {high}, got ")


def test_the_reviews_five_thousand_digit_call_out_count_is_a_case_error() -> None:
    data = {"case_id": "K1", "domestic_abuse": {"police_callouts_12_months": 10**5000}}
    with pytest.raises(CaseError, match=r"from 0 to 10000, got a whole number of about 5000"):
        riskreview.evaluate(data, as_of=AS_OF)


# ---------------------------------------------------------------- inputs


def test_an_input_list_at_the_limit_is_accepted_and_one_over_is_refused() -> None:
    at = {"case_id": "I1", "inputs": {"flags": ["a"] * MAX_LIST_ITEMS}}
    assert Case.from_dict(at).inputs["flags"] == ("a",) * MAX_LIST_ITEMS
    over = {"case_id": "I1", "inputs": {"flags": ["a"] * (MAX_LIST_ITEMS + 1)}}
    assert _problems(over) == {
        "$.inputs.flags": (
            "1001 items, more than the 1000 a case may hold in one list; send at most 1000"
        )
    }


def test_a_pack_declared_list_input_at_the_limit_evaluates_and_one_over_is_refused() -> None:
    pack = riskreview.default_pack()
    (name,) = [n for n, d in pack.inputs.items() if d.kind == "list"]
    assert pack.inputs[name].enum is not None
    value = next(iter(pack.inputs[name].enum)).value
    at = {"case_id": "I1", "inputs": {name: [value] * MAX_LIST_ITEMS}}
    assert riskreview.evaluate(at, as_of=AS_OF, pack=pack).case_id == "I1"
    over = {"case_id": "I1", "inputs": {name: [value] * (MAX_LIST_ITEMS + 1)}}
    assert set(_problems(over, pack)) == {f"$.inputs.{name}"}


@pytest.mark.parametrize(
    ("inputs", "path", "message"),
    [
        ({"n": 10**12}, "$.inputs.n", "expected a number from -100000000 to 100000000"),
        ({"n": -(10**5000)}, "$.inputs.n", "got a whole number of about 5000 digits"),
        ({"n": 1e300}, "$.inputs.n", "expected a number from -100000000 to 100000000"),
        ({"t": "x" * 201}, "$.inputs.t", "expected at most 200 characters, got 201"),
        ({"l": ["x", "x" * 201]}, "$.inputs.l", "item 1: expected at most 200 characters"),
        ({"n" * 65: 1}, "$.inputs", "has a key of 65 characters, more than the 64"),
        ({f"k{i}": 1 for i in range(1001)}, "$.inputs", "1001 inputs, more than the 1000"),
    ],
    ids=["number", "huge number", "huge float", "text", "text in a list", "name", "count"],
)
def test_inputs_keep_within_their_limits(inputs: dict[str, Any], path: str, message: str) -> None:
    problems = _problems({"case_id": "I1", "inputs": inputs})
    assert list(problems) == [path]
    assert message in problems[path]


def test_inputs_at_their_limits_are_accepted_and_round_trip_through_json() -> None:
    inputs = {
        "n": MAX_INPUT_NUMBER,
        "m": -MAX_INPUT_NUMBER,
        "t": "x" * MAX_INPUT_TEXT_LENGTH,
        "k" * MAX_INPUT_NAME_LENGTH: True,
        **{f"f{i}": None for i in range(MAX_INPUTS - 4)},
    }
    case = Case.from_dict({"case_id": "I1", "inputs": inputs})
    assert Case.from_json(case.to_json()) == case


def _unbounded_tiering(tmp_path: Path) -> riskreview.Pack:
    copy_ = tmp_path / "pack"
    shutil.copytree(TIERING, copy_)
    inputs = copy_ / "inputs.yaml"
    text = inputs.read_text(encoding="utf-8")
    bounded = "    type: int\n    min: 0\n    max: 99\n"
    assert bounded in text
    inputs.write_text(text.replace(bounded, "    type: int\n", 1), encoding="utf-8")
    return riskreview.load_pack(copy_)


def test_a_pack_int_input_without_bounds_gets_the_default_bounds(tmp_path: Path) -> None:
    pack = _unbounded_tiering(tmp_path)
    (name,) = [n for n, d in pack.inputs.items() if d.kind == "int" and d.maximum is None]
    case = {"case_id": "I1", "inputs": {name: INPUT_INT_MAX}}
    assert riskreview.evaluate(case, as_of=AS_OF, pack=pack).case_id == "I1"
    for value in (INPUT_INT_MAX + 1, INPUT_INT_MIN - 1):
        problems = _problems({"case_id": "I1", "inputs": {name: value}}, pack)
        assert problems == {
            f"$.inputs.{name}": f"expected a whole number from -1000000 to 1000000, got {value}"
        }
    schema = case_schema(pack)["properties"]["inputs"]["properties"][name]["anyOf"][0]
    assert (schema["minimum"], schema["maximum"]) == (INPUT_INT_MIN, INPUT_INT_MAX)


# ---------------------------------------------------------------- the schema


def _schema_nodes(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_schema_nodes(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_schema_nodes(value))
    return found


@pytest.mark.parametrize("pack", [None, "default"], ids=["core", "default pack"])
def test_the_schema_bounds_every_list_text_and_number(pack: str | None) -> None:
    schema = case_schema(riskreview.default_pack() if pack else None)
    nodes = _schema_nodes(schema)
    arrays = [n for n in nodes if n.get("type") == "array"]
    texts = [
        n for n in nodes if n.get("type") == "string" and "enum" not in n and "pattern" not in n
    ]
    numbers = [n for n in nodes if n.get("type") in ("integer", "number")]
    assert arrays and texts and numbers
    assert all(n["maxItems"] == MAX_LIST_ITEMS for n in arrays)
    assert all("maxLength" in n for n in texts)
    assert all("maximum" in n and "minimum" in n for n in numbers)
    assert str(MAX_CASE_ITEMS) in schema["$comment"]
    inputs = schema["properties"]["inputs"]
    assert inputs["maxProperties"] == MAX_INPUTS


def test_the_schema_states_the_limits_the_review_named() -> None:
    defs = case_schema()["$defs"]
    children = defs["Household"]["properties"]["children"]["anyOf"][0]
    callouts = defs["DomesticAbuse"]["properties"]["police_callouts_12_months"]["anyOf"][0]
    months = defs["Supervision"]["properties"]["custodial_sentence_months"]["anyOf"][0]
    assert children["maxItems"] == 1_000
    assert callouts["maximum"] == 10_000
    assert months["maximum"] == 1_200


def test_a_case_at_the_limits_is_valid_against_the_schema_and_one_over_is_not() -> None:
    data = copy.deepcopy(_case_with(("household", "children"), [{}] * MAX_LIST_ITEMS))
    data["domestic_abuse"] = {"police_callouts_12_months": 10_000}
    data["inputs"] = {"t": "x" * MAX_INPUT_TEXT_LENGTH, "n": MAX_INPUT_NUMBER}
    validator = jsonschema.Draft202012Validator(case_schema())
    assert list(validator.iter_errors(data)) == []
    Case.from_dict(data)
    data["household"]["children"].append({})
    data["inputs"]["t"] += "x"
    data["domestic_abuse"]["police_callouts_12_months"] += 1
    assert len(list(validator.iter_errors(data))) == 3


# ---------------------------------------------------------------- the guide


def _guide_rows() -> dict[str, str]:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "integrators-guide.md").read_text(
        encoding="utf-8"
    )
    section = guide.split("## Case limits", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return {cells[0].lstrip("| "): cells[-1].rstrip(" |") for cells in rows[1:]}


def test_the_integrators_guide_states_the_limits_validation_enforces() -> None:
    rows = _guide_rows()

    def row(start: str) -> str:
        (found,) = [value for label, value in rows.items() if label.startswith(start)]
        return found

    numbers = {path: f"{low:,} to {high or 0:,}" for path, (low, high) in WHOLE_NUMBERS.items()}
    assert row("items in one list") == f"{MAX_LIST_ITEMS:,}"
    assert row("list items in the whole case") == f"{MAX_CASE_ITEMS:,}"
    assert row("`case_id`") == f"1 to {MAX_CASE_ID_LENGTH} characters"
    assert row("`household.children[].ref`") == f"{MAX_CHILD_REF_LENGTH} characters"
    for path, span in numbers.items():
        if "mappa" not in path:
            assert row(f"`{'.'.join(map(str, path))}`") == span
    mappa = [numbers[("mappa", "category")], numbers[("mappa", "level")]]
    assert row("`mappa.category`, `mappa.level`") == ", ".join(mappa)
    assert row("entries of `inputs`") == f"{MAX_INPUTS:,}"
    assert row("an input's name") == f"{MAX_INPUT_NAME_LENGTH} characters"
    assert row("an input's text value") == f"{MAX_INPUT_TEXT_LENGTH} characters"
    assert row("an input's number") == f"{-MAX_INPUT_NUMBER:,} to {MAX_INPUT_NUMBER:,}"
    assert row("a whole-number input") == f"{INPUT_INT_MIN:,} to {INPUT_INT_MAX:,}"
