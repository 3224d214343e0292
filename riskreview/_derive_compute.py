"""Computing a pack's derived values for one case.

Derived values are computed once per evaluation, in dependency order, and both
evaluators read the same numbers. A value that depends on an unknown fact is
unknown unless the pack states a ``default``. Each operation is one function
(:data:`OPS`, by the operation's name); its explanation is written only when read.
This is the full computation: the values stage computes most values with functions
compiled from it (:mod:`riskreview._derive_fast`) and calls :func:`compute_one` for
the rest, and for a value's full result when something reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from riskreview._derive_ctx import Ctx, Wait, show
from riskreview._derive_scored import SCORED_OPS
from riskreview._derivedefs import DerivedDef, DerivedResult
from riskreview._fields import Field
from riskreview._wording import plural

__all__ = ["OPS", "Ctx", "DerivedResult", "compute_one"]


def compute_one(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    """The value ``d`` in full for the case ``ctx`` reads, its default applied."""
    try:
        result = OPS[d.op](d, ctx)
    except Wait as waiting:  # an operand it reads is unknown or has no value
        result = _unread(waiting)
    if result.value is None and d.default is not None:
        result = _defaulted(d, result)
    return result


def _unread(waiting: Wait) -> DerivedResult:
    """The result of a value one of whose operands could not be read."""
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


def _defaulted(d: DerivedDef, result: DerivedResult) -> DerivedResult:
    return DerivedResult(
        d.default, lambda: f"{result.explanation}; the pack's default {show(d.default)} applies"
    )


def _unknown_list(ctx: Ctx, path: str) -> DerivedResult:
    return DerivedResult(None, f"unknown: {path} is unknown", ctx.unknowns([path]))


def _count(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    field = d.fields[0]
    items = ctx.value(field)
    if items is None:
        return _unknown_list(ctx, field.path)
    if d.distinct is not None:
        return _distinct(d, items, ctx)
    total = len(items)
    if d.where is None and d.equals is None:
        return DerivedResult(total, lambda: plural(total, f"{field.path} item"))
    if d.equals is not None:
        equal = sum(1 for v in items if v == d.equals)
        return DerivedResult(
            equal, lambda: f"{equal} of {total} {field.path} are {show(d.equals)}"
        )
    where = d.where
    assert where is not None
    truth = ctx.truth
    n = 0
    undecided = []
    for i in ctx.scan(field, items, where):  # false for every item left out of the scan
        t = truth(where, items[i])
        if t:
            n += 1
        elif t is None:
            undecided.append(items[i])
    if undecided:
        paths = [p for item in undecided for p in ctx.waits(where, item)]
        return DerivedResult(
            None,
            f"unknown: some {field.path} items cannot be decided",
            ctx.unknowns(paths or [field.path]),
        )
    verb = "matches" if total == 1 else "match"
    return DerivedResult(n, lambda: f"{n} of {plural(total, f'{field.path} item')} {verb}")


def _distinct(d: DerivedDef, items: Any, ctx: Ctx) -> DerivedResult:
    """How many different values of one field the matching records hold."""
    field, distinct = d.fields[0], d.distinct
    assert distinct is not None
    seen: dict[Any, None] = {}
    waiting: list[str] = []
    where = d.where
    chosen = range(len(items)) if where is None else ctx.scan(field, items, where)
    for item in (items[i] for i in chosen):
        if where is not None:
            t = ctx.truth(where, item)
            if t is None:
                waiting.extend(ctx.waits(where, item))
                continue
            if not t:
                continue
        value = getattr(item, distinct.path)
        if value is None:
            waiting.append(f"{field.path}[].{distinct.path}")
        else:
            seen[value] = None
    if waiting:
        return DerivedResult(
            None, f"unknown: some {field.path} records cannot be counted", ctx.unknowns(waiting)
        )

    def text() -> str:
        listed = ", ".join(show(v) for v in seen) or "none"
        return f"{len(seen)} different {distinct.path} among {field.path} ({listed})"

    return DerivedResult(len(seen), text)


def _sum(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    total = 0
    parts: list[tuple[Any, Any, int, int]] = []  # (term, value or None, points, added)
    waiting: list[str] = []
    truth = ctx.truth
    for term in d.terms:
        when = term.when
        if term.value is not None:
            if when is not None:
                t = truth(when, None)
                if t is None:
                    # a term that adds nothing whatever the condition waits on nothing
                    v = ctx.value(term.value)
                    if v is None or v * ctx.number(term.points):
                        waiting.extend(ctx.waits(when, None))
                    continue
                if not t:
                    continue
            v = ctx.value(term.value)
            if v is None:
                waiting.append(term.value.path)
                continue
            points = ctx.number(term.points)
            add = v * points
            total += add
            if add:
                parts.append((term, v, points, add))
            continue
        t = True if when is None else truth(when, None)
        if t is None:
            assert when is not None
            waiting.extend(ctx.waits(when, None))
        elif t:
            points = ctx.number(term.points)
            total += points
            parts.append((term, None, points, points))
    if waiting:
        return ctx.waiting(waiting)

    def text() -> str:
        said = []
        for term, v, points, add in parts:
            if term.value is None:
                said.append(f"{term.text} {points}")
            else:
                path = term.value.path
                before = term.text.removesuffix(f"{path} ×") if term.when else ""
                said.append(f"{before}{path} {v} × {points} = {add}")
        return f"{total} points: " + ("; ".join(said) or "no term applies")

    return DerivedResult(total, text)


def _first_present(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    for field in d.fields:
        v = ctx.value(field)
        if v is not None:
            return _present(field, v)
    paths = [f.path for f in d.fields]
    return DerivedResult(
        None,
        "unknown: none of " + ", ".join(paths) + " is known",
        # ask for the last alternative: the fallback every case can record
        ctx.unknowns([paths[-1]]),
    )


def _present(field: Field, v: Any) -> DerivedResult:
    return DerivedResult(v, lambda: f"{show(v)} from {field.path}")


def _extreme(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    values = [(f.path, ctx.value(f)) for f in d.fields]
    missing = []
    for p, v in values:
        if v is None:
            inner = ctx.inner(p)
            if (inner is None or not inner.absent) and p not in missing:
                missing.append(p)
    if missing:
        return ctx.waiting(missing)
    present = [(p, v) for p, v in values if v is not None]
    if not present:
        return DerivedResult(None, "no value: none of its values has one", absent=True)
    pick = max if d.op == "max" else min
    rank = d.rank
    best = pick(present, key=(lambda pv: rank[pv[1]]) if rank else (lambda pv: pv[1]))
    value = best[1]
    if d.enum is not None and type(value) is not d.enum:  # a label of a list declared
        value = d.enum(value.value)  # apart, as this value's own

    def text() -> str:
        shown = ", ".join(
            f"{p} {'no value' if v is None else show(v, d.places)}" for p, v in values
        )
        return f"{d.op} of {shown} is {show(value, d.places)} ({best[0]})"

    return DerivedResult(value, text)


def _band(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    field = d.fields[0]
    v = ctx.value(field)
    if v is None:
        return _unknown_list(ctx, field.path)
    edges = [(label, ctx.number(b)) for label, b in d.edges]
    assert d.enum is not None
    chosen = None
    for i, (label, low) in enumerate(edges):
        if v >= low:
            upper = edges[i + 1][1] if i + 1 < len(edges) else None
            chosen = (label, low, upper)
    if chosen is None:
        return DerivedResult(
            None, lambda: f"{v} is below the lowest band edge {edges[0][1]}", (field.path,)
        )
    label, low, upper = chosen

    def text() -> str:
        places = field.scale
        span = (
            f"{show(low, places)} and over"
            if upper is None
            else f"{show(low, places)} up to {show(upper - 1, places)}"
        )
        return f"{field.path} {show(v, places)} is in band {label} ({span})"

    return DerivedResult(d.enum(label), text)


def _grid(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    row, col = (ctx.value(f) for f in d.fields)
    if row is None or col is None:
        return ctx.waiting([f.path for f, v in zip(d.fields, (row, col), strict=True) if v is None])
    assert d.enum is not None
    label = d.table[show(row)][show(col)]
    return DerivedResult(
        d.enum(label),
        lambda: f"row {d.fields[0].path} {show(row)}, column "
        f"{d.fields[1].path} {show(col)} gives {label}",
    )


def _days_between(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    start, end = (ctx.value(f) for f in d.fields)
    if start is None or end is None:
        return ctx.waiting(
            [f.path for f, v in zip(d.fields, (start, end), strict=True) if v is None]
        )
    if d.unit == "working_days":
        n = ctx.calendar.working_days_between(start, end)
    else:
        n = (end - start).days // (7 if d.unit == "weeks" else 1)
    return DerivedResult(
        n,
        lambda: f"{n} {d.unit.replace('_', ' ')} from {d.fields[0].path} {show(start)} "
        f"to {d.fields[1].path} {show(end)}",
    )


def _age(d: DerivedDef, ctx: Ctx) -> DerivedResult:
    as_of = ctx.as_of
    born = ctx.value(d.fields[0])
    if born is None or born > as_of:
        return _unknown_list(ctx, d.fields[0].path)
    years = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
    return DerivedResult(years, lambda: f"{years} years old on {as_of.isoformat()}")


#: each operation's computation, by its name in a pack
OPS: dict[str, Callable[[DerivedDef, Ctx], DerivedResult]] = {
    "count": _count,
    "sum": _sum,
    "max": _extreme,
    "min": _extreme,
    "first_present": _first_present,
    "band": _band,
    "grid": _grid,
    "days_between": _days_between,
    "age": _age,
    **SCORED_OPS,
}
