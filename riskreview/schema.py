"""JSON Schema (draft 2020-12) for the case riskreview reads and the decision it writes.

A case-management system in any language can validate what it sends::

    >>> from riskreview.schema import case_schema
    >>> case_schema()["properties"]["case_id"]["type"]
    'string'

Both schemas are generated from the same annotations that validate cases in
Python, so they cannot drift apart. The case schema carries every limit a case
is held to: ``maxItems`` on every list, ``maxLength`` on every text,
``minimum`` and ``maximum`` on every number, ``maxProperties`` on ``inputs``; the
one limit JSON Schema cannot state, the list items of a whole case, is in its
``$comment``.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date
from enum import StrEnum
from typing import Any

import attrs

from riskreview._inputs import OTHER, input_bounds
from riskreview._limits import (
    MAX_CASE_ITEMS,
    MAX_INPUT_NAME_LENGTH,
    MAX_INPUT_NUMBER,
    MAX_INPUT_TEXT_LENGTH,
    MAX_INPUTS,
    MAX_LIST_ITEMS,
)
from riskreview._units import show_units
from riskreview.case import Case, check_pack
from riskreview.decision import Decision, Explanation
from riskreview.pack import Pack

__all__ = ["case_schema", "decision_schema", "explanation_schema"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_DATE = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}
#: a case holds dates from 1900-01-01 to 2199-12-31 only
_CASE_DATE = {**_DATE, "pattern": r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$"}
#: a value of a case's ``inputs`` when no pack says more: within the limits of any input
_INPUT_ITEM = {
    "anyOf": [
        {"type": "string", "maxLength": MAX_INPUT_TEXT_LENGTH},
        {"type": "number", "minimum": -MAX_INPUT_NUMBER, "maximum": MAX_INPUT_NUMBER},
        {"type": "boolean"},
    ]
}
_INPUT_VALUE = {
    "anyOf": [
        *_INPUT_ITEM["anyOf"],
        {"type": "null"},
        {"type": "array", "items": _INPUT_ITEM, "maxItems": MAX_LIST_ITEMS},
    ]
}


def _type_schema(tp: Any, defs: dict[str, Any], strict: bool) -> dict[str, Any]:
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = typing.get_args(tp)
        inner = [a for a in args if a is not type(None)]
        schema = (
            _type_schema(inner[0], defs, strict)
            if len(inner) == 1
            else {"anyOf": [_type_schema(a, defs, strict) for a in inner]}
        )
        return {"anyOf": [schema, {"type": "null"}]} if len(inner) < len(args) else schema
    origin = typing.get_origin(tp)
    if origin is tuple:
        items = _type_schema(typing.get_args(tp)[0], defs, strict)
        return {"type": "array", "items": items, **({"maxItems": MAX_LIST_ITEMS} if strict else {})}
    if origin is dict:
        if not strict:
            return {"type": "object", "additionalProperties": True}
        return {
            "type": "object",
            "maxProperties": MAX_INPUTS,
            "propertyNames": {"maxLength": MAX_INPUT_NAME_LENGTH},
            "additionalProperties": _INPUT_VALUE,
        }
    if tp is Any:
        return {}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is str:
        return {"type": "string"}
    if tp is date:
        return dict(_CASE_DATE if strict else _DATE)
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        return {"type": "string", "enum": [m.value for m in tp]}
    if attrs.has(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}
            defs[name] = _object_schema(tp, defs, strict)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _object_schema(cls: type, defs: dict[str, Any], strict: bool) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    props: dict[str, Any] = {}
    required = []
    for a in attrs.fields(cls):
        schema = _type_schema(hints[a.name], defs, strict)
        meta = a.metadata
        if "description" in meta:
            schema = {**schema, "description": meta["description"]}
        for key, word in (
            ("min", "minimum"),
            ("max", "maximum"),
            ("max_len", "maxLength"),
            ("min_len", "minLength"),
        ):
            if key in meta:
                schema = _constrain(schema, word, meta[key])
        props[a.name] = schema
        if a.default is attrs.NOTHING:
            required.append(a.name)
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if cls.__doc__:
        out["description"] = cls.__doc__.strip().split("\n\n")[0]
    if required:
        out["required"] = required
    return out


def _constrain(schema: dict[str, Any], word: str, value: int) -> dict[str, Any]:
    """Put a bound on the non-null branch of a schema."""
    if "anyOf" in schema:
        branches = [
            b if b.get("type") == "null" else _constrain(b, word, value) for b in schema["anyOf"]
        ]
        return {**schema, "anyOf": branches}
    return {**schema, word: value}


def _document(cls: type, title: str, strict: bool = True) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    root = _object_schema(cls, defs, strict)
    return {"$schema": _DIALECT, "title": title, **root, "$defs": defs}


_TOTAL = (
    f"A case may hold at most {MAX_CASE_ITEMS} list items in all, counting every list at "
    f"every depth (and each list at most {MAX_LIST_ITEMS}); JSON Schema cannot state the "
    "total, so Case.from_dict checks it, as it checks the order of dates."
)


def case_schema(pack: Pack | None = None) -> dict[str, Any]:
    """The JSON Schema of a case (what :meth:`riskreview.Case.from_dict` accepts).

    With ``pack``, ``inputs`` lists exactly the inputs that pack declares, with
    their types, allowed values and ranges. Date order rules (a release before
    the sentence, for example) are not expressible in JSON Schema;
    ``Case.from_dict`` checks them, and the number of list items in the whole
    case (``$comment``).
    """
    check_pack(pack)
    schema = {"$comment": _TOTAL, **_document(Case, "riskreview case")}
    if pack is not None:
        described = schema["properties"]["inputs"].get("description", "")
        schema["properties"]["inputs"] = {
            "type": "object",
            "description": f"{described} (declared by pack {pack.name} {pack.version})",
            "properties": {name: _input_schema(d) for name, d in pack.inputs.items()},
            "maxProperties": MAX_INPUTS,
            "additionalProperties": False,
            "required": [name for name, d in pack.inputs.items() if d.required],
        }
    return schema


def _input_schema(d: Any) -> dict[str, Any]:
    """One pack-declared input (riskreview._inputs.InputDef) as JSON Schema."""
    out = _value_schema(d)
    if d.kind == "records":
        record = {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: {"anyOf": [_value_schema(f), {"type": "null"}], "description": f.description}
                for name, f in d.fields.items()
            },
        }
        out = {"type": "array", "items": record, "maxItems": MAX_LIST_ITEMS}
    nullable = {"anyOf": [out, {"type": "null"}]} if not d.required else out
    return {**nullable, "description": d.description}


def _value_schema(d: Any) -> dict[str, Any]:
    """The JSON Schema of one value of input (or record field) ``d``."""
    if d.kind == "int":
        low, high = input_bounds(d)
        return {"type": "integer", "minimum": low, "maximum": high}
    if d.kind == "decimal":
        # a number or its text ("7.00"): with at most ``places`` places, within bounds
        least, most = (show_units(b, d.places) for b in input_bounds(d))
        step = show_units(1, d.places)
        fraction = rf"(\.[0-9]{{1,{d.places}}})?" if d.places else ""
        text = rf"^[-+]?[0-9]{{1,15}}{fraction}$"
        return {
            "anyOf": [
                {"type": "number", "minimum": float(least), "maximum": float(most)},
                {"type": "string", "pattern": text},
            ],
            "description": f"a decimal with at most {d.places} places ({step}), "
            f"from {least} to {most}",
        }
    if d.kind == "bool":
        return {"type": "boolean"}
    if d.kind == "date":
        return dict(_CASE_DATE)
    if d.kind in ("text", "records"):
        return {"type": "string", "maxLength": MAX_INPUT_TEXT_LENGTH}
    values = [m.value for m in d.enum if not (d.open and m.value == OTHER)]
    one: dict[str, Any] = {"type": "string", "enum": values}
    if d.open:  # any other code is accepted (and reads as "other")
        one = {"type": "string", "maxLength": MAX_INPUT_TEXT_LENGTH, "examples": values}
    elif d.case_insensitive:
        alternatives = "|".join(re.escape(v) for v in values)
        one = {"type": "string", "pattern": f"^(?i:{alternatives})$", "examples": values}
    if d.kind == "list":
        return {"type": "array", "items": one, "maxItems": MAX_LIST_ITEMS}
    return one


def decision_schema() -> dict[str, Any]:
    """The JSON Schema of a decision (what :meth:`riskreview.Decision.to_json` writes)."""
    return _document(Decision, "riskreview decision", strict=False)


def explanation_schema() -> dict[str, Any]:
    """The JSON Schema of an explanation (what :meth:`riskreview.Explanation.to_dict` gives)."""
    return _document(Explanation, "riskreview explanation", strict=False)
