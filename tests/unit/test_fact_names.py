"""A fact carries only the property names some rule reads: each property has a ``>=``
and a ``<=`` side, most are tested on one side only, and the engine parses and hashes
every name a fact holds. Leaving a side out must never hide a value a rule tests (the
differential tests hold the outcomes to the reference evaluator); these tests hold the
facts to the ruleset's names, both ways."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings

import riskreview
from riskreview import Case
from riskreview._compile import BIG, names_read
from riskreview._match import tag
from riskreview._runtime import runtime
from riskreview._values import values
from riskreview.strategies import cases

AS_OF = date(2026, 11, 23)
PACK = riskreview.default_pack()
RT = runtime(PACK, PACK.epoch(AS_OF))
FIXED = {"id", "sid", "t", "l", "v", "one"}


def _names(fact: dict[str, Any]) -> set[str]:
    """Every property name in a fact: its own by name, its lists' items' as
    ``<list name>:<name>`` (the form :func:`names_read` gives)."""
    out: set[str] = set()
    for key, value in fact.items():
        if isinstance(value, list):
            out.update(f"{key}:{name}" for item in value for name in item)
        else:
            out.add(key)
    return out


def test_names_read_finds_every_tested_name_and_nothing_else() -> None:
    ruleset = {
        "r0": {"all": [{"m": {"$and": [
            {"t": "c"},
            {"$gte": {"p1": 3}},
            {"$or": [{"$lte": {"p2l": 0}}, {"$iany": {"L0": {"$and": [
                {"$gte": {"$i.q3": 1}}, {"$lte": {"$i.q4l": 9}}]}}}]},
            {"$iall": {"L1": {"$gte": {"$i.one": 1}}}},
        ]}}], "run": "r0"},
    }
    assert names_read(ruleset) == {"p1", "p2l", "L0:q3", "L0:q4l", "L1:one"}


def test_the_default_pack_reads_fewer_names_than_both_sides_of_every_property() -> None:
    both = {RT.compiled.names.side(p, side) for lane in RT.compiled.lanes
            for p in lane.scalar_props for side in ("ge", "le")}
    assert RT.compiled.read & both  # sanity: the scalar names are among those read
    assert not both <= RT.compiled.read  # some side of some property is never tested


@settings(max_examples=150, deadline=None)
@given(cases(AS_OF))
def test_a_fact_holds_only_names_a_rule_reads(case: Case) -> None:
    vals = values(PACK, case, AS_OF, RT.calendar)
    facts = RT.builder.build(case, AS_OF, "", tag(), vals.extras)
    lists = set(RT.compiled.names.lists.values())
    for fact in facts:
        held = _names(fact) - FIXED - lists
        assert held <= RT.compiled.read, sorted(held - RT.compiled.read)


@settings(max_examples=150, deadline=None)
@given(cases(AS_OF))
def test_an_unknown_value_passes_every_side_in_the_possible_fact(case: Case) -> None:
    vals = values(PACK, case, AS_OF, RT.calendar)
    facts = RT.builder.build(case, AS_OF, "", tag(), vals.extras)
    for definite, possible in zip(facts[::2], facts[1::2], strict=True):
        for name, value in possible.items():
            if name in FIXED or isinstance(value, list):
                continue
            if name not in definite:  # unknown: +BIG on a >= side, -BIG on a <= side
                assert value == (-BIG if name.endswith("l") else BIG), name
            else:
                assert definite[name] == value, name
