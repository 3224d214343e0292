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
import hashlib
import json
import math
import os
import zlib
from collections.abc import Generator, Iterable, Iterator, Mapping, Sized
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import orjson

from riskreview._api import as_case, check_as_of, evaluate
from riskreview._args import check_cases
from riskreview._decide import input_digest
from riskreview._forward import Unusable, forward_line
from riskreview._limits import MAX_DECISION_BYTES
from riskreview._pool import (
    PENDING,
    Answer,
    Answered,
    Early,
    Evaluator,
    Known,
    Pool,
    Reply,
    resolve,
)
from riskreview._refresh import bring_forward, refusal
from riskreview._version import VERSION
from riskreview.case import Case
from riskreview.decision import Decision
from riskreview.errors import (
    ArgumentError,
    ArgumentValueError,
    CaseError,
    EngineError,
    RiskReviewError,
)
from riskreview.pack import Pack, default_pack, load_pack

__all__ = [
    "WORKERS_PER_CPU",
    "BatchResult",
    "BatchSummary",
    "check_timeout",
    "cpu_count",
    "evaluate_many",
    "summarise",
    "worker_count",
]

#: At most this many worker processes per usable CPU core: more only queue for the cores.
WORKERS_PER_CPU = 2


@attrs.frozen
class BatchResult:
    """The outcome for one input of a batch.

    ``status`` is ``ok`` (``decision`` holds the decision's JSON text), ``reused``
    (the same, brought forward from a previous run's decision: see ``previous``),
    ``case_error`` (the input is invalid), ``engine_error``, ``crash`` (the worker
    process died on this case, or while starting to take it) or ``timeout`` (it ran
    past the time limit). ``index`` is the 0-based position in the input; ``error``
    says what went wrong in one line, never with personal data.
    """

    index: int
    case_id: str | None
    status: str
    decision: str | None = None
    error: str | None = None
    # the codes of the decision's required actions when the worker sent them, so
    # that counting them does not read the decision again
    _codes: tuple[str, ...] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when the case was decided (``ok``, or ``reused`` from a previous run)."""
        return self.status in ("ok", "reused")


@attrs.frozen
class BatchSummary:
    """Counts of a finished batch by status, and the number of required actions."""

    total: int
    by_status: dict[str, int]
    actions: dict[str, int]
    seconds: float

    @property
    def decided(self) -> int:
        """Cases decided: evaluated (``ok``) or brought forward (``reused``)."""
        return self.by_status.get("ok", 0) + self.by_status.get("reused", 0)


@attrs.frozen
class _Again:
    """An input, with the decision a previous run made for the same case id (its JSON),
    and that case id (read once, here)."""

    item: Any
    previous: str | None
    case_id: str | None


def _case_id(item: Any) -> str | None:
    if isinstance(item, _Again):
        return item.case_id
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
    except Exception as error:  # every failure is the case's answer
        return _failed(error)


def _failed(error: Exception) -> tuple[str, None, str]:
    if isinstance(error, CaseError):
        return "case_error", None, "; ".join(str(p) for p in error.problems)
    if isinstance(error, RiskReviewError):
        return "engine_error", None, str(error).splitlines()[0]
    return "engine_error", None, f"{type(error).__name__}: {str(error)[:200]}"


def _decide_one(item: Any, as_of: date, pack: Pack) -> Reply:
    """:func:`_evaluate_one`, with what is known of the case (its id, its actions)."""
    try:
        decision = evaluate(item, as_of=as_of, pack=pack)
    except Exception as error:  # every failure is the case's answer
        return (*_failed(error), (_case_id(item), ()))
    return "ok", decision.to_json(), None, (decision.case_id, decision.action_codes)


def _reuse_or_evaluate(entry: Any, as_of: date, pack: Pack) -> Reply:
    """``reused`` with the previous decision refreshed to ``as_of`` when it still holds
    (:func:`riskreview.refresh`), else the case evaluated as :func:`_decide_one`; one
    in :data:`SPOT` reused decisions spot-checked (:func:`audit`)."""
    if not isinstance(entry, _Again):
        return _decide_one(entry, as_of, pack)
    item, previous = entry.item, entry.previous
    if previous is not None:
        reused = _reuse(item, entry.case_id, previous, as_of, pack)
        if reused is not None:
            text, known, digest = reused
            if drawn(digest, as_of):
                return audit(item, text, known[0] or "", as_of, pack)
            return "reused", text, None, known
    return _decide_one(item, as_of, pack)


#: One in this many decisions brought forward is evaluated again (the spot check).
SPOT = 256
#: The status of a spot-checked decision that is not what evaluating again gives.
DISAGREES = "disagrees"


def drawn(digest: str, as_of: date) -> bool:
    """Whether the decision of the case with input ``digest`` is spot-checked when
    brought forward to ``as_of``: one in :data:`SPOT`, drawn afresh each day."""
    return zlib.crc32(f"{as_of}/{digest}".encode()) % SPOT == 0


def audit(item: Any, expected: str, case_id: str, as_of: date, pack: Pack) -> Reply:
    """The spot check of a decision brought forward, ``expected``: ``reused`` when
    evaluating the case again gives it byte for byte, else :data:`DISAGREES` (which
    the results raise as :class:`Disagrees`).

    A decision brought forward is never evaluated again, so nothing at run time would
    notice previous decisions changed after they were written (an action taken out
    of one that stays well formed) or a fault in bringing decisions forward, which
    gives exactly what evaluating on the new day gives, until ``stable_until``. A
    fault that touches many decisions is caught on its first run; one changed
    decision, on about one run in :data:`SPOT`.
    """
    reply = _decide_one(item, as_of, pack)
    status, decision, error = reply[0], reply[1], reply[2]
    if status == "ok" and decision == expected:
        return "reused", decision, None, reply[3] if len(reply) == 4 else (case_id, ())
    said = "a different decision" if status == "ok" else f"{status} ({error})"
    return DISAGREES, None, f"evaluating it again gives {said}", (case_id, ())


class Disagrees(EngineError):
    """A decision brought forward that evaluating its case again does not give (the
    spot check, :func:`audit`): the previous decisions were changed after they were
    written, or bringing them forward is at fault. Raised by the results, so that no
    more decisions are brought forward from them."""

    def __init__(self, case_id: str | None, detail: str) -> None:
        super().__init__(
            f"the previous decision given for case {case_id} is not what the spot check "
            f"gets: {detail}; evaluate without previous decisions"
        )
        self.case_id = case_id
        self.detail = detail


def _reuse(
    item: Any, case_id: str | None, previous: str, as_of: date, pack: Pack
) -> tuple[str, Known, str] | None:
    """The previous decision brought forward to ``as_of`` (with what is known of the
    case and its input digest), or None when the case may
    decide differently: its input changed, the pack or library is another, or the
    decision's ``stable_until`` has come (anything unreadable is simply evaluated)."""
    if len(previous) > MAX_DECISION_BYTES:  # not read at all (see forward_line)
        return None
    try:
        moved = forward_line(previous.encode("utf-8").strip(), as_of, pack, VERSION)
    except Unusable as why:
        if why.kind == "not_a_decision":  # perhaps a decision, but not as this library writes
            return _reuse_decision(item, case_id, previous, as_of, pack)
        return None
    except UnicodeEncodeError:
        return None
    digest = moved.input_digest
    if moved.case_id != case_id:
        return None  # a decision for another case, or one whose case id was changed
    try:
        if _line_digest(item) != digest and input_digest(as_case(item)) != digest:
            return None
    except RiskReviewError:
        return None
    return moved.line.decode("utf-8"), (moved.case_id, moved.codes), digest


def _reuse_decision(
    item: Any, case_id: str | None, previous: str, as_of: date, pack: Pack
) -> tuple[str, Known, str] | None:
    """:func:`_reuse` for a previous decision that is not canonical JSON (written by
    hand, or pretty-printed): read whole, brought forward as an object."""
    try:
        decision = Decision.from_json(previous)
        if decision.library_version != VERSION or refusal(decision, as_of, pack) is not None:
            return None
        if decision.case_id != case_id:
            return None
        same = _line_digest(item) == decision.input_digest
        if not same and input_digest(as_case(item)) != decision.input_digest:
            return None
        moved = bring_forward(decision, as_of, pack)
    except RiskReviewError:
        return None
    return moved.to_json(), (moved.case_id, moved.action_codes), decision.input_digest


def _line_digest(item: Any) -> str | None:
    """The digest a case line has if it is canonical case JSON (what ``Case.to_json``
    writes), read without parsing it; None for an input that is not a line. Equal to
    a previous decision's input digest, the line *is* the case validated and decided
    then, byte for byte (any other line, a duplicate key say, has another digest)."""
    if isinstance(item, str):
        item = item.encode("utf-8", "surrogatepass")
    if not isinstance(item, bytes):
        return None
    return "sha256:" + hashlib.sha256(item.strip()).hexdigest()


#: The workers' evaluator in a batch with no previous decisions.
DECIDE = "riskreview.batch:_decide_one"


def evaluate_many(
    cases: Iterable[Any],
    as_of: date,
    pack: Pack | str | Path | None = None,
    *,
    workers: int = 0,
    timeout: float | None = 30.0,
    previous: Mapping[str, Decision | str] | None = None,
    _evaluator: str = "riskreview.batch:_evaluate_one",
    _early: Early | None = None,
) -> Generator[BatchResult, None, None]:
    """Evaluate every case, yielding one result per input in input order.

    Closing the generator (``results.close()``) stops its worker processes at once.

    ``workers=0`` evaluates in this process (fastest for small batches);
    ``workers=N`` uses up to N worker processes, so a native crash or a hang costs
    one case its answer, reported, and nothing else. N is capped at the number of
    cases (when ``cases`` has a length) and at ``WORKERS_PER_CPU`` per usable core;
    a worker starts only when there is a case for it. ``pack`` is a Pack, a pack
    folder or None for the default pack; workers load it from its folder and check
    its digest. ``timeout`` is the limit for one case in seconds (workers only), a
    finite number above 0, or None for no limit.

    The arguments are checked when this is called, before any case is read: a
    ``workers`` or ``timeout`` of the wrong type raises
    :class:`~riskreview.errors.ArgumentError` (a TypeError), one out of range
    :class:`~riskreview.errors.ArgumentValueError` (a ValueError), and an
    ``as_of`` the pack does not cover :class:`~riskreview.errors.PolicyNotInForceError`:
    they are the caller's mistakes, not each case's.

    ``previous`` maps case ids to the decisions of an earlier run (Decision objects
    or their JSON). A case whose input is unchanged (the same input digest), under
    the same pack and library, on a day before its previous decision's
    ``stable_until``, is not evaluated again: that decision is brought forward to
    ``as_of`` by :func:`riskreview.refresh` (statuses and rolling dates) and its
    result has status ``reused``. A nightly scan then costs what changed. One in 256
    of the decisions brought forward, drawn afresh each day, is evaluated again and
    must be the same: one that is not raises :class:`~riskreview.errors.EngineError`
    from the results (the previous decisions were changed after they were written,
    or bringing them forward is at fault), and none is brought forward after it.
    """
    check_cases("cases", cases)
    check_as_of(as_of)
    size = worker_count(workers, len(cases) if isinstance(cases, Sized) else None)
    limit = check_timeout(timeout)
    policy = _as_pack(pack)
    policy.epoch(as_of)
    if previous is not None:
        if not isinstance(previous, Mapping):
            raise ArgumentError(
                "previous must map case ids to earlier decisions (Decision or its JSON), "
                f"got {type(previous).__name__}"
            )
        cases = _paired(cases, previous)
        if _evaluator == "riskreview.batch:_evaluate_one":
            _evaluator = "riskreview.batch:_reuse_or_evaluate"
    elif _evaluator == "riskreview.batch:_evaluate_one":
        _evaluator = DECIDE  # the same, naming its case and actions
    if size == 0:
        if _early is not None:
            _early.close()
        return _in_process(cases, as_of, policy, resolve(_evaluator))
    return _results(Pool(policy, as_of, size, limit, _evaluator, _early).run(cases))


def _paired(cases: Iterable[Any], previous: Mapping[str, Decision | str]) -> Iterator[Any]:
    for item in cases:
        if item is PENDING or isinstance(item, Answered):
            yield item
            continue
        case_id = _case_id(item)
        found = previous.get(case_id or "")
        text = found.to_json() if isinstance(found, Decision) else found
        yield _Again(item, text if isinstance(text, str) else None, case_id)


def _results(answers: Generator[Answer, None, None]) -> Generator[BatchResult, None, None]:
    with contextlib.closing(answers):  # closing the results stops the workers at once
        for index, item, status, decision, error, known in answers:
            yield _result(index, item, (status, decision, error), known)


def _in_process(
    cases: Iterable[Any], as_of: date, pack: Pack, run: Evaluator
) -> Generator[BatchResult, None, None]:
    index = 0
    for item in cases:
        if item is PENDING:
            continue
        if isinstance(item, Answered):
            yield _result(index, item, (item.status, item.decision, item.error), item.known)
        else:
            status, decision, error, *rest = run(item, as_of, pack)
            yield _result(index, item, (status, decision, error), rest[0] if rest else None)
        index += 1


def _result(
    index: int, item: Any, reply: tuple[str, str | None, str | None], known: Known | None
) -> BatchResult:
    if reply[0] == DISAGREES:
        raise Disagrees(known[0] if known is not None else _case_id(item), reply[2] or "")
    if known is None:
        return BatchResult(index, _case_id(item), *reply)
    return BatchResult(index, known[0], *reply, codes=known[1] if reply[1] is not None else None)


def worker_count(workers: int, cases: int | None = None) -> int:
    """How many worker processes a batch asking for ``workers`` gets at most.

    ``workers`` is capped at ``cases`` (when the number is known) and at
    ``WORKERS_PER_CPU`` times :func:`cpu_count`; 0 means evaluate in this process.

    >>> worker_count(3, cases=1)
    1
    """
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise ArgumentError(
            f"workers must be a whole number of processes such as 2 (0 evaluates in "
            f"this process), got {type(workers).__name__}"
        )
    if workers < 0:
        raise ArgumentValueError(
            f"workers must be 0 (evaluate in this process) or a number of worker "
            f"processes such as 2, got {workers}"
        )
    return min(workers, WORKERS_PER_CPU * cpu_count(), workers if cases is None else cases)


def check_timeout(timeout: float | None) -> float | None:
    """``timeout`` as a float, or None (no limit); refuse 0, negatives, nan and inf.

    >>> check_timeout(30)
    30.0
    """
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise ArgumentError(
            f"timeout must be a number of seconds such as 30, or None for no limit, "
            f"got {type(timeout).__name__}"
        )
    if not math.isfinite(timeout) or timeout <= 0:
        raise ArgumentValueError(
            f"timeout must be a finite number of seconds above 0 such as 30, or None "
            f"for no limit, got {timeout!r}"
        )
    return float(timeout)


def _as_pack(pack: Pack | str | Path | None) -> Pack:
    if pack is None:
        return default_pack()
    if isinstance(pack, Pack):
        return pack
    return load_pack(pack)


class _Tally:
    """Counts by status and by required action code, one result at a time."""

    def __init__(self) -> None:
        self.total = 0
        self.by_status: dict[str, int] = {}
        self.actions: dict[str, int] = {}

    def add(self, result: BatchResult) -> None:
        self.total += 1
        self.by_status[result.status] = self.by_status.get(result.status, 0) + 1
        if result.decision is None:
            return
        codes = result._codes
        if codes is None:
            codes = tuple(action["code"] for action in orjson.loads(result.decision)["actions"])
        for code in codes:
            self.actions[code] = self.actions.get(code, 0) + 1

    def summary(self, seconds: float = 0.0) -> BatchSummary:
        return BatchSummary(
            self.total,
            dict(sorted(self.by_status.items())),
            dict(sorted(self.actions.items())),
            seconds,
        )


def summarise(results: Iterable[BatchResult], seconds: float = 0.0) -> BatchSummary:
    """Counts by status and by required action code."""
    tally = _Tally()
    for result in results:
        tally.add(result)
    return tally.summary(seconds)


def cpu_count() -> int:
    """Usable CPU cores (at least 1)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
