"""`riskreview evaluate` shows an overdue next review with its reasons one per line, and
upcoming actions apart."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import Run

# medium risk, last reviewed 17 weeks ago, a low-risk style home visit long done:
# the regular review (16 weeks) fell due a week ago
LATE_REVIEW = {
    "case_id": "CLI-LATE",
    "supervision": {
        "stage": "community",
        "sentence_type": "community_order",
        "start_date": "2026-03-02",
    },
    "index_offence": {"categories": ["robbery"]},
    "offending_history": [],
    "concerns": [],
    "registrations": [],
    "risk": {
        "screening_date": "2026-03-03",
        "screening_outcome": "full_analysis_required",
        "full_analysis_date": "2026-03-16",
        "last_review_date": "2026-07-27",
        "rating_rationale_recorded": True,
        "levels": {"children": "low", "public": "medium", "known_adult": "low", "staff": "low"},
    },
    "household": {"children_in_contact": False, "children": []},
    "checks": {
        "police_domestic_abuse": {
            "requested_date": "2026-03-03",
            "response_date": "2026-03-09",
            "outcome": "no_trace",
        }
    },
    "plans": {
        "risk_management_plan_date": "2026-03-16",
        "sentence_plan_date": "2026-07-27",
        "barriers_assessment_date": "2026-03-16",
    },
    "needs": [],
    "events": [],
    "home_visits": [{"date": "2026-03-30"}],
}


def _write(tmp_path: Path, case: dict[str, object]) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    return path


def test_an_overdue_next_review_says_so_and_lists_its_reasons_one_per_line(
    run: Run, tmp_path: Path
) -> None:
    result = run("evaluate", _write(tmp_path, LATE_REVIEW), "--as-of", "2026-11-23")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("Next review:"))
    assert header == "Next review: 2026-11-16 (overdue)"
    reasons = lines[lines.index(header) + 1 :]
    assert reasons[0].startswith("  - regular review every 16 weeks for medium risk")
    assert "Review the risk of harm assessment" in result.stdout
    assert "due 2026-11-16 (overdue by 5 working days" in result.stdout


def test_upcoming_actions_are_shown_apart_with_the_horizon(run: Run, tmp_path: Path) -> None:
    case = dict(LATE_REVIEW, case_id="CLI-SOON", home_visits=[])
    case["risk"] = dict(LATE_REVIEW["risk"], last_review_date="2026-11-20")  # type: ignore[arg-type]
    case["supervision"] = dict(LATE_REVIEW["supervision"], start_date="2026-11-02")  # type: ignore[arg-type]
    path = _write(tmp_path, case)
    near = run("evaluate", path, "--as-of", "2026-11-23", "--upcoming-within", "3")
    assert near.exit_code == 0, near.output
    assert "Coming up (required, due more than 3 days ahead):" in near.stdout
    coming = near.stdout.split("Coming up", 1)[1]
    assert "Make a home visit" in coming
    wide = run("evaluate", path, "--as-of", "2026-11-23", "--upcoming-within", "400", "--json")
    decision = json.loads(wide.stdout)
    assert decision["upcoming_within"] == 400
    assert {a["timing"] for a in decision["actions"]} <= {"overdue", "due_now"}
    assert (
        "Coming up"
        not in run("evaluate", path, "--as-of", "2026-11-23", "--upcoming-within", "400").stdout
    )
