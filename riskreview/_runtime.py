"""The first stage: a pack's policy period, compiled once, with its engine and calendar.

A :class:`Runtime` is what every evaluation in one policy period shares: the
compiled rules, the engine holding them, the fact builder and the working-day
calendar. Runtimes live as long as their pack and no longer (a weak mapping keyed
by the pack object itself, so an ``id`` reused by a later pack can never find a
stale engine, and dropping a pack frees its engines' native memory). The loader
builds every period's runtime when a pack loads (:func:`build_engines`), so a
limit the engine enforces only when it creates a ruleset is a load error naming
the rule, never a failure on the first case.

This module knows nothing of decisions: it imports the compiler, the engine, the
derived values compiled to compute their values alone (:mod:`riskreview._derive_fast`) and
the calendar only.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from riskreview._compile import Compiled, compile_epoch
from riskreview._derive_fast import Plan, plan
from riskreview._engine import Engine
from riskreview._facts import FactBuilder
from riskreview.calendar import Calendar
from riskreview.errors import EngineError, Problem


@attrs.frozen(eq=False)
class Runtime:
    """A pack's policy period, compiled, with its engine, fact builder and calendar."""

    compiled: Compiled
    engine: Engine
    builder: FactBuilder
    calendar: Calendar
    #: the pack's derived values, each compiled to compute its value alone
    derived: Plan
    #: each condition node compiled once for the period, by node (its quick truth test,
    #: its evaluator and its item key: see :class:`riskreview._reference.Reference`),
    #: on first use
    conditions: dict[Any, tuple[Any, Any]] = attrs.field(
        factory=dict, eq=False, repr=False
    )
    #: what later stages work out once per period, by name (filled on first use)
    memo: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)


_LOCK = threading.Lock()
_RUNTIMES: weakref.WeakKeyDictionary[Any, dict[date, Runtime]] = weakref.WeakKeyDictionary()
_CALENDARS: dict[tuple[str, str | None], Calendar] = {}


def _after_fork_in_child() -> None:
    # the lock may have been held by a parent thread that does not exist in the child
    global _LOCK  # noqa: PLW0603 - module state re-created in a forked child
    _LOCK = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def calendar_for(pack: Any) -> Calendar:
    """The working-day calendar a pack names (one per jurisdiction, shared)."""
    key = (pack.calendar_country, pack.calendar_subdiv)
    found = _CALENDARS.get(key)
    if found is None:
        with _LOCK:
            found = _CALENDARS.get(key)
            if found is None:
                found = _CALENDARS[key] = Calendar(*key)
    return found


def runtime(pack: Any, epoch: date, compiled: Compiled | None = None) -> Runtime:
    """The runtime of ``pack`` for the policy period starting ``epoch`` (built once),
    from ``compiled`` when the period's rules are compiled already."""
    with _LOCK:
        periods = _RUNTIMES.get(pack)
        found = periods.get(epoch) if periods is not None else None
    if found is not None and found.engine.usable:
        return found
    built = _build(pack, epoch, compiled)
    with _LOCK:
        periods = _RUNTIMES.setdefault(pack, {})
        found = periods.get(epoch)
        if found is None or not found.engine.usable:
            periods[epoch] = found = built
    return found


def cached_runtimes(pack: Any) -> int:
    """How many policy periods of ``pack`` have a runtime built (for tests)."""
    with _LOCK:
        return len(_RUNTIMES.get(pack, {}))


def _build(pack: Any, epoch: date, compiled: Compiled | None = None) -> Runtime:
    if compiled is None:
        compiled = compile_epoch(pack, epoch)
    names = {f"r{cr.index}": cr.rule.id for cr in compiled.rules}
    calendar = calendar_for(pack)
    return Runtime(
        compiled,
        Engine(compiled.ruleset, names),
        FactBuilder(compiled, calendar),
        calendar,
        plan(pack.derived),
    )


def build_engines(pack: Any, compiled: Mapping[date, Compiled]) -> list[Problem]:
    """Build the engine of every policy period now, from ``compiled`` (each period's
    rules by the date it starts); the problems, each naming a rule.

    When the whole ruleset is refused but every rule is accepted alone, the pack as
    a whole is beyond the engine: the problem says how many rules the period holds
    and in how many lanes, so the author knows what to cut.
    """
    problems: list[Problem] = []
    for epoch, period in compiled.items():
        try:
            runtime(pack, epoch, period)
        except EngineError as whole:
            found = _rules_refused_alone(pack, period)
            for problem in found or [_whole_refused(pack, period, epoch, whole)]:
                if problem not in problems:
                    problems.append(problem)
    return problems


def _rules_refused_alone(pack: Any, compiled: Compiled) -> list[Problem]:
    problems: list[Problem] = []
    for lane in compiled.lanes:
        for index in lane.rules:
            names = {f"k{lane.number}", f"r{index}"}
            alone = {k: v for k, v in compiled.ruleset.items() if k in names}
            try:
                Engine(alone, {})
            except EngineError as error:
                rule = pack.rules[index]
                problems.append(
                    Problem(
                        f"{rule.file}:{rule.line} {rule.id}",
                        f"the engine cannot hold this rule: {error}",
                    )
                )
    return problems


def _whole_refused(pack: Any, compiled: Compiled, epoch: date, error: EngineError) -> Problem:
    files = sorted({rule.file for rule in (cr.rule for cr in compiled.rules)})
    where = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return Problem(
        f"{pack.name} rules ({where})" if files else pack.name,
        f"the engine cannot hold the {len(compiled.rules)} rules in force from {epoch} "
        f"together ({len(compiled.lanes)} lanes, {len(compiled.ruleset)} engine rules), "
        f"though it accepts each alone: {error}; split the pack or merge rules that repeat "
        "the same condition",
    )
