"""What a pack declares a derived value to be: its operation, operands and terms.

Parsed by :mod:`riskreview._derive` when a pack loads, computed for each case by
:mod:`riskreview._derive_compute`; both import the definitions from here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any

import attrs

from riskreview._conditions import (
    Cmp,
    FieldRef,
    Named,
    Node,
    ParamRef,
    has_value_path,
    params_of,
    walk,
)
from riskreview._fields import EXTRA, Field


class DerivedResult:
    """A derived value for one case: the value, its explanation, what it waits on.

    The explanation may be given as a function that writes it: it is written on first
    read (most evaluations never show one) and kept. Two results are equal when their
    values, explanations and the rest are.
    """

    __slots__ = ("_text", "absent", "undecidable", "unknown", "value")

    def __init__(
        self,
        value: Any,
        explanation: str | Callable[[], str],
        unknown: tuple[str, ...] = (),
        absent: bool = False,
        undecidable: str = "",
    ) -> None:
        self.value = value
        self._text = explanation
        self.unknown = unknown
        #: known to have no value ("no value" from an ``if``, no record matching a
        #: ``latest``): nothing to ask for, unlike an unknown
        self.absent = absent
        #: why the policy gives no value (an ``if``'s ``undecidable``), passed on to
        #: every value computed from this one
        self.undecidable = undecidable

    @property
    def explanation(self) -> str:
        """How the value was computed, from the values it was computed from."""
        text = self._text
        if not isinstance(text, str):
            text = self._text = text()
        return text

    def _key(self) -> tuple[Any, ...]:
        return (self.value, self.explanation, self.unknown, self.absent, self.undecidable)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DerivedResult):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # equal by content, and not frozen

    def __repr__(self) -> str:
        return (
            f"DerivedResult(value={self.value!r}, explanation={self.explanation!r}, "
            f"unknown={self.unknown!r}, absent={self.absent!r}, "
            f"undecidable={self.undecidable!r})"
        )


#: (list field, its items, a where condition) → the indexes of the items the condition
#: may hold for, in order; it is false for every other item
Scan = Callable[[Field, Sequence[Any], Node], Sequence[int]]


#: operations whose value can be "no value" (an if's none, no record for a latest, a
#: lookup without an otherwise, arithmetic or a max over values that have none)
MAYBE_ABSENT = frozenset(
    {
        "if",
        "lookup",
        "latest",
        "earliest",
        "product",
        "difference",
        "quotient",
        "join",
        "max",
        "min",
    }
)


@attrs.frozen
class Term:
    """One term of a sum: points when a condition holds, or a value times a factor."""

    when: Node | None
    points: int | ParamRef
    value: Field | None = None
    text: str = ""


@attrs.frozen
class Operand:
    """One value an operation reads: a literal, a parameter or a field; in an ``if`` or a
    lookup also "no value" (``absent``) or a combination the policy cannot decide; in a
    ``join`` a piece of text, perhaps only when a condition holds."""

    literal: Any = None
    param: ParamRef | None = None
    field: Field | None = None
    absent: bool = False
    undecidable: str = ""
    when: Node | None = None

    @property
    def text(self) -> str:
        """How the operand reads in an explanation."""
        if self.field is not None:
            return self.field.path
        if self.param is not None:
            return f"parameter {self.param.name}"
        if self.absent:
            return "no value"
        return str(self.literal.value if isinstance(self.literal, StrEnum) else self.literal)


@attrs.frozen
class Branch:
    """One case of an ``if``: when the condition holds (always, for ``else``), the result."""

    when: Node | None
    result: Operand
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
    places: int = 0  # a decimal's places
    operands: tuple[Operand, ...] = ()  # arithmetic, join parts
    branches: tuple[Branch, ...] = ()  # if
    cases: tuple[tuple[Any, Operand], ...] = ()  # lookup: key → result
    otherwise: Operand | None = None  # lookup: the result for a key not in the table
    by: Field | None = None  # latest/earliest: the item's date field
    read: Field | None = None  # latest/earliest: the item's field read
    distinct: Field | None = None  # count: count distinct values of this item field

    @property
    def field(self) -> Field:
        """The field rules use to read it."""
        return Field(
            f"derived.{self.name}",
            "int" if self.kind == "decimal" else self.kind,
            self.description,
            enum=self.enum,
            virtual=EXTRA,
            scale=self.places,
        )

    @functools.cached_property
    def path(self) -> str:
        """Where rules and other values read it: ``derived.<name>``."""
        return f"derived.{self.name}"

    @functools.cached_property
    def maybe_absent(self) -> bool:
        """Whether the value can be "no value" (as opposed to unknown)."""
        return self.op in MAYBE_ABSENT

    @functools.cached_property
    def has_path(self) -> str | None:
        """For a value that can have none, where whether it has one is read."""
        return has_value_path(self.path) if self.maybe_absent else None

    @functools.cached_property
    def key(self) -> Operand:
        """A lookup's key: the value its first field holds."""
        return Operand(field=self.fields[0])

    @functools.cached_property
    def by_key(self) -> dict[Any, Operand]:
        """A lookup's result for each key of its table (the first, if one is written
        twice)."""
        return {key: result for key, result in reversed(self.cases)}

    @functools.cached_property
    def rank(self) -> dict[str, int]:
        """Each label's place in the value's list of labels (a ``max`` or ``min`` of
        labels picks by it); empty for a value that is not a label."""
        return {m.value: i for i, m in enumerate(self.enum or ())}

    @property
    def conditions(self) -> tuple[Node, ...]:
        """Every condition the value tests (its ``where``, terms, branches and parts)."""
        found = [self.where, *(t.when for t in self.terms), *(b.when for b in self.branches)]
        found.extend(o.when for o in self.operands)
        return tuple(n for n in found if n is not None)

    @property
    def operand_fields(self) -> tuple[Field, ...]:
        """Every field the value reads directly (not through a condition)."""
        out = list(self.fields)
        out.extend(t.value for t in self.terms if t.value is not None)
        results = [*self.operands, *(b.result for b in self.branches)]
        results.extend(o for _, o in self.cases)
        if self.otherwise is not None:
            results.append(self.otherwise)
        out.extend(o.field for o in results if o.field is not None)
        return tuple(out)

    @functools.cached_property
    def reads_as_of(self) -> bool:
        """Whether the value can change with the day alone: an age, a span to ``as_of``,
        or a condition with a time window or an age in it."""
        ages = ("person.age", "child.age")
        if self.op == "age" or any(f.path == "as_of" or f.virtual in ages for f in self.fields):
            return True
        for node in self.conditions:
            for n in walk(node):
                if isinstance(n, Cmp) and (
                    n.op in ("older_than", "within_last", "within_next") or n.field.virtual in ages
                ):
                    return True
        return False

    @functools.cached_property
    def parameters(self) -> frozenset[str]:
        """Names of the parameters the value reads (in its numbers and its conditions)."""
        names = {n for node in self.conditions for n in params_of(node)}
        refs: list[Any] = [t.points for t in self.terms] + [b for _, b in self.edges]
        results = [*self.operands, *(b.result for b in self.branches), *(o for _, o in self.cases)]
        if self.otherwise is not None:
            results.append(self.otherwise)
        refs.extend(o.param for o in results)
        names.update(r.name for r in refs if isinstance(r, ParamRef))
        return frozenset(names)

    @functools.cached_property
    def named_conditions(self) -> frozenset[str]:
        """Names of the named conditions the value's conditions use."""
        return frozenset(
            n.name for node in self.conditions for n in walk(node) if isinstance(n, Named)
        )

    @functools.cached_property
    def depends_on(self) -> tuple[str, ...]:
        """Paths of the derived values this one reads (worked out once per definition)."""
        paths = [f.path for f in self.operand_fields]
        for node in self.conditions:
            for n in walk(node):
                if isinstance(n, Cmp):
                    paths.append(n.field.path)
                    if isinstance(n.value, FieldRef):
                        paths.append(n.value.path)
        return tuple(p for p in dict.fromkeys(paths) if p.startswith("derived."))
