"""Reading a pack's review policy: ``review:`` in ``pack.yaml``.

The action that a regular review requires (and the rule id, reason and source
it is required under once the next review date has come), the interval (a weeks parameter,
usually one value per RoSH level, selected by a case field), the date fields a
review is counted from, and what to do when the level is unknown. Every problem
goes to the loader with file, line, key and reason; called by
:func:`riskreview._packload.load`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskreview._conditions import ParamRef
from riskreview._packmodel import ActionDef, Parameter, ReviewPolicy
from riskreview._packreader import Loader
from riskreview._packrules import _date_fields
from riskreview._structure import suggest
from riskreview._yaml import describe, line_of, shown


def read_review(
    loader: Loader, spec: Any, actions: Mapping[str, ActionDef], params: Mapping[str, Parameter]
) -> ReviewPolicy | None:
    """The review policy ``spec`` (``pack.yaml``'s ``review``), or None when it has none."""
    if spec is None:
        return None
    if not isinstance(spec, Mapping):
        loader.report(
            "pack.yaml",
            0,
            "review",
            f"expected a mapping {{action, interval, anchors}}, got {describe(spec)}",
        )
        return None
    loader.unknown_keys(
        "pack.yaml",
        spec,
        ("action", "interval", "anchors", "unknown_level", "id", "reason", "source"),
        "review",
    )
    texts = _texts(loader, spec)
    action = spec.get("action")
    action_ok = isinstance(action, str) and action in actions
    if not action_ok:
        loader.report(
            "pack.yaml",
            line_of(spec, "action"),
            "review action",
            f"unknown action {shown(action)}{suggest(action, actions)}"
            if isinstance(action, str)
            else f"expected an action code (text), got {describe(action)}",
        )
    ref = _interval(loader, spec, params)
    anchors = spec.get("anchors", [])
    if not isinstance(anchors, list):
        loader.report(
            "pack.yaml",
            line_of(spec, "anchors"),
            "review anchors",
            f"expected a list of date fields, got {describe(anchors)}",
        )
        anchors = []
    for anchor in anchors:
        field = loader.fields.get(anchor) if isinstance(anchor, str) else None
        if field is None or field.kind != "date":
            loader.report(
                "pack.yaml",
                line_of(spec, "anchors"),
                "review anchors",
                f"{shown(anchor)} is not a date field{suggest(anchor, _date_fields(loader.fields))}"
                if isinstance(anchor, str)
                else f"expected a date field's path (text), got {describe(anchor)}",
            )
    unknown_level = spec.get("unknown_level", "shortest")
    if unknown_level != "shortest":
        loader.report(
            "pack.yaml",
            line_of(spec, "unknown_level"),
            "review unknown_level",
            f"only 'shortest' is supported, got {shown(unknown_level)}",
        )
    if ref is None or not action_ok:
        return None
    return ReviewPolicy(str(action), ref, tuple(anchors), str(unknown_level), **texts)


def _texts(loader: Loader, spec: Mapping[str, Any]) -> dict[str, str]:
    """``id``, ``reason`` and ``source``: what a review due by the schedule is required
    under (the rule id on the action, its reason and its source)."""
    out: dict[str, str] = {}
    for key in ("id", "reason", "source"):
        value = spec.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            loader.report(
                "pack.yaml",
                line_of(spec, key),
                f"review {key}",
                f"expected text, got {describe(value)}",
            )
            continue
        out[key] = " ".join(value.split())
    return out


def _interval(
    loader: Loader, spec: Mapping[str, Any], params: Mapping[str, Parameter]
) -> ParamRef | None:
    """``interval: {param: <weeks>, by: <field>}``: the regular review interval."""
    interval = spec.get("interval")
    line = line_of(spec, "interval")
    name = interval.get("param") if isinstance(interval, Mapping) else None
    if not isinstance(name, str) or name not in params:
        if isinstance(name, str):
            why = f"; unknown parameter {shown(name)}{suggest(name, params)}"
        elif name is not None:
            why = f"; param must be a parameter's name (text), got {describe(name)}"
        else:
            why = f", got {describe(interval)}" if not isinstance(interval, Mapping) else ""
        loader.report(
            "pack.yaml",
            line,
            "review interval",
            f"expected {{param: <weeks parameter>, by: <RoSH level field>}}{why}",
        )
        return None
    assert isinstance(interval, Mapping)
    loader.unknown_keys("pack.yaml", interval, ("param", "by"), "review interval")
    param = params[name]
    negative = param.first_negative()
    if negative:
        loader.report(
            "pack.yaml",
            line,
            "review interval",
            f"parameter {name!r} is {negative[1]} from {negative[0]}: "
            "a review interval cannot be negative",
        )
        return None
    by = interval.get("by")
    if param.key_enum is None:
        if by is not None:
            loader.report(
                "pack.yaml",
                line,
                "review interval by",
                f"parameter {name!r} is one number, so 'by' does not apply",
            )
            return None
        return ParamRef(name)
    by_field = loader.fields.get(by) if isinstance(by, str) else None
    if by_field is None or by_field.enum is not param.key_enum:
        loader.report(
            "pack.yaml",
            line,
            "review interval by",
            f"must name a field holding a {param.key_enum.__name__}, got {shown(by)}",
        )
        return None
    return ParamRef(name, by, by_field)
