"""Reading a pack's dated parameters (``parameters/*.yaml``).

Each parameter has a description, a source and values by the date they apply
from; a value is a whole number, or a table with one per member of an enum
(``by: RoshLevel``). A value may be negative: where a use cannot be (a due time, a
window, a review interval), that use refuses it and says why. Every problem goes
to the loader with file, line, key and reason; called by
:func:`riskreview._packload.load`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from riskreview import _vocab
from riskreview._envelope import MAX_BOUND
from riskreview._packmodel import Parameter
from riskreview._packreader import Loader
from riskreview._structure import suggest
from riskreview._yaml import as_date, describe, line_of, shown

_PARAM_KEYS = {"description", "source", "unit", "by", "values"}
_ENUMS = {
    e.__name__: e
    for e in (
        _vocab.RoshLevel,
        _vocab.EventType,
        _vocab.Stage,
        _vocab.OffenceCategory,
        _vocab.NeedType,
    )
}


def read_parameters(loader: Loader) -> dict[str, Parameter]:
    """Every parameter of ``parameters/*.yaml``, by name."""
    out: dict[str, Parameter] = {}
    folder = loader.root / "parameters"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = loader.read_mapping(path, "parameters")
        file = loader.rel(path)
        if not isinstance(data, Mapping):
            continue
        for name, spec in data.items():
            if name in out:
                loader.report(
                    file, line_of(data, name), loader.key(name), "parameter is defined twice"
                )
                continue
            param = _parameter(loader, file, name, line_of(data, name), spec)
            if param is not None:
                out[name] = param
    return out


def _parameter(loader: Loader, file: str, name: str, line: int, spec: Any) -> Parameter | None:
    if not isinstance(spec, Mapping):
        loader.report(
            file,
            line,
            loader.key(name),
            f"expected a mapping with description, source and values, got {describe(spec)}",
        )
        return None
    loader.unknown_keys(file, spec, _PARAM_KEYS, name)
    texts: dict[str, str] = {}
    for key in ("description", "source"):
        value = spec.get(key)
        if isinstance(value, str) and value.strip():
            texts[key] = value
            continue
        got = "" if value is None else f", got {describe(value)}"
        loader.report(
            file,
            line_of(spec, key),
            f"{name} {key}",
            f"is required text (say 'assumed' when no source){got}",
        )
    unit = loader.text(file, spec, "unit", name)
    by = spec.get("by")
    key_enum = None
    if by is not None:
        key_enum = _ENUMS.get(by) if isinstance(by, str) else None
        if key_enum is None:
            hint = suggest(by, _ENUMS) if isinstance(by, str) else ""
            hint = hint or f" (one of: {', '.join(_ENUMS)})"
            loader.report(
                file,
                line_of(spec, "by"),
                f"{name} by",
                f"{shown(by)} is not a value table key{hint}",
            )
            return None
    values = spec.get("values")
    if not isinstance(values, Mapping) or not values:
        loader.report(
            file,
            line_of(spec, "values"),
            f"{name} values",
            f"expected dated values {{YYYY-MM-DD: value}}, got {describe(values)}",
        )
        return None
    dated: list[tuple[date, Any]] = []
    for when, value in values.items():
        where = f"{name} values {loader.key(when)}"
        start = as_date(when)
        if start is None:
            loader.report(
                file, line_of(values, when), where, f"expected a date YYYY-MM-DD, not {shown(when)}"
            )
            continue
        checked = _param_value(loader, file, line_of(values, when), where, value, key_enum)
        if checked is not None:
            dated.append((start, checked))
    return Parameter(
        name,
        texts.get("description", "").strip(),
        texts.get("source", ""),
        unit or "",
        tuple(sorted(dated, key=lambda d: d[0])),
        key_enum,
    )


#: the range of a parameter's values: the engine's bound on every number
_PARAM_RANGE = f"from {-(MAX_BOUND - 1):,} to {MAX_BOUND - 1:,}"


def _number(value: Any) -> bool:
    return type(value) is int and abs(value) < MAX_BOUND


def _param_value(
    loader: Loader, file: str, line: int, where: str, value: Any, key_enum: Any
) -> Any:
    if key_enum is None:
        if _number(value):
            return value
        loader.report(
            file, line, where, f"expected a whole number {_PARAM_RANGE}, got {shown(value)}"
        )
        return None
    members = [m.value for m in key_enum]
    if not isinstance(value, Mapping):
        loader.report(
            file,
            line,
            where,
            f"expected a value for each of: {', '.join(members)}; got {describe(value)}",
        )
        return None
    out = {}
    for key, number in value.items():
        if key not in members:
            loader.report(
                file,
                line_of(value, key),
                f"{where} {loader.key(key)}",
                f"not a {key_enum.__name__} value{suggest(key, members)}",
            )
        elif not _number(number):
            loader.report(
                file,
                line_of(value, key),
                f"{where} {key}",
                f"expected a whole number {_PARAM_RANGE}, got {shown(number)}",
            )
        else:
            out[key] = number
    missing = [m for m in members if m not in value]
    if missing:
        loader.report(file, line_of(value), where, f"no value for: {', '.join(missing)}")
        return None
    return out if len(out) == len(members) else None
