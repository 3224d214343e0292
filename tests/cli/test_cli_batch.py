"""`riskreview batch`: a bad line never stops the batch, and says where it is; a
caseload may come on stdin or through a pipe."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
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
    assert "4 cases, as of 2026-11-23, in" in result.stdout
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


# ------------------------------------------------------------------ stdin and pipes


def _command(*args: str | Path) -> list[str]:
    """``riskreview ARGS`` run by this Python in a process of its own."""
    return [sys.executable, "-c", "from riskreview.cli import main; main()", *map(str, args)]


def _expected(lines: list[str]) -> list[str]:
    return [riskreview.evaluate(line, DAY).to_json() for line in lines]


def test_a_caseload_on_stdin_as_dash_is_decided(run: Run, tmp_path: Path) -> None:
    lines = [dump(c) for c in generate(3, seed=5, as_of=DAY)]
    out = tmp_path / "out.jsonl"
    options = ("--workers", "0", "--as-of", AS_OF, "--json")
    result = run("batch", "-", "-o", out, *options, stdin="".join(f"{x}\n" for x in lines))
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8").splitlines() == _expected(lines)
    summary = json.loads(result.stdout)
    assert (summary["total"], summary["input_cases"], summary["interrupted"]) == (3, None, False)


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_a_caseload_piped_in_is_read_once_and_every_case_decided(
    tmp_path: Path, name: str
) -> None:
    lines = [dump(c) for c in generate(4, seed=6, as_of=DAY)]
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        _command("batch", name, "-o", out, "--workers", "1", "--as-of", AS_OF, "--json"),
        input="".join(f"{x}\n" for x in lines).encode(),
        capture_output=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text("utf-8").splitlines() == _expected(lines)
    summary = json.loads(done.stdout)
    assert summary["total"] == 4 and summary["input_cases"] is None


def test_a_caseload_from_a_named_pipe_is_read_once_and_decided(tmp_path: Path) -> None:
    lines = [dump(c) for c in generate(3, seed=7, as_of=DAY)]
    fifo = tmp_path / "cases.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w", encoding="utf-8") as pipe:
            pipe.writelines(f"{x}\n" for x in lines)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    out = tmp_path / "out.jsonl"
    done = subprocess.run(  # a second read of the pipe would wait for a writer for ever
        _command("batch", fifo, "-o", out, "--workers", "0", "--as-of", AS_OF, "--json"),
        capture_output=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    writer.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert out.read_text("utf-8").splitlines() == _expected(lines)
    assert json.loads(done.stdout)["input_cases"] is None


def test_a_regular_file_is_counted_beforehand(run: Run, tmp_path: Path) -> None:
    cases, _ = _caseload(tmp_path)
    out = tmp_path / "out.jsonl"
    result = run("batch", cases, "-o", out, "--workers", "0", "--as-of", AS_OF, "--json")
    non_blank = [x for x in cases.read_text("utf-8").splitlines() if x.strip()]
    assert json.loads(result.stdout)["input_cases"] == len(non_blank)


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "0", "-1"])
def test_a_timeout_that_is_not_a_finite_number_above_0_is_bad_input(
    run: Run, tmp_path: Path, timeout: str
) -> None:
    cases = write_jsonl(tmp_path / "c.jsonl", [dump({"case_id": "A"})])
    out = tmp_path / "out.jsonl"
    (line,) = error_lines(run("batch", cases, "-o", out, "--timeout", timeout))
    assert "'--timeout'" in line and timeout in line
    assert not out.exists()
