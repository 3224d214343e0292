"""The impact page's first section: what changed in the pack, read from the packs.

Parameters as a table (one row per date from which the value in force differs,
old beside new, the entries of a table value that differ in bold); rules,
actions, named conditions, derived values and information items as one entry
each with the aspects that differ: old → new, a multi-line aspect (a condition) as
a line diff, an item added or removed whole as plain text under its status.

Hooks for tools: ``<section id="what-changed">``, parameter rows ``<tr
data-parameter data-since>``, items ``<article data-key data-status>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from riskreview._impact import Change, ItemChange, PackChanges, ParameterChange

__all__ = ["what_changed"]


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _plural(count: int, one: str) -> str:
    return f"{count} {one if count == 1 else one + 's'}"


def _value(value: Any, unit: str, other: Any = None) -> str:
    """A parameter value; in a table, the entries that differ from ``other`` in bold."""
    units = unit.replace("_", " ")
    if value is None:
        return '<span class="muted">(none)</span>'
    if isinstance(value, Mapping):
        cells = []
        for key, item in value.items():
            shown = f"{_e(str(key).replace('_', ' '))} {_e(item)}"
            differs = isinstance(other, Mapping) and other.get(key) != item
            cells.append(f"<strong>{shown}</strong>" if differs else shown)
        return ", ".join(cells) + f" {_e(units)}"
    return f"{_e(value)} {_e(units)}"


def _parameters(changes: tuple[ParameterChange, ...]) -> str:
    rows = []
    for p in changes:
        for i, v in enumerate(p.values):
            name = (
                f'<td rowspan="{len(p.values)}"><code>{_e(p.name)}</code>'
                f' <span class="status">{_e(p.status)}</span>'
                f'<div class="desc">{_e(p.description)}</div>{_aspects(p.changes)}</td>'
                if i == 0
                else ""
            )
            rows.append(
                f'<tr data-parameter="{_e(p.name)}" data-since="{v.since.isoformat()}">{name}'
                f'<td class="date">{v.since.isoformat()}</td>'
                f'<td class="old">{_value(v.old, p.unit, v.new)}</td>'
                f'<td class="new">{_value(v.new, p.unit, v.old)}</td></tr>'
            )
        if not p.values:
            rows.append(
                f'<tr data-parameter="{_e(p.name)}"><td><code>{_e(p.name)}</code>'
                f'<div class="desc">{_e(p.description)}</div></td>'
                f'<td colspan="3">{_aspects(p.changes)}</td></tr>'
            )
    return (
        '<h3>Parameters</h3>\n<table class="parameters"><thead><tr><th>Parameter</th>'
        "<th>In force from</th><th>Old value</th><th>New value</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>\n"
    )


def _diff(change: Change) -> str:
    lines = []
    for line in change.lines:
        kind = {"+": "add", "-": "del"}.get(line[0], "same")
        lines.append(f'<span class="{kind}">{_e(line)}</span>')
    return f'<pre class="diff">{"".join(lines)}</pre>'


def _aspect(change: Change, whole: bool) -> str:
    """One aspect; of an item ``whole``ly added or removed, as plain text."""
    multiline = "\n" in (change.old or "") or "\n" in (change.new or "")
    if whole:
        text = _e(change.new if change.old is None else change.old)
        return f"<pre>{text}</pre>" if multiline else text
    if multiline or change.aspect in ("condition", "definition"):
        return _diff(change)
    if change.old is None:
        return f"<ins>{_e(change.new)}</ins>"
    if change.new is None:
        return f"<del>{_e(change.old)}</del>"
    return f"<del>{_e(change.old)}</del> → <ins>{_e(change.new)}</ins>"


def _aspects(changes: Iterable[Change], whole: bool = False) -> str:
    items = "".join(f"<dt>{_e(c.aspect)}</dt><dd>{_aspect(c, whole)}</dd>" for c in changes)
    return f'<dl class="aspects">{items}</dl>' if items else ""


def _items(heading: str, items: tuple[ItemChange, ...]) -> str:
    if not items:
        return ""
    out = [f"<h3>{_e(heading)}</h3>"]
    for item in items:
        out.append(
            f'<article class="item" data-key="{_e(item.key)}" data-status="{_e(item.status)}">'
            f'<h4><span class="status">{_e(item.status)}</span><code>{_e(item.key)}</code> '
            f"{_e(item.title)}</h4>{_aspects(item.changes, item.status != 'changed')}</article>"
        )
    return "\n".join(out) + "\n"


_GROUPS = (
    ("rules", "rule", "Rules"),
    ("actions", "action", "Actions and their wording"),
    ("conditions", "named condition", "Named conditions"),
    ("derived", "derived value", "Derived values"),
    ("information", "information item", "Information the decision asks for"),
)


def _lead(changes: PackChanges) -> str:
    if changes.empty:
        return (
            "The two packs have the same parameters, rules, actions, wording and "
            "settings: nothing a decision reads differs."
        )
    parts = []
    if changes.pack:
        parts.append("pack settings: " + ", ".join(c.aspect for c in changes.pack))
    if changes.parameters:
        parts.append(_plural(len(changes.parameters), "parameter") + " changed")
    for group, one, _ in _GROUPS:
        items: tuple[ItemChange, ...] = getattr(changes, group)
        for status in ("added", "removed", "changed"):
            count = sum(i.status == status for i in items)
            if count:
                parts.append(f"{_plural(count, one)} {status}")
    unchanged = [
        many.lower()
        for group, _, many in (("parameters", "", "parameters"), *_GROUPS)
        if not getattr(changes, group)
    ]
    tail = f" No change to: {', '.join(unchanged)}." if unchanged else ""
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." + tail


def what_changed(changes: PackChanges) -> str:
    """The section: a sentence saying what differs, then each group that does."""
    out = [
        '<section id="what-changed" class="what-changed">',
        "<h2>What changed in the pack</h2>",
        f'<p class="lead">{_e(_lead(changes))}</p>',
    ]
    if changes.pack:
        out.append(f"<h3>Pack settings</h3>{_aspects(changes.pack)}")
    if changes.parameters:
        out.append(_parameters(changes.parameters))
    out.extend(_items(heading, getattr(changes, group)) for group, _, heading in _GROUPS)
    out.append("</section>")
    return "\n".join(out) + "\n"
