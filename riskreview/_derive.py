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
from enum import StrEnum
from typing import Any

import attrs

from riskreview._conditions import Node, ParamRef, ParseContext, parse
from riskreview._derive_compute import DerivedResult, Evaluate, Read, compute
from riskreview._derivedefs import DerivedDef, Term
from riskreview._envelope import MAX_BOUND
from riskreview._explain import condition_text
from riskreview._fields import Field
from riskreview._inputs import InputDef, _enum, parse_inputs, read_inputs
from riskreview._structure import suggest
from riskreview._yaml import describe, shown

__all__ = [
    "DerivedDef",
    "DerivedParser",
    "DerivedResult",
    "Evaluate",
    "InputDef",
    "Read",
    "Term",
    "compute",
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
)


class _Bad(Exception):
    pass


@attrs.define
class DerivedParser:
    """Parses ``derived/*.yaml`` entries against the case, input and derived fields."""

    fields: dict[str, Field]
    params: Mapping[str, Any]
    named: Mapping[str, Any]
    report: Callable[[str, str, int, str], None]  # (file, where, line, message)

    def declare(self, name: str, spec: Any, file: str) -> tuple[str, type[StrEnum] | None] | None:
        """First pass: the kind (and enum) of a derived value, so others can refer to it."""
        line = getattr(spec, "line", 0)
        if not isinstance(spec, Mapping):
            self.report(
                file, name, line, f"expected a mapping with one operation, got {describe(spec)}"
            )
            return None
        ops = [op for op in _DERIVED_OPS if op in spec]
        extra = set(spec) - set(_DERIVED_OPS) - {"type", "description", "reported", "default"}
        for key in sorted(extra):
            self.report(
                file,
                f"{name} {key}",
                line,
                "unknown key"
                + suggest(key, [*_DERIVED_OPS, "type", "description", "reported", "default"]),
            )
        if len(ops) != 1:
            self.report(
                file, name, line, f"expected exactly one operation of: {', '.join(_DERIVED_OPS)}"
            )
            return None
        op = ops[0]
        if op in ("count", "sum", "days_between", "age"):
            kind, enum = "int", None
        elif op == "band":
            edges = spec["band"].get("edges") if isinstance(spec["band"], Mapping) else None
            labels: list[Any] = [
                e.get("label") if isinstance(e, Mapping) else None
                for e in (edges if isinstance(edges, list) else [])
            ]
            if not labels or not all(isinstance(x, str) for x in labels):
                self.report(file, f"{name} band", line, "expected edges: [{label, from}, ...]")
                return None
            kind, enum = "enum", _enum(f"Band_{name}", [str(x) for x in labels], True)
        elif op == "grid":
            table = spec["grid"].get("table") if isinstance(spec["grid"], Mapping) else None
            if not isinstance(table, Mapping) or not all(
                isinstance(r, Mapping) and all(isinstance(v, str) for v in r.values())
                for r in table.values()
            ):
                self.report(file, f"{name} grid", line, "expected table: {row: {column: label}}")
                return None
            labels = list(dict.fromkeys(str(v) for r in table.values() for v in r.values()))
            kind, enum = "enum", _enum(f"Grid_{name}", labels, False)
        else:
            kind, enum = spec.get("type", "int"), None
        declared = spec.get("type")
        if declared is not None and op not in ("max", "min", "first_present"):
            expected = "enum" if op in ("band", "grid") else "int"
            if declared not in (expected, "band"):
                self.report(
                    file,
                    f"{name} type",
                    line,
                    f"type clash: {op} gives {expected}, declared {declared}",
                )
                return None
        if kind not in ("int", "date", "enum"):
            self.report(file, f"{name} type", line, f"expected int or date, got {shown(kind)}")
            return None
        for key, want in (("description", str), ("reported", bool)):
            if key in spec and not isinstance(spec[key], want):
                expected = "text" if want is str else "true or false"
                self.report(
                    file, f"{name} {key}", line, f"expected {expected}, got {describe(spec[key])}"
                )
                return None
        return str(kind), enum

    def parse(
        self, name: str, spec: Mapping[str, Any], file: str, kind: str, enum: type[StrEnum] | None
    ) -> DerivedDef | None:
        """Second pass: the operation, type-checked."""
        line = getattr(spec, "line", 0)
        op = next(op for op in _DERIVED_OPS if op in spec)
        base: dict[str, Any] = {
            "name": name,
            "op": op,
            "kind": kind,
            "enum": enum,
            "file": file,
            "line": line,
            "description": str(spec.get("description", name)).strip(),
            "reported": bool(spec.get("reported", False)),
        }
        try:
            parts = getattr(self, f"_{op}")(name, spec[op], file, line, kind)
            default = self._default(name, spec.get("default"), kind, enum, file, line)
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
        self, name: str, value: Any, kind: str, enum: type[StrEnum] | None, file: str, line: int
    ) -> Any:
        if value is None:
            return None
        if kind == "int" and type(value) is int:
            return value
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
        if field.kind == "list":
            if "where" not in spec:
                return {"fields": (field,)}
            assert field.items is not None
            return {
                "fields": (field,),
                "where": self._condition(
                    spec["where"], file, f"{name} count where", line, field.items
                ),
            }
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
            if "value" in term:
                field = self._field(term["value"], file, where, line, ("int",))
                times = self._number(term.get("times", 1), file, where, line)
                terms.append(Term(None, times, field, f"{term['value']} ×"))
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
        fields = tuple(self._field(p, file, f"{name} {op}", line, (kind,)) for p in spec)
        return {"fields": fields}

    def _max(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        return self._extreme(name, spec, file, line, kind, "max")

    def _min(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        return self._extreme(name, spec, file, line, kind, "min")

    def _first_present(
        self, name: str, spec: Any, file: str, line: int, kind: str
    ) -> dict[str, Any]:
        return self._extreme(name, spec, file, line, kind, "first_present")

    def _band(self, name: str, spec: Any, file: str, line: int, kind: str) -> dict[str, Any]:
        value = self._field(spec.get("value"), file, f"{name} band value", line, ("int",))
        edges = []
        for i, edge in enumerate(spec["edges"]):
            where = f"{name} band edges[{i}]"
            if not isinstance(edge, Mapping) or set(edge) != {"label", "from"}:
                raise self._fail(file, where, line, "expected {label, from}")
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
