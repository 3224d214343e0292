"""A decisions file's seal: the SHA-256 of the file as its batch wrote it, beside it.

A rescan (``riskreview batch --previous FILE``) brings decisions forward from the
previous run's file without evaluating their cases again; a line changed after
that run wrote it (an edit, a copy gone wrong) would be carried forward night after
night, and the spot check (one decision in 256) finds one such line only now and
then. So a batch writing its decisions to a regular file also writes
``<file>.sha256`` beside it, in ``sha256sum``'s format (``sha256sum -c
decisions.jsonl.sha256`` checks it by hand), put in place with the file. A rescan
whose previous file has a seal works out the file's SHA-256 while it runs (a
thread of its own: the digest is computed outside the interpreter's lock) and
fails before putting anything in place when the two differ.

The seal proves that the file is the one a batch wrote, not who wrote it: anyone
can compute a SHA-256. It catches an edit or damage that leaves the lines well
formed, not an edit made by someone who writes the seal again.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import threading
from pathlib import Path

__all__ = ["SUFFIX", "Check", "SealProblem", "Sealing", "expected", "path_of"]

#: The seal of ``decisions.jsonl`` is ``decisions.jsonl.sha256``.
SUFFIX = ".sha256"

#: A seal's whole text: one line as ``sha256sum`` writes it (``*`` marks binary mode)
_LINE = re.compile(r"([0-9a-f]{64}) [ *]([^\n]+)\n?")

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


class Sealing:
    """The SHA-256 of what a batch writes to its decisions file, text by text."""

    __slots__ = ("_hash",)

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, text: str) -> None:
        """Count ``text``, written to the file as UTF-8."""
        self._hash.update(text.encode("utf-8"))

    def text(self, name: str) -> str:
        """The seal of the file named ``name``, as ``sha256sum`` writes it."""
        return f"{self._hash.hexdigest()}  {name}\n"


def expected(decisions: Path) -> str | None:
    """The SHA-256 the seal beside ``decisions`` records; None when there is none.

    Raises :class:`SealProblem` for a seal that cannot be read or is not one line
    as ``sha256sum`` writes it (a seal that could say anything proves nothing)."""
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
    found = _LINE.fullmatch(text) if len(raw) <= 4096 else None
    if found is None:
        raise SealProblem(
            f"{seal}: is not a seal (one line: the SHA-256 of the file in hexadecimal, "
            "two spaces, its name)"
        )
    return found.group(1)


class Check(threading.Thread):
    """The SHA-256 of a file, worked out in the background (:meth:`digest` waits)."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="riskreview-seal-check", daemon=True)
        self.path = path
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
