"""riskreview.diff: gains, losses and moved due dates per action, and the HTML page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cli_support import DAY, FIXTURES, assert_page_matches, reviewed_weeks_ago, shorter_reviews

from riskreview.diff import ActionImpact, ImpactReport, PackInfo, impact, render_html
from riskreview.pack import load_pack


def _write_minimal_variants(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "old"
    shutil.copytree(FIXTURES / "_valid_minimal", old)
    return old, shorter_reviews(old, tmp_path / "new")


def test_impact_counts_gains_and_losses_both_ways_with_five_examples(tmp_path: Path) -> None:
    old, new = _write_minimal_variants(tmp_path)
    cases = [reviewed_weeks_ago(f"R{i}", 6) for i in range(7)]
    cases.append(reviewed_weeks_ago("FRESH", 1))
    forward = impact(old, new, cases, DAY)
    review = forward.action("RISK_REVIEW")
    assert review is not None
    assert (review.before, review.after, review.gained, review.lost) == (0, 7, 7, 0)
    assert review.gained_examples == ("R0", "R1", "R2", "R3", "R4")
    assert forward.changed_cases == 7 and forward.gained == 7 and forward.lost == 0
    backward = impact(new, old, cases, DAY)
    back = backward.action("RISK_REVIEW")
    assert back is not None and (back.gained, back.lost) == (0, 7)
    assert back.lost_examples == review.gained_examples
    police = forward.action("POLICE_DA_CHECK")
    assert police is not None and not police.changed and police.before == police.after == 8


def test_impact_counts_moved_due_dates(tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(FIXTURES / "_valid_minimal", old)
    new = tmp_path / "new"
    shutil.copytree(old, new)
    deadlines = new / "parameters" / "deadlines.yaml"
    text = deadlines.read_text("utf-8").replace("2024-01-01: 5", "2024-01-01: 10")
    deadlines.write_text(text, "utf-8")
    cases = [{"case_id": f"D{i}", "supervision": {"start_date": "2026-11-02"}} for i in range(3)]
    report = impact(load_pack(old), load_pack(new), cases, DAY)
    police = report.action("POLICE_DA_CHECK")
    assert police is not None
    assert (police.gained, police.lost, police.due_changed) == (0, 0, 3)
    assert report.due_dates_changed == 3 and report.changed_cases == 3
    assert report.gained == report.lost == 0


def test_impact_of_a_pack_on_itself_is_nothing_and_invalid_cases_are_counted(
    tmp_path: Path,
) -> None:
    old, _ = _write_minimal_variants(tmp_path)
    cases: list[Any] = [{"case_id": "A"}, "{not json", {"case_id": "B", "mappa": {"level": 7}}]
    report = impact(old, old, cases, DAY)
    assert report.cases == 1 and not report.changed and report.invalid == 2
    assert [(i.index, i.case_id) for i in report.invalid_examples] == [(1, None), (2, "B")]
    assert "$.mappa.level" in report.invalid_examples[1].error
    data = json.loads(report.to_json())
    assert data["invalid"] == 2 and data["gained"] == data["lost"] == 0


# ------------------------------------------------------------------ the page


def _example_report() -> ImpactReport:
    def action(code: str, title: str, **counts: int) -> ActionImpact:
        numbers = {"before": 10, "after": 10, "gained": 0, "lost": 0, "due_changed": 0} | counts
        ids = {k: tuple(f"{code}-{k}-{i}" for i in range(min(numbers[k], 5))) for k in numbers}
        return ActionImpact(
            code=code,
            title=title,
            gained_examples=ids["gained"],
            lost_examples=ids["lost"],
            due_changed_examples=ids["due_changed"],
            **numbers,
        )

    pack = PackInfo("england-wales", "0.1.0", "sha256:" + "a" * 64)
    return ImpactReport(
        old=pack,
        new=PackInfo("england-wales", "0.2.0", "sha256:" + "b" * 64),
        as_of=DAY,
        cases=120,
        changed_cases=40,
        due_dates_changed=6,
        actions=(
            action("CSC_ENQUIRY", "Enquire <with> children's social care", after=30, gained=20),
            action("POLICE_DA_CHECK", "Police check", after=2, lost=8),
            action("RISK_REVIEW", "Review & record", after=17, gained=12, lost=5),
            action("SAME_AS_BEFORE", "Unchanged", due_changed=6),
        ),
    )


def test_the_page_chart_and_table_match_the_report() -> None:
    report = _example_report()
    html = render_html(report)
    assert_page_matches(html, report.to_dict())
    assert "Enquire &lt;with&gt; children&#x27;s social care" in html
    assert "<with>" not in html
    assert "CSC_ENQUIRY-gained-4" in html and "CSC_ENQUIRY-gained-5" not in html


def test_a_report_without_gains_or_losses_has_no_bars() -> None:
    report = _example_report()
    quiet = ImpactReport(report.old, report.new, DAY, 3, 0, 0, report.actions[3:])
    html = render_html(quiet)
    assert "No case gains or loses any action" in html
    assert_page_matches(html, quiet.to_dict())
