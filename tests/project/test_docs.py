"""The docs stay true: the API reference is current, links resolve, commands exist."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_api_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_api"] = module
    spec.loader.exec_module(module)
    current = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert current == module.render(), "docs/api.md is stale: run python docs/make_api.py"


DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "benchmarks" / "README.md",
    ROOT / "rules" / "england-wales" / "README.md",
]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_in_the_docs_resolves(doc: Path) -> None:
    links = [t for t in LINK.findall(doc.read_text(encoding="utf-8")) if "://" not in t]
    missing = [t for t in links if not (doc.parent / t).exists()]
    assert not missing, f"{doc.name} links to missing files: {missing}"


def test_the_long_run_commands_of_the_assurance_page_name_real_scripts_and_flags() -> None:
    text = (ROOT / "docs" / "assurance.md").read_text(encoding="utf-8")
    commands = re.findall(r"^python (\S+\.py) (\S+)", text, flags=re.MULTILINE)
    assert len(commands) == 2, commands
    for script, flag in commands:
        shown = subprocess.run(
            [sys.executable, str(ROOT / script), "--help"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        assert flag in shown.split(), f"{script} has no option {flag}"
