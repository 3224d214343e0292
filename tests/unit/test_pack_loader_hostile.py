"""The pack loader against hostile and careless packs: every failure is a PackError with
file and line, in bounded time, and what loads means what it says.

The broken-pack fixtures (``tests/fixtures/broken_packs``, run by test_pack_loader.py)
hold one fault each; the tests here need a time bound, several files, or a pack
that must load.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _pack_support import BROKEN, VALID, copy_valid, edit

from riskreview.errors import ArgumentError, ArgumentValueError, PackError, RiskReviewError
from riskreview.pack import Pack, load_pack


def _finishes_within(seconds: float, work: Callable[[], Any]) -> BaseException | None:
    """Run ``work`` in a thread; fail if it is still running after ``seconds``.

    Returns the exception it raised (None when it returned).
    """
    outcome: dict[str, BaseException | None] = {}

    def run() -> None:
        try:
            work()
            outcome["raised"] = None
        except BaseException as error:  # handed back to the test
            outcome["raised"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert "raised" in outcome, f"still running after {seconds} s"
    return outcome["raised"]


# ---------------------------------------------------------------- bounded time (defect: hangs)


@pytest.mark.parametrize(
    "folder",
    ["alias_bomb_in_pack_yaml", "alias_bomb_in_rule", "named_conditions_expand_exponentially"],
)
def test_a_pack_that_expands_to_billions_of_nodes_is_refused_within_10_seconds(
    folder: str,
) -> None:
    raised = _finishes_within(10, lambda: load_pack(BROKEN / folder))
    assert isinstance(raised, PackError), raised


# ---------------------------------------------------------------- the arguments of load_pack


@pytest.mark.parametrize("path", [None, 5, b"rules/england-wales", ["pack"]])
def test_load_pack_given_no_path_raises_an_argument_error_saying_what_to_pass(path: Any) -> None:
    with pytest.raises(ArgumentError) as info:
        load_pack(path)
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, RiskReviewError)
    assert "str or pathlib.Path" in str(info.value)
    assert type(path).__name__ in str(info.value)


def test_load_pack_given_an_empty_path_says_so_rather_than_loading_the_current_folder() -> None:
    with pytest.raises(ArgumentValueError) as info:
        load_pack("")
    assert "empty string" in str(info.value)


def test_load_pack_pins_must_be_text() -> None:
    with pytest.raises(ArgumentError) as info:
        load_pack(VALID, version=1)  # type: ignore[arg-type]
    assert "version" in str(info.value) and "int" in str(info.value)


# ---------------------------------------------------------------- no follow-on errors


def test_a_mistyped_input_type_is_reported_once_not_again_at_each_rule_using_it(
    tmp_path: Path,
) -> None:
    pack = copy_valid(tmp_path)
    (pack / "inputs.yaml").write_text(
        "inputs:\n  ogrs_score:\n    type: integr\n    description: A predictor.\n",
        encoding="utf-8",
    )
    edit(
        pack / "rules" / "review.yaml",
        "      risk.last_review_date:",
        "      inputs.ogrs_score: {gte: 50}\n      risk.last_review_date:",
    )
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (problem,) = info.value.problems
    assert problem.path == "inputs.yaml:3 ogrs_score type"
    assert "did you mean 'int'?" in problem.message


def test_a_bad_finding_list_in_pack_yaml_is_not_reported_again_at_each_rule(
    tmp_path: Path,
) -> None:
    pack = copy_valid(tmp_path)
    edit(pack / "pack.yaml", "  9: Routine", "  9th: Routine")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    assert [p.path for p in info.value.problems] == ["pack.yaml:11 findings 9th"]


# ---------------------------------------------------------------- derived values and inputs

BAND = "    band:\n      value: domestic_abuse.dash_score\n      edges: {edges}\n"


@pytest.mark.parametrize(
    ("spec", "where", "reason"),
    [
        (BAND.format(edges="true"), "level band", "expected edges: [{label, from}, ...]"),
        (BAND.format(edges="[[low], {label: high, from: 10}]"), "level band", "expected edges"),
        (
            BAND.format(edges="[{label: low, from: 0}, {label: high, from: {param: [x]}}]"),
            "level band edges[1]",
            "unknown or keyed parameter a list of 1 item",
        ),
        (
            "    sum: [{when: {household.children_in_contact: true}, points: 99999999999}]\n",
            "level sum[0]",
            "expected a whole number from -99,999,999 to 99,999,999",
        ),
        (
            "    reported: 'no'\n    count: {list: household.children}\n",
            "level reported",
            "expected true or false, got text",
        ),
    ],
)
def test_a_derived_value_of_the_wrong_shape_is_a_pack_error_naming_it(
    tmp_path: Path, spec: str, where: str, reason: str
) -> None:
    pack = copy_valid(tmp_path)
    (pack / "derived").mkdir()
    (pack / "derived" / "d.yaml").write_text(f"derived:\n  level:\n{spec}", encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (problem,) = info.value.problems
    # the line of the offending key inside the value: on or after its name's line 2
    file_line, _, named = problem.path.partition(" ")
    assert named == where
    assert file_line.startswith("derived/d.yaml:")
    assert int(file_line.rpartition(":")[2]) >= 3
    assert reason in problem.message


@pytest.mark.parametrize(
    ("entry", "where", "reason"),
    [
        (
            "type: enum\n    values: [a, b]\n    ordered: 'no'",
            "x ordered",
            "expected true or false, got text",
        ),
        ("type: int\n    min: 10\n    max: 1", "x", "min 10 is above max 1"),
        ("type: int\n    description: [a]", "x description", "expected text, got a list"),
        ("type: [int]", "x type", "a list of 1 item is not an input type"),
    ],
)
def test_an_input_declared_wrongly_is_a_pack_error_at_its_line(
    tmp_path: Path, entry: str, where: str, reason: str
) -> None:
    pack = copy_valid(tmp_path)
    (pack / "inputs.yaml").write_text(f"inputs:\n  x:\n    {entry}\n", encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (problem,) = info.value.problems
    assert problem.path.startswith("inputs.yaml:")
    assert problem.path.split(" ", 1)[1] == where
    assert reason in problem.message


# ---------------------------------------------------------------- negative numbers


def test_a_negative_parameter_loads_where_it_means_something_as_a_literal_does(
    tmp_path: Path,
) -> None:
    # a deduction of points: -3 as a parameter, as -1 is accepted as a literal factor
    pack = copy_valid(tmp_path)
    (pack / "parameters" / "points.yaml").write_text(
        "parameters:\n  protective_deduction:\n    description: Points off for support.\n"
        "    source: assumed\n    values:\n      2024-01-01: -3\n",
        encoding="utf-8",
    )
    (pack / "derived").mkdir()
    (pack / "derived" / "score.yaml").write_text(
        "derived:\n  score:\n    sum:\n"
        "      - when: {household.children_in_contact: true}\n"
        "        points: {param: protective_deduction}\n"
        "      - {value: domestic_abuse.dash_score, times: -1}\n",
        encoding="utf-8",
    )
    loaded = load_pack(pack)
    assert loaded.parameter("protective_deduction", loaded.effective_from) == -3
    assert [d.name for d in loaded.derived] == ["score"]


def test_a_negative_parameter_is_refused_as_a_span_of_time_with_the_reason(
    tmp_path: Path,
) -> None:
    pack = copy_valid(tmp_path)
    edit(pack / "parameters" / "deadlines.yaml", "very_high: 8}", "very_high: -8}")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (problem,) = info.value.problems
    assert problem.path.startswith("rules/review.yaml:6 REV-01 when.")  # the when's line
    assert "'review_interval_weeks' is -8" in problem.message
    assert "a span of time cannot be negative" in problem.message


# ---------------------------------------------------------------- what loads means what it says


def test_the_calendar_named_in_pack_yaml_is_the_one_the_pack_uses(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    edit(
        pack / "pack.yaml",
        "effective_from: 2024-01-01\n",
        "effective_from: 2024-01-01\ncalendar: {country: GB, subdiv: SCT}\n",
    )
    loaded = load_pack(pack)
    assert (loaded.calendar_country, loaded.calendar_subdiv) == ("GB", "SCT")


def test_a_calendar_subdivision_the_country_lacks_is_refused_listing_those_it_has(
    tmp_path: Path,
) -> None:
    pack = copy_valid(tmp_path)
    edit(
        pack / "pack.yaml",
        "effective_from: 2024-01-01\n",
        "effective_from: 2024-01-01\ncalendar: {country: GB, subdiv: Wales}\n",
    )
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (problem,) = info.value.problems
    assert problem.path == "pack.yaml:9 calendar subdiv"
    assert "not a subdivision of GB" in problem.message
    assert "ENG, NIR, SCT, WLS" in problem.message


def test_notes_yaml_is_part_of_the_pack_digest(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    (pack / "notes.yaml").write_text("intro: First words.\n", encoding="utf-8")
    first = load_pack(pack).digest
    (pack / "notes.yaml").write_text("intro: Other words.\n", encoding="utf-8")
    assert load_pack(pack).digest != first


def test_a_key_is_the_text_written_so_yes_as_a_key_is_not_true(tmp_path: Path) -> None:
    # YAML 1.1 reads a bare yes as true; as a key it stays the word the author wrote
    pack = copy_valid(tmp_path)
    edit(
        pack / "actions.yaml",
        "  RISK_REVIEW:\n",
        "  yes:\n    title: Y\n    area: a\n  RISK_REVIEW:\n",
    )
    assert "yes" in load_pack(pack).actions


def test_a_bare_yes_where_text_is_expected_is_refused_with_the_yaml_boolean_hint(
    tmp_path: Path,
) -> None:
    pack = copy_valid(tmp_path)
    edit(pack / "actions.yaml", "    area: review\n", "    area: yes\n")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (problem,) = info.value.problems
    assert problem.path == "actions.yaml:12 RISK_REVIEW area"
    assert "YAML reads unquoted yes, no, on, off, true, false as true or false" in problem.message
    assert "quote them" in problem.message


def test_a_rule_whose_required_text_is_left_empty_is_refused(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    edit(pack / "rules" / "review.yaml", "    source: test fixture\n", "    source:\n")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (problem,) = info.value.problems
    assert problem.path == "rules/review.yaml:9 REV-01 source"  # the source key's line
    assert problem.message == "is required text"


def test_a_rule_whose_action_is_left_empty_is_refused(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    edit(pack / "rules" / "review.yaml", "    action: RISK_REVIEW\n", "    action:\n")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    (problem,) = info.value.problems
    assert problem.path == "rules/review.yaml:7 REV-01 action"  # the action key's line


# ---------------------------------------------------------------- bounded output


def test_a_pack_with_hundreds_of_problems_lists_the_first_200_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    pack = copy_valid(tmp_path)
    junk = "".join(f"    junk_{i}: 1\n" for i in range(250))
    edit(
        pack / "rules" / "review.yaml",
        "    source: test fixture\n",
        f"    source: test fixture\n{junk}",
    )
    with pytest.raises(PackError) as info:
        load_pack(pack)
    problems = info.value.problems
    assert len(problems) == 201
    assert all("unknown key" in p.message for p in problems[:200])
    assert problems[-1].message.startswith("and 50 more problems")


def test_a_pack_that_loads_is_a_pack() -> None:
    # the fixtures above are all copies of this one: it must itself load
    assert isinstance(load_pack(VALID), Pack)
