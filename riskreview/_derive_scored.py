"""Computing the derived values of scored policy: record lists, arithmetic, conditionals,
lookups and labels built from parts.

Each is a function of the definition and the case's :class:`~riskreview._derive_ctx.Ctx`
(:data:`SCORED_OPS`), returning a :class:`~riskreview._derivedefs.DerivedResult` whose
explanation, term by term, is written when it is read. An operand that cannot be
read raises :class:`~riskreview._derive_ctx.Wait`, which the loop over values turns
into the value's result. The rules for unknowns are those of every derived value: a value that
needs an unknown fact is unknown and names the facts it waits on. "No value" is
different: it is known (an ``if`` that says ``none``, no record matching a ``latest``)
and nothing is asked for; arithmetic on it gives no value, a lookup gives its
``otherwise``, ``max`` and ``min`` pass over it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from riskreview._derive_ctx import Ctx, Wait, show
from riskreview._derivedefs import DerivedDef, DerivedResult, Operand
from riskreview._fields import Field
from riskreview._units import from_units, show_units


def _items(d: DerivedDef, ctx: Ctx) -> tuple[Field, Any]:
    field = d.fields[0]
    items = ctx.value(field)
    if items is None:
        raise Wait((field.path,))
    return field, items


def _quant(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    """``any``, ``all`` or ``none`` of a list's records: decided by the first record
    that decides it (a true one, for ``all`` a false one); how many match is counted
    only when the explanation is read."""
    field, items = _items(d, ctx)
    where = d.where
    assert where is not None
    truth = ctx.truth
    scanned = ctx.scan(field, items, where)
    n = len(items)
    stop = d.op != "all"  # a record this true decides the value
    decided = not stop and len(scanned) < n  # a record left out of the scan is false
    held = 0
    undecided = []
    if not decided:
        for i in scanned:
            t = truth(where, items[i])
            if t is stop:
                decided = True
                break
            if t:
                held += 1
            elif t is None:
                undecided.append(items[i])
    if decided:
        value = d.op == "any"

        def text() -> str:
            matching = sum(1 for i in scanned if truth(where, items[i]))
            return f"{'yes' if value else 'no'}: {matching} of {n} {field.path} records match"

        return DerivedResult(value, text)
    if undecided:
        paths = [p for item in undecided for p in ctx.waits(where, item)]
        return DerivedResult(
            None,
            lambda: f"unknown: {held} of {n} {field.path} records match, some cannot be decided",
            tuple(dict.fromkeys(paths or [field.path])),
        )
    value = d.op != "any"
    return DerivedResult(
        value, lambda: f"{'yes' if value else 'no'}: {held} of {n} {field.path} records match"
    )


def _chosen(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    field, items = _items(d, ctx)
    where = d.where
    kept, waiting = [], []
    if where is None:
        kept = list(items)
    else:
        for i in ctx.scan(field, items, where):
            t = ctx.truth(where, items[i])
            if t is None:
                waiting.extend(ctx.waits(where, items[i]))
            elif t:
                kept.append(items[i])
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

    def said() -> str:
        return (
            f"the {d.op} of {len(kept)} matching {field.path} records "
            f"({by.path} {when.isoformat()})"
        )

    if v is None:
        return DerivedResult(
            None,
            lambda: f"unknown: {said()} has no {chosen_field.path}",
            (f"{field.path}[].{chosen_field.path}",),
        )
    return DerivedResult(
        v, lambda: f"{show(v, chosen_field.scale)}: {chosen_field.path} of {said()}"
    )


def _arithmetic(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    values = [ctx.decimal(o) for o in d.operands]

    def shown() -> list[str]:
        return [
            f"{o.text} {_plain(v)}" if o.field or o.param else _plain(v)
            for o, v in zip(d.operands, values, strict=True)
        ]

    if d.op == "quotient":
        top, bottom = values
        if bottom == 0:
            return DerivedResult(
                None,
                lambda: f"unknown: {shown()[1]} is zero, and a number cannot be divided by it",
                (),
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
        return DerivedResult(
            units, lambda: f" {sign} ".join(shown()) + f" = {show_units(units, d.places)}"
        )
    whole = int(result)
    return DerivedResult(whole, lambda: f" {sign} ".join(shown()) + f" = {whole}")


def _result(d: DerivedDef, operand: Operand, ctx: Ctx) -> Any:
    """An ``if`` or lookup result in the derived value's own type."""
    if operand.absent:
        raise Wait((), absent=True)
    v = ctx.operand(operand)
    if d.enum is not None and isinstance(v, StrEnum) and not isinstance(v, d.enum):
        v = d.enum(v.value)
    if d.kind == "decimal" and operand.field is not None and operand.field.scale != d.places:
        exact = from_units(int(v), operand.field.scale).quantize(
            Decimal(1).scaleb(-d.places), rounding=ROUND_HALF_UP
        )
        v = int(exact.scaleb(d.places))
    return v


def _result_text(d: DerivedDef, operand: Operand, v: Any) -> str:
    """How an ``if`` or lookup result reads."""
    source = f" (from {operand.text})" if operand.field or operand.param else ""
    return f"{show(v, d.places)}{source}"


def _if(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    truth = ctx.truth
    for at, branch in enumerate(d.branches):
        if branch.when is not None:
            t = truth(branch.when, None)
            if t is None:
                waits = ctx.unknowns(list(dict.fromkeys(ctx.waits(branch.when, None))))
                return DerivedResult(None, f"unknown: cannot tell whether {branch.text}", waits)
            if not t:
                continue
        return _branch(d, at, ctx)

    def text() -> str:
        tried = "; ".join(f"not {b.text}" for b in d.branches)
        return f"no value: no case applies ({tried})"

    return DerivedResult(None, text, absent=True)


def _branch(d: DerivedDef, at: int, ctx: Ctx) -> DerivedResult:
    """The result of an ``if`` whose branch ``at`` applies (every one before did not)."""
    branch = d.branches[at]

    def why() -> str:
        if branch.when is not None:
            return f"since {branch.text}"
        passed = [b.text for b in d.branches[:at]]
        return "otherwise" + (f" (not {'; not '.join(passed)})" if passed else "")

    result = branch.result
    if result.undecidable:
        return DerivedResult(
            None,
            lambda: f"undecidable {why()}: {result.undecidable}",
            (),
            undecidable=result.undecidable,
        )
    if result.absent:
        return DerivedResult(None, lambda: f"no value {why()}", absent=True)
    v = _result(d, result, ctx)
    return DerivedResult(v, lambda: f"{_result_text(d, result, v)} {why()}")


def _lookup(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    key_field = d.fields[0]
    try:
        key = ctx.operand(d.key)
    except Wait as waiting:
        if not waiting.absent:
            raise
        key = None
    if key is not None:
        operand = d.by_key.get(key)
        if operand is not None:
            if operand.absent:
                return DerivedResult(
                    None, lambda: f"no value for {key_field.path} {show(key)}", absent=True
                )
            v = _result(d, operand, ctx)
            return DerivedResult(
                v, lambda: f"{_result_text(d, operand, v)} for {key_field.path} {show(key)}"
            )

    def said() -> str:
        return "no value" if key is None else show(key)

    otherwise = d.otherwise
    if otherwise is None or otherwise.absent:
        return DerivedResult(None, lambda: f"no value for {key_field.path} {said()}", absent=True)
    v = _result(d, otherwise, ctx)
    return DerivedResult(
        v, lambda: f"{_result_text(d, otherwise, v)} for {key_field.path} {said()} (otherwise)"
    )


def _join(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    pieces: list[str] = []
    said: list[str] = []
    for part in d.operands:
        if part.field is not None:
            v = ctx.operand(part)
            pieces.append(v.value)
            said.append(f"{part.field.path} {v.value}")
            continue
        if part.when is not None:
            t = ctx.truth(part.when, None)
            if t is None:
                raise Wait(tuple(dict.fromkeys(ctx.waits(part.when, None))))
            if not t:
                continue
        pieces.append(str(part.literal))
        said.append(f"{part.literal!r}")
    label = "".join(pieces)
    assert d.enum is not None
    return DerivedResult(d.enum(label), lambda: f"{label}: " + " + ".join(said))


def _plain(v: Decimal) -> str:
    return format(v.normalize(), "f") if v != v.to_integral_value() else str(int(v))


#: the operations this module computes, by name
SCORED_OPS: dict[str, Callable[[DerivedDef, Ctx], DerivedResult]] = {
    "any": _quant,
    "all": _quant,
    "none": _quant,
    "latest": _chosen,
    "earliest": _chosen,
    "product": _arithmetic,
    "difference": _arithmetic,
    "quotient": _arithmetic,
    "if": _if,
    "lookup": _lookup,
    "join": _join,
}
#: their names
SCORED = tuple(SCORED_OPS)
