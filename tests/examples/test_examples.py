"""Every example script runs as an integrator would run it, and prints what it promises."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from riskreview.pack import default_pack_path, load_pack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
AS_OF = date(2026, 11, 23)


def _run(*args: str, timeout: float = 240) -> str:
    """Run a command from the repository root; fail with its output if it fails."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _json(*args: str) -> Any:
    return json.loads(_run(*args))


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of the default pack, so the script and this test read the same policy."""
    target = tmp_path_factory.mktemp("pack") / "england-wales"
    shutil.copytree(default_pack_path(), target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return target


def _import_example(name: str) -> Any:
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return __import__(name)


# ---------------------------------------------------------------- integrate_case_management


@pytest.fixture(scope="module")
def casebook_tasks() -> dict[str, list[dict[str, Any]]]:
    tasks: dict[str, list[dict[str, Any]]] = _json(
        "examples/integrate_case_management.py", "--json"
    )
    return tasks


def test_case_management_actions_become_tasks_with_owner_due_date_and_rules(
    casebook_tasks: dict[str, list[dict[str, Any]]],
) -> None:
    tasks = {t["id"]: t for t in casebook_tasks["CB-2026-00417"]}
    enquiry = tasks["CB-2026-00417/CSC_ENQUIRY"]
    assert enquiry["kind"] == "action" and enquiry["owner_team"] == "Safeguarding hub"
    assert "CS-02" in enquiry["source_rules"]
    police = tasks["CB-2026-00417/POLICE_DA_CHECK"]
    assert police["owner_team"] == "Domestic abuse unit" and "DA-01" in police["source_rules"]
    for task in tasks.values():
        assert task["source_rules"], task["id"]
        assert date.fromisoformat(task["due"]).year in (2026, 2027)
    assert len({t["id"] for t in casebook_tasks["CB-2026-00417"]}) == len(tasks)


def test_information_actions_become_data_quality_tasks(
    casebook_tasks: dict[str, list[dict[str, Any]]],
) -> None:
    quality = [t for t in casebook_tasks["CB-2026-00417"] if t["kind"] == "data_quality"]
    assert quality
    for task in quality:
        assert task["owner_team"] == "Data quality" and "/DQ/" in task["id"]
        assert task["source_rules"] and "until" in task["notes"][0]


def test_a_record_riskreview_rejects_becomes_a_fix_task_naming_each_problem(
    casebook_tasks: dict[str, list[dict[str, Any]]],
) -> None:
    tasks = casebook_tasks["CB-2026-00533"]
    assert [t["id"] for t in tasks] == ["CB-2026-00533/DQ/UNTRANSLATED", "CB-2026-00533/DQ/INVALID"]
    assert all(t["kind"] == "data_quality" for t in tasks)
    assert "'GRAFFITI'" in tasks[0]["notes"][0]
    assert tasks[1]["notes"][0].startswith("$.mappa.level:")


def test_case_management_example_prints_tasks_for_people() -> None:
    out = _run("examples/integrate_case_management.py")
    assert re.search(r"CB-2026-00417 on 2026-11-23: \d+ tasks, \d+ data quality tasks", out)
    assert "id CB-2026-00417/CSC_ENQUIRY; rules CS-02" in out
    assert "- $.mappa.level: " in out


# ---------------------------------------------------------------- local_policy_checks


def test_the_local_policy_checks_pass_under_pytest() -> None:
    out = _run("-m", "pytest", "-p", "no:cacheprovider", "examples/local_policy_checks.py")
    passed = re.search(r"(\d+) passed", out)
    assert passed and int(passed.group(1)) >= 15, out
    assert "failed" not in out and "error" not in out.lower()


# ---------------------------------------------------------------- nightly_scan


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == [
            "case_id", "code", "priority", "due_date", "status", "working_days", "rule_ids",
        ]  # fmt: skip
        return list(reader)


def test_nightly_scan_of_a_synthetic_caseload_lists_only_actions_due_today_or_overdue(
    tmp_path: Path, pack_dir: Path
) -> None:
    summary = _json(
        "examples/nightly_scan.py",
        "--as-of", "2026-11-23", "--out", str(tmp_path), "--pack", str(pack_dir),
        "--synthetic", "80", "--json",
    )  # fmt: skip
    lines = (tmp_path / "caseload.jsonl").read_text().splitlines()
    assert len(lines) == summary["cases"] == 80 and summary["results"] == {"ok": 80}
    rows = _csv_rows(tmp_path / "actions.csv")
    assert len(rows) == summary["actions"] > 0
    assert sum(summary["actions_by_code"].values()) == len(rows)
    case_ids = {json.loads(line)["case_id"] for line in lines}
    for row in rows:
        assert row["case_id"] in case_ids and row["rule_ids"], row
        due = date.fromisoformat(row["due_date"])
        if row["status"] == "due_today":
            assert due == AS_OF and row["working_days"] == "0", row
        else:
            assert row["status"] == "overdue" and due < AS_OF, row
    assert {r["code"] for r in rows} >= {"POLICE_DA_CHECK", "RISK_REVIEW"}


# Vignettes of the default pack, on their own date (2026-11-23, a Monday), and what
# the scan must list for each: the action codes and due dates are the ones the pack's
# authors wrote by hand in rules/england-wales/tests/vignettes.yaml; statuses and
# working days are counted by hand (no bank holiday falls in November 2026).
VIGNETTES = ("V07", "V10", "V11", "V12", "V13")
DUE_OR_OVERDUE = {
    # V07, a new relationship on 16 Nov: the disclosure decision was due 3 working
    # days later (Thu 19 Nov), 2 working days overdue (Fri 20, Mon 23)
    ("V07", "POLICE_DA_CHECK", "2026-11-23", "due_today", "0"),
    ("V07", "CONSIDER_DVDS", "2026-11-19", "overdue", "2"),
    ("V07", "RISK_REVIEW", "2026-11-23", "due_today", "0"),
    ("V07", "CSC_ENQUIRY", "2026-11-23", "due_today", "0"),
    # V10: the MARAC referral is due tomorrow: not listed
    ("V11", "MARAC_REFERRAL", "2026-11-23", "due_today", "0"),
    ("V11", "RISK_REVIEW", "2026-11-23", "due_today", "0"),
    ("V12", "CSC_ENQUIRY", "2026-11-23", "due_today", "0"),
    ("V12", "RISK_REVIEW", "2026-11-23", "due_today", "0"),
    # V13: due Mon 9 Nov, 10 working days before Mon 23 Nov
    ("V13", "RISK_MANAGEMENT_PLAN", "2026-11-09", "overdue", "10"),
    ("V13", "RISK_REVIEW", "2026-11-09", "overdue", "10"),
}
WITHIN_TWO_WORKING_DAYS = {
    ("V10", "MARAC_REFERRAL", "2026-11-24", "not_yet_due", "1"),
    ("V11", "HOME_VISIT", "2026-11-25", "not_yet_due", "2"),
}


def test_nightly_scan_lists_the_due_and_overdue_actions_of_hand_checked_cases(
    tmp_path: Path, pack_dir: Path
) -> None:
    scenarios = {s.name.split()[0]: s for s in load_pack(pack_dir).scenarios}
    cases = tmp_path / "vignettes.jsonl"
    cases.write_text(
        "".join(json.dumps(dict(scenarios[v].case), default=str) + "\n" for v in VIGNETTES)
    )
    assert {scenarios[v].as_of for v in VIGNETTES} == {AS_OF}

    def scan(out: Path, *extra: str) -> set[tuple[str, ...]]:
        _run(
            "examples/nightly_scan.py", "--cases", str(cases), "--as-of", "2026-11-23",
            "--out", str(out), "--pack", str(pack_dir), "--workers", "0", *extra,
        )  # fmt: skip
        rows = _csv_rows(out / "actions.csv")
        assert all(r["rule_ids"] for r in rows)
        return {
            (r["case_id"], r["code"], r["due_date"], r["status"], r["working_days"]) for r in rows
        }

    assert scan(tmp_path / "today") == DUE_OR_OVERDUE
    assert scan(tmp_path / "horizon", "--horizon", "2") == DUE_OR_OVERDUE | WITHIN_TWO_WORKING_DAYS


def test_nightly_scan_reports_bad_lines_and_lists_upcoming_actions_within_the_horizon(
    tmp_path: Path, pack_dir: Path
) -> None:
    started_today = {"case_id": "NEW-1", "supervision": {"start_date": "2026-11-23"}}
    cases = tmp_path / "cases.jsonl"
    invalid = {"case_id": "X", "mappa": {"level": 9}}
    lines = [json.dumps(started_today), "{not json", "", json.dumps(invalid)]
    cases.write_text("\n".join(lines) + "\n")

    def scan(out: Path, *extra: str) -> tuple[str, list[dict[str, str]]]:
        printed = _run(
            "examples/nightly_scan.py", "--cases", str(cases), "--as-of", "2026-11-23",
            "--out", str(out), "--pack", str(pack_dir), "--workers", "0", *extra,
        )  # fmt: skip
        with (out / "actions.csv").open(newline="") as file:
            return printed, list(csv.DictReader(file))

    printed, rows = scan(tmp_path / "today")
    assert "3 cases" in printed and "case_error 2" in printed and "ok 1" in printed
    with (tmp_path / "today" / "errors.csv").open(newline="") as file:
        errors = list(csv.DictReader(file))
    assert [(e["line"], e["case_id"], e["status"]) for e in errors] == [
        ("2", "", "case_error"),
        ("4", "X", "case_error"),
    ]
    assert "$.mappa.level" in errors[1]["error"]
    assert not [r for r in rows if r["code"] == "POLICE_DA_CHECK"]

    _, later = scan(tmp_path / "horizon", "--horizon", "30")
    [police] = [r for r in later if r["code"] == "POLICE_DA_CHECK"]
    assert police["case_id"] == "NEW-1" and police["status"] == "not_yet_due"
    assert "DA-01" in police["rule_ids"].split() and 0 < int(police["working_days"]) <= 30


# ---------------------------------------------------------------- local_pack


def test_local_pack_passes_its_scenarios_and_changes_the_decision_only_as_designed() -> None:
    summary = _json("examples/local_pack.py", "--json")
    assert summary["pack"]["name"] == "england-wales-local"
    assert summary["local_rules"] == ["LOC-01"]
    assert summary["local_scenarios"]["failed"] == {}
    assert summary["local_scenarios"]["passed"] >= 9
    default = summary["comparison"]["default"]
    local = summary["comparison"]["local"]
    assert "REV-01" in local["actions"]["RISK_REVIEW"]
    assert "LOC-01" in local["actions"]["POLICE_DA_CHECK"]
    default_rules = {rule for rules in default["actions"].values() for rule in rules}
    assert "REV-01" not in default_rules and "LOC-01" not in default_rules
    assert local["next_review"] < default["next_review"]


def test_local_pack_prints_the_comparison_and_keeps_the_built_pack(tmp_path: Path) -> None:
    out = _run("examples/local_pack.py", "--out", str(tmp_path / "built"))
    assert "Built england-wales-local 0.1.0+local.1" in out
    assert re.search(r"Local scenarios: \d+ passed, 0 failed", out)
    # the local interval makes REV-01 fire and the next review pass: one review, both reasons
    assert re.search(r"\[added\] RISK_REVIEW +default -  local \['REV-01', 'REV-02'\]", out)
    assert (tmp_path / "built" / "rules" / "local.yaml").is_file()
    defining = [
        p.name
        for p in (tmp_path / "built" / "parameters").glob("*.yaml")
        if re.search(r"^\s*review_interval_weeks:", p.read_text(), re.M)
    ]
    assert defining == ["local.yaml"]


# ---------------------------------------------------------------- ndelius_codes


def test_ndelius_codes_are_mapped_reported_and_matter_to_the_decision() -> None:
    result = _json("examples/ndelius_codes.py", "--json")
    mapping = result["mapping"]
    assert mapping["registrations"] == ["child_concerns", "domestic_abuse_perpetrator", "mappa"]
    assert mapping["mappa"] == {"category": 2, "level": 1}
    assert mapping["unknown"] == ["ZLOC"] and mapping["inactive"] == ["RCPR"]
    assert [n.split(":")[0] for n in mapping["not_used"]] == ["RMRH"]
    assert "CS-02" in result["actions"]["CSC_ENQUIRY"]
    assert "CS-02" in result["lost_if_dropped"]["CSC_ENQUIRY"]


def test_ndelius_example_prints_unknown_codes_for_people() -> None:
    out = _run("examples/ndelius_codes.py")
    assert "UNKNOWN     ZLOC" in out and "inactive    RCPR" in out
    assert re.search(r"CSC_ENQUIRY +rules CS-02", out)


@pytest.mark.parametrize(
    "code",
    ["ADVP", "ADVV", "REG30", "RCPR", "RCCO", "RCHD", "MAPP", "IMAR", "RHRH", "RVHR", "ARSO",
     "RLRH", "RMRH", "WEAP", "STRG", "ALSH", "ZZZZ", "advp"],
)  # fmt: skip
def test_every_ndelius_code_lands_in_exactly_one_place(code: str) -> None:
    ndelius = _import_example("ndelius_codes")
    for active in (True, False):
        mapped = ndelius.map_registrations([{"type": {"code": code}, "active": active}])
        places = [
            *mapped.registrations,
            *(n for n in mapped.not_used if not n.startswith("MAPP ")),
            *mapped.inactive,
            *mapped.unknown,
        ]
        assert len(places) == 1, (code, active, places)
        if not active:
            assert mapped.inactive == [code.upper()]
