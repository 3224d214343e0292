"""A nightly rescan against the previous run's decisions file (``batch --previous``).

The previous file is read by the workers, not by the batch: it is cut into
shares of whole lines, and each worker brings the decisions of a share forward
to the new day (:func:`riskreview._forward.forward_line`), appends them to a
file of its own in a temporary folder and answers with an index of what it
wrote: each usable decision's input digest, case id, place and action codes,
and how many lines could not be used, by reason.

Then each case line is digested as it is read (SHA-256 of its bytes, nothing
parsed). A line whose digest is a usable previous decision's input digest is
exactly the case decided then (canonical JSON, as ``Case.to_json`` writes it):
its answer is that decision brought forward, copied from the worker's file,
and the line never goes to a worker. A line written otherwise whose case id has
a usable decision goes to a worker to be validated and digested; every other
line is evaluated.

**The spot check** (:func:`riskreview.batch.audit`): one decision brought forward
in :data:`~riskreview.batch.SPOT`, drawn afresh each day, goes to a worker as an
:class:`Audit`, to be evaluated again; one that is not the decision brought
forward fails the batch: nothing is put in place, and the message says to run
again without ``--previous``.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Generator, Iterator
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import orjson

from riskreview import _leftovers
from riskreview._api import as_case
from riskreview._decide import decide, input_digest
from riskreview._forward import Unusable, forward_line
from riskreview._pool import PENDING, Alone, Answered, Early, Pending, Reply
from riskreview._version import VERSION
from riskreview.batch import (
    BatchResult,
    Disagrees,
    _decide_one,
    _failed,
    audit,
    drawn,
    evaluate_many,
)
from riskreview.errors import EngineError
from riskreview.pack import Pack

#: The workers' evaluator in a rescan.
EVALUATOR = "riskreview._rescan:answer"

#: Bytes of the previous file in one share: a few hundred decisions.
SHARE_BYTES = 8 << 20

#: Why a previous line was not used, in words, for the batch's message.
REASONS = {
    "not_a_decision": "not a riskreview decision",
    "other_pack": "made under another pack",
    "other_library": "made by another riskreview version",
    "traced": "carrying a trace",
    "later": "made after the day of this run",
    "expired": "past their stable_until",
}


@attrs.frozen
class Share(Alone):
    """Bytes ``start`` to ``end`` of the previous file (whole lines); what a worker
    brings forward goes to a file of its own in ``folder``. ``sealed``: the file has a
    seal, checked before anything is put in place (see
    :func:`~riskreview._forward.forward_line`)."""

    path: str
    start: int
    end: int
    folder: str
    sealed: bool = False


class Entry(NamedTuple):
    """A usable previous decision, brought forward: where a worker wrote it."""

    case_id: str
    digest: str
    file: str
    offset: int
    length: int
    codes: tuple[str, ...]


@attrs.frozen
class Audit:
    """A case line whose previous decision is brought forward, drawn for the spot
    check: evaluated afresh, it must give ``expected``, that decision."""

    line: bytes
    expected: str
    case_id: str


@attrs.frozen
class Check:
    """A case line, not canonical, whose case id has a usable previous decision:
    the worker validates and digests it to know whether it is the same case (and,
    when ``audit``, spot-checks the decision if it is)."""

    line: bytes
    entry: Entry
    audit: bool = False


def answer(item: Any, as_of: date, pack: Pack) -> Reply:
    """A worker's answer to one item of a rescan: a share, a line to check, a case."""
    if isinstance(item, Share):
        return bring_forward_share(item, as_of, pack)
    if isinstance(item, Check):
        return _check(item, as_of, pack)
    if isinstance(item, Audit):
        return audit(item.line, item.expected, item.case_id, as_of, pack)
    return _decide_one(item, as_of, pack)


def bring_forward_share(share: Share, as_of: date, pack: Pack) -> Reply:
    """Bring every decision of ``share`` forward to ``as_of``; answer
    ``("indexed", index JSON, None)``.

    The lines brought forward go out through a large write buffer, not joined
    first (a decision is about 10 KB).
    """
    try:
        with open(share.path, "rb") as source:
            source.seek(share.start)
            data = source.read(share.end - share.start)
        target = os.path.join(share.folder, f"{os.getpid()}.jsonl")
        with open(target, "ab", buffering=_WRITE_BUFFER) as out:
            offset = out.tell()
            entries: list[tuple[str, str, int, int, tuple[str, ...]]] = []
            unusable: Counter[str] = Counter()
            lines, sealed = 0, share.sealed
            for start, stop in _lines(data):
                lines += 1
                try:
                    moved = forward_line(data[start:stop], as_of, pack, VERSION, sealed=sealed)
                except Unusable as why:
                    unusable[why.kind] += 1
                    continue
                length = len(moved.line)
                entries.append((moved.input_digest, moved.case_id, offset, length, moved.codes))
                out.write(moved.line)
                out.write(b"\n")
                offset += length + 1
    except OSError as error:
        message = f"a share of the previous decisions was not brought forward: {error.strerror}"
        return "engine_error", None, message
    index = {"file": target, "entries": entries, "unusable": unusable, "lines": lines}
    return "indexed", orjson.dumps(index).decode("utf-8"), None


#: Bytes a worker gathers before writing what it brought forward.
_WRITE_BUFFER = 1 << 20
#: What ``bytes.strip`` takes off a line's ends.
_SPACE = frozenset(b" \t\n\r\x0b\x0c")


def _lines(data: bytes) -> Iterator[tuple[int, int]]:
    """Where each line of ``data`` that is not blank starts and stops, its
    surrounding white space left out (as ``bytes.strip`` leaves it)."""
    find = data.find
    start, size = 0, len(data)
    while start < size:
        stop = find(b"\n", start, size)
        end = size if stop < 0 else stop
        first, last = start, end
        while first < last and data[first] in _SPACE:
            first += 1
        while last > first and data[last - 1] in _SPACE:
            last -= 1
        if first < last:
            yield first, last
        start = end + 1


def _check(item: Check, as_of: date, pack: Pack) -> Reply:
    try:
        case = as_case(item.line)
        digest = input_digest(case)
        if digest == item.entry.digest and case.case_id == item.entry.case_id:
            text = read_entry(item.entry)
            if item.audit:
                return audit(item.line, text, case.case_id, as_of, pack)
            return "reused", text, None, (item.entry.case_id, item.entry.codes)
        decision = decide(case, as_of, pack, digest=digest)  # the arguments are the batch's
    except Exception as error:  # every failure is the case's answer
        return (*_failed(error), (_line_case_id(item.line), ()))
    return "ok", decision.to_json(), None, (decision.case_id, decision.action_codes)


@contextlib.contextmanager
def _in_context(previous: Path) -> Iterator[None]:
    """A spot check's failure told with the previous file it read."""
    try:
        yield
    except Disagrees as error:
        raise EngineError(
            f"the decision brought forward for case {error.case_id} from {previous} is not "
            f"what the spot check gets: {error.detail}. The previous file was changed "
            "after it was written, or bringing decisions forward is at fault: run again "
            "without --previous"
        ) from None


def read_entry(entry: Entry) -> str:
    """The brought-forward decision ``entry`` names, as text."""
    with open(entry.file, "rb") as source:
        return os.pread(source.fileno(), entry.length, entry.offset).decode("utf-8")


def shares(
    path: Path, folder: str, size: int = SHARE_BYTES, sealed: bool = False
) -> list[Share]:
    """``path`` cut into shares of about ``size`` bytes, each ending at a line's end
    (``sealed``: see :class:`Share`)."""
    total = os.path.getsize(path)
    found: list[Share] = []
    start = 0
    with open(path, "rb") as source:
        while start < total:
            source.seek(min(start + size, total))
            source.readline()  # on to the end of the line the cut fell in
            end = min(source.tell(), total)
            found.append(Share(str(path), start, end, folder, sealed))
            start = end
    return found


class Rescan:
    """One rescan: the shares of ``previous``, the index the workers answer with, the
    results in input order, and what could not be used (:meth:`report`)."""

    def __init__(
        self,
        previous: Path,
        as_of: date,
        pack: Pack,
        beside: Path | None,
        sealed: bool = False,
    ) -> None:
        self.previous = previous
        self.as_of = as_of
        self.pack = pack
        self.beside = beside
        #: the previous file has a seal, checked before anything is put in place
        self.sealed = sealed
        self.by_digest: dict[str, Entry] = {}
        self.by_case: dict[str, Entry] = {}
        self.unusable: Counter[str] = Counter()
        self.lines = 0
        self.lost: list[str] = []
        self.files: dict[str, int] = {}
        self.waiting = 0  # shares not yet indexed
        self.audited = 0  # decisions brought forward evaluated again (the spot check)
        self.folder: str | None = None
        self.claimed: int | None = None  # the folder, open while claimed
        #: the folders killed rescans left, removed
        self.swept: _leftovers.Swept = []
        self.frozen = False

    def results(
        self,
        cases: Iterator[bytes | Pending],
        workers: int,
        timeout: float | None,
        early: Early | None = None,
    ) -> Generator[BatchResult, None, None]:
        """One result per case line, in input order (``reused`` or as evaluated).

        The arguments are checked now, as :func:`~riskreview.batch.evaluate_many`
        checks them; the previous file is read once the results are asked for.
        """
        folder, self.claimed, self.swept = _folder(self.beside)
        self.folder = folder
        try:
            parts = shares(self.previous, folder, sealed=self.sealed)
            self.waiting = len(parts)
            answers = evaluate_many(
                self._items(parts, cases),
                self.as_of,
                self.pack,
                workers=workers,
                timeout=timeout,
                _evaluator=EVALUATOR,
                _early=early,
            )
        except BaseException:
            self.close()
            raise
        return self._results(answers, len(parts))

    def _keep(self) -> None:
        """Put everything the collector tracks so far, the index above all, out of
        its reach until :meth:`close` (``gc.freeze``). The index (a few objects a
        previous decision, kept to the end) made each full collection longer:
        0.7–0.9 s of the batch's CPU over 250,000 decisions, 0.1 s so kept. A
        rescan runs only in the command line's own process."""
        gc.freeze()
        self.frozen = True

    def close(self) -> None:
        """Remove the temporary folder (once the results are done with, or never asked
        for), and give what :meth:`_keep` kept back to the collector."""
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
        for fd in self.files.values():
            os.close(fd)
        self.files.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        if self.claimed is not None:
            os.close(self.claimed)
            self.claimed = None

    def _results(
        self, answers: Generator[BatchResult, None, None], parts: int
    ) -> Generator[BatchResult, None, None]:
        try:
            with contextlib.closing(answers), _in_context(self.previous):
                for result in answers:
                    if result.index < parts:
                        self._record(result)
                        self.waiting -= 1
                        self._keep()
                        continue
                    yield BatchResult(
                        result.index - parts,
                        result.case_id,
                        result.status,
                        result.decision,
                        result.error,
                        codes=result._codes,
                    )
        finally:
            self.close()

    def _items(self, parts: list[Share], cases: Iterator[bytes | Pending]) -> Iterator[Any]:
        yield from parts
        while self.waiting:  # the workers are still indexing: cases wait for the index
            yield PENDING
        for raw in cases:
            yield raw if isinstance(raw, Pending) else self._classify(raw)

    def _classify(self, raw: bytes) -> Any:
        line = raw.strip()
        entry = self.by_digest.get("sha256:" + hashlib.sha256(line).hexdigest())
        if entry is not None and _names(line, entry.case_id):
            text = self._text(entry)
            if drawn(entry.digest, self.as_of):
                self.audited += 1
                return Audit(raw, text, entry.case_id)
            return Answered("reused", text, None, (entry.case_id, entry.codes))
        entry = self.by_case.get(_line_case_id(raw) or "")
        if entry is None:
            return raw
        drawn_today = drawn(entry.digest, self.as_of)
        self.audited += drawn_today  # checked if the line is that case
        return Check(raw, entry, drawn_today)

    def _text(self, entry: Entry) -> str:
        fd = self.files.get(entry.file)
        if fd is None:
            fd = self.files[entry.file] = os.open(entry.file, os.O_RDONLY)
        return os.pread(fd, entry.length, entry.offset).decode("utf-8")

    def _record(self, result: BatchResult) -> None:
        if result.status != "indexed" or result.decision is None:
            self.lost.append(f"{result.status}: {result.error}")
            return
        index = orjson.loads(result.decision)
        file = index["file"]
        for digest, case_id, offset, length, codes in index["entries"]:
            entry = Entry(case_id, digest, file, offset, length, tuple(codes))
            self.by_digest[digest] = entry
            self.by_case[case_id] = entry
        self.unusable.update(index["unusable"])
        self.lines += index["lines"]

    def report(self) -> dict[str, Any]:
        """What the previous file held: its lines, those usable, those not (by reason),
        and the shares lost (a worker crashed or ran out of time on them)."""
        return {
            "file": str(self.previous),
            "lines": self.lines,
            "usable": len(self.by_digest),
            "not_used": dict(sorted(self.unusable.items())),
            "shares_lost": len(self.lost),
            "spot_checked": self.audited,
        }

    def problems(self) -> str | None:
        """One line on the previous lines not used for a reason other than their
        ``stable_until`` (None when there were none): their cases were evaluated."""
        odd = {k: n for k, n in sorted(self.unusable.items()) if k != "expired"}
        parts = [f"{n:,} {REASONS.get(k, k)}" for k, n in odd.items()]
        if self.lost:
            parts.append(f"{len(self.lost)} share(s) of the file lost ({self.lost[0]})")
        if not parts:
            return None
        return (
            f"previous decisions {self.previous}: {sum(odd.values()):,} of {self.lines:,} "
            f"lines not used ({'; '.join(parts)}); those cases were evaluated"
        )


#: the temporary folders of rescans: beside the output, and in the system's folder
_BESIDE, _SYSTEM = ".riskreview-rescan-", "riskreview-rescan-"


def _folder(beside: Path | None) -> tuple[str, int, _leftovers.Swept]:
    """A temporary folder beside the output (where there is room for it), else in
    the system's; claimed (:mod:`riskreview._leftovers`) by the descriptor given
    with it. In the system's folder, those that killed rescans left there are
    removed first (given too; beside the output, the batch removes them,
    :func:`sweep_beside`)."""
    folder: str | None = None
    swept: _leftovers.Swept = []
    if beside is not None:
        with contextlib.suppress(OSError):
            folder = tempfile.mkdtemp(prefix=_BESIDE, dir=beside)
    if folder is None:
        system = Path(tempfile.gettempdir())
        swept = _leftovers.sweep(system, _FOLDERS[_SYSTEM])
        folder = tempfile.mkdtemp(prefix=_SYSTEM, dir=system)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    _leftovers.claim(fd)
    return folder, fd, swept


#: each place's folder names, as ``tempfile.mkdtemp`` makes them
_FOLDERS = {p: re.compile(rf"{re.escape(p)}[a-z0-9_]{{8}}") for p in (_BESIDE, _SYSTEM)}


def sweep_beside(folder: Path | None) -> _leftovers.Swept:
    """Remove the rescans' temporary folders in ``folder`` (an output's) that killed
    rescans left (:mod:`riskreview._leftovers`)."""
    return [] if folder is None else _leftovers.sweep(folder, _FOLDERS[_BESIDE])


def _names(line: bytes, case_id: str) -> bool:
    """Whether the canonical case line ``line`` (the case a previous decision was made
    on, by its digest) is the case ``case_id``, as that decision says: a decision
    whose case id was changed is not brought forward to another case.

    Read without parsing: in canonical JSON a key ``"case_id":`` can only be a key
    (a quote within a text is escaped), and the case's own comes first (keys are
    sorted, and no field before it holds one).
    """
    at = line.find(b'"case_id":')
    if at < 0:
        return False
    named = b'"case_id":' + orjson.dumps(case_id)
    end = at + len(named)
    return line.startswith(named, at) and line[end : end + 1] in (b",", b"}")


def _line_case_id(raw: bytes) -> str | None:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    value = data.get("case_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None
