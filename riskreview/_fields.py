"""The catalogue of case fields that rules may name, read off the case model.

A rule names a field by its dotted path (``household.children_in_contact``); list
items are named relative to their item inside ``any``/``all``. A few *virtual*
fields are computed from the case and ``as_of`` (ages, the overall RoSH level);
both evaluators compute them through :func:`virtual_value`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

import attrs

from riskreview import case as _case
from riskreview._structure import fields_of
from riskreview._vocab import RoshLevel, is_ordered


@attrs.frozen
class Field:
    """One field a rule can name."""

    path: str
    kind: str  # bool int str date enum set list object
    description: str
    enum: type[StrEnum] | None = None
    items: dict[str, Field] | None = attrs.field(default=None, eq=False)  # a list item's fields
    virtual: str | None = None  # name of the virtual computation, or EXTRA
    #: a decimal's places: the value is held as a whole number of 10**-scale units
    #: (RSR 7.25 with two places is 725), so both evaluators compare it exactly
    scale: int = 0

    @property
    def ordered(self) -> bool:
        """Whether an enum compares by rank."""
        return is_ordered(self.enum)

    @property
    def labelled(self) -> bool:
        """Whether its values are labels of a vocabulary: an order compares them by
        their place when the vocabulary is ordered (see :func:`riskreview._logic.rank`)."""
        return self.enum is not None or self.kind == "enum"

    @functools.cached_property
    def steps(self) -> tuple[str, ...]:
        """The attribute names that lead to the value (for a virtual field, to its owner:
        the case itself for one that reads more than its section)."""
        names = tuple(self.path.split("."))
        if self.virtual in _OF_CASE:
            return ()
        return names[:-1] if self.virtual else names

    @functools.cached_property
    def attribute(self) -> str | None:
        """The one attribute of its owner the field is, when it is a plain one (not
        computed, one step): what the evaluators read with a single ``getattr``."""
        return self.steps[0] if self.virtual is None and len(self.steps) == 1 else None


#: ``Field.virtual`` of a pack-declared input or derived value: read from the
#: evaluation's extras by its path (``inputs.x``, ``derived.y``).
EXTRA = "extra"


def _age_years(born: date | None, as_of: date) -> int | None:
    if born is None or born > as_of:
        return None
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


def _overall(levels: _case.RoshLevels) -> RoshLevel | None:
    best: RoshLevel | None = None
    for v in (levels.children, levels.public, levels.known_adult, levels.staff, levels.prisoners):
        if v is not None and (best is None or v.rank > best.rank):
            best = v
    return best


#: virtual name → (function of (owner object, as_of)); the owner is the object holding it.
_VIRTUALS: dict[str, Callable[[Any, date], Any]] = {
    "person.age": lambda person, as_of: _age_years(person.date_of_birth, as_of),
    "child.age": lambda child, as_of: _age_years(child.date_of_birth, as_of),
    "risk.overall_level": lambda risk, as_of: _overall(risk.levels),
    "risk.last_assessment_date": lambda case, as_of: _last_assessment(case),
}
#: virtual fields computed from the whole case, not from the section holding them
_OF_CASE = frozenset(("risk.last_assessment_date",))


def _last_assessment(case: Any) -> date | None:
    """The latest of the last review, the full analysis and the screening; unknown
    (None) while one of them is absent and the case's system does not hold the
    screening records: a later one may be there, so the dates present are only a
    lower bound, and a rule deciding on them would decide on a guess."""
    risk = case.risk
    if risk is None:
        return None
    dates = (risk.last_review_date, risk.full_analysis_date, risk.screening_date)
    if None in dates and _case.RecordGroup.SCREENING in (case.not_held or ()):
        return None
    return _latest(*dates)


def _latest(*dates: date | None) -> date | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def read_path(root: Any, steps: Sequence[str], virtual: str | None, as_of: date) -> Any:
    """The value ``steps`` (attribute names) lead to from ``root``; None if any step on
    the way is None. With ``virtual``, the steps lead to the owner of a computed field."""
    value = root
    for name in steps:
        if value is None:
            return None
        value = getattr(value, name)
    if virtual is not None and value is not None:
        return virtual_value(virtual, value, as_of)
    return value


def virtual_value(name: str, owner: Any, as_of: date) -> Any:
    """Compute virtual field ``name`` for ``owner`` (the object that holds it)."""
    return _VIRTUALS[name](owner, as_of)


def _catalogue(cls: type, prefix: str) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for name, (info, attribute) in fields_of(cls).items():
        path = f"{prefix}{name}"
        doc = attribute.metadata.get("description", name)
        if info.kind == "model":
            assert info.model is not None
            out[path] = Field(path, "object", doc)
            out.update(_catalogue(info.model, f"{path}."))
        elif info.kind == "list":
            assert info.item is not None
            if info.item.kind == "enum":
                out[path] = Field(path, "set", doc, enum=info.item.enum)
            else:
                assert info.item.model is not None
                out[path] = Field(path, "list", doc, items=_catalogue(info.item.model, ""))
        elif info.kind == "inputs":
            continue
        else:
            out[path] = Field(path, info.kind, doc, enum=info.enum)
    return out


def _build() -> dict[str, Field]:
    fields = _catalogue(_case.Case, "")
    fields["person.age"] = Field(
        "person.age", "int", "age in whole years on as_of", virtual="person.age"
    )
    fields["risk.overall_level"] = Field(
        "risk.overall_level",
        "enum",
        "overall risk of serious harm: the highest level recorded for any group",
        enum=RoshLevel,
        virtual="risk.overall_level",
    )
    fields["risk.last_assessment_date"] = Field(
        "risk.last_assessment_date",
        "date",
        "the latest of the last review, the full analysis and the screening",
        virtual="risk.last_assessment_date",
    )
    children = fields["household.children"].items
    assert children is not None
    children["age"] = Field(
        "age", "int", "child's age in whole years on as_of", virtual="child.age"
    )
    return fields


CASE_FIELDS: dict[str, Field] = _build()

#: The case fields of each record group (:class:`riskreview.case.RecordGroup`), by
#: prefix or path: while a case's system does not hold a group (``Case.not_held``),
#: an absent one of these reads as unknown, not as "not done".
_GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "checks": (
        "checks.",
        "release.address_police_check_date",
        "release.address_safeguarding_check_date",
        "curfew.address_police_check_date",
        "curfew.address_safeguarding_check_date",
    ),
    "plans": ("plans.",),
    "screening": (
        "risk.screening_date",
        "risk.screening_outcome",
        "risk.screening_countersigned",
        "risk.full_analysis_date",
        "risk.last_review_date",
        "risk.last_assessment_date",
        "risk.rating_rationale_recorded",
    ),
    "home_visits": ("home_visits",),
    "mappa": ("mappa.",),
    "pre_release_review": ("release.pre_release_review_date",),
}


@functools.lru_cache(maxsize=128)
def unheld_paths(groups: tuple[StrEnum, ...]) -> frozenset[str]:
    """The case fields whose absence is unknown when ``groups`` are not held."""
    wanted = [p for g in groups for p in _GROUP_FIELDS[g.value]]
    return frozenset(
        path
        for path in CASE_FIELDS
        if any(path == w or (w.endswith(".") and path.startswith(w)) for w in wanted)
    )
