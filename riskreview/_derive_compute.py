"""Computing a pack's derived values for one case.

Derived values are computed once per evaluation, in dependency order, and both
evaluators read the same numbers. A value that depends on an unknown fact is
unknown unless the pack states a ``default``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from riskreview._conditions import ParamRef, has_value_path
from riskreview._derive_scored import SCORED as _SCORED
from riskreview._derive_scored import scored as _scored
from riskreview._derive_scored import show as _show
from riskreview._derive_scored import unknowns as _unknowns
from riskreview._derivedefs import DerivedDef, DerivedResult, Evaluate, Read, Scan, every

__all__ = ["DerivedResult", "Evaluate", "Read", "compute"]
from riskreview._fields import Field
from riskreview._reference import unknown_paths
from riskreview._wording import plural
from riskreview.calendar import Calendar


def compute(
    defs: list[DerivedDef],
    extras: dict[str, Any],
    as_of: date,
    calendar: Calendar,
    param: Callable[[str, date], Any],
    read: Read,
    evaluate: Evaluate,
    scan: Scan = every,
) -> dict[str, DerivedResult]:
    """Compute ``defs`` in order, adding each value to ``extras`` by its path
    (``scan``: which items of a list a ``where`` need be put to)."""
    results: dict[str, DerivedResult] = {}
    for d in defs:
        if d.op in _SCORED:
            result = _scored(d, extras, as_of, param, read, evaluate, results, scan)
        else:
            result = _one(d, extras, as_of, calendar, param, read, evaluate, results, scan)
        if result.value is None and d.default is not None:
            result = DerivedResult(
                d.default,
                f"{result.explanation}; the pack's default {_show(d.default)} applies",
                (),
            )
        results[d.name] = result
        extras[f"derived.{d.name}"] = result.value
        if d.maybe_absent:  # beside a value that can have none: whether it has one
            has = True if result.value is not None else (False if result.absent else None)
            extras[has_value_path(f"derived.{d.name}")] = has
    return results


def _absent(path: str, results: Mapping[str, DerivedResult]) -> bool:
    inner = results.get(path.removeprefix("derived.")) if path.startswith("derived.") else None
    return inner is not None and inner.absent


def _waiting(paths: list[str], results: Mapping[str, DerivedResult]) -> DerivedResult:
    """Unknown: the value waits on ``paths``; a derived one is named with the facts it
    waits on in turn, and one the policy cannot decide passes on its reason."""
    named = list(dict.fromkeys(paths))
    for p in named:
        inner = results.get(p.removeprefix("derived.")) if p.startswith("derived.") else None
        if inner is not None and inner.undecidable:
            return DerivedResult(
                None,
                f"undecidable: {p} ({inner.undecidable})",
                (),
                undecidable=inner.undecidable,
            )
    facts = _unknowns(named, results)
    said = ", ".join(named)
    if [f for f in facts if f not in named]:
        said += " (" + ", ".join(facts) + ")"
    return DerivedResult(None, "unknown: waits on " + said, facts)


def _distinct(
    d: DerivedDef,
    items: Any,
    extras: dict[str, Any],
    evaluate: Evaluate,
    results: Mapping[str, DerivedResult],
    scan: Scan,
) -> DerivedResult:
    """How many different values of one field the matching records hold."""
    field, distinct = d.fields[0], d.distinct
    assert distinct is not None
    seen: dict[Any, None] = {}
    waiting: list[str] = []
    chosen = range(len(items)) if d.where is None else scan(field, items, d.where)
    for item in (items[i] for i in chosen):
        if d.where is not None:
            result = evaluate(d.where, item, extras)
            if result.truth is None:
                waiting.extend(unknown_paths(result))
                continue
            if not result.truth:
                continue
        value = getattr(item, distinct.path)
        if value is None:
            waiting.append(f"{field.path}[].{distinct.path}")
        else:
            seen[value] = None
    if waiting:
        return DerivedResult(
            None,
            f"unknown: some {field.path} records cannot be counted",
            _unknowns(waiting, results),
        )
    listed = ", ".join(_show(v) for v in seen) or "none"
    return DerivedResult(
        len(seen), f"{len(seen)} different {distinct.path} among {field.path} ({listed})"
    )


def _one(
    d: DerivedDef,
    extras: dict[str, Any],
    as_of: date,
    calendar: Calendar,
    param: Callable[[str, date], Any],
    read: Read,
    evaluate: Evaluate,
    results: Mapping[str, DerivedResult],
    scan: Scan,
) -> DerivedResult:
    def number(n: int | ParamRef) -> int:
        return int(param(n.name, as_of)) if isinstance(n, ParamRef) else n

    def value_of(field: Field) -> Any:
        return as_of if field.path == "as_of" else read(field, extras)

    if d.op == "count":
        field = d.fields[0]
        items = value_of(field)
        if items is None:
            return DerivedResult(
                None, f"unknown: {field.path} is unknown", _unknowns([field.path], results)
            )
        if d.distinct is not None:
            return _distinct(d, items, extras, evaluate, results, scan)
        if d.where is None and d.equals is None:
            return DerivedResult(len(items), plural(len(items), f"{field.path} item"))
        if d.equals is not None:
            n = sum(1 for v in items if v == d.equals)
            return DerivedResult(n, f"{n} of {len(items)} {field.path} are {_show(d.equals)}")
        where = d.where
        assert where is not None
        # false for every item left out of the scan
        truths = [evaluate(where, items[i], extras) for i in scan(field, items, where)]
        if any(t.truth is None for t in truths):
            paths = [p for t in truths for p in unknown_paths(t)]
            return DerivedResult(
                None,
                f"unknown: some {field.path} items cannot be decided",
                _unknowns(paths or [field.path], results),
            )
        n = sum(1 for t in truths if t.truth)
        verb = "matches" if len(items) == 1 else "match"
        return DerivedResult(n, f"{n} of {plural(len(items), f'{field.path} item')} {verb}")
    if d.op == "sum":
        total, parts, waiting = 0, [], []
        for term in d.terms:
            if term.value is not None and term.when is not None:
                truth = evaluate(term.when, None, extras).truth
                if truth is None:
                    # a term that adds nothing whatever the condition waits on nothing
                    v = value_of(term.value)
                    if v is None or v * number(term.points):
                        waiting.extend(unknown_paths(evaluate(term.when, None, extras)))
                    continue
                if not truth:
                    continue
            if term.value is not None:
                v = value_of(term.value)
                if v is None:
                    waiting.append(term.value.path)
                    continue
                add = v * number(term.points)
                total += add
                if add:
                    said = term.text.removesuffix(f"{term.value.path} ×") if term.when else ""
                    parts.append(f"{said}{term.value.path} {v} × {number(term.points)} = {add}")
                continue
            truth = True if term.when is None else evaluate(term.when, None, extras).truth
            if truth is None:
                when = term.when
                assert when is not None
                waiting.extend(unknown_paths(evaluate(when, None, extras)))
            elif truth:
                total += number(term.points)
                parts.append(f"{term.text} {number(term.points)}")
        if waiting:
            return _waiting(waiting, results)
        return DerivedResult(total, f"{total} points: " + ("; ".join(parts) or "no term applies"))
    if d.op in ("max", "min", "first_present"):
        values = [(f.path, value_of(f)) for f in d.fields]
        if d.op == "first_present":
            found = next(((p, v) for p, v in values if v is not None), None)
            if found is None:
                return DerivedResult(
                    None,
                    "unknown: none of " + ", ".join(p for p, _ in values) + " is known",
                    # ask for the last alternative: the fallback every case can record
                    _unknowns([values[-1][0]], results),
                )
            return DerivedResult(found[1], f"{_show(found[1])} from {found[0]}")
        missing = list(dict.fromkeys(p for p, v in values if v is None and not _absent(p, results)))
        if missing:
            return _waiting(missing, results)
        present = [(p, v) for p, v in values if v is not None]
        if not present:
            return DerivedResult(None, "no value: none of its values has one", absent=True)
        pick = max if d.op == "max" else min
        labels = [m.value for m in d.enum] if d.enum is not None else None
        best = pick(present, key=lambda pv: labels.index(pv[1].value) if labels else pv[1])
        if d.enum is not None:  # a label of a list declared apart, as this value's own
            best = (best[0], d.enum(best[1].value))
        shown = ", ".join(
            f"{p} {'no value' if v is None else _show(v, d.places)}" for p, v in values
        )
        return DerivedResult(
            best[1], f"{d.op} of {shown} is {_show(best[1], d.places)} ({best[0]})"
        )
    if d.op == "band":
        field = d.fields[0]
        v = value_of(field)
        if v is None:
            return DerivedResult(
                None, f"unknown: {field.path} is unknown", _unknowns([field.path], results)
            )
        edges = [(label, number(b)) for label, b in d.edges]
        assert d.enum is not None
        chosen = None
        for i, (label, low) in enumerate(edges):
            if v >= low:
                upper = edges[i + 1][1] if i + 1 < len(edges) else None
                chosen = (label, low, upper)
        if chosen is None:
            return DerivedResult(
                None, f"{v} is below the lowest band edge {edges[0][1]}", (field.path,)
            )
        label, low, upper = chosen
        places = field.scale
        span = (
            f"{_show(low, places)} and over"
            if upper is None
            else f"{_show(low, places)} up to {_show(upper - 1, places)}"
        )
        return DerivedResult(
            d.enum(label), f"{field.path} {_show(v, places)} is in band {label} ({span})"
        )
    if d.op == "grid":
        row, col = (value_of(f) for f in d.fields)
        if row is None or col is None:
            missing = [f.path for f, v in zip(d.fields, (row, col), strict=True) if v is None]
            return _waiting(missing, results)
        assert d.enum is not None
        label = d.table[_show(row)][_show(col)]
        return DerivedResult(
            d.enum(label),
            f"row {d.fields[0].path} {_show(row)}, column "
            f"{d.fields[1].path} {_show(col)} gives {label}",
        )
    if d.op == "days_between":
        start, end = (value_of(f) for f in d.fields)
        if start is None or end is None:
            missing = [f.path for f, v in zip(d.fields, (start, end), strict=True) if v is None]
            return _waiting(missing, results)
        if d.unit == "working_days":
            n = calendar.working_days_between(start, end)
        else:
            n = (end - start).days // (7 if d.unit == "weeks" else 1)
        unit = d.unit.replace("_", " ")
        return DerivedResult(
            n,
            f"{n} {unit} from {d.fields[0].path} {_show(start)} to {d.fields[1].path} {_show(end)}",
        )
    born = value_of(d.fields[0])
    if born is None or born > as_of:
        return DerivedResult(
            None, f"unknown: {d.fields[0].path} is unknown", _unknowns([d.fields[0].path], results)
        )
    years = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
    return DerivedResult(years, f"{years} years old on {as_of.isoformat()}")
