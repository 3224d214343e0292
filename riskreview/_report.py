"""The HTML page of a policy impact report: one file, inline CSS and SVG, no scripts.

The page reads top to bottom as a policy owner asks: what changed in the pack
(parameters old → new from each date, rules, wording; :mod:`riskreview._reportchanges`),
then what that does to the caseload (figures, the chart of
:mod:`riskreview._reportchart`, due dates moved, every action with the unchanged
ones folded away), then example cases explained
under both packs (each example case id on the page links to its explanation),
then a footer naming both packs, the caseload, ``as_of`` and when it was made.
All text from a pack or a case is escaped.

Machine-readable hooks, so tests and tools can read the page back: summary figures
are ``<dd data-key=...>``, chart bars ``<rect class="bar gained|lost" data-code
data-count>``, action rows ``<tr data-code>`` with cells ``<td data-key=...>``,
parameter rows ``<tr data-parameter data-since>``, changed items ``<article
data-key data-status>``, moved due dates ``<tr data-due>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from riskreview._impact import (
    NEXT_REVIEW,
    ActionImpact,
    ActionUnder,
    CaseExample,
    DueShift,
    ImpactReport,
    PackInfo,
)
from riskreview._reportchanges import what_changed
from riskreview._reportchart import GAINED, LOST, chart
from riskreview._version import VERSION

#: The what-changed section's left rule: a colour no other part of the page uses,
#: so a screenshot shows where the section stands.
CHANGED = "#1d70b8"

_STYLE = f"""
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       padding: 0 2rem; color: #1b1b1b; max-width: 72rem; line-height: 1.4; }}
h1 {{ margin-bottom: .2rem; }} h2 {{ margin-top: 2rem; }} h3 {{ margin-bottom: .4rem; }}
.packs {{ color: #505a5f; margin-top: 0; }} .warn {{ color: #1b1b1b; font-weight: 600; }}
section.what-changed {{ border-left: 6px solid {CHANGED}; padding: .1rem 0 .6rem 1.2rem; }}
.lead {{ font-size: 1.1rem; }}
dl.summary {{ display: grid; grid-template-columns: repeat(7, auto); gap: .2rem 1.2rem; }}
dl.summary dt {{ font-size: .8rem; color: #505a5f; grid-row: 1; }}
dl.summary dd {{ margin: 0; font-size: 1.6rem; font-weight: 600; grid-row: 2; }}
svg text {{ font-size: 13px; fill: #1b1b1b; }} svg text.code {{ font-size: 11px; fill: #505a5f;
  font-family: ui-monospace, monospace; }}
svg .axis {{ stroke: #0b0c0c; stroke-width: 1.5; }} svg .grid {{ stroke: #dcdcdc; }}
svg text.tick, svg text.caption {{ fill: #505a5f; font-size: 12px; }}
.gained {{ fill: {GAINED}; }} .lost {{ fill: {LOST}; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9rem; margin-bottom: .8rem; }}
th, td {{ border-bottom: 1px solid #b1b4b6; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.examples {{ font-family: ui-monospace, monospace; font-size: .8rem; }}
tr.unchanged, .muted {{ color: #505a5f; }} .desc {{ color: #505a5f; font-size: .8rem; }}
td.old {{ color: #505a5f; }} td.date {{ white-space: nowrap; }}
article.item {{ border-bottom: 1px solid #b1b4b6; padding: .2rem 0 .5rem; }}
article.item h4 {{ margin: .4rem 0; }}
.status {{ font-size: .75rem; text-transform: uppercase; letter-spacing: .05em;
          padding: .05rem .35rem; border: 1px solid #505a5f; margin-right: .4rem; }}
dl.aspects {{ display: grid; grid-template-columns: 9rem 1fr; gap: .2rem .8rem; margin: 0; }}
dl.aspects dt {{ color: #505a5f; }} dl.aspects dd {{ margin: 0; }}
pre {{ white-space: pre-wrap; font-size: .8rem; margin: 0; padding: .3rem .5rem;
      background: #f3f2f1; }}
pre.diff span {{ display: block; }} pre.diff .add {{ background: #cce2d8; }}
pre.diff .del {{ background: #f4d7d1; }}
del {{ background: #f4d7d1; text-decoration: line-through; }}
ins {{ background: #cce2d8; text-decoration: none; }}
details summary {{ cursor: pointer; font-weight: 600; margin: .6rem 0; }}
.explanation p {{ margin: .3rem 0; font-family: ui-monospace, monospace; font-size: .8rem; }}
.explanation summary {{ font-weight: 400; font-size: .8rem; margin: .2rem 0; }}
section.example {{ border-top: 1px solid #b1b4b6; padding-top: .3rem; }}
section.example:target {{ background: #fff7bf; }}
.columns {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }}
footer {{ margin-top: 3rem; border-top: 2px solid #0b0c0c; padding-top: .6rem;
         font-size: .85rem; color: #505a5f; }}
footer dl {{ display: grid; grid-template-columns: 10rem 1fr; gap: .1rem 1rem; }}
footer dd {{ margin: 0; word-break: break-all; }}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _pack(info: PackInfo) -> str:
    folder = f", folder <code>{_e(info.folder)}</code>" if info.folder else ""
    return (
        f"<strong>{_e(info.name)} {_e(info.version)}</strong> "
        f"(digest <code>{_e(info.digest[-12:])}</code>{folder})"
    )


def _header(report: ImpactReport) -> str:
    same = (report.old.name, report.old.version) == (report.new.name, report.new.version)
    note = ""
    if same and report.old.digest != report.new.digest:
        note = (
            ' <span class="warn">Both packs carry the same name and version; their '
            "contents differ, as the digests and the next section show.</span>"
        )
    caseload = f"caseload <code>{_e(report.caseload)}</code>, " if report.caseload else ""
    return (
        "<h1>Policy impact of a pack change</h1>\n"
        f'<p class="packs">From the old pack {_pack(report.old)} to the new pack '
        f"{_pack(report.new)}; {caseload}{_plural(report.cases, 'case')} decided as of "
        f"{_e(report.as_of.isoformat())}.{note}</p>\n"
    )


# ------------------------------------------------------------------ the caseload


def _summary(report: ImpactReport) -> str:
    figures = [
        ("cases", "Cases evaluated", report.cases),
        ("changed_cases", "Cases changed", report.changed_cases),
        ("gained", "Actions gained", report.gained),
        ("lost", "Actions lost", report.lost),
        ("due_dates_changed", "Due dates moved", report.due_dates_changed),
        (
            "review_moved",
            "Next reviews moved",
            report.review_earlier.cases + report.review_later.cases,
        ),
        ("invalid", "Invalid cases", report.invalid),
    ]
    items = "".join(
        f'<dt>{_e(label)}</dt><dd data-key="{key}">{value}</dd>' for key, label, value in figures
    )
    return f'<dl class="summary">{items}</dl>'


def _effect_lead(report: ImpactReport) -> str:
    if not report.changed and not (report.review_earlier.cases or report.review_later.cases):
        return "No case's required actions, due dates or next review date change."
    parts = [
        f"{_plural(report.changed_cases, 'case')} of {report.cases} change their required "
        f"actions or due dates: {_plural(report.gained, 'action')} gained, "
        f"{report.lost} lost, {_plural(report.due_dates_changed, 'due date')} moved"
    ]
    for word, shift in (("earlier", report.review_earlier), ("later", report.review_later)):
        if shift.cases:
            parts.append(
                f"{_plural(shift.cases, 'case')} {'has' if shift.cases == 1 else 'have'} "
                f"the next review date {word}"
            )
    return "; ".join(parts) + "."


class _Links:
    """Example case ids as links to their explanation further down the page."""

    def __init__(self, examples: tuple[CaseExample, ...]) -> None:
        self.anchors = {
            (x.code, x.change, x.case_id): f"ex-{i + 1}" for i, x in enumerate(examples)
        }

    def ids(self, code: str, change: str, case_ids: Iterable[str]) -> str:
        out = []
        for case_id in case_ids:
            anchor = self.anchors.get((code, change, case_id))
            shown = _e(case_id)
            out.append(f'<a href="#{anchor}">{shown}</a>' if anchor else shown)
        return ", ".join(out)


def _days(shift: DueShift) -> str:
    if not shift.cases:
        return '<td class="num">0</td><td class="num">–</td><td class="num">–</td>'
    median = f"{shift.median_days:g}"
    return (
        f'<td class="num" data-key="cases">{shift.cases}</td>'
        f'<td class="num" data-key="median">{median}</td>'
        f'<td class="num" data-key="max">{shift.max_days}</td>'
    )


def _due(report: ImpactReport, links: _Links) -> str:
    rows = []
    for a in report.actions:
        if not a.due_changed:
            continue
        examples = "; ".join(
            f"{word}: {links.ids(a.code, word, shift.examples)}"
            for word, shift in (("earlier", a.earlier), ("later", a.later))
            if shift.examples
        )
        rows.append(
            f'<tr data-due="{_e(a.code)}"><td>{_e(a.title)}<div class="desc"><code>'
            f"{_e(a.code)}</code></div></td>{_days(a.earlier)}{_days(a.later)}"
            f'<td class="examples">{examples}</td></tr>'
        )
    review = (report.review_earlier, report.review_later)
    if any(s.cases for s in review):
        examples = "; ".join(
            f"{word}: {links.ids(NEXT_REVIEW, word, shift.examples)}"
            for word, shift in zip(("earlier", "later"), review, strict=True)
            if shift.examples
        )
        rows.append(
            '<tr data-due="next-review"><td>Next review date<div class="desc">'
            "(every decision's date for the next review)</div></td>"
            f'{_days(review[0])}{_days(review[1])}<td class="examples">{examples}</td></tr>'
        )
    if not rows:
        return "<h3>Due dates moved</h3>\n<p>No due date moves.</p>\n"
    head = (
        '<thead><tr><th rowspan="2">Action</th><th colspan="3" class="num">Earlier</th>'
        '<th colspan="3" class="num">Later</th><th rowspan="2">Example cases</th></tr>'
        '<tr><th class="num">cases</th><th class="num">median days</th>'
        '<th class="num">most days</th><th class="num">cases</th>'
        '<th class="num">median days</th><th class="num">most days</th></tr></thead>'
    )
    return (
        "<h3>Due dates moved</h3>\n<p>Cases requiring the action under both packs whose "
        "due date moves, and by how many calendar days.</p>\n"
        f'<table class="due">{head}<tbody>{"".join(rows)}</tbody></table>\n'
    )


def _action_rows(actions: Iterable[ActionImpact], links: _Links) -> str:
    rows = []
    for a in actions:
        examples = "; ".join(
            f"{word}: {links.ids(a.code, change, ids)}"
            for word, change, ids in (
                ("gained", "gained", a.gained_examples),
                ("lost", "lost", a.lost_examples),
                ("earlier", "earlier", a.earlier.examples),
                ("later", "later", a.later.examples),
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
            f'<td>{_e(a.title)}<div class="desc"><code>{_e(a.code)}</code></div></td>{numbers}'
            f'<td class="examples">{examples}</td></tr>'
        )
    head = (
        '<thead><tr><th>Action</th><th class="num">Before</th><th class="num">After</th>'
        '<th class="num">Gained</th><th class="num">Lost</th>'
        '<th class="num">Due date moved</th><th>Example cases</th></tr></thead>'
    )
    return f'<table class="actions">{head}<tbody>{"".join(rows)}</tbody></table>'


def _actions(report: ImpactReport, links: _Links) -> str:
    changed = [a for a in report.actions if a.changed]
    same = [a for a in report.actions if not a.changed]
    out = ["<h3>Every action required under either pack</h3>"]
    if changed:
        out.append(_action_rows(changed, links))
    if same:
        out.append(
            f'<details class="unchanged"><summary>{_plural(len(same), "action")} required '
            "for the same cases on the same dates under both packs</summary>"
            f"{_action_rows(same, links)}</details>"
        )
    return "\n".join(out) + "\n"


def _effect(report: ImpactReport, links: _Links) -> str:
    return (
        '<section id="effect">\n<h2>Effect on the caseload</h2>\n'
        f'{_summary(report)}\n<p class="lead">{_e(_effect_lead(report))}</p>\n'
        f"<h3>Cases gaining and losing each action</h3>\n{chart(report.actions)}\n"
        f"{_due(report, links)}{_actions(report, links)}</section>\n"
    )


# ------------------------------------------------------------------ examples, footer

_CHANGE_WORDS = {
    "gained": "gains",
    "lost": "loses",
    "earlier": "has an earlier due date for",
    "later": "has a later due date for",
}


def _explanation(text: str) -> str:
    """A rule's explanation: its summary, then condition by condition, folded."""
    summary, _, conditions = text.partition("\n")
    folded = (
        f"<details><summary>condition by condition</summary><pre>{_e(conditions)}</pre></details>"
        if conditions
        else ""
    )
    return f'<div class="explanation"><p>{_e(summary)}</p>{folded}</div>'


def _under(label: str, under: ActionUnder, review: bool) -> str:
    day = _e(under.due_date.isoformat() if under.due_date else "")
    if review:
        state = f"Next review on {day}."
    elif under.required:
        state = f"Required, due {day}."
    else:
        state = "Not required."
    reasons = "".join(f"<li>{_e(r)}</li>" for r in under.reasons)
    texts = "".join(_explanation(t) for t in under.explanations)
    return (
        f"<div><h4>{_e(label)}</h4><p>{state}</p>"
        f"{f'<ul>{reasons}</ul>' if reasons else ''}{texts}</div>"
    )


def _examples(report: ImpactReport) -> str:
    if not report.examples:
        return ""
    titles = {a.code: a.title for a in report.actions}
    out = [
        '<section id="examples">\n<h2>Example cases explained</h2>',
        "<p>Each example case id above links here: the action under the old pack and "
        "under the new, with the explanation of each rule that requires it (for a next "
        "review date, the date under each pack and why).</p>",
    ]
    for i, x in enumerate(report.examples):
        review = x.code == NEXT_REVIEW
        if review:
            what = f"has {'an' if x.change == 'earlier' else 'a'} {_e(x.change)} next review date"
        else:
            what = (
                f"{_CHANGE_WORDS.get(x.change, _e(x.change))} <code>{_e(x.code)}</code> "
                f"({_e(titles.get(x.code, x.code))})"
            )
        out.append(
            f'<section class="example" id="ex-{i + 1}"><h3>Case <code>{_e(x.case_id)}</code> '
            f"{what}</h3>"
            f'<div class="columns">{_under("Old pack", x.old, review)}'
            f"{_under('New pack', x.new, review)}</div></section>"
        )
    out.append("</section>")
    return "\n".join(out) + "\n"


def _invalid(report: ImpactReport) -> str:
    if not report.invalid:
        return ""
    items = "".join(
        f"<li>case {_e(i.index + 1)} ({_e(i.case_id or 'no case id')}): {_e(i.error)}</li>"
        for i in report.invalid_examples
    )
    return (
        f"<h2>Invalid cases</h2><p>{report.invalid} cases could not be evaluated "
        f"and are left out of every figure above.</p><ul>{items}</ul>\n"
    )


def _footer(report: ImpactReport) -> str:
    def pack(info: PackInfo) -> str:
        folder = f", folder {_e(info.folder)}" if info.folder else ""
        return f"{_e(info.name)} {_e(info.version)}{folder}, digest <code>{_e(info.digest)}</code>"

    generated = report.generated_at.isoformat() if report.generated_at else "not recorded"
    rows = [
        ("old", "Old pack", pack(report.old)),
        ("new", "New pack", pack(report.new)),
        ("caseload", "Caseload", _e(report.caseload or "not named")),
        ("as_of", "Decided as of", _e(report.as_of.isoformat())),
        ("generated_at", "Generated at", _e(generated)),
        ("library", "riskreview", _e(VERSION)),
    ]
    items = "".join(
        f'<dt>{label}</dt><dd data-footer="{key}">{value}</dd>' for key, label, value in rows
    )
    return f"<footer><dl>{items}</dl></footer>\n"


def page(report: ImpactReport) -> str:
    """The whole HTML document for ``report``."""
    title = (
        f"Policy impact: {report.old.name} {report.old.version} → "
        f"{report.new.name} {report.new.version}"
    )
    links = _Links(report.examples)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_STYLE}</style></head>\n<body>\n"
        f"{_header(report)}{what_changed(report.changes)}{_effect(report, links)}"
        f"{_examples(report)}{_invalid(report)}{_footer(report)}</body></html>\n"
    )
