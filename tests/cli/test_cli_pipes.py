"""Output into a pipe or a file: never wrapped, no trailing spaces, and a reader that
goes away (``| head -1``) ends the command quietly with exit 0. Real processes, real pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import AS_OF, CASE, DAY, write_jsonl

from riskreview._structure import dumps
from riskreview.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-c", "from riskreview.cli import main; main()"]
#: an environment in which nothing looks like a terminal or asks for colour
ENV = {
    k: v
    for k, v in os.environ.items()
    if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS", "TERM")
}


def _riskreview(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *(str(a) for a in args)],
        input=None if stdin is None else stdin.decode(),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=ENV,
    )


@pytest.fixture
def long_case(tmp_path: Path) -> Path:
    """A case whose decision has reasons longer than 80 columns."""
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    return path


def test_a_decision_into_a_pipe_keeps_each_line_whole_without_trailing_spaces(
    long_case: Path,
) -> None:
    done = _riskreview("evaluate", long_case, "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) > 100  # a reason on one line, not cut at 80
    assert [line for line in lines if line != line.rstrip()] == []
    assert "\x1b[" not in done.stdout  # no colour codes in a pipe
    reasons = [line for line in lines if line.lstrip().startswith("why: ")]
    assert reasons and all(line.rstrip().endswith(".") for line in reasons)


def test_check_and_test_lines_into_a_pipe_are_whole(tmp_path: Path) -> None:
    checked = _riskreview("check", "-v")
    assert checked.stdout, checked.stderr
    notes = [line for line in checked.stdout.splitlines() if line.startswith("note: ")]
    assert notes and all("can" in n and n.endswith("with each rule's reason") for n in notes)
    assert all(line == line.rstrip() for line in checked.stdout.splitlines())


def _closed_early(*args: str | Path, lines: int = 0) -> tuple[int, str]:
    """Run with stdout a pipe whose reader reads ``lines`` lines, then goes away: with 0,
    before the command writes anything, so its first write meets the closed pipe."""
    process = subprocess.Popen(
        [*COMMAND, *(str(a) for a in args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=ENV,
    )
    assert process.stdout is not None and process.stderr is not None
    for _ in range(lines):
        process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    error = process.stderr.read().decode()
    process.stderr.close()
    return process.wait(timeout=120), error


def test_evaluate_into_a_pipe_closed_early_exits_0_quietly(long_case: Path) -> None:
    code, error = _closed_early("evaluate", long_case, "--as-of", AS_OF, "--trace")
    assert (code, error) == (0, "")


def test_evaluate_json_into_a_pipe_closed_early_exits_0_quietly(long_case: Path) -> None:
    code, error = _closed_early("evaluate", long_case, "--as-of", AS_OF, "--json")
    assert (code, error) == (0, "")


def test_check_into_a_pipe_closed_early_exits_0_quietly() -> None:
    code, error = _closed_early("check", "-v", "--engine")
    assert (code, error) == (0, "")


def test_batch_into_a_pipe_closed_early_exits_0_quietly_with_its_files_written(
    tmp_path: Path,
) -> None:
    cases = write_jsonl(tmp_path / "c.jsonl", [dumps(c) for c in generate(30, seed=4, as_of=DAY)])
    out = tmp_path / "d.jsonl"
    code, error = _closed_early("batch", cases, "-o", out, "--workers", "0", "--as-of", AS_OF)
    assert (code, error) == (0, "")
    assert len(out.read_text("utf-8").splitlines()) == 30


def test_a_long_stream_into_a_pipe_closed_early_exits_0_quietly() -> None:
    code, error = _closed_early("generate", "3000", "--as-of", AS_OF, lines=1)
    assert (code, error) == (0, "")


def test_an_empty_case_on_stdin_is_said_to_be_empty() -> None:
    done = _riskreview("evaluate", "-", "--as-of", AS_OF, stdin=b"")
    assert done.returncode == 2
    assert (
        done.stderr == "error: <stdin>: nothing came on stdin; expected one case as a JSON object\n"
    )
