"""Plain-language descriptions of reference results: why a rule fired, failed or waits."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from riskreview._conditions import (
    All,
    Cmp,
    FieldRef,
    Named,
    Not,
    ParamRef,
    Quant,
    Window,
)
from riskreview._reference import Result, unknown_paths

OP_WORDS = {
    "eq": "is",
    "ne": "is not",
    "lt": "is less than",
    "lte": "is at most",
    "gt": "is more than",
    "gte": "is at least",
    "in": "is one of",
    "not_in": "is none of",
    "contains": "includes",
    "not_contains": "does not include",
    "contains_any": "includes any of",
    "contains_none": "includes none of",
    "exists": "is recorded",
    "missing": "is not recorded",
    "older_than": "is older than",
    "within_last": "is within the last",
    "within_next": "is within the next",
}
DATE_WORDS = {
    "lt": "is before",
    "lte": "is on or before",
    "gt": "is after",
    "gte": "is on or after",
}


def show(value: Any) -> str:
    """A value as a person reads it."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def _expected(node: Cmp) -> str:
    value = node.value
    if isinstance(value, Window):
        amount = value.amount
        unit = value.unit.replace("_", " ")
        if isinstance(amount, ParamRef):
            return f"{amount.name} ({unit})"
        return f"{amount} {unit}"
    if isinstance(value, FieldRef):
        return value.path
    if isinstance(value, ParamRef):
        return f"parameter {value.name}" + (f" for its {value.by}" if value.by else "")
    return show(value)


def condition_text(node: Any) -> str:
    """One condition in words: ``risk.overall_level is at least medium``."""
    if isinstance(node, Cmp):
        words = DATE_WORDS.get(node.op) if node.field.kind == "date" else None
        words = words or OP_WORDS.get(node.op, node.op)
        if node.op in ("exists", "missing"):
            return f"{node.path} {words}"
        return f"{node.path} {words} {_expected(node)}"
    if isinstance(node, Quant):
        return f"{node.mode} of {node.path} where {condition_text(node.cond)}"
    if isinstance(node, Named):
        return node.name.replace("_", " ")
    if isinstance(node, Not):
        return f"not ({condition_text(node.item)})"
    joiner = " and " if isinstance(node, All) else " or "
    return "(" + joiner.join(condition_text(n) for n in node.items) + ")"


def _near(node: Cmp, result: Result) -> str:
    """How the actual value stands against the threshold, in words."""
    if result.measure is not None:
        elapsed, unit = result.measure
        unit_words = unit.replace("_", " ")
        when = f"{elapsed} {unit_words} ago" if elapsed >= 0 else f"{-elapsed} {unit_words} ahead"
        need = {"older_than": "more than", "within_last": "at most", "within_next": "at most"}
        if result.expected is None:
            return f"{when}; the threshold depends on an unknown value"
        return f"{when}; the rule needs {need[node.op]} {result.expected} {unit_words}"
    expected = result.expected
    if expected is None or isinstance(expected, tuple) or node.op in ("eq", "ne"):
        return ""
    words = OP_WORDS.get(node.op, node.op).removeprefix("is ")
    text = f"the rule needs {words} {show(expected)}"
    if type(result.actual) is int and type(expected) is int:
        text += f" ({abs(result.actual - expected)} away)"
    return text


def result_text(result: Result, *, with_condition: bool = True) -> str:
    """A condition's actual value, resolved threshold and how near it came."""
    node = result.node
    if isinstance(node, Cmp):
        if node.op in ("exists", "missing"):
            state = "not recorded" if result.actual is None else f"recorded ({show(result.actual)})"
            return f"{result.path or node.path} is {state}"
        text = f"{result.path or node.path} is {show(result.actual)}"
        near = _near(node, result)
        if result.note:
            near = f"{near}; {result.note}" if near else result.note
        if not with_condition:
            return f"{text}; {near}" if near else text
        return f"{text} ({condition_text(node)}" + (f"; {near})" if near else ")")
    if isinstance(node, Quant):
        matched = result.actual or ()
        if result.truth is None and not result.parts:
            return f"{node.path} is unknown"
        total = result.expected if isinstance(result.expected, int) else len(result.parts)
        counted = f"{len(matched)} of {total} {node.path} items match"
        return f"{counted} ({condition_text(node)})"
    if isinstance(node, Named):
        inner = first_failure(result.parts[0]) if result.truth is False else None
        if inner is None:
            return condition_text(node)
        if with_condition:
            return f"{condition_text(node)}: {result_text(inner)}"
        return result_text(inner)
    return condition_text(node)


def first_failure(result: Result) -> Result | None:
    """The first part that made a false result false (depth first)."""
    if result.truth is not False:
        return None
    node = result.node
    if isinstance(node, All):
        for part in result.parts:
            if part.truth is False:
                return first_failure(part) or part
    if isinstance(node, Named):
        return result
    return result


def why(result: Result) -> str:
    """The detail line of a trace entry."""
    if result.truth is True:
        return "held: " + "; ".join(result_text(r) for r in _leaves(result, True))
    if result.truth is None:
        return "undetermined: unknown " + ", ".join(unknown_paths(result))
    failed = first_failure(result)
    return "failed: " + (result_text(failed) if failed else condition_text(result.node))


def _leaves(result: Result, truth: bool) -> list[Result]:
    node = result.node
    if isinstance(node, Cmp | Quant):
        return [result] if result.truth is truth else []
    out: list[Result] = []
    for part in result.parts:
        out.extend(_leaves(part, truth))
    return out


def parts_of(result: Result) -> list[Result]:
    """The top-level conditions of a rule (the parts of its outer ``all``)."""
    if isinstance(result.node, All):
        return list(result.parts)
    return [result]


def detail_of(result: Result) -> str:
    """One condition's outcome in words, with actual values."""
    if result.truth is None:
        return "cannot be decided: unknown " + ", ".join(unknown_paths(result))
    if result.truth is True:
        held = [result_text(r, with_condition=False) for r in _leaves(result, True)]
        return "; ".join(held) or result_text(result, with_condition=False)
    failed = first_failure(result)
    if failed is None:
        return condition_text(result.node)
    return result_text(failed, with_condition=False)
