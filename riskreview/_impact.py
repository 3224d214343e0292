"""What a policy change does to a caseload: the impact report's data.

:func:`riskreview.diff.impact` builds an :class:`ImpactReport`;
:mod:`riskreview._report` renders it as a page. Both import the report from here.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import attrs

from riskreview._structure import unstructure
from riskreview.pack import Pack


@attrs.frozen
class PackInfo:
    """Which pack: name, version and content digest."""

    name: str
    version: str
    digest: str

    @classmethod
    def of(cls, pack: Pack) -> PackInfo:
        """The identity of a loaded pack."""
        return cls(pack.name, pack.version, pack.digest)


@attrs.frozen
class ActionImpact:
    """How one action code's caseload changes between the old and the new pack.

    ``before`` and ``after`` count the cases requiring it under each pack;
    ``gained`` the cases requiring it only under the new pack, ``lost`` only under
    the old; ``due_changed`` the cases requiring it under both with a different due
    date. Each ``*_examples`` holds up to five case ids, in input order.
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

    @property
    def changed(self) -> bool:
        """True when some case gains it, loses it or has it due on another date."""
        return bool(self.gained or self.lost or self.due_changed)


@attrs.frozen
class InvalidCase:
    """A case that could not be evaluated: its 0-based position, id and first problem."""

    index: int
    case_id: str | None
    error: str


@attrs.frozen
class ImpactReport:
    """The impact of replacing ``old`` with ``new`` on a caseload on ``as_of``.

    ``cases`` counts the cases evaluated under both packs; ``changed_cases`` those
    whose required actions or due dates differ; ``due_dates_changed`` the required
    actions (case and code) whose due date moved. ``actions`` holds every action
    code either pack required for some case, by code. Invalid cases are counted
    in ``invalid`` (up to five kept as examples) and take no other part.
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

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, with the totals ``gained`` and ``lost``."""
        data: dict[str, Any] = unstructure(self)
        data.setdefault("invalid", 0)
        data.setdefault("invalid_examples", [])
        data["gained"] = self.gained
        data["lost"] = self.lost
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (sorted keys)."""
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True, ensure_ascii=False)
