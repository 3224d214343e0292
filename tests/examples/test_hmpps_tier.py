"""The HMPPS tiering pack (examples/packs/hmpps-tier): its scenarios pass with full rule
coverage, `check` finds nothing to fix, its reported values explain themselves term by
term, its README is current, and it stays within 700 lines of YAML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import riskreview
from riskreview._packdoc import render
from riskreview.check import check
from riskreview.testing import coverage, run_scenarios

PACK = Path(__file__).resolve().parents[2] / "examples" / "packs" / "hmpps-tier"
MAX_LINES = 700
AS_OF = date(2026, 9, 1)


@pytest.fixture(scope="module")
def pack() -> riskreview.Pack:
    return riskreview.load_pack(PACK)


def test_every_scenario_passes_and_every_rule_is_covered(pack: riskreview.Pack) -> None:
    # the pytest plugin runs each scenario as its own item too; here they run as a whole
    assert len(pack.scenarios) >= 100 and pack.rules
    results = run_scenarios(pack)
    failing = {r.scenario.name: r.failures for r in results if r.failures}
    assert failing == {}
    assert coverage(pack, results).gaps() == []


def test_check_reports_no_errors_or_warnings(pack: riskreview.Pack) -> None:
    findings = [f for f in check(pack).findings if f.severity in ("error", "warning")]
    assert findings == []


def test_the_pack_is_at_most_700_lines_of_yaml_with_its_scenarios() -> None:
    files = sorted(PACK.rglob("*.yaml"))
    assert any(f.parent.name == "tests" for f in files)
    lines = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
    assert 0 < lines <= MAX_LINES, f"{lines} lines of YAML"


def test_every_reported_value_explains_each_of_its_terms(pack: riskreview.Pack) -> None:
    case = {
        "case_id": "HT-EXPLAIN",
        "inputs": {
            "gender": "female",
            "previous_enforcement": True,
            "rsr_score": "7.00",
            "ogrs_score": 59,
            "registrations": [
                {"code": "RHRH", "date": "2026-01-05"},
                {"code": "RMDO", "date": "2026-01-05"},
                {"code": "IIOM", "date": "2026-01-05"},
                {"code": "PRC", "date": "2026-01-05"},
            ],
            "convictions": [{"sentence_type": "SC"}],
            "assessments": [{"layer": "LAYER3", "status": "COMPLETE", "completed": "2026-06-01"}],
            "answers": [{"question": "currentDrugNoted", "answer": "YES"}],
            "san_indicator": False,
            "has_active_event": True,
            "arp_score": 50,
            "arp_type": "DYNAMIC",
            "csrp_score": 1,
            "csrp_type": "DYNAMIC",
            "sexual_offence_history": False,
        },
    }
    decision = riskreview.evaluate(case, as_of=AS_OF, pack=pack)
    reported = decision.reported
    values = {name: r["value"] for name, r in reported.items()}
    # RSR 20, RoSH 20, their overlap -20, MAPPA 0, one factor 2, a breach 2
    assert values["protect_points"] == 20 + 20 - 20 + 0 + 2 + 2
    assert values["protect_level"] == "B"
    assert values["change_points"] == 1 + 5 + 2  # drug misuse need, OGRS 59 ÷ 10, IOM
    assert values["tier_score"] == "B1S"
    assert values["tier"] == "D" and values["provisional"] is False
    for name, terms in {
        "protect_points": [
            "derived.rsr_points 20",
            "derived.rosh_points 20",
            "derived.rsr_rosh_overlap 20 × -1",
            "derived.complexity_factors 1 × 2",
            "derived.womens_points 2",
        ],
        "change_points": [
            "derived.needs_points 1",
            "derived.ogrs_points 5",
            "derived.iom_points 2",
        ],
        "needs_points": ["derived.drugs_need 1"],
        "tier_score": ["derived.protect_level B", "derived.change_level 1"],
        "highest_step": [
            "derived.reoffending_step D",
            "derived.mappa_rosh_step D",
            "derived.sexual_reoffending_step G",
            "derived.lifer_ipp_step G",
            "derived.flag_steps G",
        ],
    }.items():
        explanation = reported[name]["explanation"]
        missing = [t for t in terms if t not in explanation]
        assert not missing, f"{name}: {explanation}"
    for name in reported:
        assert reported[name]["explanation"].strip(), name


def test_the_readme_is_what_the_pack_renders(pack: riskreview.Pack) -> None:
    assert (PACK / "README.md").read_text(encoding="utf-8") == render(pack)
