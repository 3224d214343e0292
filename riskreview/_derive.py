"""Pack-declared inputs and derived values (scores, counts, bands, grids, dates).

A pack may declare further typed inputs that the core case model does not name
(``inputs.yaml``) and values derived from the case before any rule runs
(``derived/*.yaml``). Rules read both like case fields: ``inputs.ogrs_score``,
``derived.dash_yes``. Derived values are computed once per evaluation, in
dependency order, and both evaluators read the same numbers. A value that
depends on an unknown fact is unknown unless the pack states a ``default``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

import attrs

from riskreview._conditions import Node, ParamRef, ParseContext, parse
from riskreview._fields import EXTRA, Field
from riskreview._structure import suggest
from riskreview._vocab import ORDERED
from riskreview.calendar import Calendar
from riskreview.errors import CaseError, Problem

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INPUT_TYPES = ("int", "bool", "date", "enum", "list")
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


def _enum(name: str, labels: list[str], ordered: bool) -> type[StrEnum]:
    members = {f"M{i}": label for i, label in enumerate(labels)}
    created: type[StrEnum] = StrEnum(name, members)  # type: ignore[misc]
    if ordered:
        ORDERED.add(created)
    return created


# ------------------------------------------------------------------ inputs


@attrs.frozen
class InputDef:
    """A typed case input declared by a pack."""

    name: str
    kind: str
    description: str
    enum: type[StrEnum] | None = None
    minimum: int | None = None
    maximum: int | None = None
    required: bool = False

    @property
    def field(self) -> Field:
        """The field rules use to read it."""
        kind = {"list": "set"}.get(self.kind, self.kind)
        return Field(f"inputs.{self.name}", kind, self.description, enum=self.enum, virtual=EXTRA)


def parse_inputs(data: Any, report: Callable[[str, str], None]) -> dict[str, InputDef]:
    """Read ``inputs.yaml``'s mapping; problems go to ``report(where, message)``."""
    out: dict[str, InputDef] = {}
    if not isinstance(data, Mapping):
        return out
    for name, spec in data.items():
        if not isinstance(spec, Mapping):
            report(name, "expected {type, description, ...}")
            continue
        extra = set(spec) - {"type", "description", "values", "min", "max", "unknown", "ordered"}
        for key in sorted(extra):
            report(
                f"{name} {key}",
                "unknown key"
                + suggest(
                    key, ["type", "description", "values", "min", "max", "unknown", "ordered"]
                ),
            )
        kind = spec.get("type")
        if kind not in _INPUT_TYPES:
            report(
                f"{name} type",
                f"{kind!r} is not an input type{suggest(str(kind), _INPUT_TYPES)}"
                f" (one of: {', '.join(_INPUT_TYPES)})",
            )
            continue
        enum = None
        if kind in ("enum", "list"):
            values = spec.get("values")
            if (
                not isinstance(values, list)
                or not values
                or not all(isinstance(v, str) for v in values)
            ):
                report(f"{name} values", "expected a list of allowed text values")
                continue
            enum = _enum(f"Input_{name}", [str(v) for v in values], bool(spec.get("ordered")))
        bounds = [spec.get("min"), spec.get("max")]
        if any(b is not None and type(b) is not int for b in bounds):
            report(name, "min and max must be whole numbers")
            continue
        unknown = spec.get("unknown", "allowed")
        if unknown not in ("allowed", "not_allowed"):
            report(f"{name} unknown", "expected 'allowed' or 'not_allowed'")
        out[name] = InputDef(
            name,
            str(kind),
            str(spec.get("description", name)).strip(),
            enum,
            bounds[0],
            bounds[1],
            unknown == "not_allowed",
        )
    return out


def read_inputs(
    defs: Mapping[str, InputDef], raw: Mapping[str, Any], case_id: str
) -> dict[str, Any]:
    """Check a case's ``inputs`` against the pack; the typed values by field path.

    Raises one CaseError listing every problem by its ``$.inputs.<name>`` path.
    """
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for key in raw:
        if key not in defs:
            problems.append(
                Problem(
                    f"$.inputs.{key}" if len(key) <= 40 else "$.inputs",
                    "is not an input this pack declares" + suggest(key, defs),
                )
            )
    for name, d in defs.items():
        path = f"$.inputs.{name}"
        value = raw.get(name)
        if value is None:
            if d.required:
                problems.append(Problem(path, "is required by the pack and may not be unknown"))
            continue
        checked, message = _input_value(d, value)
        if message:
            problems.append(Problem(path, message))
        else:
            out[f"inputs.{name}"] = checked
    if problems:
        raise CaseError(problems, subject=case_id)
    return out


def _input_value(d: InputDef, value: Any) -> tuple[Any, str]:
    if d.kind == "int":
        if type(value) is not int:
            return None, "expected a whole number"
        if (d.minimum is not None and value < d.minimum) or (
            d.maximum is not None and value > d.maximum
        ):
            return None, f"expected a whole number from {d.minimum} to {d.maximum}, got {value}"
        return value, ""
    if d.kind == "bool":
        return (value, "") if type(value) is bool else (None, "expected true or false")
    if d.kind == "date":
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value), ""
            except ValueError:
                pass
        return None, "expected a real date as YYYY-MM-DD"
    assert d.enum is not None
    allowed = [m.value for m in d.enum]
    items = value if d.kind == "list" else (value,)
    if d.kind == "list" and not isinstance(value, tuple | list):
        return None, "expected a list"
    converted = []
    for item in items:
        if not isinstance(item, str) or item not in allowed:
            shown = repr(item) if isinstance(item, str) and len(item) <= 40 else "a value"
            hint = suggest(item, allowed) if isinstance(item, str) else ""
            return (
                None,
                f"{shown} is not allowed{hint or ' (expected one of: ' + ', '.join(allowed) + ')'}",
            )
        converted.append(d.enum(item))
    return (tuple(converted) if d.kind == "list" else converted[0]), ""


# ------------------------------------------------------------------ derived values


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

    @property
    def depends_on(self) -> tuple[str, ...]:
        """Paths of the derived values this one reads."""
        from riskreview._conditions import Cmp, FieldRef, walk  # noqa: PLC0415

        paths = [f.path for f in self.fields]
        for node in [self.where, *(t.when for t in self.terms)]:
            for n in walk(node) if node is not None else []:
                if isinstance(n, Cmp):
                    paths.append(n.field.path)
                    if isinstance(n.value, FieldRef):
                        paths.append(n.value.path)
        paths.extend(t.value.path for t in self.terms if t.value is not None)
        return tuple(p for p in dict.fromkeys(paths) if p.startswith("derived."))


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
            self.report(file, name, line, "expected a mapping with one operation")
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
            labels: list[Any] = (
                [e.get("label") for e in spec["band"].get("edges", []) if isinstance(e, Mapping)]
                if isinstance(spec["band"], Mapping)
                else []
            )
            if not labels or not all(isinstance(x, str) for x in labels):
                self.report(file, f"{name} band", line, "expected edges: [{label, from}, ...]")
                return None
            kind, enum = "enum", _enum(f"Band_{name}", [str(x) for x in labels], True)
        elif op == "grid":
            table = spec["grid"].get("table") if isinstance(spec["grid"], Mapping) else None
            if not isinstance(table, Mapping) or not all(
                isinstance(r, Mapping) for r in table.values()
            ):
                self.report(file, f"{name} grid", line, "expected table: {row: {column: label}}")
                return None
            labels = list(dict.fromkeys(str(v) for r in table.values() for v in r.values()))
            kind, enum = "enum", _enum(f"Grid_{name}", labels, False)
        else:
            kind, enum = str(spec.get("type", "int")), None
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
            self.report(file, f"{name} type", line, "expected int or date")
            return None
        return kind, enum

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
        if type(value) is int:
            return value
        if isinstance(value, Mapping) and set(value) == {"param"}:
            param = self.params.get(value["param"])
            if param is None or param.key_enum is not None:
                raise self._fail(
                    file,
                    where,
                    line,
                    f"unknown or keyed parameter "
                    f"{value['param']!r}{suggest(str(value['param']), self.params)}",
                )
            return ParamRef(str(value["param"]))
        raise self._fail(file, where, line, "expected a whole number or {param: name}")

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
                from riskreview._explain import condition_text  # noqa: PLC0415

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
            if set(edge) != {"label", "from"}:
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


# ------------------------------------------------------------------ computing


@attrs.frozen
class DerivedResult:
    """A derived value for one case: the value, its explanation, what it waits on."""

    value: Any
    explanation: str
    unknown: tuple[str, ...] = ()


Evaluate = Callable[[Node, Any, Mapping[str, Any]], Any]  # (node, item, extras) → Result
Read = Callable[[Field, Mapping[str, Any]], Any]


def compute(
    defs: list[DerivedDef],
    extras: dict[str, Any],
    as_of: date,
    calendar: Calendar,
    param: Callable[[str, date], Any],
    read: Read,
    evaluate: Evaluate,
) -> dict[str, DerivedResult]:
    """Compute ``defs`` in order, adding each value to ``extras`` by its path."""
    results: dict[str, DerivedResult] = {}
    for d in defs:
        result = _one(d, extras, as_of, calendar, param, read, evaluate, results)
        if result.value is None and d.default is not None:
            result = DerivedResult(
                d.default,
                f"{result.explanation}; the pack's default {_show(d.default)} applies",
                (),
            )
        results[d.name] = result
        extras[f"derived.{d.name}"] = result.value
    return results


def _show(value: Any) -> str:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _unknowns(paths: list[str], results: Mapping[str, DerivedResult]) -> tuple[str, ...]:
    out: list[str] = []
    for p in paths:
        if p.startswith("derived."):
            inner = results.get(p.removeprefix("derived."))
            out.extend(inner.unknown if inner else (p,))
        else:
            out.append(p)
    return tuple(dict.fromkeys(out))


def _one(
    d: DerivedDef,
    extras: dict[str, Any],
    as_of: date,
    calendar: Calendar,
    param: Callable[[str, date], Any],
    read: Read,
    evaluate: Evaluate,
    results: Mapping[str, DerivedResult],
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
        if d.where is None and d.equals is None:
            return DerivedResult(len(items), f"{len(items)} {field.path} items")
        if d.equals is not None:
            n = sum(1 for v in items if v == d.equals)
            return DerivedResult(n, f"{n} of {len(items)} {field.path} are {_show(d.equals)}")
        where = d.where
        assert where is not None
        truths = [evaluate(where, item, extras) for item in items]
        if any(t.truth is None for t in truths):
            from riskreview._reference import unknown_paths  # noqa: PLC0415

            paths = [p for t in truths for p in unknown_paths(t)]
            return DerivedResult(
                None,
                f"unknown: some {field.path} items cannot be decided",
                _unknowns(paths or [field.path], results),
            )
        n = sum(1 for t in truths if t.truth)
        return DerivedResult(n, f"{n} of {len(items)} {field.path} items match")
    if d.op == "sum":
        total, parts, waiting = 0, [], []
        for term in d.terms:
            if term.value is not None:
                v = value_of(term.value)
                if v is None:
                    waiting.append(term.value.path)
                    continue
                add = v * number(term.points)
                total += add
                if add:
                    parts.append(f"{term.value.path} {v} × {number(term.points)} = {add}")
                continue
            truth = True if term.when is None else evaluate(term.when, None, extras).truth
            if truth is None:
                from riskreview._reference import unknown_paths  # noqa: PLC0415

                when = term.when
                assert when is not None
                waiting.extend(unknown_paths(evaluate(when, None, extras)))
            elif truth:
                total += number(term.points)
                parts.append(f"{term.text} {number(term.points)}")
        if waiting:
            return DerivedResult(
                None,
                "unknown: waits on " + ", ".join(dict.fromkeys(waiting)),
                _unknowns(waiting, results),
            )
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
        missing = [p for p, v in values if v is None]
        if missing:
            return DerivedResult(
                None, "unknown: waits on " + ", ".join(missing), _unknowns(missing, results)
            )
        pick = max if d.op == "max" else min
        best = pick(values, key=lambda pv: pv[1])
        shown = ", ".join(f"{p} {_show(v)}" for p, v in values)
        return DerivedResult(best[1], f"{d.op} of {shown} is {_show(best[1])} ({best[0]})")
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
        span = f"{low} and over" if upper is None else f"{low} up to {upper - 1}"
        return DerivedResult(d.enum(label), f"{field.path} {v} is in band {label} ({span})")
    if d.op == "grid":
        row, col = (value_of(f) for f in d.fields)
        if row is None or col is None:
            missing = [f.path for f, v in zip(d.fields, (row, col), strict=True) if v is None]
            return DerivedResult(
                None, "unknown: waits on " + ", ".join(missing), _unknowns(missing, results)
            )
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
            return DerivedResult(
                None, "unknown: waits on " + ", ".join(missing), _unknowns(missing, results)
            )
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
