"""`riskreview evaluate` and `riskreview explain`, as a new user would try them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from cli_support import AS_OF, CASE, FIXTURES, Run, error_lines

import riskreview
import riskreview.cli
from riskreview.errors import EngineError


def test_evaluate_shows_the_required_actions_for_people(run: Run, case_file: Path) -> None:
    result = run("evaluate", case_file, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "Case CLI-1 on 2026-11-23" in result.stdout
    assert "CSC_ENQUIRY" in result.stdout and "POLICE_DA_CHECK" in result.stdout
    assert "Make an enquiry to children's social care" in result.stdout
    assert "why:" in result.stdout and "Next review:" in result.stdout
    assert result.stderr == ""


def test_evaluate_json_is_the_library_decision_byte_for_byte(run: Run, case_file: Path) -> None:
    result = run("evaluate", case_file, "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)
    assert decision["case_id"] == "CLI-1" and decision["as_of"] == AS_OF
    codes = [a["code"] for a in decision["actions"]]
    assert {"CSC_ENQUIRY", "POLICE_DA_CHECK"} <= set(codes)
    expected = riskreview.evaluate(CASE, as_of=date(2026, 11, 23)).to_json()
    assert result.stdout == expected + "\n"


def test_evaluate_trace_lists_every_rule(run: Run, case_file: Path) -> None:
    result = run("evaluate", case_file, "--as-of", AS_OF, "--json", "--trace")
    trace = {o["rule_id"]: o["outcome"] for o in json.loads(result.stdout)["trace"]}
    assert trace["CS-02"] == "fired" and trace["DA-01"] == "fired"
    assert set(trace) == set(riskreview.default_pack().rule_ids)
    people = run("evaluate", case_file, "--as-of", AS_OF, "--trace")
    assert "Every rule" in people.stdout and "CS-01" in people.stdout


def test_evaluate_reads_stdin_for_a_dash(run: Run) -> None:
    result = run("evaluate", "-", "--as-of", AS_OF, "--json", stdin=json.dumps(CASE))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["case_id"] == "CLI-1"


def test_evaluate_with_another_pack(run: Run, case_file: Path, minimal_pack: Path) -> None:
    result = run("evaluate", case_file, "--as-of", AS_OF, "--pack", minimal_pack, "--json")
    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)
    assert decision["pack"]["name"] == "minimal"
    assert [a["code"] for a in decision["actions"]] == ["POLICE_DA_CHECK"]


def test_a_missing_case_file_is_one_line(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    (line,) = error_lines(run("evaluate", missing, "--as-of", AS_OF))
    assert line == f"error: {missing}: no such file"


def test_a_folder_instead_of_a_case_file_is_one_line(run: Run, tmp_path: Path) -> None:
    (line,) = error_lines(run("evaluate", tmp_path, "--as-of", AS_OF))
    assert "is a folder" in line


def test_invalid_json_names_the_file_and_the_place(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"case_id": "X", "household": {"children_in_contact": true}', "utf-8")
    (line,) = error_lines(run("evaluate", path, "--as-of", AS_OF))
    assert line.startswith(f"error: {path}: not valid JSON:")
    assert "line 1 column" in line


def test_an_invalid_case_names_each_field_with_a_suggestion(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    bad = {
        "case_id": "X",
        "household": {"children": [{"contct": True}]},
        "mappa": {"level": 9},
    }
    path.write_text(json.dumps(bad), encoding="utf-8")
    lines = error_lines(run("evaluate", path, "--as-of", AS_OF))
    field = "$.household.children[0].contct"
    assert f"error: {path}: {field}: is not a known field; did you mean 'contact'?" in lines
    assert any(line.startswith(f"error: {path}: $.mappa.level: expected") for line in lines)
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-13-01", "is not a real calendar date"),
        ("tomorrow", "is not a date; write it as YYYY-MM-DD"),
        ("23/11/2026", "is not a date; write it as YYYY-MM-DD"),
        ("2026-W48-1", "is not a date; write it as YYYY-MM-DD"),
    ],
)
def test_a_bad_as_of_is_one_line(run: Run, case_file: Path, value: str, reason: str) -> None:
    (line,) = error_lines(run("evaluate", case_file, "--as-of", value))
    assert "'--as-of'" in line and reason in line
    assert "riskreview evaluate --help" in line


def test_an_as_of_before_the_pack_is_in_force_is_an_input_error(run: Run, case_file: Path) -> None:
    (line,) = error_lines(run("evaluate", case_file, "--as-of", "2001-01-01"))
    assert "is in force from" in line


def test_a_missing_pack_folder_is_one_line(run: Run, case_file: Path, tmp_path: Path) -> None:
    (line,) = error_lines(run("evaluate", case_file, "--pack", tmp_path / "nope"))
    assert "no such folder" in line


def test_a_folder_that_is_no_pack_is_one_line(run: Run, case_file: Path, tmp_path: Path) -> None:
    (line,) = error_lines(run("evaluate", case_file, "--pack", tmp_path))
    assert "not a pack folder" in line


def test_a_broken_pack_names_file_rule_and_suggestion(run: Run, case_file: Path) -> None:
    lines = error_lines(run("evaluate", case_file, "--pack", FIXTURES / "unknown_action"))
    assert any("REV-01" in line and "did you mean 'RISK_REVIEW'?" in line for line in lines)


def test_a_misspelt_command_gets_a_suggestion(run: Run) -> None:
    (line,) = error_lines(run("evalute", "case.json"))
    assert "Did you mean 'evaluate'?" in line


def test_a_missing_argument_is_one_line(run: Run) -> None:
    (line,) = error_lines(run("evaluate"))
    assert "Missing argument 'CASE.json'" in line


def test_an_engine_error_exits_3_in_one_line(
    run: Run, case_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise EngineError("the engine lost an action", rule_id="CS-02")

    monkeypatch.setattr(riskreview.cli, "evaluate_case", broken)
    (line,) = error_lines(run("evaluate", case_file, "--as-of", AS_OF), code=3)
    assert line == "error: engine: the engine lost an action (rule CS-02)"


def test_an_unexpected_failure_exits_3_without_a_traceback(
    run: Run, case_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr(riskreview.cli, "evaluate_case", broken)
    (line,) = error_lines(run("evaluate", case_file, "--as-of", AS_OF), code=3)
    assert line == "error: internal error: ZeroDivisionError: division by zero"


# ------------------------------------------------------------------ explain


def test_explain_says_why_a_rule_fired(run: Run, case_file: Path) -> None:
    result = run("explain", case_file, "CS-02", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("CS-02 ")
    assert "fired on 2026-11-23" in result.stdout and "Source:" in result.stdout


def test_explain_json_says_why_a_rule_did_not_fire(run: Run, case_file: Path) -> None:
    result = run("explain", case_file, "CS-01", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    explanation = json.loads(result.stdout)
    assert explanation["rule_id"] == "CS-01" and explanation["outcome"] == "not_fired"
    assert explanation["conditions"] and explanation["as_of"] == AS_OF


def test_explain_names_the_unknown_that_blocks_a_rule(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"case_id": "U1"}), encoding="utf-8")
    explanation = json.loads(run("explain", path, "CS-02", "--as-of", AS_OF, "--json").stdout)
    assert explanation["outcome"] == "undetermined"
    assert explanation["unknown"]


@pytest.mark.parametrize(
    ("rule", "hint"),
    [("CS-2", "; did you mean 'CS-02'?"), ("cs-02", "; did you mean 'CS-02'?"), ("NOPE", "")],
)
def test_an_unknown_rule_is_one_line_with_a_suggestion(
    run: Run, case_file: Path, rule: str, hint: str
) -> None:
    (line,) = error_lines(run("explain", case_file, rule, "--as-of", AS_OF))
    assert line == f"error: no rule {rule!r} in pack england-wales{hint}"


def test_explain_with_a_missing_case_file_is_one_line(run: Run, tmp_path: Path) -> None:
    (line,) = error_lines(run("explain", tmp_path / "x.json", "DA-01"))
    assert line.endswith("x.json: no such file")
