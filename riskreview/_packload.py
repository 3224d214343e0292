"""Reading a pack folder into a checked :class:`~riskreview.pack.Pack`.

:func:`load` reads ``pack.yaml``, the actions, parameters, inputs and derived
values itself; :mod:`riskreview._packrules` reads the rules, due specs, named
conditions, information and review policy, and :mod:`riskreview._packscenarios`
the scenario tests. Every problem is collected and raised together as a
:class:`~riskreview.errors.PackError`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from riskreview import _vocab
from riskreview._compile import check_envelope
from riskreview._conditions import ParamRef
from riskreview._derive import DerivedDef, DerivedParser, InputDef, order, parse_inputs
from riskreview._fields import CASE_FIELDS, EXTRA, Field
from riskreview._packrules import _check_named, _information, _named_conditions, _review, _rules
from riskreview._packscenarios import _scenarios
from riskreview._runtime import build_engines
from riskreview._structure import suggest
from riskreview._yaml import YamlProblem, as_date, describe, line_of, read, short
from riskreview.errors import PackError, Problem
from riskreview.pack import PRIORITIES, ActionDef, Pack, Parameter

_PACK_KEYS = {
    "name",
    "version",
    "title",
    "description",
    "effective_from",
    "calendar",
    "review",
    "findings",
    "sources",
}
_ACTION_KEYS = {"title", "area", "priority", "wording", "category"}
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


@attrs.define
class _Loader:
    root: Path
    problems: list[Problem] = attrs.field(factory=list)
    files: list[Path] = attrs.field(factory=list)
    condition_docs: dict[str, str] = attrs.field(factory=dict)
    fields: dict[str, Field] = attrs.field(factory=lambda: dict(CASE_FIELDS))

    def report(self, file: str, line: int, where: str, message: str) -> None:
        location = f"{file}:{line}" if line else file
        self.problems.append(Problem(f"{location} {where}".rstrip(), message))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def read_mapping(self, path: Path, top_key: str | None, required: bool = True) -> Any:
        rel = self.rel(path) if path.is_relative_to(self.root) else str(path)
        if not path.is_file():
            if required:
                self.report(rel, 0, "", "file is missing")
            return None
        self.files.append(path)
        try:
            data, reported = read(path)
        except YamlProblem as error:
            for flaw in error.flaws:
                self.report(rel, flaw.line, flaw.where, flaw.message)
            return None
        except UnicodeDecodeError:
            self.report(rel, 0, "", "file is not UTF-8 text")
            return None
        except OSError as error:
            self.report(rel, 0, "", f"cannot be read: {error.strerror or error}")
            return None
        for flaw in reported:
            self.report(rel, flaw.line, flaw.where, flaw.message)
        if not isinstance(data, Mapping):
            self.report(rel, 0, "", f"expected a mapping at the top, got {describe(data)}")
            return None
        if top_key is None:
            return data
        for key in data:
            if key != top_key:
                self.report(
                    rel,
                    line_of(data, key),
                    short(key),
                    f"unknown top-level key; expected only {top_key!r}",
                )
        value = data.get(top_key)
        if value is None:
            self.report(rel, line_of(data, top_key), top_key, "is missing")
        return value

    def unknown_keys(
        self, file: str, data: Mapping[str, Any], allowed: Collection[str], where: str
    ) -> None:
        for key in data:
            if key not in allowed:
                self.report(
                    file,
                    line_of(data, key),
                    f"{where} {short(key)}".strip(),
                    f"unknown key{suggest(key, allowed)}",
                )


def load(root: Path) -> Pack:
    """Load the pack at ``root`` or raise PackError with every problem."""
    loader = _Loader(root)
    if not root.is_dir():
        raise PackError([Problem(str(root), "is not a folder containing pack.yaml")])
    meta = loader.read_mapping(root / "pack.yaml", None)
    if meta is None:
        raise PackError(loader.problems, subject=str(root.name))
    loader.unknown_keys("pack.yaml", meta, _PACK_KEYS, "")
    name = str(meta.get("name", root.name))
    effective = as_date(meta.get("effective_from"))
    if effective is None:
        loader.report("pack.yaml", line_of(meta), "effective_from", "expected a date YYYY-MM-DD")
        effective = date.min
    actions = _actions(loader)
    params = _parameters(loader)
    named = _named_conditions(loader)
    inputs = _inputs(loader)
    derived = _derived(loader, params, named)
    used: set[str] = set()
    ctx_params = params
    information = _information(loader)
    rules = _rules(loader, actions, ctx_params, named, used)
    _check_named(loader, {n: w for n, w in named.items() if n not in used}, params, named)
    review = _review(loader, meta.get("review"), actions, params)
    scenarios = _scenarios(loader)
    findings = _findings(loader, meta.get("findings"))
    calendar = meta.get("calendar") or {}
    if loader.problems:
        raise PackError(loader.problems, subject=name)
    pack = Pack(
        name=name,
        version=str(meta.get("version", "0")),
        title=str(meta.get("title", name)),
        description=str(meta.get("description", "")).strip(),
        effective_from=effective,
        digest=_digest(root, loader.files),
        path=str(root),
        actions=actions,
        parameters=params,
        rules=tuple(rules),
        information=information,
        scenarios=tuple(scenarios),
        review=review,
        findings=findings,
        conditions=dict(loader.condition_docs),
        inputs=inputs,
        derived=tuple(derived),
        fields=dict(loader.fields),
        calendar_country=str(calendar.get("country", "GB")),
        calendar_subdiv=calendar.get("subdiv", "ENG"),
        meta=dict(meta),
    )
    envelope = check_envelope(pack)
    if envelope:
        raise PackError(envelope, subject=name)
    engine_problems = build_engines(pack)
    if engine_problems:
        raise PackError(engine_problems, subject=name)
    return pack


def _digest(root: Path, files: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in sorted(set(files)):
        sha.update(path.relative_to(root).as_posix().encode())
        sha.update(b"\0")
        sha.update(path.read_bytes())
        sha.update(b"\0")
    return "sha256:" + sha.hexdigest()


def _actions(loader: _Loader) -> dict[str, ActionDef]:
    data = loader.read_mapping(loader.root / "actions.yaml", "actions")
    out: dict[str, ActionDef] = {}
    if not isinstance(data, Mapping):
        return out
    for code, spec in data.items():
        if not isinstance(spec, Mapping):
            loader.report("actions.yaml", line_of(data), code, "expected a mapping")
            continue
        loader.unknown_keys("actions.yaml", spec, _ACTION_KEYS, code)
        priority = spec.get("priority", "medium")
        if priority not in PRIORITIES:
            loader.report(
                "actions.yaml",
                line_of(spec),
                f"{code} priority",
                f"{priority!r} is not a priority{suggest(str(priority), PRIORITIES)}",
            )
        for key in ("title", "area"):
            if not isinstance(spec.get(key), str):
                loader.report("actions.yaml", line_of(spec), f"{code} {key}", "is required text")
        category = spec.get("category", "action")
        if category not in ("action", "review"):
            loader.report(
                "actions.yaml", line_of(spec), f"{code} category", "expected 'action' or 'review'"
            )
        out[code] = ActionDef(
            code,
            str(spec.get("title", code)),
            str(spec.get("area", "")),
            str(priority),
            str(spec.get("wording", spec.get("title", ""))).strip(),
            str(category),
        )
    return out


def _parameters(loader: _Loader) -> dict[str, Parameter]:
    out: dict[str, Parameter] = {}
    folder = loader.root / "parameters"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = loader.read_mapping(path, "parameters")
        file = loader.rel(path)
        if not isinstance(data, Mapping):
            continue
        for name, spec in data.items():
            if name in out:
                loader.report(file, line_of(data), name, "parameter is defined twice")
                continue
            param = _parameter(loader, file, name, spec)
            if param is not None:
                out[name] = param
    return out


def _parameter(loader: _Loader, file: str, name: str, spec: Any) -> Parameter | None:
    if not isinstance(spec, Mapping):
        loader.report(file, 0, name, "expected a mapping with description, source and values")
        return None
    loader.unknown_keys(file, spec, _PARAM_KEYS, name)
    line = line_of(spec)
    for key in ("description", "source"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            loader.report(
                file, line, f"{name} {key}", "is required text (say 'assumed' when no source)"
            )
    by = spec.get("by")
    key_enum = None
    if by is not None:
        key_enum = _ENUMS.get(str(by))
        if key_enum is None:
            loader.report(
                file,
                line,
                f"{name} by",
                f"unknown value table key {by!r}{suggest(str(by), _ENUMS)}",
            )
            return None
    values = spec.get("values")
    if not isinstance(values, Mapping) or not values:
        loader.report(file, line, f"{name} values", "expected dated values: {YYYY-MM-DD: value}")
        return None
    dated: list[tuple[date, Any]] = []
    for when, value in values.items():
        start = as_date(when)
        if start is None:
            loader.report(
                file, line_of(values), f"{name} values {when}", "expected a date YYYY-MM-DD"
            )
            continue
        checked = _param_value(
            loader, file, line_of(values), f"{name} values {when}", value, key_enum
        )
        if checked is not None:
            dated.append((start, checked))
    return Parameter(
        name,
        str(spec.get("description", "")).strip(),
        str(spec.get("source", "")),
        str(spec.get("unit", "")),
        tuple(sorted(dated)),
        key_enum,
    )


def _param_value(
    loader: _Loader, file: str, line: int, where: str, value: Any, key_enum: Any
) -> Any:
    if key_enum is None:
        if type(value) is int and value >= 0:
            return value
        loader.report(file, line, where, f"expected a whole number ≥ 0, got {value!r}")
        return None
    members = [m.value for m in key_enum]
    if not isinstance(value, Mapping):
        loader.report(file, line, where, f"expected a value for each of: {', '.join(members)}")
        return None
    out = {}
    for key, number in value.items():
        if key not in members:
            loader.report(
                file,
                line_of(value),
                f"{where} {key}",
                f"not a {key_enum.__name__} value{suggest(str(key), members)}",
            )
        elif type(number) is not int or number < 0:
            loader.report(
                file,
                line_of(value),
                f"{where} {key}",
                f"expected a whole number ≥ 0, got {number!r}",
            )
        else:
            out[key] = number
    missing = [m for m in members if m not in value]
    if missing:
        loader.report(file, line_of(value), where, f"no value for: {', '.join(missing)}")
        return None
    return out


def _inputs(loader: _Loader) -> dict[str, InputDef]:
    data = loader.read_mapping(loader.root / "inputs.yaml", "inputs", required=False)

    def report(where: str, message: str) -> None:
        loader.report("inputs.yaml", line_of(data), where, message)

    inputs = parse_inputs(data, report)
    for d in inputs.values():
        loader.fields[d.field.path] = d.field
    return inputs


def _derived(
    loader: _Loader, params: Mapping[str, Parameter], named: Mapping[str, Any]
) -> list[DerivedDef]:
    """Read ``derived/*.yaml``: declare every value, parse each, order by dependency."""
    folder = loader.root / "derived"
    entries: list[tuple[str, Any, str]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = loader.read_mapping(path, "derived")
        if isinstance(data, Mapping):
            entries.extend((str(n), spec, loader.rel(path)) for n, spec in data.items())

    def report(file: str, where: str, line: int, message: str) -> None:
        loader.report(file, line, where, message)

    parser = DerivedParser(loader.fields, params, named, report)
    kinds = {}
    for name, spec, file in entries:
        if f"derived.{name}" in loader.fields:
            report(file, name, line_of(spec), "derived value is defined twice")
            continue
        declared = parser.declare(name, spec, file)
        if declared is not None:
            kinds[name] = declared
            kind, enum = declared
            loader.fields[f"derived.{name}"] = Field(
                f"derived.{name}", kind, name, enum=enum, virtual=EXTRA
            )
    defs = {}
    for name, spec, file in entries:
        if name in kinds and name not in defs:
            parsed = parser.parse(name, spec, file, *kinds[name])
            if parsed is not None:
                defs[name] = parsed
                loader.fields[f"derived.{name}"] = parsed.field
    for d in defs.values():
        _check_band_edges(loader, d, params)
    return order(defs, report)


def _check_band_edges(loader: _Loader, d: DerivedDef, params: Mapping[str, Parameter]) -> None:
    """Band edges must rise on every date any of their parameters changes."""
    if d.op != "band":
        return
    names = [b.name for _, b in d.edges if isinstance(b, ParamRef)]
    dates = sorted({when for n in names if n in params for when, _ in params[n].values})
    for when in dates:
        values = [b if isinstance(b, int) else params[b.name].value_on(when) for _, b in d.edges]
        if any(v is None for v in values) or values != sorted(set(values)):
            loader.report(
                d.file,
                d.line,
                f"{d.name} band edges",
                f"edges must rise strictly, lowest first; from {when} they are "
                f"{', '.join(str(v) for v in values)}",
            )


def _findings(loader: _Loader, spec: Any) -> dict[int, str]:
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        loader.report("pack.yaml", 0, "findings", "expected {number: text}")
        return {}
    return {int(k): str(v).strip() for k, v in spec.items() if str(k).isdigit()}
