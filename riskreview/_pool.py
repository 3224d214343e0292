"""The worker processes behind :func:`riskreview.batch.evaluate_many`.

A worker starts only when there is a chunk of cases for it and every started
worker is busy, up to the batch's size, so a small batch never pays for idle
processes. Starts do not wait for one another: a worker loads the pack on its
own, reports ready with the digest of the pack it loaded, and only then is sent
its chunk. It loads the pack for evaluating (the scenario files digested but not
read); a digest other than the batch's pack's fails the batch, as a pack changed
on disk since the batch loaded it. The command line starts the workers it
expects to want before it loads the pack itself (:func:`start_early`), so that
the loads overlap; a pool takes them over and stops those it does not want. One
that dies before its first case costs no case.

Every case sent to a worker is answered, or costs exactly that case:

* a worker that dies (a native crash, the kernel's OOM killer), even while
  starting, costs the case at its head, reported ``crash``; the rest of its
  chunk goes to another worker;
* a case that runs past the time limit, or a worker that has not started within
  ``START_SECONDS``, costs that case, reported ``timeout``, and the worker is
  killed;
* a worker that starts but cannot load the pack, or loads another (changed on
  disk, say), fails the batch with a :class:`~riskreview.errors.RiskReviewError`:
  every worker would.

A source that cannot block (the command line's reader of a pipe) yields
:data:`PENDING` when no case is ready yet: the pool then goes on collecting
answers instead of waiting for input while workers hold answers back. A source
may also yield an :class:`Answered` item, whose answer it knows already (a
decision brought forward from the previous run): it takes its place in the
order without going to a worker. An item of a kind marked :class:`Alone` (a
share of a file, much bigger than a case) is sent to a worker in a chunk of its
own, so that such items spread over the workers.

An evaluator returns ``(status, decision JSON, error)``, optionally followed by
what the worker knows of the case (:data:`Known`: its case id and the codes of
its required actions), which spares the batch reading each line and decision
again to name and count them.

Ctrl-C is ignored by the workers, even while they start (SIGINT is blocked
around the spawn and the block is inherited), so that it reaches only the batch:
the batch stops them and keeps what they answered. So are SIGTERM and SIGHUP
(:data:`STOPS`), which a service manager sends to every process of the batch: a
worker ended by one would have its cases reported as failed before the batch
itself stopped. A worker whose batch is gone ends at the end of its pipe.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import date
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import attrs

from riskreview._packload import load
from riskreview.errors import RiskReviewError
from riskreview.pack import Pack, default_pack_path

#: Cases sent to a worker at a time.
CHUNK = 32
#: Seconds a worker may take to start (load the pack) before its first case is lost.
START_SECONDS = 120.0
#: Seconds between checks for a dead or stuck worker when none answers.
_POLL = 1.0


class Pending:
    """The type of :data:`PENDING`."""

    def __repr__(self) -> str:
        return "PENDING"


#: Yielded by a source in place of a case when none is ready yet; never a case.
PENDING = Pending()

#: What a worker knows of a case it answered: its case id (None when the input
#: has none) and the codes of the decision's required actions.
Known = tuple[str | None, tuple[str, ...]]
Reply = tuple[str, str | None, str | None] | tuple[str, str | None, str | None, Known]
Evaluator = Callable[[Any, date, Pack], Reply]
#: One answer: (index, item, status, decision JSON, error, what is known or None).
Answer = tuple[int, Any, str, str | None, str | None, Known | None]


class Alone:
    """A base for items sent to a worker in a chunk of their own."""


@attrs.frozen
class Answered:
    """An item whose answer the source knows already: never sent to a worker."""

    status: str
    decision: str | None
    error: str | None
    known: Known | None


#: The signals that stop a batch (Ctrl-C, a service manager's stop, a terminal
#: closed): the batch's to act on, never its workers'.
STOPS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def resolve(spec: str) -> Evaluator:
    """The evaluator function named ``module:function``."""
    module, _, name = spec.partition(":")
    found: Evaluator = getattr(importlib.import_module(module), name)
    return found


def _serve(conn: Connection, pack_path: str, evaluator: str) -> None:
    """A worker's main loop: report ready with the digest of the pack it loaded (the
    batch refuses any but its own pack's), then answer each chunk of (index, item)
    one reply per item, until told to stop or the batch goes away."""
    for signum in STOPS:
        signal.signal(signum, signal.SIG_IGN)
    try:
        try:
            pack = load(Path(pack_path), evaluating=True)
            run = resolve(evaluator)
        except Exception as error:
            conn.send(("failed", f"worker could not start: {type(error).__name__}: {error}"))
            return
        conn.send(("ready", pack.digest))
        while (message := conn.recv()) is not None:
            as_of, chunk = message
            for index, item in chunk:
                conn.send((index, *run(item, as_of, pack)))
    except (EOFError, OSError):
        return  # the batch stopped listening: nothing is left to answer


@attrs.define
class _Slot:
    process: Any
    conn: Connection
    pending: deque[tuple[int, Any]]
    since: float
    ready: bool = False


def _spawn(
    context: Any, path: str, evaluator: str, chunk: list[tuple[int, Any]], slots: list[_Slot]
) -> None:
    """A worker process started for ``chunk`` (empty: none yet), its slot added to
    ``slots`` before a Ctrl-C can come between (no worker is left untracked)."""
    parent, child = context.Pipe()
    process = context.Process(target=_serve, args=(child, path, evaluator), daemon=True)
    with _interrupts_blocked():
        process.start()
        slots.append(_Slot(process, parent, deque(chunk), time.monotonic()))
    child.close()


class Early:
    """Workers started before the batch has loaded its pack (:func:`start_early`), so
    that they load theirs meanwhile. A :class:`Pool` for a pack at the same path
    and the same evaluator takes them over; a worker whose pack's digest is not
    the batch's pack's fails the batch, as a pack changed on disk does. Those not
    taken over are stopped (:meth:`close`)."""

    def __init__(self, path: str, evaluator: str, slots: list[_Slot]) -> None:
        self.path = path
        self.evaluator = evaluator
        self.slots = slots

    def take(self, path: str, evaluator: str, size: int) -> list[_Slot]:
        """Up to ``size`` of the workers, for a pool of the pack at ``path`` and
        ``evaluator``; the rest stopped."""
        taken: list[_Slot] = []
        if (path, evaluator) == (self.path, self.evaluator):
            taken, self.slots = self.slots[:size], self.slots[size:]
        self.close()
        return taken

    def close(self) -> None:
        """Stop every worker not taken over."""
        for slot in self.slots:
            _kill(slot)
        self.slots = []


def start_early(path: str, evaluator: str, count: int) -> Early:
    """``count`` workers started on the pack at ``path`` (the batch loads it meanwhile)."""
    context = multiprocessing.get_context("spawn")
    slots: list[_Slot] = []
    for _ in range(count):
        _spawn(context, path, evaluator, [], slots)
    return Early(path, evaluator, slots)


@contextlib.contextmanager
def _interrupts_blocked() -> Iterator[None]:
    """:data:`STOPS` held back in this thread (and inherited by a process spawned
    meanwhile)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(STOPS))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class Pool:
    """Up to ``size`` worker processes evaluating ``(index, item)`` pairs."""

    def __init__(
        self,
        pack: Pack,
        as_of: date,
        size: int,
        timeout: float | None,
        evaluator: str,
        early: Early | None = None,
    ) -> None:
        self.pack = pack
        self.as_of = as_of
        self.size = size
        self.timeout = timeout
        self.evaluator = evaluator
        self.context = multiprocessing.get_context("spawn")
        self.path = pack.path if pack.path else str(default_pack_path())
        self.slots: list[_Slot] = []
        self.retry: deque[tuple[int, Any]] = deque()
        self.done: dict[int, Answer] = {}
        self.read = 0
        self.exhausted = False
        self.early = early  # taken over when the run starts: until then, its owner's

    def run(self, cases: Iterable[Any]) -> Generator[Answer, None, None]:
        """One answer per case, in input order."""
        source = iter(cases)
        next_out = 0
        try:
            if self.early is not None:
                self.slots.extend(self.early.take(self.path, self.evaluator, self.size))
                self.early = None
            while True:
                self._feed(source)
                busy = [s for s in self.slots if s.pending or not s.ready]
                if busy:
                    self._collect(busy)
                elif self.exhausted and not self.retry:
                    break  # nothing in flight, nothing to retry, nothing left to read
                # else the source had no case ready (it waited a moment): ask it again
                while next_out in self.done:
                    yield self.done.pop(next_out)
                    next_out += 1
            while next_out in self.done:  # answered at the source's end: nothing in flight
                yield self.done.pop(next_out)
                next_out += 1
        finally:
            self._shutdown()

    def _feed(self, source: Iterator[Any]) -> None:
        for slot in self.slots:
            if slot.ready and not slot.pending:
                chunk = self._take(source)
                if not chunk:
                    return
                slot.pending.extend(chunk)
                self._send(slot)
        while len(self.slots) < self.size:
            chunk = self._take(source)
            if not chunk:
                return
            self._start(chunk)

    def _take(self, source: Iterator[Any]) -> list[tuple[int, Any]]:
        chunk = list(self.retry)
        self.retry.clear()
        if chunk or self.exhausted:
            return chunk
        known = 0
        for item in source:
            if item is PENDING:
                return chunk  # what is ready now; more later
            if isinstance(item, Answered):
                answer = (self.read, item, item.status, item.decision, item.error, item.known)
                self.done[self.read] = answer
                self.read += 1
                known += 1
                if known == CHUNK * CHUNK:
                    return chunk  # let the answers out before reading on
                continue
            if isinstance(item, Alone) and chunk:
                self.retry.append((self.read, item))  # the next chunk, on its own
                self.read += 1
                return chunk
            chunk.append((self.read, item))
            self.read += 1
            if len(chunk) == CHUNK or isinstance(item, Alone):
                return chunk
        self.exhausted = True  # never read a source again after its end (a growing file)
        return chunk

    def _start(self, chunk: list[tuple[int, Any]]) -> None:
        _spawn(self.context, self.path, self.evaluator, chunk, self.slots)

    def _send(self, slot: _Slot) -> None:
        slot.since = time.monotonic()
        with contextlib.suppress(OSError):  # a dead worker is found by its sentinel
            slot.conn.send((self.as_of, list(slot.pending)))

    def _collect(self, busy: list[_Slot]) -> None:
        waiting = {s.conn: s for s in busy} | {s.process.sentinel: s for s in busy}
        limit = self.timeout if self.timeout is not None else _POLL
        for handle in wait(list(waiting), timeout=min(limit, _POLL)):
            slot = waiting[handle]
            if handle is slot.conn:
                self._read(slot)
        now = time.monotonic()
        for slot in busy:
            if slot.pending and not slot.process.is_alive():
                self._read(slot)  # answers sent before it died still count
            if not slot.pending:
                if not slot.ready and (
                    not slot.process.is_alive() or now - slot.since > START_SECONDS
                ):
                    self._read(slot)  # a failure it reported fails the batch
                    if not slot.ready:
                        self._drop(slot)  # started early, given no case: nothing is lost
                continue
            if not slot.process.is_alive():
                when = "" if slot.ready else " while starting"
                code = slot.process.exitcode
                self._lose(slot, "crash", f"the worker process died{when} (exit code {code})")
            elif not slot.ready and now - slot.since > START_SECONDS:
                message = f"the worker process did not start within {START_SECONDS:g} s"
                self._lose(slot, "timeout", message)
            elif slot.ready and self.timeout is not None and now - slot.since > self.timeout:
                self._lose(slot, "timeout", f"no answer within {self.timeout:g} s")

    def _read(self, slot: _Slot) -> None:
        try:
            while (slot.pending or not slot.ready) and slot.conn.poll():
                message = slot.conn.recv()
                if len(message) == 2:
                    kind, detail = message
                    if kind != "ready":
                        raise RiskReviewError(str(detail))
                    if detail != self.pack.digest:
                        raise RiskReviewError(
                            f"worker could not start: the pack at {self.path} changed on "
                            "disk since the batch loaded it"
                        )
                    slot.ready = True
                    if slot.pending:
                        self._send(slot)
                    continue
                index, status, decision, error, *rest = message
                _, item = slot.pending.popleft()
                slot.since = time.monotonic()
                self.done[index] = (index, item, status, decision, error, rest[0] if rest else None)
        except (EOFError, OSError):
            return

    def _drop(self, slot: _Slot) -> None:
        if slot in self.slots:
            self.slots.remove(slot)
        _kill(slot)

    def _lose(self, slot: _Slot, status: str, message: str) -> None:
        index, item = slot.pending.popleft()
        self.done[index] = (index, item, status, None, message, None)
        self.retry.extend(slot.pending)
        slot.pending.clear()
        self.slots.remove(slot)
        _kill(slot)

    def _shutdown(self) -> None:
        """Stop every worker: an idle one is asked to, a busy one (its answers are no
        longer wanted) is killed at once; none outlives the batch."""
        for slot in self.slots:
            if slot.pending or not slot.ready:
                with contextlib.suppress(OSError, ValueError):
                    slot.process.kill()
            else:
                with contextlib.suppress(OSError, ValueError):
                    slot.conn.send(None)
        deadline = time.monotonic() + 1.0
        for slot in self.slots:
            slot.process.join(timeout=max(0.0, deadline - time.monotonic()))
            _kill(slot)
        self.slots.clear()


def _kill(slot: _Slot) -> None:
    if slot.process.is_alive():
        slot.process.kill()
    slot.process.join()
    slot.conn.close()
