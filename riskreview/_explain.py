"""Plain-language descriptions of reference results: why a rule fired, failed or waits."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from riskreview._conditions import All, AnyOf, Cmp, FieldRef, Not, ParamRef, Quant, Window
from riskreview._reference import Result, unknown_paths

_OP_WORDS = {
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
_DATE_WORDS = {
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
        shown = f"{{param {amount.name}}}" if isinstance(amount, ParamRef) else str(amount)
        return f"{shown} {value.unit.replace('_', ' ')}"
    if isinstance(value, FieldRef):
        return value.path
    if isinstance(value, ParamRef):
        return f"parameter {value.name}" + (f" for its {value.by}" if value.by else "")
    return show(value)


def condition_text(node: Any) -> str:
    """One condition in words: ``risk.overall_level is at least medium``."""
    if isinstance(node, Cmp):
        words = _DATE_WORDS.get(node.op) if node.field.kind == "date" else None
        words = words or _OP_WORDS.get(node.op, node.op)
        if node.op in ("exists", "missing"):
            return f"{node.path} {words}"
        return f"{node.path} {words} {_expected(node)}"
    if isinstance(node, Quant):
        return f"{node.mode} of {node.path} where {condition_text(node.cond)}"
    if isinstance(node, Not):
        return f"not ({condition_text(node.item)})"
    joiner = " and " if isinstance(node, All) else " or "
    return "(" + joiner.join(condition_text(n) for n in node.items) + ")"


def result_text(result: Result) -> str:
    """A condition with its actual value, resolved threshold and how near it came."""
    node = result.node
    if isinstance(node, Cmp):
        text = f"{result.path or node.path} is {show(result.actual)}"
        if node.op not in ("exists", "missing"):
            text += f" (condition: {condition_text(node)}"
            if result.expected is not None and not isinstance(result.expected, tuple):
                text += f"; threshold {show(result.expected)}"
            if result.measure is not None:
                amount, unit = result.measure
                text += f"; {amount} {unit.replace('_', ' ')} elapsed"
            text += ")"
        return text
    if isinstance(node, Quant):
        matched = result.actual or ()
        if result.truth is None and not result.parts:
            return f"{node.path} is unknown"
        counted = f"{len(matched)} of {len(result.parts)} {node.path} items match"
        return f"{counted} ({condition_text(node)})"
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
    if isinstance(node, AnyOf):
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
