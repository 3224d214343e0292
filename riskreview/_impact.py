"""What a policy change does: the impact report's data.

:func:`riskreview.diff.impact` builds an :class:`ImpactReport`: what changed
between the two packs (:class:`PackChanges`, worked out by
:mod:`riskreview._packdiff` from the packs alone) and what that does to a
caseload. :mod:`riskreview._report` renders it as a page. Both import the report
from here.
"""

from __future__ import annotations

import difflib
import json
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import attrs

from riskreview._structure import unstructure
from riskreview.pack import Pack

#: How a pack item differs: only in the new pack, only in the old, or in both.
STATUSES = ("added", "removed", "changed")


@attrs.frozen
class Change:
    """One aspect of a pack item in words under each pack (None: absent there).

    ``aspect`` names it (``condition``, ``due``, ``title``, ...); a condition is
    written one test a line, as the pack README writes it.
    """

    aspect: str
    old: str | None
    new: str | None

    @property
    def lines(self) -> tuple[str, ...]:
        """A line diff of ``old`` and ``new``: each line starts with two spaces
        (in both), ``- `` (old only) or ``+ `` (new only)."""
        before = self.old.splitlines() if self.old else []
        after = self.new.splitlines() if self.new else []
        out: list[str] = []
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend("  " + line for line in before[i1:i2])
                continue
            out.extend("- " + line for line in before[i1:i2])
            out.extend("+ " + line for line in after[j1:j2])
        return tuple(out)


@attrs.frozen
class ItemChange:
    """A rule, action, named condition, derived value or information item that one
    pack has and the other has not (``status`` added or removed), or that both have
    with some aspect different (``changed``). ``changes`` holds every aspect that
    differs (for an added or removed item, every aspect it has)."""

    key: str
    title: str
    status: str
    changes: tuple[Change, ...]


@attrs.frozen
class ValueChange:
    """A parameter's value in force from ``since`` under each pack (None: none)."""

    since: date
    old: Any
    new: Any


@attrs.frozen
class ParameterChange:
    """A parameter whose dated values (or description, unit or source) differ.

    ``values`` holds one entry for each date, in either pack, from which the value
    in force differs.
    """

    name: str
    description: str
    unit: str
    status: str
    values: tuple[ValueChange, ...]
    changes: tuple[Change, ...] = ()


@attrs.frozen
class PackChanges:
    """What differs between two packs, read from the packs alone (no case needed).

    ``pack`` holds the pack's own aspects (name, version, dates, review policy);
    the other fields one entry per item that differs, in the new pack's order.
    """

    pack: tuple[Change, ...] = ()
    parameters: tuple[ParameterChange, ...] = ()
    rules: tuple[ItemChange, ...] = ()
    actions: tuple[ItemChange, ...] = ()
    conditions: tuple[ItemChange, ...] = ()
    derived: tuple[ItemChange, ...] = ()
    information: tuple[ItemChange, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the packs differ in no rule, parameter, wording or setting."""
        return not any(attrs.astuple(self, recurse=False))


@attrs.frozen
class PackInfo:
    """Which pack: name, version, content digest and the name of its folder."""

    name: str
    version: str
    digest: str
    folder: str = ""

    @classmethod
    def of(cls, pack: Pack) -> PackInfo:
        """The identity of a loaded pack."""
        return cls(pack.name, pack.version, pack.digest, PurePath(pack.path).name)


@attrs.frozen
class DueShift:
    """Due dates that moved one way: how many, by how many calendar days (median and
    most), and up to five example case ids, in input order."""

    cases: int = 0
    median_days: float = 0
    max_days: int = 0
    examples: tuple[str, ...] = ()


@attrs.frozen
class ActionImpact:
    """How one action code's caseload changes between the old and the new pack.

    ``before`` and ``after`` count the cases requiring it under each pack;
    ``gained`` the cases requiring it only under the new pack, ``lost`` only under
    the old; ``due_changed`` the cases requiring it under both with a different due
    date, split into ``earlier`` and ``later`` (the new due date against the old).
    Each ``*_examples`` holds up to five case ids, in input order.
    """

    code: str
    title: str
    before: int
    after: int
    gained: int
    lost: int
    due_changed: int
    gained_examples: tuple[str, ...]
    lost_examples: tuple[str, ...]
    due_changed_examples: tuple[str, ...]
    earlier: DueShift = DueShift()
    later: DueShift = DueShift()

    @property
    def changed(self) -> bool:
        """True when some case gains it, loses it or has it due on another date."""
        return bool(self.gained or self.lost or self.due_changed)


@attrs.frozen
class ActionUnder:
    """One case's action under one pack: required or not, due when, and why.

    ``explanations`` holds the explanation (as ``riskreview explain`` prints it) of
    each rule that requires the action for this case under either pack.
    """

    required: bool
    due_date: date | None
    reasons: tuple[str, ...]
    explanations: tuple[str, ...]


#: The code of the example cases whose next review date moved.
NEXT_REVIEW = "next_review"


@attrs.frozen
class CaseExample:
    """An example case of one change to one action (``change``: gained, lost,
    earlier or later), explained under the old and the new pack. ``code`` is the
    action's code, or ``next_review`` for a next review date moved earlier or
    later (its ``reasons`` are the review date's reasons)."""

    case_id: str
    code: str
    change: str
    old: ActionUnder
    new: ActionUnder


@attrs.frozen
class InvalidCase:
    """A case that could not be evaluated: its 0-based position, id and first problem."""

    index: int
    case_id: str | None
    error: str


@attrs.frozen
class ImpactReport:
    """The impact of replacing ``old`` with ``new`` on a caseload on ``as_of``.

    ``changes`` says what differs between the packs themselves. ``cases`` counts
    the cases evaluated under both packs; ``changed_cases`` those whose required
    actions or due dates differ; ``due_dates_changed`` the required actions (case
    and code) whose due date moved. ``actions`` holds every action code either pack
    required for some case, by code. ``review_earlier`` and ``review_later`` count
    the cases whose next review date moved. ``examples`` explains the example cases
    of each change. Invalid cases are counted in ``invalid`` (up to five kept as
    examples) and take no other part. ``caseload`` names the caseload (a file
    name) and ``generated_at`` says when the report was made.
    """

    old: PackInfo
    new: PackInfo
    as_of: date
    cases: int
    changed_cases: int
    due_dates_changed: int
    actions: tuple[ActionImpact, ...]
    invalid: int = 0
    invalid_examples: tuple[InvalidCase, ...] = ()
    changes: PackChanges = PackChanges()
    review_earlier: DueShift = DueShift()
    review_later: DueShift = DueShift()
    examples: tuple[CaseExample, ...] = ()
    caseload: str | None = None
    generated_at: datetime | None = None

    @property
    def changed(self) -> bool:
        """True when the new pack changes some case's required actions or due dates."""
        return self.changed_cases > 0

    @property
    def gained(self) -> int:
        """Required actions (case and code) that only the new pack requires."""
        return sum(a.gained for a in self.actions)

    @property
    def lost(self) -> int:
        """Required actions (case and code) that only the old pack requires."""
        return sum(a.lost for a in self.actions)

    def action(self, code: str) -> ActionImpact | None:
        """The impact on one action code, or None if neither pack required it."""
        return next((a for a in self.actions if a.code == code), None)

    def example(self, code: str, change: str, case_id: str) -> CaseExample | None:
        """The explained example of ``case_id`` for one change to ``code``, if kept."""
        key = (code, change, case_id)
        return next((e for e in self.examples if (e.code, e.change, e.case_id) == key), None)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, every field present, with the totals
        ``gained`` and ``lost`` and each change's condition ``lines``."""
        data: dict[str, Any] = unstructure(self)
        defaults = {"invalid": 0, "invalid_examples": [], "examples": [], "caseload": None}
        for key, value in defaults.items():
            data.setdefault(key, value)
        data["generated_at"] = self.generated_at.isoformat() if self.generated_at else None
        data["old"], data["new"] = attrs.asdict(self.old), attrs.asdict(self.new)
        data["review_earlier"] = attrs.asdict(self.review_earlier)
        data["review_later"] = attrs.asdict(self.review_later)
        data["changes"] = _changes_data(self.changes)
        for action, out in zip(self.actions, data["actions"], strict=True):
            out["earlier"] = attrs.asdict(action.earlier)
            out["later"] = attrs.asdict(action.later)
        data["gained"] = self.gained
        data["lost"] = self.lost
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (sorted keys)."""
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True, ensure_ascii=False)


def _change_data(change: Change) -> dict[str, Any]:
    return {"aspect": change.aspect, "old": change.old, "new": change.new, "lines": change.lines}


def _changes_data(changes: PackChanges) -> dict[str, Any]:
    """Every group present (empty lists too) and every change with its line diff."""

    def item(i: ItemChange) -> dict[str, Any]:
        return {
            "key": i.key,
            "title": i.title,
            "status": i.status,
            "changes": [_change_data(c) for c in i.changes],
        }

    def parameter(p: ParameterChange) -> dict[str, Any]:
        return {
            "name": p.name,
            "description": p.description,
            "unit": p.unit,
            "status": p.status,
            "values": [unstructure(v) for v in p.values],
            "changes": [_change_data(c) for c in p.changes],
        }

    return {
        "pack": [_change_data(c) for c in changes.pack],
        "parameters": [parameter(p) for p in changes.parameters],
        **{
            group: [item(i) for i in getattr(changes, group)]
            for group in ("rules", "actions", "conditions", "derived", "information")
        },
    }
