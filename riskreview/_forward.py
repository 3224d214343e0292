"""Bringing a previous decision's JSON forward to a later day, cheaply.

A nightly scan brings most of its previous decisions forward
(:func:`riskreview.refresh`): every status recomputed, every rolling date moved.
Reading each decision into objects and writing it out again cost more than the
rest of the rescan; here the decision's JSON data is brought forward instead,
and the answer is byte for byte what that round trip writes:

* data of exactly the shape this library's ``Decision.to_dict`` writes (checked
  key by key and type by type) is brought forward field by field, as
  :func:`~riskreview._refresh.bring_forward` does it (a test holds the two equal
  on every day of many decisions' spans, and fails when the shape changes);
* any other data (another library version's, a line written by hand) goes
  through a *skeleton*: everything but the heavy parts (each action's evidence,
  reasons, sources, wording and rule ids, and the reported values, which never
  move) through ``Decision.from_dict``, ``bring_forward`` and ``to_dict``, with
  the heavy parts put back as that round trip would write them.

A line is used only if it is canonical JSON (checked by writing its data back
and comparing the bytes), so that the same writer gives the same bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs
import orjson

from riskreview._packmodel import PRIORITIES
from riskreview._refresh import bring_forward, refusal
from riskreview._runtime import calendar_for
from riskreview._stable import after
from riskreview.calendar import Calendar, Status
from riskreview.decision import Decision, InformationAction, RequiredAction
from riskreview.errors import RiskReviewError
from riskreview.pack import Pack

__all__ = ["Unusable", "forward", "forward_line"]

#: What each action carries that bringing it forward never reads nor changes.
_HEAVY = ("evidence", "reasons", "rule_ids", "sources", "wording")
_EVIDENCE = frozenset(("path", "value"))


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


def forward_line(raw: bytes, as_of: date, pack: Pack, library: str) -> tuple[bytes, dict[str, Any]]:
    """A previous decision's canonical JSON line (without its newline) brought
    forward to ``as_of``: the new line's bytes, and its data. Raises
    :class:`Unusable`."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Unusable("not_a_decision", "not JSON") from None
    if orjson.dumps(data, option=orjson.OPT_SORT_KEYS) != raw:
        raise Unusable("not_a_decision", "not canonical JSON")
    moved = forward(data, as_of, pack, library)
    return orjson.dumps(moved, option=orjson.OPT_SORT_KEYS), moved


def forward(data: Any, as_of: date, pack: Pack, library: str) -> dict[str, Any]:
    """``bring_forward(Decision.from_dict(data), as_of, pack).to_dict()``, with the
    same checks as a rescan makes (:func:`riskreview._refresh.refusal`, the library
    version). Raises :class:`Unusable`. ``data`` may be changed in place.

    Data of exactly the shape this library's ``Decision.to_dict`` writes is brought
    forward field by field; any other (an older or newer library's, say) through a
    skeleton of the decision: the heavy parts are never read into objects.
    """
    try:
        if type(data) is dict and "trace" not in data:
            try:
                return _fast(data, as_of, pack, library, calendar_for(pack))
            except _Shape:
                pass
        return _skeleton(data, as_of, pack, library)
    except (ArithmeticError, LookupError, TypeError, ValueError) as error:
        # a date the calendar cannot count to, say: nothing is carried over
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
    evidence = [{"path": e["path"], "value": e.get("value")} for e in evidence]
    return (evidence, *lists, wording)


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

_TOP = frozenset(
    {"actions", "as_of", "case_id", "information", "input_digest", "library_version"}
    | {"next_review", "pack"}
)
#: Whether this library's decisions carry each action's timing against a horizon
#: (``timing``, ``upcoming_within``), what an action unblocks, and ranked
#: information (``actions``, ``priority``): read from the model, so that the shape
#: checked here is the one ``Decision.to_dict`` writes.
_TIMED = "timing" in attrs.fields_dict(RequiredAction)
_UNBLOCKS = "unblocks" in attrs.fields_dict(RequiredAction)
_RANKED = "priority" in attrs.fields_dict(InformationAction)
_HORIZON = "upcoming_within" in attrs.fields_dict(Decision)
_TOP_MORE = _TOP | {"reported", "stable_until"} | ({"upcoming_within"} if _HORIZON else set())
_ACTION = frozenset(
    {"area", "code", "due_date", "evidence", "priority", "reasons", "rule_ids", "sources"}
    | {"status", "title", "trigger_date", "wording", "working_days"}
    | ({"timing"} if _TIMED else set())
)
_ACTION_MORE = _ACTION | {"rolling"} | ({"unblocks"} if _UNBLOCKS else set())
_PACK = frozenset(("digest", "name", "policy_period", "version"))
_INFORMATION = frozenset(("code", "field", "rule_ids", "title")) | (
    {"actions", "priority"} if _RANKED else set()
)
_TIMINGS = frozenset(("overdue", "due_now", "upcoming"))
_REVIEW = frozenset(("brought_forward_by", "date", "reasons", "would_bring_forward"))
_REVIEW_ROLLING = _REVIEW | {"rolling"}
_STATUSES = frozenset(s.value for s in Status)
_UNITS = frozenset(("days", "weeks", "working_days"))


class _Shape(Exception):
    """Not exactly the shape :meth:`Decision.to_dict` writes today."""


def _fast(
    data: dict[str, Any], as_of: date, pack: Pack, library: str, calendar: Calendar
) -> dict[str, Any]:
    """:func:`forward` on data of exactly the shape ``Decision.to_dict`` writes,
    as :func:`bring_forward` does it, field by field (a test holds the two equal
    on every day of many decisions' spans); :class:`_Shape` for any other data."""
    _check_top(data)
    if "trace" in data:
        raise Unusable("traced", f"decision for case {data['case_id']}: traced")
    if data["pack"]["digest"] != pack.digest:
        raise Unusable("other_pack", f"decision for case {data['case_id']}: another pack")
    made = _iso(data["as_of"])
    if as_of < made:
        raise Unusable("later", f"decision for case {data['case_id']}: made after {as_of}")
    until = data.get("stable_until")
    if until is not None and as_of >= _iso(until):
        raise Unusable("expired", f"decision for case {data['case_id']}: stable until {until}")
    if data["library_version"] != library:
        raise Unusable("other_library", f"decision for case {data['case_id']}: another library")
    dues = [_check_action(action) for action in data["actions"]]
    within = data.get("upcoming_within")
    keyed = []
    day = as_of.isoformat()
    for action, fixed in zip(data["actions"], dues, strict=True):
        rolling = action.get("rolling")
        due = fixed
        if rolling is not None:
            due = after(as_of, rolling["amount"], rolling["unit"], calendar)
            action["due_date"] = due.isoformat()
            action["trigger_date"] = day if "from_as_of" not in rolling else None
        status, action["working_days"] = _status(calendar, due, as_of)
        action["status"] = status
        upcoming = False
        if _TIMED:  # as Timing.of: overdue, else due now within the horizon, else upcoming
            near = within is None or (due - as_of).days <= within
            timing = "overdue" if status == "overdue" else "due_now" if near else "upcoming"
            action["timing"] = timing
            upcoming = timing == "upcoming"
        key = (upcoming, PRIORITIES.index(action["priority"]), due, action["code"])
        keyed.append((key, action))
    keyed.sort(key=_first)
    data["actions"] = [action for _, action in keyed]
    review = data["next_review"]
    if review is not None and review.get("rolling"):
        code = pack.review.action if pack.review is not None else None
        brought = next(
            (a for a in data["actions"] if review["brought_forward_by"] and a["code"] == code),
            None,
        )
        review["date"] = brought["due_date"] if brought is not None else day
    data["as_of"] = day
    return data


@functools.lru_cache(maxsize=8192)
def _status(calendar: Calendar, due: date, as_of: date) -> tuple[str, int]:
    """``calendar.status`` as JSON values (a caseload's actions share a few due dates)."""
    status = calendar.status(due, as_of)
    return status.status.value, status.working_days


def _first(
    pair: tuple[tuple[bool, int, date, str], dict[str, Any]],
) -> tuple[bool, int, date, str]:
    return pair[0]


def _check_top(data: dict[str, Any]) -> None:
    keys = data.keys()
    if not (_TOP <= keys <= _TOP_MORE):
        raise _Shape
    if not _texts((data["case_id"], data["input_digest"], data["library_version"])):
        raise _Shape
    pack = data["pack"]
    if type(pack) is not dict or pack.keys() != _PACK or not _texts(pack.values()):
        raise _Shape
    _iso(pack["policy_period"])
    if "reported" in keys and (type(data["reported"]) is not dict or not data["reported"]):
        raise _Shape  # an empty one is left out: it would not come back
    if "stable_until" in keys:
        _iso(data["stable_until"])
    if "upcoming_within" in keys and type(data["upcoming_within"]) is not int:
        raise _Shape  # None is left out: it would not come back
    if type(data["actions"]) is not list or type(data["information"]) is not list:
        raise _Shape
    for item in data["information"]:
        if type(item) is not dict or item.keys() != _INFORMATION:
            raise _Shape
        if not _texts((item["code"], item["field"], item["title"])) or not _list(item["rule_ids"]):
            raise _Shape
        if _RANKED and not (_list(item["actions"]) and item["priority"] in PRIORITIES):
            raise _Shape
    review = data["next_review"]
    if review is not None:
        if type(review) is not dict:
            raise _Shape
        if review.keys() != _REVIEW and not (
            review.keys() == _REVIEW_ROLLING and review["rolling"] is True
        ):
            raise _Shape  # rolling false is left out: it would not come back
        _iso(review["date"])
        for key in ("brought_forward_by", "reasons", "would_bring_forward"):
            if not _list(review[key]):
                raise _Shape


def _check_action(action: Any) -> date:
    """The action's due date, once its shape is checked."""
    if type(action) is not dict:
        raise _Shape
    keys = action.keys()
    if not (_ACTION <= keys <= _ACTION_MORE):
        raise _Shape
    if "unblocks" in keys and not (_list(action["unblocks"]) and action["unblocks"]):
        raise _Shape  # an empty list is left out: it would not come back
    if _TIMED and action["timing"] not in _TIMINGS:
        raise _Shape
    if not _texts((action["area"], action["code"], action["title"], action["wording"])):
        raise _Shape
    if action["priority"] not in PRIORITIES or action["status"] not in _STATUSES:
        raise _Shape
    if type(action["working_days"]) is not int:
        raise _Shape
    if not (_list(action["reasons"]) and _list(action["rule_ids"]) and _list(action["sources"])):
        raise _Shape
    evidence = action["evidence"]
    if type(evidence) is not list or not all(map(_is_evidence, evidence)):
        raise _Shape
    if action["trigger_date"] is not None:
        _iso(action["trigger_date"])
    if "rolling" in keys:
        rolling = action["rolling"]
        if type(rolling) is not dict or not ({"amount", "unit"} <= rolling.keys()):
            raise _Shape
        if rolling.keys() - {"amount", "unit", "from_as_of"}:
            raise _Shape
        if type(rolling["amount"]) is not int or rolling["unit"] not in _UNITS:
            raise _Shape
        if rolling.get("from_as_of", False) is not False:
            raise _Shape  # true is left out: it would not come back
    return _iso(action["due_date"])


def _is_evidence(item: Any) -> bool:
    return type(item) is dict and item.keys() == _EVIDENCE and type(item["path"]) is str


def _iso(value: Any) -> date:
    """The date ``value`` names, when it is exactly that date's ISO text."""
    day = _DAYS.get(value) if type(value) is str else None
    if day is not None:
        return day
    if type(value) is str and len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise _Shape from None
        if day.isoformat() == value:
            if len(_DAYS) > 100_000:
                _DAYS.clear()
            _DAYS[value] = day
            return day
    raise _Shape


#: ISO dates already read (a caseload's decisions name a few thousand days).
_DAYS: dict[str, date] = {}
_STR = frozenset((str,))


def _texts(values: Iterable[Any]) -> bool:
    return _STR.issuperset(map(type, values))


def _list(values: Any) -> bool:
    return type(values) is list and _STR.issuperset(map(type, values))
