"""Single-point mutants: each plants one fault in one place, and a check must catch it.

Engine-side mutants (the reference evaluator does not share the code they change)
are caught by the differential: ``riskreview.evaluate(..., trace=True)`` runs the
engine and the reference evaluator on every rule and raises EngineError when they
disagree. Each runs the default pack over a synthetic caseload
(``riskreview.synthetic``) and records the first case that shows the fault:

* a flipped comparison: DA-07's "requested more than 10 working days ago"
  (``age >= 11``) compiled as ``age <= 11``, in DA-07 only;
* a dropped condition: DA-05-REPEAT compiled without the third term of its
  ``all:`` (a call-out after the referral), while the reference reads all three;
* an off-by-one in a date window: HV-02's events "within the last 14 days"
  compiled as 15 days;
* a lost list item: the fact builder builds the engine's facts without the last
  child of ``household.children``.

Each must be found within the budget, and must be a single point: on a sample of
the caseload most cases still agree (a fault that changed every comparison would
diverge on nearly all of them). The control, the same caseload unmutated, never
diverges. The cases the property tests draw (``riskreview.strategies``) catch the
first, second and fourth as well; they do not reach the date window's boundary
(docs/assurance.md gives the figures).

Mutants in code both evaluators share cannot be seen by the differential (both
read the same wrong value), so an independent oracle catches them: the packs' own
YAML scenarios, written by hand from the policy (``riskreview.testing``):

* derived-value computation: a value on a band's lower edge falls into the band
  below (``v >= low`` becomes ``v > low``): the tiering example's band-edge scenarios;
* pack-declared input encoding: a list input is read as a set (repeated answers
  counted once): the default pack's DASH-answers scenarios;
* a derived value computed values first: a compiled ``max`` picks as a ``min`` (and
  the other way round): the HMPPS tiering pack's scenarios on RSR and RoSH points
  and on the steps of the A–G tier;
* the compiled evidence pass: a due date anchored on the latest matched item
  rather than the earliest (the engine says only that the rule fired): the default
  pack's scenario of two new relationships since the last review.

Sizes: a budget of 1,500 synthetic cases on seed 11, a sample of 300, and 500
drawn cases; under ``RISKREVIEW_PROFILE=long``, 5,000 synthetic cases on each of
six seeds and 1,000 drawn cases.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from _mutation_support import (
    Divergence,
    divergence,
    drawn_divergence,
    drop_term,
    flipped,
    load_default_pack,
    plant_in_rule,
    plant_in_source,
    plant_lost_child,
    replace_one_test,
    report,
    search,
    widened_by_one,
)

import riskreview
from riskreview import _derive_compute, _derive_fast, _evidence, _inputs, _walk
from riskreview._compile import compile_epoch
from riskreview._lower import Test as LoweredTest
from riskreview.synthetic import generate
from riskreview.testing import run_scenarios

LONG = os.environ.get("RISKREVIEW_PROFILE") == "long"
AS_OF = date(2026, 11, 23)
SEEDS = (11, 1, 2, 3, 4, 5) if LONG else (11,)
BUDGET = 5_000 if LONG else 1_500  # synthetic cases a mutant may take to show
SAMPLE = 300  # cases on which a single-point mutant must mostly agree
DRAWN = 1_000 if LONG else 500  # cases drawn by the property tests' strategies
TIERING = Path(__file__).resolve().parents[2] / "examples" / "packs" / "tiering"
HMPPS_TIER = Path(__file__).resolve().parents[2] / "examples" / "packs" / "hmpps-tier"


@functools.cache
def caseload(seed: int) -> tuple[dict[str, Any], ...]:
    return tuple(generate(BUDGET, seed=seed, as_of=AS_OF))


def _test_on(path: str, kind: str, side: str) -> Callable[[LoweredTest], bool]:
    return lambda t: t.prop.kind == kind and t.prop.field.path == path and t.side == side


@attrs.frozen
class Mutant:
    name: str
    plant: Callable[[pytest.MonkeyPatch], riskreview.Pack]
    rule_id: str | None = None  # the one rule whose compiled form it changes


def _lost_child(monkeypatch: pytest.MonkeyPatch) -> riskreview.Pack:
    plant_lost_child(monkeypatch)
    return load_default_pack()


ENGINE_SIDE = [
    Mutant(
        "flipped-comparison",
        lambda mp: plant_in_rule(
            mp,
            "DA-07",
            replace_one_test(
                _test_on("checks.police_domestic_abuse.requested_date", "age_wd", "ge"), flipped
            ),
        ),
        "DA-07",
    ),
    Mutant(
        "dropped-condition",
        lambda mp: plant_in_rule(mp, "DA-05-REPEAT", drop_term(2)),
        "DA-05-REPEAT",
    ),
    Mutant(
        "date-window-off-by-one",
        lambda mp: plant_in_rule(
            mp, "HV-02", replace_one_test(_test_on("date", "age_days", "le"), widened_by_one)
        ),
        "HV-02",
    ),
    Mutant("lost-list-item", _lost_child),
]


@pytest.mark.parametrize("mutant", ENGINE_SIDE, ids=[m.name for m in ENGINE_SIDE])
@pytest.mark.parametrize("seed", SEEDS)
def test_an_engine_side_mutant_is_caught_by_the_differential_within_the_budget(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mutant: Mutant,
    seed: int,
) -> None:
    found = search(mutant.plant(monkeypatch), caseload(seed), AS_OF, sample=SAMPLE)
    report(f"{mutant.name} (seed {seed})", found, capsys)
    assert found.first is not None, f"not found in {BUDGET} cases"
    # one point, not every comparison: most of the sample still agrees
    assert found.diverged <= SAMPLE // 4, found


@pytest.mark.parametrize("seed", SEEDS)
def test_the_unmutated_code_never_diverges_on_the_same_caseload(seed: int) -> None:
    found = divergence(load_default_pack(), caseload(seed), AS_OF)
    assert found == Divergence(None, 0, BUDGET)


DRAWN_FINDS = [m for m in ENGINE_SIDE if m.name != "date-window-off-by-one"]


@pytest.mark.parametrize("mutant", DRAWN_FINDS, ids=[m.name for m in DRAWN_FINDS])
def test_the_property_tests_cases_catch_the_mutant_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mutant: Mutant
) -> None:
    found = drawn_divergence(mutant.plant(monkeypatch), DRAWN)
    report(f"{mutant.name} (drawn cases)", found, capsys)
    assert found.first is not None, f"not found in {found.cases} drawn cases"


def test_the_unmutated_code_never_diverges_on_the_drawn_cases() -> None:
    found = drawn_divergence(load_default_pack(), DRAWN)
    assert found == Divergence(None, 0, DRAWN)


@pytest.mark.parametrize(
    "mutant", [m for m in ENGINE_SIDE if m.rule_id], ids=[m.name for m in ENGINE_SIDE if m.rule_id]
)
def test_a_rule_mutant_changes_the_compiled_form_of_its_one_rule_only(
    monkeypatch: pytest.MonkeyPatch, mutant: Mutant
) -> None:
    pack = riskreview.default_pack()
    before = {e: {cr.rule.id: cr.formula for cr in compile_epoch(pack, e).rules}
              for e in pack.change_dates}  # fmt: skip
    mutated = mutant.plant(monkeypatch)
    for epoch, formulas in before.items():
        after = {cr.rule.id: cr.formula for cr in compile_epoch(mutated, epoch).rules}
        assert after.keys() == formulas.keys()
        assert [r for r in formulas if formulas[r] != after[r]] == [mutant.rule_id], epoch


# ---------------------------------------------------------------- shared code: scenarios


def _failing(pack: riskreview.Pack) -> dict[str, tuple[str, ...]]:
    """The pack's scenarios that fail, by name, with their failures."""
    return {r.scenario.name: r.failures for r in run_scenarios(pack) if not r.passed}


def _hmpps_failing(mutant: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The HMPPS tiering pack's failing scenarios on a fresh load (its derived values
    are compiled, and its store of kept results made, when it loads), shown as what
    the mutant ``mutant`` breaks."""
    failing = _failing(riskreview.load_pack(HMPPS_TIER))
    names = sorted(failing)
    with capsys.disabled():
        print(f"\n  mutant {mutant}: {len(failing)} scenarios fail: {names[:6]}"
              + (" ..." if len(names) > 6 else ""))
    return failing


def test_a_mutant_in_derived_value_computation_is_caught_by_the_band_edge_scenarios(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tiering = riskreview.load_pack(TIERING)
    assert _failing(tiering) == {}  # the oracle holds on the unmutated code
    plant_in_source(monkeypatch, _derive_compute, "_band", "if v >= low:", "if v > low:")
    # values are computed through the table of operations, by name
    monkeypatch.setitem(_derive_compute.OPS, "band", _derive_compute._band)
    failing = _failing(tiering)
    with capsys.disabled():
        print(f"\n  mutant band-edge: {len(failing)} scenarios fail: {sorted(failing)}")
    # a value exactly on a band's edge now lands in the band below; one above does not
    assert "points 10 is band C, exactly on the edge" in failing
    assert "points 60 is band A, exactly on the edge" in failing
    assert "predictor 50 is medium, on the edge" in failing
    assert "points 11 is band C, one above the edge" not in failing
    assert any("reported: points_band is 'D', expected 'C'" in f
               for f in failing["points 10 is band C, exactly on the edge"])  # fmt: skip


def test_a_mutant_in_input_encoding_is_caught_by_the_dash_answer_scenarios(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = load_default_pack()
    assert _failing(pack) == {}  # the oracle holds on the unmutated code
    plant_in_source(
        monkeypatch,
        _inputs,
        "_input_value",
        "return (tuple(converted) if",
        "return (tuple(dict.fromkeys(converted)) if",  # a list read as a set
    )
    failing = _failing(pack)
    with capsys.disabled():
        print(f"\n  mutant list-input-as-set: {len(failing)} scenarios fail: {sorted(failing)}")
    # 14 "yes" answers count as one: DA-05 no longer fires
    name = "DA-05 fires on 14 yes answers on the DASH checklist, counted from the answers"
    assert name in failing
    assert any("DA-05" in f for f in failing[name])


def test_a_mutant_in_a_compiled_derived_value_is_caught_by_the_hmpps_tier_scenarios(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Derived values are computed values first by functions compiled for them
    (:mod:`riskreview._derive_fast`), the full computation only for the reported ones:
    a ``max`` compiled as a ``min`` picks the lowest step where the policy takes the
    highest, and the HMPPS tiering pack's own scenarios see the tier come out wrong."""
    pack = riskreview.load_pack(HMPPS_TIER)
    assert _failing(pack) == {}  # the oracle holds on the unmutated code
    plant_in_source(
        monkeypatch, _derive_fast, "_extreme", 'larger = d.op == "max"', 'larger = d.op != "max"'
    )
    # each operation is compiled through the table of makers, by name, when a pack loads
    monkeypatch.setitem(_derive_fast._MAKERS, "max", _derive_fast._extreme)
    monkeypatch.setitem(_derive_fast._MAKERS, "min", _derive_fast._extreme)
    failing = _hmpps_failing("compiled-max-as-min", capsys)
    # the overlap of RSR and RoSH points (a min) and the highest of the steps (a max)
    assert "RSR 10 under RoSH very high counts nothing" in failing
    assert "static CSRP: DC-SRP high reaches B, not provisional" in failing


def test_a_mutant_in_counts_made_in_one_pass_is_caught_by_the_hmpps_tier_scenarios(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Counts over one list that share a key are made in one pass over it
    (``_derive_fast._scan``): a pass that counts every answer to a section's
    questions, whatever the answer, scores each section too high, and the HMPPS
    tiering pack's own scenarios see the needs come out wrong."""
    pack = riskreview.load_pack(HMPPS_TIER)
    assert _failing(pack) == {}
    plant_in_source(monkeypatch, _derive_fast, "_scan", "if a not in values:", "if a is None:")
    failing = _hmpps_failing("pass-counts-every-answer", capsys)
    assert "answers all Missing or Unknown score no need" in failing
    assert len(failing) >= 3


def test_a_mutant_in_the_key_of_kept_results_is_caught_by_the_hmpps_tier_scenarios(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Results of plain scores are kept by the values they read
    (``_derive_fast.Remembered``): a key that leaves out the last value read gives one
    case the result kept for another, and the HMPPS tiering pack's own scenarios, run
    one after another on one runtime, see a value come out wrong."""
    pack = riskreview.load_pack(HMPPS_TIER)
    assert _failing(pack) == {}
    plant_in_source(monkeypatch, _derive_fast, "_pure_reads",
                    "return tuple(sorted(read)),", "return tuple(sorted(read))[:-1],")
    failing = _hmpps_failing("key-without-its-last-value", capsys)
    assert "150 points (MAPPA M3 alone) is A" in failing
    assert len(failing) >= 3


def test_a_mutant_in_the_compiled_evidence_pass_is_caught_by_the_default_packs_scenarios(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fired rule's evidence and due-date anchor are gathered in one compiled pass
    (:mod:`riskreview._evidence`), which the engine does not check (it says only that
    the rule fired): an anchor taken from the latest matched item instead of the
    earliest puts an overdue review back, and the default pack's scenario of two new
    relationships since the last review sees the due date come out wrong."""
    pack = load_default_pack()
    assert _failing(pack) == {}
    plant_in_source(monkeypatch, _evidence, "compile_rule", "else min(days)", "else max(days)")
    monkeypatch.setattr(_walk, "compile_rule", _evidence.compile_rule)
    failing = _failing(load_default_pack())  # compiled afresh, by a pack loaded now
    with capsys.disabled():
        print(f"\n  mutant anchor-from-latest-item: failing {sorted(failing)}")
    name = "CC-NEWREL on two new relationships since the last review is due from the first, whichever is listed first"  # noqa: E501
    assert failing == {name: ("due: RISK_REVIEW due 2026-11-26, expected 2026-11-12",)}
