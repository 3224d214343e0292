"""``riskreview batch --previous``: a nightly scan that costs what changed."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from cli_support import Run

from riskreview.synthetic import generate

DAY = date(2026, 11, 23)


def test_a_rescan_with_the_last_output_as_previous_reuses_and_answers_as_a_fresh_run(
    run: Run, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    rows = list(generate(30, seed=8, as_of=DAY))
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "decisions.jsonl"
    first = run("batch", cases, "-o", out, "--workers", "0", "--as-of", DAY.isoformat())
    assert first.exit_code in (0, 1), first.output
    rows[0]["domestic_abuse"] = {"police_callouts_12_months": 5}  # one case changes
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    later = (DAY + timedelta(days=1)).isoformat()
    again = run(
        "batch", cases, "-o", out, "--previous", out, "--workers", "0", "--as-of", later, "--json"
    )
    assert again.exit_code in (0, 1), again.output
    summary = json.loads(again.stdout)
    assert summary["by_status"].get("reused", 0) >= 10
    assert summary["by_status"].get("reused", 0) + summary["by_status"].get("ok", 0) == 30
    fresh = tmp_path / "fresh.jsonl"
    run("batch", cases, "-o", fresh, "--workers", "0", "--as-of", later)
    assert out.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8")


def test_a_missing_previous_file_is_bad_input_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"case_id": "A"}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("batch", cases, "-o", out, "--previous", tmp_path / "nope.jsonl")
    assert result.exit_code == 2
    assert not out.exists()
