"""The project's promises about itself: README commands, CI, versions, packaging."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import riskreview
from riskreview.pack import default_pack_path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block is not None, "README has no sh block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_gives_exactly_two_setup_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    assert "examples/demo.py" in commands[0]
    assert "pytest" in commands[1] and "mypy" in commands[1] and "ruff" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == _readme_commands()[1]


def test_library_version_matches_pyproject() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["version"] == riskreview.__version__


def test_only_the_engine_module_imports_durable() -> None:
    offenders = [
        p.name
        for p in (ROOT / "riskreview").glob("*.py")
        if p.name != "_engine.py"
        and re.search(r"^\s*(import durable|from durable)", p.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []


def test_yaml_is_only_ever_safe_loaded() -> None:
    for path in (ROOT / "riskreview").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "yaml.load(" not in text, path.name
        assert "eval(" not in text.replace("evaluate(", "").replace("_eval(", ""), path.name


def test_default_pack_is_found() -> None:
    assert (default_pack_path() / "pack.yaml").is_file()


def test_demo_runs_and_prints_required_actions() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "Make an enquiry to children's social care" in out
    assert "Next review:" in out
