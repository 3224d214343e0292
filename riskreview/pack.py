"""Policy packs: rules, dated parameters, the action vocabulary and scenarios, as YAML.

A pack is a folder::

    pack.yaml            name, version, effective_from, review schedule, findings
    actions.yaml         the action vocabulary
    information.yaml     what to establish when a field is unknown (optional)
    conditions.yaml      named conditions rules can share (optional)
    parameters/*.yaml    dated values
    rules/*.yaml         the rules
    tests/*.yaml         scenarios: case + as_of → expected actions

Load one with :func:`load_pack`; the default England & Wales pack with
:func:`default_pack`. Loading checks everything a rule could get wrong and raises
one :class:`~riskreview.errors.PackError` listing every problem with file, line,
rule id and reason.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from riskreview._conditions import Node
from riskreview._structure import FIRST_DATE, LAST_DATE
from riskreview.errors import (
    ArgumentError,
    ArgumentValueError,
    PackError,
    PolicyNotInForceError,
    Problem,
    UnknownRuleError,
)

__all__ = [
    "PRIORITIES",
    "ActionDef",
    "DueSpec",
    "InformationDef",
    "Pack",
    "Parameter",
    "ReviewPolicy",
    "Rule",
    "Scenario",
    "default_pack",
    "default_pack_path",
    "load_pack",
]

#: Priorities, most urgent first.
PRIORITIES = ("urgent", "high", "medium", "low")


@attrs.frozen
class ActionDef:
    """An action a rule can require: its code, title, area, default priority and wording."""

    code: str
    title: str
    area: str
    priority: str
    wording: str
    category: str = "action"  # "action" or "review"


@attrs.frozen
class InformationDef:
    """What to ask for when a field a rule needs is unknown."""

    path: str
    code: str
    title: str


@attrs.frozen
class Parameter:
    """A dated policy value: each value applies from its date until the next one.

    ``key_enum`` is set when the value is a table with one number per member of an
    enum (for example per RoSH level).
    """

    name: str
    description: str
    source: str
    unit: str
    values: tuple[tuple[date, Any], ...]
    key_enum: type[StrEnum] | None = None

    def value_on(self, as_of: date) -> Any:
        """The value in force on ``as_of`` (None before the first date)."""
        current = None
        for start, value in self.values:
            if start <= as_of:
                current = value
        return current

    def first_negative(self) -> tuple[date, int] | None:
        """The first date from which it takes a negative number (in any row of a
        table) and that number, or None; a use that cannot be negative refuses it."""
        for start, value in self.values:
            lowest = min(value.values()) if isinstance(value, Mapping) else value
            if lowest < 0:
                return start, lowest
        return None


@attrs.frozen
class DueSpec:
    """When an action falls due: ``amount`` ``unit`` after the anchor date.

    ``anchor`` is ``as_of``, a case date field path, or ``matched.<list>`` for the
    earliest date among the list items that made the rule fire (the first change
    not yet acted on: a later one never puts an overdue action back).
    """

    amount: Any  # int or ParamRef
    unit: str
    anchor: str


@attrs.frozen
class Rule:
    """One rule of a pack, parsed and type-checked."""

    id: str
    title: str
    area: str
    when: Node
    action: str
    priority: str | None
    due: DueSpec | None
    source: str
    rationale: str
    reason: str
    findings: tuple[int, ...]
    effective_from: date | None
    effective_to: date | None
    file: str
    line: int
    raw_when: Any = attrs.field(eq=False, repr=False)

    def in_force(self, as_of: date) -> bool:
        """Whether the rule applies on ``as_of``."""
        if self.effective_from is not None and as_of < self.effective_from:
            return False
        return self.effective_to is None or as_of <= self.effective_to


@attrs.frozen
class ReviewPolicy:
    """How the next review date is set: the regular interval and what brings it forward."""

    action: str
    interval: Any  # ParamRef (weeks)
    anchors: tuple[str, ...]
    unknown_level: str  # "shortest": fail closed when the level is unknown


@attrs.frozen
class Scenario:
    """A policy test: a case on a date and what the decision must (not) contain."""

    name: str
    file: str
    line: int
    as_of: date
    case: Mapping[str, Any]
    expect: Mapping[str, Any]
    covers: tuple[str, ...] = ()


@attrs.frozen(eq=False)
class Pack:
    """A loaded, checked policy pack. Build one with :func:`load_pack`."""

    name: str
    version: str
    title: str
    description: str
    effective_from: date
    digest: str
    path: str
    actions: Mapping[str, ActionDef]
    parameters: Mapping[str, Parameter]
    rules: tuple[Rule, ...]
    information: Mapping[str, InformationDef]
    scenarios: tuple[Scenario, ...]
    review: ReviewPolicy | None
    findings: Mapping[int, str]
    conditions: Mapping[str, str] = attrs.field(factory=dict)
    inputs: Mapping[str, Any] = attrs.field(factory=dict)  # name → _derive.InputDef
    derived: tuple[Any, ...] = ()  # _derive.DerivedDef, in dependency order
    fields: Mapping[str, Any] = attrs.field(factory=dict, repr=False)  # path → Field
    calendar_country: str = "GB"
    calendar_subdiv: str | None = "ENG"
    meta: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id.

        Raises :class:`~riskreview.errors.UnknownRuleError` (a ``KeyError``) with a
        suggestion if there is none.
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise UnknownRuleError(f"no rule {rule_id!r} in pack {self.name}{self._rule_hint(rule_id)}")

    def _rule_hint(self, rule_id: str) -> str:
        # rule ids are typed by hand: "cs-02" and "CS-2" both mean CS-02
        upper = {r.upper(): r for r in self.rule_ids}
        close = difflib.get_close_matches(rule_id.upper(), list(upper), n=1, cutoff=0.6)
        return f"; did you mean {upper[close[0]]!r}?" if close else ""

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule id, in pack order."""
        return tuple(r.id for r in self.rules)

    def parameter(self, name: str, as_of: date) -> Any:
        """The value of parameter ``name`` in force on ``as_of``."""
        return self.parameters[name].value_on(as_of)

    def epoch(self, as_of: date) -> date:
        """The start of the policy period containing ``as_of``.

        Within one period no parameter value and no rule changes, so one compiled
        ruleset serves every date in it.
        """
        if as_of < self.effective_from:
            raise PolicyNotInForceError(
                f"pack {self.name} {self.version} is in force from {self.effective_from}; "
                f"as_of {as_of} is before that"
            )
        if not FIRST_DATE <= as_of <= LAST_DATE:
            raise PolicyNotInForceError(
                f"as_of {as_of} is outside the dates riskreview evaluates "
                f"({FIRST_DATE} to {LAST_DATE})"
            )
        return max(d for d in self.change_dates if d <= as_of)

    @functools.cached_property
    def change_dates(self) -> tuple[date, ...]:
        """Every date on which some parameter or rule of the pack changes."""
        dates = {self.effective_from}
        for p in self.parameters.values():
            dates.update(d for d, _ in p.values)
        for r in self.rules:
            if r.effective_from:
                dates.add(r.effective_from)
            if r.effective_to:
                dates.add(date.fromordinal(r.effective_to.toordinal() + 1))
        return tuple(sorted(d for d in dates if d >= self.effective_from))


def load_pack(path: str | Path, *, version: str | None = None, digest: str | None = None) -> Pack:
    """Load and check the pack in folder ``path``.

    Raises :class:`~riskreview.errors.PackError` listing every problem found, and
    :class:`~riskreview.errors.ArgumentError` when ``path`` is not a ``str`` or
    :class:`~pathlib.Path` (or a pin is not text). ``version`` and ``digest`` pin
    the pack: loading fails unless it is exactly that version (and content), so a
    service cannot run policy it did not approve.

    >>> pack = load_pack(default_pack_path())
    >>> pack.name
    'england-wales'
    """
    from riskreview._packload import load  # noqa: PLC0415 - _packload imports this module

    pack = load(_pack_folder(path, version, digest))
    pins = [("version", version, pack.version), ("digest", digest, pack.digest)]
    wrong = [
        Problem("pack.yaml", f"{name} is {got}, pinned to {want}")
        for name, want, got in pins
        if want is not None and want != got
    ]
    if wrong:
        raise PackError(wrong, subject=pack.name)
    return pack


def _pack_folder(path: object, version: object, digest: object) -> Path:
    """``load_pack``'s arguments checked: the folder as a Path, or an ArgumentError."""
    folder = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    if not isinstance(folder, str):
        raise ArgumentError(
            "load_pack takes the path of a pack folder as str or pathlib.Path, "
            f"got {type(path).__name__}; for the England & Wales pack call default_pack()"
        )
    if not folder:
        raise ArgumentValueError(
            "load_pack takes the path of a pack folder, got an empty string "
            "(write '.' to mean the current folder)"
        )
    for name, pin in (("version", version), ("digest", digest)):
        if pin is not None and not isinstance(pin, str):
            raise ArgumentError(
                f"load_pack's {name} pin must be text such as "
                f"{'1.2.0' if name == 'version' else 'sha256:…'!r} or None, "
                f"got {type(pin).__name__}"
            )
    return Path(folder)


def default_pack_path() -> Path:
    """Where the default England & Wales pack is: installed as data beside the package
    (``riskreview/packs/``), or in a checkout's ``rules/`` (an editable install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "packs" / "england-wales", here.parent / "rules" / "england-wales"):
        if (candidate / "pack.yaml").is_file():
            return candidate
    try:
        found = Path(str(resources.files("riskreview.packs"))) / "england-wales"
    except (ModuleNotFoundError, TypeError):
        found = here / "packs" / "england-wales"
    return found


def default_pack(*unexpected: object, **named: object) -> Pack:
    """The default England & Wales pack (loaded once per process).

    It takes no arguments; given any, it raises
    :class:`~riskreview.errors.ArgumentError` pointing to :func:`load_pack`, which
    loads the pack in a folder.
    """
    if unexpected or named:
        raise ArgumentError(
            "default_pack() takes no arguments; load the pack in a folder with "
            "riskreview.load_pack(path)"
        )
    return _default_pack()


@functools.lru_cache(maxsize=1)
def _default_pack() -> Pack:
    return load_pack(default_pack_path())
