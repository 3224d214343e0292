"""Scenarios assert only what they are about (required, forbidden) or the complete set
by choice (exactly); a failure is short, says which it was and what to write instead."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_support import FIXTURES, Run

from riskreview.errors import PackError
from riskreview.pack import Pack, default_pack_path, load_pack
from riskreview.testing import ScenarioResult, run_scenarios

#: children in contact and a child protection registration: CS-02 fires (CSC_ENQUIRY);
#: the police check is made and the last review is recent, so DA-01 and REV-01 do not
CASE = {
    "case_id": "S1",
    "supervision": {"start_date": "2026-11-02"},
    "household": {"children_in_contact": True},
    "registrations": ["child_protection"],
    "checks": {"police_domestic_abuse": {"requested_date": "2026-11-03"}},
    "risk": {"last_review_date": "2026-11-01", "levels": {"public": "low"}},
}


def _pack(tmp_path: Path, *expects: dict[str, Any]) -> Path:
    """The minimal fixture pack with one scenario of ``CASE`` per expectation."""
    folder = tmp_path / "pack"
    shutil.copytree(FIXTURES / "_valid_minimal", folder)
    (folder / "tests").mkdir()
    scenarios = [
        {
            "name": f"scenario {i}",
            "as_of": "2026-11-23",
            "case": copy.deepcopy(CASE),
            "expect": expect,
        }
        for i, expect in enumerate(expects, 1)
    ]
    text = yaml.safe_dump({"scenarios": scenarios}, sort_keys=False)
    (folder / "tests" / "s.yaml").write_text(text, encoding="utf-8")
    return folder


def _results(tmp_path: Path, *expects: dict[str, Any]) -> list[ScenarioResult]:
    return run_scenarios(load_pack(_pack(tmp_path, *expects)))


# ---------------------------------------------------------------- each mode


def test_required_and_forbidden_pass_whatever_else_is_required(tmp_path: Path) -> None:
    results = _results(
        tmp_path,
        {"required": ["CSC_ENQUIRY"]},
        {"forbidden": ["POLICE_DA_CHECK", "RISK_REVIEW"]},
        {"required": ["CSC_ENQUIRY"], "forbidden": ["RISK_REVIEW"], "priority": {}},
        {"actions": {"exactly": ["CSC_ENQUIRY"]}},
        {"actions": ["CSC_ENQUIRY"]},
    )
    assert [r.failures for r in results] == [()] * 5


def test_a_missing_required_action_is_one_line_naming_the_rule_that_did_not_fire(
    tmp_path: Path,
) -> None:
    (result,) = _results(tmp_path, {"required": ["CSC_ENQUIRY", "RISK_REVIEW"]})
    assert result.failures == ("required: RISK_REVIEW missing (REV-01 did not fire)",)
    assert len(result.details) == 1
    assert result.details[0].startswith("RISK_REVIEW: REV-01 not_fired: ")


def test_a_forbidden_action_present_names_the_rule_requiring_it(tmp_path: Path) -> None:
    (result,) = _results(tmp_path, {"forbidden": ["CSC_ENQUIRY"]})
    assert result.failures == ("forbidden: CSC_ENQUIRY present (required by CS-02)",)
    assert result.details[0].startswith("CSC_ENQUIRY: required by CS-02: ")


@pytest.mark.parametrize(
    ("actions", "spelling"),
    [
        ({"exactly": ["RISK_REVIEW"]}, "(`actions: {exactly: [...]}`)"),
        (["RISK_REVIEW"], "(a plain `actions:` list means `actions: {exactly: [...]}`)"),
    ],
)
def test_a_complete_set_that_differs_says_it_was_the_complete_set_and_what_to_write(
    tmp_path: Path, actions: Any, spelling: str
) -> None:
    (result,) = _results(tmp_path, {"actions": actions})
    first, hint = result.failures
    assert (
        first == "actions (the complete set): unexpected CSC_ENQUIRY (required by CS-02) and 1 more"
    )
    assert hint == (
        f"this scenario lists the complete set {spelling}; to assert only what it is "
        "about, write `required: [...]` and `forbidden: [...]`"
    )
    assert any(d.startswith("RISK_REVIEW: REV-01 not_fired") for d in result.details)
    assert any(d.startswith("CSC_ENQUIRY: required by CS-02") for d in result.details)


def test_information_takes_the_same_modes(tmp_path: Path) -> None:
    results = _results(
        tmp_path,
        {"information": {"forbidden": ["ESTABLISH_CHILDREN_CONTACT"]}},
        {"information": {"exactly": []}},
        {"information": []},
        {"information": {"required": ["ESTABLISH_SOMETHING"]}},
        {"information": {"exactly": ["ESTABLISH_SOMETHING"]}},
    )
    assert [r.failures for r in results[:3]] == [(), (), ()]
    assert results[3].failures == ("information required: ESTABLISH_SOMETHING missing",)
    assert results[4].failures[0] == "information (the complete set): missing ESTABLISH_SOMETHING"
    assert "`information: {required: [...], forbidden: [...]}`" in results[4].failures[1]


def test_priority_is_expected_per_action(tmp_path: Path) -> None:
    ok, wrong, absent = _results(
        tmp_path,
        {"priority": {"CSC_ENQUIRY": "high"}},
        {"priority": {"CSC_ENQUIRY": "urgent"}},
        {"priority": {"RISK_REVIEW": "medium"}},
    )
    assert ok.failures == ()
    assert wrong.failures == ("priority: CSC_ENQUIRY is high, expected urgent",)
    assert absent.failures == ("priority: RISK_REVIEW is absent, expected medium",)


def test_an_action_code_the_pack_does_not_have_is_named_with_a_suggestion(tmp_path: Path) -> None:
    (result,) = _results(tmp_path, {"forbidden": ["CSC_ENQIURY", "NOPE"]})
    assert result.failures == (
        "forbidden: CSC_ENQIURY, NOPE are not actions of this pack; did you mean 'CSC_ENQUIRY'?",
    )


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        (
            {"actions": {"required": ["CSC_ENQUIRY"]}},
            "expected one of exactly; for actions write required: or forbidden: beside actions:",
        ),
        ({"actions": {"exactly": "CSC_ENQUIRY"}}, "expected a list of codes, got"),
        ({"actions": {}}, "expected one of exactly with a list of codes"),
        (
            {"information": {"exactly": [], "required": ["X"]}},
            "exactly: is the complete set; it cannot be combined with required: or forbidden:",
        ),
        ({"required": "CSC_ENQUIRY"}, "expected a list of codes or rule ids"),
        ({"priority": {"CSC_ENQUIRY": "soon"}}, "expected one of urgent, high, medium, low"),
        ({"exactly": ["CSC_ENQUIRY"]}, "unknown key"),
    ],
)
def test_a_misspelt_mode_is_refused_when_the_pack_loads(
    tmp_path: Path, expect: dict[str, Any], message: str
) -> None:
    with pytest.raises(PackError) as caught:
        load_pack(_pack(tmp_path, expect))
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "tests/s.yaml" in text and "scenario 1" in text
    assert message in text, text


# ---------------------------------------------------------------- what a failure shows


def test_riskreview_test_shows_a_failure_in_a_few_lines_and_in_full_with_v(
    run: Run, tmp_path: Path
) -> None:
    folder = _pack(
        tmp_path, {"actions": {"exactly": ["RISK_REVIEW"]}}, {"required": ["CSC_ENQUIRY"]}
    )
    short = run("test", folder)
    assert short.exit_code == 1
    lines = short.stdout.splitlines()
    assert lines[0] == "FAIL tests/s.yaml:2 scenario 1"
    assert lines[1].strip().startswith("actions (the complete set): unexpected CSC_ENQUIRY")
    assert lines[2].strip().startswith("this scenario lists the complete set (`actions: {exactly")
    assert "(-v explains each in full)" in lines[-1]
    assert "REV-01 not_fired" not in short.stdout
    full = run("test", folder, "-v")
    assert "RISK_REVIEW: REV-01 not_fired: " in full.stdout
    assert len(full.stdout) > len(short.stdout)
    report = json.loads(run("test", folder, "--json").stdout)
    failed = [s for s in report["scenarios"] if not s["passed"]]
    assert [s["name"] for s in failed] == ["scenario 1"]
    assert failed[0]["details"]


def test_pytest_shows_a_failing_scenario_in_a_few_lines_and_in_full_with_v(tmp_path: Path) -> None:
    folder = _pack(tmp_path, {"actions": {"exactly": ["RISK_REVIEW"]}})
    command = [sys.executable, "-m", "pytest", str(folder), "-p", "no:cacheprovider"]
    short = subprocess.run(
        [*command, "-q"], check=False, capture_output=True, text=True, cwd=tmp_path
    )
    assert short.returncode == 1, short.stdout
    assert "tests/s.yaml:2 scenario 'scenario 1'" in short.stdout
    assert "actions (the complete set): unexpected CSC_ENQUIRY" in short.stdout
    assert "(pytest -v explains in full)" in short.stdout
    assert "REV-01 not_fired" not in short.stdout
    full = subprocess.run(
        [*command, "-v"], check=False, capture_output=True, text=True, cwd=tmp_path
    )
    assert "RISK_REVIEW: REV-01 not_fired: " in full.stdout


# ---------------------------------------------------------------- a new rule


ACTION = """
  INITIAL_SENTENCE_PLAN:
    title: Write the initial sentence plan
    area: review
    priority: medium
    wording: Write the sentence plan with the person within ten working days of the start.
"""

RULE = """\
rules:
  - id: SP-01
    title: Write the initial sentence plan in the community when none is recorded
    area: review
    findings: [4]
    when:
      all:
        - supervision.stage: community
        - plans.sentence_plan_date: {missing: true}
    action: INITIAL_SENTENCE_PLAN
    due: {working_days: 10, from: supervision.start_date}
    source: local policy (assumed)
    rationale: A plan made early shapes the whole order.
    reason: The person is supervised in the community and no sentence plan is recorded.
"""

SCENARIOS = """\
scenarios:
  - name: SP-01 fires in the community with no sentence plan
    as_of: 2026-11-23
    case:
      case_id: S-SP01-A
      supervision: {stage: community, start_date: 2026-11-02}
    expect:
      fired: [SP-01]
      required: [INITIAL_SENTENCE_PLAN]
      due: {INITIAL_SENTENCE_PLAN: 2026-11-16}
  - name: SP-01 stops short once the sentence plan is recorded
    as_of: 2026-11-23
    case:
      case_id: S-SP01-B
      supervision: {stage: community, start_date: 2026-11-02}
      plans: {sentence_plan_date: 2026-11-10}
    expect:
      not_fired: [SP-01]
      forbidden: [INITIAL_SENTENCE_PLAN]
"""


def _complete(expect: dict[str, Any]) -> bool:
    """Whether a scenario chose the complete set of actions or of information."""
    return any(
        key in expect and not (isinstance(expect[key], dict) and "exactly" not in expect[key])
        for key in ("actions", "information")
    )


def _outcome(pack: Pack) -> dict[str, tuple[str, ...]]:
    return {r.scenario.name: r.failures for r in run_scenarios(pack)}


def test_a_rule_added_by_the_guides_steps_leaves_every_scenario_green_but_complete_sets(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "england-wales"
    shutil.copytree(default_pack_path(), folder)
    before = _outcome(load_pack(folder))
    # the guide's steps: the action, the rule in rules/<area>.yaml, two scenarios
    with (folder / "actions.yaml").open("a", encoding="utf-8") as actions:
        actions.write(ACTION)
    (folder / "rules" / "sentence_plan.yaml").write_text(RULE, encoding="utf-8")
    (folder / "tests" / "sentence_plan.yaml").write_text(SCENARIOS, encoding="utf-8")
    pack = load_pack(folder)
    after = _outcome(pack)
    expects = {s.name: dict(s.expect) for s in pack.scenarios}

    assert not after["SP-01 fires in the community with no sentence plan"]
    assert not after["SP-01 stops short once the sentence plan is recorded"]
    newly_failing = {name for name, failures in after.items() if failures and not before.get(name)}
    assert newly_failing, "the new rule fires on no existing scenario: the test proves nothing"
    assert {n for n in newly_failing if not _complete(expects[n])} == set()
    fires_on = [n for n, f in after.items() if any("INITIAL_SENTENCE_PLAN" in x for x in f)]
    assert all(_complete(expects[n]) for n in fires_on)
    # the scenarios that say only what they are about: green before, green after
    about = [n for n in before if not _complete(expects[n]) and not before[n]]
    assert len(about) > 150
    assert all(not after[n] for n in about)
    hint = "this scenario lists the complete set"
    assert all(any(hint in f for f in after[n]) for n in fires_on)
