"""What differs between two packs, from the packs alone: the impact report's first part.

Every aspect is compared as the words a policy owner reads: a rule's condition as
the pack README writes it (one test a line, so a line diff shows what moved), due
dates, priorities and wording as text, parameters value by value for every date
either pack gives one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from riskreview._conditions import ParamRef
from riskreview._derivedefs import DerivedDef
from riskreview._explain import condition_text
from riskreview._impact import Change, ItemChange, PackChanges, ParameterChange, ValueChange
from riskreview._packdoc import condition_markdown
from riskreview._yaml import read
from riskreview.pack import ActionDef, InformationDef, Pack, Parameter, Rule

__all__ = ["compare"]

_T = TypeVar("_T")
_Aspects = dict[str, str]


def compare(old: Pack, new: Pack) -> PackChanges:
    """Every parameter, rule, action, named condition, derived value and information
    item that differs between ``old`` and ``new``, and the pack's own settings."""
    return PackChanges(
        pack=_aspect_changes(_pack_aspects(old), _pack_aspects(new)),
        parameters=_parameters(old.parameters, new.parameters),
        rules=_items(
            {r.id: r for r in old.rules},
            {r.id: r for r in new.rules},
            lambda r: r.title,
            _rule_aspects,
            old,
            new,
        ),
        actions=_items(
            dict(old.actions), dict(new.actions), lambda a: a.title, _action_aspects, old, new
        ),
        conditions=_items(
            _named(old),
            _named(new),
            lambda c: c[0],
            lambda c, _: {"description": c[0], "condition": c[1]},
            old,
            new,
        ),
        derived=_items(
            {d.name: d for d in old.derived},
            {d.name: d for d in new.derived},
            lambda d: " ".join(d.description.split()),
            lambda d, _: _derived_aspects(d),
            old,
            new,
        ),
        information=_items(
            dict(old.information),
            dict(new.information),
            lambda i: i.title,
            _information_aspects,
            old,
            new,
        ),
    )


def _aspect_changes(old: _Aspects | None, new: _Aspects | None) -> tuple[Change, ...]:
    before, after = old or {}, new or {}
    names = [*after, *(k for k in before if k not in after)]
    return tuple(
        Change(name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    )


def _items(
    old: Mapping[str, _T],
    new: Mapping[str, _T],
    title: Callable[[_T], str],
    aspects: Callable[[_T, Pack], _Aspects],
    old_pack: Pack,
    new_pack: Pack,
) -> tuple[ItemChange, ...]:
    out = []
    for key in [*new, *(k for k in old if k not in new)]:
        before = aspects(old[key], old_pack) if key in old else None
        after = aspects(new[key], new_pack) if key in new else None
        changes = _aspect_changes(before, after)
        if not changes:
            continue
        status = "changed" if before and after else "added" if after else "removed"
        out.append(ItemChange(key, title(new[key] if key in new else old[key]), status, changes))
    return tuple(out)


def _words(text: str) -> str:
    return " ".join(text.split())


def _pack_aspects(pack: Pack) -> _Aspects:
    aspects = {
        "name": pack.name,
        "version": pack.version,
        "title": _words(pack.title),
        "in force from": pack.effective_from.isoformat(),
        "calendar": f"{pack.calendar_country} {pack.calendar_subdiv or ''}".strip(),
    }
    review = pack.review
    if review is not None:
        by = f" by {review.interval.by}" if review.interval.by else ""
        aspects["next review"] = (
            f"{review.action} every `{review.interval.name}` weeks{by}, counted from the "
            f"first recorded of {', '.join(review.anchors)}; an unknown level takes the "
            f"{review.unknown_level} interval"
        )
    return aspects


# ------------------------------------------------------------------ parameters


def _plain(value: Any) -> Any:
    """A parameter value as JSON-ready data (a table's keys as plain text)."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return value


def _dated(old: Parameter | None, new: Parameter | None) -> tuple[ValueChange, ...]:
    dates: set[date] = set()
    for parameter in (old, new):
        if parameter is not None:
            dates.update(d for d, _ in parameter.values)
    out: list[ValueChange] = []
    for day in sorted(dates):
        before = _plain(old.value_on(day)) if old is not None else None
        after = _plain(new.value_on(day)) if new is not None else None
        if before != after and (not out or (out[-1].old, out[-1].new) != (before, after)):
            out.append(ValueChange(day, before, after))
    return tuple(out)


def _parameters(
    old: Mapping[str, Parameter], new: Mapping[str, Parameter]
) -> tuple[ParameterChange, ...]:
    out = []
    for name in [*new, *sorted(k for k in old if k not in new)]:
        before, after = old.get(name), new.get(name)
        values = _dated(before, after)
        texts = [
            {"description": _words(p.description), "unit": p.unit, "source": _words(p.source)}
            if p is not None
            else None
            for p in (before, after)
        ]
        changes = _aspect_changes(texts[0], texts[1]) if before and after else ()
        if not values and not changes:
            continue
        shown = after or before
        assert shown is not None  # name comes from one of the two
        status = "changed" if before and after else "added" if after else "removed"
        out.append(
            ParameterChange(name, _words(shown.description), shown.unit, status, values, changes)
        )
    return tuple(out)


# ------------------------------------------------------------------ rules and wording


def _due(rule: Rule) -> str:
    due = rule.due
    if due is None:
        return "on the decision date"
    unit = due.unit.replace("_", " ")
    amount = (
        f"parameter `{due.amount.name}` {unit}"
        if isinstance(due.amount, ParamRef)
        else f"{due.amount} {unit}"
    )
    anchor = "the decision date" if due.anchor == "as_of" else f"`{due.anchor}`"
    return f"{amount} after {anchor}"


def _rule_aspects(rule: Rule, pack: Pack) -> _Aspects:
    action = pack.actions.get(rule.action)
    start = rule.effective_from.isoformat() if rule.effective_from else "the start"
    end = rule.effective_to.isoformat() if rule.effective_to else "now"
    return {
        "title": _words(rule.title),
        "condition": "\n".join(condition_markdown(rule.raw_when)),
        "action": rule.action,
        "priority": rule.priority_shown(action.priority if action else ""),
        "due": _due(rule),
        "in force": f"{start} to {end}",
        "area": rule.area,
        "findings": ", ".join(str(f) for f in rule.findings) or "none",
        "source": _words(rule.source),
        "rationale": _words(rule.rationale),
        "reason given": _words(rule.reason),
    }


def _action_aspects(action: ActionDef, _: Pack) -> _Aspects:
    return {
        "title": _words(action.title),
        "area": action.area,
        "priority": action.priority,
        "kind": action.category,
        "wording": _words(action.wording),
    }


def _information_aspects(info: InformationDef, _: Pack) -> _Aspects:
    return {"code": info.code, "title": _words(info.title)}


def _named(pack: Pack) -> dict[str, tuple[str, str]]:
    """Named condition → (description, condition as README lines), read as written."""
    path = Path(pack.path) / "conditions.yaml"
    if not path.is_file():
        return {}
    data, _ = read(path)
    named = data.get("conditions") if isinstance(data, Mapping) else None
    if not isinstance(named, Mapping):
        return {}
    return {
        str(name): (
            _words(str(spec.get("description", ""))),
            "\n".join(condition_markdown(spec.get("when"))),
        )
        for name, spec in named.items()
        if isinstance(spec, Mapping)
    }


def _terms(definition: DerivedDef) -> Iterable[str]:
    for term in definition.terms:
        points = term.points.name if isinstance(term.points, ParamRef) else term.points
        what = term.text or (
            condition_text(term.when) if term.when is not None else term.value and term.value.path
        )
        yield f"term: {what} → {points}"


def _derived_aspects(definition: DerivedDef) -> _Aspects:
    lines = [
        f"operation: {definition.op}",
        f"type: {definition.kind}",
        *(f"reads: {f.path}" for f in definition.fields),
    ]
    if definition.where is not None:
        lines.append(f"where: {condition_text(definition.where)}")
    if definition.equals is not None:
        lines.append(f"equals: {definition.equals}")
    lines.extend(_terms(definition))
    for label, edge in definition.edges:
        shown = edge.name if isinstance(edge, ParamRef) else edge
        lines.append(f"band: {label} from {shown}")
    for row, cells in definition.table.items():
        lines.append(f"grid: {row}: " + ", ".join(f"{k} {v}" for k, v in cells.items()))
    if definition.default is not None:
        lines.append(f"default: {definition.default}")
    return {
        "description": _words(definition.description),
        "definition": "\n".join(lines),
        "reported": "yes" if definition.reported else "no",
    }
