"""Policy impact: what a change of pack does to the actions a caseload requires.

:func:`impact` evaluates every case under the old and the new pack on the same
``as_of`` and counts, for each action code, how many cases gain it and how many
lose it, with up to five example case ids of each, and how many required actions
kept their code but moved their due date. :func:`render_html` turns the report
into one self-contained HTML page (no scripts, no external assets) with an inline
SVG bar chart of gains and losses and a table.

>>> from datetime import date
>>> from riskreview.pack import default_pack
>>> report = impact(default_pack(), default_pack(),
...                 [{"case_id": "C1", "household": {"children_in_contact": True}}],
...                 as_of=date(2026, 11, 23))
>>> report.cases, report.changed_cases, report.changed
(1, 0, False)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from riskreview._api import as_case, evaluate
from riskreview._args import check_cases, check_date
from riskreview._impact import ActionImpact, ImpactReport, InvalidCase, PackInfo
from riskreview._report import page
from riskreview.case import Case
from riskreview.decision import Decision
from riskreview.errors import ArgumentError, CaseError
from riskreview.pack import Pack, load_pack

# the report's public home is this module: its docs and reprs name riskreview.diff
for _public in (ActionImpact, ImpactReport, InvalidCase, PackInfo):
    _public.__module__ = __name__

__all__ = ["ActionImpact", "ImpactReport", "InvalidCase", "PackInfo", "impact", "render_html"]

#: How many example case ids a report keeps for each change.
EXAMPLES = 5


@attrs.define
class _Count:
    """A count with its first few examples."""

    count: int = 0
    examples: list[str] = attrs.field(factory=list)

    def add(self, case_id: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(case_id)


@attrs.define
class _Tally:
    before: int = 0
    after: int = 0
    gained: _Count = attrs.field(factory=_Count)
    lost: _Count = attrs.field(factory=_Count)
    due: _Count = attrs.field(factory=_Count)


def _as_pack(pack: Pack | str | Path) -> Pack:
    return pack if isinstance(pack, Pack) else load_pack(pack)


def impact(
    old_pack: Pack | str | Path,
    new_pack: Pack | str | Path,
    cases: Iterable[Case | dict[str, Any] | str | bytes],
    as_of: date,
) -> ImpactReport:
    """Evaluate ``cases`` under both packs on ``as_of`` and report what changes.

    Packs may be loaded packs or pack folders; cases, :class:`~riskreview.Case`
    objects, dicts or JSON text. A case that fails validation is counted as
    invalid, never stops the report. Engine errors propagate
    (:class:`~riskreview.errors.EngineError`), as does an ``as_of`` on which either
    pack is not in force.
    """
    for name, given in (("old_pack", old_pack), ("new_pack", new_pack)):
        if not isinstance(given, Pack | str | Path):
            raise ArgumentError(
                f"{name} must be a Pack or the path of a pack folder, got {type(given).__name__}"
            )
    check_cases("cases", cases)
    check_date("as_of", as_of)
    old, new = _as_pack(old_pack), _as_pack(new_pack)
    tallies: dict[str, _Tally] = {}
    total = changed = due_moved = invalid = 0
    invalid_examples: list[InvalidCase] = []
    for index, item in enumerate(cases):
        try:
            case = as_case(item)
        except CaseError as error:
            invalid += 1
            if len(invalid_examples) < EXAMPLES:
                first = str(error.problems[0]) if error.problems else str(error)
                invalid_examples.append(InvalidCase(index, error.subject or None, first))
            continue
        moved = _compare(
            evaluate(case, as_of=as_of, pack=old), evaluate(case, as_of=as_of, pack=new), tallies
        )
        total += 1
        due_moved += moved[1]
        changed += moved[0] or moved[1] > 0
    actions = tuple(_impact_of(code, tallies[code], old, new) for code in sorted(tallies))
    return ImpactReport(
        PackInfo.of(old),
        PackInfo.of(new),
        as_of,
        total,
        changed,
        due_moved,
        actions,
        invalid,
        tuple(invalid_examples),
    )


def _compare(before: Decision, after: Decision, tallies: dict[str, _Tally]) -> tuple[bool, int]:
    """Add one case to the tallies; (whether its action set changed, due dates moved)."""
    old = {a.code: a.due_date for a in before.actions}
    new = {a.code: a.due_date for a in after.actions}
    case_id = before.case_id
    moved = 0
    for code in old.keys() | new.keys():
        tally = tallies.setdefault(code, _Tally())
        tally.before += code in old
        tally.after += code in new
        if code not in old:
            tally.gained.add(case_id)
        elif code not in new:
            tally.lost.add(case_id)
        elif old[code] != new[code]:
            tally.due.add(case_id)
            moved += 1
    return old.keys() != new.keys(), moved


def _impact_of(code: str, tally: _Tally, old: Pack, new: Pack) -> ActionImpact:
    definition = new.actions.get(code) or old.actions.get(code)
    return ActionImpact(
        code=code,
        title=definition.title if definition is not None else code,
        before=tally.before,
        after=tally.after,
        gained=tally.gained.count,
        lost=tally.lost.count,
        due_changed=tally.due.count,
        gained_examples=tuple(tally.gained.examples),
        lost_examples=tuple(tally.lost.examples),
        due_changed_examples=tuple(tally.due.examples),
    )


def render_html(report: ImpactReport) -> str:
    """A self-contained HTML page of ``report``: summary, SVG chart of gains and
    losses per action code, and a table of every action code.

    Chart bars carry ``data-code`` and ``data-count``; table rows ``data-code``.
    """
    return page(report)
