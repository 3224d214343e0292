"""Pack-declared case inputs: reading ``inputs.yaml`` and checking a case's values.

A pack may declare further typed inputs that the core case model does not name
(``inputs.yaml``). Rules read them like case fields: ``inputs.ogrs_score``. The
declarations are read when the pack loads; each case's ``inputs`` are checked
against them before any rule runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

import attrs

from riskreview._fields import EXTRA, Field
from riskreview._limits import INPUT_INT_MAX, INPUT_INT_MIN, MAX_LIST_ITEMS
from riskreview._structure import ISO_DATE, date_problem, plain_date
from riskreview._units import show_units, to_units
from riskreview._vocab import order
from riskreview._wording import allowed, describe_key, echo, is_name, suggest
from riskreview._yaml import describe, shown
from riskreview.errors import CaseError, Problem

_INPUT_TYPES = ("int", "decimal", "bool", "date", "enum", "list", "records")
_RECORD_TYPES = ("int", "decimal", "bool", "date", "enum", "text")
_KEYS = (
    "type",
    "description",
    "values",
    "min",
    "max",
    "unknown",
    "ordered",
    "places",
    "case_insensitive",
    "open",
    "fields",
)
#: the label a value outside an open vocabulary reads as
OTHER = "other"
#: the most places a decimal may declare
MAX_PLACES = 6


def _enum(name: str, labels: list[str], ordered: bool) -> type[StrEnum]:
    members = {f"M{i}": label for i, label in enumerate(labels)}
    created: type[StrEnum] = StrEnum(name, members)  # type: ignore[misc]
    if ordered:
        order(created)
    return created


@attrs.frozen
class InputDef:
    """A typed case input declared by a pack (or a field of a record list input)."""

    name: str
    kind: str
    description: str
    enum: type[StrEnum] | None = None
    minimum: int | None = None  # a decimal's bounds are in its places' units
    maximum: int | None = None
    required: bool = False
    places: int = 0
    case_insensitive: bool = False
    open: bool = False
    #: a record list's fields, and the class its records are read into
    fields: Mapping[str, InputDef] = attrs.field(factory=dict)
    record: type | None = None

    @property
    def field(self) -> Field:
        """The field rules use to read it."""
        return self.item_field(f"inputs.{self.name}", EXTRA)

    @functools.cached_property
    def labels(self) -> dict[str, StrEnum]:
        """An enum input's labels by their exact text (worked out once)."""
        return {m.value: m for m in self.enum or ()}

    @functools.cached_property
    def folded(self) -> dict[str, StrEnum]:
        """An enum input's labels by their text with case ignored (the first of labels
        alike but for case; ``other`` of an open vocabulary left out: it is what any
        other text reads as), worked out once."""
        found: dict[str, StrEnum] = {}
        for m in self.enum or ():
            if not (self.open and m.value == OTHER):
                found.setdefault(m.value.casefold(), m)
        return found

    @functools.cached_property
    def quick(self) -> Callable[[Any], Any]:
        """A check of a plainly valid value, compiled once: the value as
        :func:`read_inputs` reads it, or :data:`MISS` for anything else (read in full,
        with its message)."""
        return _quick(self)

    def item_field(self, path: str, virtual: str | None = None) -> Field:
        """The field for this definition at ``path`` (a record's field: its own name)."""
        kind = {"list": "set", "decimal": "int", "records": "list", "text": "str"}.get(
            self.kind, self.kind
        )
        items = (
            {n: d.item_field(n) for n, d in self.fields.items()} if self.kind == "records" else None
        )
        return Field(
            path,
            kind,
            self.description,
            enum=self.enum,
            items=items,
            virtual=virtual,
            scale=self.places,
        )


def parse_inputs(data: Any, report: Callable[[str, str], None]) -> dict[str, InputDef]:
    """Read ``inputs.yaml``'s mapping; problems go to ``report(where, message)``."""
    out: dict[str, InputDef] = {}
    if not isinstance(data, Mapping):
        return out
    for name, spec in data.items():
        d = _one(str(name), spec, report, _INPUT_TYPES)
        if d is not None:
            out[str(name)] = d
    return out


def _one(
    name: str, spec: Any, report: Callable[[str, str], None], types: tuple[str, ...]
) -> InputDef | None:
    if not isinstance(spec, Mapping):
        report(name, f"expected {{type, description, ...}}, got {describe(spec)}")
        return None
    extra = set(spec) - set(_KEYS)
    for key in sorted(extra, key=str):
        report(f"{name} {key}", "unknown key" + suggest(str(key), _KEYS))
    kind = spec.get("type")
    if not isinstance(kind, str) or kind not in types:
        hint = suggest(kind, types) if isinstance(kind, str) else ""
        report(
            f"{name} type",
            f"{shown(kind)} is not an input type{hint} (one of: {', '.join(types)})",
        )
        return None
    misplaced = {
        "values": ("enum", "list"),
        "ordered": ("enum", "list"),
        "case_insensitive": ("enum", "list"),
        "open": ("enum", "list"),
        "places": ("decimal",),
        "min": ("int", "decimal"),
        "max": ("int", "decimal"),
        "fields": ("records",),
    }
    for key, kinds in misplaced.items():
        if key in spec and kind not in kinds:
            report(f"{name} {key}", f"'{key}' applies only to type {' or '.join(kinds)}")
            return None
    flags = {}
    for key in ("ordered", "case_insensitive", "open"):
        value = spec.get(key, False)
        if not isinstance(value, bool):
            report(f"{name} {key}", f"expected true or false, got {describe(value)}")
            return None
        flags[key] = value
    enum = None
    if kind in ("enum", "list"):
        values = spec.get("values")
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) for v in values)
        ):
            hint = (
                " (YAML reads an unquoted yes, no, on, off, true or false as true or false:"
                " quote them, e.g. 'yes')"
                if isinstance(values, list) and any(isinstance(v, bool) for v in values)
                else ""
            )
            report(
                f"{name} values",
                f"expected a list of allowed text values, got {_list_kind(values)}{hint}",
            )
            return None
        labels = [str(v) for v in values]
        twice = sorted({v for v in labels if labels.count(v) > 1})
        folded = [v.casefold() for v in labels]
        if not twice and flags["case_insensitive"]:
            twice = sorted({v for v in labels if folded.count(v.casefold()) > 1})
        if twice:
            report(f"{name} values", f"{shown(twice[0])} is listed twice")
            return None
        if flags["open"]:
            if OTHER in labels:
                report(
                    f"{name} values",
                    f"an open vocabulary adds {OTHER!r} itself: do not list it",
                )
                return None
            labels.append(OTHER)
        enum = _enum(f"Input_{name}", labels, flags["ordered"])
    places = 0
    if kind == "decimal":
        raw_places = spec.get("places")
        if type(raw_places) is not int or not 0 <= raw_places <= MAX_PLACES:
            report(
                f"{name} places",
                f"a decimal input needs places: a whole number from 0 to {MAX_PLACES}, "
                f"got {shown(raw_places)}",
            )
            return None
        places = raw_places
    bounds: list[int | None] = []
    for key in ("min", "max"):
        raw = spec.get(key)
        if raw is None:
            bounds.append(None)
            continue
        units = to_units(raw, places) if kind == "decimal" else (raw if type(raw) is int else None)
        if units is None:
            want = (
                f"a number with at most {places} places"
                if kind == "decimal"
                else ("a whole number")
            )
            report(f"{name} {key}", f"{key} must be {want}, got {describe(raw)}")
            return None
        bounds.append(units)
    low, high = bounds
    if low is not None and high is not None and low > high:
        report(name, f"min {spec['min']} is above max {spec['max']}: no value could be given")
        return None
    description = spec.get("description", name)
    if not isinstance(description, str):
        report(f"{name} description", f"expected text, got {describe(description)}")
        return None
    unknown = spec.get("unknown", "allowed")
    if unknown not in ("allowed", "not_allowed"):
        report(f"{name} unknown", f"expected 'allowed' or 'not_allowed', got {shown(unknown)}")
        return None
    fields: dict[str, InputDef] = {}
    record = None
    if kind == "records":
        raw_fields = spec.get("fields")
        if not isinstance(raw_fields, Mapping) or not raw_fields:
            report(
                f"{name} fields",
                f"a record list needs fields: {{name: {{type: ...}}}}, got {describe(raw_fields)}",
            )
            return None
        bad = False
        for key, sub in raw_fields.items():
            if not isinstance(key, str) or not is_name(key) or key.startswith("_"):
                report(f"{name} fields", f"{shown(key)} is not a field name (letters, digits, _)")
                bad = True
                continue
            d = _one(key, sub, lambda w, m: report(f"{name} fields {w}", m), _RECORD_TYPES)
            if d is None:
                bad = True
            else:
                fields[key] = d
        if bad:
            return None
        record = attrs.make_class(
            f"Record_{name}",
            {key: attrs.field(default=None) for key in fields},
            frozen=True,
            slots=True,
        )
    return InputDef(
        name,
        str(kind),
        description.strip(),
        enum,
        low,
        high,
        unknown == "not_allowed",
        places,
        flags["case_insensitive"],
        flags["open"],
        fields,
        record,
    )


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
        checked = d.quick(value)
        if checked is MISS:
            checked, message = _input_value(d, value)
            if message:
                problems.append(Problem(path, message))
                continue
        out[f"inputs.{name}"] = checked
    if problems:
        raise CaseError(problems, subject=case_id)
    return out


class _Miss:
    """A quick check's answer for a value it does not plainly accept."""


#: what :attr:`InputDef.quick` answers for a value it leaves to the full check
MISS: Any = _Miss()


def _quick(d: InputDef) -> Callable[[Any], Any]:
    kind = d.kind
    if kind == "bool":
        return lambda v: v if type(v) is bool else MISS
    if kind == "text":
        return lambda v: v if type(v) is str else MISS
    if kind == "int":
        low, high = input_bounds(d)
        return lambda v: v if type(v) is int and low <= v <= high else MISS
    if kind == "enum":
        labels = d.labels

        def label(v: Any) -> Any:
            if type(v) is not str:
                return MISS
            found = labels.get(v)
            if found is None:  # another case of a label, or other text in an open list
                found = label_of(d, v)
            return MISS if found is None else found

        return label
    if kind == "decimal":
        low, high = input_bounds(d)
        places = d.places

        def decimal(v: Any) -> Any:
            units = to_units(v, places)
            return units if units is not None and low <= units <= high else MISS

        return decimal
    if kind == "date":
        return _quick_date
    if kind == "records":
        return _quick_records(d)
    return lambda v: MISS  # a list of labels: read in full


def _quick_date(v: Any) -> Any:
    day = plain_date(v)
    return MISS if day is None else day


def _quick_records(d: InputDef) -> Callable[[Any], Any]:
    assert d.record is not None
    names = d.fields.keys()
    checks = [(key, sub.quick) for key, sub in d.fields.items()]
    record = d.record

    def records(value: Any) -> Any:
        if type(value) not in (list, tuple) or len(value) > MAX_LIST_ITEMS:
            return MISS
        out = []
        for raw in value:
            if type(raw) is not dict or not names >= raw.keys():
                return MISS
            checked: dict[str, Any] = {}
            for key, check in checks:
                item = raw.get(key)
                if item is not None:
                    converted = check(item)
                    if converted is MISS:
                        return MISS
                    checked[key] = converted
            out.append(record(**checked))
        return tuple(out)

    return records


def input_bounds(d: InputDef) -> tuple[int, int]:
    """The range a whole-number input must keep to: its declared ``min`` and ``max``, and
    where one is not declared, the default (``INPUT_INT_MIN`` to ``INPUT_INT_MAX`` of
    :mod:`riskreview._limits`, in a decimal's units), so no input is unbounded."""
    unit = 10**d.places
    high = d.maximum if d.maximum is not None else max(INPUT_INT_MAX * unit, d.minimum or 0)
    low = d.minimum if d.minimum is not None else min(INPUT_INT_MIN * unit, high)
    return low, high


def _input_value(d: InputDef, value: Any) -> tuple[Any, str]:
    if d.kind in ("int", "decimal"):
        if d.kind == "int":
            units = value if type(value) is int else None
            want = "a whole number"
        else:
            units = to_units(value, d.places)
            want = f"a number with at most {d.places} decimal places"
        if units is None:
            return None, f"expected {want}, got {echo(value)}"
        low, high = input_bounds(d)
        if not low <= units <= high:
            shown_low, shown_high = show_units(low, d.places), show_units(high, d.places)
            return None, f"expected {want} from {shown_low} to {shown_high}, got {echo(value)}"
        return units, ""
    if d.kind == "bool":
        return (value, "") if type(value) is bool else (None, "expected true or false")
    if d.kind == "text":
        return (value, "") if isinstance(value, str) else (None, "expected text")
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
    if d.kind == "records":
        return _records(d, value)
    assert d.enum is not None
    items = value if d.kind == "list" else (value,)
    if d.kind == "list" and not isinstance(value, tuple | list):
        values = list(d.labels)
        return None, f"expected a list of the allowed values {allowed(values)}, got {echo(value)}"
    converted = []
    for i, item in enumerate(items):
        member = label_of(d, item)
        if member is None:
            # the text given is never shown (it may be personal data); the values allowed
            # are the pack's own words
            values = list(d.labels)
            where = f"item {i} " if d.kind == "list" else ""
            got = "" if isinstance(item, str) else f", got {echo(item)}"
            hint = suggest(item, values) if isinstance(item, str) and len(item) <= 64 else ""
            return None, f"{where}is not one of the allowed values {allowed(values)}{got}{hint}"
        converted.append(member)
    return (tuple(converted) if d.kind == "list" else converted[0]), ""


def label_of(d: InputDef, item: Any) -> StrEnum | None:
    """The label ``item`` reads as for enum input ``d`` (None if it is not one): exact,
    or ignoring case where the pack says so; in an open vocabulary any other text reads
    as ``other``."""
    assert d.enum is not None
    if not isinstance(item, str):
        return None
    exact = d.labels.get(item)
    if exact is not None:
        return exact
    if d.case_insensitive:
        member = d.folded.get(item.casefold())
        if member is not None:
            return member
    if d.open:
        return d.labels[OTHER]
    return None


def _records(d: InputDef, value: Any) -> tuple[Any, str]:
    if not isinstance(value, list | tuple):
        return None, f"expected a list of records, got {echo(value)}"
    if len(value) > MAX_LIST_ITEMS:
        return None, f"holds {len(value):,} records, more than the {MAX_LIST_ITEMS:,} allowed"
    assert d.record is not None
    out = []
    for i, raw in enumerate(value):
        if not isinstance(raw, Mapping):
            return None, f"item {i} is not a record (a mapping of its fields), got {echo(raw)}"
        for key in raw:
            if key not in d.fields:
                named = f"field {key!r}" if is_name(key) else f"an unknown {describe_key(key)}"
                hint = suggest(key, d.fields) if is_name(key) else ""
                return None, (
                    f"item {i} has {named}, not a field of these records{hint} "
                    f"(fields: {allowed(list(d.fields))[1:-1]})"
                )
        checked: dict[str, Any] = {}
        for key, sub in d.fields.items():
            item = raw.get(key)
            if item is None:
                continue
            converted, message = _input_value(sub, item)
            if message:
                return None, f"item {i} field {key}: {message}"
            checked[key] = converted
        out.append(d.record(**checked))
    return tuple(out), ""
