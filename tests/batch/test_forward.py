"""A previous decision brought forward on its JSON is byte for byte what reading it
into a Decision, refreshing it and writing it again gives, or it is refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskreview
from riskreview import _forward
from riskreview._forward import Unusable, forward, forward_line
from riskreview._limits import MAX_DECISION_BYTES
from riskreview._refresh import bring_forward
from riskreview._structure import dumps
from riskreview._version import VERSION
from riskreview.batch import evaluate_many
from riskreview.decision import VALUE_DEPTH, Decision
from riskreview.errors import ArgumentValueError
from riskreview.synthetic import generate

DAY = date(2026, 11, 23)
TIERING = Path(__file__).resolve().parents[2] / "examples" / "packs" / "tiering"


@pytest.fixture(scope="module")
def lines() -> list[bytes]:
    """Decisions on 80 synthetic cases, as ``riskreview batch`` writes them."""
    cases = generate(80, seed=23, as_of=DAY)
    return [riskreview.evaluate(c, as_of=DAY).to_json().encode() for c in cases]


def _round_trip(line: bytes, day: date) -> bytes:
    """What reading the decision, refreshing it and writing it again gives."""
    return riskreview.refresh(Decision.from_json(line), day).to_json().encode()


def _days(line: bytes) -> list[date]:
    """Every day from the decision's own to the day before its stable_until (at most 40)."""
    until = json.loads(line).get("stable_until")
    last = date.fromisoformat(until) if until else DAY + timedelta(days=40)
    return [DAY + timedelta(days=n) for n in range(min((last - DAY).days, 40))]


@pytest.mark.parametrize("sealed", [False, True], ids=["checked", "sealed"])
def test_a_decision_brought_forward_on_its_json_is_the_refreshed_decision_on_every_day(
    lines: list[bytes], sealed: bool
) -> None:
    """Every line, checked in full or, from a sealed file, with its heavy parts kept
    as their bytes."""
    pack = riskreview.default_pack()
    compared = rolling = 0
    for line in lines:
        for day in _days(line):
            moved = forward_line(line, day, pack, VERSION, sealed=sealed)
            expected = _round_trip(line, day)
            assert moved.line == expected, (json.loads(line)["case_id"], day)
            data = json.loads(expected)
            assert (moved.case_id, moved.input_digest) == (data["case_id"], data["input_digest"])
            assert moved.codes == tuple(a["code"] for a in data["actions"])
            assert data["as_of"] == day.isoformat()
            compared += 1
        rolling += any("rolling" in a for a in json.loads(line)["actions"])
    assert compared > 300 and rolling > 10  # rolling due dates were among those compared


def test_the_library_s_own_decisions_take_the_field_by_field_path(lines: list[bytes]) -> None:
    """Every decision this library writes has the shape the fast path knows; when
    Decision.to_dict changes, this fails until _forward learns the new shape."""
    pack = riskreview.default_pack()
    for line in lines:
        moved = _forward._fast_line(line, DAY, pack, VERSION)
        assert moved is not None, json.loads(line)["case_id"]
        assert moved.line == _round_trip(line, DAY)


def test_the_skeleton_path_gives_the_same_bytes_as_the_field_by_field_path(
    lines: list[bytes],
) -> None:
    pack = riskreview.default_pack()
    later = DAY + timedelta(days=1)
    for line in lines:
        try:
            fast = forward_line(line, later, pack, VERSION)
        except Unusable:
            continue
        slow = forward(orjson.loads(line), later, pack, VERSION)
        assert dumps(slow).encode() == fast.line


def _with_rolling(lines: list[bytes]) -> dict[str, Any]:
    """A decision with a rolling action, a next review and a stable_until well ahead."""
    for line in lines:
        data = json.loads(line)
        until = data.get("stable_until")
        holds = until is None or date.fromisoformat(until) > DAY + timedelta(days=1)
        if holds and data["next_review"] and any("rolling" in a for a in data["actions"]):
            return data
    raise AssertionError("no decision with a rolling action in the caseload")


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _drop(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


_INFO = {
    "actions": ["CSC_ENQUIRY"],
    "code": "ASK_CHILDREN",
    "field": "children",
    "priority": "high",
    "rule_ids": ["CP-01"],
    "title": "Ask whether children live in the household",
}

MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "an unknown top key": _set(("extra",), 1),
    "an unknown action key": _set(("actions", 0, "extra"), 1),
    "an action without wording": _drop(("actions", 0, "wording")),
    "an action without evidence": _drop(("actions", 0, "evidence")),
    "evidence without a value": _drop(("actions", 0, "evidence", 0, "value")),
    "evidence with a number for a path": _set(("actions", 0, "evidence", 0, "path"), 3),
    "reasons that are not text": _set(("actions", 0, "reasons"), [1, 2]),
    "an empty reported": _set(("reported",), {}),
    "a rolling from_as_of true": _set(("actions", 0, "rolling", "from_as_of"), True),
    "a rolling unit unknown": _set(("actions", 0, "rolling", "unit"), "months"),
    "a rolling amount past the calendar": _set(("actions", 0, "rolling", "amount"), 10**8),
    "a stable_until of null": _set(("stable_until",), None),
    "a due date as an ISO week": _set(("actions", 0, "due_date"), "2026-W48-1"),
    "a due date that is no day": _set(("actions", 0, "due_date"), "2026-02-30"),
    "an unknown priority": _set(("actions", 0, "priority"), "whenever"),
    "an unknown status": _set(("actions", 0, "status"), "done"),
    "working days as text": _set(("actions", 0, "working_days"), "3"),
    "working days as a boolean": _set(("actions", 0, "working_days"), True),
    "an action that is a list": _set(("actions", 0), ["POLICE_DA_CHECK"]),
    "actions that are an object": _set(("actions",), {"code": "X"}),
    "a next review rolling false": _set(("next_review", "rolling"), False),
    "a next review without reasons": _drop(("next_review", "reasons")),
    "information with an unknown key": _set(("information",), [{"code": "X", "odd": 1}]),
    "a pack without a digest": _drop(("pack", "digest")),
    "no case id": _drop(("case_id",)),
    "an as_of that is no day": _set(("as_of",), "yesterday"),
    "an as_of with a time": _set(("as_of",), "2026-11-23T00:00:00"),
    "evidence with a decimal value": _set(("actions", 0, "evidence", 0, "value"), 0.5),
    "evidence with a float past 1e16": _set(("actions", 0, "evidence", 0, "value"), 1e16),
    "evidence with an object value": _set(("actions", 0, "evidence", 0, "value"), {"b": 1}),
    "working days past 64 bits": _set(("actions", 0, "working_days"), 2**70),
    "working days at 64 bits": _set(("actions", 0, "working_days"), 2**64 - 1),
    "an upcoming_within past 64 bits": _set(("upcoming_within",), 2**70),
    "a rolling amount past 64 bits": _set(("actions", 0, "rolling", "amount"), 2**64),
    "evidence with an integer past 64 bits": _set(("actions", 0, "evidence", 0, "value"), 2**64),
    "an empty unblocks": _set(("actions", 0, "unblocks"), []),
    "an unblocks": _set(("actions", 0, "unblocks"), ["CSC_ENQUIRY"]),
    "a next review rolling true": _set(("next_review", "rolling"), True),
    "an upcoming_within of null": _set(("upcoming_within",), None),
    "an upcoming_within": _set(("upcoming_within",), 14),
    "an upcoming_within as text": _set(("upcoming_within",), "14"),
    "a reported value": _set(("reported",), {"tier": {"value": "A1", "why": ["x"]}}),
    "information not held": _set(("information",), [_INFO | {"not_held": True}]),
    "information not held false": _set(("information",), [_INFO | {"not_held": False}]),
    "information ranked low": _set(("information",), [_INFO | {"priority": "low"}]),
    "a pack with a number for a version": _set(("pack", "version"), 2),
    "a trigger date of a number": _set(("actions", 0, "trigger_date"), 20261123),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_doctored_decision_is_refused_or_brought_forward_as_the_round_trip_would(
    lines: list[bytes], mutation: str
) -> None:
    data = copy.deepcopy(_with_rolling(lines))
    if "rolling" in mutation and "next review" not in mutation:
        first = next(i for i, a in enumerate(data["actions"]) if "rolling" in a)
        data["actions"].insert(0, data["actions"].pop(first))
    MUTATIONS[mutation](data)
    pack = riskreview.default_pack()
    later = DAY + timedelta(days=1)
    line = dumps(data).encode()  # as this library writes JSON
    try:
        expected: str | None = bring_forward(Decision.from_json(line), later, pack).to_json()
    except (riskreview.RiskReviewError, ValueError, ArithmeticError):
        expected = None
    try:  # a line the JSON reader reads otherwise than written (2**64 as a float)
        reread = orjson.dumps(orjson.loads(line), option=orjson.OPT_SORT_KEYS) == line
    except orjson.JSONEncodeError:
        reread = False
    if expected is None or not reread:
        with pytest.raises(Unusable) as refused:
            forward_line(line, later, pack, VERSION)
        assert refused.value.kind == "not_a_decision"
    else:
        assert forward_line(line, later, pack, VERSION).line.decode() == expected


#: The mutations of parts bringing forward never reads, which a line from a sealed
#: file keeps as its bytes, unchecked (the seal vouches for them)
_HEAVY_MUTATIONS = {m for m in MUTATIONS if m.startswith("evidence ")} | {
    "reasons that are not text",
    "an empty reported",
    "a reported value",
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_doctored_line_from_a_sealed_file_is_checked_but_for_its_heavy_parts(
    lines: list[bytes], mutation: str
) -> None:
    """Sealed, a line doctored anywhere bringing forward reads (a date, a status, a key
    out of place) is refused or brought forward exactly as when checked in full; one
    doctored in its evidence or reported values is refused, or brought forward with
    those parts as they are."""
    data = copy.deepcopy(_with_rolling(lines))
    MUTATIONS[mutation](data)
    pack = riskreview.default_pack()
    later = DAY + timedelta(days=1)
    line = dumps(data).encode()

    def outcome(sealed: bool) -> bytes | str:
        try:
            return forward_line(line, later, pack, VERSION, sealed=sealed).line
        except Unusable as refused:
            return refused.kind

    checked, sealed = outcome(False), outcome(True)
    if mutation not in _HEAVY_MUTATIONS or checked == sealed:
        assert sealed == checked
        return
    assert isinstance(sealed, bytes), sealed
    moved = json.loads(sealed)
    for key in ("evidence", "reasons", "sources", "wording"):
        by_code = {a["code"]: a.get(key) for a in data["actions"]}
        assert all(a.get(key) == by_code[a["code"]] for a in moved["actions"])
    assert moved.get("reported") == data.get("reported")


def test_a_line_that_is_not_canonical_json_is_not_brought_forward_as_json(
    lines: list[bytes],
) -> None:
    pretty = json.dumps(json.loads(lines[0]), indent=1).encode()
    with pytest.raises(Unusable, match="not canonical"):
        forward_line(pretty, DAY, riskreview.default_pack(), VERSION)
    with pytest.raises(Unusable, match="not JSON"):
        forward_line(b"{broken", DAY, riskreview.default_pack(), VERSION)


def _compact(data: Any) -> bytes:
    """``data`` as compact JSON, its keys in the order they stand (not sorted)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_line_whose_keys_are_out_of_order_anywhere_is_not_brought_forward(
    lines: list[bytes],
) -> None:
    """Keys out of order at the top, in an action, or in a mapping an evidence value
    holds: each is refused as not canonical (the fast path writes a structure's
    fields in their declared order and sorts only a mapping's keys)."""
    pack = riskreview.default_pack()
    data = json.loads(lines[0])
    assert _compact(data) == lines[0]  # compact JSON of the parsed line is the line itself
    top = dict(reversed(list(data.items())))
    action = copy.deepcopy(data)
    action["actions"][0] = dict(reversed(list(action["actions"][0].items())))
    value = copy.deepcopy(data)
    value["actions"][0]["evidence"][0]["value"] = {"b": 1, "a": 2}
    for unsorted in (top, action, value):
        with pytest.raises(Unusable, match="not canonical"):
            forward_line(_compact(unsorted), DAY, pack, VERSION)
    value["actions"][0]["evidence"][0]["value"] = {"a": 2, "b": 1}
    assert forward_line(_compact(value), DAY, pack, VERSION).line == _round_trip(
        _compact(value), DAY
    )


def test_lines_brought_forward_in_many_threads_at_once_are_those_brought_forward_alone(
    lines: list[bytes],
) -> None:
    """Each thread encodes into a buffer of its own."""
    pack = riskreview.default_pack()
    days = [DAY + timedelta(days=n) for n in range(8)]

    def all_lines(day: date) -> list[bytes | str]:
        out: list[bytes | str] = []
        for line in lines * 5:
            try:
                out.append(forward_line(line, day, pack, VERSION).line)
            except Unusable as why:
                out.append(why.kind)
        return out

    alone = [all_lines(day) for day in days]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(all_lines, days))
    assert together == alone
    assert len({tuple(x) for x in alone}) > 1  # the days gave different lines


def _kind(line: bytes, day: date, pack: Any = None, library: str = VERSION) -> str:
    with pytest.raises(Unusable) as refused:
        forward_line(line, day, pack or riskreview.default_pack(), library)
    return refused.value.kind


def test_each_reason_to_refuse_is_named(lines: list[bytes]) -> None:
    line = next(x for x in lines if json.loads(x).get("stable_until"))
    until = date.fromisoformat(json.loads(line)["stable_until"])
    assert _kind(line, until) == "expired"
    assert _kind(line, DAY - timedelta(days=1)) == "later"
    assert _kind(line, DAY, pack=riskreview.load_pack(TIERING)) == "other_pack"
    assert _kind(line, DAY, library="0.0.1") == "other_library"
    case = next(iter(generate(1, seed=23, as_of=DAY)))
    traced = riskreview.evaluate(case, as_of=DAY, trace=True).to_json().encode()
    assert _kind(traced, DAY) == "traced"


def test_a_float_not_written_as_this_library_writes_floats_is_not_brought_forward(
    lines: list[bytes],
) -> None:
    """``1e16`` is canonical for some JSON writers; this library writes ``1e+16``
    (``float.__repr__``), so a line holding ``1e16`` was written by another hand and
    a round trip would not give its bytes back."""
    data = copy.deepcopy(_with_rolling(lines))
    data["actions"][0]["evidence"][0]["value"] = 1e16
    written = dumps(data).encode()
    assert b"1e+16" in written
    pack = riskreview.default_pack()
    later = DAY + timedelta(days=1)
    expected = bring_forward(Decision.from_dict(data), later, pack).to_json().encode()
    assert forward_line(written, later, pack, VERSION).line == expected
    with pytest.raises(Unusable, match="not canonical"):
        forward_line(written.replace(b"1e+16", b"1e16"), later, pack, VERSION)


def _holding(lines: list[bytes], value: bytes) -> bytes:
    """A decision line whose first evidence value is the JSON text ``value``."""
    data = copy.deepcopy(_with_rolling(lines))
    data["actions"][0]["evidence"][0]["value"] = "__VALUE__"
    return dumps(data).encode().replace(b'"__VALUE__"', value, 1)


def _brought_forward_or_refused(line: bytes, day: date) -> str:
    """Bring ``line`` forward: the round trip's bytes, or refused (always, when the
    round trip refuses it); nothing else."""
    try:
        expected: bytes | None = _round_trip(line, day)
    except (riskreview.RiskReviewError, ValueError, ArithmeticError):
        expected = None
    except RecursionError:  # too deep for the objects; the skeleton never reads it so
        expected = b"too deep"
    try:
        moved = forward_line(line, day, riskreview.default_pack(), VERSION)
    except Unusable as why:
        return why.kind
    if expected == b"too deep":
        assert orjson.loads(moved.line)["as_of"] == day.isoformat()
    else:
        assert moved.line == expected
    return "brought forward"


@pytest.mark.parametrize("depth", [1, 2, 3, 10, 32, 33, 300, 500, 990, 1025, 100_000])
def test_a_previous_line_nested_deep_is_brought_forward_or_refused_never_raising(
    lines: list[bytes], depth: int
) -> None:
    """A value nested deeper than a case's fields nest goes the slower way; deeper than
    a decision may hold (``VALUE_DEPTH``), it is refused, as reading it back refuses it."""
    line = _holding(lines, b"[" * depth + b"]" * depth)
    outcome = _brought_forward_or_refused(line, DAY + timedelta(days=1))
    assert outcome == ("brought forward" if depth <= VALUE_DEPTH else "not_a_decision")
    fast = _forward._fast_line(line, DAY + timedelta(days=1), riskreview.default_pack(), VERSION)
    assert (fast is not None) == (depth <= 2)


@pytest.mark.parametrize(
    "value",
    [b"NaN", b"Infinity", b"9" * 5000, b"1e999", b'"\\ud800"', b'"\xff\xfe"', b'"\\u0000"', b"-0"],
)
def test_a_previous_line_with_an_odd_value_is_brought_forward_or_refused(
    lines: list[bytes], value: bytes
) -> None:
    _brought_forward_or_refused(_holding(lines, value), DAY + timedelta(days=1))


#: What a hand might put into a line: JSON's own marks, numbers past 64 bits, a float
#: as another writer writes it, a day that is no day.
_TOKENS = [b"[", b"]", b"{", b"}", b'"', b",", b":", b"null", b"true", b"\\", b"\\u0000", b"\xff"]
_TOKENS += [b"1e16", b"0.5", b"-0", b"99999999999999999999999", b"18446744073709551615"]
_TOKENS += [b"9223372036854775808", b'"2026-02-30"', b'"x"']


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_previous_line_damaged_anywhere_is_brought_forward_or_refused(
    lines: list[bytes], data: st.DataObject
) -> None:
    """Bytes cut, dropped, doubled, replaced or put in anywhere in a decision's line
    (60,000 such lines were put to it once, by the same rules: each was brought
    forward as the round trip writes it, or refused)."""
    line = data.draw(st.sampled_from(lines[:20]))
    at = data.draw(st.integers(0, len(line) - 1))
    kind = data.draw(st.sampled_from(["cut", "drop", "double", "replace", "insert"]))
    if kind == "cut":
        damaged = line[:at]
    elif kind == "drop":
        damaged = line[:at] + line[at + 1 :]
    elif kind == "double":
        damaged = line[: at + 1] + line[at:]
    elif kind == "replace":
        damaged = line[:at] + bytes([data.draw(st.integers(0, 255))]) + line[at + 1 :]
    else:
        damaged = line[:at] + data.draw(st.sampled_from(_TOKENS)) + line[at:]
    _brought_forward_or_refused(damaged, DAY + timedelta(days=1))


def test_a_rolling_review_brought_forward_by_its_action_moves_with_that_action(
    lines: list[bytes],
) -> None:
    """A next review that rolls because the review action brought it forward is on the
    day that action falls due, on each later day, on the JSON and through objects."""
    pack = riskreview.default_pack()
    assert pack.review is not None
    data = copy.deepcopy(_with_rolling(lines))
    action = next(a for a in data["actions"] if "rolling" in a)
    action.update(code=pack.review.action, rolling={"amount": 5, "unit": "days"})
    others = [a for a in data["actions"] if a is not action and a["code"] != pack.review.action]
    data["actions"] = [action, *others]
    data["next_review"].update(rolling=True, brought_forward_by=action["rule_ids"])
    line = dumps(data).encode()
    for days in (1, 2):  # within its stable_until
        later = DAY + timedelta(days=days)
        for moved in (
            json.loads(forward_line(line, later, pack, VERSION).line),
            riskreview.refresh(Decision.from_json(line), later, pack).to_dict(),
        ):
            assert moved["next_review"]["date"] == (later + timedelta(days=5)).isoformat()
    data["next_review"]["brought_forward_by"] = []  # rolling, but not by the action: today
    moved = json.loads(forward_line(dumps(data).encode(), later, pack, VERSION).line)
    assert moved["next_review"]["date"] == later.isoformat()


def test_a_huge_previous_line_does_not_leave_its_buffer_behind(lines: list[bytes]) -> None:
    """The buffer a line was encoded in is kept for the next line only while small:
    one a huge line grew is let go at the next line, an ordinary one is used again."""
    pack = riskreview.default_pack()
    data = json.loads(lines[0])
    data["actions"][0]["evidence"][0]["value"] = "x" * (4 << 20)
    huge = _compact(data)
    assert forward_line(huge, DAY, pack, VERSION).line == _round_trip(huge, DAY)
    grown = _forward._BUFFERS.buffer
    assert len(grown) > 4 << 20
    forward_line(lines[0], DAY, pack, VERSION)
    ordinary = _forward._BUFFERS.buffer
    assert ordinary is not grown and len(ordinary) < 1 << 20
    forward_line(lines[1], DAY, pack, VERSION)
    assert _forward._BUFFERS.buffer is ordinary


def test_a_line_longer_than_any_decision_is_refused_unread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """orjson's writer crashes the process on some values of a few hundred MB (a list
    of 120 million numbers, 240 MB written): a previous line that long must never be
    read, nor written back to be compared. Past the limit it is refused by its length
    alone (the readers are made to fail if called), and its case evaluated, also in
    this process (``workers=0``, where a crash would end the batch)."""
    decision = riskreview.evaluate({"case_id": "BIG"}, as_of=DAY)
    line = decision.to_json().encode()
    long = line[:-1] + b',"padding":"' + b"x" * MAX_DECISION_BYTES + b'"}'

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a line past the limit was read")

    monkeypatch.setattr(_forward.orjson, "loads", never)
    monkeypatch.setattr(_forward, "_DECODE", never)
    with pytest.raises(Unusable) as refused:
        forward_line(long, DAY + timedelta(days=1), riskreview.default_pack(), VERSION)
    assert refused.value.kind == "not_a_decision"
    assert refused.value.detail == f"{len(long):,} bytes, longer than any decision"
    monkeypatch.undo()
    (again,) = evaluate_many(
        [{"case_id": "BIG"}], DAY + timedelta(days=1), workers=0,
        previous={"BIG": long.decode()},
    )
    assert again.status == "ok"
    with pytest.raises(ArgumentValueError, match="more than the 16,777,216 bytes"):
        Decision.from_json(long)
