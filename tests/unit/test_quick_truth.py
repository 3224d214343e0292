"""The quick truth tests give the reference evaluator's own answer on every rule."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

import riskreview
from riskreview import _runtime, _values
from riskreview._conditions import Quant, walk
from riskreview._quick import compile_truth
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)
TIERING = Path(__file__).resolve().parents[2] / "examples" / "packs" / "tiering"


@pytest.mark.parametrize("which", ["default", "tiering"])
def test_compiled_truth_agrees_with_the_walk_on_every_rule_and_list_item(which: str) -> None:
    pack = riskreview.default_pack() if which == "default" else riskreview.load_pack(TIERING)
    checked = rules = 0
    for k, data in enumerate(generate(150, seed=4, as_of=AS_OF)):
        if which == "tiering":
            data["inputs"] = {"ogrs_score": k % 100, "rsr_score": (k * 7) % 100}
        as_of = AS_OF - timedelta(days=(k * 29) % 300)
        case = riskreview.Case.from_dict(data, pack=pack)
        rt = _runtime.runtime(pack, pack.epoch(as_of))
        memo = rt.conditions  # compiled once per policy period
        vals = _values.values(pack, case, as_of, rt.calendar, memo)
        ref = _values.reference(pack, case, as_of, rt.calendar, vals, memo)
        for cr in rt.compiled.rules:
            when = cr.rule.when
            assert compile_truth(when)(ref, None) is ref.evaluate(when).truth, cr.rule.id
            rules += 1
            for node in walk(when):
                if isinstance(node, Quant):
                    # a list's truth alone stops at the item that decides it
                    assert ref.truth(node) is ref.evaluate(node).truth, cr.rule.id
                    for item in ref.lookup(case, node.field) or ():
                        quick = compile_truth(node.cond)(ref, item)
                        assert quick is ref.evaluate(node.cond, item).truth, cr.rule.id
                        checked += 1
    assert rules >= 150 * len(pack.rules) // 2
    if which == "default":  # the tiering pack reads no lists item by item
        assert checked > 1000
