"""Derived values a pack declares (scores, counts, bands, grids, dates): parsing and order.

A pack may declare values derived from the case before any rule runs
(``derived/*.yaml``). Rules read them like case fields: ``derived.dash_yes``.
This module parses and type-checks them when the pack loads and puts them in
dependency order; :mod:`riskreview._derive_compute` computes them for a case.
Pack-declared inputs live in :mod:`riskreview._inputs`; the names other modules
import from here are re-exported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

import attrs

from riskreview._conditions import Node, ParamRef, ParseContext, labels_of, parse
from riskreview._derive_compute import Ctx, DerivedResult
from riskreview._derive_scored import SCORED
from riskreview._derivedefs import MAYBE_ABSENT, Branch, DerivedDef, Operand, Term
from riskreview._envelope import MAX_BOUND
from riskreview._explain import condition_text
from riskreview._fields import Field
from riskreview._inputs import MAX_PLACES, InputDef, _enum, parse_inputs, read_inputs
from riskreview._structure import suggest
from riskreview._units import to_units
from riskreview._yaml import describe, short, shown

__all__ = [
    "Ctx",
    "DerivedDef",
    "DerivedParser",
    "DerivedResult",
    "InputDef",
    "Pending",
    "Term",
    "order",
    "parse_inputs",
    "read_inputs",
]

_DERIVED_OPS = (
    "count",
    "sum",
    "max",
    "min",
    "band",
    "grid",
    "days_between",
    "age",
    "first_present",
    *SCORED,
)
_SPEC_KEYS = ("type", "description", "reported", "default", "values", "ordered", "places")
_TYPES = ("int", "decimal", "bool", "date", "enum")
#: the most labels a ``join`` may make (every combination of its parts)
MAX_JOINED = 10_000


class Pending(Exception):
    """A derived value's type waits on another derived value not declared yet."""


class _Bad(Exception):
    pass


@attrs.define
class DerivedParser:
    """Parses ``derived/*.yaml`` entries against the case, input and derived fields."""

    fields: dict[str, Field]
    params: Mapping[str, Any]
    named: Mapping[str, Any]
    report: Callable[[str, str, int, str], None]  # (file, where, line, message)
    #: paths of derived values not declared yet (a value whose type reads one waits)
    pending: set[str] = attrs.field(factory=set)
    #: paths of derived values whose operation can give "no value"
    absent_capable: set[str] = attrs.field(factory=set)
    _target: tuple[str, type[StrEnum] | None, int] = ("int", None, 0)
    _op: str = ""

    def declare(
        self, name: str, spec: Any, file: str
    ) -> tuple[str, type[StrEnum] | None, int] | None:
        """First pass: the kind, enum and places of a derived value, so others can refer
        to it. Raises :class:`Pending` while it waits on a value not declared yet."""
        line = getattr(spec, "line", 0)
        if not isinstance(spec, Mapping):
            self.report(
                file, name, line, f"expected a mapping with one operation, got {describe(spec)}"
            )
            return None
        ops = [op for op in _DERIVED_OPS if op in spec]
        extra = set(spec) - set(_DERIVED_OPS) - set(_SPEC_KEYS)
        for key in sorted(extra, key=str):
            self.report(
                file,
                f"{name} {key}",
                line,
                "unknown key" + suggest(str(key), [*_DERIVED_OPS, *_SPEC_KEYS]),
            )
        if len(ops) != 1:
            self.report(
                file, name, line, f"expected exactly one operation of: {', '.join(_DERIVED_OPS)}"
            )
            return None
        for key, want in (("description", str), ("reported", bool), ("ordered", bool)):
            if key in spec and not isinstance(spec[key], want):
                expected = "text" if want is str else "true or false"
                self.report(
                    file, f"{name} {key}", line, f"expected {expected}, got {describe(spec[key])}"
                )
                return None
        try:
            declared = self._declare(name, spec, ops[0], file, line)
        except _Bad:
            return None
        if ops[0] in MAYBE_ABSENT:
            self.absent_capable.add(f"derived.{name}")
        return declared

    def _declare(
        self, name: str, spec: Mapping[str, Any], op: str, file: str, line: int
    ) -> tuple[str, type[StrEnum] | None, int]:
        declared = spec.get("type")
        if declared is not None and declared not in _TYPES:
            raise self._fail(
                file,
                f"{name} type",
                line,
                f"{shown(declared)} is not a type{suggest(str(declared), _TYPES)} "
                f"(one of: {', '.join(_TYPES)})",
            )
        places = self._places(name, spec, declared, file, line)
        fixed = {
            "count": "int",
            "sum": "int",
            "days_between": "int",
            "age": "int",
            "quotient": "int",
            "any": "bool",
            "all": "bool",
            "none": "bool",
        }
        if op in fixed:
            self._clash(name, op, fixed[op], declared, file, line)
            return fixed[op], None, 0
        if op == "band":
            edges = spec["band"].get("edges") if isinstance(spec["band"], Mapping) else None
            labels: list[Any] = [
                e.get("label") if isinstance(e, Mapping) else None
                for e in (edges if isinstance(edges, list) else [])
            ]
            if not labels or not all(isinstance(x, str) for x in labels):
                raise self._fail(file, f"{name} band", line, "expected edges: [{label, from}, ...]")
            self._clash(name, op, "enum", declared, file, line)
            return "enum", _enum(f"Band_{name}", [str(x) for x in labels], True), 0
        if op == "grid":
            table = spec["grid"].get("table") if isinstance(spec["grid"], Mapping) else None
            if not isinstance(table, Mapping) or not all(
                isinstance(r, Mapping) and all(isinstance(v, str) for v in r.values())
                for r in table.values()
            ):
                raise self._fail(
                    file, f"{name} grid", line, "expected table: {row: {column: label}}"
                )
            labels = list(dict.fromkeys(str(v) for r in table.values() for v in r.values()))
            self._clash(name, op, "enum", declared, file, line)
            return "enum", _enum(f"Grid_{name}", labels, bool(spec.get("ordered", False))), 0
        if declared == "enum" or (declared is None and "values" in spec):
            return "enum", self._labels(name, spec, file, line), 0
        if "values" in spec:
            raise self._fail(file, f"{name} values", line, "'values' applies only to type enum")
        if declared is not None:
            if op == "join":
                self._clash(name, op, "enum", declared, file, line)
            return str(declared), None, places
        return self._inferred(name, spec, op, file, line)

    def _places(
        self, name: str, spec: Mapping[str, Any], declared: Any, file: str, line: int
    ) -> int:
        if declared != "decimal":
            if "places" in spec:
                raise self._fail(
                    file, f"{name} places", line, "'places' applies only to type decimal"
                )
            return 0
        places = spec.get("places")
        if type(places) is not int or not 0 <= places <= MAX_PLACES:
            raise self._fail(
                file,
                f"{name} places",
                line,
                f"a decimal needs places: a whole number from 0 to {MAX_PLACES}, "
                f"got {shown(places)}",
            )
        return places

    def _clash(self, name: str, op: str, gives: str, declared: Any, file: str, line: int) -> None:
        if declared is not None and declared != gives:
            raise self._fail(
                file, f"{name} type", line, f"type clash: {op} gives {gives}, declared {declared}"
            )

    def _labels(self, name: str, spec: Mapping[str, Any], file: str, line: int) -> type[StrEnum]:
        values = spec.get("values")
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) for v in values)
        ):
            bools = isinstance(values, list) and any(isinstance(v, bool) for v in values)
            raise self._fail(
                file,
                f"{name} values",
                line,
                "a derived label needs values: the labels it can take, in order"
                + (
                    " (YAML reads unquoted yes/no/true/false as true or false: quote them)"
                    if bools
                    else ""
                ),
            )
        if len(set(values)) != len(values):
            raise self._fail(file, f"{name} values", line, "a label is listed twice")
        return _enum(f"Derived_{name}", [str(v) for v in values], bool(spec.get("ordered", False)))

    def _known(self, path: Any) -> Field | None:
        """The field at ``path``; :class:`Pending` if it is a derived value not declared yet."""
        if not isinstance(path, str):
            return None
        field = self.fields.get(path)
        if field is None and path.startswith("derived.") and path in self.pending:
            raise Pending(path)
        return field

    def _inferred(
        self, name: str, spec: Mapping[str, Any], op: str, file: str, line: int
    ) -> tuple[str, type[StrEnum] | None, int]:
        body = spec[op]
        if op in ("max", "min", "first_present"):
            fields = [self._known(p) for p in (body if isinstance(body, list) else [])]
            known = [f for f in fields if f is not None]
            if not known:
                return "int", None, 0  # the operation's own parse reports what is wrong
            first = known[0]
            kind = "decimal" if first.kind == "int" and first.scale else first.kind
            return kind, first.enum, first.scale
        if op in ("latest", "earliest"):
            lst = self._known(body.get("list")) if isinstance(body, Mapping) else None
            item = (lst.items or {}).get(body.get("read")) if lst is not None else None
            if item is None:
                return "int", None, 0
            kind = {"str": "text"}.get(item.kind, item.kind)
            if kind == "int" and item.scale:
                kind = "decimal"
            return kind, item.enum, item.scale
        if op == "join":
            return "enum", self._joined(name, body, file, line), 0
        if op in ("product", "difference"):
            fields = [self._known(p) for p in (body if isinstance(body, list) else [])]
            scaled = [f.scale for f in fields if f is not None and f.scale]
            floats = [v for v in (body if isinstance(body, list) else []) if isinstance(v, float)]
            if scaled or floats:
                raise self._fail(
                    file,
                    f"{name} type",
                    line,
                    f"{op} of decimals: declare type: decimal and its places",
                )
            return "int", None, 0
        # if, lookup: the kind of the results
        results = self._results(op, body)
        kinds = set()
        for r in results:
            if isinstance(r, Mapping) and "value" in r:
                f = self._known(r["value"])
                if f is not None:
                    if f.enum is not None:
                        raise self._fail(
                            file,
                            f"{name} values",
                            line,
                            f"a result reads labels ({r['value']}): declare type: enum with "
                            "values (every label it can give, in order)",
                        )
                    kinds.add("decimal" if f.scale else f.kind)
            elif isinstance(r, bool):
                kinds.add("bool")
            elif type(r) is int:
                kinds.add("int")
            elif isinstance(r, date):
                kinds.add("date")
            elif isinstance(r, str):
                kinds.add("enum")
            elif isinstance(r, float):
                kinds.add("decimal")
        if kinds == {"enum"}:
            labels = [r for r in results if isinstance(r, str)]
            return "enum", _enum(f"Derived_{name}", list(dict.fromkeys(labels)), False), 0
        if len(kinds) == 1 and kinds <= {"int", "bool", "date"}:
            return kinds.pop(), None, 0
        raise self._fail(
            file,
            f"{name} type",
            line,
            f"the results of this {op} do not say their type: declare type ({', '.join(_TYPES)})",
        )

    @staticmethod
    def _results(op: str, body: Any) -> list[Any]:
        if op == "lookup":
            table = body.get("table") if isinstance(body, Mapping) else None
            out = list(table.values()) if isinstance(table, Mapping) else []
            if isinstance(body, Mapping) and "otherwise" in body:
                out.append(body["otherwise"])
            return [r for r in out if r is not None]
        out = []
        for branch in body if isinstance(body, list) else []:
            if isinstance(branch, Mapping):
                r = branch.get("then", branch.get("else"))
                if r is not None and r != "none":
                    out.append(r)
        return out

    def _joined(self, name: str, body: Any, file: str, line: int) -> type[StrEnum]:
        if not isinstance(body, list) or not body:
            raise self._fail(file, f"{name} join", line, "expected a list of parts")
        combos = [""]
        for i, part in enumerate(body):
            if isinstance(part, Mapping) and "text" in part:
                text = part["text"]
                if not isinstance(text, str):
                    raise self._fail(file, f"{name} join[{i}]", line, "expected text: <text>")
                combos = [
                    c + t for c in combos for t in ((text, "") if "when" in part else (text,))
                ]
            else:
                field = self._known(part)
                if field is None or field.enum is None:
                    raise self._fail(
                        file,
                        f"{name} join[{i}]",
                        line,
                        f"expected a field holding labels, {{text: ...}} or {{when: ..., "
                        f"text: ...}}, got {shown(part)}",
                    )
                combos = [c + m.value for c in combos for m in field.enum]
            if len(combos) > MAX_JOINED:
                raise self._fail(
                    file, f"{name} join", line, f"makes more than {MAX_JOINED:,} labels"
                )
        return _enum(f"Join_{name}", list(dict.fromkeys(combos)), False)

    def parse(
        self,
        name: str,
        spec: Mapping[str, Any],
        file: str,
        kind: str,
        enum: type[StrEnum] | None,
        places: int = 0,
    ) -> DerivedDef | None:
        """Second pass: the operation, type-checked."""
        line = getattr(spec, "line", 0)
        op = next(op for op in _DERIVED_OPS if op in spec)
        base: dict[str, Any] = {
            "name": name,
            "op": op,
            "kind": kind,
            "enum": enum,
            "places": places,
            "file": file,
            "line": line,
            "description": str(spec.get("description", name)).strip(),
            "reported": bool(spec.get("reported", False)),
        }
        method = {"if": "_if", "any": "_quant", "all": "_quant", "none": "_quant"}.get(op, f"_{op}")
        self._target = (kind, enum, places)
        self._op = op
        try:
            parts = getattr(self, method)(name, spec[op], file, line, kind)
            default = self._default(name, spec.get("default"), kind, enum, file, line, places)
        except _Bad:
            return None
        return DerivedDef(**base, default=default, **parts)

    # -- helpers

    def _fail(self, file: str, where: str, line: int, message: str) -> _Bad:
        self.report(file, where, line, message)
        return _Bad()

    def _field(self, path: Any, file: str, where: str, line: int, kinds: tuple[str, ...]) -> Field:
        field = self.fields.get(path) if isinstance(path, str) else None
        if field is None:
            raise self._fail(
                file,
                where,
                line,
                f"{path!r} is not a case field, input or derived "
                f"value{suggest(str(path), self.fields)}",
            )
        if field.kind not in kinds:
            raise self._fail(
                file,
                where,
                line,
                f"type clash: {path} is {field.kind}, expected {' or '.join(kinds)}",
            )
        return field

    def _condition(
        self,
        data: Any,
        file: str,
        where: str,
        line: int,
        item_fields: dict[str, Field] | None = None,
    ) -> Node:
        found: list[str] = []

        def report(at: str, message: str) -> None:
            found.append(message)
            self.report(file, f"{where} {at}", line, message)

        ctx = ParseContext(
            fields=item_fields or self.fields,
            params=self.params,
            named=self.named,
            report=report,
            root_fields=self.fields if item_fields else None,
            absent_capable=frozenset(self.absent_capable),
        )
        node = parse(data, ctx, "when")
        if node is None or found:
            raise _Bad()
        return node

    def _number(self, value: Any, file: str, where: str, line: int) -> int | ParamRef:
        if type(value) is int and abs(value) < MAX_BOUND:
            return value
        if isinstance(value, Mapping) and set(value) == {"param"}:
            name = value["param"]
            param = self.params.get(name) if isinstance(name, str) else None
            if param is None or param.key_enum is not None:
                raise self._fail(
                    file,
                    where,
                    line,
                    f"unknown or keyed parameter {shown(name)}"
                    f"{suggest(name, self.params) if isinstance(name, str) else ''}",
                )
            return ParamRef(name)
        raise self._fail(
            file,
            where,
            line,
            f"expected a whole number from {-(MAX_BOUND - 1):,} to {MAX_BOUND - 1:,} "
            f"or {{param: name}}, got {shown(value)}",
        )

    def _default(
        self,
        name: str,
        value: Any,
        kind: str,
        enum: type[StrEnum] | None,
        file: str,
        line: int,
        places: int = 0,
    ) -> Any:
        if value is None:
            return None
        if kind == "int" and type(value) is int:
            return value
        if kind == "bool" and isinstance(value, bool):
            return value
        if kind == "decimal" and not isinstance(value, bool | str):
            units = to_units(value, places)
            if units is not None:
                return units
        if kind == "enum" and enum is not None and value in [m.value for m in enum]:
            return enum(value)
        if kind == "date" and isinstance(value, date):
            return value
        raise self._fail(
            file, f"{name} default", line, f"type clash: default {value!r} for a {kind}"
        )

    # -- operations

    def _count(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        if not isinstance(spec, Mapping) or "list" not in spec:
            raise self._fail(
                file,
                f"{name} count",
                line,
                "expected {list: <field>, where: ...} or {list: <field>, equals: <value>}",
            )
        field = self._field(spec["list"], file, f"{name} count list", line, ("list", "set"))
        extra = set(spec) - {"list", "where", "equals", "distinct"}
        if extra:
            raise self._fail(file, f"{name} count {sorted(extra, key=str)[0]}", line, "unknown key")
        if field.kind == "list":
            assert field.items is not None
            parts: dict[str, Any] = {"fields": (field,)}
            if "distinct" in spec:
                parts["distinct"] = self._item(
                    field, spec["distinct"], file, f"{name} count distinct", line
                )
            if "where" in spec:
                parts["where"] = self._condition(
                    spec["where"], file, f"{name} count where", line, field.items
                )
            return parts
        if "distinct" in spec:
            raise self._fail(
                file, f"{name} count distinct", line, "distinct applies to a list of records"
            )
        if "equals" not in spec:
            return {"fields": (field,)}
        assert field.enum is not None
        allowed = [m.value for m in field.enum]
        if spec["equals"] not in allowed:
            raise self._fail(
                file,
                f"{name} count equals",
                line,
                f"{spec['equals']!r} is not "
                f"one of the list's values{suggest(str(spec['equals']), allowed)}",
            )
        return {"fields": (field,), "equals": field.enum(spec["equals"])}

    def _sum(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        if not isinstance(spec, list) or not spec:
            raise self._fail(file, f"{name} sum", line, "expected a list of terms")
        terms = []
        for i, term in enumerate(spec):
            where = f"{name} sum[{i}]"
            if not isinstance(term, Mapping):
                raise self._fail(file, where, line, "expected {when, points} or {value, times}")
            extra = set(term) - {"when", "points", "value", "times"}
            if extra or ("value" in term) == ("points" in term):
                raise self._fail(
                    file, where, line, "expected {when, points} or {value, times} (when optional)"
                )
            if "value" in term:
                field = self._field(term["value"], file, where, line, ("int",))
                if field.scale:
                    raise self._fail(
                        file, where, line, f"{field.path} is a decimal: a sum adds whole numbers"
                    )
                times = self._number(term.get("times", 1), file, where, line)
                when = self._condition(term["when"], file, where, line) if "when" in term else None
                text = (
                    f"{term['value']} ×"
                    if when is None
                    else f"{condition_text(when)}: {term['value']} ×"
                )
                terms.append(Term(when, times, field, text))
            elif "points" in term:
                when = self._condition(term["when"], file, where, line) if "when" in term else None
                points = self._number(term["points"], file, where, line)
                terms.append(
                    Term(when, points, None, condition_text(when) if when is not None else "always")
                )
            else:
                raise self._fail(file, where, line, "expected {when, points} or {value, times}")
        return {"terms": tuple(terms)}

    def _extreme(
        self, name: str, spec: Any, file: str, line: int, kind: str, op: str
    ) -> dict[str, Any]:
        if not isinstance(spec, list) or len(spec) < 2:
            raise self._fail(file, f"{name} {op}", line, "expected a list of at least two values")
        want = {"decimal": "int", "text": "str"}.get(kind, kind)
        fields = tuple(self._field(p, file, f"{name} {op}", line, (want,)) for p in spec)
        first = fields[0]
        for f in fields[1:]:
            # labels declared apart (each step's own A–G) are alike when the lists are
            if (
                labels_of(f) != labels_of(first)
                or f.ordered != first.ordered
                or (f.scale != first.scale)
            ):
                what = "labels" if first.enum is not None else "places"
                raise self._fail(
                    file,
                    f"{name} {op}",
                    line,
                    f"{f.path} and {first.path} differ in their {what}: {op} compares like "
                    "with like",
                )
        if op != "first_present" and first.enum is not None and not first.ordered:
            raise self._fail(
                file,
                f"{name} {op}",
                line,
                f"{first.path} holds labels with no order: {op} needs labels in a declared "
                "order (a band, or values with ordered: true)",
            )
        return {"fields": fields}

    def _max(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        return self._extreme(name, spec, file, line, kind, "max")

    def _min(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        return self._extreme(name, spec, file, line, kind, "min")

    def _first_present(
        self, name: str, spec: Any, file: str, line: int, kind: str
    ) -> dict[str, Any]:
        return self._extreme(name, spec, file, line, kind, "first_present")

    # -- operands and results

    def _operand(self, value: Any, file: str, where: str, line: int) -> Operand:
        """A number, a parameter or a field path, for arithmetic."""
        if isinstance(value, str):
            field = self._field(value, file, where, line, ("int",))
            return Operand(field=field)
        if isinstance(value, Mapping) and set(value) == {"param"}:
            number = self._number(value, file, where, line)
            assert isinstance(number, ParamRef)
            return Operand(param=number)
        if type(value) is int and abs(value) < MAX_BOUND:
            return Operand(literal=value)
        if isinstance(value, float) and to_units(value, MAX_PLACES) is not None:
            return Operand(literal=Decimal(str(value)))
        raise self._fail(
            file, where, line, f"expected a number, {{param: name}} or a field, got {shown(value)}"
        )

    def _result(self, value: Any, file: str, where: str, line: int) -> Operand:
        """A result of an ``if`` or a lookup, checked against the value's own type."""
        kind, enum, places = self._target
        if value is None or value == "none":
            return Operand(absent=True)
        if isinstance(value, Mapping) and set(value) == {"undecidable"}:
            reason = value["undecidable"]
            if not isinstance(reason, str) or not reason.strip():
                raise self._fail(file, where, line, "undecidable: says why, in words")
            return Operand(undecidable=reason.strip())
        if isinstance(value, Mapping) and set(value) == {"param"}:
            return Operand(param=self._number(value, file, where, line))  # type: ignore[arg-type]
        if isinstance(value, Mapping) and set(value) == {"value"}:
            want = {"decimal": ("int",), "text": ("str",)}.get(kind, (kind,))
            field = self._field(value["value"], file, where, line, want)
            if kind == "int" and field.scale:
                raise self._fail(
                    file, where, line, f"type clash: {field.path} is a decimal, expected int"
                )
            if enum is not None:
                known = {m.value for m in enum}
                assert field.enum is not None
                stray = [m.value for m in field.enum if m.value not in known]
                if stray:
                    raise self._fail(
                        file,
                        where,
                        line,
                        f"{field.path} can give {', '.join(stray)}, not among this value's labels",
                    )
            return Operand(field=field)
        if kind == "enum" and enum is not None:
            labels = [m.value for m in enum]
            if isinstance(value, str) and value in labels:
                return Operand(literal=enum(value))
            hint = suggest(value, labels) if isinstance(value, str) else ""
            raise self._fail(
                file,
                where,
                line,
                f"{shown(value)} is not one of its labels{hint} ({', '.join(labels)})",
            )
        if kind == "int" and type(value) is int and abs(value) < MAX_BOUND:
            return Operand(literal=value)
        if kind == "decimal" and not isinstance(value, bool | str):
            units = to_units(value, places)
            if units is not None:
                return Operand(literal=units)
        if kind == "bool" and isinstance(value, bool):
            return Operand(literal=value)
        if kind == "date" and isinstance(value, date):
            return Operand(literal=value)
        raise self._fail(file, where, line, f"type clash: {shown(value)} for a {kind}")

    def _records(
        self, name: str, op: str, spec: Any, file: str, line: int
    ) -> tuple[Field, Node | None]:
        if not isinstance(spec, Mapping) or "list" not in spec:
            raise self._fail(file, f"{name} {op}", line, "expected {list: <field>, where: ...}")
        field = self._field(spec["list"], file, f"{name} {op} list", line, ("list",))
        assert field.items is not None
        where = (
            self._condition(spec["where"], file, f"{name} {op} where", line, field.items)
            if "where" in spec
            else None
        )
        return field, where

    def _item(self, field: Field, key: Any, file: str, where: str, line: int) -> Field:
        items = field.items or {}
        item = items.get(key) if isinstance(key, str) else None
        if item is None:
            hint = suggest(key, items) if isinstance(key, str) else ""
            raise self._fail(
                file, where, line, f"{shown(key)} is not a field of {field.path}'s items{hint}"
            )
        return item

    # -- the operations added for scored policy

    def _quant(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        op = self._op
        field, where = self._records(name, op, spec, file, line)
        if where is None:
            raise self._fail(file, f"{name} {op}", line, "expected where: <condition on an item>")
        return {"fields": (field,), "where": where}

    def _latest(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        return self._chosen(name, spec, file, line, "latest")

    def _earliest(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        return self._chosen(name, spec, file, line, "earliest")

    def _chosen(self, name: str, spec: Any, file: str, line: int, op: str) -> dict[str, Any]:
        field, where = self._records(name, op, spec, file, line)
        by = self._item(field, spec.get("by"), file, f"{name} {op} by", line)
        if by.kind != "date":
            raise self._fail(file, f"{name} {op} by", line, f"{by.path} is not a date field")
        read = self._item(field, spec.get("read"), file, f"{name} {op} read", line)
        extra = set(spec) - {"list", "where", "by", "read"}
        if extra:
            raise self._fail(file, f"{name} {op} {sorted(extra)[0]}", line, "unknown key")
        return {"fields": (field,), "where": where, "by": by, "read": read}

    def _arithmetic(self, name: str, spec: Any, file: str, line: int, op: str) -> dict[str, Any]:
        if not isinstance(spec, list) or len(spec) < 2 or (op == "quotient" and len(spec) != 2):
            want = "two values" if op == "quotient" else "a list of at least two values"
            raise self._fail(file, f"{name} {op}", line, f"expected {want}")
        operands = tuple(
            self._operand(v, file, f"{name} {op}[{i}]", line) for i, v in enumerate(spec)
        )
        kind, _, _ = self._target
        decimals = [
            o
            for o in operands
            if (o.field is not None and o.field.scale) or isinstance(o.literal, Decimal)
        ]
        if op == "quotient" and decimals:
            raise self._fail(file, f"{name} quotient", line, "integer division takes whole numbers")
        if op == "quotient" and operands[1].literal == 0:
            raise self._fail(file, f"{name} quotient[1]", line, "division by zero")
        if kind == "int" and decimals:
            raise self._fail(
                file,
                f"{name} type",
                line,
                f"{op} of decimals: declare type: decimal and its places",
            )
        return {"operands": operands}

    def _product(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        return self._arithmetic(name, spec, file, line, "product")

    def _difference(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        return self._arithmetic(name, spec, file, line, "difference")

    def _quotient(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        return self._arithmetic(name, spec, file, line, "quotient")

    def _if(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        if not isinstance(spec, list) or not spec:
            raise self._fail(
                file, f"{name} if", line, "expected a list of {when, then} and an else"
            )
        branches = []
        for i, branch in enumerate(spec):
            where = f"{name} if[{i}]"
            if not isinstance(branch, Mapping):
                raise self._fail(
                    file,
                    where,
                    line,
                    f"expected {{when, then}} or {{else}}, got {describe(branch)}",
                )
            if "else" in branch:
                if set(branch) != {"else"} or i != len(spec) - 1:
                    raise self._fail(file, where, line, "else stands alone, as the last case")
                branches.append(
                    Branch(
                        None, self._result(branch["else"], file, f"{where} else", line), "otherwise"
                    )
                )
                continue
            keys = set(branch)
            outcome = keys & {"then", "undecidable"}
            if "when" not in keys or len(outcome) != 1 or keys - {"when", "then", "undecidable"}:
                raise self._fail(
                    file,
                    where,
                    line,
                    "expected {when: <condition>, then: <value>} (or undecidable: <why>)",
                )
            when = self._condition(branch["when"], file, f"{where} when", line)
            key = outcome.pop()
            result = self._result(
                branch["then"] if key == "then" else {"undecidable": branch["undecidable"]},
                file,
                f"{where} {key}",
                line,
            )
            branches.append(Branch(when, result, condition_text(when)))
        return {"branches": tuple(branches)}

    def _lookup(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        if (
            not isinstance(spec, Mapping)
            or "value" not in spec
            or not isinstance(spec.get("table"), Mapping)
        ):
            raise self._fail(
                file,
                f"{name} lookup",
                line,
                "expected {value: <field>, table: {key: result}, otherwise: <result>}",
            )
        extra = set(spec) - {"value", "table", "otherwise"}
        if extra:
            raise self._fail(
                file, f"{name} lookup {sorted(extra, key=str)[0]}", line, "unknown key"
            )
        key_field = self._field(spec["value"], file, f"{name} lookup value", line, ("enum", "bool"))
        cases: list[tuple[Any, Operand]] = []
        for written, result in spec["table"].items():
            where = f"{name} lookup table {short(written)}"
            key = written
            if key_field.kind == "bool":
                # keys are text in a pack's YAML: true and false are written as words
                key = {"true": True, "false": False}.get(written, written)
                if not isinstance(key, bool):
                    raise self._fail(file, where, line, f"expected true or false, got {shown(key)}")
                cases.append((key, self._result(result, file, where, line)))
                continue
            assert key_field.enum is not None
            labels = [m.value for m in key_field.enum]
            if key not in labels:
                hint = suggest(key, labels) if isinstance(key, str) else ""
                raise self._fail(
                    file, where, line, f"{shown(key)} is not a {key_field.path} label{hint}"
                )
            cases.append((key_field.enum(key), self._result(result, file, where, line)))
        otherwise = (
            self._result(spec["otherwise"], file, f"{name} lookup otherwise", line)
            if "otherwise" in spec
            else None
        )
        if otherwise is None and key_field.enum is not None and len(cases) < len(key_field.enum):
            missing = [m.value for m in key_field.enum if m not in dict(cases)]
            raise self._fail(
                file,
                f"{name} lookup",
                line,
                f"no result for {', '.join(missing)}: add them or otherwise: <result>",
            )
        return {"fields": (key_field,), "cases": tuple(cases), "otherwise": otherwise}

    def _join(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        parts = []
        for i, part in enumerate(spec):
            where = f"{name} join[{i}]"
            if isinstance(part, Mapping):
                extra = set(part) - {"text", "when"}
                if extra or "text" not in part:
                    raise self._fail(
                        file, where, line, "expected {text: ...} or {when: ..., text: ...}"
                    )
                when = (
                    self._condition(part["when"], file, f"{where} when", line)
                    if "when" in part
                    else None
                )
                parts.append(Operand(literal=str(part["text"]), when=when))
            else:
                parts.append(Operand(field=self._field(part, file, where, line, ("enum",))))
        return {"operands": tuple(parts)}

    def _band(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        value = self._field(spec.get("value"), file, f"{name} band value", line, ("int",))
        edges: list[tuple[str, int | ParamRef]] = []
        for i, edge in enumerate(spec["edges"]):
            where = f"{name} band edges[{i}]"
            if not isinstance(edge, Mapping) or set(edge) != {"label", "from"}:
                raise self._fail(file, where, line, "expected {label, from}")
            if value.scale:  # a decimal's edges are in its units: 7.00 is 700 hundredths
                units = to_units(edge["from"], value.scale)
                if units is None or isinstance(edge["from"], bool | str):
                    raise self._fail(
                        file,
                        where,
                        line,
                        f"expected a number with at most {value.scale} places, "
                        f"got {shown(edge['from'])}",
                    )
                edges.append((str(edge["label"]), units))
                continue
            edges.append((str(edge["label"]), self._number(edge["from"], file, where, line)))
        literal = [b for _, b in edges if isinstance(b, int)]
        if literal != sorted(set(literal)) or len({label for label, _ in edges}) != len(edges):
            raise self._fail(
                file,
                f"{name} band edges",
                line,
                "edges must rise strictly, lowest first, with distinct labels",
            )
        return {"fields": (value,), "edges": tuple(edges)}

    def _grid(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        row = self._field(spec.get("row"), file, f"{name} grid row", line, ("enum",))
        col = self._field(spec.get("column"), file, f"{name} grid column", line, ("enum",))
        table = spec["table"]
        assert row.enum is not None and col.enum is not None
        rows, cols = [m.value for m in row.enum], [m.value for m in col.enum]
        missing = [
            f"{r}/{c}" for r in rows for c in cols if r not in table or c not in table.get(r, {})
        ]
        extra = [str(r) for r in table if r not in rows] + [
            f"{r}/{c}" for r, cs in table.items() for c in cs if c not in cols
        ]
        if missing or extra:
            raise self._fail(
                file,
                f"{name} grid table",
                line,
                "the table must have exactly one "
                f"label per row and column (missing: {', '.join(missing) or '-'}; "
                f"unknown: {', '.join(extra) or '-'})",
            )
        return {
            "fields": (row, col),
            "table": {str(r): {str(c): str(v) for c, v in cs.items()} for r, cs in table.items()},
        }

    def _days_between(
        self, name: str, spec: Any, file: str, line: int, kind: str
    ) -> dict[str, Any]:
        if not isinstance(spec, Mapping):
            raise self._fail(file, f"{name} days_between", line, "expected {from, to, unit}")
        fields = []
        for key in ("from", "to"):
            if spec.get(key) == "as_of":
                fields.append(Field("as_of", "date", "the evaluation date"))
            else:
                fields.append(
                    self._field(spec.get(key), file, f"{name} days_between {key}", line, ("date",))
                )
        unit = spec.get("unit", "days")
        if unit not in ("days", "working_days", "weeks"):
            raise self._fail(
                file, f"{name} days_between unit", line, "expected days, working_days or weeks"
            )
        return {"fields": tuple(fields), "unit": str(unit)}

    def _age(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        return {"fields": (self._field(spec, file, f"{name} age", line, ("date",)),)}


def order(
    defs: Mapping[str, DerivedDef], report: Callable[[str, str, int, str], None]
) -> list[DerivedDef]:
    """Derived values in dependency order; a cycle is reported with its chain."""
    done: list[DerivedDef] = []
    state: dict[str, int] = {}

    def visit(name: str, chain: tuple[str, ...]) -> bool:
        if state.get(name) == 2:
            return True
        if state.get(name) == 1:
            d = defs[name]
            report(
                d.file,
                name,
                d.line,
                "derived values depend on each other in a cycle: " + " → ".join((*chain, name)),
            )
            return False
        state[name] = 1
        for dep in defs[name].depends_on:
            key = dep.removeprefix("derived.")
            if key in defs and not visit(key, (*chain, name)):
                return False
        state[name] = 2
        done.append(defs[name])
        return True

    for name in defs:
        if not visit(name, ()):
            break
    return done
