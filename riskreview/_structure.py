"""Strict JSON → attrs conversion for the case model, collecting every problem.

One walk over the type annotations serves three jobs: structuring JSON with
paths in every message, the cheap validators that make direct construction
safe, and the field catalogue that the pack compiler type-checks rules against.
Date-order rules live in :mod:`riskreview._crossfield`, the way back to JSON in
:mod:`riskreview._tojson` (re-exported here), the size limits in
:mod:`riskreview._limits`.
"""

from __future__ import annotations

import json
import math
import re
import threading
import types
import typing
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any

import attrs

from riskreview._crossfield import ORDER, cross_field_problems_of
from riskreview._limits import (
    MAX_CASE_ID_LENGTH,
    MAX_CASE_ITEMS,
    MAX_LIST_ITEMS,
    input_problems,
    items_problem,
    total_problem,
)
from riskreview._tojson import dumps as dumps  # noqa: PLC0414 - re-exported for other modules
from riskreview._tojson import unstructure as unstructure  # noqa: PLC0414 - re-exported
from riskreview._wording import allowed, describe_key, echo, is_name, plural, text_problem
from riskreview._wording import suggest as suggest  # noqa: PLC0414 - re-exported
from riskreview.errors import CaseError, Problem

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: the dates a case may hold, and the days it may be evaluated on: wide enough for
#: anyone under supervision and any plan, narrow enough that no due date can
#: leave the calendar
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
_DATE_RANGE = f"{FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}"


@attrs.frozen
class TypeInfo:
    """What one annotated field holds."""

    kind: str  # "bool" "int" "str" "date" "enum" "model" "list" "inputs"
    optional: bool
    enum: type[StrEnum] | None = None
    model: type | None = None
    item: TypeInfo | None = None


def type_info(tp: Any) -> TypeInfo:
    """Read an annotation such as ``tuple[Child, ...] | None`` into a :class:`TypeInfo`."""
    optional = False
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional = len(args) < len(typing.get_args(tp))
        (tp,) = args
    origin = typing.get_origin(tp)
    if origin is tuple:
        return TypeInfo("list", optional, item=type_info(typing.get_args(tp)[0]))
    if origin is dict:
        return TypeInfo("inputs", optional)
    if tp is bool:
        return TypeInfo("bool", optional)
    if tp is int:
        return TypeInfo("int", optional)
    if tp is str:
        return TypeInfo("str", optional)
    if tp is date:
        return TypeInfo("date", optional)
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        return TypeInfo("enum", optional, enum=tp)
    if attrs.has(tp):
        return TypeInfo("model", optional, model=tp)
    raise TypeError(f"unsupported annotation in the case model: {tp!r}")


def fields_of(cls: type) -> dict[str, tuple[TypeInfo, attrs.Attribute[Any]]]:
    """Each field of a model class with its type information, in declaration order."""
    cached: dict[str, tuple[TypeInfo, attrs.Attribute[Any]]] | None = _FIELDS.get(cls)
    if cached is None:
        cached = {a.name: (type_info(a.type), a) for a in attrs.fields(cls)}
        _FIELDS[cls] = cached
    return cached


_FIELDS: dict[type, dict[str, tuple[TypeInfo, attrs.Attribute[Any]]]] = {}


# ---------------------------------------------------------------- construction


def _check_python(info: TypeInfo, value: Any) -> str | None:
    """Why ``value`` does not fit ``info`` (shallow), or None when it fits."""
    if value is None:
        return None if info.optional else "is required"
    ok: bool
    if info.kind == "bool":
        ok = type(value) is bool
    elif info.kind == "int":
        ok = type(value) is int
    elif info.kind == "str":
        ok = isinstance(value, str)
        if ok:
            return text_problem(value)
    elif info.kind == "date":
        ok = type(value) is date
        if ok:
            return date_problem(value)
    elif info.kind == "enum":
        ok = isinstance(value, info.enum)  # type: ignore[arg-type]
    elif info.kind == "model":
        ok = isinstance(value, info.model)  # type: ignore[arg-type]
    elif info.kind == "list":
        if not isinstance(value, tuple):
            return "expected a tuple"
        if len(value) > MAX_LIST_ITEMS:
            return items_problem(len(value))
        assert info.item is not None
        bad = next((_check_python(info.item, v) for v in value if v is None), None)
        if bad:
            return "items may not be null"
        msgs = [m for m in (_check_python(info.item, v) for v in value) if m]
        return msgs[0] if msgs else None
    else:
        if not isinstance(value, dict):
            return f"expected {_expected(info)}"
        where, why = next(input_problems(value), ("", ""))
        return f"{where.lstrip('.')}: {why}" if where else why or None
    return None if ok else f"expected {_expected(info)}"


class _Checked(threading.local):
    """Whether this thread is building objects from values the structurer has just
    checked with the very tests the field validators make (then they are not made
    twice). Never set while anything else builds a model object."""

    on = False


_CHECKED = _Checked()


def _field_validator(info: TypeInfo) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    recheck = info.kind == "inputs"  # the structurer's inputs are converted after the check

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if _CHECKED.on and not recheck:
            return
        message = _check_python(info, value) or _range_problem(attribute, value)
        if message:
            path = f"{type(instance).__name__}.{attribute.name}"
            raise CaseError([Problem(path, message)])

    return validate


def _add_validators(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    for f in fields:
        # every number and every text has a documented bound, exported in the schema
        needs = {"int": ("min", "max"), "str": ("max_len",)}.get(type_info(f.type).kind, ())
        if any(key not in f.metadata for key in needs):
            raise TypeError(f"{cls.__name__}.{f.name} needs {' and '.join(needs)} in its metadata")
    return [f.evolve(validator=_field_validator(type_info(f.type))) for f in fields]


_T = typing.TypeVar("_T", bound=type)


def model(cls: _T) -> _T:
    """Make ``cls`` a frozen, slotted, keyword-only attrs class whose fields check their types.

    A class with date-order rules (``ORDER``) also checks them when built directly.
    """
    if cls.__name__ in ORDER and "__attrs_post_init__" not in cls.__dict__:
        cls.__attrs_post_init__ = _check_order  # type: ignore[attr-defined]
    return attrs.frozen(kw_only=True, field_transformer=_add_validators)(cls)


def _check_order(self: Any) -> None:
    values = {a.name: getattr(self, a.name) for a in attrs.fields(type(self))}
    problems = cross_field_problems_of(type(self), values, type(self).__name__)
    if problems:
        raise CaseError(problems)


# ---------------------------------------------------------------- structuring


class _Bad:
    """Marks a value that failed to structure (its problem is already recorded)."""


_BAD = _Bad()


def _expected(info: TypeInfo) -> str:
    return {
        "bool": "true or false",
        "int": "a whole number",
        "str": "a string",
        "date": "a date as YYYY-MM-DD",
        "enum": "one of the listed values",
        "model": "an object",
        "list": "a list",
        "inputs": "an object",
    }[info.kind]


def date_problem(day: date) -> str | None:
    """Why ``day`` may not appear in a case (outside the accepted range), or None."""
    if FIRST_DATE <= day <= LAST_DATE:
        return None
    return f"{day.isoformat()} is outside the dates a case may hold ({_DATE_RANGE})"


def _range_problem(attribute: attrs.Attribute[Any], value: Any) -> str | None:
    meta = attribute.metadata
    if type(value) is int:
        low, high = meta.get("min"), meta.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"from {low}" + (f" to {high}" if high is not None else " up")
            return f"expected a whole number {span}, got {echo(value)}"
    if isinstance(value, str) and "max_len" in meta and len(value) > meta["max_len"]:
        return f"expected at most {meta['max_len']} characters, got {len(value)}"
    if isinstance(value, str) and meta.get("min_len", 0) > len(value):
        return f"expected at least {meta['min_len']} character(s), got an empty string"
    return None


class _Structurer:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        #: False when the case holds too many list items in all: lists are then
        #: checked for their own length only, not read item by item
        self.read_items = True

    def fail(self, path: str, message: str) -> _Bad:
        self.problems.append(Problem(path, message))
        return _BAD

    def value(self, info: TypeInfo, data: Any, path: str, depth: int) -> Any:
        if data is None:
            return None if info.optional else self.fail(path, "is required, got null")
        kind = info.kind
        if kind == "bool":
            if type(data) is bool:
                return data
        elif kind == "int":
            if type(data) is int:
                return data
            if type(data) is float and math.isfinite(data) and data.is_integer():
                return self.fail(
                    path, f"expected a whole number without a decimal point, got {data}"
                )
        elif kind == "str":
            if isinstance(data, str):
                problem = text_problem(data)
                return data if problem is None else self.fail(path, problem)
        elif kind == "date":
            return self.date(data, path)
        elif kind == "enum":
            return self.enum(info, data, path)
        elif kind == "model":
            return self.model(info, data, path, depth)
        elif kind == "list":
            return self.list(info, data, path, depth)
        elif kind == "inputs":
            return self.inputs(data, path)
        return self.fail(path, f"expected {_expected(info)}, got {echo(data)}")

    def date(self, data: Any, path: str) -> date | _Bad:
        day: date | None = data if type(data) is date else None
        if isinstance(data, str) and ISO_DATE.fullmatch(data):
            try:
                day = date.fromisoformat(data)
            except ValueError:
                return self.fail(path, "is not a real calendar date (expected YYYY-MM-DD)")
        if day is not None:
            problem = date_problem(day)
            return day if problem is None else self.fail(path, problem)
        return self.fail(path, f"expected a date as YYYY-MM-DD, got {echo(data)}")

    def enum(self, info: TypeInfo, data: Any, path: str) -> StrEnum | _Bad:
        assert info.enum is not None
        if isinstance(data, info.enum):
            return data
        if isinstance(data, str):
            try:
                return info.enum(data)
            except ValueError:
                values = [m.value for m in info.enum]
                # the text given is never shown: a word can be a name as easily as a typo
                hint = suggest(data, values) if len(data) <= 64 else ""
                return self.fail(path, f"is not one of the allowed values {allowed(values)}{hint}")
        return self.fail(
            path, f"expected a {info.enum.__name__} value (a string), got {echo(data)}"
        )

    def model(self, info: TypeInfo, data: Any, path: str, depth: int) -> Any:
        cls = info.model
        assert cls is not None
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict):
            return self.fail(path, f"expected an object, got {echo(data)}")
        plain = _plain_of(cls)
        if plain is not None and self.read_items:
            built = plain(data)
            if built is not _SLOW:
                return built
        fields = fields_of(cls)
        kwargs: dict[str, Any] = {}
        bad = False
        for key in data:
            if key not in fields:
                if is_name(key):
                    self.fail(f"{path}.{key}", "is not a known field" + suggest(key, fields))
                else:
                    hint = suggest(key, fields) if isinstance(key, str) and len(key) <= 64 else ""
                    self.fail(
                        path,
                        f"has an unknown {describe_key(key)}"
                        + (hint or f" (the fields are: {allowed(list(fields))[1:-1]})"),
                    )
                bad = True
        for name, finfo, attribute, required, ranged, quick in _plan_of(cls):
            if name not in data:
                if required:
                    self.fail(f"{path}.{name}", "is required")
                    bad = True
                continue
            raw = data[name]
            # a plainly valid value is taken as it is; anything else (and every list of
            # a case too large to read item by item) is checked in full, with its path
            value = quick(raw) if quick is not None and self.read_items else _SLOW
            if value is _SLOW:
                value = self.value(finfo, raw, f"{path}.{name}", depth + 1)
                if value is _BAD:
                    bad = True
                    continue
            if ranged:
                message = _range_problem(attribute, value)
                if message:
                    self.fail(f"{path}.{name}", message)
                    bad = True
                    continue
            kwargs[name] = value
        problems = cross_field_problems_of(cls, kwargs, path)
        self.problems.extend(problems)
        if bad or problems:
            return _BAD
        build = _BUILDERS.get(cls)
        if build is None:
            build = _BUILDERS[cls] = _builder(cls)
        return build(kwargs)

    def list(self, info: TypeInfo, data: Any, path: str, depth: int) -> Any:
        if not isinstance(data, list | tuple):
            return self.fail(path, f"expected a list, got {echo(data)}")
        if len(data) > MAX_LIST_ITEMS:
            return self.fail(path, items_problem(len(data)))
        if not self.read_items:
            return _BAD  # the case's lists hold too many items in all, reported at $
        assert info.item is not None
        items = []
        bad = False
        item = info.item.model if info.item.kind == "model" else None
        plain = None if item is None else _plain_of(item)
        for i, raw in enumerate(data):
            if plain is not None and type(raw) is dict:  # the commonest: read in one step
                built = plain(raw)
                if built is not _SLOW:
                    items.append(built)
                    continue
            if raw is None:
                self.fail(f"{path}[{i}]", "list items may not be null")
                bad = True
                continue
            value = self.value(info.item, raw, f"{path}[{i}]", depth + 1)
            bad = bad or value is _BAD
            items.append(value)
        return _BAD if bad else tuple(items)

    def inputs(self, data: Any, path: str) -> Any:
        if not isinstance(data, dict):
            return self.fail(path, f"expected an object, got {echo(data)}")
        bad = False
        for where, why in input_problems(data):
            bad = bool(self.fail(path + where, why))
        if bad:
            return _BAD
        return {key: tuple(v) if isinstance(v, list) else v for key, v in data.items()}


#: how the structurer builds an object of each model class from values it has checked
_BUILDERS: dict[type, Callable[[dict[str, Any]], Any]] = {}


def _builder(cls: type) -> Callable[[dict[str, Any]], Any]:
    """How :meth:`_Structurer.model` builds an object of ``cls`` from checked values.

    Its field validators and its date-order check make the very tests the structurer
    has just made, so each field is set directly (a third of the cost of ``__init__``
    on a child or an event). A class whose validators test again what the structurer
    converted (pack inputs), or with any default but None or a slot beside its
    fields, is built through ``__init__``.
    """
    fields = attrs.fields(cls)
    direct = all(a.default is attrs.NOTHING or a.default is None for a in fields) and all(
        type_info(a.type).kind != "inputs" for a in fields
    )
    slots = {s for c in cls.__mro__ for s in c.__dict__.get("__slots__", ())}
    post_init = getattr(cls, "__attrs_post_init__", _check_order)
    if (
        not direct
        or post_init is not _check_order  # it does more than the structurer has done
        or slots - {a.name for a in fields} - {"__weakref__"}
    ):
        return lambda kwargs: cls(**kwargs)
    names = tuple(a.name for a in fields)
    new = object.__new__
    put = object.__setattr__  # what attrs' own __init__ of a frozen class uses

    def build(kwargs: dict[str, Any]) -> Any:
        obj: Any = new(cls)
        for name in names:
            put(obj, name, kwargs.get(name))
        return obj

    return build


#: each model class's check of a plainly valid object (None: it has none)
_PLAIN: dict[type, Callable[[dict[str, Any]], Any] | None] = {}
_UNSEEN: Any = object()


def _plain_of(cls: type) -> Callable[[dict[str, Any]], Any] | None:
    """``cls``'s check of a plainly valid object (:func:`_plain_model`), made once."""
    plain = _PLAIN.get(cls, _UNSEEN)
    if plain is _UNSEEN:
        plain = _PLAIN[cls] = _plain_model(cls)
    return plain  # type: ignore[no-any-return]


def _plain_model(cls: type) -> Callable[[dict[str, Any]], Any] | None:
    """An object of ``cls`` from data that is plainly valid, in one compiled step: every
    key a field, every value one its field's quick check accepts and within the
    field's bounds, every required field there, the dates in order; ``_SLOW`` for
    anything else, which :meth:`_Structurer.model` then reads field by field with its
    messages. None for a class with a field no quick check reads (an object, a list
    of objects) or with checks across the whole case."""
    plan = _plan_of(cls)
    if cls.__name__ == "Case" or any(quick is None for *_, quick in plan):
        return None
    known = frozenset(name for name, *_ in plan)
    checks = [
        (name, quick, required, _bounds(attribute) if ranged else None)
        for name, _, attribute, required, ranged, quick in plan
    ]
    ordered = cls.__name__ in ORDER
    build = _BUILDERS.get(cls)
    if build is None:
        build = _BUILDERS[cls] = _builder(cls)

    def plain(data: dict[str, Any]) -> Any:
        if not known.issuperset(data):
            return _SLOW
        kwargs: dict[str, Any] = {}
        for name, quick, required, bounded in checks:
            raw = data.get(name)
            if raw is None:  # absent (or null: read in full, which says what it means)
                if required or name in data:
                    return _SLOW
                continue
            value = quick(raw)  # type: ignore[misc]
            if value is _SLOW or (bounded is not None and not bounded(value)):
                return _SLOW
            kwargs[name] = value
        if ordered and cross_field_problems_of(cls, kwargs, ""):
            return _SLOW
        return build(kwargs)

    return plain


def _bounds(attribute: attrs.Attribute[Any]) -> Callable[[Any], bool]:
    """Whether a value keeps to ``attribute``'s bounds (what :func:`_range_problem`
    finds nothing wrong with), compiled once."""
    meta = attribute.metadata
    low, high = meta.get("min"), meta.get("max")
    longest, shortest = meta.get("max_len"), meta.get("min_len", 0)

    def bounded(value: Any) -> bool:
        if type(value) is int:
            return (low is None or value >= low) and (high is None or value <= high)
        if isinstance(value, str):
            return shortest <= len(value) and (longest is None or len(value) <= longest)
        return True

    return bounded


class _Slow:
    """A quick check's answer for a value it cannot accept: check it in full."""


_SLOW = _Slow()
_Quick = Callable[[Any], Any]
#: field name, type, attribute, whether it is required, whether it has a range or
#: length bound, and a quick check of a plainly valid value (None: none)
_FieldPlan = tuple[str, TypeInfo, "attrs.Attribute[Any]", bool, bool, _Quick | None]
_PLANS: dict[type, list[_FieldPlan]] = {}


def _plan_of(cls: type) -> list[_FieldPlan]:
    """How :meth:`_Structurer.model` reads each field of ``cls``, worked out once."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = []
        for name, (info, attribute) in fields_of(cls).items():
            ranged = any(k in attribute.metadata for k in ("min", "max", "max_len", "min_len"))
            required = attribute.default is attrs.NOTHING
            plan.append((name, info, attribute, required, ranged, _quick(info)))
        _PLANS[cls] = plan
    return plan


def _quick(info: TypeInfo) -> _Quick | None:
    """A check that accepts what :meth:`_Structurer.value` plainly accepts (a value of
    the right type with nothing to report), giving the same value, and answers
    ``_SLOW`` for anything else, or for anything it does not know."""
    kind = info.kind
    if kind == "bool":
        return lambda data: data if type(data) is bool else _SLOW
    if kind == "int":
        return lambda data: data if type(data) is int else _SLOW
    if kind == "str":
        return _quick_text
    if kind == "enum":
        assert info.enum is not None
        members: dict[Any, Any] = {m.value: m for m in info.enum}
        return lambda data: members.get(data, _SLOW) if type(data) is str else _SLOW
    if kind == "date":
        return _quick_date
    if kind == "list" and info.item is not None and info.item.kind == "enum":
        assert info.item.enum is not None
        values: dict[Any, Any] = {m.value: m for m in info.item.enum}

        def enums(data: Any) -> Any:
            if type(data) is not list or len(data) > MAX_LIST_ITEMS:
                return _SLOW
            try:
                return tuple([values[v] for v in data])
            except (KeyError, TypeError):  # an unknown value, or one that is no text
                return _SLOW

        return enums
    return None


def plain_date(data: Any) -> date | None:
    """The date that ``YYYY-MM-DD`` text plainly gives (a real calendar date within the
    bounds a case's dates keep to), or None for anything else."""
    if type(data) is str and ISO_DATE.fullmatch(data):
        try:
            day = date.fromisoformat(data)
        except ValueError:
            return None
        if date_problem(day) is None:
            return day
    return None


def _quick_text(data: Any) -> Any:
    """Text that is valid Unicode (no lone surrogate: what ``text_problem`` checks)."""
    if type(data) is not str:
        return _SLOW
    if data.isascii():
        return data
    return data if text_problem(data) is None else _SLOW


def _quick_date(data: Any) -> Any:
    day = plain_date(data)
    return _SLOW if day is None else day


def list_items(info: TypeInfo, value: Any) -> int:
    """How many list items ``value`` holds at every depth (JSON data or built objects).

    Only the containers are visited, never the items of a list of values, so the
    count costs no more than reading the JSON did.
    """
    if info.kind == "list":
        if not isinstance(value, list | tuple):
            return 0
        count = len(value)
        item = info.item
        if item is None or item.kind != "model" or item.model is None:
            return count
        leaves = _leaf_holders(item.model)
        if leaves is None:
            return count + sum(list_items(item, v) for v in value)
        if leaves:  # every list an item holds is a list of values: their lengths
            cls = item.model
            for v in value:
                if isinstance(v, dict):
                    held = [v.get(name) for name in leaves]
                elif isinstance(v, cls):
                    held = [getattr(v, name) for name in leaves]
                else:
                    continue
                count += sum(len(x) for x in held if isinstance(x, list | tuple))
        return count
    if info.kind == "inputs":
        values = value.values() if isinstance(value, dict) else ()
        return sum(len(v) for v in values if isinstance(v, list | tuple))
    if info.kind != "model" or info.model is None:
        return 0
    if isinstance(value, dict):
        return sum(list_items(i, value.get(name)) for name, i in _holders(info.model))
    if isinstance(value, info.model):
        return sum(list_items(i, getattr(value, name)) for name, i in _holders(info.model))
    return 0


def _holders(cls: type) -> list[tuple[str, TypeInfo]]:
    """The fields of a model class that hold lists, directly or further down."""
    found = _HOLDERS.get(cls)
    if found is None:
        found = []
        for name, (info, _) in fields_of(cls).items():
            if info.kind in ("list", "inputs") or (
                info.kind == "model" and info.model is not None and _holders(info.model)
            ):
                found.append((name, info))
        _HOLDERS[cls] = found
    return found


_HOLDERS: dict[type, list[tuple[str, TypeInfo]]] = {}


def _leaf_holders(cls: type) -> list[str] | None:
    """The fields of a model class that hold lists, when every one is a list of
    values (no deeper lists to count), else None."""
    if cls not in _LEAVES:
        holders = _holders(cls)
        leaf = all(
            info.kind == "list" and info.item is not None and info.item.kind != "model"
            for _, info in holders
        )
        _LEAVES[cls] = [name for name, _ in holders] if leaf else None
    return _LEAVES[cls]


_LEAVES: dict[type, list[str] | None] = {}


def size_problems(case: Any) -> list[Problem]:
    """The one problem of a built case whose lists hold too many items in all, if any."""
    total = list_items(TypeInfo("model", False, model=type(case)), case)
    return [Problem("$", total_problem(total))] if total > MAX_CASE_ITEMS else []


def structure_case(cls: type, data: Any) -> Any:
    """Build ``cls`` from JSON-like data or raise one CaseError with every problem."""
    if isinstance(data, cls):
        return data
    case_id = data.get("case_id") if isinstance(data, dict) else None
    subject = ""
    if (
        isinstance(case_id, str)
        and len(case_id) <= MAX_CASE_ID_LENGTH
        and not text_problem(case_id)
    ):
        subject = case_id
    structurer = _Structurer()
    root = TypeInfo("model", False, model=cls)
    total = list_items(root, data)
    if total > MAX_CASE_ITEMS:
        structurer.fail("$", total_problem(total))
        structurer.read_items = False
    _CHECKED.on = True
    try:
        result = structurer.value(root, data, "$", 0)
    finally:
        _CHECKED.on = False
    if result is _BAD or structurer.problems:
        raise CaseError(structurer.problems, subject=subject)
    return result


def case_error(problems: list[Problem], case_id: str) -> CaseError:
    """A CaseError for ``problems`` found on an already-built case."""
    return CaseError(problems, subject=case_id if len(case_id) <= MAX_CASE_ID_LENGTH else "")


def parse_json(text: str | bytes) -> Any:
    """Parse JSON strictly: no NaN or Infinity, no duplicate keys; errors are CaseError."""

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not allowed in JSON")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                shown = repr(key) if is_name(key) else f"of {plural(len(key), 'character')}"
                raise ValueError(f"duplicate key {shown}")
            out[key] = value
        return out

    if not isinstance(text, str | bytes | bytearray):
        raise CaseError([Problem("$", f"expected JSON text, got {type(text).__name__}")])
    if not text.strip():
        got = "empty text" if not text else "only white space"
        raise CaseError([Problem("$", f"expected a case as a JSON object, got {got}")])
    try:
        return json.loads(text, parse_constant=no_constant, object_pairs_hook=no_duplicates)
    except RecursionError:
        raise CaseError([Problem("$", "JSON is nested too deeply")]) from None
    except (ValueError, UnicodeDecodeError) as error:
        reason = str(error).splitlines()[0][:200]
        raise CaseError([Problem("$", f"not valid JSON: {reason}")]) from None
