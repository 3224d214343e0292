"""A decisions file's seal: the SHA-256 of the file as its batch wrote it, beside it.

A rescan (``riskreview batch --previous FILE``) brings decisions forward from the
previous run's file without evaluating their cases again; a line changed after
that run wrote it (an edit, a copy gone wrong) would be carried forward night after
night, and the spot check (one decision in 256) finds one such line only now and
then. So a batch writing its decisions to a regular file also writes
``<file>.sha256`` beside it, in ``sha256sum``'s format (``sha256sum -c
decisions.jsonl.sha256`` checks it by hand), once the file is in place. A second
line, a comment to ``sha256sum``, records the file as it then stood: its device,
inode, size, and times of last modification and change.

A rescan whose previous file has a seal takes the file as unchanged when it
still stands as recorded: any write to a file moves its change time, which no
user can set back. Otherwise (the file was copied, moved to another file system,
restored) it works out the file's SHA-256 while it runs (a thread of its own: the
digest is computed outside the interpreter's lock) and fails before putting
anything in place when the two differ.

The seal proves that the file is the one a batch wrote, not who wrote it: anyone
can compute a SHA-256. It catches an edit or damage that leaves the lines well
formed, not an edit made by someone who writes the seal again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import stat
import threading
from pathlib import Path
from typing import Any

import attrs

from riskreview import _leftovers

__all__ = [
    "SUFFIX",
    "Check",
    "Hashing",
    "Seal",
    "SealProblem",
    "expected",
    "path_of",
    "remove",
    "standing",
    "write",
]

#: The seal of ``decisions.jsonl`` is ``decisions.jsonl.sha256``.
SUFFIX = ".sha256"

#: A seal's whole text: one line as ``sha256sum`` writes it (``*`` marks binary mode),
#: then, if the batch could record it, how the file stood (a comment to ``sha256sum``)
_TEXT = re.compile(
    r"([0-9a-f]{64}) [ *]([^\n]+)"
    r"(?:\n(?:# riskreview: device ([0-9]+) inode ([0-9]+) bytes ([0-9]+) "
    r"modified ([0-9]+) changed ([0-9]+)\n?)?)?"
)

#: How a file stands: device, inode, size, times of last modification and change (ns)
Standing = tuple[int, int, int, int, int]


@attrs.frozen
class Seal:
    """What a seal records: the file's SHA-256 and how it stood when sealed."""

    digest: str
    standing: Standing | None


#: Bytes read at a time when checking a file
_BLOCK = 8 << 20


class SealProblem(Exception):
    """A seal that cannot be read or that a file does not match (the batch says which)."""


def path_of(decisions: Path) -> Path:
    """The seal beside the decisions file ``decisions``: beside the file itself when
    ``decisions`` is a symbolic link to it (``latest.jsonl``, say), as a batch
    writing through the link writes the file."""
    real = Path(os.path.realpath(decisions))
    return real.with_name(real.name + SUFFIX)


class Hashing(io.RawIOBase):
    """A file descriptor written through, every byte that reaches it counted in its
    SHA-256 (:attr:`digest`). Under a buffered text stream it sees the file's bytes
    exactly as they are written, a block at a time: no line costs a call of its own."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._hash = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def write(self, data: Any) -> int:
        written = os.write(self._fd, data)
        self._hash.update(memoryview(data)[:written])
        return written

    def close(self) -> None:
        if not self.closed:
            try:
                os.close(self._fd)
            finally:
                super().close()

    @property
    def digest(self) -> str:
        """The SHA-256 of what was written so far, in hexadecimal."""
        return self._hash.hexdigest()


def standing(path: Path) -> Standing:
    """How the file at ``path`` stands now."""
    info = os.stat(path)
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def write(decisions: Path, digest: str) -> None:
    """Write the seal of ``decisions``, just put in place, whose SHA-256 is ``digest``:
    aside, then in place whole (raises OSError when it cannot be written)."""
    seal = path_of(decisions)
    now = standing(decisions)
    text = (
        f"{digest}  {decisions.name}\n# riskreview: device {now[0]} inode {now[1]} "
        f"bytes {now[2]} modified {now[3]} changed {now[4]}\n"
    )
    _leftovers.replace(seal, text)


def remove(decisions: Path) -> None:
    """Remove the seal of ``decisions`` (before the file is replaced: a seal of
    another file left beside it would fail the next rescan)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path_of(decisions))


def expected(decisions: Path) -> Seal | None:
    """What the seal beside ``decisions`` records; None when there is none.

    Raises :class:`SealProblem` for a seal that cannot be read or is not what a
    batch writes (a seal that could say anything proves nothing)."""
    seal = path_of(decisions)
    try:  # not blocking: a pipe put there would wait for a writer for ever
        fd = os.open(seal, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise SealProblem(f"{seal}: cannot read it ({error.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SealProblem(f"{seal}: is not a file")
        raw = os.read(fd, 4096 + 1)
    except OSError as error:
        raise SealProblem(f"{seal}: cannot read it ({error.strerror})") from None
    finally:
        os.close(fd)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    found = _TEXT.fullmatch(text) if len(raw) <= 4096 else None
    if found is None:
        raise SealProblem(
            f"{seal}: is not a seal (a line as sha256sum writes it: the SHA-256 of the "
            "file in hexadecimal, two spaces, its name; then how the file stood)"
        )
    numbers = found.groups()[2:]
    stood = None if numbers[0] is None else tuple(int(n) for n in numbers)
    return Seal(found.group(1), stood)  # type: ignore[arg-type]


class Check(threading.Thread):
    """The SHA-256 of a file, worked out in the background (:meth:`digest` waits), to
    compare with ``expected``: the one its seal records."""

    def __init__(self, path: Path, expected: str) -> None:
        super().__init__(name="riskreview-seal-check", daemon=True)
        self.path = path
        self.expected = expected
        self._digest: str | None = None
        self._error: str | None = None
        self.start()

    def run(self) -> None:
        digest = hashlib.sha256()
        block = bytearray(_BLOCK)
        view = memoryview(block)
        try:
            with open(self.path, "rb", buffering=0) as stream:
                while n := stream.readinto(block):
                    digest.update(view[:n])
        except OSError as error:
            self._error = error.strerror or str(error)
            return
        self._digest = digest.hexdigest()

    def digest(self) -> str:
        """The file's SHA-256, once worked out; raises :class:`SealProblem` when the
        file could not be read to the end."""
        self.join()
        if self._digest is None:
            raise SealProblem(f"{self.path}: cannot read it to check its seal ({self._error})")
        return self._digest
