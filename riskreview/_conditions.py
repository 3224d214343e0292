"""The condition language of rules: parsed and type-checked when a pack loads.

A condition is YAML::

    all:                                   # also any:, not:, condition: <named>
      - household.children_in_contact: true          # equality
      - risk.overall_level: {gte: medium}            # ordered enum
      - checks.childrens_social_care.requested_date: {missing: true}
      - supervision.start_date: {older_than: {working_days: {param: enquiry_days}}}
      - events: {any: {type: {in: [arrest, charge]}, date: {after: {field: risk.last_review_date}}}}

The result is a small tree of frozen nodes (:mod:`riskreview._condnodes`, re-exported
here) that both evaluators read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import attrs

from riskreview._condnodes import (
    All,
    AnyOf,
    Cmp,
    FieldRef,
    Named,
    Node,
    Not,
    ParamRef,
    Quant,
    Value,
    Window,
    params_of,
    walk,
)
from riskreview._fields import Field
from riskreview._structure import suggest
from riskreview._units import to_units
from riskreview._yaml import describe, short, shown

__all__ = [
    "DATE_AS_ORDER",
    "DATE_OPS",
    "EQ_OPS",
    "HAS_NO_VALUE",
    "HAS_VALUE",
    "LIST_OPS",
    "MAX_DEPTH",
    "MAX_NODES",
    "ORDER_OPS",
    "PRESENCE_OPS",
    "SET_OPS",
    "UNITS",
    "WINDOW_OPS",
    "All",
    "AnyOf",
    "Cmp",
    "FieldRef",
    "Named",
    "Node",
    "Not",
    "ParamRef",
    "ParseContext",
    "Quant",
    "Value",
    "Window",
    "labels_of",
    "params_of",
    "parse",
    "walk",
]

ORDER_OPS = ("lt", "lte", "gt", "gte")
EQ_OPS = ("eq", "ne")
DATE_OPS = ("before", "after", "on_or_before", "on_or_after")
WINDOW_OPS = ("older_than", "within_last", "within_next")
SET_OPS = ("contains", "not_contains", "contains_any", "contains_none")
PRESENCE_OPS = ("exists", "missing")
LIST_OPS = ("any", "all", "none")
UNITS = ("days", "weeks", "working_days", "months", "years")

_OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "bool": EQ_OPS + PRESENCE_OPS,
    "int": EQ_OPS + ORDER_OPS + ("in", "not_in") + PRESENCE_OPS,
    "enum": (*EQ_OPS, "in", "not_in", *PRESENCE_OPS),
    "date": DATE_OPS + WINDOW_OPS + PRESENCE_OPS,
    "set": SET_OPS + PRESENCE_OPS,
    "list": LIST_OPS + PRESENCE_OPS,
    "object": PRESENCE_OPS,
    "str": PRESENCE_OPS,
}
#: the deepest a condition may nest (all, any, not, list tests, named conditions)
MAX_DEPTH = 32
#: the most tests one condition may hold, named conditions expanded
MAX_NODES = 5_000
_NEGATIVE = ": a span of time cannot be negative"
#: date comparison spelled as an ordering of the date itself
DATE_AS_ORDER = {"before": "lt", "after": "gt", "on_or_before": "lte", "on_or_after": "gte"}


@attrs.define
class ParseContext:
    """What a condition may refer to, and where problems are reported."""

    fields: dict[str, Field]
    params: Mapping[str, Any]  # name → Parameter (has .key_enum)
    named: Mapping[str, Any]  # name → raw YAML of a named condition
    report: Callable[[str, str], None]  # (where, message)
    root_fields: dict[str, Field] | None = None
    expanding: tuple[str, ...] = ()
    used_params: set[str] = attrs.field(factory=set)
    used_named: set[str] = attrs.field(factory=set)
    #: fields whose declaration failed (reported there): a test of one is dropped quietly
    broken: frozenset[str] = frozenset()
    #: derived values that can have no value ("none" from an if, no record for a
    #: latest): a test of one is false when it has none, not undecided
    absent_capable: frozenset[str] = frozenset()
    depth: int = 0  # how deep the parser is now, named conditions expanded
    size: list[int] = attrs.field(factory=lambda: [0, 0])  # [tests so far, limit reported]

    def root(self) -> dict[str, Field]:
        return self.root_fields if self.root_fields is not None else self.fields


class _Invalid(Exception):
    """Raised inside the parser after a problem is reported, to drop the node."""


def parse(data: Any, ctx: ParseContext, where: str) -> Node | None:
    """Parse a condition, reporting every problem through ``ctx.report``; None if invalid."""
    try:
        return _node(data, ctx, where)
    except _Invalid:
        return None


def _fail(ctx: ParseContext, where: str, message: str) -> _Invalid:
    ctx.report(where, message)
    return _Invalid()


def _node(data: Any, ctx: ParseContext, where: str) -> Node:
    if not isinstance(data, Mapping) or not data:
        raise _fail(ctx, where, f"a condition must be a non-empty mapping, got {describe(data)}")
    ctx.size[0] += len(data)
    if ctx.depth >= MAX_DEPTH or ctx.size[0] > MAX_NODES:
        if ctx.size[1]:
            raise _Invalid()  # reported once for the whole condition
        ctx.size[1] = 1
        too = (
            f"nest more than {MAX_DEPTH} levels deep"
            if ctx.depth >= MAX_DEPTH
            else f"hold more than {MAX_NODES:,} tests"
        )
        raise _fail(
            ctx,
            where,
            f"the conditions {too} (the limit; named conditions count in full where they "
            "are used): write them with fewer levels and tests",
        )
    ctx.depth += 1
    try:
        return _mapping(data, ctx, where)
    finally:
        ctx.depth -= 1


def _mapping(data: Mapping[str, Any], ctx: ParseContext, where: str) -> Node:
    parts: list[Node] = []
    bad = False
    for key, value in data.items():
        sub = f"{where}.{short(key)}"
        try:
            parts.append(_keyed(key, value, ctx, sub))
        except _Invalid:
            bad = True
    if bad:
        raise _Invalid()
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def _keyed(key: str, value: Any, ctx: ParseContext, where: str) -> Node:
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise _fail(
                ctx, where, f"'{key}' takes a non-empty list of conditions, got {describe(value)}"
            )
        items = []
        bad = False
        for i, item in enumerate(value):
            try:
                items.append(_node(item, ctx, f"{where}[{i}]"))
            except _Invalid:
                bad = True
        if bad:
            raise _Invalid()
        return All(tuple(items)) if key == "all" else AnyOf(tuple(items))
    if key == "not":
        return Not(_node(value, ctx, where))
    if key == "condition":
        return _named(value, ctx, where)
    field = ctx.fields.get(key)
    if field is None and key in ctx.broken:
        raise _Invalid()  # its declaration failed, and says why
    if field is None:
        known = [*list(ctx.fields), "all", "any", "not", "condition"]
        scope = "item field" if ctx.root_fields is not None else "case field"
        raise _fail(ctx, where, f"{shown(key)} is not a {scope}{suggest(key, known)}")
    node = _test(field, key, value, ctx, where)
    if key in ctx.absent_capable and ctx.root_fields is None:
        return _with_no_value(node)
    return node


#: comparisons that hold of a value that has none (it equals nothing)
_HOLD_WITHOUT_VALUE = ("ne", "not_in")


#: the endings of the names that guard a test of a value that can have none
HAS_VALUE, HAS_NO_VALUE = " has a value", " has no value"


def has_value_path(path: str) -> str:
    """The key under which the values stage says whether derived value ``path`` has a
    value (True, False, or None while it is unknown)."""
    return path + HAS_VALUE


def has_value_field(field: Field) -> Field:
    """The yes/no field read at :func:`has_value_path` of derived value ``field``."""
    return Field(
        has_value_path(field.path),
        "bool",
        f"whether {field.path} has a value",
        virtual=field.virtual,
    )


def _with_no_value(node: Node) -> Node:
    """``node``'s tests of a derived value that can have none, made two-valued when it
    has none: a comparison is then false (``ne`` and ``not_in`` true), and its negation
    true; while the value is unknown they stay undecided. Both evaluators read the
    same rewritten condition. The added test carries the value's own path, so an
    unknown value is asked for as itself."""
    if isinstance(node, All):
        return All(tuple(_with_no_value(n) for n in node.items))
    if not isinstance(node, Cmp) or node.op in PRESENCE_OPS:
        return node
    field = has_value_field(node.field)
    if node.op in _HOLD_WITHOUT_VALUE:
        none = Named(
            node.field.path + HAS_NO_VALUE, Cmp(node.field.path, "eq", False, field, "root")
        )
        return AnyOf((none, node))
    some = Named(node.field.path + HAS_VALUE, Cmp(node.field.path, "eq", True, field, "root"))
    return All((some, node))


def _named(name: Any, ctx: ParseContext, where: str) -> Node:
    if not isinstance(name, str) or name not in ctx.named:
        hint = suggest(name, ctx.named) if isinstance(name, str) else ""
        raise _fail(ctx, where, f"unknown named condition {shown(name)}{hint}")
    if name in ctx.expanding:
        chain = " → ".join((*ctx.expanding, name))
        raise _fail(ctx, where, f"named conditions refer to each other in a cycle: {chain}")
    ctx.used_named.add(name)
    inner = attrs.evolve(ctx, expanding=(*ctx.expanding, name))
    try:
        return Named(name, _node(ctx.named[name], inner, f"condition {name}"))
    finally:
        ctx.used_params |= inner.used_params
        ctx.used_named |= inner.used_named


def _test(field: Field, path: str, spec: Any, ctx: ParseContext, where: str) -> Node:
    scope = "item" if ctx.root_fields is not None else "root"
    if not isinstance(spec, Mapping):
        if field.kind in ("bool", "int", "enum"):
            return Cmp(path, "eq", _scalar(field, spec, ctx, where), field, scope)
        raise _fail(
            ctx, where, f"a {field.kind} field takes a mapping of operators, got {describe(spec)}"
        )
    allowed = _OPS_BY_KIND[field.kind]
    if field.kind == "enum" and field.ordered:
        allowed = allowed + ORDER_OPS
    parts: list[Node] = []
    bad = False
    for op, value in spec.items():
        sub = f"{where}.{short(op)}"
        try:
            if op not in allowed:
                hint = suggest(op, allowed)
                raise _fail(
                    ctx,
                    sub,
                    f"{shown(op)} is not an operator for a {field.kind} field{hint}"
                    + ("" if hint else f" (use one of: {', '.join(allowed)})"),
                )
            parts.append(_operator(field, path, op, value, ctx, sub, scope))
        except _Invalid:
            bad = True
    if bad:
        raise _Invalid()
    if not parts:
        raise _fail(ctx, where, "no operator given")
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def _operator(
    field: Field, path: str, op: str, value: Any, ctx: ParseContext, where: str, scope: str
) -> Node:
    if op in PRESENCE_OPS:
        if not isinstance(value, bool):
            raise _fail(ctx, where, f"'{op}' takes true or false")
        real = op if value else ("missing" if op == "exists" else "exists")
        return Cmp(path, real, None, field, scope)
    if op in LIST_OPS:
        assert field.items is not None
        item_ctx = attrs.evolve(ctx, fields=field.items, root_fields=ctx.root())
        try:
            cond = _node(value, item_ctx, where)
        finally:
            ctx.used_params |= item_ctx.used_params
            ctx.used_named |= item_ctx.used_named
        return Quant(path, op, cond, field)
    if op in WINDOW_OPS:
        return Cmp(path, op, _window(value, ctx, where), field, scope)
    if op in DATE_OPS:
        return Cmp(path, DATE_AS_ORDER[op], _date_value(value, ctx, where), field, scope)
    if op in ("in", "not_in", "contains_any", "contains_none"):
        if not isinstance(value, list) or not value:
            raise _fail(ctx, where, f"'{op}' takes a non-empty list")
        return Cmp(path, op, tuple(_scalar(field, v, ctx, where) for v in value), field, scope)
    return Cmp(path, op, _scalar(field, value, ctx, where), field, scope)


def _scalar(field: Field, value: Any, ctx: ParseContext, where: str) -> Any:
    """A literal or parameter compared with ``field``, checked against its type."""
    if isinstance(value, Mapping):
        if set(value) <= {"param", "by"} and "param" in value:
            return _param(value, ctx, where, want="int")
        if set(value) == {"field"}:
            return _field_ref(field, value["field"], ctx, where)
        raise _fail(ctx, where, "expected a value, {param: name} or {field: path}")
    kind = field.kind
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise _fail(ctx, where, f"expected true or false for {field.path}, got {shown(value)}")
    if kind == "int" and field.scale:
        units = to_units(value, field.scale)
        if units is not None and not isinstance(value, str):
            return units
        raise _fail(
            ctx,
            where,
            f"expected a number with at most {field.scale} decimal places for {field.path}, "
            f"got {shown(value)}",
        )
    if kind == "int":
        if type(value) is int:
            return value
        raise _fail(ctx, where, f"expected a whole number for {field.path}, got {shown(value)}")
    if kind in ("enum", "set"):
        assert field.enum is not None
        values = [m.value for m in field.enum]
        if isinstance(value, str) and value in values:
            return field.enum(value)
        hint = suggest(value, values) if isinstance(value, str) else ""
        raise _fail(
            ctx,
            where,
            f"{shown(value)} is not a {field.enum.__name__} value{hint}"
            + ("" if hint else f" (expected one of: {', '.join(values)})"),
        )
    raise _fail(ctx, where, f"a {kind} field cannot be compared with a value here")


def _param(value: Mapping[str, Any], ctx: ParseContext, where: str, want: str) -> ParamRef:
    name = value["param"]
    param = ctx.params.get(name) if isinstance(name, str) else None
    if param is None:
        hint = suggest(name, ctx.params) if isinstance(name, str) else ""
        raise _fail(ctx, where, f"unknown parameter {shown(name)}{hint}")
    ctx.used_params.add(name)
    by = value.get("by")
    if param.key_enum is None:
        if by is not None:
            raise _fail(ctx, where, f"parameter {name!r} is not keyed, so 'by' does not apply")
        return ParamRef(name)
    if by is None:
        raise _fail(
            ctx,
            where,
            f"parameter {name!r} has a value per {param.key_enum.__name__}: "
            "say which field selects it with 'by: <field>'",
        )
    by_field = ctx.root().get(by) if isinstance(by, str) else None
    if by_field is None or by_field.enum is not param.key_enum:
        raise _fail(
            ctx,
            where,
            f"'by: {shown(by)}' must name a case field holding a "
            f"{param.key_enum.__name__}{suggest(by, ctx.root()) if isinstance(by, str) else ''}",
        )
    return ParamRef(name, by, by_field)


def _field_ref(field: Field, path: Any, ctx: ParseContext, where: str) -> FieldRef:
    other = ctx.root().get(path) if isinstance(path, str) else None
    if other is None:
        hint = suggest(path, ctx.root()) if isinstance(path, str) else ""
        raise _fail(ctx, where, f"{shown(path)} is not a case field{hint}")
    if field.kind == "enum" and other.kind == "enum":
        if labels_of(field) != labels_of(other) or not (field.ordered and other.ordered):
            raise _fail(
                ctx,
                where,
                f"cannot compare {field.path} with {path}: labels compare with labels of "
                "the same list, in a declared order (ordered: true)",
            )
        return FieldRef(path, other)
    if other.kind != field.kind or other.kind not in ("int", "date") or other.scale != field.scale:
        raise _fail(
            ctx,
            where,
            f"cannot compare {field.path} ({field.kind}) with {path} ({other.kind}): "
            "only dates with dates, numbers with numbers (of the same places) and labels "
            "with labels of the same list",
        )
    return FieldRef(path, other)


def labels_of(field: Field) -> tuple[str, ...]:
    """The labels an enum field can hold, in order (for telling two lists apart)."""
    return tuple(m.value for m in field.enum) if field.enum is not None else ()


def _date_value(value: Any, ctx: ParseContext, where: str) -> date | FieldRef:
    if isinstance(value, date):
        return value
    if isinstance(value, Mapping) and set(value) == {"field"}:
        path = value["field"]
        other = ctx.root().get(path) if isinstance(path, str) else None
        if other is None or other.kind != "date":
            hint = suggest(path, ctx.root()) if isinstance(path, str) else ""
            raise _fail(ctx, where, f"{shown(path)} is not a date field of the case{hint}")
        return FieldRef(path, other)
    raise _fail(ctx, where, "expected a date (YYYY-MM-DD) or {field: <date field>}")


def _window(value: Any, ctx: ParseContext, where: str) -> Window:
    if not isinstance(value, Mapping) or len(value) != 1:
        raise _fail(
            ctx,
            where,
            "expected one of {days: N}, {weeks: N}, {working_days: N}, {months: N}, {years: N}",
        )
    ((unit, amount),) = value.items()
    if unit not in UNITS:
        raise _fail(ctx, where, f"unknown unit {shown(unit)}{suggest(unit, UNITS)}")
    if isinstance(amount, Mapping) and "param" in amount:
        ref = _param(amount, ctx, where, want="int")
        negative = ctx.params[ref.name].first_negative()
        if negative:
            when, low = negative
            raise _fail(ctx, where, f"parameter {ref.name!r} is {low} from {when}{_NEGATIVE}")
        return Window(ref, unit)
    if type(amount) is not int or amount < 0:
        reason = _NEGATIVE if type(amount) is int else ""
        raise _fail(
            ctx, where, f"expected a whole number of {unit} ≥ 0, got {shown(amount)}{reason}"
        )
    return Window(amount, unit)
