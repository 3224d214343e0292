"""The API reference is generated from the docstrings and must be current."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_api_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_api"] = module
    spec.loader.exec_module(module)
    current = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert current == module.render(), "docs/api.md is stale: run python docs/make_api.py"
