"""What a batch stopped before its end leaves behind, and its removal by the next batch.

A batch writes its outputs aside (``.<name>.<8 hex>.tmp`` beside each) and a rescan
keeps the lines it brings forward in a folder (``.riskreview-rescan-<8>``), each as
large as the output itself: 2.6 GB for 250,000 decisions. A batch that ends, however
it ends short of being killed, removes them. A batch that is killed (``kill -9``, the
out-of-memory killer, a power cut) cannot, and a nightly run killed night after
night would fill the disk.

So each such file or folder is *claimed* while its batch lives: the batch holds an
exclusive lock on it (``flock``), which the kernel lets go when the process ends,
however it ends. The next batch writing beside it *sweeps*: it removes each entry
of the same pattern, owned by the same user, that it can lock (its batch has ended)
and that has not changed for :data:`GRACE` seconds (a batch claims what it creates
at once: the grace only covers that instant). A batch that is still running holds
its lock, and its files are left alone. Where locks are not to be had (no
``fcntl``, a file system without them) nothing is swept.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: nothing is claimed or swept
    fcntl = None  # type: ignore[assignment]

__all__ = ["GRACE", "Swept", "claim", "replace", "shown", "sweep", "temp_name", "temp_pattern"]

#: Seconds an entry must have been left unchanged before it is swept.
GRACE = 10.0

#: (name, bytes) of each entry swept
Swept = list[tuple[str, int]]


def temp_name(name: str) -> str:
    """A new name for a file written aside before it replaces the file ``name``:
    ``.<name>.<8 hex>.tmp``, which :func:`temp_pattern` matches."""
    return f".{name}.{secrets.token_hex(4)}.tmp"


def temp_pattern(name: str) -> re.Pattern[str]:
    """The names :func:`temp_name` gives for the file ``name``."""
    return re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{8}}\.tmp")


def replace(path: Path, text: str) -> None:
    """Put ``text`` in place of the file ``path`` whole: written aside
    (:func:`temp_name`), claimed while it is written, synced, then renamed over it.
    What a process killed meanwhile left aside is removed first (:func:`sweep`).
    Raises OSError when it cannot be written; ``path`` is then as it was."""
    sweep(path.parent, temp_pattern(path.name))
    aside = path.with_name(temp_name(path.name))
    try:
        with open(aside, "x", encoding="utf-8") as out:
            claim(out.fileno())
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
            os.replace(aside, path)
    finally:
        aside.unlink(missing_ok=True)


def claim(fd: int, wait: float = 0.0) -> bool:
    """Lock the file or folder open as ``fd`` for as long as it stays open, waiting
    up to ``wait`` seconds while another process holds it (whether the lock was
    taken: not where the file system has none, nor when it was held all that time)."""
    if fcntl is None:  # pragma: no cover - not on POSIX
        return False
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # held by another process
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        except OSError:  # no locks on this file system
            return False
        else:
            return True


def sweep(folder: Path, pattern: re.Pattern[str]) -> Swept:
    """Remove each entry of ``folder`` whose whole name matches ``pattern`` that a
    batch which has ended left (see the module's text); the entries removed.
    Never raises: an entry that cannot be looked at or removed is left."""
    if fcntl is None:  # pragma: no cover - not on POSIX
        return []
    swept: Swept = []
    try:
        names = os.listdir(folder)
    except OSError:
        return swept
    now = time.time()
    for name in sorted(names):
        if pattern.fullmatch(name) is None:
            continue
        path = folder / name
        with contextlib.suppress(OSError):
            size = _sweep_one(path, now)
            if size is not None:
                swept.append((name, size))
    return swept


def _sweep_one(path: Path, now: float) -> int | None:
    """Remove ``path`` if it is left over (the bytes it held), else None."""
    info = os.lstat(path)
    is_folder = stat.S_ISDIR(info.st_mode)
    if not (is_folder or stat.S_ISREG(info.st_mode)):
        return None  # a link, a pipe: never a batch's
    if info.st_uid != os.getuid() or now - info.st_mtime < GRACE:
        return None
    flags = os.O_RDONLY | os.O_NOFOLLOW | (os.O_DIRECTORY if is_folder else 0)
    fd = os.open(path, flags)
    try:
        if not claim(fd):
            return None  # its batch is still running
        if is_folder:
            size = _size_of(path)
            shutil.rmtree(path)
            return size
        os.unlink(path)
        return info.st_size
    finally:
        os.close(fd)


def _size_of(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def shown(swept: Swept) -> str:
    """The entries swept, for one line of a summary."""
    return ", ".join(f"{name} ({_bytes(size)})" for name, size in swept)


def _bytes(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    for unit, scale in (("KB", 1e3), ("MB", 1e6)):
        if size < scale * 1000:
            return f"{size / scale:.1f} {unit}"
    return f"{size / 1e9:.1f} GB"
