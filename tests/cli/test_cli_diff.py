"""`riskreview diff`: the policy impact of a pack change on a caseload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import (
    AS_OF,
    DAY,
    Run,
    assert_page_matches,
    dump,
    error_lines,
    reviewed_weeks_ago,
    shorter_reviews,
    write_jsonl,
)

from riskreview.pack import default_pack_path
from riskreview.synthetic import generate


@pytest.fixture
def caseload(tmp_path: Path) -> Path:
    """Ten synthetic cases, two reviewed six weeks ago, and one invalid line."""
    lines = [dump(c) for c in generate(10, seed=4, as_of=DAY)]
    lines[3:3] = [dump(reviewed_weeks_ago("REV-A", 6)), dump({"case_id": "BAD", "x": 1})]
    lines.append(dump(reviewed_weeks_ago("REV-B", 6)))
    return write_jsonl(tmp_path / "cases.jsonl", lines)


def test_diff_shows_the_impact_of_a_shorter_review_interval(
    run: Run, tmp_path: Path, caseload: Path
) -> None:
    new = shorter_reviews(default_pack_path(), tmp_path / "new")
    out, page = tmp_path / "impact.json", tmp_path / "impact.html"
    result = run(
        "diff", default_pack_path(), new, caseload, "--as-of", AS_OF, "-o", out, "--html", page
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text("utf-8"))
    assert report["as_of"] == AS_OF
    assert report["old"]["digest"] != report["new"]["digest"]
    assert report["cases"] == 12 and report["invalid"] == 1
    assert report["invalid_examples"][0]["case_id"] == "BAD"
    assert report["changed_cases"] >= 2
    review = next(a for a in report["actions"] if a["code"] == "RISK_REVIEW")
    assert review["gained"] + review["due_changed"] >= 2
    assert {"REV-A", "REV-B"} <= {*review["gained_examples"], *review["due_changed_examples"]}
    assert review["lost"] == 0
    for a in report["actions"]:
        assert a["after"] - a["before"] == a["gained"] - a["lost"]
        assert len(a["gained_examples"]) == min(a["gained"], 5)
    assert "changed" in result.stdout and "RISK_REVIEW" in result.stdout
    assert_page_matches(page.read_text("utf-8"), report)


def test_diff_exit_code_reports_a_change_only_when_asked(
    run: Run, tmp_path: Path, minimal_pack: Path
) -> None:
    cases = write_jsonl(
        tmp_path / "c.jsonl", [dump(reviewed_weeks_ago(f"R{i}", 6)) for i in range(3)]
    )
    new = shorter_reviews(minimal_pack, tmp_path / "new")
    changed = run("diff", minimal_pack, new, cases, "--as-of", AS_OF, "--exit-code", "--json")
    assert changed.exit_code == 1, changed.output
    report = json.loads(changed.stdout)
    assert report["changed_cases"] == 3
    assert report["caseload"] == "c.jsonl"  # the page's footer names the caseload file
    same = run("diff", minimal_pack, minimal_pack, cases, "--as-of", AS_OF, "--exit-code")
    assert same.exit_code == 0, same.output
    assert "0 changed" in same.stdout


def test_diff_input_errors_are_one_line(run: Run, tmp_path: Path, minimal_pack: Path) -> None:
    (line,) = error_lines(run("diff", minimal_pack, minimal_pack, tmp_path / "none.jsonl"))
    assert line.endswith("none.jsonl: no such file")
    cases = write_jsonl(tmp_path / "c.jsonl", [dump({"case_id": "A"})])
    (line,) = error_lines(run("diff", minimal_pack, tmp_path / "nope", cases))
    assert "no such folder" in line
