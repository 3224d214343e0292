"""`riskreview check` and `riskreview test`: policy owners' checks of a pack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import FIXTURES, Run, error_lines


def test_check_passes_a_covered_pack(run: Run, minimal_pack: Path) -> None:
    result = run("check", minimal_pack)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("minimal: ok: 0 errors")
    assert "[envelope]" not in run("check", minimal_pack, "-v").stdout
    engine = run("check", minimal_pack, "--engine")
    assert "[envelope]" in engine.stdout and "paths" in engine.stdout


def test_check_exits_1_on_errors_and_lists_them_as_json(run: Run) -> None:
    result = run("check", FIXTURES / "_valid_minimal", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["pack"] == "minimal" and report["ok"] is False
    unfired = {f["where"].split()[-1] for f in report["findings"] if f["kind"] == "no_scenario"}
    assert unfired == {"CS-02", "DA-01", "REV-01"}
    assert all(f["severity"] == "error" for f in report["findings"] if f["kind"] == "no_scenario")


def test_check_shows_errors_for_people(run: Run) -> None:
    result = run("check", FIXTURES / "_valid_minimal")
    assert result.exit_code == 1
    assert "[no_scenario]" in result.stdout and "errors found" in result.stdout


def test_check_of_the_default_pack_agrees_with_its_report(run: Run) -> None:
    result = run("check", "--json")
    report = json.loads(result.stdout)
    assert report["pack"] == "england-wales"
    assert result.exit_code == (0 if report["ok"] else 1)
    assert report["ok"] == all(f["severity"] != "error" for f in report["findings"])


def test_check_of_a_pack_that_does_not_load_is_an_input_error(run: Run) -> None:
    lines = error_lines(run("check", FIXTURES / "unknown_action"))
    assert all("unknown_action" in line for line in lines)
    assert any("did you mean 'RISK_REVIEW'?" in line for line in lines)


BROKEN = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "_valid_minimal")


@pytest.mark.parametrize("folder", BROKEN)
def test_check_of_every_broken_pack_is_an_input_error_never_an_internal_one(
    run: Run, folder: str
) -> None:
    lines = error_lines(run("check", FIXTURES / folder))
    assert not any("internal error" in line for line in lines), lines
    assert all(folder in line for line in lines), lines


def test_test_of_a_pack_whose_scenario_expects_a_nested_list_is_an_input_error(run: Run) -> None:
    lines = error_lines(run("test", FIXTURES / "scenario_expects_nested_list"))
    assert any("expect actions: expected a list of codes" in line for line in lines), lines


def test_check_of_a_missing_pack_is_one_line(run: Run, tmp_path: Path) -> None:
    (line,) = error_lines(run("check", tmp_path / "nope"))
    assert "no such folder" in line


def test_test_passes_when_every_scenario_passes_and_every_rule_is_covered(
    run: Run, minimal_pack: Path
) -> None:
    result = run("test", minimal_pack)
    assert result.exit_code == 0, result.output
    assert "2 scenarios, 2 passed, 0 failed; 3 rules, 0 coverage gaps" in result.stdout


def test_test_names_a_failing_scenario_by_file_and_line(run: Run, minimal_pack: Path) -> None:
    scenarios = minimal_pack / "tests" / "scenarios.yaml"
    text = scenarios.read_text("utf-8").replace("actions: [CSC_ENQUIRY]", "actions: [RISK_REVIEW]")
    scenarios.write_text(text, "utf-8")
    result = run("test", minimal_pack)
    assert result.exit_code == 1
    assert "FAIL tests/scenarios.yaml:2 children in contact" in result.stdout
    assert "actions (the complete set): unexpected CSC_ENQUIRY (required by CS-02) and 1 more" in (
        result.stdout
    )
    report = json.loads(run("test", minimal_pack, "--json").stdout)
    failed = [s for s in report["scenarios"] if not s["passed"]]
    assert [(s["file"], s["line"]) for s in failed] == [("tests/scenarios.yaml", 2)]
    assert report["ok"] is False


def test_test_exits_1_on_coverage_gaps(run: Run) -> None:
    result = run("test", FIXTURES / "_valid_minimal", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["scenarios"] == []
    assert "DA-01: no scenario fires it" in report["gaps"]


def test_test_of_the_default_pack_agrees_with_its_report(run: Run) -> None:
    result = run("test", "--json")
    report = json.loads(result.stdout)
    assert report["pack"] == "england-wales" and report["scenarios"]
    expected_ok = all(s["passed"] for s in report["scenarios"]) and not report["gaps"]
    assert report["ok"] == expected_ok
    assert result.exit_code == (0 if expected_ok else 1)
