"""The engine and the reference evaluator agree on the scored-policy constructs.

The fixture pack ``tests/fixtures/packs/scored`` uses every construct the pack
language has for scored policy: decimal inputs, case-insensitive and open codes,
record lists tested by rules (``any``, ``all``, ``none``) and read by derived values
(``latest``, ``count`` of distinct values, ``any``), calendar windows in months and
years, ``if``, ``lookup``, ``join``, arithmetic and ``max`` over ordered labels. Its
rules read each of them, so every generated case compares both evaluators on them.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from _property_support import dated_case_dicts, disagreements, examples
from hypothesis import given, settings

import riskreview
from riskreview import _derive, _derive_fast, _reference, _runtime, _values
from riskreview._fields import unheld_paths
from riskreview.pack import load_pack

SCORED = Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "scored"


@functools.cache
def scored() -> riskreview.Pack:
    return load_pack(SCORED)


def test_engine_and_reference_agree_on_every_scored_construct() -> None:
    pack = scored()
    seen: dict[str, set[str]] = defaultdict(set)
    compared: list[int] = []

    @settings(max_examples=examples(1_500))
    @given(dated_case_dicts(pack=pack))
    def agree(dated: tuple[dict[str, Any], date]) -> None:
        data, as_of = dated
        differ, found = disagreements(pack, riskreview.Case.from_dict(data), as_of)
        assert not differ, differ
        for rule_id, outcome in found.items():
            seen[rule_id].add(outcome)
        compared.append(1)

    agree()
    assert compared
    never_fired = [r.id for r in pack.rules if "fired" not in seen[r.id]]
    never_failed = [r.id for r in pack.rules if "not_fired" not in seen[r.id]]
    assert not never_fired, f"the generated cases never made these fire: {never_fired}"
    assert not never_failed, f"these rules never came out not_fired: {never_failed}"


@settings(max_examples=examples(300))
@given(dated_case_dicts(pack=load_pack(SCORED)))
def test_a_scored_decision_is_the_same_evaluated_twice(dated: tuple[dict[str, Any], date]) -> None:
    data, as_of = dated
    first = riskreview.evaluate(data, pack=scored(), as_of=as_of)
    again = riskreview.evaluate(data, pack=scored(), as_of=as_of)
    assert first.to_json() == again.to_json()
    assert set(first.reported) >= {"protect", "tier_label", "protect_points"}


HMPPS_TIER = Path(__file__).resolve().parents[2] / "examples" / "packs" / "hmpps-tier"


@functools.cache
def hmpps_tier() -> riskreview.Pack:
    return load_pack(HMPPS_TIER)


def _every_record(pack: riskreview.Pack, case: riskreview.Case, as_of: date) -> Any:
    """Every derived value of ``case`` as ``_values.values`` computes it, but with each
    ``where`` put to every record, in full (no index, no quick truth test)."""
    rt = _runtime.runtime(pack, pack.epoch(as_of))
    extras = _derive.read_inputs(pack.inputs, case.inputs, case.case_id)
    unheld = unheld_paths(case.not_held) if case.not_held else frozenset()
    ref = _reference.Reference(case, as_of, pack.parameter, rt.calendar, extras,
                               unheld=unheld, quick=rt.conditions)
    return _derive_fast.compute(
        _derive_fast.in_full(pack.derived),
        _derive.Ctx(
            extras, as_of, rt.calendar, pack.parameter,
            lambda field: ref.lookup(case, field),
            lambda node, item: ref.evaluate(node, item).truth,
            lambda node, item: _reference.unknown_paths(ref.evaluate(node, item)),
            lambda field, items, where: range(len(items)),  # every record, no index
        ),
        ref,
    )


def _scanning_only_the_records_a_where_can_hold_for(pack: riskreview.Pack) -> None:
    @settings(max_examples=examples(300))
    @given(dated_case_dicts(pack=pack))
    def same(dated: tuple[dict[str, Any], date]) -> None:
        data, as_of = dated
        case = riskreview.Case.from_dict(data, pack=pack)
        rt = _runtime.runtime(pack, pack.epoch(as_of))
        scanned = _values.values(pack, case, as_of, rt.calendar, rt.conditions).derived
        assert scanned == _every_record(pack, case, as_of)

    same()


def test_derived_values_scan_only_the_records_a_where_can_hold_for() -> None:
    """A ``where`` that names the values a record's field must take (``question: {in:
    [...]}``) is put only to the records holding one of them or none (the index);
    for every other it is false. Computed putting it to every record in full, each
    derived value, its explanation and what it waits on are the same, on the scored
    fixture pack and on the HMPPS tiering pack."""
    _scanning_only_the_records_a_where_can_hold_for(scored())
    _scanning_only_the_records_a_where_can_hold_for(hmpps_tier())
