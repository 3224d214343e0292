"""The pack loader: a folder of deliberately broken packs, each with exactly one fault.

``tests/fixtures/broken_packs/_valid_minimal`` is a small valid pack; every other
folder beside it is a copy with one thing broken. Each must fail to load with a
PackError that names the file, the rule (where the fault is in a rule) and the reason.
"""

from __future__ import annotations

import filecmp
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from _pack_support import BROKEN, VALID, copy_valid, edit

from riskreview import _compile, _packload, _runtime
from riskreview._runtime import runtime
from riskreview.errors import PackError, Problem, RiskReviewError
from riskreview.pack import Pack, default_pack, default_pack_path, load_pack


@attrs.frozen
class Fault:
    """What loading one broken pack must report."""

    file: str  # the file named in the problem, with its line where there is one
    rule: str | None  # the rule id named, when the fault is inside a rule
    reason: tuple[str, ...]  # fragments of the message that say why
    only: bool = True  # the fault is the only problem reported


FAULTS: dict[str, Fault] = {
    "pack_yaml_not_a_mapping": Fault(
        "pack.yaml", None, ("expected a mapping at the top", "got a list")
    ),
    "actions_yaml_missing": Fault("actions.yaml", None, ("file is missing",), only=False),
    "yaml_syntax_error": Fault("rules/domestic_abuse.yaml:8", None, ("not valid YAML",)),
    "duplicate_yaml_key": Fault(
        "rules/domestic_abuse.yaml:10", None, ("priority", "duplicate key")
    ),
    "unknown_rule_key": Fault(
        "rules/domestic_abuse.yaml:9",
        "DA-01",
        ("priorty", "unknown key", "did you mean 'priority'?"),
    ),
    "unknown_field_path": Fault(
        "rules/child_safeguarding.yaml:14",
        "CS-02",
        (
            "'houshold.in_relationship' is not a case field",
            "did you mean 'household.in_relationship'?",
        ),
    ),
    "unknown_operator": Fault(
        "rules/child_safeguarding.yaml:10",
        "CS-02",
        ("'contanis' is not an operator", "did you mean 'contains'?"),
    ),
    "operator_not_for_field_type": Fault(
        "rules/child_safeguarding.yaml:13",
        "CS-02",
        ("'gte' is not an operator for a bool field", "eq, ne"),
    ),
    "type_clash_date_with_number": Fault(
        "rules/domestic_abuse.yaml:7",
        "DA-01",
        ("checks.police_domestic_abuse.requested_date.before", "expected a date"),
    ),
    "type_clash_bool_with_string": Fault(
        "rules/child_safeguarding.yaml:14",
        "CS-02",
        ("expected true or false for household.in_relationship", "'yes'"),
    ),
    "unknown_enum_value": Fault(
        "rules/child_safeguarding.yaml:11",
        "CS-02",
        ("'meduim' is not a RoshLevel value", "did you mean 'medium'?"),
    ),
    "unknown_action": Fault(
        "rules/review.yaml:7",
        "REV-01",
        ("unknown action 'RISK_REVEIW'", "did you mean 'RISK_REVIEW'?"),
    ),
    "unknown_parameter": Fault(
        "rules/domestic_abuse.yaml:10",
        "DA-01",
        (
            "due",
            "unknown parameter 'police_da_check_workingdays'",
            "did you mean 'police_da_check_working_days'?",
        ),
    ),
    "unknown_parameter_in_condition": Fault(
        "rules/review.yaml:6",
        "REV-01",
        (
            "older_than",
            "unknown parameter 'review_interval_week'",
            "did you mean 'review_interval_weeks'?",
        ),
    ),
    "keyed_parameter_missing_member": Fault(
        "parameters/deadlines.yaml:14", None, ("review_interval_weeks", "no value for: very_high")
    ),
    "parameter_not_a_number": Fault(
        "parameters/deadlines.yaml:7",
        None,
        ("police_da_check_working_days", "expected a whole number", "'five'"),
    ),
    "duplicate_rule_id": Fault(
        "rules/zz_more.yaml:2", "DA-01", ("duplicate rule id", "also in rules/domestic_abuse.yaml")
    ),
    "rule_missing_source": Fault("rules/review.yaml:2", "REV-01", ("source", "is required")),
    "bad_due_unit": Fault(
        "rules/child_safeguarding.yaml:15",
        "CS-02",
        ("due", "expected exactly one of working_days, days or weeks"),
    ),
    "bad_due_anchor": Fault(
        "rules/child_safeguarding.yaml:15",
        "CS-02",
        ("due from", "'supervision.start' is not as_of, a date field"),
    ),
    "due_too_long": Fault(
        "rules/child_safeguarding.yaml:15",
        "CS-02",
        ("due", "expected a whole number from 0 to 3653 days (ten years)", "3000000"),
    ),
    # inside a named condition a rule uses: its line in conditions.yaml, the rule named
    "named_condition_cycle": Fault(
        "conditions.yaml:14",
        "CS-02",
        ("cycle", "children_in_contact → household_known → children_in_contact"),
    ),
    "window_negative_amount": Fault(
        "rules/domestic_abuse.yaml:7",
        "DA-01",
        ("older_than", "expected a whole number of working_days ≥ 0, got -5"),
    ),
    "too_complex_for_engine": Fault(
        "rules/child_safeguarding.yaml:2", "CS-02", ("too many alternatives", "paths", "limit 56")
    ),
    # reading YAML: bounded in time and depth, whatever the file holds
    "alias_bomb_in_pack_yaml": Fault(
        "pack.yaml:10",
        None,
        ("laughs a", "anchors and aliases are not allowed", "again under laughs b"),
    ),
    "alias_bomb_in_rule": Fault(
        "rules/review.yaml:11", "REV-01", ("anchors and aliases are not allowed",)
    ),
    "nesting_600_deep_not": Fault(
        "rules/review.yaml:6", "REV-01", ("nested more than 50 levels deep",)
    ),
    "nesting_200_deep_all": Fault(
        "rules/review.yaml:6", "REV-01", ("nested more than 50 levels deep",)
    ),
    "number_too_long": Fault(
        "rules/review.yaml:8", "REV-01", ("number too long: 5,000 digits", "at most 18 digits")
    ),
    "duplicate_parameter_date": Fault(
        "parameters/deadlines.yaml:8",
        None,
        ("police_da_check_working_days values 2024-01-01", "duplicate key"),
    ),
    "date_with_time_of_day": Fault(
        "pack.yaml:8", None, ("effective_from", "a date with a time of day", "YYYY-MM-DD")
    ),
    "yaml_tag": Fault("pack.yaml:2", None, ("version", "YAML tag !!binary", "remove it")),
    "named_condition_chain_600_long": Fault(
        "conditions.yaml:64", "CS-02", ("nest more than 32 levels deep",), only=False
    ),
    "named_conditions_expand_exponentially": Fault(
        "conditions.yaml:10", "CS-02", ("more than 5,000 tests",)
    ),
    # a value of the wrong kind: a PackError naming the key, never a TypeError
    "key_is_a_list": Fault(
        "actions.yaml:10", None, ("a key must be text (not a list or mapping)",), only=False
    ),
    "rule_action_is_a_list": Fault(
        "rules/review.yaml:7", "REV-01", ("action", "expected an action code (text), got a list")
    ),
    "rule_id_is_a_list": Fault(
        "rules/review.yaml:2", None, ("id", "a rule's id must be text", "got a list")
    ),
    "review_action_is_a_list": Fault(
        "pack.yaml:10", None, ("review action", "expected an action code (text), got a list")
    ),
    "review_interval_param_is_a_list": Fault(
        "pack.yaml:11",
        None,
        ("review interval", "param must be a parameter's name (text), got a list"),
    ),
    "review_anchor_is_a_list": Fault(
        "pack.yaml:12", None, ("review anchors", "expected a date field's path (text), got a list")
    ),
    "scenario_expects_nested_list": Fault(
        "tests/scenarios.yaml:2",
        None,
        ("nothing recorded expect actions", "expected a list of codes", "a list holding a list"),
    ),
    # pack.yaml's calendar and findings, notes.yaml
    "calendar_not_a_mapping": Fault(
        "pack.yaml:9", None, ("calendar", "expected a mapping such as {country: GB", "got 'GB'")
    ),
    "calendar_country_is_a_list": Fault(
        "pack.yaml:9", None, ("calendar country", "expected text, got a list")
    ),
    "calendar_unknown_country": Fault(
        "pack.yaml:9",
        None,
        ("calendar country", "'XX' is not a country code the holidays package knows", "GB"),
    ),
    "calendar_unknown_key": Fault(
        "pack.yaml:9", None, ("calendar contry", "unknown key", "did you mean 'country'?")
    ),
    "finding_number_not_ascii_digits": Fault(
        "pack.yaml:11", None, ("findings ²", "a finding's number must be a whole number")
    ),
    "finding_number_a_word": Fault(
        "pack.yaml:11", None, ("findings nine", "a finding's number must be a whole number")
    ),
    "rule_finding_not_listed": Fault(
        "rules/domestic_abuse.yaml:5",
        "DA-01",
        ("findings", "finding 99 is not one of the findings pack.yaml lists (2, 9)"),
    ),
    "notes_yaml_not_valid": Fault(
        "notes.yaml:1", None, ("intro", "expected text, got a list"), only=False
    ),
    # inputs.yaml: the entry's own line, and YAML's booleans named
    "input_entry_error_points_at_the_entry": Fault(
        "inputs.yaml:8",
        None,
        ("dash_answers values", "a list holding true", "unquoted yes, no", "quote them"),
    ),
    "input_type_mistyped": Fault(
        "inputs.yaml:3", None, ("ogrs_score type", "'integer' is not an input type", "'int'")
    ),
    # the scored-policy language: refused at the offending key's line, never loaded to
    # answer wrongly (labels with no order compared alphabetically, a label not listed)
    "derived_max_over_unordered_labels": Fault(
        "derived/levels.yaml:10",
        None,
        ("stricter max", "derived.contact holds labels with no order", "ordered: true"),
    ),
    "derived_if_gives_a_label_not_listed": Fault(
        "derived/levels.yaml:9",
        None,
        ("contact if[0] then", "'wekly' is not one of its labels", "did you mean 'weekly'?"),
    ),
    "input_decimal_without_places": Fault(
        "inputs.yaml:3", None, ("rsr_score places", "a decimal input needs places")
    ),
    # a negative number is refused where it means nothing, with the reason
    "parameter_negative_used_as_due_time": Fault(
        "rules/domestic_abuse.yaml:10",
        "DA-01",
        ("police_da_check_working_days", "-5", "a due time cannot be negative"),
    ),
}


def load_error(folder: str | Path) -> PackError:
    with pytest.raises(PackError) as info:
        load_pack(BROKEN / folder)
    return info.value


def problem_in(error: PackError, file: str) -> Problem:
    """The problem reported against ``file`` (file or file:line at the start of its path)."""
    found = [p for p in error.problems if p.path == file or p.path.startswith(f"{file} ")]
    assert found, f"no problem reported for {file}:\n{error}"
    return found[0]


# ---------------------------------------------------------------- the fixtures themselves


def test_every_broken_pack_has_an_expected_fault() -> None:
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir() and p != VALID}
    assert folders == set(FAULTS)


def _differences(left: Path, right: Path) -> list[str]:
    compare = filecmp.dircmp(left, right)
    # by content: dircmp's own diff_files compares only size and time, and files that
    # git wrote in the same instant with the same size would count as equal
    _, changed, unreadable = filecmp.cmpfiles(left, right, compare.common_files, shallow=False)
    out = [*compare.left_only, *compare.right_only, *changed, *unreadable, *compare.funny_files]
    for name in compare.subdirs:
        out.extend(f"{name}/{d}" for d in _differences(left / name, right / name))
    return out


@pytest.mark.parametrize("folder", sorted(FAULTS))
def test_each_broken_pack_differs_from_the_valid_pack_in_one_file(folder: str) -> None:
    assert len(_differences(VALID, BROKEN / folder)) == 1


# ---------------------------------------------------------------- valid packs


def test_the_minimal_valid_pack_loads() -> None:
    pack = load_pack(VALID)
    assert isinstance(pack, Pack)
    assert pack.name == "minimal"
    assert pack.version == "0.0.1"
    assert pack.effective_from == date(2024, 1, 1)
    assert set(pack.rule_ids) == {"DA-01", "CS-02", "REV-01"}
    assert set(pack.actions) == {"POLICE_DA_CHECK", "CSC_ENQUIRY", "RISK_REVIEW"}
    assert pack.parameter("police_da_check_working_days", date(2026, 1, 1)) == 5
    assert pack.parameter("review_interval_weeks", date(2026, 1, 1))["very_high"] == 8
    assert pack.digest.startswith("sha256:")


def test_the_minimal_pack_keeps_what_its_rules_say() -> None:
    pack = load_pack(str(VALID))
    rule = pack.rule("DA-01")
    assert rule.file == "rules/domestic_abuse.yaml"
    assert rule.line == 2
    assert rule.action == "POLICE_DA_CHECK"
    assert rule.due is not None
    assert (rule.due.unit, rule.due.anchor) == ("working_days", "supervision.start_date")
    assert rule.findings == (9,)


def test_loading_the_same_pack_twice_gives_the_same_digest(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(VALID, copy)
    assert load_pack(copy).digest == load_pack(VALID).digest
    (copy / "rules" / "review.yaml").write_text(
        (copy / "rules" / "review.yaml").read_text().replace("test fixture", "test fixture 2"),
        encoding="utf-8",
    )
    assert load_pack(copy).digest != load_pack(VALID).digest


def test_the_default_pack_loads() -> None:
    pack = load_pack(default_pack_path())
    assert pack.name == "england-wales"
    assert pack.rules
    for rule in pack.rules:
        assert rule.action in pack.actions, rule.id
        assert rule.source, rule.id
    assert len(set(pack.rule_ids)) == len(pack.rule_ids)


def test_default_pack_is_the_pack_at_default_pack_path() -> None:
    assert default_pack().digest == load_pack(default_pack_path()).digest


# ---------------------------------------------------------------- broken packs


@pytest.mark.parametrize("folder", sorted(FAULTS))
def test_broken_pack_is_rejected_with_file_rule_and_reason(folder: str) -> None:
    fault = FAULTS[folder]
    error = load_error(folder)
    problem = problem_in(error, fault.file)
    message = str(error)
    assert str(problem) in message
    if fault.rule is not None:
        assert fault.rule in problem.path.split(), problem
    for fragment in fault.reason:
        assert fragment in str(problem), f"{fragment!r} not in {problem}"
    if fault.only:
        assert len(error.problems) == 1, message


def test_pack_error_is_a_value_error_and_a_riskreview_error() -> None:
    error = load_error("unknown_action")
    assert isinstance(error, ValueError)
    assert isinstance(error, RiskReviewError)
    assert str(error).startswith("pack minimal is invalid (1 problem):")


def test_unknown_field_is_reported_with_suggestion() -> None:
    problem = load_error("unknown_field_path").problems[0]
    assert "did you mean 'household.in_relationship'?" in problem.message


def test_unknown_operator_is_reported_with_suggestion() -> None:
    problem = load_error("unknown_operator").problems[0]
    assert "did you mean 'contains'?" in problem.message


def test_a_rule_too_complex_for_the_engine_is_rejected_with_its_path_count() -> None:
    problem = load_error("too_complex_for_engine").problems[0]
    assert problem.path == "rules/child_safeguarding.yaml:2 CS-02"
    assert "paths (limit 56)" in problem.message


def test_a_missing_actions_file_is_reported_first_then_the_actions_it_leaves_unknown() -> None:
    error = load_error("actions_yaml_missing")
    assert error.problems[0] == Problem("actions.yaml", "file is missing")
    unknown = {p.path.split()[1] for p in error.problems[1:]}
    assert unknown == {"DA-01", "CS-02", "REV-01"}
    assert all("unknown action" in p.message for p in error.problems[1:])


def test_the_problem_path_points_at_the_offending_line_of_the_rule_in_its_file() -> None:
    # line 10 holds `- registrations: {contanis: child_protection}`; the rule starts on 2
    problem = load_error("unknown_operator").problems[0]
    assert problem.path.startswith("rules/child_safeguarding.yaml:10 CS-02 when.")
    assert problem.path.endswith(".registrations.contanis")


def test_a_yaml_syntax_error_gives_the_line_where_reading_stopped() -> None:
    problem = load_error("yaml_syntax_error").problems[0]
    assert problem.path == "rules/domestic_abuse.yaml:8"


def test_duplicate_key_in_a_rule_names_the_rule() -> None:
    # the pack loads the last value silently otherwise; the report must say which rule
    problem = load_error("duplicate_yaml_key").problems[0]
    assert problem.path.startswith("rules/domestic_abuse.yaml:10")
    assert "DA-01" in str(problem)


def test_a_due_anchor_suggestion_is_a_date_field() -> None:
    # 'supervision.start' is closest to 'supervision.stage', which is not a date either
    problem = load_error("bad_due_anchor").problems[0]
    assert "did you mean 'supervision.start_date'?" in problem.message


# ---------------------------------------------------------------- several faults at once


def test_every_problem_of_a_pack_is_reported_at_once(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    edit(pack / "rules" / "review.yaml", "action: RISK_REVIEW", "action: RISK_REVEIW")
    edit(
        pack / "rules" / "child_safeguarding.yaml",
        "{contains: child_protection}",
        "{contanis: child_protection}",
    )
    edit(pack / "parameters" / "deadlines.yaml", "2024-01-01: 5", "2024-01-01: five")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    files = sorted(p.path.split(":")[0] for p in info.value.problems)
    assert files == [
        "parameters/deadlines.yaml",
        "rules/child_safeguarding.yaml",
        "rules/review.yaml",
    ]


def test_a_named_condition_used_by_two_rules_is_reported_for_each(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    edit(
        pack / "conditions.yaml",
        "household.children_in_contact: true",
        "household.children_in_contakt: true",
    )
    edit(
        pack / "rules" / "review.yaml",
        "      risk.last_review_date:",
        "      all:\n        - condition: children_in_contact\n        - risk.last_review_date:",
    )
    with pytest.raises(PackError) as info:
        load_pack(pack)
    rules = sorted(p.path.split()[1] for p in info.value.problems)
    assert rules == ["CS-02", "REV-01"]
    assert all(
        "did you mean 'household.children_in_contact'?" in p.message for p in info.value.problems
    )


def test_a_named_condition_no_rule_uses_is_still_checked(tmp_path: Path) -> None:
    # a fault in conditions.yaml must not wait until a rule first uses the condition
    pack = copy_valid(tmp_path)
    conditions = pack / "conditions.yaml"
    conditions.write_text(
        conditions.read_text(encoding="utf-8")
        + "  unused:\n    description: Not used yet.\n    when:\n"
        "      houshold.in_relationship: true\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as info:
        load_pack(pack)
    assert "conditions.yaml" in str(info.value)
    assert "houshold.in_relationship" in str(info.value)


def test_a_folder_that_is_not_a_pack_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(PackError) as info:
        load_pack(tmp_path / "no-such-pack")
    assert "no-such-pack" in str(info.value)


def test_an_empty_folder_is_a_pack_error_naming_pack_yaml(tmp_path: Path) -> None:
    with pytest.raises(PackError) as info:
        load_pack(tmp_path)
    assert info.value.problems[0] == Problem("pack.yaml", "file is missing")


def test_a_pack_without_rules_is_a_pack_error(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    shutil.rmtree(pack / "rules")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    assert info.value.problems[0].path == "rules/"
    assert "no rule files" in info.value.problems[0].message


def test_a_file_that_is_not_utf8_is_a_pack_error(tmp_path: Path) -> None:
    pack = copy_valid(tmp_path)
    (pack / "rules" / "review.yaml").write_bytes(b"rules:\n  - id: \xff\xfe\n")
    with pytest.raises(PackError) as info:
        load_pack(pack)
    assert Problem("rules/review.yaml", "file is not UTF-8 text") in info.value.problems


# ---------------------------------------------------------------- the engine's limits


def _pack_with_one_rule(tmp_path: Path, alternatives: list[str], mode: str = "any") -> Path:
    """A copy of the valid pack whose only rule is an ``any`` (or ``all``) of
    ``alternatives``."""
    pack = copy_valid(tmp_path)
    shutil.rmtree(pack / "rules")
    (pack / "rules").mkdir()
    lines = "".join(f"        - {a}\n" for a in alternatives)
    (pack / "rules" / "wide.yaml").write_text(
        f"rules:\n  - id: WIDE-01\n    title: Wide\n    area: review\n    when:\n      {mode}:\n"
        f"{lines}    action: RISK_REVIEW\n    source: test fixture\n    rationale: Width.\n",
        encoding="utf-8",
    )
    return pack


def _older(count: int) -> list[str]:
    """``count`` tests of the arrests among the events, one comparison each: each a path
    of its own (alternatives naming a part of a list are kept apart, to scan only it)."""
    return [f"events: {{any: {{type: arrest, date: {{older_than: {{days: {100 + n}}}}}}}}}"
            for n in range(count)]


def _recent(count: int) -> list[str]:
    """``count`` tests of the offending history's items, two comparisons each."""
    return [f"offending_history: {{any: {{date: {{within_last: {{days: {100 + n}}}}}}}}}"
            for n in range(count)]


def _callouts(op: str, count: int) -> list[str]:
    return [f"domestic_abuse.police_callouts_12_months: {{{op}: {n}}}" for n in range(count)]


def test_an_any_of_56_alternatives_is_the_widest_rule_accepted(tmp_path: Path) -> None:
    assert load_pack(_pack_with_one_rule(tmp_path, _older(56))).rule_ids == ("WIDE-01",)


def test_an_any_of_57_alternatives_is_rejected_naming_the_rule_and_the_limit(
    tmp_path: Path,
) -> None:
    with pytest.raises(PackError) as info:
        load_pack(_pack_with_one_rule(tmp_path, _older(57)))
    (problem,) = info.value.problems
    assert problem.path == "rules/wide.yaml:2 WIDE-01"
    assert "57 paths (limit 56)" in problem.message


def test_the_widest_rule_accepted_runs_on_the_engine(tmp_path: Path) -> None:
    from riskreview import evaluate

    pack = load_pack(_pack_with_one_rule(tmp_path, _older(56)))
    decision = evaluate(
        {"case_id": "C-1", "events": [{"type": "arrest", "date": "2025-01-01"}]},
        as_of=date(2026, 3, 2),
        pack=pack,
    )
    assert decision.action_codes == ("RISK_REVIEW",)


def test_alternatives_over_the_cases_own_values_are_one_path_however_many(
    tmp_path: Path,
) -> None:
    """500 alternatives over one field of the case: the fact builder folds them into one
    property, so the rule is one engine path and decides as the alternatives say."""
    from riskreview import evaluate

    pack = load_pack(_pack_with_one_rule(tmp_path, _callouts("eq", 500)))
    (rule,) = runtime(pack, pack.epoch(date(2026, 3, 2))).compiled.rules
    assert rule.paths == 1
    for callouts, fires in [(499, True), (0, True), (500, False)]:
        decision = evaluate(
            {"case_id": "C-1", "domestic_abuse": {"police_callouts_12_months": callouts}},
            as_of=date(2026, 3, 2),
            pack=pack,
        )
        assert decision.action_codes == (("RISK_REVIEW",) if fires else ()), callouts


def test_a_rule_over_the_engines_expression_limit_is_rejected_when_the_pack_loads(
    tmp_path: Path,
) -> None:
    # 13 tests of list items in one 'all' load; at 14 durable-rules refuses the ruleset
    # (error 113, MAX_SEQUENCE_EXPRESSIONS = 32 in rete.h), and the loader says which rule
    load_pack(_pack_with_one_rule(tmp_path / "13", _recent(13), mode="all"))
    with pytest.raises(PackError) as info:
        load_pack(_pack_with_one_rule(tmp_path / "14", _recent(14), mode="all"))
    assert "WIDE-01" in str(info.value)


def test_loading_a_pack_compiles_each_policy_period_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The envelope check and the engines share one compilation of each period."""
    calls: list[date] = []
    real = _compile.compile_epoch

    def counted(pack: Pack, epoch: date) -> Any:
        calls.append(epoch)
        return real(pack, epoch)

    for module in (_compile, _packload, _runtime):
        monkeypatch.setattr(module, "compile_epoch", counted)
    pack = load_pack(default_pack_path())
    assert len(pack.change_dates) > 1
    assert sorted(calls) == sorted(pack.change_dates)
    calls.clear()
    for epoch in pack.change_dates:
        runtime(pack, epoch)  # built at load: nothing compiled again
    assert calls == []
