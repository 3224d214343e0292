"""Reading a pack folder into a checked :class:`~riskreview.pack.Pack`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from riskreview import _vocab
from riskreview._compile import check_envelope
from riskreview._conditions import ParamRef, ParseContext, parse
from riskreview._decide import build_engines
from riskreview._derive import DerivedDef, DerivedParser, InputDef, order, parse_inputs
from riskreview._fields import CASE_FIELDS, EXTRA, Field
from riskreview._structure import suggest
from riskreview._yaml import YamlProblem, line_of, read
from riskreview.errors import PackError, Problem
from riskreview.pack import (
    PRIORITIES,
    ActionDef,
    DueSpec,
    InformationDef,
    Pack,
    Parameter,
    ReviewPolicy,
    Rule,
    Scenario,
)

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
_RULE_KEYS = {
    "id",
    "title",
    "area",
    "when",
    "action",
    "priority",
    "due",
    "source",
    "rationale",
    "reason",
    "findings",
    "effective_from",
    "effective_to",
}
_RULE_REQUIRED = ("id", "title", "area", "when", "action", "source", "rationale")
_SCENARIO_KEYS = {"name", "as_of", "case", "expect", "description", "covers"}
_EXPECT_KEYS = {
    "actions",
    "includes",
    "absent",
    "fired",
    "not_fired",
    "undetermined",
    "information",
    "due",
    "next_review",
    "status",
    "reported",
}
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
            data, duplicates = read(path)
        except YamlProblem as error:
            self.report(rel, error.line, "", str(error))
            return None
        except UnicodeDecodeError:
            self.report(rel, 0, "", "file is not UTF-8 text")
            return None
        for line, key, owner in duplicates:
            self.report(
                rel,
                line,
                f"{owner} {key}".strip(),
                "duplicate key (YAML would silently keep only the last)",
            )
        if not isinstance(data, Mapping):
            self.report(rel, 0, "", f"expected a mapping at the top, got {type(data).__name__}")
            return None
        if top_key is None:
            return data
        extra = set(data) - {top_key}
        for key in sorted(extra):
            self.report(
                rel, line_of(data), key, f"unknown top-level key; expected only {top_key!r}"
            )
        value = data.get(top_key)
        if value is None:
            self.report(rel, line_of(data), top_key, "is missing")
        return value

    def unknown_keys(
        self, file: str, data: Mapping[str, Any], allowed: set[str], where: str
    ) -> None:
        for key in data:
            if key not in allowed:
                self.report(
                    file,
                    line_of(data),
                    f"{where} {key}".strip(),
                    f"unknown key{suggest(str(key), allowed)}",
                )


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


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
    effective = _as_date(meta.get("effective_from"))
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
        start = _as_date(when)
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


def _named_conditions(loader: _Loader) -> dict[str, Any]:
    data = loader.read_mapping(loader.root / "conditions.yaml", "conditions", required=False)
    out: dict[str, Any] = {}
    if not isinstance(data, Mapping):
        return out
    for name, spec in data.items():
        if not isinstance(spec, Mapping) or "when" not in spec:
            loader.report("conditions.yaml", line_of(data), name, "expected {description, when}")
            continue
        loader.unknown_keys("conditions.yaml", spec, {"description", "when"}, name)
        out[name] = spec["when"]
        loader.condition_docs[name] = str(spec.get("description", "")).strip()
    return out


def _check_named(
    loader: _Loader,
    unused: Mapping[str, Any],
    params: Mapping[str, Parameter],
    named: Mapping[str, Any],
) -> None:
    """Check the named conditions no rule uses, so a fault there does not wait for one.

    (A condition a rule uses is checked, and reported, under that rule.)
    """
    for name, when in unused.items():

        def report(where: str, message: str, line: int = line_of(when)) -> None:
            loader.report("conditions.yaml", line, where, message)

        ctx = ParseContext(
            fields=loader.fields, params=params, named=named, report=report, expanding=(name,)
        )
        parse(when, ctx, f"{name} when")


def _information(loader: _Loader) -> dict[str, InformationDef]:
    data = loader.read_mapping(loader.root / "information.yaml", "information", required=False)
    out: dict[str, InformationDef] = {}
    if not isinstance(data, Mapping):
        return out
    for path, spec in data.items():
        if path not in loader.fields and not _item_path_known(path, loader.fields):
            loader.report(
                "information.yaml",
                line_of(data),
                path,
                f"not a case field{suggest(str(path), loader.fields)}",
            )
            continue
        if (
            not isinstance(spec, Mapping)
            or not isinstance(spec.get("code"), str)
            or not isinstance(spec.get("title"), str)
        ):
            loader.report("information.yaml", line_of(data), path, "expected {code, title}")
            continue
        loader.unknown_keys("information.yaml", spec, {"code", "title"}, path)
        out[path] = InformationDef(path, spec["code"], spec["title"].strip())
    return out


def _item_path_known(path: str, fields: Mapping[str, Field]) -> bool:
    """``household.children[].contact`` style paths name an item field of a list."""
    if "[]." not in path:
        return False
    head, tail = path.split("[].", 1)
    field = fields.get(head)
    return field is not None and field.items is not None and tail in field.items


def _rules(
    loader: _Loader,
    actions: Mapping[str, ActionDef],
    params: Mapping[str, Parameter],
    named: Mapping[str, Any],
    used: set[str],
) -> list[Rule]:
    out: list[Rule] = []
    seen: dict[str, str] = {}
    folder = loader.root / "rules"
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not paths:
        loader.report("rules/", 0, "", "no rule files (rules/*.yaml)")
    for path in paths:
        file = loader.rel(path)
        data = loader.read_mapping(path, "rules")
        if data is None:
            continue
        if not isinstance(data, list):
            loader.report(file, 0, "rules", "expected a list of rules")
            continue
        for spec in data:
            rule = _rule(loader, file, spec, actions, params, named, seen, used)
            if rule is not None:
                out.append(rule)
    return out


def _rule(
    loader: _Loader,
    file: str,
    spec: Any,
    actions: Mapping[str, ActionDef],
    params: Mapping[str, Parameter],
    named: Mapping[str, Any],
    seen: dict[str, str],
    used: set[str],
) -> Rule | None:
    if not isinstance(spec, Mapping):
        loader.report(file, 0, "", "each rule must be a mapping")
        return None
    line = line_of(spec)
    rid = spec.get("id")
    label = str(rid) if rid else "(rule without id)"
    ok = True
    loader.unknown_keys(file, spec, _RULE_KEYS, label)
    for key in _RULE_REQUIRED:
        if key not in spec:
            loader.report(file, line, f"{label} {key}", "is required")
            ok = False
    if isinstance(rid, str):
        if rid in seen:
            loader.report(file, line, label, f"duplicate rule id (also in {seen[rid]})")
            ok = False
        seen[rid] = file
    action = spec.get("action")
    if action is not None and action not in actions:
        loader.report(
            file,
            line,
            f"{label} action",
            f"unknown action {action!r}{suggest(str(action), actions)}",
        )
        ok = False
    priority = spec.get("priority")
    if priority is not None and priority not in PRIORITIES:
        loader.report(
            file,
            line,
            f"{label} priority",
            f"{priority!r} is not a priority{suggest(str(priority), PRIORITIES)}",
        )
        ok = False

    def report(where: str, message: str) -> None:
        loader.report(file, line, f"{label} {where}", message)

    ctx = ParseContext(fields=loader.fields, params=params, named=named, report=report)
    when = parse(spec.get("when"), ctx, "when") if "when" in spec else None
    used.update(ctx.used_named)
    due = _due(loader, file, line, label, spec.get("due"), params)
    dates = {}
    for key in ("effective_from", "effective_to"):
        if spec.get(key) is not None:
            dates[key] = _as_date(spec[key])
            if dates[key] is None:
                loader.report(file, line, f"{label} {key}", "expected a date YYYY-MM-DD")
                ok = False
    findings = spec.get("findings", [])
    if not isinstance(findings, list) or not all(type(f) is int for f in findings):
        loader.report(file, line, f"{label} findings", "expected a list of finding numbers")
        findings = []
    if not ok or when is None or (spec.get("due") is not None and due is None):
        return None
    return Rule(
        id=str(rid),
        title=str(spec["title"]).strip(),
        area=str(spec["area"]),
        when=when,
        action=str(action),
        priority=priority,
        due=due,
        source=str(spec["source"]).strip(),
        rationale=str(spec["rationale"]).strip(),
        reason=str(spec.get("reason", spec["title"])).strip(),
        findings=tuple(findings),
        effective_from=dates.get("effective_from"),
        effective_to=dates.get("effective_to"),
        file=file,
        line=line,
        raw_when=spec.get("when"),
    )


_DUE_UNITS = ("days", "weeks", "working_days")


def _due(
    loader: _Loader, file: str, line: int, label: str, spec: Any, params: Mapping[str, Parameter]
) -> DueSpec | None:
    if spec is None:
        return None
    where = f"{label} due"
    if not isinstance(spec, Mapping):
        loader.report(
            file, line, where, "expected {working_days|days|weeks: N, from: <date field>}"
        )
        return None
    units = [u for u in _DUE_UNITS if u in spec]
    extra = set(spec) - set(_DUE_UNITS) - {"from"}
    if len(units) != 1 or extra:
        loader.report(
            file,
            line,
            where,
            "expected exactly one of working_days, days or weeks, and optionally from",
        )
        return None
    unit = units[0]
    amount = spec[unit]
    if isinstance(amount, Mapping):
        name = str(amount.get("param"))
        if name not in params:
            loader.report(
                file, line, where, f"unknown parameter {name!r}{suggest(str(name), params)}"
            )
            return None
        if params[name].key_enum is not None:
            loader.report(
                file, line, where, f"parameter {name!r} is a table; a due time needs one number"
            )
            return None
        amount = ParamRef(name)
    elif type(amount) is not int or amount < 0:
        loader.report(file, line, where, f"expected a whole number ≥ 0, got {amount!r}")
        return None
    anchor = spec.get("from", "as_of")
    if not _anchor_ok(anchor, loader.fields):
        loader.report(
            file,
            line,
            f"{where} from",
            f"{anchor!r} is not as_of, a date field of the case "
            f"or matched.<list>{suggest(str(anchor), _date_fields(loader.fields))}",
        )
        return None
    return DueSpec(amount, unit, str(anchor))


def _date_fields(fields: Mapping[str, Field]) -> list[str]:
    return [p for p, f in fields.items() if f.kind == "date"]


def _anchor_ok(anchor: Any, fields: Mapping[str, Field]) -> bool:
    if anchor == "as_of":
        return True
    if not isinstance(anchor, str):
        return False
    if anchor.startswith("matched."):
        field = fields.get(anchor.removeprefix("matched."))
        return field is not None and field.items is not None and "date" in field.items
    field = fields.get(anchor)
    return field is not None and field.kind == "date"


def _review(
    loader: _Loader, spec: Any, actions: Mapping[str, ActionDef], params: Mapping[str, Parameter]
) -> ReviewPolicy | None:
    if spec is None:
        return None
    if not isinstance(spec, Mapping):
        loader.report("pack.yaml", 0, "review", "expected a mapping")
        return None
    loader.unknown_keys(
        "pack.yaml", spec, {"action", "interval", "anchors", "unknown_level"}, "review"
    )
    action = spec.get("action")
    if action not in actions:
        loader.report(
            "pack.yaml",
            line_of(spec),
            "review action",
            f"unknown action {action!r}{suggest(str(action), actions)}",
        )
    interval = spec.get("interval")
    ref = None
    if not isinstance(interval, Mapping) or interval.get("param") not in params:
        loader.report(
            "pack.yaml",
            line_of(spec),
            "review interval",
            "expected {param: <weeks parameter>, by: <RoSH level field>}",
        )
    else:
        param = params[interval["param"]]
        by = interval.get("by")
        by_field = loader.fields.get(by) if isinstance(by, str) else None
        if param.key_enum is not None and (by_field is None or by_field.enum is not param.key_enum):
            loader.report(
                "pack.yaml",
                line_of(spec),
                "review interval by",
                f"must name a field holding a {param.key_enum.__name__}",
            )
        ref = ParamRef(
            interval["param"], by if param.key_enum else None, by_field if param.key_enum else None
        )
    anchors = spec.get("anchors", [])
    for anchor in anchors if isinstance(anchors, list) else []:
        field = loader.fields.get(anchor)
        if field is None or field.kind != "date":
            loader.report(
                "pack.yaml",
                line_of(spec),
                "review anchors",
                f"{anchor!r} is not a date field{suggest(str(anchor), loader.fields)}",
            )
    unknown_level = spec.get("unknown_level", "shortest")
    if unknown_level not in ("shortest",):
        loader.report(
            "pack.yaml", line_of(spec), "review unknown_level", "only 'shortest' is supported"
        )
    if ref is None or action not in actions:
        return None
    return ReviewPolicy(str(action), ref, tuple(anchors), str(unknown_level))


def _scenarios(loader: _Loader) -> list[Scenario]:
    out: list[Scenario] = []
    folder = loader.root / "tests"
    names: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        file = loader.rel(path)
        data = loader.read_mapping(path, "scenarios")
        if not isinstance(data, list):
            if data is not None:
                loader.report(file, 0, "scenarios", "expected a list")
            continue
        for spec in data:
            scenario = _scenario(loader, file, spec, names)
            if scenario is not None:
                out.append(scenario)
    return out


def _scenario(loader: _Loader, file: str, spec: Any, names: dict[str, str]) -> Scenario | None:
    if not isinstance(spec, Mapping):
        loader.report(file, 0, "", "each scenario must be a mapping")
        return None
    line = line_of(spec)
    name = spec.get("name")
    label = str(name) if name else "(scenario without name)"
    loader.unknown_keys(file, spec, _SCENARIO_KEYS, label)
    ok = isinstance(name, str) and bool(name)
    if not ok:
        loader.report(file, line, label, "a scenario needs a name")
    elif name in names:
        loader.report(file, line, label, f"duplicate scenario name (also in {names[name]})")
        ok = False
    else:
        names[str(name)] = file
    as_of = _as_date(spec.get("as_of"))
    if as_of is None:
        loader.report(file, line, f"{label} as_of", "expected a date YYYY-MM-DD")
        ok = False
    case = spec.get("case")
    if not isinstance(case, Mapping):
        loader.report(file, line, f"{label} case", "expected a mapping (the case JSON)")
        ok = False
    expect = spec.get("expect")
    if not isinstance(expect, Mapping) or not expect:
        loader.report(file, line, f"{label} expect", "expected a mapping of expectations")
        ok = False
    else:
        loader.unknown_keys(file, expect, _EXPECT_KEYS, f"{label} expect")
    covers = spec.get("covers", [])
    if not ok or as_of is None:
        return None
    return Scenario(
        str(name),
        file,
        line,
        as_of,
        _jsonable(case),
        dict(expect or {}),
        tuple(str(c) for c in covers) if isinstance(covers, list) else (),
    )


def _jsonable(value: Any) -> Any:
    """YAML dates become ISO strings, so a scenario's case reads like case JSON."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _findings(loader: _Loader, spec: Any) -> dict[int, str]:
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        loader.report("pack.yaml", 0, "findings", "expected {number: text}")
        return {}
    return {int(k): str(v).strip() for k, v in spec.items() if str(k).isdigit()}
