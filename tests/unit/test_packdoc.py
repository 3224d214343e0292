"""The default pack's README is generated from the pack, and the pack answers every finding."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskreview import _packdoc
from riskreview._vocab import EventType
from riskreview.pack import Pack, default_pack, default_pack_path, load_pack
from riskreview.testing import coverage

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "rules" / "england-wales"
MINIMAL = ROOT / "tests" / "fixtures" / "broken_packs" / "_valid_minimal"


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(PACK_DIR)


def test_committed_readme_is_the_rendered_pack(pack: Pack) -> None:
    committed = (PACK_DIR / "README.md").read_text(encoding="utf-8")
    assert committed == _packdoc.render(pack), (
        "rules/england-wales/README.md is stale: regenerate it with "
        "riskreview doc rules/england-wales"
    )


def test_the_default_pack_is_the_one_documented() -> None:
    assert default_pack_path().resolve() == PACK_DIR.resolve()
    assert default_pack().digest == load_pack(PACK_DIR).digest


def test_every_finding_has_at_least_one_rule(pack: Pack) -> None:
    assert sorted(pack.findings) == list(range(1, 10))
    by_finding = _packdoc.rules_by_finding(pack)
    assert {n: rules for n, rules in by_finding.items() if not rules} == {}


def test_every_rule_names_known_findings_a_source_and_a_rationale(pack: Pack) -> None:
    for rule in pack.rules:
        assert rule.findings, rule.id
        assert set(rule.findings) <= set(pack.findings), rule.id
        assert rule.source.strip() and rule.rationale.strip() and rule.reason.strip(), rule.id


def test_readme_maps_findings_to_rules_and_shows_each_rule(pack: Pack) -> None:
    text = _packdoc.render(pack)
    assert "## Inspection findings and the rules that answer them" in text
    for number, rule_ids in _packdoc.rules_by_finding(pack).items():
        row = next(line for line in text.splitlines() if line.startswith(f"| {number} |"))
        for rule_id in rule_ids:
            assert f"[{rule_id}]" in row
    for rule in pack.rules:
        assert f"#### {rule.id}: {rule.title}" in text
        assert f"`{rule.action}`" in text
    for name in pack.parameters:
        assert f"`{name}`" in text


def test_readme_records_renamed_candidates_and_assumptions(pack: Pack) -> None:
    text = _packdoc.render(pack)
    for candidate in ("SCR-04", "DA-04", "CS-04", "REV-02", "HV-01", "CC-xx"):
        assert f"| {candidate} |" in text
    assert "## Assumed policy points" in text
    assert "## What the pack format cannot yet say" in text


def test_every_fact_a_rule_can_wait_on_has_information_wording(pack: Pack) -> None:
    missing = {
        path: rule.id
        for rule in pack.rules
        for path in _packdoc.waiting_fields(rule)
        if path not in pack.information
    }
    assert missing == {}


def test_every_change_in_circumstances_prompts_a_review_with_its_own_dated_due_time(
    pack: Pack,
) -> None:
    urgent = {
        "arrest",
        "recall",
        "domestic_abuse_callout",
        "police_information",
        "childrens_services_information",
        "safeguarding_concern",
    }
    found: dict[str, str] = {}
    for rule in pack.rules:
        if rule.area != "changed_circumstances":
            continue
        assert rule.action == "RISK_REVIEW", rule.id
        assert rule.due is not None and rule.due.anchor == "matched.events", rule.id
        param = rule.due.amount.name
        event_type = param.removeprefix("review_after_").removesuffix("_working_days")
        found[event_type] = rule.priority or pack.actions[rule.action].priority
        assert pack.parameters[param].values, rule.id
    assert set(found) == {e.value for e in EventType}
    assert {e for e, p in found.items() if p == "urgent"} >= urgent
    for event in urgent:
        assert pack.parameter(f"review_after_{event}_working_days", pack.effective_from) == 1
    assert found["loss_of_employment"] not in ("urgent", "high")


def test_every_number_is_a_dated_parameter_with_a_source(pack: Pack) -> None:
    for name, param in pack.parameters.items():
        assert param.description and param.source, name
        assert param.values and param.values[0][0] <= pack.effective_from, name


def test_the_medium_review_interval_changes_from_its_effective_date(pack: Pack) -> None:
    from datetime import date

    before = pack.parameter("review_interval_weeks", date(2027, 3, 31))
    after = pack.parameter("review_interval_weeks", date(2027, 4, 1))
    assert (before["medium"], after["medium"]) == (16, 12)


def test_coverage_fails_for_a_rule_added_without_scenarios(tmp_path: Path) -> None:
    copy = tmp_path / "england-wales"
    shutil.copytree(PACK_DIR, copy)
    extra = copy / "rules" / "zz_new.yaml"
    extra.write_text(
        "rules:\n"
        "  - id: NEW-01\n"
        "    title: A rule nobody has written scenarios for\n"
        "    area: review\n"
        "    findings: [4]\n"
        "    when: {mappa.category: 3}\n"
        "    action: RISK_REVIEW\n"
        "    source: assumed\n"
        "    rationale: To show the coverage check.\n",
        encoding="utf-8",
    )
    gaps = coverage(load_pack(copy)).gaps()
    assert "NEW-01: no scenario fires it" in gaps
    assert any(g.startswith("NEW-01: no scenario stops just short") for g in gaps)
    assert all(g.startswith("NEW-01") for g in gaps)


def test_render_works_for_a_pack_without_notes() -> None:
    text = _packdoc.render(load_pack(MINIMAL))
    assert text.startswith("# ")
    assert "## Rules" in text
    assert "## Candidate rules" not in text


def test_main_prints_the_readme(capsys: pytest.CaptureFixture[str], pack: Pack) -> None:
    assert _packdoc.main([str(PACK_DIR)]) == 0
    assert capsys.readouterr().out == _packdoc.render(pack)
