"""An ``any`` indexed by the item field its condition tests (a value among given
ones, enum members or true/false, or a list of the item holding one of them)
reaches the truth and the evidence of the same ``any`` scanning every item, for
every rule of the default pack."""

from __future__ import annotations

from datetime import date

import attrs
from _evidence_oracle import evidence
from hypothesis import given, settings

import riskreview
from riskreview import Case
from riskreview._conditions import All, AnyOf, Named, Node, Not, Quant
from riskreview._reference import item_key
from riskreview._runtime import runtime
from riskreview._values import reference, values
from riskreview.strategies import cases

AS_OF = date(2026, 11, 23)
PACK = riskreview.default_pack()


def _quants(node: Node) -> list[Quant]:
    if isinstance(node, Quant):
        return [node, *_quants(node.cond)]
    if isinstance(node, All | AnyOf):
        return [q for n in node.items for q in _quants(n)]
    if isinstance(node, Named | Not):
        return _quants(node.item)
    return []


def test_the_default_pack_has_anys_indexed_by_a_list_or_a_flag_of_the_item() -> None:
    keyed = {
        q.path
        for rule in PACK.rules
        for q in _quants(rule.when)
        if q.mode == "any" and (key := item_key(q)) is not None and key[2]
    }
    assert {"concerns", "offending_history"} <= keyed
    by_flag = {
        q.path
        for rule in PACK.rules
        for q in _quants(rule.when)
        if q.mode == "any" and (key := item_key(q)) is not None and True in key[1]
    }
    assert "household.children" in by_flag  # {any: {lives_with: true}}


@settings(max_examples=150, deadline=None)
@given(cases(AS_OF))
def test_indexed_and_scanned_lists_agree(case: Case) -> None:
    rt = runtime(PACK, PACK.epoch(AS_OF))
    vals = values(PACK, case, AS_OF, rt.calendar)
    ref = reference(PACK, case, AS_OF, rt.calendar, vals, {})
    for complete in (False, True):
        indexed = attrs.evolve(ref, complete=complete)
        scanned = attrs.evolve(ref, complete=complete, index_lists=False)
        for rule in PACK.rules:
            a, b = indexed.evaluate(rule.when), scanned.evaluate(rule.when)
            assert a.truth is b.truth, rule.id
            assert evidence(a) == evidence(b), rule.id
