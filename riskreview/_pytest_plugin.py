"""The pytest plugin that runs a pack's YAML scenarios (see :mod:`riskreview.testing`)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from riskreview.pack import Pack, Scenario, load_pack
from riskreview.testing import coverage, run_scenario


@functools.lru_cache(maxsize=16)
def _pack(root: str) -> Pack:
    return load_pack(root)


class ScenarioFailure(Exception):
    """A scenario's expectations did not hold: one line each, and the full explanation."""

    def __init__(self, failures: tuple[str, ...], details: tuple[str, ...] = ()) -> None:
        super().__init__("\n".join(failures))
        self.details = details


class ScenarioItem(pytest.Item):
    """One YAML scenario as a test item."""

    def __init__(self, *, scenario: Scenario, root: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.root = root

    def runtest(self) -> None:
        result = run_scenario(_pack(self.root), self.scenario)
        if result.failures:
            raise ScenarioFailure(result.failures, result.details)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            head = f"{self.scenario.file}:{self.scenario.line} scenario {self.scenario.name!r}"
            lines = [head, *(f"  {line}" for line in str(excinfo.value).splitlines())]
            if excinfo.value.details and self.config.get_verbosity() > 0:
                lines += ["  in full:", *(f"    {line}" for line in excinfo.value.details)]
            elif excinfo.value.details:
                lines.append("  (pytest -v explains in full)")
            return "\n".join(lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.scenario.line, f"scenario: {self.scenario.name}"


class CoverageItem(pytest.Item):
    """Fails when a rule of the pack has no firing scenario or no near miss."""

    def __init__(self, *, root: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = root

    def runtest(self) -> None:
        gaps = coverage(_pack(self.root)).gaps()
        if gaps:
            raise ScenarioFailure(tuple(gaps))

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return "rule coverage gaps:\n  " + str(excinfo.value).replace("\n", "\n  ")
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, "rule coverage"


class ScenarioFile(pytest.File):
    """A pack's ``tests/*.yaml`` file."""

    def collect(self) -> Iterator[pytest.Item]:
        root = str(self.path.parent.parent)
        pack = _pack(root)
        rel = self.path.relative_to(Path(root)).as_posix()
        for scenario in pack.scenarios:
            if scenario.file == rel:
                yield ScenarioItem.from_parent(
                    self, name=scenario.name, scenario=scenario, root=root
                )


class PackFile(pytest.File):
    """A pack's ``pack.yaml``: collects the rule coverage check."""

    def collect(self) -> Iterator[pytest.Item]:
        yield CoverageItem.from_parent(self, name="rule coverage", root=str(self.path.parent))


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    """Collect scenario files and pack coverage from pack folders."""
    if file_path.suffix != ".yaml":
        return None
    if file_path.name == "pack.yaml":
        return PackFile.from_parent(parent, path=file_path)
    if file_path.parent.name == "tests" and (file_path.parent.parent / "pack.yaml").is_file():
        return ScenarioFile.from_parent(parent, path=file_path)
    return None
