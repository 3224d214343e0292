"""What a pack declares a derived value to be: its operation, operands and terms.

Parsed by :mod:`riskreview._derive` when a pack loads, computed for each case by
:mod:`riskreview._derive_compute`; both import the definitions from here.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import attrs

from riskreview._conditions import Cmp, FieldRef, Node, ParamRef, walk
from riskreview._fields import EXTRA, Field


@attrs.frozen
class Term:
    """One term of a sum: points when a condition holds, or a value times a factor."""

    when: Node | None
    points: int | ParamRef
    value: Field | None = None
    text: str = ""


@attrs.frozen
class DerivedDef:
    """A value a pack computes from the case before its rules run."""

    name: str
    op: str
    kind: str  # int date enum
    description: str
    reported: bool
    default: Any
    file: str
    line: int
    enum: type[StrEnum] | None = None
    fields: tuple[Field, ...] = ()  # operands (count list, max/min values, band value, ...)
    where: Node | None = None
    equals: Any = None
    terms: tuple[Term, ...] = ()
    edges: tuple[tuple[str, int | ParamRef], ...] = ()
    table: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    unit: str = "days"

    @property
    def field(self) -> Field:
        """The field rules use to read it."""
        return Field(
            f"derived.{self.name}", self.kind, self.description, enum=self.enum, virtual=EXTRA
        )

    @functools.cached_property
    def reads_as_of(self) -> bool:
        """Whether the value can change with the day alone: an age, a span to ``as_of``,
        or a condition with a time window or an age in it."""
        ages = ("person.age", "child.age")
        if self.op == "age" or any(f.path == "as_of" or f.virtual in ages for f in self.fields):
            return True
        for node in [self.where, *(t.when for t in self.terms)]:
            for n in walk(node) if node is not None else []:
                if isinstance(n, Cmp) and (
                    n.op in ("older_than", "within_last", "within_next") or n.field.virtual in ages
                ):
                    return True
        return False

    @functools.cached_property
    def depends_on(self) -> tuple[str, ...]:
        """Paths of the derived values this one reads (worked out once per definition)."""
        paths = [f.path for f in self.fields]
        for node in [self.where, *(t.when for t in self.terms)]:
            for n in walk(node) if node is not None else []:
                if isinstance(n, Cmp):
                    paths.append(n.field.path)
                    if isinstance(n.value, FieldRef):
                        paths.append(n.value.path)
        paths.extend(t.value.path for t in self.terms if t.value is not None)
        return tuple(p for p in dict.fromkeys(paths) if p.startswith("derived."))
