"""Reading a pack's rules and what they lean on.

``rules/*.yaml`` with each rule's due spec, the named conditions of
``conditions.yaml``, ``information.yaml`` and the review policy in ``pack.yaml``.
Every problem goes to the loader with its file, line and key; called by
:func:`riskreview._packload.load`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from riskreview._conditions import ParamRef, ParseContext, parse
from riskreview._fields import Field
from riskreview._packmodel import (
    PRIORITIES,
    ActionDef,
    DueSpec,
    InformationDef,
    Parameter,
    Rule,
)
from riskreview._packreader import Loader
from riskreview._structure import suggest
from riskreview._yaml import as_date, describe, line_at, line_of, not_text, shown

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


def _named_conditions(loader: Loader) -> dict[str, Any]:
    data = loader.read_mapping(loader.root / "conditions.yaml", "conditions", required=False)
    out: dict[str, Any] = {}
    if not isinstance(data, Mapping):
        return out
    for name, spec in data.items():
        if not isinstance(spec, Mapping) or "when" not in spec:
            loader.report(
                "conditions.yaml",
                line_of(data, name),
                loader.key(name),
                f"expected {{description, when}}, got {describe(spec)}"
                + (" without when" if isinstance(spec, Mapping) else ""),
            )
            continue
        loader.unknown_keys("conditions.yaml", spec, ("description", "when"), name)
        out[name] = spec["when"]
        description = loader.text("conditions.yaml", spec, "description", name)
        loader.condition_docs[name] = (description or "").strip()
    return out


def _check_named(
    loader: Loader,
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

        def report(where: str, message: str, line: int = line_of(when), top: Any = when) -> None:
            # "name when.all[1].x.gte": the line of the offending key inside the condition
            inner = where.partition(" when")[2] if " when" in where else ""
            loader.report("conditions.yaml", line_at(top, inner) or line, where, message)

        ctx = ParseContext(
            fields=loader.fields,
            params=params,
            named=named,
            report=report,
            expanding=(name,),
            broken=frozenset(loader.broken),
            absent_capable=loader.absent_capable,
            size=[0, limit_reported],
        )
        parse(when, ctx, f"{name} when")
        checked |= ctx.used_named
        limit_reported = ctx.size[1]


def _information(loader: Loader) -> dict[str, InformationDef]:
    data = loader.read_mapping(loader.root / "information.yaml", "information", required=False)
    out: dict[str, InformationDef] = {}
    if not isinstance(data, Mapping):
        return out
    for path, spec in data.items():
        line = line_of(data, path)
        if path not in loader.fields and not _item_path_known(path, loader.fields):
            loader.report(
                "information.yaml",
                line,
                loader.key(path),
                f"not a case field{suggest(path, loader.fields)}",
            )
            continue
        if not isinstance(spec, Mapping):
            loader.report(
                "information.yaml", line, path, f"expected {{code, title}}, got {describe(spec)}"
            )
            continue
        loader.unknown_keys("information.yaml", spec, ("code", "title"), path)
        code = loader.text("information.yaml", spec, "code", path, required=True)
        title = loader.text("information.yaml", spec, "title", path, required=True)
        if code is not None and title is not None:
            out[path] = InformationDef(path, code, title.strip())
    return out


def _item_path_known(path: str, fields: Mapping[str, Field]) -> bool:
    """``household.children[].contact`` style paths name an item field of a list."""
    if "[]." not in path:
        return False
    head, tail = path.split("[].", 1)
    field = fields.get(head)
    return field is not None and field.items is not None and tail in field.items


def _rules(
    loader: Loader,
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
            loader.report(file, 0, "rules", f"expected a list of rules, got {describe(data)}")
            continue
        for i, spec in enumerate(data):
            if not isinstance(spec, Mapping):
                loader.report(
                    file, 0, f"rules[{i}]", f"each rule must be a mapping, got {describe(spec)}"
                )
                continue
            rule = _rule(loader, file, spec, actions, params, named, seen, used)
            if rule is not None:
                out.append(rule)
    return out


def _rule(
    loader: Loader,
    file: str,
    spec: Mapping[str, Any],
    actions: Mapping[str, ActionDef],
    params: Mapping[str, Parameter],
    named: Mapping[str, Any],
    seen: dict[str, str],
    used: set[str],
) -> Rule | None:
    line = line_of(spec)
    rid = spec.get("id")
    label = loader.key(rid) if isinstance(rid, str) and rid else "(rule without id)"
    ok = True
    loader.unknown_keys(file, spec, _RULE_KEYS, label)

    def problem(key: str, message: str) -> None:
        nonlocal ok
        loader.report(file, line_at(spec, key) or line, f"{label} {key}".strip(), message)
        ok = False

    for key in _RULE_REQUIRED:
        if key not in spec:
            problem(key, "is required")
    if isinstance(rid, str) and rid.strip():
        if rid in seen:
            problem("", f"duplicate rule id (also in {seen[rid]})")
        seen[rid] = file
    elif "id" in spec:
        problem("id", f"a rule's id must be text such as 'DA-01', got {describe(rid)}")
    texts = {}
    for key in ("title", "area", "source", "rationale", "reason"):
        value = spec.get(key)
        if isinstance(value, str):
            texts[key] = value.strip()
        elif value is not None or (key in _RULE_REQUIRED and key in spec):
            problem(key, "is required text" if value is None else not_text(value))
    action = spec.get("action")
    if "action" in spec and not isinstance(action, str):
        problem("action", f"expected an action code (text), got {describe(action)}")
    elif action is not None and action not in actions:
        problem("action", f"unknown action {shown(action)}{suggest(action, actions)}")
    priority = spec.get("priority")
    priorities: list[tuple[date, str]] = []
    if isinstance(priority, Mapping):  # a priority that changes on given dates
        for since, level in priority.items():
            day = as_date(since)
            if day is None:
                problem("priority", f"expected a date YYYY-MM-DD as a key, got {shown(since)}")
            elif not isinstance(level, str) or level not in PRIORITIES:
                hint = suggest(level, PRIORITIES) if isinstance(level, str) else ""
                hint = hint or f" (one of: {', '.join(PRIORITIES)})"
                problem(f"priority {since}", f"{shown(level)} is not a priority{hint}")
            else:
                priorities.append((day, level))
        if not priority:
            problem("priority", "expected {date: priority, ...} with at least one date")
        priorities.sort()
        priority = None
    elif priority is not None and (not isinstance(priority, str) or priority not in PRIORITIES):
        hint = suggest(priority, PRIORITIES) if isinstance(priority, str) else ""
        hint = hint or f" (one of: {', '.join(PRIORITIES)})"
        problem("priority", f"{shown(priority)} is not a priority{hint}")

    def report(where: str, message: str) -> None:
        if where.startswith("condition "):  # inside a named condition: point at its line
            name, _, inner = where.removeprefix("condition ").partition(".")
            body = named.get(name)
            at = line_at(body, inner) or line_of(body)
            loader.report("conditions.yaml", at, f"{label} {where}", message)
            return
        loader.report(file, line_at(spec, where) or line, f"{label} {where}", message)

    ctx = ParseContext(
        fields=loader.fields,
        params=params,
        named=named,
        report=report,
        broken=frozenset(loader.broken),
        absent_capable=loader.absent_capable,
    )
    when = parse(spec.get("when"), ctx, "when") if "when" in spec else None
    used.update(ctx.used_named)
    due = _due(loader, file, line_at(spec, "due") or line, label, spec.get("due"), params)
    dates = {}
    for key in ("effective_from", "effective_to"):
        if spec.get(key) is not None:
            dates[key] = as_date(spec[key])
            if dates[key] is None:
                problem(key, f"expected a date YYYY-MM-DD, got {shown(spec[key])}")
    findings = _rule_findings(loader, spec.get("findings", []), problem)
    if not ok or when is None or (spec.get("due") is not None and due is None):
        return None
    return Rule(
        id=str(rid),
        title=texts["title"],
        area=texts["area"],
        when=when,
        action=str(action),
        priority=priority,
        priorities=tuple(priorities),
        due=due,
        source=texts["source"],
        rationale=texts["rationale"],
        reason=texts.get("reason", texts["title"]),
        findings=findings,
        effective_from=dates.get("effective_from"),
        effective_to=dates.get("effective_to"),
        file=file,
        line=line,
        raw_when=spec.get("when"),
    )


def _rule_findings(
    loader: Loader, findings: Any, problem: Callable[[str, str], None]
) -> tuple[int, ...]:
    """A rule's ``findings``: numbers of findings that ``pack.yaml`` lists."""
    if not isinstance(findings, list) or not all(type(f) is int for f in findings):
        odd = (
            findings
            if not isinstance(findings, list)
            else next(f for f in findings if type(f) is not int)
        )
        problem("findings", f"expected a list of finding numbers, got {describe(odd)}")
        return ()
    if loader.findings is None:
        return tuple(findings)  # pack.yaml's list has a problem, reported there
    unknown = [f for f in findings if f not in loader.findings]
    if unknown:
        listed = ", ".join(str(n) for n in sorted(loader.findings)) or "none"
        problem(
            "findings",
            f"finding {unknown[0]} is not one of the findings pack.yaml lists ({listed})",
        )
        return ()
    return tuple(findings)


_DUE_UNITS = ("days", "weeks", "working_days")
_DUE_ANCHORS = ("from", "before", "not_before")
_DUE_SHAPE = (
    "exactly one of working_days, days or weeks, and either from: <date> (optionally "
    "with not_before: <date field>) or before: <date field>"
)
_NEGATIVE = "a due time cannot be negative"
#: the longest due time, in each unit: ten years, so no due date leaves the calendar
_MAX_DUE = {"days": 3653, "weeks": 521, "working_days": 2609}


def _due(
    loader: Loader, file: str, line: int, label: str, spec: Any, params: Mapping[str, Parameter]
) -> DueSpec | None:
    if spec is None:
        return None
    where = f"{label} due"
    if not isinstance(spec, Mapping):
        loader.report(file, line, where, f"expected {_DUE_SHAPE}, got {describe(spec)}")
        return None
    for key in spec:
        if key not in _DUE_UNITS and key not in _DUE_ANCHORS:
            hint = suggest(key, (*_DUE_UNITS, *_DUE_ANCHORS)) if isinstance(key, str) else ""
            loader.report(
                file, line, f"{where} {shown(key)}", f"unknown key{hint}: expected {_DUE_SHAPE}"
            )
            return None
    units = [u for u in _DUE_UNITS if u in spec]
    if len(units) != 1:
        loader.report(file, line, where, "expected exactly one of working_days, days or weeks")
        return None
    unit = units[0]
    amount = spec[unit]
    if isinstance(amount, Mapping) and set(amount) in ({"param"}, {"param", "by"}):
        name = amount["param"]
        problem = _due_param(name, unit, params, amount.get("by"), loader.fields)
        if problem:
            loader.report(file, line, where, problem)
            return None
        by = amount.get("by")
        amount = ParamRef(name, by, loader.fields[by]) if by is not None else ParamRef(name)
    elif type(amount) is not int or not 0 <= amount <= _MAX_DUE[unit]:
        loader.report(
            file,
            line,
            where,
            f"expected a whole number from 0 to {_MAX_DUE[unit]} {unit} (ten years), "
            f"or {{param: name}}, got {shown(amount)}"
            + (f": {_NEGATIVE}" if type(amount) is int and amount < 0 else ""),
        )
        return None
    refused = _anchor_problem(spec, loader.fields)
    if refused is not None:
        loader.report(file, line, f"{where} {refused[0]}", refused[1])
        return None
    before = "before" in spec
    anchor = spec["before"] if before else spec.get("from", "as_of")
    not_before = spec.get("not_before")
    return DueSpec(
        amount, unit, str(anchor), before, None if not_before is None else str(not_before)
    )


def _anchor_problem(spec: Mapping[str, Any], fields: Mapping[str, Field]) -> tuple[str, str] | None:
    """(key, why) when the anchors of a due spec do not fit together, or None."""
    if "from" in spec and "before" in spec:
        return "before", "a due date is counted from a date or back from one, not both"
    dates = _date_fields(fields)
    if "before" in spec:
        if "not_before" in spec:
            return "not_before", "not_before goes with from: a time before a date has no start"
        anchor = spec["before"]
        if not _anchor_ok(anchor, fields) or anchor == "as_of" or anchor.startswith("matched."):
            hint = suggest(anchor, dates) if isinstance(anchor, str) else ""
            return "before", f"{shown(anchor)} is not a date field of the case{hint}"
        return None
    anchor = spec.get("from", "as_of")
    if not _anchor_ok(anchor, fields):
        hint = suggest(anchor, dates) if isinstance(anchor, str) else ""
        return (
            "from",
            f"{shown(anchor)} is not as_of, a date field of the case or matched.<list>{hint}",
        )
    floor = spec.get("not_before")
    if "not_before" in spec and (
        not _anchor_ok(floor, fields) or floor == "as_of" or str(floor).startswith("matched.")
    ):
        hint = suggest(floor, dates) if isinstance(floor, str) else ""
        return "not_before", f"{shown(floor)} is not a date field of the case{hint}"
    return None


def _due_param(
    name: Any,
    unit: str,
    params: Mapping[str, Parameter],
    by: Any = None,
    fields: Mapping[str, Field] | None = None,
) -> str | None:
    """Why parameter ``name`` (read by the level in field ``by``, for a table) cannot be
    a due time in ``unit``, or None."""
    if not isinstance(name, str) or name not in params:
        hint = suggest(name, params) if isinstance(name, str) else ""
        return f"unknown parameter {shown(name)}{hint}"
    table = params[name].key_enum
    if table is not None and by is None:
        return (
            f"parameter {name!r} has a time per {table.__name__}: say which field "
            "picks it with 'by: <field>'"
        )
    if table is None and by is not None:
        return f"parameter {name!r} is not a table, so 'by' does not apply"
    if table is not None:
        field = (fields or {}).get(by) if isinstance(by, str) else None
        if field is None or field.enum is not table:
            hint = suggest(by, fields or {}) if isinstance(by, str) else ""
            return f"'by: {shown(by)}' must name a field holding a {table.__name__}{hint}"
    negative = params[name].first_negative()
    if negative:
        return f"parameter {name!r} is {negative[1]} {unit} from {negative[0]}: {_NEGATIVE}"
    for _, stated in params[name].values:
        value = max(stated.values()) if isinstance(stated, Mapping) else stated
        if value > _MAX_DUE[unit]:
            return (
                f"parameter {name!r} is {value} {unit}; "
                f"a due time may be at most {_MAX_DUE[unit]} {unit} (ten years)"
            )
    return None


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
