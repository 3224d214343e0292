"""The pack language for scored policy, construct by construct: the value each gives at
its edges, what it does with unknowns, and the PackError each misspelling gets.

The pack is the fixture ``tests/fixtures/packs/scored``; tests that need another
derived value or input write it into a copy.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings

import riskreview
from riskreview.errors import CaseError, PackError
from riskreview.pack import load_pack
from riskreview.schema import case_schema
from riskreview.strategies import case_dicts

SCORED = Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "scored"
AS_OF = date(2026, 11, 23)
_PACK = load_pack(SCORED)


_BASE: dict[str, Any] = {
    "ogrs_score": 10,
    "rsr_score": 1,
    "complexity_flags": [],
    "gender": "male",
    "registrations": [],
}


def decide(inputs: dict[str, Any], as_of: date = AS_OF, pack: Any = _PACK) -> riskreview.Decision:
    base = dict(_BASE)
    data = {"case_id": "S-1", "inputs": {**base, **inputs}, "risk": {"levels": {"public": "low"}}}
    return riskreview.evaluate(data, pack=pack, as_of=as_of)


def value(inputs: dict[str, Any], name: str, as_of: date = AS_OF, pack: Any = _PACK) -> Any:
    return decide(inputs, as_of, pack).reported[name]["value"]


def fired(inputs: dict[str, Any], as_of: date = AS_OF) -> set[str]:
    return {r for a in decide(inputs, as_of).actions for r in a.rule_ids}


def with_derived(tmp_path: Path, text: str, inputs: str = "") -> Path:
    root = tmp_path / "pack"
    shutil.copytree(SCORED, root)
    (root / "derived" / "more.yaml").write_text("derived:\n" + text)
    if inputs:
        with (root / "inputs.yaml").open("a") as f:
            f.write(inputs)
    return root


def refused(root: Path) -> str:
    with pytest.raises(PackError) as caught:
        load_pack(root)
    return str(caught.value)


# ------------------------------------------------------------------ decimals


@pytest.mark.parametrize(
    ("rsr", "points"),
    [("2.99", 0), ("3.00", 10), (6.99, 10), ("7.00", 20), (7, 20), (99.99, 20), ("100.00", 0)],
)
def test_decimal_edges_are_exact(rsr: Any, points: int) -> None:
    # the RSR bands of the protect level: 7.00 to 99.99 is 20 points, 3.00 to 6.99 is 10
    decision = decide({"rsr": rsr})
    assert "rsr_points" not in decision.reported  # not reported: read it through a rule
    assert ("SC-RSR" in fired({"rsr": rsr})) == (points == 20)


def test_a_decimal_with_more_places_than_declared_is_a_case_error() -> None:
    with pytest.raises(CaseError) as caught:
        decide({"rsr": "7.001"})
    assert "$.inputs.rsr" in str(caught.value)
    assert "at most 2 decimal places" in str(caught.value)


def test_a_decimal_out_of_its_bounds_is_a_case_error() -> None:
    with pytest.raises(CaseError, match=r"from 0\.00 to 999\.99"):
        decide({"rsr": 1000})


def test_decimal_arithmetic_keeps_its_places() -> None:
    # weighted is rsr × 1.5 with two places, rounded half up
    # 20 for RSR, 0 for no RoSH registration: the overlap (the smaller) is 0
    assert value({"rsr": "7.00", "registrations": []}, "protect_points") == 20
    assert "SC-WEIGHTED" in fired({"rsr": "7.00"})  # 10.50
    assert "SC-WEIGHTED" not in fired({"rsr": "6.99"})  # 10.485 → 10.49


def test_a_decimal_reads_as_its_places_in_evidence_and_explanations() -> None:
    """Held in units (725), shown as the case gave it (7.25): in an action's evidence,
    in the values an explanation states, its thresholds and how far it came."""
    decision = decide({"rsr": "7.25"})
    [weekly] = [a for a in decision.actions if "SC-RSR" in a.rule_ids]
    assert ("inputs.rsr", "7.25") in [(e.path, e.value) for e in weekly.evidence]
    # a derived decimal: its "has a value" guard is no evidence of its own
    weighted = [e for a in decision.actions for e in a.evidence if e.path == "derived.weighted"]
    assert [e.value for e in weighted] == ["10.88"]
    data = dict(_BASE, rsr="6.50")
    text = str(
        riskreview.explain({"case_id": "X", "inputs": data}, "SC-RSR", as_of=AS_OF, pack=_PACK)
    )
    assert "inputs.rsr is 6.50" in text and "at least 7.00 (0.50 away)" in text
    assert "650" not in text and "700" not in text


def test_a_decimal_literal_with_too_many_places_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(SCORED, root)
    rules = root / "rules" / "tiering.yaml"
    rules.write_text(rules.read_text().replace("{gte: 7.00, lte: 99.99}", "{gte: 7.001}"))
    assert "at most 2 decimal places for inputs.rsr" in refused(root)


# ------------------------------------------------------------------ codes and records


def test_codes_read_regardless_of_case_and_open_codes_read_as_other() -> None:
    regs = [{"code": "rcpr", "date": "2026-10-01"}, {"code": "LOCAL-7", "date": "2026-10-02"}]
    assert "SC-RECENT-CP" in fired({"registrations": regs})
    assert value({"registrations": regs, "rsr": 0}, "tier_label").endswith("1")


def test_a_closed_vocabulary_refuses_an_unknown_code(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(SCORED, root)
    inputs = root / "inputs.yaml"
    text = inputs.read_text()
    closed = text.replace("case_insensitive: true, open: true, description: g", "description: g")
    assert closed != text
    inputs.write_text(closed)
    pack = load_pack(root)
    with pytest.raises(CaseError, match="is not one of the allowed values"):
        decide({"gender": "local-code"}, pack=pack)
    with pytest.raises(CaseError, match="is not one of the allowed values"):
        decide({"gender": "FEMALE"}, pack=pack)  # and it is case-sensitive


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"code": "RCPR", "colour": "red"}], "item 0 has field 'colour', not a field"),
        ([{"code": "RCPR", "date": "01/02/2026"}], "item 0 field date: expected a real date"),
        ([{"code": 7}], "item 0 field code"),
        (["RCPR"], "item 0 is not a record"),
        ({"code": "RCPR"}, "or a list of records"),
    ],
)
def test_a_bad_record_is_a_case_error_naming_the_item_and_field(records: Any, message: str) -> None:
    with pytest.raises(CaseError) as caught:
        decide({"registrations": records})
    assert "$.inputs.registrations" in str(caught.value)
    assert message in str(caught.value)


def test_a_record_list_over_the_limit_is_a_case_error() -> None:
    with pytest.raises(CaseError, match="more than the 1000"):
        decide({"registrations": [{"code": "RCPR"}] * 1001})


def test_record_lists_in_rules_any_all_none() -> None:
    recent = {"code": "RCPR", "date": "2026-01-01"}
    old = {"code": "RCPR", "date": "2025-11-22"}  # twelve months and a day before as_of
    edge = {"code": "RCPR", "date": "2025-11-23"}  # exactly twelve months
    assert "SC-RECENT-CP" in fired({"registrations": [recent]})
    assert "SC-RECENT-CP" not in fired({"registrations": [old]})
    assert "SC-RECENT-CP" in fired({"registrations": [edge]})
    assert "SC-ALL-DATED" in fired({"registrations": [recent, edge]})
    assert "SC-ALL-DATED" not in fired(
        {"registrations": [recent, {"code": "HREG", "date": "2026-01-01"}]}
    )
    # an undated record leaves "every registration is dated" false, not unknown
    assert "SC-ALL-DATED" not in fired({"registrations": [recent, {"code": "RMDO"}]})


# ------------------------------------------------------------------ derived operations


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        # decided by the first record, explained counting every one
        (["RCPR", "RCPR", "HREG"], {"any": (True, "yes: 2 of 3"), "all": (False, "no: 2 of 3"),
                                    "none": (False, "no: 2 of 3")}),
        (["HREG", "RCPR"], {"any": (True, "yes: 1 of 2"), "all": (False, "no: 1 of 2"),
                            "none": (False, "no: 1 of 2")}),
        (["RCPR", "RCPR"], {"any": (True, "yes: 2 of 2"), "all": (True, "yes: 2 of 2"),
                            "none": (False, "no: 2 of 2")}),
        (["HREG"], {"any": (False, "no: 0 of 1"), "all": (False, "no: 0 of 1"),
                    "none": (True, "yes: 0 of 1")}),
        ([], {"any": (False, "no: 0 of 0"), "all": (True, "yes: 0 of 0"),
              "none": (True, "yes: 0 of 0")}),
    ],
)  # fmt: skip
def test_any_all_none_of_records_stop_at_the_deciding_record_and_explain_every_one(
    tmp_path: Path, codes: list[str], expected: dict[str, tuple[bool, str]]
) -> None:
    ops = "".join(
        f"  cp_{op}: {{description: {op}, reported: true, "
        f"{op}: {{list: inputs.registrations, where: {{code: RCPR}}}}}}\n"
        for op in ("any", "all", "none")
    )
    pack = load_pack(with_derived(tmp_path, ops))
    regs = [{"code": c, "date": "2026-01-01"} for c in codes]
    reported = decide({"registrations": regs}, pack=pack).reported
    for op, (truth, said) in expected.items():
        assert reported[f"cp_{op}"]["value"] is truth, op
        assert reported[f"cp_{op}"]["explanation"] == (
            f"{said} inputs.registrations records match"
        ), op


def test_latest_reads_the_field_of_the_latest_matching_record() -> None:
    regs = [
        {"code": "RVHR", "date": "2024-01-01"},
        {"code": "RHRH", "date": "2026-01-01"},  # the latest RoSH registration
        {"code": "RMDO", "date": "2026-06-01"},  # later, but not a RoSH code
    ]
    assert value({"registrations": regs, "rsr": 0}, "protect_points") == 22  # 20 + 2 for RMDO


def test_latest_with_no_matching_record_has_no_value_and_asks_nothing() -> None:
    decision = decide({"registrations": [], "rsr": 0})
    assert decision.reported["protect_points"]["value"] == 0  # lookup's otherwise: 0
    assert not any(
        i.code.startswith("ESTABLISH") and "registr" in i.code.lower() for i in decision.information
    )


def test_latest_of_an_undated_matching_record_is_unknown() -> None:
    decision = decide({"registrations": [{"code": "RVHR"}], "rsr": 0})
    assert decision.reported["protect_points"]["value"] is None
    assert "cannot be told" in decision.reported["protect_points"]["explanation"] or (
        "unknown" in decision.reported["protect_points"]["explanation"]
    )


def test_count_distinct_counts_each_code_once() -> None:
    regs = [
        {"code": "RMDO", "date": "2025-01-01"},
        {"code": "rmdo", "date": "2026-01-01"},
        {"code": "ALSH", "date": "2026-01-01"},
    ]
    assert value({"registrations": regs, "rsr": 0}, "protect_points") == 4


def test_a_sum_term_with_when_and_value_adds_only_when_it_holds() -> None:
    regs = [{"code": "RMDO", "date": "2025-01-01"}]
    assert value({"registrations": regs, "rsr": 0, "gender": "male"}, "protect_points") == 2
    assert value({"registrations": regs, "rsr": 0, "gender": "Female"}, "protect_points") == 3
    # with the gender unknown the total is unknown, unless the term would add nothing
    assert value({"registrations": regs, "rsr": 0, "gender": None}, "protect_points") is None
    assert value({"registrations": [], "rsr": 0, "gender": None}, "protect_points") == 0


@pytest.mark.parametrize(
    ("ogrs", "level"), [(9, "1"), (49, "1"), (50, "2"), (59, "2"), (79, "2"), (80, "3"), (100, "3")]
)
def test_quotient_is_integer_division(ogrs: int, level: str) -> None:
    assert value({"ogrs_score": ogrs, "rsr": 0}, "tier_label") == f"D{level}"


def test_join_builds_the_label_from_its_parts() -> None:
    regs = [{"code": "RHRH", "date": "2026-01-01"}, {"code": "PRC", "date": "2026-01-01"}]
    assert value({"registrations": regs, "ogrs_score": 55, "rsr": 0}, "tier_label") == "B2S"
    assert value({"registrations": regs[:1], "ogrs_score": 55, "rsr": 0}, "tier_label") == "B2"


@pytest.mark.parametrize(
    ("released", "as_of", "recent"),
    [
        ("2025-03-01", date(2026, 3, 1), True),  # exactly one year
        ("2025-02-28", date(2026, 3, 1), False),  # a year and a day: within five years
        ("2025-02-28", date(2026, 2, 28), True),
        ("2024-02-29", date(2025, 2, 28), True),  # a leap day a year back clamps
        ("2020-01-01", date(2026, 3, 1), None),  # undecidable: over five years ago
        (None, date(2026, 3, 1), None),  # release date unknown: unknown
    ],
)
def test_if_first_case_wins_with_calendar_years(
    released: str | None, as_of: date, recent: bool | None
) -> None:
    inputs: dict[str, Any] = {"rsr": 0}
    if released:
        inputs["released"] = released
    got = decide(inputs, as_of).reported["recent"]
    assert got["value"] is recent
    if released == "2020-01-01":
        assert got["explanation"].startswith("undecidable")
    if released is None:
        assert got["explanation"].startswith("unknown: cannot tell whether inputs.released")


def test_an_if_with_an_unknown_condition_is_unknown_and_names_what_it_waits_on() -> None:
    got = decide({"rsr": None}).reported["protect_points"]
    assert got["value"] is None  # rsr is unknown
    assert "inputs.rsr" in got["explanation"]


def test_max_over_ordered_labels_uses_their_order() -> None:
    regs = [{"code": "RVHR", "date": "2026-01-01"}]
    assert value({"registrations": regs, "rsr": 0}, "worst") == "A"
    assert value({"registrations": [], "rsr": 0}, "worst") == "D"


# ------------------------------------------------------------------ load-time refusals


@pytest.mark.parametrize(
    ("derived", "message"),
    [
        ("  x:\n    max: [derived.tier, derived.tier]\n", "holds labels with no order"),
        ("  x:\n    max: [derived.protect, derived.change]\n", "differ in their labels"),
        ("  x:\n    quotient: [inputs.ogrs_score, 0]\n", "division by zero"),
        ("  x:\n    quotient: [inputs.rsr, 2]\n", "integer division takes whole numbers"),
        ("  x:\n    product: [inputs.rsr, 2]\n", "declare type: decimal"),
        ("  x:\n    lookup: {value: derived.protect, table: {A: 1}}\n", "no result for D, C, B"),
        (
            "  x:\n    lookup: {value: derived.protect, table: {Z: 1}, otherwise: 0}\n",
            "'Z' is not a derived.protect label",
        ),
        (
            "  x:\n    if:\n      - {when: {inputs.rsr: {gte: 1}}, then: 1}\n      - else: high\n",
            "do not say their type",
        ),
        (
            "  x:\n    type: enum\n    values: [low, high]\n    if:\n"
            "      - {when: {inputs.rsr: {gte: 1}}, then: medium}\n      - else: low\n",
            "'medium' is not one of its labels",
        ),
        (
            "  x:\n    if:\n      - else: 1\n      - {when: {inputs.rsr: {gte: 1}}, then: 2}\n",
            "else stands alone, as the last case",
        ),
        (
            "  x:\n    latest: {list: inputs.registrations, by: code, read: code}\n",
            "is not a date field",
        ),
        (
            "  x:\n    latest: {list: inputs.registrations, by: date, read: colour}\n",
            "'colour' is not a field of inputs.registrations",
        ),
        ("  x:\n    any: {list: inputs.registrations}\n", "expected where"),
        (
            "  x:\n    count: {list: inputs.complexity_flags, distinct: code}\n",
            "distinct applies to a list of records",
        ),
        ("  x:\n    join: [derived.protect, 7]\n", "expected a field holding labels"),
        ("  x:\n    type: decimal\n    product: [inputs.rsr, 2]\n", "a decimal needs places"),
        ("  x:\n    type: enm\n    sum: [{points: 1}]\n", "did you mean"),
        ("  x:\n    values: [Yes, No]\n    if:\n      - else: 'Yes'\n", "quote them"),
        (
            "  x:\n    max: [derived.y, derived.y]\n  y:\n    max: [derived.x, derived.x]\n",
            "depend on it in turn",
        ),
    ],
)
def test_a_wrong_scored_construct_is_a_pack_error(
    tmp_path: Path, derived: str, message: str
) -> None:
    text = refused(with_derived(tmp_path, derived))
    assert message in text
    assert "derived/more.yaml" in text


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ("  y:\n    type: decimal\n    description: y\n", "a decimal input needs places"),
        (
            "  y:\n    type: decimal\n    places: 2\n    max: 1.001\n    description: y\n",
            "max must be a number with at most 2 places",
        ),
        (
            "  y:\n    type: enum\n    values: [a, other]\n    open: true\n    description: y\n",
            "adds 'other' itself",
        ),
        (
            "  y:\n    type: enum\n    values: [a, A]\n    case_insensitive: true\n"
            "    description: y\n",
            "listed twice",
        ),
        ("  y:\n    type: records\n    description: y\n", "a record list needs fields"),
        (
            "  y:\n    type: records\n    fields: {a: {type: records, fields: {b: {type: int}}}}\n"
            "    description: y\n",
            "is not an input type",
        ),
        (
            "  y:\n    type: int\n    places: 2\n    description: y\n",
            "'places' applies only to type decimal",
        ),
        ("  y:\n    type: enum\n    values: [Yes, No]\n    description: y\n", "quote them"),
    ],
)
def test_a_wrong_input_declaration_is_a_pack_error(
    tmp_path: Path, inputs: str, message: str
) -> None:
    text = refused(
        with_derived(tmp_path, "  z:\n    count: {list: inputs.complexity_flags}\n", inputs)
    )
    assert message in text
    assert "inputs.yaml" in text


# ------------------------------------------------------------------ due tables, dated priority


def _level_case(level: str | None) -> dict[str, Any]:
    regs = [{"code": "RMDO", "date": "2026-01-01"}, {"code": "ALSH", "date": "2026-01-02"}]
    inputs = {"ogrs_score": 10, "rsr_score": 1, "complexity_flags": [], "gender": "male"}
    inputs |= {"registrations": regs, "rsr": 0}
    risk = {"levels": {"public": level}} if level else {}
    return {"case_id": "L-1", "inputs": inputs, "risk": risk}


@pytest.mark.parametrize(
    ("level", "days"), [("low", 20), ("medium", 15), ("high", 10), ("very_high", 5), (None, 5)]
)
def test_a_due_time_is_read_from_the_table_for_the_case_level(level: str | None, days: int) -> None:
    # an unknown level takes the shortest time: the earliest due date, never a late one
    decision = riskreview.evaluate(_level_case(level), pack=_PACK, as_of=AS_OF)
    action = next(a for a in decision.actions if "SC-DUE-BY-LEVEL" in a.rule_ids)
    assert (action.due_date - AS_OF).days == days


@pytest.mark.parametrize(
    ("as_of", "priority"),
    [(date(2025, 12, 31), "low"), (date(2026, 1, 1), "medium"), (date(2027, 1, 1), "high")],
)
def test_a_dated_priority_changes_on_its_dates(as_of: date, priority: str) -> None:
    decision = riskreview.evaluate(_level_case("low"), pack=_PACK, as_of=as_of)
    action = next(a for a in decision.actions if "SC-DUE-BY-LEVEL" in a.rule_ids)
    assert action.priority == priority
    if as_of < date(2027, 1, 1):  # the decision says when it could change
        assert decision.stable_until is not None
        assert decision.stable_until <= date(2027, 1, 1)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("{param: first_contact_days}", "say which field picks it with 'by: <field>'"),
        ("{param: first_contact_days, by: person.age}", "must name a field holding a RoshLevel"),
        ("{param: predictor_high_from, by: risk.overall_level}", "is not a table"),
    ],
)
def test_a_wrong_due_table_is_a_pack_error(tmp_path: Path, edit: str, message: str) -> None:
    root = tmp_path / "pack"
    shutil.copytree(SCORED, root)
    rules = root / "rules" / "tiering.yaml"
    text = rules.read_text()
    rules.write_text(text.replace("{param: first_contact_days, by: risk.overall_level}", edit))
    assert message in refused(root)


def test_a_wrong_dated_priority_is_a_pack_error(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(SCORED, root)
    rules = root / "rules" / "tiering.yaml"
    rules.write_text(rules.read_text().replace("2027-01-01: high", "2027-01-01: urgnt"))
    assert "'urgnt' is not a priority" in refused(root)


# ------------------------------------------------------------------ the published schema


@settings(max_examples=60, deadline=None)
@given(case_dicts(date(2026, 11, 23), pack=_PACK))
def test_generated_cases_of_a_scored_pack_fit_its_case_schema(data: dict[str, Any]) -> None:
    jsonschema.validate(data, case_schema(_PACK))


@pytest.mark.parametrize(
    ("inputs", "accepted"),
    [
        ({"rsr": "7.00"}, True),
        ({"rsr": 99.99}, True),
        ({"rsr": "7.001"}, False),
        ({"gender": "FEMALE"}, True),  # case-insensitive and open
        ({"registrations": [{"code": "rvhr", "date": "2026-01-01"}]}, True),
        ({"registrations": [{"code": "RVHR", "colour": "red"}]}, False),
    ],
)
def test_the_case_schema_says_what_the_pack_accepts(inputs: dict[str, Any], accepted: bool) -> None:
    data = {"case_id": "S-1", "inputs": inputs}
    errors = list(jsonschema.Draft202012Validator(case_schema(_PACK)).iter_errors(data))
    assert (not errors) is accepted
    if accepted:
        riskreview.Case.from_dict(data, _PACK)  # and the library agrees
    else:
        with pytest.raises(CaseError):
            riskreview.Case.from_dict(data, _PACK)


# ------------------------------------------------------------------ labels declared apart


@pytest.mark.parametrize(
    ("registrations", "highest", "above"),
    [
        ([{"code": "RVHR", "date": "2026-01-01"}], "A", False),  # protect A → step_b A
        ([{"code": "PRC", "date": "2026-01-01"}], "B", True),  # step_a B, step_b G
        ([], "F", True),  # step_a F, step_b G (protect D)
        ([{"code": "RHRH", "date": "2026-01-01"}], "C", False),  # step_a F < step_b C
    ],
)
def test_labels_of_one_list_declared_apart_compare_and_take_a_max(
    registrations: list[dict[str, str]], highest: str, above: bool
) -> None:
    decision = decide({"registrations": registrations, "rsr": 0})
    assert decision.reported["highest_step"]["value"] == highest
    assert ("SC-STEPS" in {r for a in decision.actions for r in a.rule_ids}) is above


def test_labels_of_different_lists_are_not_compared(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(SCORED, root)
    rules = root / "rules" / "tiering.yaml"
    rules.write_text(
        rules.read_text().replace("{gt: {field: derived.step_b}}", "{gt: {field: derived.protect}}")
    )
    assert "labels compare with labels of the same list" in refused(root)


# ------------------------------------------------------------------ explanations


def test_an_undecidable_value_passes_its_reason_on() -> None:
    decision = decide({"released": "2020-01-01", "rsr": 0}, date(2026, 3, 1))
    assert decision.reported["recent"]["explanation"].endswith("released over five years ago")
    label = decision.reported["recent_label"]
    assert label["value"] is None
    assert label["explanation"] == "undecidable: derived.recent (released over five years ago)"


def test_an_unknown_value_names_the_facts_it_waits_on_through_other_values() -> None:
    decision = decide({"rsr": None})
    assert decision.reported["tier_label"]["explanation"] == (
        "unknown: waits on derived.protect (inputs.rsr)"
    )
    assert "inputs.rsr" in decision.reported["protect_points"]["explanation"]


def test_an_if_that_falls_to_else_says_which_cases_did_not_hold() -> None:
    explanation = decide({"rsr": 0}).reported["protect"]["explanation"]
    assert explanation.startswith("D otherwise (not derived.protect_points is at least 150;")


@pytest.mark.parametrize(
    ("registrations", "is_cp", "not_cp_fires"),
    [
        ([], False, True),  # no such registration: no value, so "is RCPR" is false
        ([{"code": "RCPR", "date": "2026-01-01"}], True, False),
        ([{"code": "RCHD", "date": "2026-01-01"}], False, False),
        ([{"code": "RCPR"}], None, False),  # undated: which is latest is unknown
    ],
)
def test_a_test_of_a_value_that_has_none_is_false_and_its_negation_true(
    registrations: list[dict[str, str]], is_cp: bool | None, not_cp_fires: bool
) -> None:
    decision = decide({"registrations": registrations, "rsr": 0})
    assert decision.reported["is_cp"]["value"] is is_cp
    fired_ids = {r for a in decision.actions for r in a.rule_ids}
    assert ("SC-NO-CP" in fired_ids) is not_cp_fires
    if is_cp is None:  # unknown stays unknown: the rule waits, it does not fail
        outcome = riskreview.explain(
            {"case_id": "S-1", "inputs": {**_BASE, "registrations": registrations, "rsr": 0}},
            "SC-NO-CP",
            pack=_PACK,
            as_of=AS_OF,
        ).outcome
        assert outcome == "undetermined"


def test_a_label_in_another_case_reads_as_the_label_and_other_text_as_other() -> None:
    """Case-insensitive labels are found through a table of their folded text, made
    once: any case of a label reads as it, and an open vocabulary's other text (its own
    ``other`` in any case included) reads as ``other``."""
    from riskreview._inputs import label_of

    pack = load_pack(SCORED)
    gender = pack.inputs["gender"]
    assert [label_of(gender, t) for t in ("female", "FEMALE", "Female", "mALe")] == [
        gender.labels["female"], gender.labels["female"], gender.labels["female"],
        gender.labels["male"]]
    assert {label_of(gender, t) for t in ("OTHER", "Other", "unrecorded", "")} == {
        gender.labels["other"]}
    assert label_of(gender, 7) is None
