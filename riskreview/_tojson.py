"""Case and decision objects to JSON-ready data, and canonical JSON text."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Any

import attrs

_Plan = list[tuple[str, bool, Any]]
_PLANS: dict[type, _Plan] = {}


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
    of its cost: it runs for every decision's input digest.)
    """
    if obj is None or isinstance(obj, bool | int | float):
        return obj
    if isinstance(obj, StrEnum):
        return obj.value
    if isinstance(obj, str):
        return obj
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, tuple | list):
        return [unstructure(v) for v in obj]
    if isinstance(obj, dict):
        return {k: unstructure(v) for k, v in obj.items()}
    out: dict[str, Any] = {}
    for name, has_default, default in _plan(type(obj)):
        raw = getattr(obj, name)
        if raw is None:
            if not (has_default and default is None):
                out[name] = None
            continue
        value = unstructure(raw)
        if has_default and value == default:
            continue
        out[name] = value
    return out


def dumps(data: Any) -> str:
    """Canonical JSON: sorted keys, compact, UTF-8 text, no NaN."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
