"""`riskreview batch`: a bad line never stops the batch, and says where it is."""

from __future__ import annotations

import collections
import json
from datetime import date
from pathlib import Path
from typing import Any

from cli_support import AS_OF, Run, dump, error_lines, write_jsonl

import riskreview
from riskreview.synthetic import generate

DAY = date(2026, 11, 23)


def _caseload(tmp_path: Path) -> tuple[Path, list[str]]:
    """Eight good cases with an invalid JSON line (3), an invalid case (5) and a
    blank line (7) among them; returns the file and the good case ids in order."""
    cases = [dump(c) for c in generate(8, seed=11, as_of=DAY)]
    lines = [
        *cases[:2],
        '{"case_id": "BROKEN-JSON", ',
        cases[2],
        dump({"case_id": "BAD-1", "mappa": {"level": 9}}),
        cases[3],
        "",
        *cases[4:],
    ]
    ids = [json.loads(c)["case_id"] for c in cases]
    return write_jsonl(tmp_path / "cases.jsonl", lines), ids


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_bad_lines_go_to_the_error_file_and_the_rest_is_decided(
    run: Run, tmp_path: Path, minimal_pack: Path
) -> None:
    cases, ids = _caseload(tmp_path)
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    options = ("--workers", "2", "--as-of", AS_OF, "--pack", minimal_pack, "--json")
    result = run("batch", cases, "-o", out, "--errors", errors, *options)
    assert result.exit_code == 1, result.output
    decisions = _read(out)
    assert [d["case_id"] for d in decisions] == ids
    assert {(d["as_of"], d["pack"]["name"]) for d in decisions} == {(AS_OF, "minimal")}
    bad = _read(errors)
    assert [(e["line"], e["case_id"], e["status"]) for e in bad] == [
        (3, None, "case_error"),
        (5, "BAD-1", "case_error"),
    ]
    assert "not valid JSON" in bad[0]["error"]
    assert "$.mappa.level" in bad[1]["error"]
    summary = json.loads(result.stdout)
    assert summary["total"] == 10
    assert summary["by_status"] == {"case_error": 2, "ok": 8}
    counted = collections.Counter(a["code"] for d in decisions for a in d["actions"])
    assert summary["actions"] == dict(counted)


def test_decisions_match_the_library_and_errors_default_beside_the_output(
    run: Run, tmp_path: Path
) -> None:
    cases, _ = _caseload(tmp_path)
    here = tmp_path / "here.jsonl"
    result = run("batch", cases, "-o", here, "--workers", "0", "--as-of", AS_OF)
    assert result.exit_code == 1
    first = next(generate(1, seed=11, as_of=DAY))
    assert here.read_text("utf-8").splitlines()[0] == riskreview.evaluate(first, DAY).to_json()
    default_errors = tmp_path / "here.errors.jsonl"
    assert [e["line"] for e in _read(default_errors)] == [3, 5]


def test_a_clean_caseload_exits_0_with_a_summary_for_people(run: Run, tmp_path: Path) -> None:
    cases = write_jsonl(tmp_path / "c.jsonl", [dump(c) for c in generate(4, seed=2, as_of=DAY)])
    out = tmp_path / "d.jsonl"
    result = run("batch", cases, "-o", out, "--workers", "0", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert len(_read(out)) == 4
    assert (tmp_path / "d.errors.jsonl").read_text("utf-8") == ""
    assert "4 cases in" in result.stdout
    assert "By status" in result.stdout and "Required actions" in result.stdout


def test_a_missing_caseload_writes_nothing(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    (line,) = error_lines(run("batch", tmp_path / "none.jsonl", "-o", out))
    assert line.endswith("none.jsonl: no such file")
    assert not out.exists()


def test_an_output_that_cannot_be_written_is_one_line(run: Run, tmp_path: Path) -> None:
    cases = write_jsonl(tmp_path / "c.jsonl", [dump({"case_id": "A"})])
    (line,) = error_lines(run("batch", cases, "-o", tmp_path / "no" / "out.jsonl"))
    assert "cannot write it" in line


def test_batch_requires_an_output(run: Run, tmp_path: Path) -> None:
    (line,) = error_lines(run("batch", tmp_path / "c.jsonl"))
    assert "Missing option '-o' / '--output'" in line


def test_batch_never_writes_over_its_input(run: Run, tmp_path: Path) -> None:
    cases = write_jsonl(tmp_path / "c.jsonl", [dump({"case_id": "A"})])
    (line,) = error_lines(run("batch", cases, "-o", cases))
    assert line == f"error: {cases}: is the input; write to another file"
    assert cases.read_text("utf-8") == dump({"case_id": "A"}) + "\n"
