"""Fixtures for the command line tests: a runner, a case on disk and a small pack."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_support import CASE, FIXTURES, SCENARIOS, Run
from click.testing import CliRunner, Result

from riskreview.cli import cli


@pytest.fixture
def run() -> Run:
    """Invoke ``riskreview`` with arguments; stdout and stderr kept apart."""

    def invoke(*args: str | Path, stdin: str | None = None) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], input=stdin)

    return invoke


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    """``case.json`` holding the example case."""
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    return path


@pytest.fixture
def minimal_pack(tmp_path: Path) -> Path:
    """A copy of the minimal fixture pack with scenarios covering all its rules."""
    folder = tmp_path / "minimal"
    shutil.copytree(FIXTURES / "_valid_minimal", folder)
    (folder / "tests").mkdir()
    (folder / "tests" / "scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    return folder
