"""check speaks policy: a finding is said once across policy periods, rules sharing an
action are one note per action, and the engine's figures wait behind --engine."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import Run

import riskreview
from riskreview.check import check

FILES = {
    "pack.yaml": "name: t\nversion: '1'\neffective_from: 2024-01-01\n",
    "actions.yaml": """
actions:
  CHECK: {title: Request a check, area: domestic_abuse, priority: high}
""",
    "parameters/p.yaml": """
parameters:
  short_days: {description: short, source: assumed, values: {2024-01-01: 5, 2027-01-01: 40}}
  long_days: {description: long, source: assumed, values: {2024-01-01: 30}}
""",
}

RULES = """
rules:
  - id: OK-1
    title: Check when none is recorded
    area: domestic_abuse
    when: {checks.police_domestic_abuse.requested_date: {missing: true}}
    action: CHECK
    source: assumed
    rationale: r
  - id: OK-2
    title: Check again for a domestic abuse offence, from 2026
    area: domestic_abuse
    when: {index_offence.categories: {contains: domestic_abuse}}
    action: CHECK
    effective_from: 2026-01-01
    source: assumed
    rationale: r
  - id: BAD-1
    title: Never, in any period
    area: domestic_abuse
    when:
      all:
        - supervision.stage: community
        - supervision.stage: {in: [custody, licence]}
    action: CHECK
    source: assumed
    rationale: r
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


def _pack(tmp_path: Path) -> Path:
    for name, text in {**FILES, "rules/r.yaml": RULES}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text.lstrip(), encoding="utf-8")
    return tmp_path


def test_a_finding_in_every_period_is_said_once_and_one_in_some_names_them(
    tmp_path: Path,
) -> None:
    pack = riskreview.load_pack(_pack(tmp_path))
    assert [d.isoformat() for d in pack.change_dates] == ["2024-01-01", "2026-01-01", "2027-01-01"]
    report = check(pack, scenarios=False)
    never = {f.where.split()[-1]: f.message for f in report.of_kind("unsatisfiable")}
    assert never == {
        "BAD-1": "its conditions contradict each other: it can never fire",
        "BAD-2": "its conditions contradict each other: it can never fire in the policy "
        "periods from 2024-01-01 and 2026-01-01",
    }
    (overlap,) = report.of_kind("overlap")
    assert overlap.where == "actions.yaml CHECK"
    assert overlap.message == (
        "these rules can hold for the same case: BAD-2 with OK-1 in the policy period from "
        "2027-01-01, OK-2 in the policy period from 2027-01-01; OK-1 with OK-2 in the policy "
        "periods from 2026-01-01 and 2027-01-01; the decision then shows CHECK once, with "
        "each rule's reason"
    )
    assert len(report.of_kind("envelope")) == 3  # one per period, for --engine


def test_check_v_of_the_default_pack_is_a_short_list_of_notes_in_policy_words(run: Run) -> None:
    result = run("check", "-v")
    notes = [line for line in result.stdout.splitlines() if line.startswith("note: ")]
    assert 0 < len(notes) <= 20
    assert len(set(notes)) == len(notes)
    for word in ("lane", "paths", "properties", "widest node", "policy period from"):
        assert word not in result.stdout
    assert all(n.startswith("note: actions.yaml ") for n in notes)
    actions = [n.split()[2].rstrip(":") for n in notes]
    assert len(set(actions)) == len(actions)
    summary = result.stdout.splitlines()[-1]
    assert summary.endswith(f"{len(notes)} notes")


def test_engine_figures_come_only_with_engine(run: Run) -> None:
    plain = json.loads(run("check", "--json").stdout)
    assert "envelope" not in {f["kind"] for f in plain["findings"]}
    engine = run("check", "--engine")
    figures = [line for line in engine.stdout.splitlines() if "[envelope]" in line]
    assert figures and all("paths" in line and "policy period from" in line for line in figures)
    with_engine = json.loads(run("check", "--json", "--engine").stdout)
    assert "envelope" in {f["kind"] for f in with_engine["findings"]}
