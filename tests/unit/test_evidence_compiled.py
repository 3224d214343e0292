"""The compiled evidence and questions give what the reference evaluator's full results give.

A fired rule's evidence and its matched items' earliest date are gathered by
functions compiled per policy period (:mod:`riskreview._evidence`), guided by the
quick truth tests, with no :class:`Result` tree made. Their oracle is the code
that read the full results (``_evidence_oracle``). Every node of every rule is
held to it, not only the rule's whole condition: each part of the case, and each
part of a list's item condition for each item, whether true (its evidence) or
false (the facts that made it false, which a ``not`` gives) or undecided (the
unknown facts to ask for first), with and without every true alternative
followed; and the earliest matched date over every list a true rule tests.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from _evidence_oracle import _negated_evidence, asked, earliest_matched_date, gather_evidence
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview import _runtime, _values
from riskreview._conditions import All, AnyOf, Named, Node, Not, Quant
from riskreview._evidence import compile_asked, compile_negated, compile_rule, compile_walk
from riskreview._reference import Reference
from riskreview.pack import Pack
from riskreview.strategies import as_of_dates, case_dicts
from riskreview.synthetic import generate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "packs"
SCORED = Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "scored"
PACKS = {
    "scored": lambda: riskreview.load_pack(SCORED),
    "default": riskreview.default_pack,
    "tiering": lambda: riskreview.load_pack(EXAMPLES / "tiering"),
    "hmpps-tier": lambda: riskreview.load_pack(EXAMPLES / "hmpps-tier"),
}
_loaded: dict[str, Pack] = {}


def pack_named(name: str) -> Pack:
    if name not in _loaded:
        _loaded[name] = PACKS[name]()
    return _loaded[name]


# compiled once per node and walk, as the runtime compiles them once per policy period
walked = functools.cache(compile_walk)
negated = functools.cache(compile_negated)
ruled = functools.cache(compile_rule)
questions = functools.cache(compile_asked)


def case_nodes(node: Node) -> Iterator[Node]:
    """``node`` and every part of it read for the case (not for a list item)."""
    yield node
    if isinstance(node, All | AnyOf):
        for part in node.items:
            yield from case_nodes(part)
    elif isinstance(node, Named | Not):
        yield from case_nodes(node.item)


def quants(node: Node) -> Iterator[Quant]:
    for one in case_nodes(node):
        if isinstance(one, Quant):
            yield one


class Counts:
    def __init__(self) -> None:
        self.true = self.false = self.unknown = self.items = self.anchors = self.dated = 0


def compare(ref: Reference, node: Node, item: Any, prefix: str, counts: Counts) -> None:
    """The compiled evidence (true) or negated facts (false) of ``node`` against the
    oracle's, in both walks: first true alternative only, and every one."""
    for alternatives in (False, True):
        reader = attrs.evolve(ref, alternatives=alternatives)
        result = reader.evaluate(node, item, prefix)
        got: list[Any] = []
        truth = walked(node, alternatives)(ref, item, prefix, got)
        assert truth is result.truth, node
        if result.truth is True:
            want: dict[tuple[str, Any], None] = {}
            count = gather_evidence(result, want)
            assert list(dict.fromkeys(got)) == list(want), node
            assert (len(got) > 0) == (count > 0), node  # what an "all" or a "none" reads
            counts.true += 1
        else:
            assert got == [], node  # a part not true leaves nothing behind
        # what an undecided node asks for first (the same in both walks)
        paths: list[str] = []
        assert questions(node)(ref, item, prefix, paths) is result.truth, node
        assert list(dict.fromkeys(paths)) == asked(result), node
        counts.unknown += result.truth is None
        if result.truth is False:
            got = []
            negated(node, alternatives)(ref, item, prefix, got)
            assert got == _negated_evidence(result), node
            counts.false += 1


def check_case(pack: Pack, data: dict[str, Any], as_of: date, counts: Counts) -> None:
    case = riskreview.Case.from_dict(data, pack=pack)
    rt = _runtime.runtime(pack, pack.epoch(as_of))
    vals = _values.values(pack, case, as_of, rt.calendar, rt.conditions, rt.derived)
    ref = _values.reference(pack, case, as_of, rt.calendar, vals, rt.conditions)
    for cr in rt.compiled.rules:
        when = cr.rule.when
        for node in case_nodes(when):
            compare(ref, node, None, "", counts)
            if isinstance(node, Quant):
                for i, item in enumerate(ref.lookup(case, node.field) or ()):
                    for part in case_nodes(node.cond):
                        compare(ref, part, item, f"{node.path}[{i}].", counts)
                        counts.items += 1
        if ref.truth(when) is not True:
            continue
        whole = attrs.evolve(ref, alternatives=True).evaluate(when)
        for quant in quants(when):
            want = earliest_matched_date(ref, whole, quant.path)
            truth, pairs, earliest = ruled(when, True, quant.path)(ref)
            assert truth is True and earliest == want, (cr.rule.id, quant.path)
            assert pairs == ruled(when, True)(ref)[1], cr.rule.id
            counts.anchors += 1
            counts.dated += want is not None


def test_compiled_evidence_is_the_full_results_on_synthetic_cases() -> None:
    counts = Counts()
    for data in generate(80, seed=11, as_of=date(2026, 11, 23)):
        check_case(pack_named("default"), data, date(2026, 11, 23), counts)
    # the comparison means little unless it met true and false parts, items and anchors
    assert counts.true > 1000 and counts.false > 1000 and counts.unknown > 1000, vars(counts)
    assert counts.items > 1000 and counts.anchors > 50 and counts.dated > 10, vars(counts)


@pytest.mark.parametrize("name", sorted(PACKS))
def test_compiled_evidence_is_the_full_results_on_generated_cases(name: str) -> None:
    counts = Counts()

    @settings(max_examples=100, deadline=None)
    @given(st.data())
    def compared(data: st.DataObject) -> None:
        pack = pack_named(name)
        as_of = data.draw(as_of_dates(pack))
        check_case(pack, data.draw(case_dicts(as_of, pack=pack)), as_of, counts)

    compared()
    assert counts.true > 100 and counts.false > 100 and counts.unknown > 100, vars(counts)
