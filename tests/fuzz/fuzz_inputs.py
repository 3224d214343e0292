"""Fuzz inputs for ``riskreview.evaluate``: random and mutated JSON, as text, bytes or data.

Every input is rebuilt from its number alone (:func:`make`), so a failure names the
number that reproduces it. Mutations start from a corpus of valid case dicts drawn
from :func:`riskreview.strategies.case_dicts` (derandomized, so the corpus is the
same on every run), then break them in one of the ways of :data:`FAMILIES`: wrong
types, huge strings, deep nesting, NaN and Infinity, unicode (lone surrogates, NUL),
missing and extra keys, lists as long as a case may hold, numbers such as 1e400,
duplicate keys, bytes that are not UTF-8, dates at the ends of the calendar, Python
objects that are not JSON at all.

:func:`run` evaluates one input and says how it ended: ``decision``, ``case_error``
or ``other`` (anything else, or longer than the input's time limit: a failure).
"""

from __future__ import annotations

import functools
import json
import random
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from hypothesis import HealthCheck, given, settings

import riskreview
from riskreview._limits import MAX_LIST_ITEMS
from riskreview.strategies import case_dicts

FIRST_AS_OF = date(2024, 1, 1)
CORPUS_SIZE = 120
#: seconds an ordinary input may take; a huge one (1 MB, a list at its limit) gets ``SLOW``
LIMIT = 2.0
SLOW = 20.0
#: seconds after which an evaluation is interrupted as hung
HANG = 60.0
MARKER = "FUZZ-MARKER-7f3c"  # plain ASCII: json.dumps writes it as it is


@dataclass(frozen=True)
class FuzzInput:
    """One input: its number, family, variant, payload and date, and its time limit."""

    number: int
    family: str
    variant: str
    payload: Any
    as_of: date
    limit: float = LIMIT


@dataclass(frozen=True)
class Outcome:
    """How the evaluation of one input ended."""

    kind: str  # "decision", "case_error" or "other"
    seconds: float
    detail: str = ""


# ---------------------------------------------------------------- the corpus


@functools.cache
def corpus() -> tuple[dict[str, Any], ...]:
    """Valid case dicts, the same on every run."""
    found: list[dict[str, Any]] = []

    @settings(
        max_examples=CORPUS_SIZE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case_dicts(date(2026, 3, 2)))
    def collect(data: dict[str, Any]) -> None:
        found.append(data)

    collect()
    assert len(found) >= CORPUS_SIZE // 2, "the case strategy gave too few examples"
    return tuple(found)


# ---------------------------------------------------------------- places in a case


Place = tuple[Any, Any]  # (container, key or index)


def places(data: Any) -> list[Place]:
    """Every (container, key) of ``data``, depth first."""
    out: list[Place] = []
    stack = [data]
    while stack:
        node = stack.pop()
        keys: Any = node.keys() if isinstance(node, dict) else range(len(node))
        for key in list(keys):
            out.append((node, key))
            child = node[key]
            if isinstance(child, dict | list):
                stack.append(child)
    return out


def containers(data: Any) -> list[Any]:
    """Every dict in ``data`` (the objects a key can be added to)."""
    return [data] + [c[k] for c, k in places(data) if isinstance(c[k], dict)]


def _place(rng: random.Random, data: Any, kind: type | None = None) -> Place | None:
    found = [p for p in places(data) if kind is None or isinstance(p[0][p[1]], kind)]
    return rng.choice(found) if found else None


def _case(rng: random.Random) -> dict[str, Any]:
    return json.loads(json.dumps(rng.choice(corpus())))


def _marked(rng: random.Random, raw: str, kind: type | None = None) -> str:
    """JSON text of a case with ``raw`` written in place of one of its values."""
    data = _case(rng)
    where = _place(rng, data, kind)
    if where is None:
        data["risk"] = MARKER
    else:
        where[0][where[1]] = MARKER
    text = json.dumps(data, ensure_ascii=rng.random() < 0.5)
    assert f'"{MARKER}"' in text
    return text.replace(f'"{MARKER}"', raw, 1)


# ---------------------------------------------------------------- values

_WRONG = (None, True, False, 0, -1, 1.5, -0.0, 1e308, "", "x", [], {}, [1, 2], {"a": 1})
_TEXT = (
    "",
    " ",
    "0",
    "true",
    "null",
    "2024-02-30",
    "2024-13-01",
    "0000-00-00",
    "2024-1-1",
    "2024-01-01T00:00",
    "low",
    "LOW",
    "very high",
    "domestic_abuse ",
    "../../etc/passwd",
    "$.case_id",
    "{{7*7}}",
    "'; DROP TABLE cases; --",
    "%s%s%n",
)
_UNICODE = (
    "\x00",
    "a\x00b",
    "\u202e\u0644\u0627",
    "e\u0301",
    "\U0001f600",
    "\ufeff",
    "\uffff",
    "\u2028",
    "\x7f\x1b[31m",
)
_SURROGATES = ("\ud800", "a\udfffb", "\udbff\udc00"[::-1])
_FAR_DATES = ("9999-12-31", "9999-12-30", "9999-12-20", "9998-06-01")
_OLD_DATES = ("0001-01-01", "0001-01-02", "1000-03-01", "1900-02-28")
_EDGE_DATES = ("2000-02-29", "2100-02-28", "2024-02-29", "2023-12-31", "2024-01-01")
_NUMBERS = (
    "1e400",
    "-1e400",
    "1e-400",
    "-0",
    "0.0",
    "1E2",
    "9" * 400,
    "-" + "9" * 400,
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "9" * 5000,
)


class _Colour(Enum):
    RED = "red"


class _Odd:
    def __repr__(self) -> str:
        raise RuntimeError("repr of a fuzz object")


def _python_objects() -> tuple[Any, ...]:
    return (
        date(2025, 1, 1),
        datetime(2025, 1, 1, 12, 0),
        Decimal("1.5"),
        (1, 2),
        {1, 2},
        frozenset(),
        b"bytes",
        bytearray(b"x"),
        _Colour.RED,
        _Odd(),
        float("nan"),
        float("inf"),
        10**400,
        {1: "int key"},
        {("a", "b"): 1},
        {None: 1},
        range(3),
        type,
        print,
    )


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value of at most six levels."""
    roll = rng.random()
    if depth > 5 or roll < 0.4:
        return rng.choice(
            [
                None,
                rng.random() < 0.5,
                rng.randint(-(2**70), 2**70),
                rng.uniform(-1e9, 1e9),
                rng.choice(_TEXT),
                "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(0, 12))),
            ]
        )
    if roll < 0.7:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    keys = ["case_id", "household", "children", "risk", "levels", "events", "type", "date"]
    return {
        rng.choice(keys + list(_TEXT)): random_json(rng, depth + 1)
        for _ in range(rng.randint(0, 6))
    }


def _nested(depth: int, opener: str) -> str:
    if opener == "{":
        return '{"a":' * depth + "1" + "}" * depth
    return "[" * depth + "]" * depth


def _deep_python(depth: int) -> Any:
    value: Any = 1
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


# ---------------------------------------------------------------- the families

Maker = Callable[[random.Random], tuple[str, Any]]


def valid(rng: random.Random) -> tuple[str, Any]:
    return "case", _case(rng)


def random_document(rng: random.Random) -> tuple[str, Any]:
    value = random_json(rng)
    if rng.random() < 0.5:
        return "text", json.dumps(value)
    return "data", value


def wrong_type(rng: random.Random) -> tuple[str, Any]:
    data = _case(rng)
    for _ in range(rng.randint(1, 3)):
        where = _place(rng, data)
        if where is not None:
            where[0][where[1]] = json.loads(json.dumps(rng.choice(_WRONG)))
    return "value", data


def odd_text(rng: random.Random) -> tuple[str, Any]:
    data = _case(rng)
    where = _place(rng, data)
    if where is not None:
        where[0][where[1]] = rng.choice(_TEXT + _UNICODE)
    return "text", data


def huge_string(rng: random.Random) -> tuple[str, Any]:
    data = _case(rng)
    huge = rng.choice(["A", "é", "\U0001f600", "x\x00"]) * (2**20 // 2)
    variant = rng.choice(["value", "key", "case_id", "enum"])
    if variant == "case_id":
        data["case_id"] = huge
    elif variant == "key":
        rng.choice(containers(data))[huge] = 1
    elif variant == "enum":
        _add_item(data, "registrations", huge)
    else:
        where = _place(rng, data)
        if where is not None:
            where[0][where[1]] = huge
    if rng.random() < 0.5:
        return f"{variant}-text", json.dumps(data)
    return variant, data


def _add_item(data: dict[str, Any], key: str, item: Any) -> None:
    items = data.get(key)
    data[key] = [*(items if isinstance(items, list) else []), item]


def deep_nesting(rng: random.Random) -> tuple[str, Any]:
    depth = rng.choice([100_000, 100_000, 2_000, 990, 50])
    if rng.random() < 0.3:
        return f"data-{depth}", {"case_id": "D1", "risk": _deep_python(depth)}
    return f"text-{depth}", _marked(rng, _nested(depth, rng.choice("[{")))


def nan_infinity(rng: random.Random) -> tuple[str, Any]:
    raw = rng.choice(["NaN", "Infinity", "-Infinity", "nan", "inf"])
    if rng.random() < 0.3:  # as Python floats, past the JSON parser
        data = _case(rng)
        where = _place(rng, data)
        if where is not None:
            where[0][where[1]] = float(raw.lower().replace("infinity", "inf"))
        return "data", data
    return "text", _marked(rng, raw)


def unicode(rng: random.Random) -> tuple[str, Any]:
    data = _case(rng)
    surrogate = rng.random() < 0.3
    text = rng.choice(_SURROGATES if surrogate else _UNICODE)
    variant = "lone_surrogate" if surrogate else "unicode"
    target = rng.choice(["value", "key", "case_id"])
    if target == "case_id":
        data["case_id"] = "C" + text
    elif target == "key":
        rng.choice(containers(data))[text] = text
    else:
        where = _place(rng, data, str)
        if where is not None:
            where[0][where[1]] = text
    if rng.random() < 0.5:
        return variant, json.dumps(data, ensure_ascii=rng.random() < 0.5)
    return variant, data


def missing_keys(rng: random.Random) -> tuple[str, Any]:
    data = _case(rng)
    for _ in range(rng.randint(1, 5)):
        where = _place(rng, data)
        if where is not None:
            container, key = where
            del container[key]
    return "keys", data


def extra_keys(rng: random.Random) -> tuple[str, Any]:
    data = _case(rng)
    names = ["notes", "Case_Id", "case id", "", "__class__", "$ref", "é", "a" * 300, "0"]
    for _ in range(rng.randint(1, 5)):
        rng.choice(containers(data))[rng.choice(names)] = random_json(rng, 4)
    return "keys", data


_LISTS = (
    "children",
    "children_on_plans",
    "events",
    "offending_history",
    "registrations",
    "home_visits",
)


def many_items(rng: random.Random) -> tuple[str, Any]:
    data = _case(rng)
    count = rng.choice([MAX_LIST_ITEMS, MAX_LIST_ITEMS, 200])  # at the limit: still valid
    what = rng.choice(_LISTS)
    if what.startswith("children"):
        child = {"lives_with": rng.random() < 0.5, "contact": True, "date_of_birth": "2020-01-01"}
        if what == "children_on_plans":
            child["child_protection_plan"] = True
        household = data.get("household") if isinstance(data.get("household"), dict) else {}
        household["children"] = [child] * count
        data["household"] = household
    elif what == "events":
        data["events"] = [{"type": "new_relationship", "date": "2025-06-02"}] * count
    elif what == "offending_history":
        data["offending_history"] = [{"categories": ["domestic_abuse"]}] * count
    elif what == "registrations":
        data["registrations"] = ["child_protection"] * count
    else:
        data["home_visits"] = [{"date": "2025-06-02"}] * count
    return f"{what}-{count}", data


def big_numbers(rng: random.Random) -> tuple[str, Any]:
    if rng.random() < 0.2:  # as Python ints, past the JSON parser
        data = _case(rng)
        value = rng.choice([10**400, -(10**400), 2**64, 10**5000])
        mappa = data.get("mappa") if isinstance(data.get("mappa"), dict) else {}
        mappa[rng.choice(["category", "level"])] = value
        data["mappa"] = mappa
        return "long_int" if value == 10**5000 else "data", data
    return "text", _marked(rng, rng.choice(_NUMBERS))


def duplicate_keys(rng: random.Random) -> tuple[str, Any]:
    text = json.dumps(_case(rng))
    key = rng.choice(['"case_id"', '"household"', '"risk"', '"events"'])
    if key in text:
        return "text", text.replace(key, f"{key}: null, {key}", 1)
    return "text", text[:-1] + ', "case_id": "A", "case_id": "B"}'


def bad_bytes(rng: random.Random) -> tuple[str, Any]:
    raw = json.dumps(_case(rng), ensure_ascii=False).encode()
    variant = rng.choice(["insert", "utf16", "latin1", "truncated"])
    if variant == "insert":
        at = rng.randrange(len(raw))
        raw = raw[:at] + rng.choice([b"\xff", b"\xc3\x28", b"\x80", b"\xed\xa0\x80"]) + raw[at:]
    elif variant == "utf16":
        raw = raw.decode().encode("utf-16")
    elif variant == "latin1":
        raw = raw.decode().replace("a", "é").encode("latin-1", errors="replace")
    else:
        raw = (raw.decode() + '"\U0001f600"').encode()[:-2]
    return variant, raw


def broken_text(rng: random.Random) -> tuple[str, Any]:
    text = json.dumps(_case(rng))
    variant = rng.choice(["truncate", "flip", "delete", "garbage"])
    at = rng.randrange(max(len(text), 1))
    if variant == "truncate":
        text = text[:at]
    elif variant == "flip":
        text = text[:at] + chr(rng.randint(0, 127)) + text[at + 1 :]
    elif variant == "delete":
        text = text[:at] + text[at + 1 :]
    else:
        text = text + rng.choice([" x", "}", "]", ",", "\x00", "  \n"])
    return variant, text


def calendar_dates(rng: random.Random) -> tuple[str, Any]:
    data = _case(rng)
    dated = [p for p in places(data) if isinstance(p[1], str) and p[1].endswith("date")]
    dated += [p for p in places(data) if p[1] == "date_of_birth"]
    roll = rng.random()
    pool, variant = (
        (_FAR_DATES, "far_date")
        if roll < 0.2
        else (_OLD_DATES, "old_date")
        if roll < 0.4
        else (_EDGE_DATES, "edge_date")
    )
    for container, key in rng.sample(dated, min(len(dated), rng.randint(1, 3))):
        container[key] = rng.choice(pool)
    return variant, data


def python_objects(rng: random.Random) -> tuple[str, Any]:
    data: Any = _case(rng)
    value = rng.choice(_python_objects())
    if rng.random() < 0.1:
        return "top", value
    where = _place(rng, data)
    if where is not None:
        where[0][where[1]] = value
    return "data", data


FAMILIES: dict[str, Maker] = {
    "valid": valid,
    "random_document": random_document,
    "wrong_type": wrong_type,
    "odd_text": odd_text,
    "huge_string": huge_string,
    "deep_nesting": deep_nesting,
    "nan_infinity": nan_infinity,
    "unicode": unicode,
    "missing_keys": missing_keys,
    "extra_keys": extra_keys,
    "many_items": many_items,
    "big_numbers": big_numbers,
    "duplicate_keys": duplicate_keys,
    "bad_bytes": bad_bytes,
    "broken_text": broken_text,
    "calendar_dates": calendar_dates,
    "python_objects": python_objects,
}
#: families whose inputs are huge, so slower, and few in the default run
HEAVY = {"huge_string", "deep_nesting", "many_items"}
#: how often :func:`make` picks each family when none is asked for (others: 20)
WEIGHTS = {"huge_string": 2.0, "deep_nesting": 4.0, "many_items": 0.3}


def make(number: int, family: str | None = None) -> FuzzInput:
    """Input ``number`` (of ``family``, or of a family chosen by the number)."""
    rng = random.Random(number)
    names = sorted(FAMILIES)
    weights = [WEIGHTS.get(n, 20.0) for n in names]
    name = family if family is not None else rng.choices(names, weights)[0]
    variant, payload = FAMILIES[name](rng)
    as_of = FIRST_AS_OF + timedelta(days=rng.randrange(7 * 365))
    limit = SLOW if name in HEAVY else LIMIT
    return FuzzInput(number, name, variant, payload, as_of, limit)


def inputs(count: int, *, first: int = 0, family: str | None = None) -> Iterator[FuzzInput]:
    """``count`` inputs numbered from ``first`` (of ``family``, or of every family)."""
    for number in range(first, first + count):
        yield make(number, family)


# ---------------------------------------------------------------- running one


@functools.cache
def warm_up() -> None:
    """Load the pack and build its engine once, so no input is charged for it."""
    for data in corpus()[:5]:
        riskreview.evaluate(data, as_of=FIRST_AS_OF)


class _Hung(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Hung


def run(item: FuzzInput) -> Outcome:
    """Evaluate one input; anything but a Decision or a CaseError in time is ``other``."""
    warm_up()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG)
    start = time.perf_counter()
    try:
        riskreview.evaluate(item.payload, as_of=item.as_of)
        kind, detail = "decision", ""
    except riskreview.CaseError:
        kind, detail = "case_error", ""
    except _Hung:
        kind, detail = "other", f"hung for over {HANG:.0f} s"
    except BaseException as error:  # anything at all is a failure, reported by the caller
        kind, detail = "other", f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - start
    if kind != "other" and seconds > item.limit:
        kind, detail = "other", f"took {seconds:.2f} s, over its {item.limit:.0f} s limit"
    return Outcome(kind, seconds, detail)


def describe(item: FuzzInput, outcome: Outcome) -> str:
    """One line naming an input and how it ended (never the payload: it may be huge)."""
    return (
        f"input {item.number} ({item.family}/{item.variant}, as_of {item.as_of}): "
        f"{outcome.kind} in {outcome.seconds:.3f} s {outcome.detail}".rstrip()
    )
