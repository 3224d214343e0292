"""Every example script runs as an integrator would run it, and prints what it promises."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


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


# ---------------------------------------------------------------- local_policy_checks


def test_the_local_policy_checks_pass_under_pytest() -> None:
    out = _run("-m", "pytest", "-p", "no:cacheprovider", "examples/local_policy_checks.py")
    passed = re.search(r"(\d+) passed", out)
    assert passed and int(passed.group(1)) >= 15, out
    assert "failed" not in out and "error" not in out.lower()


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
    assert re.search(r"\[added\] RISK_REVIEW +default -  local \['REV-01'\]", out)
    assert (tmp_path / "built" / "rules" / "local.yaml").is_file()
    defining = [
        p.name
        for p in (tmp_path / "built" / "parameters").glob("*.yaml")
        if re.search(r"^\s*review_interval_weeks:", p.read_text(), re.M)
    ]
    assert defining == ["local.yaml"]
