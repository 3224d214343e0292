"""Ctrl-C during `riskreview batch`: what was decided is kept and put in place, the
summary says the files are partial, and the exit code (130) says it was interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import AS_OF, DAY, Run, dump, write_jsonl

import riskreview
from riskreview import _batchio
from riskreview.batch import BatchResult
from riskreview.synthetic import generate

PREVIOUS = '{"previous": "run"}\n'


def _interrupted_after(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the batch's results stop with Ctrl-C after ``count`` of them, as the
    signal would while the batch waits for the next one."""
    real = _batchio.evaluate_many

    def stopping(*args: Any, **kwargs: Any) -> Iterator[BatchResult]:
        results = real(*args, **kwargs)
        for index, result in enumerate(results):
            if index == count:
                raise KeyboardInterrupt
            yield result

    monkeypatch.setattr(_batchio, "evaluate_many", stopping)


def test_an_interrupted_batch_keeps_what_it_decided_and_says_it_is_partial(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [dump(c) for c in generate(5, seed=9, as_of=DAY)]
    cases = write_jsonl(tmp_path / "cases.jsonl", [lines[0], "", "{broken", *lines[1:]])
    out, err = tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl"
    out.write_text(PREVIOUS, encoding="utf-8")
    _interrupted_after(2, monkeypatch)
    result = run("batch", cases, "-o", out, "--workers", "0", "--as-of", AS_OF)
    assert result.exit_code == 130
    assert out.read_text("utf-8").splitlines() == [riskreview.evaluate(lines[0], DAY).to_json()]
    assert [json.loads(x)["line"] for x in err.read_text("utf-8").splitlines()] == [3]
    assert "2 cases, as of 2026-11-23, in" in result.stdout
    assert result.stderr == (
        f"error: interrupted after 2 of 6 cases: {out} and {err} are partial, "
        "holding the cases of lines 1 to 3 only\n"
    )


def test_an_interrupt_before_the_first_result_puts_empty_partial_files_in_place(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = write_jsonl(tmp_path / "cases.jsonl", [dump(c) for c in generate(2, as_of=DAY)])
    out = tmp_path / "out.jsonl"
    _interrupted_after(0, monkeypatch)
    result = run("batch", cases, "-o", out, "--workers", "0", "--as-of", AS_OF, "--json")
    assert result.exit_code == 130
    summary = json.loads(result.stdout)
    assert summary["interrupted"] is True
    assert (summary["total"], summary["input_cases"], summary["last_line"]) == (0, 2, 0)
    assert out.read_text("utf-8") == ""


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines() if path.exists() else []


def _wait_for_lines(folder: Path, pattern: str, count: int, batch: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and batch.poll() is None:
        if any(len(_lines(p)) >= count for p in folder.glob(pattern)):
            return
        time.sleep(0.1)
    pytest.fail(f"the batch did not write {count} decisions (exit code {batch.poll()})")


#: Ctrl-C as a terminal's foreground job has it, however the tests were started: a job
#: a shell puts in the background inherits SIGINT ignored, and a batch started with it
#: ignored rightly leaves it so (as under ``nohup``)
_AT_A_TERMINAL = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "


def test_ctrl_c_on_a_real_batch_stops_its_workers_and_keeps_the_cases_decided(
    tmp_path: Path,
) -> None:
    lines = [dump(c) for c in generate(128, seed=4, as_of=DAY)]
    out, err = tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl"
    out.write_text(PREVIOUS, encoding="utf-8")
    script = _AT_A_TERMINAL + "from riskreview.cli import main; main()"
    command = [sys.executable, "-c", script, "batch", "-",
               "-o", str(out), "--workers", "2", "--as-of", AS_OF, "--json"]
    batch = subprocess.Popen(  # its own process group, as a shell gives a pipeline
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        assert batch.stdin is not None
        batch.stdin.write("".join(f"{x}\n" for x in lines[:64]).encode())
        batch.stdin.flush()  # and left open: the writer is slow, the batch waits for more
        _wait_for_lines(tmp_path, ".out.jsonl.*.tmp", 64, batch)  # all it was given so far
        batch.stdin.write("".join(f"{x}\n" for x in lines[64:]).encode())
        batch.stdin.flush()
        os.killpg(batch.pid, signal.SIGINT)  # Ctrl-C: to every process of the group
        stdout, stderr = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
    assert batch.returncode == 130, stderr
    summary = json.loads(stdout)
    decided = summary["total"]
    assert summary["interrupted"] is True and summary["input_cases"] is None
    assert 64 <= decided <= 128 and summary["last_line"] == decided
    assert _lines(out) == [riskreview.evaluate(x, DAY).to_json() for x in lines[:decided]]
    assert _lines(err) == []
    assert stderr.decode() == (
        f"error: interrupted after {decided} cases: {out} and {err} are partial, "
        f"holding the cases of lines 1 to {decided} only\n"
    )
    assert not list(tmp_path.glob(".*.tmp"))
    assert _group_ends(batch.pid), "a process of the batch outlived it"


def _group_ends(group: int) -> bool:
    """Whether every process of the group has ended (multiprocessing's resource
    tracker ends on its own just after the batch: it is given time)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False
