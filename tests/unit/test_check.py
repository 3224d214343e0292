"""check(pack): the static review a policy owner runs before a pack goes live."""

from __future__ import annotations

from pathlib import Path

import pytest

import riskreview
from riskreview.check import check
from riskreview.errors import ArgumentError
from riskreview.pack import default_pack

BASE = {
    "pack.yaml": "name: t\nversion: '1'\neffective_from: 2024-01-01\n",
    "actions.yaml": """
actions:
  CHECK: {title: Request a check, area: domestic_abuse, priority: high}
  SPARE: {title: Never required, area: review, priority: low}
""",
    "conditions.yaml": """
conditions:
  orphan: {description: nobody uses it, when: {household.children_in_contact: true}}
""",
    "parameters/p.yaml": """
parameters:
  short_days: {description: short, source: assumed, values: {2024-01-01: 5}}
  long_days: {description: long, source: assumed, values: {2024-01-01: 30}}
  unused_days: {description: unused, source: assumed, values: {2024-01-01: 9}}
""",
}

RULE_OK = """
  - id: OK-1
    title: Check when none is recorded
    area: domestic_abuse
    when: {checks.police_domestic_abuse.requested_date: {missing: true}}
    action: CHECK
    source: assumed
    rationale: r
"""

SCENARIOS_OK = """
scenarios:
  - name: fires
    as_of: 2026-01-05
    case: {case_id: A}
    expect: {fired: [OK-1]}
  - name: near miss
    as_of: 2026-01-05
    case: {case_id: B, checks: {police_domestic_abuse: {requested_date: 2026-01-01}}}
    expect: {not_fired: [OK-1]}
"""


def _pack(tmp_path: Path, rules: str, scenarios: str = SCENARIOS_OK) -> riskreview.Pack:
    files = {**BASE, "rules/r.yaml": "rules:" + rules, "tests/s.yaml": scenarios}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text.lstrip(), encoding="utf-8")
    return riskreview.load_pack(tmp_path)


def test_the_default_pack_has_no_errors() -> None:
    report = check(default_pack())
    assert report.ok, str(report)
    assert report.of_kind("envelope")


def test_contradictory_window_is_unsatisfiable(tmp_path: Path) -> None:
    rule = (
        RULE_OK
        + """
  - id: BAD-1
    title: Impossible
    area: domestic_abuse
    when:
      all:
        - supervision.start_date: {older_than: {days: 10}}
        - supervision.start_date: {within_last: {days: 5}}
    action: CHECK
    source: assumed
    rationale: r
"""
    )
    report = check(_pack(tmp_path, rule), scenarios=False)
    assert [f.where.split()[-1] for f in report.of_kind("unsatisfiable")] == ["BAD-1"]
    assert not report.ok


def test_a_parameter_value_can_make_a_rule_impossible(tmp_path: Path) -> None:
    rule = (
        RULE_OK
        + """
  - id: BAD-2
    title: Older than the long window but within the short one
    area: domestic_abuse
    when:
      all:
        - supervision.start_date: {older_than: {days: {param: long_days}}}
        - supervision.start_date: {within_last: {days: {param: short_days}}}
    action: CHECK
    source: assumed
    rationale: r
"""
    )
    report = check(_pack(tmp_path, rule), scenarios=False)
    assert [f.where.split()[-1] for f in report.of_kind("unsatisfiable")] == ["BAD-2"]


def test_contradictory_enum_values_are_unsatisfiable(tmp_path: Path) -> None:
    rule = (
        RULE_OK
        + """
  - id: BAD-3
    title: Two stages at once
    area: domestic_abuse
    when:
      all:
        - supervision.stage: community
        - supervision.stage: {in: [custody, licence]}
    action: CHECK
    source: assumed
    rationale: r
"""
    )
    assert check(_pack(tmp_path, rule), scenarios=False).of_kind("unsatisfiable")


def test_same_action_on_overlapping_conditions_is_reported_not_an_error(tmp_path: Path) -> None:
    rule = (
        RULE_OK
        + """
  - id: OK-2
    title: Check again for a domestic abuse offence
    area: domestic_abuse
    when: {index_offence.categories: {contains: domestic_abuse}}
    action: CHECK
    source: assumed
    rationale: r
"""
    )
    report = check(_pack(tmp_path, rule), scenarios=False)
    assert [f.where for f in report.of_kind("overlap")] == ["actions.yaml CHECK"]
    assert "OK-1 and OK-2 can both hold" in report.of_kind("overlap")[0].message
    assert all(f.severity == "info" for f in report.of_kind("overlap"))


def test_unused_parameters_conditions_and_actions_are_warnings(tmp_path: Path) -> None:
    report = check(_pack(tmp_path, RULE_OK), scenarios=False)
    assert [f.where for f in report.of_kind("unused_parameter")] == [
        "parameters long_days",
        "parameters short_days",
        "parameters unused_days",
    ]
    assert [f.where for f in report.of_kind("unused_condition")] == ["conditions.yaml orphan"]
    assert [f.where for f in report.of_kind("unused_action")] == ["actions.yaml SPARE"]
    assert report.ok


def test_a_rule_without_a_firing_scenario_or_near_miss_is_an_error(tmp_path: Path) -> None:
    scenarios = """
scenarios:
  - name: only a near miss
    as_of: 2026-01-05
    case: {case_id: B, checks: {police_domestic_abuse: {requested_date: 2026-01-01}}}
    expect: {not_fired: [OK-1]}
"""
    report = check(_pack(tmp_path, RULE_OK, scenarios))
    assert [f.kind for f in report.findings if f.severity == "error"] == ["no_scenario"]


def test_an_invalid_or_failing_scenario_is_an_error(tmp_path: Path) -> None:
    scenarios = (
        SCENARIOS_OK
        + """
  - name: bad case
    as_of: 2026-01-05
    case: {case_id: C, household: {childrn: []}}
    expect: {actions: []}
  - name: wrong expectation
    as_of: 2026-01-05
    case: {case_id: D}
    expect: {actions: []}
"""
    )
    report = check(_pack(tmp_path, RULE_OK, scenarios))
    assert "did you mean 'children'" in report.of_kind("scenario_case")[0].message
    failed = {f.where.split(maxsplit=1)[1] for f in report.of_kind("scenario_failed")}
    assert failed == {"bad case", "wrong expectation"}


def test_findings_are_sorted_errors_first(tmp_path: Path) -> None:
    scenarios = SCENARIOS_OK.replace("expect: {fired: [OK-1]}", "expect: {actions: []}")
    report = check(_pack(tmp_path, RULE_OK, scenarios))
    order = [f.severity for f in report.findings]
    assert {"error", "warning", "info"} <= set(order)
    assert order == sorted(order, key=["error", "warning", "info"].index)


def test_check_given_something_other_than_a_pack_says_to_load_one() -> None:
    for wrong in (None, "rules/england-wales", Path("rules/england-wales")):
        with pytest.raises(ArgumentError) as info:
            check(wrong)  # type: ignore[arg-type]
        assert isinstance(info.value, TypeError)
        assert "load_pack(path)" in str(info.value)
        assert type(wrong).__name__ in str(info.value)
