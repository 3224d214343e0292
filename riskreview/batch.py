"""Evaluating a caseload: many cases, worker processes, nothing lost.

:func:`evaluate_many` takes an iterable of cases (dicts, JSON text or
:class:`~riskreview.Case`) and yields one :class:`BatchResult` per input, in input
order. A bad case is a ``case_error`` result, never a stopped batch. With
``workers > 0`` each case runs in a worker process: if the native engine crashes
or hangs on one case, that worker is replaced, that one case is reported as
``crash`` or ``timeout`` with its case id, and the batch goes on.

>>> from datetime import date
>>> results = list(evaluate_many([{"case_id": "B1"}, {"case_id": 7}], as_of=date(2026, 11, 23)))
>>> [r.status for r in results]
['ok', 'case_error']
"""

from __future__ import annotations

import contextlib
import importlib
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import attrs

from riskreview._api import check_as_of, evaluate
from riskreview.case import Case
from riskreview.errors import CaseError, PackError, Problem, RiskReviewError
from riskreview.pack import Pack, default_pack, default_pack_path, load_pack

__all__ = ["BatchResult", "BatchSummary", "evaluate_many", "summarise"]

_CHUNK = 32


@attrs.frozen
class BatchResult:
    """The outcome for one input of a batch.

    ``status`` is ``ok`` (``decision`` holds the decision's JSON text),
    ``case_error`` (the input is invalid), ``engine_error``, ``crash`` (the worker
    process died on this case) or ``timeout`` (it ran past the time limit).
    ``index`` is the 0-based position in the input; ``error`` says what went
    wrong in one line, never with personal data.
    """

    index: int
    case_id: str | None
    status: str
    decision: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the case was decided."""
        return self.status == "ok"


@attrs.frozen
class BatchSummary:
    """Counts of a finished batch by status, and the number of required actions."""

    total: int
    by_status: dict[str, int]
    actions: dict[str, int]
    seconds: float


def _case_id(item: Any) -> str | None:
    if isinstance(item, Case):
        return item.case_id
    if isinstance(item, dict):
        value = item.get("case_id")
    elif isinstance(item, str | bytes):
        try:
            data = json.loads(item)
        except (ValueError, RecursionError):
            return None
        value = data.get("case_id") if isinstance(data, dict) else None
    else:
        return None
    return value if isinstance(value, str) and 0 < len(value) <= 128 else None


def _evaluate_one(item: Any, as_of: date, pack: Pack) -> tuple[str, str | None, str | None]:
    """(status, decision JSON, error) for one input; never raises."""
    try:
        return "ok", evaluate(item, as_of=as_of, pack=pack).to_json(), None
    except CaseError as error:
        return "case_error", None, "; ".join(str(p) for p in error.problems)
    except RiskReviewError as error:
        return "engine_error", None, str(error).splitlines()[0]
    except Exception as error:
        return "engine_error", None, f"{type(error).__name__}: {str(error)[:200]}"


Evaluator = Callable[[Any, date, Pack], tuple[str, str | None, str | None]]


def _resolve(spec: str) -> Evaluator:
    module, _, name = spec.partition(":")
    found: Evaluator = getattr(importlib.import_module(module), name)
    return found


def evaluate_many(
    cases: Iterable[Any],
    as_of: date,
    pack: Pack | str | Path | None = None,
    *,
    workers: int = 0,
    timeout: float = 30.0,
    _evaluator: str = "riskreview.batch:_evaluate_one",
) -> Iterator[BatchResult]:
    """Evaluate every case, yielding one result per input in input order.

    ``workers=0`` evaluates in this process (fastest for small batches);
    ``workers=N`` uses N worker processes, so a native crash or a hang costs one
    case its answer, reported, and nothing else. ``pack`` is a Pack, a pack folder
    or None for the default pack; workers load it from its folder and check its
    digest. ``timeout`` is the limit for one case in seconds (workers only).
    An ``as_of`` the pack does not cover raises
    :class:`~riskreview.errors.PolicyNotInForceError` before any case is read:
    it is the caller's mistake, not each case's.
    """
    check_as_of(as_of)
    policy = _as_pack(pack)
    policy.epoch(as_of)
    if workers <= 0:
        run = _resolve(_evaluator)
        for index, item in enumerate(cases):
            status, decision, error = run(item, as_of, policy)
            yield BatchResult(index, _case_id(item), status, decision, error)
        return
    yield from _Pool(policy, as_of, workers, timeout, _evaluator).run(cases)


def _as_pack(pack: Pack | str | Path | None) -> Pack:
    if pack is None:
        return default_pack()
    if isinstance(pack, Pack):
        return pack
    return load_pack(pack)


def summarise(results: Iterable[BatchResult], seconds: float = 0.0) -> BatchSummary:
    """Counts by status and by required action code."""
    by_status: dict[str, int] = {}
    actions: dict[str, int] = {}
    total = 0
    for result in results:
        total += 1
        by_status[result.status] = by_status.get(result.status, 0) + 1
        if result.decision is not None:
            for action in json.loads(result.decision)["actions"]:
                actions[action["code"]] = actions.get(action["code"], 0) + 1
    return BatchSummary(
        total, dict(sorted(by_status.items())), dict(sorted(actions.items())), seconds
    )


# ---------------------------------------------------------------- worker processes


def _worker(conn: Connection, pack_path: str, digest: str, evaluator: str) -> None:
    """Worker main loop: receive chunks of (index, item), send one reply per item."""
    try:
        pack = load_pack(pack_path)
        if pack.digest != digest:
            raise PackError(
                [Problem(pack_path, "the pack changed on disk since the batch loaded it")]
            )
        run = _resolve(evaluator)
        conn.send(("ready", None))
    except Exception as error:
        conn.send(("failed", f"worker could not start: {type(error).__name__}: {error}"))
        return
    while True:
        message = conn.recv()
        if message is None:
            return
        as_of, chunk = message
        for index, item in chunk:
            conn.send((index, *run(item, as_of, pack)))


@attrs.define
class _Slot:
    process: Any
    conn: Connection
    pending: deque[tuple[int, Any]] = attrs.field(factory=deque)
    started: float = 0.0


class _Pool:
    """Worker processes fed in chunks; a dead or stuck worker is replaced."""

    def __init__(
        self, pack: Pack, as_of: date, workers: int, timeout: float, evaluator: str
    ) -> None:
        self.pack = pack
        self.as_of = as_of
        self.size = workers
        self.timeout = timeout
        self.evaluator = evaluator
        self.context = multiprocessing.get_context("spawn")
        self.path = pack.path if pack.path else str(default_pack_path())

    def _start(self) -> _Slot:
        parent, child = self.context.Pipe()
        process = self.context.Process(
            target=_worker,
            args=(child, self.path, self.pack.digest, self.evaluator),
            daemon=True,
        )
        process.start()
        child.close()
        kind, detail = parent.recv()
        if kind != "ready":
            process.join()
            raise RiskReviewError(str(detail))
        return _Slot(process, parent)

    def run(self, cases: Iterable[Any]) -> Iterator[BatchResult]:
        source = iter(enumerate(cases))
        retry: deque[tuple[int, Any]] = deque()
        done: dict[int, BatchResult] = {}
        ids: dict[int, str | None] = {}
        next_out = 0
        slots = [self._start() for _ in range(self.size)]
        exhausted = False
        try:
            while True:
                for slot in slots:
                    if not slot.pending:
                        chunk = self._take(source, retry)
                        if not chunk and not retry:
                            exhausted = True
                        if chunk:
                            for index, item in chunk:
                                ids[index] = _case_id(item)
                            slot.pending.extend(chunk)
                            slot.started = time.monotonic()
                            slot.conn.send((self.as_of, chunk))
                busy = [s for s in slots if s.pending]
                if not busy and exhausted:
                    break
                self._collect(busy, slots, retry, done, ids)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
        finally:
            for slot in slots:
                self._stop(slot)

    @staticmethod
    def _take(source: Iterator[tuple[int, Any]], retry: deque[tuple[int, Any]]) -> list[Any]:
        if retry:
            chunk = list(retry)
            retry.clear()
            return chunk
        chunk = []
        for pair in source:
            chunk.append(pair)
            if len(chunk) == _CHUNK:
                break
        return chunk

    def _collect(
        self,
        busy: list[_Slot],
        slots: list[_Slot],
        retry: deque[tuple[int, Any]],
        done: dict[int, BatchResult],
        ids: dict[int, str | None],
    ) -> None:
        waiting = {s.conn: s for s in busy} | {s.process.sentinel: s for s in busy}
        ready = wait(list(waiting), timeout=min(self.timeout, 1.0))
        now = time.monotonic()
        for handle in ready:
            slot = waiting[handle]
            if handle is slot.conn:
                self._read(slot, done, ids)
        for slot in busy:
            if slot.pending and not slot.process.is_alive():
                self._read(slot, done, ids)  # answers sent before it died still count
            if slot.pending and not slot.process.is_alive():
                self._lose(
                    slot,
                    slots,
                    retry,
                    done,
                    ids,
                    "crash",
                    f"the worker process died (exit code {slot.process.exitcode})",
                )
            elif slot.pending and now - slot.started > self.timeout:
                self._lose(
                    slot, slots, retry, done, ids, "timeout", f"no answer within {self.timeout:g} s"
                )

    @staticmethod
    def _read(slot: _Slot, done: dict[int, BatchResult], ids: dict[int, str | None]) -> None:
        try:
            while slot.conn.poll():
                index, status, decision, error = slot.conn.recv()
                slot.pending.popleft()
                slot.started = time.monotonic()
                done[index] = BatchResult(index, ids.pop(index, None), status, decision, error)
        except (EOFError, OSError):
            return

    def _lose(
        self,
        slot: _Slot,
        slots: list[_Slot],
        retry: deque[tuple[int, Any]],
        done: dict[int, BatchResult],
        ids: dict[int, str | None],
        status: str,
        message: str,
    ) -> None:
        index, _ = slot.pending.popleft()
        done[index] = BatchResult(index, ids.pop(index, None), status, None, message)
        retry.extend(slot.pending)
        slot.pending.clear()
        self._stop(slot)
        slots[slots.index(slot)] = self._start()

    @staticmethod
    def _stop(slot: _Slot) -> None:
        if slot.process.is_alive():
            with contextlib.suppress(OSError, ValueError):
                slot.conn.send(None)
            slot.process.join(timeout=1.0)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join()
        slot.conn.close()


def cpu_count() -> int:
    """Usable CPU cores (at least 1)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
