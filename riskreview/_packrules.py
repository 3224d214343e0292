"""Reading a pack's rules and what they lean on.

``rules/*.yaml`` with each rule's due spec, the named conditions of
``conditions.yaml``, ``information.yaml`` and the review policy in ``pack.yaml``.
Every problem goes to the loader with its file, line and key; called by
:func:`riskreview._packload.load`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from riskreview._conditions import ParamRef, ParseContext, parse
from riskreview._fields import Field
from riskreview._structure import suggest
from riskreview._yaml import as_date, line_of
from riskreview.pack import (
    PRIORITIES,
    ActionDef,
    DueSpec,
    InformationDef,
    Parameter,
    ReviewPolicy,
    Rule,
)

if TYPE_CHECKING:
    from riskreview._packload import _Loader

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
    checked: set[str] = set()
    limit_reported = 0  # a chain over the nesting limit is reported once, not per link
    for name, when in unused.items():
        if name in checked:
            continue  # checked inside an earlier one that uses it

        def report(where: str, message: str, line: int = line_of(when)) -> None:
            loader.report("conditions.yaml", line, where, message)

        ctx = ParseContext(
            fields=loader.fields,
            params=params,
            named=named,
            report=report,
            expanding=(name,),
            size=[0, limit_reported],
        )
        parse(when, ctx, f"{name} when")
        checked |= ctx.used_named
        limit_reported = ctx.size[1]


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
            dates[key] = as_date(spec[key])
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
#: the longest due time, in each unit: ten years, so no due date leaves the calendar
_MAX_DUE = {"days": 3653, "weeks": 521, "working_days": 2609}


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
        too_long = [v for _, v in params[name].values if type(v) is int and v > _MAX_DUE[unit]]
        if too_long:
            loader.report(
                file,
                line,
                where,
                f"parameter {name!r} is {too_long[0]} {unit}; "
                f"a due time may be at most {_MAX_DUE[unit]} {unit} (ten years)",
            )
            return None
        amount = ParamRef(name)
    elif type(amount) is not int or not 0 <= amount <= _MAX_DUE[unit]:
        loader.report(
            file,
            line,
            where,
            f"expected a whole number from 0 to {_MAX_DUE[unit]} {unit} (ten years), "
            f"got {amount!r}",
        )
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
