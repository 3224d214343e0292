"""Case and decision objects to JSON-ready data, and canonical JSON text."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from operator import attrgetter
from typing import Any

import attrs
import orjson

_Plan = list[tuple[str, bool, Any]]
_PLANS: dict[type, _Plan] = {}
#: how to turn a value of each type met so far into JSON data, found once per type
_CONVERTERS: dict[type, Callable[[Any], Any]] = {}
#: the types whose values are their own JSON data (subclasses are looked up once)
_PLAIN = frozenset({str, int, bool, float, type(None)})


def _plan(cls: type) -> _Plan:
    """Each field with whether it has a default and that default as JSON data."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = []
        for a in attrs.fields(cls):
            default = a.default
            if default is attrs.NOTHING:
                plan.append((a.name, False, None))
            elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                plan.append((a.name, True, unstructure(default.factory())))
            else:
                plan.append((a.name, True, unstructure(default)))
        _PLANS[cls] = plan
    return plan


def unstructure(obj: Any) -> Any:
    """JSON-ready data for a model object: fields equal to their default left out.

    (The same output as a cattrs converter with ``omit_if_default``, at a fraction
    of its cost: it runs for every decision's input digest.) The conversion of each
    type is worked out once, on its first value (:func:`_converter`).
    """
    kind = type(obj)
    if kind in _PLAIN:
        return obj
    convert = _CONVERTERS.get(kind)
    if convert is None:
        convert = _CONVERTERS[kind] = _converter(kind)
    return convert(obj)


def _same(obj: Any) -> Any:
    return obj


def _value(obj: StrEnum) -> str:
    return obj.value


def _isoformat(obj: date) -> str:
    return obj.isoformat()


def _items(obj: tuple[Any, ...] | list[Any]) -> list[Any]:
    return [v if type(v) in _PLAIN else unstructure(v) for v in obj]


def _mapping(obj: dict[Any, Any]) -> dict[Any, Any]:
    return {k: v if type(v) in _PLAIN else unstructure(v) for k, v in obj.items()}


def _converter(kind: type) -> Callable[[Any], Any]:
    """The conversion for values of ``kind``, tried in the order the type tests were
    once made for every value: numbers, enums, text, dates, sequences, mappings, then
    model classes field by field."""
    if issubclass(kind, bool | int | float):
        return _same
    if issubclass(kind, StrEnum):
        return _value
    if issubclass(kind, str):
        return _same
    if issubclass(kind, date):
        return _isoformat
    if issubclass(kind, tuple | list):
        return _items
    if issubclass(kind, dict):
        return _mapping
    return _model(kind)


def _model(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The conversion of a model class: every field read in one call, each value
    converted, a field equal to its default (or None where the default is None) left
    out."""
    plan = _plan(cls)  # raises for a class that is not a model, as it always has
    read = attrgetter(*(name for name, _, _ in plan)) if plan else None
    steps = [
        (name, has_default, default, has_default and default is None)
        for name, has_default, default in plan
    ]

    def convert(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if read is None:
            return out
        raws = read(obj) if len(steps) > 1 else (read(obj),)
        for (name, has_default, default, none_is_default), raw in zip(steps, raws, strict=True):
            if raw is None:
                if not none_is_default:
                    out[name] = None
                continue
            value = raw if type(raw) in _PLAIN else unstructure(raw)
            if has_default and value == default:
                continue
            out[name] = value
        return out

    return convert


def dumps(data: Any, *, floats: bool = True) -> str:
    """Canonical JSON: sorted keys, compact, UTF-8 text, no NaN.

    With ``floats=False`` (the caller knows ``data`` holds no float) the text is
    written by orjson, several times faster: for text, whole numbers, true/false and
    null its output is the standard library's byte for byte (floats it writes
    otherwise: ``1e16`` for ``1e+16``). What orjson refuses (a whole number past 64
    bits, a lone surrogate in text) is written by the standard library as before.
    """
    if not floats:
        try:
            return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")
        except TypeError:  # orjson.JSONEncodeError is a TypeError
            pass
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def dumps_fresh(data: Any, parts: Iterable[Any]) -> str:
    """Canonical JSON of ``data``, built for this call, whose floats can only be within
    ``parts`` (containers inside it): the text :func:`dumps` gives, byte for byte.

    Each float there is replaced by its text as the standard library writes it
    (``float.__repr__``) and spliced into orjson's output as a fragment, so a case
    with decimal inputs is written at orjson's speed too. What orjson refuses is
    written by the standard library, the floats put back first.
    """
    marked: list[tuple[Any, Any, float]] = []
    for part in parts:
        _mark_floats(part, marked)
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        for container, key, value in marked:
            container[key] = value
        return dumps(data)


def _mark_floats(data: Any, marked: list[tuple[Any, Any, float]]) -> None:
    """Replace each float in the dicts and lists of ``data`` by its JSON text."""
    stack = [data]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            pairs: Iterable[tuple[Any, Any]] = node.items()
        elif type(node) is list:
            pairs = enumerate(node)
        else:
            continue
        for key, value in pairs:  # a value replaced in place: no key added or removed
            if isinstance(value, float):
                # a value past the range of JSON raises here, as the standard library does
                text = float.__repr__(value) if math.isfinite(value) else dumps(value)
                marked.append((node, key, value))
                node[key] = orjson.Fragment(text)
            elif type(value) is dict or type(value) is list:
                stack.append(value)


def holds_float(data: Any) -> bool:
    """Whether JSON-ready ``data`` holds a float anywhere."""
    if isinstance(data, float):
        return True
    if isinstance(data, dict):
        return any(holds_float(v) for v in data.values())
    if isinstance(data, list | tuple):
        return any(holds_float(v) for v in data)
    return False
