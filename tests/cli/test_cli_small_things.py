"""Small things a first user meets: an empty file, "1 items", the batch's as_of, the
priority's type, what the README says about building and running the suite."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from cli_support import AS_OF, DAY, FIXTURES, SCENARIOS, Run, error_lines, write_jsonl

import riskreview
from riskreview._structure import dumps
from riskreview._wording import plural
from riskreview.audit import verify
from riskreview.case import Case
from riskreview.decision import Decision, Priority
from riskreview.errors import ArgumentValueError, CaseError, VerificationError
from riskreview.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- an empty input


@pytest.mark.parametrize("text", ["", "  \n\t\n"])
@pytest.mark.parametrize("command", [["evaluate"], ["explain", "@", "CS-02"]])
def test_an_empty_case_file_is_said_to_be_empty(
    run: Run, tmp_path: Path, text: str, command: list[str]
) -> None:
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8")
    args = [str(path) if a == "@" else a for a in command]
    if command == ["evaluate"]:
        args.append(str(path))
    lines = error_lines(run(*args, "--as-of", AS_OF))
    assert lines == [f"error: {path}: the file is empty; expected one case as a JSON object"]


@pytest.mark.parametrize(("text", "got"), [("", "empty text"), (b" \n", "only white space")])
def test_an_empty_case_given_to_the_library_is_said_to_be_empty(
    text: str | bytes, got: str
) -> None:
    with pytest.raises(CaseError) as caught:
        Case.from_json(text)
    (problem,) = caught.value.problems
    assert (problem.path, problem.message) == ("$", f"expected a case as a JSON object, got {got}")
    with pytest.raises(CaseError, match="got " + got):
        riskreview.evaluate(text, as_of=DAY)


@pytest.mark.parametrize("text", ["", b"", "\n  "])
def test_an_empty_decision_is_said_to_be_empty(text: str | bytes) -> None:
    with pytest.raises(ArgumentValueError, match=r"^not a riskreview decision: the text is empty$"):
        Decision.from_json(text)


def test_an_empty_audit_record_is_said_to_be_empty() -> None:
    with pytest.raises(VerificationError) as caught:
        verify("", {"case_id": "A-1"})
    assert "empty: no JSON text" in str(caught.value)
    assert "Expecting value" not in str(caught.value)


def test_blank_lines_of_a_caseload_are_passed_over_not_refused(run: Run, tmp_path: Path) -> None:
    lines = [dumps(c) for c in generate(2, seed=1, as_of=DAY)]
    cases = write_jsonl(tmp_path / "c.jsonl", [lines[0], "", "   ", lines[1]])
    result = run("batch", cases, "-o", tmp_path / "d.jsonl", "--workers", "0", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d.errors.jsonl").read_text("utf-8") == ""


# ---------------------------------------------------------------- counts in words


def test_plural_agrees_with_the_count() -> None:
    assert [plural(n, "item") for n in (0, 1, 2)] == ["0 items", "1 item", "2 items"]
    assert plural(1, "child", "children") == "1 child"
    assert plural(3, "child", "children") == "3 children"


def test_a_list_of_one_is_one_item_in_case_errors() -> None:
    with pytest.raises(CaseError) as caught:
        Case.from_dict({"case_id": "A", "household": ["x"]})
    message = str(caught.value.problems[0])
    assert "a list of 1 item" in message and "1 items" not in message
    with pytest.raises(CaseError) as caught_again:
        Case.from_json('["x"]')
    assert "a list of 1 item" in str(caught_again.value) and "1 items" not in str(
        caught_again.value
    )


def test_counts_of_one_in_explanations_and_evidence_are_singular() -> None:
    case = {
        "case_id": "P-1",
        "household": {"children": [{"date_of_birth": "2019-01-01", "contact": False}]},
    }
    decision = riskreview.evaluate(case, as_of=DAY, trace=True)
    texts = [o.detail for o in decision.trace or ()]
    texts += [str(e.value) for a in decision.actions for e in a.evidence]
    assert not [t for t in texts if re.search(r"\b1 [a-z_.\[\]]*items\b", t)]
    assert any("1 household.children item" in t for t in texts), texts


def test_checks_summary_says_one_warning_not_one_warnings(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(FIXTURES / "_valid_minimal", folder)
    (folder / "tests").mkdir()
    (folder / "tests" / "s.yaml").write_text(SCENARIOS, encoding="utf-8")
    actions = folder / "actions.yaml"
    actions.write_text(
        actions.read_text("utf-8")
        + "  SPARE: {title: Never required, area: review, priority: low}\n",
        encoding="utf-8",
    )
    summary = run("check", folder).stdout.splitlines()[-1]
    assert summary == "minimal: ok: 0 errors, 1 warning, 0 notes", summary
    tested = run("test", folder).stdout.splitlines()[-1]
    assert tested == "minimal: 2 scenarios, 2 passed, 0 failed; 3 rules, 0 coverage gaps"


# ---------------------------------------------------------------- the batch summary


def test_the_batch_summary_says_the_as_of_it_used(run: Run, tmp_path: Path) -> None:
    cases = write_jsonl(tmp_path / "c.jsonl", [dumps(c) for c in generate(3, seed=2, as_of=DAY)])
    out = tmp_path / "d.jsonl"
    given = run("batch", cases, "-o", out, "--workers", "0", "--as-of", AS_OF)
    assert given.stdout.startswith(f"3 cases, as of {AS_OF}, in ")
    today = run("batch", cases, "-o", out, "--workers", "0")
    assert today.stdout.startswith(f"3 cases, as of {date.today().isoformat()} (today), in ")
    as_json = json.loads(
        run("batch", cases, "-o", out, "--workers", "0", "--as-of", AS_OF, "--json").stdout
    )
    assert as_json["as_of"] == AS_OF and as_json["total"] == 3


# ---------------------------------------------------------------- priority


def test_a_priority_on_the_command_line_reads_as_before(run: Run, tmp_path: Path) -> None:
    case = next(iter(generate(1, seed=9, as_of=DAY)))
    path = tmp_path / "case.json"
    path.write_text(dumps(case), encoding="utf-8")
    decision = json.loads(run("evaluate", path, "--as-of", AS_OF, "--json").stdout)
    shown = run("evaluate", path, "--as-of", AS_OF).stdout
    for action in decision["actions"]:
        assert action["priority"] in {p.value for p in Priority}
        assert action["priority"].upper() in shown
    assert "Priority." not in shown


# ---------------------------------------------------------------- the README


def test_the_readme_says_what_building_needs_how_long_the_suite_takes_and_a_quick_subset() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    words = " ".join(text.split())
    assert "C compiler" in words and "python3.11-dev" in words
    assert re.search(r"about \d+ minutes on 2 cores", words)
    quick = re.findall(r"^\.venv/bin/python -m pytest (\S+) ", text, flags=re.MULTILINE)
    assert "tests/unit" in quick
    assert all((ROOT / folder).is_dir() for folder in quick), quick
