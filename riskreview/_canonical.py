"""Canonical JSON for decision records: read strictly, digest, compare, describe safely.

Two JSON documents are the same here when their canonical forms are: an integer
is not a number with a fraction, ``true`` is not ``1``, a key holding ``null`` is
not a missing key. Differences are named by JSON path; values are shown only
where they cannot carry the case's free text (numbers, true/false, codes, dates),
and text is otherwise described by its length.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any

from riskreview._structure import ISO_DATE, dumps
from riskreview._wording import plural
from riskreview.errors import VerificationError


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


#: stands for a key one document has and the other has not
ABSENT: Any = _Absent()
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}")
_SHOWN_TEXT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.:+\-\[\]]{0,79}")
#: fields whose text is a code, date, version, digest or identifier, never free text
_CODE_FIELDS = frozenset(
    {
        *("case_id", "as_of", "input_digest", "pack_name", "pack_version", "pack_digest"),
        *("library_version", "engine", "digest", "name", "version", "policy_period"),
        *("code", "area", "priority", "status", "rule_id", "rule_ids", "outcome", "field"),
        *("path", "due_date", "trigger_date", "date", "brought_forward_by"),
        "would_bring_forward",
    }
)


#: a case id is shown whole up to the case model's longest
_LONGEST_CASE_ID = 128


class _Repeated(dict[str, Any]):
    """A JSON object in which some key appeared more than once."""

    repeated: list[str]


def load(text: str | bytes | bytearray) -> tuple[Any, list[str]]:
    """The JSON data of ``text`` and each path at which an object repeats a key.

    Raises VerificationError (never quoting the text) when it is not JSON, or
    holds NaN or Infinity.
    """
    seen_repeat = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal seen_repeat
        out: dict[str, Any] = {}
        repeated: list[str] = []
        for key, value in items:
            if key in out:
                repeated.append(key)
            out[key] = value
        if not repeated:
            return out
        seen_repeat = True
        marked = _Repeated(out)
        marked.repeated = repeated
        return marked

    def no_constant(name: str) -> Any:
        raise ValueError("NaN and Infinity are not JSON")

    if not text.strip():
        raise VerificationError("the record is not readable", ["empty: no JSON text"])
    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=no_constant)
    except (ValueError, RecursionError) as error:
        # the parser's message may quote the record's text: only its position is kept
        where = f" at character {error.pos}" if isinstance(error, json.JSONDecodeError) else ""
        raise VerificationError("the record is not readable", [f"not JSON{where}"]) from None
    return data, _repeat_problems(data) if seen_repeat else []


def _repeat_problems(data: Any) -> list[str]:
    out: set[str] = set()
    stack: list[tuple[str, Any]] = [("$", data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            out.update(
                f"{key_path(path, key)}: appears more than once (readers disagree on its value)"
                for key in getattr(node, "repeated", ())
            )
            stack.extend((key_path(path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(node))
    return sorted(out)


def is_object(value: Any) -> bool:
    """Whether ``value`` is a JSON object as :func:`load` reads one."""
    return type(value) is dict or type(value) is _Repeated


def digest(data: Any) -> str:
    """``sha256:`` and the SHA-256 of ``data``'s canonical JSON (UTF-8)."""
    # surrogatepass: a lone surrogate smuggled into a record is a difference, not a crash
    return "sha256:" + hashlib.sha256(dumps(data).encode("utf-8", "surrogatepass")).hexdigest()


def same(a: Any, b: Any) -> bool:
    """Equal as canonical JSON: an int is not a float, a bool is not an int."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b)  # -0.0 is written apart from 0.0
    return bool(a == b)


def differences(old: Any, new: Any, path: str = "$", name: str = "") -> list[str]:
    """Each JSON path at which the recorded ``old`` and the recomputed ``new`` differ."""
    if type(old) is dict and type(new) is dict:
        out: list[str] = []
        for key in sorted(old.keys() | new.keys()):
            out.extend(
                differences(old.get(key, ABSENT), new.get(key, ABSENT), key_path(path, key), key)
            )
        return out
    if type(old) is list and type(new) is list and len(old) == len(new):
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in differences(a, b, f"{path}[{i}]", name)
        ]
    if same(old, new):
        return []
    return [f"{path}: recorded {show(name, old)}, recomputed {show(name, new)}"]


def key_path(path: str, key: str) -> str:
    """``path`` and ``key``; a key that is not a plain word is described, not shown."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}.<a key of {plural(len(key), 'character')}>"


def show(name: str, value: Any) -> str:
    """``value`` of field ``name`` as it may be shown: numbers, true/false, codes and
    dates as JSON; other text, lists and objects described."""
    if value is ABSENT:
        return "(absent)"
    if value is None or isinstance(value, bool | float):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value) if abs(value) < 10**20 else "an integer of more than 20 digits"
    if isinstance(value, str):
        if name == "case_id" and len(value) <= _LONGEST_CASE_ID:
            return json.dumps(value)  # escapes control characters: safe on a terminal
        if name in _CODE_FIELDS and _SHOWN_TEXT.fullmatch(value):
            return json.dumps(value)
        if name != "value" and is_date(value):
            return json.dumps(value)
        return f"a text of {plural(len(value), 'character')}"
    if isinstance(value, list):
        return f"a list of {plural(len(value), 'item')}"
    if isinstance(value, dict):
        return f"an object of {plural(len(value), 'key')}"
    return type(value).__name__


def json_type(value: Any) -> str:
    """The JSON type of ``value`` in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def is_date(text: str) -> bool:
    """Whether ``text`` is a date written YYYY-MM-DD."""
    try:
        return bool(ISO_DATE.fullmatch(text)) and bool(date.fromisoformat(text))
    except ValueError:
        return False
