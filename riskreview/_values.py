"""The values stage: a case's pack-declared inputs, checked, and its derived values.

Derived values are computed once per evaluation in dependency order, values first
(:mod:`riskreview._derive_fast`: each value by a function compiled for the policy
period, its full result made only when something reads it); both the engine's facts
and the reference walk read the same numbers. Their explanation chains
("dash_score: 14 points ...; dash_yes_answers: ...") are needed only when a reason,
a trace or an explanation shows them, so :class:`DerivedNotes` builds each one on
first use.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import attrs

from riskreview._derive import Ctx, DerivedResult, read_inputs
from riskreview._derive_fast import Plan, compute, plan
from riskreview._fields import unheld_paths
from riskreview._reference import Reference, unknown_paths
from riskreview.calendar import Calendar


@attrs.frozen
class Values:
    """A case's inputs (by field path: ``inputs.x``, ``derived.y``) and derived results.

    ``unheld`` holds the field paths whose absence is unknown for this case: fields of
    a record group its system does not hold (``Case.not_held``), and derived values
    left without a value for lack of one of them.
    """

    extras: dict[str, Any]
    derived: Mapping[str, DerivedResult]
    unheld: frozenset[str] = frozenset()


def values(
    pack: Any,
    case: Any,
    as_of: date,
    calendar: Calendar,
    quick: dict[Any, Any] | None = None,
    steps: Plan | None = None,
) -> Values:
    """The pack-declared inputs (checked) and derived values of ``case`` on ``as_of``.

    ``quick`` holds the policy period's compiled truth tests (see :func:`reference`):
    a derived value's conditions are decided by them, and walked in full only when
    they cannot be decided, for the facts they wait on. ``steps``: the pack's derived
    values compiled (:func:`riskreview._derive_fast.plan`; the runtime holds them),
    compiled now when not given.

    Raises CaseError when the case's inputs do not fit the pack's declarations.
    """
    extras: dict[str, Any] = read_inputs(pack.inputs, case.inputs, case.case_id)
    unheld = unheld_paths(case.not_held) if case.not_held else frozenset()
    if not pack.derived:
        return Values(extras, {}, unheld)
    ref = Reference(
        case,
        as_of,
        pack.parameter,
        calendar,
        extras,
        unheld=unheld,
        quick={} if quick is None else quick,
    )

    def waits(node: Any, item: Any) -> list[str]:
        # walked in full only when its quick truth test cannot decide it
        return unknown_paths(ref.evaluate(node, item))

    read = functools.partial(ref.lookup, case)
    ctx = Ctx(extras, as_of, calendar, pack.parameter, read, ref.truth, waits, ref.candidates)
    derived = compute(plan(pack.derived) if steps is None else steps, ctx, ref)
    if unheld:
        unheld = unheld | {
            f"derived.{name}"
            for name, result in derived.without_value()
            if unheld.intersection(result.unknown)
        }
    return Values(extras, derived, unheld)


class DerivedNotes(Mapping[str, str]):
    """``derived.<name>`` → how it was computed, with the values it was computed from.

    A mapping whose texts are built on first read: most evaluations never show one.
    """

    def __init__(self, pack: Any, derived: Mapping[str, DerivedResult]) -> None:
        self._defs = {d.name: d for d in pack.derived}
        self._derived = derived
        self._built: dict[str, str] = {}

    def __getitem__(self, path: str) -> str:
        text = self._built.get(path)
        if text is not None:
            return text
        name = path.removeprefix("derived.")
        if not path.startswith("derived.") or name not in self._derived:
            raise KeyError(path)
        text = self._built[path] = "; ".join(
            [self._derived[name].explanation, *self._chain(name, {name})]
        )
        return text

    def _chain(self, name: str, seen: set[str]) -> list[str]:
        out = []
        for dep in self._defs[name].depends_on:
            key = dep.removeprefix("derived.")
            if key in self._derived and key not in seen:
                seen.add(key)
                out.append(f"{dep}: {self._derived[key].explanation}")
                out.extend(self._chain(key, seen))
        return out

    def __iter__(self) -> Iterator[str]:
        return (f"derived.{name}" for name in self._derived)

    def __len__(self) -> int:
        return len(self._derived)


def reference(
    pack: Any,
    case: Any,
    as_of: date,
    calendar: Calendar,
    vals: Values,
    quick: dict[Any, Any] | None = None,
) -> Reference:
    """The reference evaluator for one case, reading its inputs and derived values.

    ``quick`` holds the compiled truth tests of the policy period (its runtime's
    memo), so each condition is compiled once, not once per case.
    """
    return Reference(
        case,
        as_of,
        pack.parameter,
        calendar,
        vals.extras,
        DerivedNotes(pack, vals.derived),
        quick={} if quick is None else quick,
        unheld=vals.unheld,
    )
