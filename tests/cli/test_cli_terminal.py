"""Output for people is safe to print: a case's text cannot drive the terminal.

A case id such as ``"\\x1b[2J\\x1b[31m"`` would clear and recolour the terminal of
whoever runs ``riskreview evaluate``; a right-to-left override would make a line
read differently from what it holds; rich markup (``[red]x[/red]``) would be
obeyed. Each is shown as text instead, in results and in error lines alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import AS_OF, CASE, Run, error_lines

import riskreview.cli
from riskreview.errors import EngineError

CLEAR_AND_RED = "\x1b[2J\x1b[31m"
#: every kind of character that must never reach a terminal as it is
HOSTILE = f"{CLEAR_AND_RED}C\x9b1\u202eX\u2066\x07\x7f"
SPELT = "\\x1b[2J\\x1b[31mC\\x9b1\\u202eX\\u2066\\x07\\x7f"
RAW = ["\x1b", "\x9b", "\u202e", "\u2066", "\x07", "\x7f"]


def _case_file(tmp_path: Path, case_id: str, **parts: object) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({**CASE, "case_id": case_id, **parts}), encoding="utf-8")
    return path


def test_evaluate_spells_out_control_characters_in_the_case_id(run: Run, tmp_path: Path) -> None:
    result = run("evaluate", _case_file(tmp_path, HOSTILE), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert f"Case {SPELT} on {AS_OF}" in result.stdout
    for char in RAW:
        assert char not in result.stdout


def test_evaluate_with_trace_spells_out_control_characters_in_the_case_id(
    run: Run, tmp_path: Path
) -> None:
    result = run("evaluate", _case_file(tmp_path, HOSTILE), "--as-of", AS_OF, "--trace")
    assert result.exit_code == 0, result.output
    assert SPELT in result.stdout
    assert "Every rule" in result.stdout
    for char in RAW:
        assert char not in result.stdout


def test_evaluate_shows_rich_markup_in_a_case_id_as_written(run: Run, tmp_path: Path) -> None:
    result = run("evaluate", _case_file(tmp_path, "[red]x[/red][bold]y"), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "Case [red]x[/red][bold]y on" in result.stdout


def test_evaluate_json_keeps_the_case_id_exactly_as_sent(run: Run, tmp_path: Path) -> None:
    # machines get the data as it is (JSON itself escapes C0 controls such as ESC)
    result = run("evaluate", _case_file(tmp_path, HOSTILE), "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["case_id"] == HOSTILE
    assert "\x1b" not in result.stdout


def test_an_engine_error_line_spells_out_control_characters_in_the_case_id(
    run: Run, case_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise EngineError("the engine lost an action", rule_id="CS-02", case_id=HOSTILE)

    monkeypatch.setattr(riskreview.cli, "evaluate_case", broken)
    (line,) = error_lines(run("evaluate", case_file, "--as-of", AS_OF), code=3)
    assert line == f"error: engine: the engine lost an action (rule CS-02) (case {SPELT})"


@pytest.mark.parametrize("command", ["evaluate", "explain"])
def test_an_error_line_spells_out_control_characters_in_a_file_name(
    run: Run, tmp_path: Path, command: str
) -> None:
    missing = tmp_path / f"{CLEAR_AND_RED}case.json"
    rule = ["CS-02"] if command == "explain" else []
    (line,) = error_lines(run(command, missing, *rule, "--as-of", AS_OF))
    assert line.endswith("\\x1b[2J\\x1b[31mcase.json: no such file")
    assert "\x1b" not in line


def test_explain_spells_out_control_characters_in_an_unknown_rule_id(
    run: Run, case_file: Path
) -> None:
    lines = error_lines(run("explain", case_file, f"CS-02{CLEAR_AND_RED}", "--as-of", AS_OF))
    assert not any(char in line for line in lines for char in RAW)
    assert any("\\x1b[2J" in line for line in lines)


def test_explain_output_for_people_holds_no_control_characters(run: Run, tmp_path: Path) -> None:
    case = _case_file(tmp_path, HOSTILE, household={"children": [{"ref": HOSTILE}]})
    result = run("explain", case, "CS-02", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "CS-02" in result.stdout
    for char in RAW:
        assert char not in result.stdout
