"""The impact page's chart: cases gaining and losing each action, as inline SVG.

One row per action that some case gains or loses, labelled with the action's
title (wrapped) and code; gains to the right of the axis, losses to the left, on
a scale with tick marks and labels. When no case loses an action (or none gains
one) the chart has only the side it needs, so no half of it stands empty.

Hooks for tools: the ``<svg>`` carries ``data-unit`` (user units per case),
each bar ``<rect class="bar gained|lost" data-code data-count>``.
"""

from __future__ import annotations

import math
import textwrap
from html import escape

from riskreview._impact import ActionImpact

#: Geometry, in SVG user units (CSS pixels at the page's scale).
LABEL = 330  # titles and codes, right-aligned at LABEL - 12
SPAN = 520  # the bars' room: both sides together, or one side alone
ROOM = 56  # beyond the longest bar, for its count
TOP = 30  # side headings
BOTTOM = 34  # tick labels and axis caption
BAR = 18
WRAP = 44  # characters of a title on one line
LINE = 15

GAINED = "#00703c"
LOST = "#d4351c"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def ticks(top: int) -> tuple[int, int]:
    """A tick step of 1, 2 or 5 times a power of ten giving at most six steps, and
    the axis maximum: the first multiple of the step at or above ``top``."""
    top = max(top, 1)
    power = 10 ** max(math.floor(math.log10(top)) - 1, 0)
    step = next(
        s * p for p in (power, power * 10, power * 100) for s in (1, 2, 5) if top / (s * p) <= 6
    )
    return step, math.ceil(top / step) * step


def _rows(actions: tuple[ActionImpact, ...]) -> list[ActionImpact]:
    moved = [a for a in actions if a.gained or a.lost]
    return sorted(moved, key=lambda a: (-(a.gained + a.lost), a.code))


def _label(action: ActionImpact, y: float, height: float) -> list[str]:
    lines = textwrap.wrap(action.title, WRAP) or [action.code]
    first = y + (height - LINE * len(lines) - 12) / 2 + 11
    out = [
        f'<text class="title" x="{LABEL - 12}" y="{first + i * LINE:g}" '
        f'text-anchor="end">{_e(line)}</text>'
        for i, line in enumerate(lines)
    ]
    out.append(
        f'<text class="code" x="{LABEL - 12}" y="{first + len(lines) * LINE - 1:g}" '
        f'text-anchor="end">{_e(action.code)}</text>'
    )
    return out


def _bar(kind: str, action: ActionImpact, count: int, axis: float, unit: float, y: float) -> str:
    width = round(count * unit, 2)
    x = axis - width if kind == "lost" else axis
    sign = "−" if kind == "lost" else "+"
    label_x = x - 6 if kind == "lost" else x + width + 6
    anchor = "end" if kind == "lost" else "start"
    verb = "lose" if kind == "lost" else "gain"
    return (
        f'<rect class="bar {kind}" data-code="{_e(action.code)}" data-count="{count}" '
        f'x="{x:g}" y="{y:g}" width="{width:g}" height="{BAR}">'
        f"<title>{count} cases {verb} {_e(action.code)}: {_e(action.title)}</title></rect>"
        f'<text class="count" x="{label_x:g}" y="{y + BAR - 4:g}" '
        f'text-anchor="{anchor}">{sign}{count}</text>'
    )


def chart(actions: tuple[ActionImpact, ...]) -> str:
    """The SVG chart of gains and losses, or a sentence when there are none."""
    rows = _rows(actions)
    if not rows:
        return '<p class="no-change">No case gains or loses any action.</p>'
    losing, gaining = any(a.lost for a in rows), any(a.gained for a in rows)
    sides = int(losing) + int(gaining)
    side = SPAN / sides
    step, top = ticks(max(max(a.gained, a.lost) for a in rows))
    unit = side / top
    left = LABEL + (ROOM if losing else 0)
    axis = left + side if losing else left
    width = left + SPAN + ROOM
    heights = [max(LINE * len(textwrap.wrap(a.title, WRAP) or [""]) + 12, BAR) + 14 for a in rows]
    bottom = TOP + sum(heights)
    height = bottom + BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width:g}" '
        f'height="{height:g}" viewBox="0 0 {width:g} {height:g}" role="img" '
        f'aria-label="Cases gaining and losing each action" data-unit="{unit:g}" '
        f'data-scale="{top}">'
    ]
    if losing:
        parts.append(
            f'<text class="side" x="{axis - 8:g}" y="18" text-anchor="end">'
            "◀ cases losing the action</text>"
        )
    if gaining:
        parts.append(
            f'<text class="side" x="{axis + 8:g}" y="18">cases gaining the action ▶</text>'
        )
    for value in range(0, top + 1, step):
        for direction in (-1, 1) if losing and gaining and value else (-1 if losing else 1,):
            x = axis + direction * value * unit
            parts.append(
                f'<line class="grid" x1="{x:g}" y1="{TOP - 4}" x2="{x:g}" y2="{bottom:g}"/>'
                f'<text class="tick" x="{x:g}" y="{bottom + 16:g}" '
                f'text-anchor="middle">{value}</text>'
            )
    y = float(TOP)
    for action, row_height in zip(rows, heights, strict=True):
        parts.extend(_label(action, y, row_height))
        bar_y = y + (row_height - BAR) / 2
        for kind, count in (("lost", action.lost), ("gained", action.gained)):
            if count:
                parts.append(_bar(kind, action, count, axis, unit, bar_y))
        y += row_height
    parts.append(
        f'<line class="axis" x1="{axis:g}" y1="{TOP - 4}" x2="{axis:g}" y2="{bottom:g}"/>'
        f'<text class="caption" x="{left + SPAN / 2:g}" y="{bottom + 31:g}" '
        'text-anchor="middle">number of cases</text></svg>'
    )
    return "\n".join(parts)
