"""The evidence of a rule, and the facts an undecided rule asks for, as the reference
evaluator's full results give them: the oracle that the compiled evidence and
questions (:mod:`riskreview._evidence`) are held to.

These are the functions the decision pipeline used before the evidence was compiled,
kept word for word as the specification: they read a :class:`Result` tree, which
records every part the evaluator looked at.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from riskreview._conditions import HAS_VALUE, All, AnyOf, Cmp, Named, Not, Quant
from riskreview._reference import Reference, Result, unknown_paths
from riskreview._units import as_given
from riskreview._wording import plural


def evidence(result: Result) -> list[tuple[str, Any]]:
    """(path, value) pairs of the facts that made ``result`` true, in condition order,
    each pair once."""
    out: dict[tuple[str, Any], None] = {}  # ordered, each pair once
    gather_evidence(result, out)
    return list(out)


def gather_evidence(result: Result, out: dict[tuple[str, Any], None]) -> int:
    """Add the evidence of ``result`` to ``out`` (a pair already there keeps its place);
    how many pairs it gave, a pair already there counted too (a list test that gives
    none says how many items it holds)."""
    if result.truth is not True:
        return 0
    node = result.node
    if isinstance(node, Cmp):
        out[(result.path, as_given(node.field, result.actual))] = None
        return 1
    given = 0
    if isinstance(node, Quant):
        for part in result.parts:
            if part.truth is True:
                given += gather_evidence(part, out)
        if node.mode != "any" and not given:
            out[(node.path, plural(len(result.parts), "item"))] = None
            return 1
        return given
    if isinstance(node, Not):
        pairs = _negated_evidence(result.parts[0])
        out.update(dict.fromkeys(pairs))
        return len(pairs)
    if isinstance(node, Named) and node.name.endswith(HAS_VALUE):
        return 0  # the guard of a test of a value that can have none: the test says it
    alternatives = isinstance(node, AnyOf)
    for part in result.parts:
        if alternatives and part.truth is not True:
            continue
        given += gather_evidence(part, out)
    return given


def _negated_evidence(result: Result) -> list[tuple[str, Any]]:
    """Evidence for ``not X`` where X is false: the facts that made X false."""
    node = result.node
    if isinstance(node, Cmp):
        return [(result.path, as_given(node.field, result.actual))]
    if isinstance(node, Quant):
        return [(node.path, f"{plural(result.expected, 'item')}, none matching")]
    pairs: list[tuple[str, Any]] = []
    for part in result.parts:
        if part.truth is False:
            pairs.extend(
                _negated_evidence(part)
                if not isinstance(part.node, Not)
                else evidence(part.parts[0])
            )
    return pairs


def earliest_matched_date(ref: Reference, result: Result, list_path: str) -> date | None:
    """The earliest ``date`` among the items of ``list_path`` that made ``result`` true.

    Earliest, not latest: when two changes are both unacted on, the action fell due
    from the first, and a later change must never put an overdue action back. A
    matched item whose date is unknown makes the answer unknown (None), as it may
    be the earliest. The items come from the rule's own conditions over the list;
    only a rule with none of its own takes them from the named conditions it uses
    (which mostly say who the person is, not what has just happened). Only parts
    that are true are followed; ``result`` should come from a complete evaluation,
    so that every true alternative has been looked at.
    """
    for into_named in (False, True):
        days: list[date] = []
        undated = seen = False
        stack = [result]
        while stack:
            r = stack.pop()
            if r.truth is not True or isinstance(r.node, Not):
                continue
            if isinstance(r.node, Named) and not into_named:
                continue
            if isinstance(r.node, Quant):
                if r.node.path == list_path:
                    seen = True
                    items = ref.lookup(ref.case, r.node.field) or ()
                    for i in r.actual or ():
                        day = getattr(items[i], "date", None)
                        if isinstance(day, date):
                            days.append(day)
                        else:
                            undated = True
                continue
            stack.extend(r.parts)
        if seen:
            return None if undated or not days else min(days)
    return None


def asked(result: Result) -> list[str]:
    """The unknown facts to ask for first so that ``result`` can be decided.

    As :func:`~riskreview._reference.unknown_paths`, but an ``all`` asks only
    about its first undecided part: the rest cannot matter until that one holds.
    """
    if result.truth is not None:
        return []
    node = result.node
    if isinstance(node, All):
        first = next(p for p in result.parts if p.truth is None)
        return asked(first)
    if not result.parts:
        return unknown_paths(result)
    out: dict[str, None] = {}  # ordered, each path once
    for part in result.parts:
        out.update(dict.fromkeys(asked(part)))
    return list(out) or unknown_paths(result)
