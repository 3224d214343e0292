"""Bringing a previous decision's JSON forward to a later day, cheaply.

A nightly scan brings most of its previous decisions forward
(:func:`riskreview.refresh`): every status recomputed, every rolling date moved.
Reading each decision into objects and writing it out again cost more than the
rest of the rescan; here the decision's JSON line is brought forward instead,
and the answer is byte for byte what that round trip writes:

* a line of exactly the shape this library's ``Decision.to_dict`` writes, and
  written exactly as it writes it, is read into plain structures that mirror that
  shape (msgspec checks every key and type as it reads, in C), brought forward
  field by field as :func:`~riskreview._refresh.bring_forward` does it, and
  written again (a test holds the two equal on every day of many decisions'
  spans, and fails when the shape changes);
* any other canonical JSON line (another library version's, a line written by
  hand) goes through a *skeleton*: everything but the heavy parts (each action's
  evidence, reasons, sources, wording and rule ids, and the reported values,
  which never move) through ``Decision.from_dict``, ``bring_forward`` and
  ``to_dict``, with the heavy parts put back as that round trip would write them.

A line is used only if it is canonical JSON (checked by writing its data back
and comparing the bytes), so that the same writer gives the same bytes.
"""

from __future__ import annotations

import functools
import threading
from datetime import date
from typing import Annotated, Any, Generic, Literal, NamedTuple, TypeVar

import msgspec
import orjson

from riskreview._assemble import sort_key
from riskreview._limits import MAX_DECISION_BYTES
from riskreview._refresh import bring_forward, refusal, rolling_review
from riskreview._runtime import calendar_for
from riskreview._stable import after
from riskreview.calendar import Calendar, Status
from riskreview.decision import Decision, Priority, Timing, nests_within
from riskreview.errors import RiskReviewError
from riskreview.pack import Pack

__all__ = ["Moved", "Unusable", "forward", "forward_line"]

#: What each action carries that bringing it forward never reads nor changes.
_HEAVY = ("evidence", "reasons", "rule_ids", "sources", "wording")

#: What bringing a line forward may raise on data of a decision's shape that no
#: decision has (a date the calendar cannot count to, say).
_ODD = (ArithmeticError, LookupError, TypeError, ValueError)


class Unusable(Exception):
    """Why a previous decision cannot be brought forward.

    ``kind`` is ``not_a_decision`` (not JSON, or not of a decision's shape),
    ``other_pack``, ``other_library``, ``traced``, ``later`` (made after the day
    asked for) or ``expired`` (its ``stable_until`` has come: the usual reason);
    ``detail`` is one line naming the case id at most.
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail or kind)
        self.kind = kind
        self.detail = detail or kind


class Moved(NamedTuple):
    """A previous decision brought forward: its new line (canonical JSON, without a
    newline), and the case id, input digest and action codes it holds."""

    line: bytes
    case_id: str
    input_digest: str
    codes: tuple[str, ...]


def forward_line(
    raw: bytes, as_of: date, pack: Pack, library: str, *, sealed: bool = False
) -> Moved:
    """A previous decision's canonical JSON line (without its newline) brought
    forward to ``as_of``. Raises :class:`Unusable`. ``sealed``: the line is from a
    file its seal vouches for (:mod:`riskreview._seal`), so the parts bringing
    forward never reads are not checked again."""
    if len(raw) > MAX_DECISION_BYTES:
        raise Unusable("not_a_decision", f"{len(raw):,} bytes, longer than any decision")
    try:
        moved = _fast_line(raw, as_of, pack, library, sealed)
    except _ODD as error:
        raise Unusable("not_a_decision", f"{type(error).__name__} bringing it forward") from None
    except RecursionError:  # nested deeper than the structures are read: the slower path
        moved = None
    if moved is not None:
        return moved
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Unusable("not_a_decision", "not JSON") from None
    try:
        canonical = orjson.dumps(data, option=orjson.OPT_SORT_KEYS) == raw
    except orjson.JSONEncodeError:  # read, but nested too deep to be written again
        canonical = False
    if not canonical:
        raise Unusable("not_a_decision", "not canonical JSON")
    data = forward(data, as_of, pack, library)
    codes = tuple(action["code"] for action in data["actions"])
    line = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    return Moved(line, data["case_id"], data["input_digest"], codes)


def forward(data: Any, as_of: date, pack: Pack, library: str) -> dict[str, Any]:
    """``bring_forward(Decision.from_dict(data), as_of, pack).to_dict()``, with the
    same checks as a rescan makes (:func:`riskreview._refresh.refusal`, the library
    version), through a skeleton of the decision: the heavy parts are never read
    into objects. Raises :class:`Unusable`. ``data`` may be changed in place.
    """
    try:
        return _skeleton(data, as_of, pack, library)
    except _ODD as error:
        raise Unusable("not_a_decision", f"{type(error).__name__} bringing it forward") from None


def _skeleton(data: Any, as_of: date, pack: Pack, library: str) -> dict[str, Any]:
    if type(data) is not dict:
        raise Unusable("not_a_decision", "not a JSON object")
    actions = data.get("actions")
    if type(actions) is not list:
        raise Unusable("not_a_decision", "no list of actions")
    heavy: dict[Any, tuple[Any, ...]] = {}
    light = []
    for action in actions:
        if type(action) is not dict:
            raise Unusable("not_a_decision", "an action is not a JSON object")
        code = action.get("code")
        parts = _heavy(action)
        if code in heavy or parts is None:
            raise Unusable("not_a_decision", "an action is not of a decision's shape")
        heavy[code] = parts
        light.append({k: v for k, v in action.items() if k not in _HEAVY})
    reported = data.get("reported")
    if "reported" in data and type(reported) is not dict:
        raise Unusable("not_a_decision", "reported is not a JSON object of values")
    if reported and not all(map(nests_within, reported.values())):
        raise Unusable("not_a_decision", "a reported value nests deeper than a decision's")
    skeleton = {k: v for k, v in data.items() if k != "reported"}
    skeleton["actions"] = light
    try:
        decision = Decision.from_dict(skeleton)
    except RiskReviewError as error:
        raise Unusable("not_a_decision", str(error)) from None
    _check(decision, as_of, pack, library)
    moved = bring_forward(decision, as_of, pack).to_dict()
    for action in moved["actions"]:
        action.update(zip(_HEAVY, heavy[action["code"]], strict=True))
    if reported:  # an empty one is left out, as Decision.to_dict leaves it out
        moved["reported"] = reported
    return moved


def _heavy(action: dict[str, Any]) -> tuple[Any, ...] | None:
    """The heavy parts of ``action`` (in the order of ``_HEAVY``) as a Decision read
    from it writes them back, or None where reading it would fail."""
    lists = [action.get(key, []) for key in ("reasons", "rule_ids", "sources")]
    if not all(_list(values) for values in lists):
        return None
    wording = action.get("wording", "")
    evidence = action.get("evidence", [])
    if type(wording) is not str or type(evidence) is not list:
        return None
    if not all(type(e) is dict and type(e.get("path")) is str for e in evidence):
        return None
    if not all(nests_within(e.get("value")) for e in evidence):
        return None
    evidence = [{"path": e["path"], "value": e.get("value")} for e in evidence]
    return (evidence, *lists, wording)


def _list(values: Any) -> bool:
    """Whether ``values`` is a JSON list of texts."""
    return type(values) is list and all(type(value) is str for value in values)


def _check(decision: Decision, as_of: date, pack: Pack, library: str) -> None:
    reason = refusal(decision, as_of, pack)
    if reason is None:
        if decision.library_version != library:
            raise Unusable(
                "other_library",
                f"decision for case {decision.case_id} was made by riskreview "
                f"{decision.library_version}, not {library}: evaluate the case again",
            )
        return
    if decision.pack.digest != pack.digest:
        raise Unusable("other_pack", reason)
    if decision.trace is not None:
        raise Unusable("traced", reason)
    raise Unusable("later" if as_of < decision.as_of else "expired", reason)


# ---------------------------------------------- the shape this library writes
#
# Each structure below is one object of the JSON ``Decision.to_dict`` writes, field
# for field: decoding a line into them (msgspec, in C) checks every key and type at
# once, so that reading and checking a line costs less than reading it into dicts
# did. A field that ``to_dict`` leaves out when empty or false is ``UNSET`` when
# absent, and refused when present with the value that would be left out. A test
# fails when ``Decision.to_dict`` writes a shape these do not take.

_Unset = msgspec.UnsetType
_NonEmpty = Annotated[list[str], msgspec.Meta(min_length=1)]
#: A value a decision reports (evidence, a reported value): from a case's fields,
#: so a few levels deep at most. Anything deeper goes the slower way, where the
#: JSON reader's own limits apply as when a decision is read back. So does a
#: float: this library writes floats as ``float.__repr__`` does (``1e+16``), which
#: msgspec does not (``1e16``), so the check of a line's bytes could not tell a
#: float written by another hand. An integer beyond 64 bits goes the slower way too
#: (the JSON reader reads one past 2**64 as a float).
_Int = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
_Scalar = str | _Int | bool | None
_Inner = _Scalar | list[_Scalar] | dict[str, _Scalar]
_Value = _Scalar | list[_Inner] | dict[str, _Inner]


class _Evidence(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    path: str
    value: _Value


class _Rolling(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    amount: _Int
    from_as_of: bool | _Unset = msgspec.UNSET  # false only: true is left out
    unit: Literal["days", "weeks", "working_days"]


#: How an action's heavy parts are read (evidence, reasons and sources, wording; see
#: ``_HEAVY``): each checked as it is read, or, from a sealed file, kept as its bytes
_E = TypeVar("_E")
_T = TypeVar("_T")
_W = TypeVar("_W")
#: How an action, and the reported values, are read
_A = TypeVar("_A")
_R = TypeVar("_R")


class _Action(
    msgspec.Struct,
    Generic[_E, _T, _W],
    forbid_unknown_fields=True,
    kw_only=True,
    omit_defaults=True,
):
    area: str
    code: str
    due_date: date
    evidence: _E
    priority: Priority
    reasons: _T
    rolling: _Rolling | _Unset = msgspec.UNSET
    rule_ids: list[str]
    sources: _T
    status: Status
    timing: Timing
    title: str
    trigger_date: date | None
    unblocks: _NonEmpty | _Unset = msgspec.UNSET
    wording: _W
    working_days: _Int


class _Information(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    actions: list[str]
    code: str
    field: str
    not_held: bool | _Unset = msgspec.UNSET  # true only: false is left out
    priority: Priority
    rule_ids: list[str]
    title: str


class _Review(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    brought_forward_by: list[str]
    date: date
    reasons: list[str]
    rolling: bool | _Unset = msgspec.UNSET  # true only: false is left out
    would_bring_forward: list[str]


class _PackRef(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    digest: str
    name: str
    policy_period: date
    version: str


class _Decision(
    msgspec.Struct,
    Generic[_A, _R],
    forbid_unknown_fields=True,
    kw_only=True,
    omit_defaults=True,
):
    actions: list[_A]
    as_of: date
    case_id: str
    information: list[_Information]
    input_digest: str
    library_version: str
    next_review: _Review | None
    pack: _PackRef
    reported: _R | _Unset = msgspec.UNSET
    stable_until: date | _Unset = msgspec.UNSET
    upcoming_within: _Int | _Unset = msgspec.UNSET


_Reported = Annotated[dict[str, dict[str, _Value]], msgspec.Meta(min_length=1)]
#: A line read with every key and type checked.
_DECODE = msgspec.json.Decoder(
    _Decision[_Action[list[_Evidence], list[str], str], _Reported]
).decode
#: A line of a sealed file (:mod:`riskreview._seal`: the file is, byte for byte, what a
#: batch wrote): its heavy parts and reported values, which bringing forward never
#: reads, are kept as their bytes, unchecked, and written back as they are.
_DECODE_SEALED = msgspec.json.Decoder(
    _Decision[_Action[msgspec.Raw, msgspec.Raw, msgspec.Raw], msgspec.Raw]
).decode
#: Each structure declares its fields in sorted order, so "deterministic" (only a
#: mapping's keys sorted) writes the bytes "sorted" writes, sooner; a field declared
#: out of order would send every line the slower way, never write a wrong one (the
#: canonical check compares the bytes). Written into a buffer kept by the thread:
#: a new 10 KB ``bytes`` for each of a line's two encodings cost a third of them.
_ENCODER = msgspec.json.Encoder(order="deterministic")
_BUFFERS = threading.local()
#: Bytes of a thread's buffer kept for the next line: one grown past it by a huge
#: line is dropped at the next use, not held for the thread's life.
_KEEP = 1 << 20


def _encoded(decision: _Decision[Any, Any]) -> bytearray:
    """``decision`` as canonical JSON, in this thread's buffer (until its next use)."""
    buffer: bytearray | None = getattr(_BUFFERS, "buffer", None)
    if buffer is None or len(buffer) > _KEEP:
        buffer = _BUFFERS.buffer = bytearray()
    _ENCODER.encode_into(decision, buffer)
    return buffer


def _fast_line(
    raw: bytes, as_of: date, pack: Pack, library: str, sealed: bool = False
) -> Moved | None:
    """:func:`forward_line` on a line of exactly the shape ``Decision.to_dict`` writes,
    as :func:`bring_forward` does it, field by field (a test holds the two equal on
    every day of many decisions' spans); None for any other line. ``sealed``: the
    heavy parts and reported values are kept as their bytes (:data:`_DECODE_SEALED`)."""
    try:
        decision = (_DECODE_SEALED if sealed else _DECODE)(raw)
    except msgspec.MsgspecError:
        return None
    if _encoded(decision) != raw or not _left_out(decision):
        return None  # not as this library writes it: the slower path decides
    if decision.pack.digest != pack.digest:
        raise Unusable("other_pack", f"decision for case {decision.case_id}: another pack")
    if as_of < decision.as_of:
        raise Unusable("later", f"decision for case {decision.case_id}: made after {as_of}")
    until = decision.stable_until
    if until is not msgspec.UNSET and as_of >= until:
        raise Unusable("expired", f"decision for case {decision.case_id}: stable until {until}")
    if decision.library_version != library:
        raise Unusable("other_library", f"decision for case {decision.case_id}: another library")
    calendar = calendar_for(pack)
    within = decision.upcoming_within
    horizon = None if within is msgspec.UNSET else within
    for action in decision.actions:
        rolling = action.rolling
        if rolling is not msgspec.UNSET:
            action.due_date = after(as_of, rolling.amount, rolling.unit, calendar)
            action.trigger_date = None if rolling.from_as_of is False else as_of
        due = action.due_date
        action.status, action.working_days = _status(calendar, due, as_of)
        action.timing = Timing.of(action.status, due, as_of, horizon)
    decision.actions.sort(key=sort_key)
    review = decision.next_review
    if review is not None and review.rolling is True:
        review.date = rolling_review(decision.actions, review.brought_forward_by, as_of, pack)
    decision.as_of = as_of
    codes = tuple(a.code for a in decision.actions)
    return Moved(bytes(_encoded(decision)), decision.case_id, decision.input_digest, codes)


def _left_out(decision: _Decision[Any, Any]) -> bool:
    """Whether each flag ``Decision.to_dict`` writes only with one value has that value."""
    for action in decision.actions:
        if action.rolling is not msgspec.UNSET and action.rolling.from_as_of is True:
            return False
    if any(i.not_held is False for i in decision.information):
        return False
    review = decision.next_review
    return review is None or review.rolling is not False


@functools.lru_cache(maxsize=8192)
def _status(calendar: Calendar, due: date, as_of: date) -> tuple[Status, int]:
    """``calendar.status`` as a pair (a caseload's actions share a few due dates)."""
    status = calendar.status(due, as_of)
    return status.status, status.working_days
