"""The only module that touches durable-rules. Every known sharp edge is fenced here.

===  =====================================  ==========================================
#    edge (ENGINE-NOTES.md)                 fence
===  =====================================  ==========================================
1    post() consumes events                 only assert_facts / retract_facts are called
2    split conditions join two facts        every rule is one ``$and`` on one fact
3    content-hash ids                       every fact has an explicit unique ``id``
4    string/number coercion                 facts and rules hold integers only
5    >64 matches on one fact (error 303)    lanes cap engine paths per fact (_compile)
6    >252 properties on one object          lanes cap properties per object (_compile)
7    swallowed action exceptions            no Python action runs: matches are read from the
                                            engine's action queue
8    two-parameter actions are async        (as 7) and the registered ones take one parameter
9    facts without sid share session "0"    every fact carries the engine's own sid
10   >1,024 sids then a segfault            one sid per engine, reused, never deleted
11   delete_state after unmatched fact      delete_state is never called; catch-all
12   sid churn                              no sid is ever created after the first
13   threads                                one lock around every engine call
14   Host timer threads                     ``_run`` starts none
15   512 siblings hang ruleset creation     checked at pack load (_compile)
16   integer $div by zero                   no arithmetic operator is ever emitted
--   a fact of ~20 MB dropped or a crash    facts over MAX_FACT_BYTES are refused; every
                                            fact must be matched by its lane's catch-all
17   correlated two-rule join (#381)        no joins are ever emitted
--   state object matches ``$ex``/``$nex``   every rule tests ``t`` and ``l`` (state has neither)
--   set_rulesets mutates its argument      it is given a deep copy
--   global host registry                   a private Host per engine
--   bare error codes                       translated to EngineError with their meaning
===  =====================================  ==========================================
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import os
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any

import durable.engine as _durable
import durable_rules_engine as _native
import orjson

from riskreview._envelope import MAX_FACT_BYTES
from riskreview.errors import EngineError

_CODES = {
    "1": "a fact matched no rule",
    "2": "a fact with the same id was already asserted",
    "101": "the engine ran out of memory",
    "113": "a rule has too many expressions",
    "302": "an object has too many properties",
    "303": "too many rule paths matched one fact",
    "304": "too many messages in one frame",
    "309": "the session id is unknown",
}


def _installed_version() -> str:
    try:
        return metadata.version("durable-rules")
    except metadata.PackageNotFoundError:  # pragma: no cover - a vendored copy
        return "unknown"


__version__ = _installed_version()


def _explain(error: BaseException) -> str:
    if isinstance(error, _durable.MessageNotHandledException):
        return "a fact matched no rule (the facts are not shown)"
    if isinstance(error, _durable.MessageObservedException):
        return "a fact with the same id was already asserted (the facts are not shown)"
    text = str(error)[:300]
    code = text.rsplit(":", 1)[-1].strip()
    meaning = _CODES.get(code)
    return f"{text} ({meaning})" if meaning else text


def _match(message: str) -> tuple[str, int]:
    """(rule name, fact variant) of one queued action.

    The message is the engine's JSON for ``{rule: {"m": fact}}``. The engine keeps
    the order riskreview gives a fact's properties (``id``, ``sid``, ``t``, ``l``,
    ``v``, then the rest; ``id`` holds digits and dots only), so the rule name is the
    first key and the variant the first ``,"v":``, read without decoding the fact.
    Anything else is decoded in full.
    """
    end = message.find('"', 2)
    at = message.find(',"v":', end)
    if message.startswith('{"') and at > 0 and message[at + 5 : at + 7] in ("0,", "1,", "0}", "1}"):
        return message[2:end], ord(message[at + 5]) - 48
    ((name, body),) = json.loads(message).items()
    fact = body.get("m", body)
    return name, int(fact["v"])


def _never_called(c: Any) -> None:
    """The action durable-rules requires for each rule; matches are read from the
    action queue instead, so this never runs."""
    raise EngineError("an engine action ran where none should")


class _Host(_durable.Host):  # type: ignore[misc]
    """A durable-rules Host with no timer threads and a fixed action table."""

    def __init__(self, actions: Mapping[str, Callable[[Any], None]]) -> None:
        self._actions_table = actions
        super().__init__()

    def _run(self) -> None:
        """Start no dispatch timers: evaluation is synchronous and single-threaded."""

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return self._actions_table[action_name]

    def load_ruleset(self, ruleset_name: str) -> Any:
        raise EngineError(f"ruleset {ruleset_name!r} is not loaded")


_serial = itertools.count(1)
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child inherits each engine's lock as it was at the fork. A lock held by
    another thread of the parent would never be released in the child (that thread
    does not exist there), and the engine's native state is half-way through that
    thread's case. So every lock is new, and an engine that was busy is retired: its
    owner builds a fresh one (:attr:`Engine.usable`)."""
    for engine in list(_ENGINES):
        if engine._lock.locked():
            engine._retired = True
        engine._lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


class Engine:
    """One compiled ruleset in its own Host, safe to share between threads.

    :meth:`run` asserts a case's facts, collects which rule matched which fact
    variant, and retracts every fact before returning, so nothing carries over.
    """

    def __init__(self, ruleset: dict[str, Any], rule_names: dict[str, str]) -> None:
        self._lock = threading.Lock()
        self._name = f"riskreview{next(_serial)}"
        self._sid = "rr"
        self._rule_names = rule_names  # engine rule name → policy rule id (for errors)
        actions = {name: _never_called for name in ruleset}
        self._host = _Host(actions)
        try:
            self._host.set_rulesets(copy.deepcopy({self._name: ruleset}))
        except Exception as error:
            raise EngineError(f"the engine rejected the compiled pack: {_explain(error)}") from None
        self._ruleset = self._host.get_ruleset(self._name)
        self._handle = self._ruleset._handle
        self._retired = False
        # durable-rules never frees a ruleset's native memory (about 10 MB for the
        # default pack); this engine owns its ruleset, so it frees it when collected
        finalizer = weakref.finalize(self, _native.delete_ruleset, self._handle)
        finalizer.atexit = False
        _ENGINES.add(self)

    @property
    def usable(self) -> bool:
        """False for an engine a forked child inherited mid-run (build a new one)."""
        return not self._retired

    def run(self, facts: list[dict[str, Any]], case_id: str | None = None) -> list[tuple[str, int]]:
        """Assert ``facts``, return (engine rule name, fact variant) for every match.

        Matches are read straight off the engine's action queue: no Python action
        runs, so nothing can be swallowed into the session state (edges 7 and 8),
        and each match costs one native call instead of durable's per-action
        state round trip. Every fact is retracted before returning.

        Every fact must come back through its lane's catch-all rule exactly once:
        the engine drops an oversized fact without a word (a case with 100,000
        children was decided empty), so a fact not accounted for is an
        :class:`EngineError`, never a quiet answer.
        """
        if self._retired:
            raise EngineError("this engine was inherited mid-run by a forked process")
        for fact in facts:
            fact["sid"] = self._sid
        # orjson: eight times faster than json here, and facts hold only ASCII keys
        # and integers, so the text differs from json.dumps only in spacing
        parts = [orjson.dumps(fact) for fact in facts]
        largest = max(map(len, parts), default=0)
        if largest > MAX_FACT_BYTES:
            # past ~13 MB the engine drops a fact without a word or crashes the process
            raise EngineError(
                f"the case is too large for the engine: one of its facts is {largest:,} "
                f"bytes, more than the {MAX_FACT_BYTES:,} the engine is known to hold",
                case_id=case_id,
            )
        text = (b"[" + b",".join(parts) + b"]").decode("ascii")
        with self._lock:
            matches: list[tuple[str, int]] = []
            state = None
            try:
                state = self._ruleset._handle_result(
                    _native.assert_facts(self._handle, text), facts
                )
                first = _native.start_action_for_state(self._handle, state)
                message = first[1] if first else None
                while message:
                    matches.append(_match(message))
                    message = _native.complete_and_start_action(self._handle, state)
            except BaseException as error:
                self._abandon(state, facts)
                if not isinstance(error, Exception):
                    raise  # KeyboardInterrupt, SystemExit: the caller's, not the engine's
                raise EngineError(
                    f"the engine failed: {_explain(error)}", case_id=case_id
                ) from None
            try:
                self._ruleset._handle_result(_native.retract_facts(self._handle, text), facts)
            except BaseException as error:
                self._abandon(None, facts)
                if not isinstance(error, Exception):
                    raise
                raise EngineError(
                    f"the engine failed to retract: {_explain(error)}", case_id=case_id
                ) from None
        _account(facts, matches, largest, case_id)
        return matches

    def _abandon(self, state: Any, facts: list[dict[str, Any]]) -> None:
        """After a failure: give up any action in progress, then retract what was asserted."""
        if state is not None:
            with contextlib.suppress(BaseException):
                _native.abandon_action(self._handle, state)
        self._recover(facts)

    def _recover(self, facts: list[dict[str, Any]]) -> None:
        """After a failed call, retract what may have been asserted, one fact at a time."""
        for fact in facts:
            try:
                self._host.retract_fact(self._name, fact)
            except BaseException:  # noqa: S112 - best effort: the fact may not be there
                continue

    def stored_facts(self) -> list[Any]:
        """Facts still held by the engine's session (always empty between calls).

        Raises :class:`EngineError` when the engine cannot say: an empty answer
        always means "no facts", never "could not look".
        """
        with self._lock:
            try:
                facts: list[Any] = self._host.get_facts(self._name, self._sid)
            except _native.error as error:
                if str(error).rstrip().endswith(": 309"):
                    return []  # the session does not exist yet: nothing was ever asserted
                raise EngineError(f"the engine cannot list its facts: {_explain(error)}") from None
            return facts

    def rule_id(self, engine_rule: str) -> str:
        """The policy rule id behind an engine rule name."""
        return self._rule_names.get(engine_rule, engine_rule)


def _account(
    facts: list[dict[str, Any]], matches: list[tuple[str, int]], largest: int, case_id: str | None
) -> None:
    """Check that the catch-all rule of every fact's lane matched it exactly once
    (``largest`` is the size of the largest fact, for the message)."""
    seen = Counter(m for m in matches if m[0].startswith("k"))
    expected = Counter((f"k{fact['l']}", fact["v"]) for fact in facts)
    if seen == expected:
        return
    lost = sum((expected - seen).values())
    extra = sum((seen - expected).values())
    raise EngineError(
        f"the engine did not account for every fact ({lost} of {len(facts)} not matched, "
        f"{extra} matched more than once; the largest fact is {largest:,} bytes): "
        "nothing is decided for this case",
        case_id=case_id,
    )
