"""The nodes of a parsed condition, and walking them.

:mod:`riskreview._conditions` parses a rule's YAML into a tree of these frozen
nodes; both evaluators, the compiler and the explanations read it.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import attrs

from riskreview._fields import Field

__all__ = [
    "All",
    "AnyOf",
    "Cmp",
    "FieldRef",
    "Named",
    "Node",
    "Not",
    "ParamRef",
    "Quant",
    "Value",
    "Window",
    "params_of",
    "walk",
]


@attrs.frozen
class ParamRef:
    """A parameter's value on as_of; ``by`` names the field whose value selects a keyed value."""

    name: str
    by: str | None = None
    by_field: Field | None = None


@attrs.frozen
class FieldRef:
    """Another (root) case field, compared with this one."""

    path: str
    field: Field


@attrs.frozen
class Window:
    """A span of time back or forward from as_of."""

    amount: int | ParamRef
    unit: str  # days weeks working_days months years


Value = Any  # bool | int | str | date | tuple | ParamRef | FieldRef | Window | None

#: calendar units of a window: a month back from 31 March is the end of February
CALENDAR_UNITS = ("months", "years")


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar ``months`` (back when negative); a day past the end
    of the month it lands in is clamped to that month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        return date.max if months > 0 else date.min
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def window_months(window: Window, amount: int) -> int:
    """The months a calendar window of ``amount`` units spans."""
    return amount * (12 if window.unit == "years" else 1)


@attrs.frozen
class Cmp:
    """A test of one field: ``path op value``. ``scope`` is ``root`` or ``item``."""

    path: str
    op: str
    value: Value
    field: Field
    scope: str = "root"


@attrs.frozen
class All:
    """True when every part is true."""

    items: tuple[Node, ...]


@attrs.frozen
class AnyOf:
    """True when at least one part is true."""

    items: tuple[Node, ...]


@attrs.frozen
class Not:
    """True when the part is false."""

    item: Node


@attrs.frozen
class Quant:
    """``any``/``all``/``none`` of the items of a list field satisfy ``cond``."""

    path: str
    mode: str
    cond: Node
    field: Field


@attrs.frozen
class Named:
    """A named condition from ``conditions.yaml``, kept by name for explanations."""

    name: str
    item: Node
    description: str = ""


Node = Cmp | All | AnyOf | Not | Quant | Named


def walk(node: Node) -> list[Node]:
    """Every node of a condition, depth first (quantified conditions included)."""
    out: list[Node] = [node]
    if isinstance(node, All | AnyOf):
        for item in node.items:
            out.extend(walk(item))
    elif isinstance(node, Not | Named):
        out.extend(walk(node.item))
    elif isinstance(node, Quant):
        out.extend(walk(node.cond))
    return out


def params_of(node: Node) -> set[str]:
    """Names of the parameters a condition uses."""
    names: set[str] = set()
    for n in walk(node):
        if isinstance(n, Cmp):
            value = n.value.amount if isinstance(n.value, Window) else n.value
            if isinstance(value, ParamRef):
                names.add(value.name)
    return names
