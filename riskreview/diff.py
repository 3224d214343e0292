"""Policy impact: what a change of pack is, and what it does to a caseload.

:func:`impact` first reads what differs between the two packs themselves
(parameters date by date, rules added, removed and changed with a line diff of
their conditions, actions and their wording, named conditions, derived values,
information items: :class:`PackChanges`). It then evaluates every case under the
old and the new pack on the same ``as_of`` and counts, for each action code, how
many cases gain it and how many lose it, and how many keep it with a due date
moved earlier or later (and by how many days), with up to five example case ids
of each, each example explained under both packs. :func:`render_html` turns the
report into one self-contained HTML page (no scripts, no external assets).

>>> from datetime import date
>>> from riskreview.pack import default_pack
>>> report = impact(default_pack(), default_pack(),
...                 [{"case_id": "C1", "household": {"children_in_contact": True}}],
...                 as_of=date(2026, 11, 23))
>>> report.cases, report.changed_cases, report.changed, report.changes.empty
(1, 0, False, True)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs

from riskreview._api import as_case, evaluate, explain
from riskreview._args import check_cases, check_date
from riskreview._impact import (
    NEXT_REVIEW,
    ActionImpact,
    ActionUnder,
    CaseExample,
    Change,
    DueShift,
    ImpactReport,
    InvalidCase,
    ItemChange,
    PackChanges,
    PackInfo,
    ParameterChange,
    ValueChange,
)
from riskreview._packdiff import compare
from riskreview._report import page
from riskreview.case import Case
from riskreview.decision import Decision, NextReview, RequiredAction
from riskreview.errors import ArgumentError, CaseError
from riskreview.pack import Pack, load_pack

_PUBLIC = (
    ActionImpact,
    ActionUnder,
    CaseExample,
    Change,
    DueShift,
    ImpactReport,
    InvalidCase,
    ItemChange,
    PackChanges,
    PackInfo,
    ParameterChange,
    ValueChange,
)
# the report's public home is this module: its docs and reprs name riskreview.diff
for _public in _PUBLIC:
    _public.__module__ = __name__

__all__ = [
    "ActionImpact",
    "ActionUnder",
    "CaseExample",
    "Change",
    "DueShift",
    "ImpactReport",
    "InvalidCase",
    "ItemChange",
    "PackChanges",
    "PackInfo",
    "ParameterChange",
    "ValueChange",
    "impact",
    "render_html",
]

#: How many example case ids a report keeps for each change.
EXAMPLES = 5


@attrs.define
class _Count:
    """A count with its first few examples."""

    count: int = 0
    examples: list[str] = attrs.field(factory=list)

    def add(self, case_id: str) -> bool:
        """Count ``case_id``; True when it is kept as an example."""
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(case_id)
            return True
        return False


@attrs.define
class _Shift:
    """Moves of a date one way: examples and how many cases moved by each number of days."""

    moved: _Count = attrs.field(factory=_Count)
    days: Counter[int] = attrs.field(factory=Counter)

    def add(self, case_id: str, days: int) -> bool:
        self.days[days] += 1
        return self.moved.add(case_id)

    def result(self) -> DueShift:
        if not self.moved.count:
            return DueShift()
        return DueShift(
            self.moved.count,
            _median(self.days),
            max(self.days),
            tuple(self.moved.examples),
        )


def _median(counts: Counter[int]) -> float:
    """The median of the numbers counted (each as often as its count)."""
    total = sum(counts.values())
    seen = 0
    low: int | None = None
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen > (total - 1) // 2:
            low = value
        if seen > total // 2:
            return (low + value) / 2 if low is not None else float(value)
    raise ValueError("no numbers counted")


@attrs.define
class _Tally:
    before: int = 0
    after: int = 0
    gained: _Count = attrs.field(factory=_Count)
    lost: _Count = attrs.field(factory=_Count)
    due: _Count = attrs.field(factory=_Count)
    earlier: _Shift = attrs.field(factory=_Shift)
    later: _Shift = attrs.field(factory=_Shift)


@attrs.define
class _Run:
    """Everything counted so far over the caseload."""

    old: Pack
    new: Pack
    as_of: date
    tallies: dict[str, _Tally] = attrs.field(factory=dict)
    review_earlier: _Shift = attrs.field(factory=_Shift)
    review_later: _Shift = attrs.field(factory=_Shift)
    examples: list[CaseExample] = attrs.field(factory=list)
    cases: int = 0
    changed: int = 0
    due_moved: int = 0

    def add(self, case: Case) -> None:
        before = evaluate(case, as_of=self.as_of, pack=self.old)
        after = evaluate(case, as_of=self.as_of, pack=self.new)
        self.cases += 1
        old = {a.code: a for a in before.actions}
        new = {a.code: a for a in after.actions}
        moved = 0
        for code in sorted(old.keys() | new.keys()):
            change, kept = self._tally(case.case_id, code, old.get(code), new.get(code))
            moved += change in ("earlier", "later")
            if kept:
                self.examples.append(self._example(case, code, change, before, after))
        self.due_moved += moved
        self.changed += old.keys() != new.keys() or moved > 0
        self._review(case.case_id, before.next_review, after.next_review)

    def _review(self, case_id: str, old: NextReview | None, new: NextReview | None) -> None:
        if old is None or new is None or old.date == new.date:
            return
        days = (new.date - old.date).days
        change, shift = (
            ("earlier", self.review_earlier) if days < 0 else ("later", self.review_later)
        )
        if shift.add(case_id, abs(days)):
            self.examples.append(
                CaseExample(
                    case_id,
                    NEXT_REVIEW,
                    change,
                    ActionUnder(True, old.date, old.reasons, ()),
                    ActionUnder(True, new.date, new.reasons, ()),
                )
            )

    def _tally(
        self, case_id: str, code: str, old: RequiredAction | None, new: RequiredAction | None
    ) -> tuple[str, bool]:
        """Count one action of one case: its change ("" for none), and whether the
        case is kept as an example of it."""
        tally = self.tallies.setdefault(code, _Tally())
        tally.before += old is not None
        tally.after += new is not None
        if old is None or new is None:
            change, count = ("gained", tally.gained) if old is None else ("lost", tally.lost)
            return change, count.add(case_id)
        days = (new.due_date - old.due_date).days
        if days == 0:
            return "", False
        tally.due.add(case_id)
        change, shift = ("earlier", tally.earlier) if days < 0 else ("later", tally.later)
        return change, shift.add(case_id, abs(days))

    def _example(
        self, case: Case, code: str, change: str, before: Decision, after: Decision
    ) -> CaseExample:
        old, new = before.action(code), after.action(code)
        rule_ids = dict.fromkeys((*(old.rule_ids if old else ()), *(new.rule_ids if new else ())))
        return CaseExample(
            case.case_id,
            code,
            change,
            self._under(case, old, self.old, rule_ids, before),
            self._under(case, new, self.new, rule_ids, after),
        )

    def _why(self, case: Case, rule_id: str, pack: Pack, decision: Decision) -> str:
        """How ``rule_id`` stands for ``case`` under ``pack``: a rule's explanation, or
        for the review schedule's own id, the next review the pack gives the case."""
        if rule_id in pack.rule_ids:
            return str(explain(case, rule_id, self.as_of, pack))
        if pack.review is not None and rule_id == pack.review.id:
            review = decision.next_review
            if review is None:
                return f"{rule_id} (the review schedule) sets no next review for this case."
            when = "has come" if review.date <= self.as_of else "has not come"
            return (
                f"{rule_id} (the review schedule): the next review, {review.date.isoformat()}, "
                f"{when}: {'; '.join(review.reasons) if review.reasons else 'no reason recorded'}."
            )
        return f"{rule_id} is not a rule of this pack."

    def _under(
        self,
        case: Case,
        action: RequiredAction | None,
        pack: Pack,
        rule_ids: Iterable[str],
        decision: Decision,
    ) -> ActionUnder:
        texts = tuple(self._why(case, rule_id, pack, decision) for rule_id in rule_ids)
        if action is None:
            return ActionUnder(False, None, (), texts)
        return ActionUnder(True, action.due_date, action.reasons, texts)

    def actions(self) -> tuple[ActionImpact, ...]:
        return tuple(self._impact_of(code) for code in sorted(self.tallies))

    def _impact_of(self, code: str) -> ActionImpact:
        tally = self.tallies[code]
        definition = self.new.actions.get(code) or self.old.actions.get(code)
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
            earlier=tally.earlier.result(),
            later=tally.later.result(),
        )


def _as_pack(pack: Pack | str | Path) -> Pack:
    return pack if isinstance(pack, Pack) else load_pack(pack)


def impact(
    old_pack: Pack | str | Path,
    new_pack: Pack | str | Path,
    cases: Iterable[Case | dict[str, Any] | str | bytes],
    as_of: date,
    *,
    caseload: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ImpactReport:
    """Say what differs between the packs, then evaluate ``cases`` under both on
    ``as_of`` and report what changes for them.

    Packs may be loaded packs or pack folders; cases, :class:`~riskreview.Case`
    objects, dicts or JSON text. A case that fails validation is counted as
    invalid, never stops the report. Engine errors propagate
    (:class:`~riskreview.errors.EngineError`), as does an ``as_of`` on which either
    pack is not in force. ``caseload`` names the caseload on the page (a file
    name); ``clock`` gives the time the report is generated at (UTC now by default).
    """
    for name, given in (("old_pack", old_pack), ("new_pack", new_pack)):
        if not isinstance(given, Pack | str | Path):
            raise ArgumentError(
                f"{name} must be a Pack or the path of a pack folder, got {type(given).__name__}"
            )
    check_cases("cases", cases)
    check_date("as_of", as_of)
    if caseload is not None and not isinstance(caseload, str):
        raise ArgumentError(
            f"caseload must be text naming the caseload, got {type(caseload).__name__}"
        )
    if clock is not None and not callable(clock):
        raise ArgumentError(
            f"clock must be a function returning a datetime, got {type(clock).__name__}"
        )
    old, new = _as_pack(old_pack), _as_pack(new_pack)
    run = _Run(old, new, as_of)
    invalid = 0
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
        run.add(case)
    return ImpactReport(
        PackInfo.of(old),
        PackInfo.of(new),
        as_of,
        run.cases,
        run.changed,
        run.due_moved,
        run.actions(),
        invalid,
        tuple(invalid_examples),
        changes=compare(old, new),
        review_earlier=run.review_earlier.result(),
        review_later=run.review_later.result(),
        examples=tuple(run.examples),
        caseload=caseload,
        generated_at=(clock or _now)(),
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def render_html(report: ImpactReport) -> str:
    """A self-contained HTML page of ``report`` (no scripts, no external assets).

    First what changed in the pack (parameters old → new from each date, rules
    added, removed and changed with a line diff of their conditions, wording),
    then the effect on the caseload: an SVG chart of cases gaining and losing each
    action (titled, on a scaled axis), due dates moved earlier or later, example
    cases linked to their explanations under both packs further down the page,
    the unchanged actions folded away, and a footer naming both packs, the
    caseload, ``as_of`` and when the report was generated.

    Hooks for tools: chart bars carry ``data-code`` and ``data-count``, table rows
    ``data-code``, summary figures ``data-key``.
    """
    return page(report)
