"""How large a case may be: every size limit that case validation enforces, in one place.

The limits are generous for real cases and far inside what the rule engine holds.
The engine once decided a case of 98,690 children (a fact of about 20.7 MB) with
no actions and no error, held facts of 13 MB, and the engine layer refuses any
fact over 4 MiB (ENGINE-NOTES.md, :mod:`riskreview._envelope`). Measured on the
default pack, the heaviest list item is an event of unknown type (it belongs to
every part of the events list in the "possible" fact): about 1.85 kB of the
largest fact each. A case with every list at its limit, every item unknown,
builds a largest fact of about 2.0 MB. The JSON Schema exports the limits
(``maxItems``, ``maxLength``, ``maxProperties``, ``maximum``) and the integrator's
guide lists them; a case beyond one is a :class:`~riskreview.errors.CaseError`
naming the path, the size and the limit. A case's free-form ``inputs`` are
checked here too: JSON-like values within these limits, whatever pack will read
them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from riskreview._envelope import MAX_BOUND
from riskreview._wording import describe_key, echo, is_name, text_problem

#: items one list may hold: children, events, offending history, concerns,
#: registrations, needs, home visits, an offence's categories, a list input
MAX_LIST_ITEMS = 1_000
#: list items a case may hold in all, counting every list at every depth
MAX_CASE_ITEMS = 5_000

#: bytes of a decision's JSON text read back (``Decision.from_json``, a previous
#: decision brought forward): a decision of a case at every limit is about 10 kB,
#: and a reader of a line far past this one is at risk (orjson's writer crashes the
#: process on some values of a few hundred MB), so a longer text is refused unread
MAX_DECISION_BYTES = 16 * 2**20

#: characters of the case id
MAX_CASE_ID_LENGTH = 128
#: characters of a child's reference
MAX_CHILD_REF_LENGTH = 64

#: months of a custodial sentence (100 years)
MAX_CUSTODIAL_MONTHS = 1_200
#: police domestic abuse call-outs in twelve months (more than 27 a day)
MAX_CALLOUTS_12_MONTHS = 10_000

#: entries of a case's ``inputs`` object
MAX_INPUTS = 1_000
#: characters of an input's name
MAX_INPUT_NAME_LENGTH = 64
#: characters of a text value of an input (a pack's allowed value)
MAX_INPUT_TEXT_LENGTH = 200
#: the size of any number in ``inputs``: nothing near the engine's code for "unknown"
MAX_INPUT_NUMBER = MAX_BOUND
#: the range of a pack-declared whole-number input that declares no ``min`` or ``max``:
#: wide for any score or count, and a sum of a hundred of them stays inside the engine
INPUT_INT_MIN = -1_000_000
INPUT_INT_MAX = 1_000_000

_INPUT_SHAPE = (
    "expected a string, number, true/false, null, a flat list of them, "
    "or a list of records (flat objects of them)"
)
#: fields of one record of a record list input
MAX_RECORD_FIELDS = 64


def items_problem(count: int) -> str:
    """The message for a list of ``count`` items, more than one list may hold."""
    return (
        f"{count} items, more than the {MAX_LIST_ITEMS} a case may hold in one list; "
        f"send at most {MAX_LIST_ITEMS}"
    )


def total_problem(count: int) -> str:
    """The message for a case whose lists hold ``count`` items in all, too many."""
    return (
        f"{count} list items in all, more than the {MAX_CASE_ITEMS} a case may hold; "
        f"send at most {MAX_CASE_ITEMS} across all its lists"
    )


def input_problems(data: Mapping[Any, Any]) -> Iterator[tuple[str, str]]:
    """(where below ``$.inputs``, why) for each entry of a case's ``inputs`` that is not
    valid JSON-like data within the limits. An input's name is shown only when it is
    a plain name; its text values never are."""
    if len(data) > MAX_INPUTS:
        yield "", f"{len(data)} inputs, more than the {MAX_INPUTS} a case may hold"
        return
    for key, value in data.items():
        if not isinstance(key, str):
            yield "", "has a key that is not text; input names are text"
            continue
        if len(key) > MAX_INPUT_NAME_LENGTH:
            yield (
                "",
                (
                    f"has a {describe_key(key)}, more than the {MAX_INPUT_NAME_LENGTH} "
                    "an input's name may have"
                ),
            )
            continue
        problem = text_problem(key)
        if problem:
            yield "", f"has a key that {problem}"
            continue
        why = _value_problem(value)
        if why and is_name(key):
            yield f".{key}", why
        elif why:
            yield "", f"the input under a {describe_key(key)}: {why}"


def _value_problem(value: Any) -> str:
    """Why one input's value is not valid (naming the item of a list at fault), or ""."""
    if not isinstance(value, list | tuple):
        return _scalar_problem(value) or ""
    if len(value) > MAX_LIST_ITEMS:
        return items_problem(len(value))
    for i, item in enumerate(value):
        problem = _item_problem(item)
        if problem:
            return f"item {i}: {problem}"
    return ""


def _item_problem(value: Any) -> str | None:
    if isinstance(value, dict):  # a record of a record list: a flat object
        if len(value) > MAX_RECORD_FIELDS:
            return f"a record of {len(value)} fields, more than the {MAX_RECORD_FIELDS} allowed"
        for key, field in value.items():
            if not isinstance(key, str) or text_problem(key) or len(key) > MAX_INPUT_NAME_LENGTH:
                return "a record has a field name that is not a short text name"
            if field is None:
                continue
            problem = _INPUT_SHAPE if isinstance(field, list | tuple | dict) else None
            problem = problem or _scalar_problem(field)
            if problem:
                return f"field {key if is_name(key) else '(unnamed)'}: {problem}"
        return None
    if value is None or isinstance(value, list | tuple):
        return _INPUT_SHAPE
    return _scalar_problem(value)


def _scalar_problem(value: Any) -> str | None:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is None and len(value) > MAX_INPUT_TEXT_LENGTH:
            problem = f"expected at most {MAX_INPUT_TEXT_LENGTH} characters, got {len(value)}"
        return problem
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return _INPUT_SHAPE
    if isinstance(value, int | float):
        if abs(value) > MAX_INPUT_NUMBER:
            return (
                f"expected a number from -{MAX_INPUT_NUMBER} to {MAX_INPUT_NUMBER}, "
                f"got {echo(value)}"
            )
        return None
    return _INPUT_SHAPE
