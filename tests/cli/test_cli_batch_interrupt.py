"""Ctrl-C during `riskreview batch`: what was decided is kept and put in place, the
summary says the files are partial, and the exit code (130) says it was interrupted.
SIGTERM and SIGHUP stop it in the same way (143, 129); stopped before the first
case is read, it writes nothing. What a batch killed outright left aside, the next
batch removes."""

from __future__ import annotations

import hashlib
import json
import os
import re
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
from riskreview import _batchio, _leftovers
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
    assert result.stderr == (
        f"error: interrupted before any case was decided: {out} and "
        f"{tmp_path / 'out.errors.jsonl'} are empty\n"
    )


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


def _signalled(
    folder: Path, lines: list[str], stop: signal.Signals
) -> tuple[subprocess.Popen[bytes], str, str]:
    """A real batch with two workers, reading the cases from a pipe left open, sent
    ``stop`` (to every process of its group, as a terminal's Ctrl-C and a service
    manager's stop are) once it has decided the first half: the batch, its stdout
    and its stderr."""
    script = _AT_A_TERMINAL + "from riskreview.cli import main; main()"
    command = [sys.executable, "-c", script, "batch", "-",
               "-o", str(folder / "out.jsonl"), "--workers", "2", "--as-of", AS_OF, "--json"]
    batch = subprocess.Popen(  # its own process group, as a shell gives a pipeline
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=folder,
        start_new_session=True,
    )
    half = len(lines) // 2
    try:
        assert batch.stdin is not None
        batch.stdin.write("".join(f"{x}\n" for x in lines[:half]).encode())
        batch.stdin.flush()  # and left open: the writer is slow, the batch waits for more
        _wait_for_lines(folder, ".out.jsonl.*.tmp", half, batch)  # all it was given so far
        batch.stdin.write("".join(f"{x}\n" for x in lines[half:]).encode())
        batch.stdin.flush()
        os.killpg(batch.pid, stop)
        stdout, stderr = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
    assert _group_ends(batch.pid), "a process of the batch outlived it"
    return batch, stdout.decode(), stderr.decode()


def test_ctrl_c_on_a_real_batch_stops_its_workers_and_keeps_the_cases_decided(
    tmp_path: Path,
) -> None:
    lines = [dump(c) for c in generate(128, seed=4, as_of=DAY)]
    out, err = tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl"
    out.write_text(PREVIOUS, encoding="utf-8")
    batch, stdout, stderr = _signalled(tmp_path, lines, signal.SIGINT)
    assert batch.returncode == 130, stderr
    summary = json.loads(stdout)
    decided = summary["total"]
    assert summary["interrupted"] is True and summary["input_cases"] is None
    assert 64 <= decided <= 128 and summary["last_line"] == decided
    assert _lines(out) == [riskreview.evaluate(x, DAY).to_json() for x in lines[:decided]]
    assert _lines(err) == []
    assert stderr == (
        f"error: interrupted after {decided} cases: {out} and {err} are partial, "
        f"holding the cases of lines 1 to {decided} only\n"
    )
    assert not list(tmp_path.glob(".*.tmp"))
    # the seal is of the file as it was left: a rescan may take it as its previous file
    seal = hashlib.sha256(out.read_bytes()).hexdigest()
    written = (tmp_path / "out.jsonl.sha256").read_text("utf-8")
    assert written.startswith(f"{seal}  out.jsonl\n# riskreview: device "), written


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_service_managers_stop_leaves_the_last_outputs_as_they_were(
    tmp_path: Path, stop: signal.Signals, code: int
) -> None:
    """SIGTERM (``systemctl stop``, ``docker stop``) or SIGHUP to every process of a
    real batch: the workers ignore it (none of their cases is reported failed), the
    batch stops between two results and puts nothing in place, for a reader of the
    outputs that does not look at the exit code."""
    lines = [dump(c) for c in generate(128, seed=4, as_of=DAY)]
    out, err = tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl"
    out.write_text(PREVIOUS, encoding="utf-8")
    batch, stdout, stderr = _signalled(tmp_path, lines, stop)
    assert batch.returncode == code, stderr
    assert stdout == ""
    told = re.fullmatch(r"error: stopped by \w+ after (\d+) cases: .*\n", stderr)
    assert told is not None, stderr
    decided = int(told[1])
    assert 64 <= decided <= 128
    assert stderr == (
        f"error: stopped by {stop.name} after {decided} cases: nothing was put in place; "
        f"{out} and {err} are as they were\n"
    )
    assert out.read_text("utf-8") == PREVIOUS and not err.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


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


#: ``riskreview batch`` whose pack load is stopped by the signal named first
_STOPPED_LOADING = (
    "import os, signal, sys; from riskreview import cli; load = cli._load; "
    "stop = getattr(signal, sys.argv.pop(1)); "
    "cli._load = lambda folder: (os.kill(os.getpid(), stop), load(folder))[1]; cli.main()"
)


@pytest.mark.parametrize(("stop", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_stop_while_the_pack_loads_writes_nothing_and_stops_the_early_workers(
    tmp_path: Path, stop: str, code: int
) -> None:
    lines = [dump(c) for c in generate(150, seed=2, as_of=DAY)]
    cases = write_jsonl(tmp_path / "cases.jsonl", lines)
    out = tmp_path / "out.jsonl"
    out.write_text(PREVIOUS, encoding="utf-8")
    command = [sys.executable, "-c", _AT_A_TERMINAL + _STOPPED_LOADING, stop, "batch",
               str(cases), "-o", str(out), "--workers", "2", "--as-of", AS_OF]
    batch = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        _, stderr = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
    assert batch.returncode == code, stderr
    assert stderr == "error: interrupted before any case was decided; no file was written\n"
    assert out.read_text("utf-8") == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl", "out.jsonl"]
    assert _group_ends(batch.pid), "a worker started early outlived the batch"


def test_what_a_killed_rescan_left_the_next_batch_removes_and_names(
    run: Run, tmp_path: Path
) -> None:
    """``kill -9`` leaves the batch no chance to clean up: its temporary outputs and
    the rescan's folder stay, untouched by a batch that runs meanwhile. Once their
    batch is gone, the next batch writing there removes them and says so."""
    lines = [dump(c) for c in generate(128, seed=6, as_of=DAY)]
    previous = write_jsonl(
        tmp_path / "previous.jsonl", [riskreview.evaluate(x, DAY).to_json() for x in lines]
    )
    out = tmp_path / "out.jsonl"
    out.write_text(PREVIOUS, encoding="utf-8")
    command = [sys.executable, "-c", "from riskreview.cli import main; main()", "batch", "-",
               "-o", str(out), "--previous", str(previous), "--workers", "2", "--as-of", AS_OF]
    batch = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=tmp_path, start_new_session=True,
    )
    assert batch.stdin is not None
    try:
        batch.stdin.write("".join(f"{x}\n" for x in lines[:64]).encode())
        batch.stdin.flush()  # and left open: the batch waits for more
        _wait_for_lines(tmp_path, ".out.jsonl.*.tmp", 64, batch)
        os.killpg(batch.pid, signal.SIGKILL)
        batch.wait(timeout=60)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
        batch.stdin.close()
    assert _group_ends(batch.pid)
    left = sorted(p.name for p in tmp_path.glob(".*"))
    kinds = [r"\.out\.errors\.jsonl\.[0-9a-f]{8}\.tmp", r"\.out\.jsonl\.[0-9a-f]{8}\.tmp",
             r"\.riskreview-rescan-[a-z0-9_]{8}"]
    assert len(left) == 3 and all(map(re.fullmatch, kinds, left)), left
    assert out.read_text("utf-8") == PREVIOUS  # killed: nothing put in place

    cases = write_jsonl(tmp_path / "cases.jsonl", lines[:3])
    now = run("batch", cases, "-o", out, "--workers", "0", "--as-of", AS_OF)
    assert now.exit_code == 0, now.output
    assert sorted(p.name for p in tmp_path.glob(".*")) == left  # changed within the grace

    then = time.time() - _leftovers.GRACE - 1  # as if the grace had passed
    for name in left:
        os.utime(tmp_path / name, (then, then))
    again = run("batch", cases, "-o", out, "--workers", "0", "--as-of", AS_OF)
    assert again.exit_code == 0, again.output
    assert list(tmp_path.glob(".*")) == []
    (removed,) = [line for line in again.stderr.splitlines() if line.startswith("removed")]
    assert removed.startswith(
        "removed 3 temporary file(s) or folder(s) left by a batch that was killed before its end: "
    )
    assert all(f"{name} (" in removed for name in left), removed
    assert len(_lines(out)) == 3
