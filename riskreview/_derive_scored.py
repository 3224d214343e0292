"""Computing the derived values of scored policy: record lists, arithmetic, conditionals,
lookups and labels built from parts.

Each returns a :class:`~riskreview._derive_compute.DerivedResult` with its explanation,
term by term. The rules for unknowns are those of every derived value: a value that
needs an unknown fact is unknown and names the facts it waits on. "No value" is
different: it is known (an ``if`` that says ``none``, no record matching a ``latest``)
and nothing is asked for; arithmetic on it gives no value, a lookup gives its
``otherwise``, ``max`` and ``min`` pass over it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from riskreview._conditions import ParamRef
from riskreview._derivedefs import DerivedDef, DerivedResult, Evaluate, Operand, Read, Scan, every
from riskreview._explain import show as explain_show
from riskreview._fields import Field
from riskreview._reference import unknown_paths
from riskreview._units import from_units, show_units

#: the operations this module computes
SCORED = (
    "any",
    "all",
    "none",
    "latest",
    "earliest",
    "product",
    "difference",
    "quotient",
    "if",
    "lookup",
    "join",
)


class _Wait(Exception):
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


def scored(
    d: DerivedDef,
    extras: dict[str, Any],
    as_of: date,
    param: Callable[[str, date], Any],
    read: Read,
    evaluate: Evaluate,
    results: Mapping[str, DerivedResult],
    scan: Scan = every,
) -> DerivedResult:
    """The value of ``d`` (one of :data:`SCORED`) for the case in ``extras``."""

    def value(operand: Operand) -> Any:
        """An operand's value; raises _Wait when it is unknown or has no value."""
        if operand.field is not None:
            v = as_of if operand.field.path == "as_of" else read(operand.field, extras)
            if v is None:
                path = operand.field.path
                inner = (
                    results.get(path.removeprefix("derived."))
                    if path.startswith("derived.")
                    else None
                )
                if inner is not None and inner.absent:
                    raise _Wait((), absent=True)
                if inner is not None and inner.undecidable:
                    raise _Wait((), undecidable=inner.undecidable, via=path)
                waits = inner.unknown if inner is not None and inner.unknown else (path,)
                raise _Wait(waits, via=path)
            return v
        if operand.param is not None:
            return param(operand.param.name, as_of)
        return operand.literal

    def number(operand: Operand) -> Decimal:
        v = value(operand)
        if isinstance(v, Decimal):
            return v
        scale = operand.field.scale if operand.field is not None else 0
        return from_units(int(v), scale)

    try:
        if d.op in ("any", "all", "none"):
            return _quant(d, read, evaluate, extras, scan)
        if d.op in ("latest", "earliest"):
            return _chosen(d, read, evaluate, extras, scan)
        if d.op in ("product", "difference", "quotient"):
            return _arithmetic(d, number)
        if d.op == "if":
            return _if(d, value, evaluate, extras, results)
        if d.op == "lookup":
            return _lookup(d, value)
        return _join(d, value, evaluate, extras)
    except _Wait as waiting:
        if waiting.absent:
            return DerivedResult(None, "no value: a value it reads has none", absent=True)
        if waiting.undecidable:
            return DerivedResult(
                None,
                f"undecidable: {waiting.via} ({waiting.undecidable})",
                (),
                undecidable=waiting.undecidable,
            )
        said = ", ".join(waiting.paths)
        if waiting.via and waiting.paths != (waiting.via,):
            said = f"{waiting.via} ({said})"
        return DerivedResult(None, "unknown: waits on " + said, tuple(waiting.paths))


def unknowns(paths: list[str], results: Mapping[str, DerivedResult]) -> tuple[str, ...]:
    """The facts ``paths`` wait on: a derived value by the facts it waits on in turn."""
    out: list[str] = []
    for p in paths:
        if p.startswith("derived."):
            inner = results.get(p.removeprefix("derived."))
            out.extend(inner.unknown if inner else (p,))
        else:
            out.append(p)
    return tuple(dict.fromkeys(out))


def _items(d: DerivedDef, read: Read, extras: Mapping[str, Any]) -> tuple[Field, Any]:
    field = d.fields[0]
    items = read(field, extras)
    if items is None:
        raise _Wait((field.path,))
    return field, items


def _matching(
    d: DerivedDef, field: Field, items: Any, evaluate: Evaluate, extras: Mapping[str, Any],
    scan: Scan,
) -> tuple[list[Any], list[str]]:
    """The items ``d.where`` holds for, and the paths of any it cannot decide."""
    if d.where is None:
        return list(items), []
    kept, waiting = [], []
    for item in (items[i] for i in scan(field, items, d.where)):
        result = evaluate(d.where, item, extras)
        if result.truth is None:
            waiting.extend(unknown_paths(result))
        elif result.truth:
            kept.append(item)
    return kept, waiting


def _quant(
    d: DerivedDef, read: Read, evaluate: Evaluate, extras: Mapping[str, Any], scan: Scan
) -> DerivedResult:
    field, items = _items(d, read, extras)
    where = d.where
    assert where is not None
    truths = [evaluate(where, items[i], extras) for i in scan(field, items, where)]
    held = sum(1 for t in truths if t.truth)
    # the items left out of the scan are false
    failed = len(items) - len(truths) + sum(1 for t in truths if t.truth is False)
    undecided = [p for t in truths if t.truth is None for p in unknown_paths(t)]
    n = len(items)
    if d.op == "any":
        value = True if held else (None if undecided else False)
    elif d.op == "all":
        value = False if failed else (None if undecided else True)
    else:
        value = False if held else (None if undecided else True)
    said = f"{held} of {n} {field.path} records match"
    if value is None:
        waits = tuple(dict.fromkeys(undecided or [field.path]))
        return DerivedResult(None, f"unknown: {said}, some cannot be decided", waits)
    return DerivedResult(value, f"{'yes' if value else 'no'}: {said}")


def _chosen(
    d: DerivedDef, read: Read, evaluate: Evaluate, extras: Mapping[str, Any], scan: Scan
) -> DerivedResult:
    field, items = _items(d, read, extras)
    kept, waiting = _matching(d, field, items, evaluate, extras, scan)
    by, chosen_field = d.by, d.read
    assert by is not None and chosen_field is not None
    undated = [i for i in kept if getattr(i, by.path) is None]
    if waiting or undated:
        paths = waiting or [f"{field.path}[].{by.path}"]
        return DerivedResult(
            None,
            f"unknown: which {field.path} record is {d.op} cannot be told",
            tuple(dict.fromkeys(paths)),
        )
    if not kept:
        return DerivedResult(None, f"no value: no {field.path} record matches", absent=True)
    pick = max if d.op == "latest" else min
    # the first of equal dates in the case's order wins, whichever way the pick runs
    ordered = sorted(
        enumerate(kept), key=lambda ik: (getattr(ik[1], by.path), -ik[0] if pick is max else ik[0])
    )
    record = (ordered[-1] if pick is max else ordered[0])[1]
    when = getattr(record, by.path)
    v = getattr(record, chosen_field.path)
    said = f"the {d.op} of {len(kept)} matching {field.path} records ({by.path} {when.isoformat()})"
    if v is None:
        return DerivedResult(
            None,
            f"unknown: {said} has no {chosen_field.path}",
            (f"{field.path}[].{chosen_field.path}",),
        )
    return DerivedResult(v, f"{show(v, chosen_field.scale)}: {chosen_field.path} of {said}")


def _arithmetic(d: DerivedDef, number: Callable[[Operand], Decimal]) -> DerivedResult:
    values = [number(o) for o in d.operands]
    shown = [
        f"{o.text} {_plain(v)}" if o.field or o.param else _plain(v)
        for o, v in zip(d.operands, values, strict=True)
    ]
    if d.op == "quotient":
        top, bottom = values
        if bottom == 0:
            return DerivedResult(
                None, f"unknown: {shown[1]} is zero, and a number cannot be divided by it", ()
            )
        result = top // bottom
        sign = "÷"
    elif d.op == "product":
        result = values[0]
        for v in values[1:]:
            result *= v
        sign = "×"
    else:
        result = values[0] - sum(values[1:], Decimal(0))
        sign = "−"
    if d.kind == "decimal":
        exact = result.quantize(Decimal(1).scaleb(-d.places), rounding=ROUND_HALF_UP)
        units = int(exact.scaleb(d.places))
        text = f" {sign} ".join(shown) + f" = {show_units(units, d.places)}"
        return DerivedResult(units, text)
    whole = int(result)
    return DerivedResult(whole, f" {sign} ".join(shown) + f" = {whole}")


def _result(d: DerivedDef, operand: Operand, value: Callable[[Operand], Any]) -> tuple[Any, str]:
    """An ``if`` or lookup result in the derived value's own type, and how it reads."""
    if operand.absent:
        raise _Wait((), absent=True)
    v = value(operand)
    if d.enum is not None and isinstance(v, StrEnum) and not isinstance(v, d.enum):
        v = d.enum(v.value)
    if d.kind == "decimal" and operand.field is not None and operand.field.scale != d.places:
        exact = from_units(int(v), operand.field.scale).quantize(
            Decimal(1).scaleb(-d.places), rounding=ROUND_HALF_UP
        )
        v = int(exact.scaleb(d.places))
    source = f" (from {operand.text})" if operand.field or operand.param else ""
    return v, f"{show(v, d.places)}{source}"


def _if(
    d: DerivedDef,
    value: Callable[[Operand], Any],
    evaluate: Evaluate,
    extras: Mapping[str, Any],
    results: Mapping[str, DerivedResult],
) -> DerivedResult:
    passed: list[str] = []
    for branch in d.branches:
        if branch.when is not None:
            result = evaluate(branch.when, None, extras)
            if result.truth is None:
                waits = unknowns(list(dict.fromkeys(unknown_paths(result))), results)
                return DerivedResult(None, f"unknown: cannot tell whether {branch.text}", waits)
            if not result.truth:
                passed.append(branch.text)
                continue
        why = (
            f"since {branch.text}"
            if branch.when is not None
            else "otherwise" + (f" (not {'; not '.join(passed)})" if passed else "")
        )
        if branch.result.undecidable:
            return DerivedResult(
                None,
                f"undecidable {why}: {branch.result.undecidable}",
                (),
                undecidable=branch.result.undecidable,
            )
        if branch.result.absent:
            return DerivedResult(None, f"no value {why}", absent=True)
        v, text = _result(d, branch.result, value)
        return DerivedResult(v, f"{text} {why}")
    tried = "; ".join(f"not {t}" for t in passed)
    return DerivedResult(None, f"no value: no case applies ({tried})", absent=True)


def _lookup(d: DerivedDef, value: Callable[[Operand], Any]) -> DerivedResult:
    key_field = d.fields[0]
    try:
        key = value(Operand(field=key_field))
    except _Wait as waiting:
        if not waiting.absent:
            raise
        key = None
    for k, operand in d.cases:
        if key is not None and k == key:
            if operand.absent:
                return DerivedResult(
                    None, f"no value for {key_field.path} {show(key)}", absent=True
                )
            v, text = _result(d, operand, value)
            return DerivedResult(v, f"{text} for {key_field.path} {show(key)}")
    said = "no value" if key is None else show(key)
    if d.otherwise is None or d.otherwise.absent:
        return DerivedResult(None, f"no value for {key_field.path} {said}", absent=True)
    v, text = _result(d, d.otherwise, value)
    return DerivedResult(v, f"{text} for {key_field.path} {said} (otherwise)")


def _join(
    d: DerivedDef, value: Callable[[Operand], Any], evaluate: Evaluate, extras: Mapping[str, Any]
) -> DerivedResult:
    pieces: list[str] = []
    said: list[str] = []
    for part in d.operands:
        if part.field is not None:
            v = value(part)
            pieces.append(v.value)
            said.append(f"{part.field.path} {v.value}")
            continue
        if part.when is not None:
            result = evaluate(part.when, None, extras)
            if result.truth is None:
                raise _Wait(tuple(dict.fromkeys(unknown_paths(result))))
            if not result.truth:
                continue
        pieces.append(str(part.literal))
        said.append(f"{part.literal!r}")
    label = "".join(pieces)
    assert d.enum is not None
    return DerivedResult(d.enum(label), f"{label}: " + " + ".join(said))


def _plain(v: Decimal) -> str:
    return format(v.normalize(), "f") if v != v.to_integral_value() else str(int(v))


def show(value: Any, places: int = 0) -> str:
    """A derived value as an explanation shows it (a decimal with its places)."""
    if places and type(value) is int:
        return show_units(value, places)
    if isinstance(value, ParamRef):
        return value.name
    return explain_show(value)
