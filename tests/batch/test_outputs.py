"""A batch's files: its outputs go to disk as they are written (each second's flush
starts a background sync, so that putting a large output in place waits only for the
last), and its input is counted beside its start."""

from __future__ import annotations

import os
import threading
from collections import deque
from pathlib import Path

import pytest

from riskreview import _batchio


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], threading.Event]:
    """``fdatasync`` and ``fsync`` recorded in order; ``fdatasync`` holds until the
    event is set."""
    made: list[str] = []
    release = threading.Event()
    real_fsync = os.fsync

    def fdatasync(fd: int) -> None:
        release.wait(5)
        made.append("fdatasync")

    def fsync(fd: int) -> None:
        made.append("fsync")
        real_fsync(fd)

    monkeypatch.setattr(_batchio.os, "fdatasync", fdatasync)
    monkeypatch.setattr(_batchio.os, "fsync", fsync)
    return made, release


def test_a_sync_runs_beside_the_batch_and_the_commit_waits_for_it(
    tmp_path: Path, calls: tuple[list[str], threading.Event]
) -> None:
    made, release = calls
    target = tmp_path / "out.jsonl"
    output = _batchio.Output(target, lines=False)
    output.stream.write("one\n")
    output.stream.flush()
    output.sync_soon()
    output.sync_soon()  # one at a time: the second asks for nothing more
    output.stream.write("two\n")  # the batch goes on writing meanwhile
    assert made == [] and output.syncing is not None and output.syncing.is_alive()
    threading.Timer(0.05, release.set).start()
    output.finish()
    output.place()
    assert made == ["fdatasync", "fsync"]
    assert target.read_text("utf-8") == "one\ntwo\n"
    assert not list(tmp_path.glob(".out.jsonl.*.tmp"))


def test_a_discarded_output_waits_for_its_sync_and_leaves_the_target(
    tmp_path: Path, calls: tuple[list[str], threading.Event]
) -> None:
    made, release = calls
    target = tmp_path / "out.jsonl"
    target.write_text("before\n", encoding="utf-8")
    output = _batchio.Output(target, lines=False)
    output.stream.write("partial\n")
    output.stream.flush()
    output.sync_soon()
    release.set()
    output.discard()
    assert made == ["fdatasync"] and output.syncing is None
    assert target.read_text("utf-8") == "before\n"
    assert not list(tmp_path.glob(".out.jsonl.*.tmp"))


def test_a_failed_sync_is_left_to_the_last_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(_batchio.os, "fdatasync", failing)
    output = _batchio.Output(tmp_path / "out.jsonl", lines=False)
    output.stream.write("one\n")
    output.stream.flush()
    output.sync_soon()
    output.finish()
    output.place()  # the background failure raises nothing; fsync would report its own
    assert (tmp_path / "out.jsonl").read_text("utf-8") == "one\n"


def test_an_output_that_is_a_device_is_not_synced(
    calls: tuple[list[str], threading.Event],
) -> None:
    made, release = calls
    release.set()
    output = _batchio.Output(Path(os.devnull), lines=False)
    output.stream.write("x\n")
    output.stream.flush()
    output.sync_soon()
    assert output.syncing is None
    output.finish()
    output.place()
    assert made == []


class _Late(threading.Thread):
    """A thread that runs only when joined: as late as a busy machine may run it."""

    def start(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        if not getattr(self, "ran", False):
            self.ran = True
            self.run()

    def is_alive(self) -> bool:
        return not getattr(self, "ran", False)


def test_the_input_is_counted_from_where_it_stood_when_opened_however_late(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count runs in a thread beside the batch's start; the batch may have read
    the whole input by the time it runs, and the count is still of every case."""
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b'{"case_id":"A"}\n\n  \n{"case_id":"B"}\r\n{"case_id":"C"}')
    monkeypatch.setattr(_batchio.threading, "Thread", _Late)
    source = _batchio.open_source(path)
    assert source.counting is not None and not source.counting.done()  # not counted yet
    read = list(source.lines(deque()))
    assert len(read) == 3 and source.total == 3
    source.close()


def test_a_source_closes_only_once_its_count_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its file descriptor could be another file's once closed."""
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b'{"case_id":"A"}\n' * 5)
    monkeypatch.setattr(_batchio.threading, "Thread", _Late)
    source = _batchio.open_source(path)
    assert source.counting is not None and not source.counting.done()
    source.close()
    assert source.counting.done() and source.counting.value == 5


def test_an_output_that_cannot_be_finished_puts_none_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills as the last output is finished: the first one, finished, is
    not put in place either, so the two never disagree."""
    out, err = tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl"
    out.write_text("before\n", encoding="utf-8")
    real = _batchio.Output.finish

    def full(output: _batchio.Output) -> None:
        if output.target == err:
            raise _batchio.unwritable(OSError(28, "No space left on device"), err)
        real(output)

    monkeypatch.setattr(_batchio.Output, "finish", full)
    failing = pytest.raises(_batchio.FileProblem, match="No space left on device")
    with failing, _batchio.outputs(out, err) as (decisions, errors):
        decisions.stream.write("after\n")
        errors.stream.write("{}\n")
    assert out.read_text("utf-8") == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
