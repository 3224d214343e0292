"""Plain-language descriptions of reference results: why a rule fired, failed or waits."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from riskreview._conditions import (
    HAS_NO_VALUE,
    HAS_VALUE,
    All,
    AnyOf,
    Cmp,
    FieldRef,
    Named,
    Not,
    ParamRef,
    Quant,
    Window,
)
from riskreview._reference import Result, unknown_paths
from riskreview._units import as_given
from riskreview._wording import plural

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


#: tests whose condition text already names the value they need
_STATED = frozenset(
    {"eq", "ne", "in", "not_in", "contains", "not_contains", "contains_any", "contains_none"}
)


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
        if type(amount) is int:  # 1 year, 3 working days
            return plural(amount, unit.removesuffix("s"), unit)
        return f"{amount} {unit}"
    if isinstance(value, FieldRef):
        return value.path
    if isinstance(value, ParamRef):
        return f"parameter {value.name}" + (f" for its {value.by}" if value.by else "")
    return show(as_given(node.field, value))


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
    if isinstance(node, Named):  # a named condition in words; a field's path as it is
        return node.name if "." in node.name else node.name.replace("_", " ")
    if isinstance(node, Not):
        return f"not ({condition_text(node.item)})"
    if no_value_guard(node):  # a test of a value that can have none reads as the test
        return condition_text(node.items[1])
    joiner = " and " if isinstance(node, All) else " or "
    return "(" + joiner.join(condition_text(n) for n in node.items) + ")"


def no_value_guard(node: Any) -> bool:
    """Whether ``node`` is a test of a derived value made two-valued for "no value"
    (``has a value and …`` or ``has no value or …``, see ``_conditions``)."""
    return (
        isinstance(node, All | AnyOf)
        and len(node.items) == 2
        and isinstance(node.items[0], Named)
        and node.items[0].name.endswith((HAS_VALUE, HAS_NO_VALUE))
    )


def _near(node: Cmp, result: Result) -> str:
    """How the actual value stands against the condition's boundary, in words."""
    if result.measure is not None:
        elapsed, unit = result.measure
        unit_words = unit.replace("_", " ")
        when = f"{elapsed} {unit_words} ago" if elapsed >= 0 else f"{-elapsed} {unit_words} ahead"
        need = {"older_than": "more than", "within_last": "at most", "within_next": "at most"}
        if result.expected is None:
            return f"{when}; the threshold depends on an unknown value"
        if isinstance(result.expected, tuple):  # a table's rows, its key unknown
            low, high = result.expected
            by = node.value.amount.by if isinstance(node.value.amount, ParamRef) else None
            return (
                f"{when}; the rule needs {need[node.op]} {low} to {high} {unit_words}, "
                f"by {by or 'a value'}, which is unknown"
            )
        if isinstance(result.expected, date):  # a window of calendar months or years
            side = {"older_than": "before", "within_last": "on or after"}.get(
                node.op, "on or before"
            )
            return f"{when}; the rule needs a date {side} {result.expected.isoformat()}"
        return f"{when}; the rule needs {need[node.op]} {result.expected} {unit_words}"
    expected = result.expected
    if expected is None:
        if isinstance(node.value, ParamRef | FieldRef):
            return f"{_expected(node)} is unknown or depends on an unknown value"
        return ""
    words = _needs(node, expected)
    text = f"the rule needs {words}"
    actual = result.actual
    if type(actual) is int and type(expected) is int and node.op not in ("in", "not_in"):
        text += f" ({as_given(node.field, abs(actual - expected))} away)"
    elif isinstance(actual, date) and isinstance(expected, date):
        gap = (actual - expected).days
        side = "after" if gap > 0 else "before"
        text += " (the same day)" if gap == 0 else f" ({abs(gap)} days {side} it)"
    elif isinstance(actual, StrEnum) and isinstance(expected, StrEnum) and node.field.ordered:
        gap = list(type(actual)).index(actual) - list(type(expected)).index(expected)
        if gap and node.op in ("lt", "lte", "gt", "gte"):
            text += f" ({abs(gap)} level{'s' * (abs(gap) != 1)} away)"
    return text


def _needs(node: Cmp, expected: Any) -> str:
    """What the condition asks of its field, without the field: ``at least medium``."""
    if node.field.kind == "date" and node.op in DATE_WORDS:
        words = DATE_WORDS[node.op]
    else:
        words = OP_WORDS.get(node.op, node.op)
    words = words.removeprefix("is ")
    shown = show(as_given(node.field, expected))
    return f"{words} {shown}" if words else shown


def _requirement(node: Cmp) -> str:
    """A condition as what it needs of its field (``is at least medium``)."""
    return condition_text(node).removeprefix(node.path).strip()


def result_text(result: Result, *, with_condition: bool = True) -> str:
    """A condition's actual value, resolved threshold and how near it came."""
    node = result.node
    if isinstance(node, Cmp):
        if node.op in ("exists", "missing"):
            state = (
                "not recorded"
                if result.actual is None
                else f"recorded ({show(as_given(node.field, result.actual))})"
            )
            return f"{result.path or node.path} is {state}"
        if node.field.path.endswith(HAS_VALUE):  # the guard of a test (see above)
            said = {True: "has a value", False: "has no value"}.get(result.actual, "is unknown")
            return f"{result.path or node.path} {said}" + (
                f" ({result.note})" if result.note else ""
            )
        text = f"{result.path or node.path} is {show(as_given(node.field, result.actual))}"
        # an equality or membership test states its boundary in the condition itself
        stated = node.op in _STATED and node.field.kind != "date"
        near = (
            "" if stated and (with_condition or result.truth is not False) else _near(node, result)
        )
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
        verb = "matches" if total == 1 else "match"
        counted = f"{len(matched)} of {plural(total, f'{node.path} item')} {verb}"
        return f"{counted} ({condition_text(node)})"
    if isinstance(node, Named):
        if result.truth is not False:
            return condition_text(node)
        inner = failure_text(result.parts[0])
        return f"{condition_text(node)}: {inner}" if with_condition else inner
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


def failure_text(result: Result) -> str:
    """Why a false condition is false, with every value it read and how near it came.

    An ``all`` fails by its first false part; an ``any`` by every alternative, the
    tests of one field gathered (``risk.screening_outcome is full_analysis_not_required
    (the rule needs: is not recorded, or is full_analysis_required)``); a ``not`` by
    what held inside it; a list by its items.
    """
    node = result.node
    if isinstance(node, All):
        failed = next((p for p in result.parts if p.truth is False), None)
        return failure_text(failed) if failed is not None else condition_text(node)
    if isinstance(node, AnyOf):
        return _none_held(result)
    if isinstance(node, Named):
        return f"{condition_text(node)}: {failure_text(result.parts[0])}"
    if isinstance(node, Not):
        inner = result.parts[0]
        held = [result_text(r) for r in _leaves(inner, True)] or [condition_text(inner.node)]
        return f"{condition_text(node)}, but " + "; ".join(held)
    if isinstance(node, Quant):
        text = result_text(result)
        if node.mode == "all":
            part = next((p for p in result.parts if p.truth is False), None)
            if part is not None:
                text += f"; not matching: {failure_text(part)}"
        elif node.mode == "none":
            part = next((p for p in result.parts if p.truth is True), None)
            if part is not None:
                text += "; matching: " + "; ".join(result_text(r) for r in _leaves(part, True))
        return text
    return result_text(result)


def _none_held(result: Result) -> str:
    """Every alternative of a false ``any``, the tests of one field gathered."""
    groups: dict[str, tuple[Result, list[str]]] = {}
    texts: list[str] = []
    for part in result.parts:
        if isinstance(part.node, Cmp):
            path = part.path or part.node.path
            if path not in groups:
                groups[path] = (part, [])
                texts.append(path)
            groups[path][1].append(_requirement(part.node))
        else:
            texts.append(failure_text(part))
    out = []
    for text in texts:
        if text in groups:
            first, needs = groups[text]
            out.append(f"{_value_text(first)} (the rule needs: {', or '.join(needs)})")
        else:
            out.append(text)
    return "none held: " + "; ".join(out)


def _value_text(result: Result) -> str:
    """``path is value``, as a person reads it."""
    node = result.node
    path = result.path or node.path  # type: ignore[union-attr]
    if result.actual is None:
        return f"{path} is not recorded"
    return f"{path} is {show(as_given(node.field, result.actual))}"  # type: ignore[union-attr]


def why(result: Result) -> str:
    """The detail line of a trace entry."""
    if result.truth is True:
        return "held: " + "; ".join(result_text(r) for r in _leaves(result, True))
    if result.truth is None:
        return "undetermined: unknown " + ", ".join(unknown_paths(result))
    return "failed: " + failure_text(result)


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
    if isinstance(result.node, Cmp):
        return result_text(result, with_condition=False)
    return failure_text(result)
