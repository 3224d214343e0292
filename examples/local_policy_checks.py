"""How to unit-test a local policy variation with pytest.

The local variation is the overlay in ``examples/packs/local-variation/``, built on
the default pack by ``examples/local_pack.py``. These tests are what a policy team
would keep beside its overlay and run in CI whenever the overlay or the default
pack changes:

* every scenario of the overlay passes, one pytest test per scenario;
* every local rule has a scenario that fires it and one that stops just short;
* the replaced parameter holds the local values, and the review rule turns at
  exactly the local interval, for every risk level;
* one case decided under both packs differs only by what the local policy adds;
* the overlay cannot shadow default policy by accident.

Run: python -m pytest examples/local_policy_checks.py

The file name does not start with ``test_``, so the project's own test run does
not collect these tests a second time: ``tests/examples`` runs this file itself.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from local_pack import CASE, OVERLAY, OverlayError, build_local_pack

import riskreview
from riskreview.testing import coverage, run_scenario

AS_OF = date(2026, 11, 23)
LOCAL_INTERVALS = {"low": 16, "medium": 8, "high": 6, "very_high": 4}


def _overlay_scenario_names() -> list[str]:
    names = []
    for path in sorted((OVERLAY / "tests").glob("*.yaml")):
        names.extend(s["name"] for s in yaml.safe_load(path.read_text())["scenarios"])
    return names


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> riskreview.Pack:
    """The default pack plus the overlay, built once for this module."""
    return riskreview.load_pack(build_local_pack(tmp_path_factory.mktemp("local") / "pack"))


@pytest.mark.parametrize("name", _overlay_scenario_names())
def test_local_scenario(local: riskreview.Pack, name: str) -> None:
    [scenario] = [s for s in local.scenarios if s.name == name]
    result = run_scenario(local, scenario)
    assert result.passed, "\n".join(result.failures)


def test_every_local_rule_has_a_firing_scenario_and_a_near_miss(local: riskreview.Pack) -> None:
    local_rules = [r.id for r in local.rules if (OVERLAY / r.file).is_file()]
    assert local_rules == ["LOC-01"]
    gaps = [line for line in coverage(local).gaps() if line.split(":")[0] in local_rules]
    assert gaps == []


def test_the_replaced_parameter_holds_the_local_values(local: riskreview.Pack) -> None:
    assert local.parameter("review_interval_weeks", AS_OF) == LOCAL_INTERVALS
    assert local.parameters["review_interval_weeks"].source.startswith("local policy")
    assert local.name == "england-wales-local" and local.version.endswith("+local.1")


@pytest.mark.parametrize("level", sorted(LOCAL_INTERVALS))
def test_the_review_rule_turns_at_the_local_interval(local: riskreview.Pack, level: str) -> None:
    weeks = LOCAL_INTERVALS[level]

    def outcome(days_ago: int) -> str:
        case = {
            "case_id": f"EDGE-{level}",
            "supervision": {"stage": "community", "start_date": "2025-06-02"},
            "risk": {
                "screening_date": "2025-06-04",
                "last_review_date": (AS_OF - timedelta(days=days_ago)).isoformat(),
                "levels": {"public": level},
            },
        }
        return riskreview.explain(case, "REV-01", as_of=AS_OF, pack=local).outcome

    assert outcome(7 * weeks) == "not_fired"
    assert outcome(7 * weeks + 1) == "fired"


def test_the_local_pack_only_adds_requirements_to_this_case(local: riskreview.Pack) -> None:
    def pairs(decision: riskreview.Decision) -> set[tuple[str, str]]:
        return {(a.code, rule) for a in decision.actions for rule in a.rule_ids}

    default = pairs(riskreview.evaluate(CASE, as_of=AS_OF))
    varied = pairs(riskreview.evaluate(CASE, as_of=AS_OF, pack=local))
    assert {("POLICE_DA_CHECK", "LOC-01"), ("RISK_REVIEW", "REV-01")} <= varied - default
    assert default - varied == set()


def _overlay_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "overlay"
    shutil.copytree(OVERLAY, copy)
    return copy


def _edit_manifest(overlay: Path, change: dict[str, Any]) -> None:
    path = overlay / "overlay.yaml"
    path.write_text(yaml.safe_dump({**yaml.safe_load(path.read_text()), **change}))


def test_a_parameter_is_not_replaced_unless_the_overlay_says_so(tmp_path: Path) -> None:
    overlay = _overlay_copy(tmp_path)
    _edit_manifest(overlay, {"replaces": {"parameters": []}})
    with pytest.raises(OverlayError, match="review_interval_weeks"):
        build_local_pack(tmp_path / "pack", overlay)


def test_a_local_file_may_not_replace_a_whole_default_file(tmp_path: Path) -> None:
    overlay = _overlay_copy(tmp_path)
    (overlay / "rules" / "local.yaml").rename(overlay / "rules" / "domestic_abuse.yaml")
    with pytest.raises(OverlayError, match=r"rules/domestic_abuse\.yaml"):
        build_local_pack(tmp_path / "pack", overlay)


def test_an_overlay_for_another_base_pack_is_refused(tmp_path: Path) -> None:
    overlay = _overlay_copy(tmp_path)
    _edit_manifest(overlay, {"extends": "scotland"})
    with pytest.raises(OverlayError, match="scotland"):
        build_local_pack(tmp_path / "pack", overlay)


def test_a_local_rule_may_not_reuse_a_default_rule_id(tmp_path: Path) -> None:
    overlay = _overlay_copy(tmp_path)
    rules = overlay / "rules" / "local.yaml"
    rules.write_text(rules.read_text().replace("id: LOC-01", "id: DA-01"))
    with pytest.raises(riskreview.PackError, match="DA-01"):
        riskreview.load_pack(build_local_pack(tmp_path / "pack", overlay))
