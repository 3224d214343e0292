"""The HTML page of a policy impact report: one file, inline CSS and SVG, no scripts.

Machine-readable hooks, so tests and tools can read the page back: summary figures
are ``<dd data-key=...>``, chart bars ``<rect class="bar gained|lost" data-code
data-count>`` (widths proportional to the counts) and table rows ``<tr
data-code>`` with cells ``<td data-key=...>``.
"""

from __future__ import annotations

from html import escape

from riskreview._impact import ActionImpact, ImpactReport, PackInfo

#: Chart geometry, in SVG user units.
LABEL = 260  # action codes, right-aligned
GAP = 44  # room for the count beside the longest loss bar
HALF = 250  # the longest bar
WIDTH = LABEL + GAP + 2 * HALF + GAP
ROW = 28
BAR = 18
TOP = 34

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem;
       color: #1b1b1b; max-width: 72rem; }
h1 { margin-bottom: .2rem; } .packs { color: #505a5f; margin-top: 0; }
dl.summary { display: grid; grid-template-columns: repeat(6, auto); gap: .2rem 1.2rem; }
dl.summary dt { font-size: .8rem; color: #505a5f; grid-row: 1; }
dl.summary dd { margin: 0; font-size: 1.6rem; font-weight: 600; grid-row: 2; }
svg text { font-size: 12px; fill: #1b1b1b; } svg .axis { stroke: #505a5f; }
.gained { fill: #00703c; } .lost { fill: #d4351c; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid #b1b4b6; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.examples { font-family: ui-monospace, monospace; font-size: .8rem; color: #505a5f; }
tr.unchanged { color: #6f777b; }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _pack(info: PackInfo) -> str:
    return f"{_e(info.name)} {_e(info.version)} <code>{_e(info.digest[-12:])}</code>"


def _summary(report: ImpactReport) -> str:
    figures = [
        ("cases", "Cases evaluated", report.cases),
        ("changed_cases", "Cases changed", report.changed_cases),
        ("gained", "Actions gained", report.gained),
        ("lost", "Actions lost", report.lost),
        ("due_dates_changed", "Due dates moved", report.due_dates_changed),
        ("invalid", "Invalid cases", report.invalid),
    ]
    items = "".join(
        f'<dt>{_e(label)}</dt><dd data-key="{key}">{value}</dd>' for key, label, value in figures
    )
    return f'<dl class="summary">{items}</dl>'


def _width(count: int, scale: int) -> float:
    return round(count / scale * HALF, 2)


def chart(actions: tuple[ActionImpact, ...]) -> str:
    """An SVG diverging bar chart: losses left of the axis, gains right, one row per code."""
    rows = [a for a in actions if a.gained or a.lost]
    if not rows:
        return '<p class="no-change">No action is gained or lost by any case.</p>'
    scale = max(*(a.gained for a in rows), *(a.lost for a in rows), 1)
    axis = LABEL + GAP + HALF
    height = TOP + ROW * len(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Cases gaining and losing each action" data-scale="{scale}">',
        f'<text x="{axis - 8}" y="16" text-anchor="end">◀ cases losing the action</text>',
        f'<text x="{axis + 8}" y="16">cases gaining the action ▶</text>',
    ]
    for i, action in enumerate(rows):
        y = TOP + i * ROW
        code = _e(action.code)
        parts.append(
            f'<text x="{LABEL - 8}" y="{y + BAR - 4}" text-anchor="end">'
            f"<title>{_e(action.title)}</title>{code}</text>"
        )
        for kind, count in (("lost", action.lost), ("gained", action.gained)):
            if not count:
                continue
            width = _width(count, scale)
            x = axis - width if kind == "lost" else axis
            sign = "-" if kind == "lost" else "+"
            parts.append(
                f'<rect class="bar {kind}" data-code="{code}" data-count="{count}" '
                f'x="{x:g}" y="{y}" width="{width:g}" height="{BAR}">'
                f"<title>{code}: {sign}{count} cases</title></rect>"
            )
            label_x = x - 4 if kind == "lost" else x + width + 4
            anchor = "end" if kind == "lost" else "start"
            parts.append(
                f'<text class="count" x="{label_x:g}" y="{y + BAR - 4}" '
                f'text-anchor="{anchor}">{sign}{count}</text>'
            )
    parts.append(
        f'<line class="axis" x1="{axis}" y1="{TOP - 6}" x2="{axis}" y2="{height - 6}"/></svg>'
    )
    return "\n".join(parts)


def _table(actions: tuple[ActionImpact, ...]) -> str:
    head = (
        "<thead><tr><th>Action</th><th>Title</th><th class=num>Before</th>"
        "<th class=num>After</th><th class=num>Gained</th><th class=num>Lost</th>"
        "<th class=num>Due date moved</th><th>Examples</th></tr></thead>"
    )
    rows = []
    for a in actions:
        examples = "; ".join(
            f"{label} {', '.join(_e(i) for i in ids)}"
            for label, ids in (
                ("gained:", a.gained_examples),
                ("lost:", a.lost_examples),
                ("due moved:", a.due_changed_examples),
            )
            if ids
        )
        numbers = "".join(
            f'<td class="num" data-key="{key}">{value}</td>'
            for key, value in (
                ("before", a.before),
                ("after", a.after),
                ("gained", a.gained),
                ("lost", a.lost),
                ("due_changed", a.due_changed),
            )
        )
        rows.append(
            f'<tr data-code="{_e(a.code)}" class="{"changed" if a.changed else "unchanged"}">'
            f"<td><code>{_e(a.code)}</code></td><td>{_e(a.title)}</td>{numbers}"
            f'<td class="examples">{examples}</td></tr>'
        )
    return f'<table class="actions">{head}<tbody>{"".join(rows)}</tbody></table>'


def _invalid(report: ImpactReport) -> str:
    if not report.invalid:
        return ""
    items = "".join(
        f"<li>case {_e(i.index + 1)} ({_e(i.case_id or 'no case id')}): {_e(i.error)}</li>"
        for i in report.invalid_examples
    )
    return (
        f"<h2>Invalid cases</h2><p>{report.invalid} cases could not be evaluated "
        f"and are left out of every figure above.</p><ul>{items}</ul>"
    )


def page(report: ImpactReport) -> str:
    """The whole HTML document for ``report``."""
    title = f"Policy impact: {report.old.name} {report.old.version} → {report.new.version}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_STYLE}</style></head>\n<body>\n"
        "<h1>Policy impact</h1>\n"
        f'<p class="packs">From {_pack(report.old)} to {_pack(report.new)}, '
        f"as of {_e(report.as_of.isoformat())}.</p>\n"
        f"{_summary(report)}\n"
        f"<h2>Cases gaining and losing each action</h2>\n{chart(report.actions)}\n"
        f"<h2>Every action required under either pack</h2>\n{_table(report.actions)}\n"
        f"{_invalid(report)}\n</body></html>\n"
    )
