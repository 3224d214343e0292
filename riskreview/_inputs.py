"""Pack-declared case inputs: reading ``inputs.yaml`` and checking a case's values.

A pack may declare further typed inputs that the core case model does not name
(``inputs.yaml``). Rules read them like case fields: ``inputs.ogrs_score``. The
declarations are read when the pack loads; each case's ``inputs`` are checked
against them before any rule runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

import attrs

from riskreview._fields import EXTRA, Field
from riskreview._limits import INPUT_INT_MAX, INPUT_INT_MIN
from riskreview._structure import ISO_DATE, date_problem
from riskreview._vocab import ORDERED
from riskreview._wording import allowed, describe_key, echo, is_name, suggest
from riskreview._yaml import describe, shown
from riskreview.errors import CaseError, Problem

_INPUT_TYPES = ("int", "bool", "date", "enum", "list")


def _enum(name: str, labels: list[str], ordered: bool) -> type[StrEnum]:
    members = {f"M{i}": label for i, label in enumerate(labels)}
    created: type[StrEnum] = StrEnum(name, members)  # type: ignore[misc]
    if ordered:
        ORDERED.add(created)
    return created


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
            report(name, f"expected {{type, description, ...}}, got {describe(spec)}")
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
        if not isinstance(kind, str) or kind not in _INPUT_TYPES:
            hint = suggest(kind, _INPUT_TYPES) if isinstance(kind, str) else ""
            report(
                f"{name} type",
                f"{shown(kind)} is not an input type{hint} (one of: {', '.join(_INPUT_TYPES)})",
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
                report(
                    f"{name} values",
                    f"expected a list of allowed text values, got {_list_kind(values)}",
                )
                continue
            ordered = spec.get("ordered", False)
            if not isinstance(ordered, bool):
                report(f"{name} ordered", f"expected true or false, got {describe(ordered)}")
                continue
            enum = _enum(f"Input_{name}", [str(v) for v in values], ordered)
        bounds = [spec.get("min"), spec.get("max")]
        if any(b is not None and type(b) is not int for b in bounds):
            odd = next(b for b in bounds if b is not None and type(b) is not int)
            report(name, f"min and max must be whole numbers, got {describe(odd)}")
            continue
        low, high = bounds
        if low is not None and high is not None and low > high:
            report(name, f"min {low} is above max {high}: no value could be given")
            continue
        description = spec.get("description", name)
        if not isinstance(description, str):
            report(f"{name} description", f"expected text, got {describe(description)}")
            continue
        unknown = spec.get("unknown", "allowed")
        if unknown not in ("allowed", "not_allowed"):
            report(f"{name} unknown", f"expected 'allowed' or 'not_allowed', got {shown(unknown)}")
        out[name] = InputDef(
            name,
            str(kind),
            description.strip(),
            enum,
            bounds[0],
            bounds[1],
            unknown == "not_allowed",
        )
    return out


def _list_kind(values: Any) -> str:
    if not isinstance(values, list):
        return describe(values)
    if not values:
        return "an empty list"
    return "a list holding " + describe(next(v for v in values if not isinstance(v, str)))


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
            # only a plain name is shown: a key could be free text, so personal data
            hint = suggest(key, defs) if len(key) <= 64 else ""
            if is_name(key):
                problems.append(
                    Problem(f"$.inputs.{key}", "is not an input this pack declares" + hint)
                )
            else:
                declared = f" (it declares: {allowed(list(defs))[1:-1]})" if defs else ""
                problems.append(
                    Problem("$.inputs", f"has an unknown {describe_key(key)}" + (hint or declared))
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


def input_bounds(d: InputDef) -> tuple[int, int]:
    """The range a whole-number input must keep to: its declared ``min`` and ``max``, and
    where one is not declared, the default (``INPUT_INT_MIN`` to ``INPUT_INT_MAX`` of
    :mod:`riskreview._limits`), so no input is unbounded."""
    high = d.maximum if d.maximum is not None else max(INPUT_INT_MAX, d.minimum or 0)
    low = d.minimum if d.minimum is not None else min(INPUT_INT_MIN, high)
    return low, high


def _input_value(d: InputDef, value: Any) -> tuple[Any, str]:
    if d.kind == "int":
        if type(value) is not int:
            return None, f"expected a whole number, got {echo(value)}"
        low, high = input_bounds(d)
        if not low <= value <= high:
            return None, f"expected a whole number from {low} to {high}, got {echo(value)}"
        return value, ""
    if d.kind == "bool":
        return (value, "") if type(value) is bool else (None, "expected true or false")
    if d.kind == "date":
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                pass
            else:
                problem = date_problem(day)
                return (None, problem) if problem else (day, "")
        return None, "expected a real date as YYYY-MM-DD"
    assert d.enum is not None
    values = [m.value for m in d.enum]
    items = value if d.kind == "list" else (value,)
    if d.kind == "list" and not isinstance(value, tuple | list):
        return None, f"expected a list of the allowed values {allowed(values)}, got {echo(value)}"
    converted = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or item not in values:
            # the text given is never shown (it may be personal data); the values allowed
            # are the pack's own words
            where = f"item {i} " if d.kind == "list" else ""
            got = "" if isinstance(item, str) else f", got {echo(item)}"
            hint = suggest(item, values) if isinstance(item, str) and len(item) <= 64 else ""
            return None, f"{where}is not one of the allowed values {allowed(values)}{got}{hint}"
        converted.append(d.enum(item))
    return (tuple(converted) if d.kind == "list" else converted[0]), ""
