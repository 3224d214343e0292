"""What a killed batch left aside: removed by the next batch when no batch holds it
(riskreview._leftovers), never while its batch runs."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from riskreview import _batchio, _leftovers
from riskreview._batchio import Output
from riskreview._leftovers import GRACE, claim, shown, sweep
from riskreview._rescan import Rescan, _folder, sweep_beside
from riskreview.pack import default_pack

PATTERN = re.compile(r"\.out\.jsonl\.[0-9a-f]{8}\.tmp")
#: a process that holds the lock of the file named first, until it is killed
_HOLD = (
    "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); "
    "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(600)"
)


def _left(path: Path, data: bytes = b"x" * 1500, age: float = GRACE + 5) -> Path:
    """A file as a killed batch left it: ``age`` seconds unchanged."""
    path.write_bytes(data)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_a_file_no_batch_holds_is_removed_and_named_with_its_size(tmp_path: Path) -> None:
    _left(tmp_path / ".out.jsonl.0badcafe.tmp")
    assert sweep(tmp_path, PATTERN) == [(".out.jsonl.0badcafe.tmp", 1500)]
    assert list(tmp_path.iterdir()) == []


def test_a_file_its_batch_holds_is_left(tmp_path: Path) -> None:
    path = _left(tmp_path / ".out.jsonl.0badcafe.tmp")
    fd = os.open(path, os.O_RDONLY)  # another open file: locks between them conflict
    try:
        assert claim(fd)
        assert sweep(tmp_path, PATTERN) == []
        assert path.exists()
    finally:
        os.close(fd)
    assert sweep(tmp_path, PATTERN) == [(path.name, 1500)]  # let go: now it is left over


def test_the_lock_of_a_killed_process_is_let_go(tmp_path: Path) -> None:
    """The kernel lets a lock go with its process, however it ends: SIGKILL here."""
    path = _left(tmp_path / ".out.jsonl.0badcafe.tmp")
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path)],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        assert sweep(tmp_path, PATTERN) == []
    finally:
        holder.kill()
        holder.communicate()
    assert sweep(tmp_path, PATTERN) == [(path.name, 1500)]


def test_a_file_changed_within_the_grace_is_left(tmp_path: Path) -> None:
    """A batch claims what it creates at once; the grace covers that instant."""
    path = _left(tmp_path / ".out.jsonl.0badcafe.tmp", age=GRACE - 5)
    assert sweep(tmp_path, PATTERN) == []
    assert path.exists()


def test_only_whole_names_of_the_pattern_are_touched(tmp_path: Path) -> None:
    names = [
        "out.jsonl",
        ".out.jsonl.0badcafe.tmp.keep",
        "x.out.jsonl.0badcafe.tmp",
        ".out.jsonl.0BADCAFE.tmp",
        ".other.jsonl.0badcafe.tmp",
    ]
    for name in names:
        _left(tmp_path / name)
    assert sweep(tmp_path, PATTERN) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_a_link_is_never_followed_nor_removed(tmp_path: Path) -> None:
    target = _left(tmp_path / "precious.jsonl")
    (tmp_path / ".out.jsonl.0badcafe.tmp").symlink_to(target)
    assert sweep(tmp_path, PATTERN) == []
    assert target.read_bytes() == b"x" * 1500
    assert (tmp_path / ".out.jsonl.0badcafe.tmp").is_symlink()


def test_another_users_file_is_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _left(tmp_path / ".out.jsonl.0badcafe.tmp")
    monkeypatch.setattr(_leftovers.os, "getuid", lambda: os.stat(path).st_uid + 1)
    assert sweep(tmp_path, PATTERN) == []
    assert path.exists()


def test_a_folder_goes_whole_with_what_it_held(tmp_path: Path) -> None:
    folder = tmp_path / ".riskreview-rescan-ab_cd012"
    (folder / "deep").mkdir(parents=True)
    _left(folder / "deep" / "share-1.jsonl", b"y" * 700)
    _left(folder / "share-0.jsonl", b"z" * 300)
    then = time.time() - GRACE - 5
    os.utime(folder, (then, then))
    pattern = re.compile(r"\.riskreview-rescan-[a-z0-9_]{8}")
    assert sweep(tmp_path, pattern) == [(folder.name, 1000)]
    assert not folder.exists()


def test_a_folder_is_looked_at_whatever_fails(tmp_path: Path) -> None:
    assert sweep(tmp_path / "missing", PATTERN) == []


def test_sizes_are_shown_in_units() -> None:
    swept = [("a", 0), ("b", 999), ("c", 1500), ("d", 2_500_000), ("e", 2_600_000_000)]
    assert shown(swept) == "a (0 B), b (999 B), c (1.5 KB), d (2.5 MB), e (2.6 GB)"


def _aged(path: Path) -> None:
    then = time.time() - GRACE - 5
    os.utime(path, (then, then))


def test_a_batch_claims_its_outputs_while_it_writes_them(tmp_path: Path) -> None:
    """Another batch writing to the same output meanwhile leaves them alone, however
    long they have been unchanged, up to the moment they are put in place."""
    output = Output(tmp_path / "out.jsonl")
    assert output.temp is not None
    output.stream.write("decided\n")
    output.stream.flush()
    _aged(output.temp)
    other = Output(tmp_path / "out.jsonl")
    assert other.swept == [] and output.temp.exists()
    other.discard()
    output.finish()
    output.place()
    assert (tmp_path / "out.jsonl").read_text("utf-8") == "decided\n"
    assert list(tmp_path.iterdir()) == [tmp_path / "out.jsonl"]


def test_a_rescan_claims_its_folder_until_it_closes(tmp_path: Path) -> None:
    rescan = Rescan(tmp_path / "previous.jsonl", date(2026, 11, 23), default_pack(), tmp_path)
    folder, rescan.claimed, _ = _folder(tmp_path)
    rescan.folder = folder
    _aged(Path(folder))
    assert sweep_beside(tmp_path) == [] and Path(folder).is_dir()
    rescan.close()
    assert list(tmp_path.iterdir()) == []


def test_putting_outputs_in_place_waits_while_another_batch_puts_its_own(tmp_path: Path) -> None:
    """Two batches writing the same decisions file and seal at once put theirs in place
    one after the other (a lock on the folder), so that the file and its seal always
    come from one batch; a lock held past the wait is given up, not waited for."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(tmp_path)], stdout=subprocess.PIPE
    )
    target = tmp_path / "out.jsonl"
    placed = threading.Event()

    def batch() -> None:
        with _batchio.outputs(target, tmp_path / "errors.jsonl", hashed=True) as (out, _):
            out.stream.write("decision\n")
        placed.set()

    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        folder = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            assert not claim(folder, wait=0.2)  # held past the wait
        finally:
            os.close(folder)
        thread = threading.Thread(target=batch)
        thread.start()
        assert not placed.wait(0.5) and not target.exists()  # waiting for the other
    finally:
        holder.kill()
        holder.communicate()
    thread.join(10)
    assert placed.is_set() and target.read_text("utf-8") == "decision\n"
    digest = hashlib.sha256(b"decision\n").hexdigest()
    assert (tmp_path / "out.jsonl.sha256").read_text("utf-8").startswith(f"{digest}  out.jsonl\n")
