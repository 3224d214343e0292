"""`riskreview schema case --pack` includes the inputs the pack declares."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from riskreview.cli import cli

TIERING = Path(__file__).resolve().parents[2] / "examples" / "packs" / "tiering"


def test_schema_of_a_case_under_a_pack_lists_its_inputs() -> None:
    result = CliRunner().invoke(cli, ["schema", "case", "--pack", str(TIERING)])
    assert result.exit_code == 0, result.output
    inputs = json.loads(result.output)["properties"]["inputs"]
    assert set(inputs["properties"]) == {"ogrs_score", "rsr_score", "complexity_flags"}
    assert inputs["additionalProperties"] is False


def test_schema_of_a_case_without_a_pack_leaves_inputs_open() -> None:
    result = CliRunner().invoke(cli, ["schema", "case"])
    assert result.exit_code == 0
    assert "properties" not in json.loads(result.output)["properties"]["inputs"]
