"""One case's derived values as they are computed: what every operation reads through.

A :class:`Ctx` holds the case's values so far (its inputs and the derived values
already computed, by path), how to read a case field, and how to decide a
condition: its three-valued truth first, and only for a condition that cannot be
decided, the facts it waits on (the costlier walk). Operations explain themselves
lazily: each result's text is written only when something shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from riskreview._conditions import Node, ParamRef
from riskreview._derivedefs import DerivedResult, Operand, Scan
from riskreview._explain import show as explain_show
from riskreview._fields import EXTRA, Field
from riskreview._units import from_units, show_units
from riskreview.calendar import Calendar

#: (condition, the list item it is about or None) → True, False or None (undecided)
TruthOf = Callable[[Node, Any], "bool | None"]
#: (an undecided condition, its item) → the paths of the facts it waits on
WaitsOf = Callable[[Node, Any], list[str]]
#: a case field (not an input or a derived value) → its value, None when unknown
ReadOf = Callable[[Field], Any]


class Wait(Exception):
    """An operand is unknown (its paths are asked for), has no value, or is one the
    policy cannot decide (``undecidable``: why)."""

    def __init__(
        self, paths: tuple[str, ...], absent: bool = False, undecidable: str = "", via: str = ""
    ) -> None:
        super().__init__(paths)
        self.paths = paths
        self.absent = absent
        self.undecidable = undecidable
        self.via = via


class Ctx:
    """The derived values of one case being computed, in dependency order."""

    __slots__ = ("as_of", "calendar", "extras", "later", "param", "read", "results", "scan",
                 "truth", "waits")

    def __init__(
        self,
        extras: dict[str, Any],
        as_of: date,
        calendar: Calendar,
        param: Callable[[str, date], Any],
        read: ReadOf,
        truth: TruthOf,
        waits: WaitsOf,
        scan: Scan,
    ) -> None:
        self.extras = extras
        self.as_of = as_of
        self.calendar = calendar
        self.param = param
        self.read = read
        self.truth = truth
        self.waits = waits
        self.scan = scan
        self.results: dict[str, DerivedResult] = {}
        #: (this, a name) → the result of a value computed values first, made on
        #: demand (None for one not declared): see :mod:`riskreview._derive_fast`
        self.later: Callable[[Ctx, str], DerivedResult | None] | None = None

    def value(self, field: Field) -> Any:
        """The value of ``field`` for the case: None when unknown or when it has none."""
        if field.virtual == EXTRA:
            return self.extras.get(field.path)
        return self.as_of if field.path == "as_of" else self.read(field)

    def number(self, n: int | ParamRef) -> int:
        """A whole number written in the pack, or the parameter it names."""
        return int(self.param(n.name, self.as_of)) if isinstance(n, ParamRef) else n

    def inner(self, path: str) -> DerivedResult | None:
        """The result of the derived value at ``path`` (None for any other path)."""
        if not path.startswith("derived."):
            return None
        found = self.results.get(path[8:])
        if found is None and self.later is not None:
            found = self.later(self, path[8:])
        return found

    def unknowns(self, paths: list[str]) -> tuple[str, ...]:
        """The facts ``paths`` wait on: a derived value by the facts it waits on in turn."""
        out: list[str] = []
        for p in paths:
            if p.startswith("derived."):
                inner = self.inner(p)
                out.extend(inner.unknown if inner else (p,))
            else:
                out.append(p)
        return tuple(dict.fromkeys(out))

    def waiting(self, paths: list[str]) -> DerivedResult:
        """Unknown: the value waits on ``paths``; a derived one is named with the facts it
        waits on in turn, and one the policy cannot decide passes on its reason."""
        named = list(dict.fromkeys(paths))
        for p in named:
            inner = self.inner(p)
            if inner is not None and inner.undecidable:
                return DerivedResult(
                    None,
                    f"undecidable: {p} ({inner.undecidable})",
                    (),
                    undecidable=inner.undecidable,
                )
        facts = self.unknowns(named)

        def text() -> str:
            said = ", ".join(named)
            if [f for f in facts if f not in named]:
                said += " (" + ", ".join(facts) + ")"
            return "unknown: waits on " + said

        return DerivedResult(None, text, facts)

    def operand(self, operand: Operand) -> Any:
        """An operand's value; raises :class:`Wait` when it is unknown or has no value."""
        if operand.field is not None:
            v = self.value(operand.field)
            if v is None:
                path = operand.field.path
                inner = self.inner(path)
                if inner is not None and inner.absent:
                    raise Wait((), absent=True)
                if inner is not None and inner.undecidable:
                    raise Wait((), undecidable=inner.undecidable, via=path)
                waits = inner.unknown if inner is not None and inner.unknown else (path,)
                raise Wait(waits, via=path)
            return v
        if operand.param is not None:
            return self.param(operand.param.name, self.as_of)
        return operand.literal

    def decimal(self, operand: Operand) -> Decimal:
        """An operand's value as an exact number (a decimal field from its units)."""
        v = self.operand(operand)
        if isinstance(v, Decimal):
            return v
        scale = operand.field.scale if operand.field is not None else 0
        return from_units(int(v), scale)


def show(value: Any, places: int = 0) -> str:
    """A derived value as an explanation shows it (a decimal with its places)."""
    if places and type(value) is int:
        return show_units(value, places)
    if isinstance(value, ParamRef):
        return value.name
    return explain_show(value)

