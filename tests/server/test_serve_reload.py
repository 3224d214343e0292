"""``POST /packs/reload``: the new pack serves only once it has loaded and passed its
checks; until then, and for good when it fails, the old one goes on answering."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_support import AS_OF, running

from riskreview.server import create_app

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "broken_packs" / "_valid_minimal"

#: the scenarios that fire every rule of the minimal pack (shared with the CLI tests)
SCENARIOS = (MINIMAL.parents[1] / "minimal_scenarios.yaml").read_text(encoding="utf-8")
CASE = {
    "case_id": "R-1",
    "supervision": {"start_date": "2026-11-02"},
    "household": {"children_in_contact": True},
    "registrations": ["child_protection"],
}


def _write(folder: Path, version: str = "0.0.1", scenarios: str = SCENARIOS) -> None:
    """The minimal pack at ``version``, with ``scenarios``."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(MINIMAL, folder)
    meta = folder / "pack.yaml"
    meta.write_text(meta.read_text().replace("version: 0.0.1", f"version: {version}"))
    (folder / "tests").mkdir()
    (folder / "tests" / "scenarios.yaml").write_text(scenarios, encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reload") / "minimal"
    _write(path)
    return path


@pytest.fixture(scope="module")
def http(folder: Path) -> Iterator[httpx.Client]:
    with (
        running(create_app(folder, allow_reload=True)) as url,
        httpx.Client(base_url=url, timeout=120) as client,
    ):
        yield client


def _serving(http: httpx.Client) -> tuple[str, str]:
    [pack] = http.get("/packs").json()["packs"]
    decided = http.post(f"/evaluate?as_of={AS_OF}", json=CASE)
    assert decided.status_code == 200
    assert decided.json()["pack"]["digest"] == pack["digest"]
    return pack["version"], pack["digest"]


def test_a_pack_that_does_not_load_leaves_the_old_one_serving(
    http: httpx.Client, folder: Path
) -> None:
    before = _serving(http)
    rules = folder / "rules" / "review.yaml"
    rules.write_text(rules.read_text().replace("rules:", "rules: [", 1))
    answer = http.post("/packs/reload")
    assert answer.status_code == 409
    found = answer.json()
    assert found["kind"] == "reload_failed"
    assert any("rules/review.yaml" in line for line in found["errors"])
    assert found["serving"]["digest"] == before[1]
    assert _serving(http) == before
    _write(folder)


def test_a_pack_whose_scenario_fails_leaves_the_old_one_serving(
    http: httpx.Client, folder: Path
) -> None:
    before = _serving(http)
    _write(folder, "0.0.9", SCENARIOS.replace("actions: [CSC_ENQUIRY]", "actions: [HOME_VISIT]"))
    answer = http.post("/packs/reload")
    assert answer.status_code == 409, answer.text
    assert any("scenario failed" in line for line in answer.json()["errors"])
    assert _serving(http) == before
    _write(folder)


def test_a_pack_that_loads_and_passes_its_checks_replaces_the_old_one(
    http: httpx.Client, folder: Path
) -> None:
    before = _serving(http)
    unchanged = http.post("/packs/reload")
    assert unchanged.status_code == 200, unchanged.text
    assert unchanged.json()["changed"] is False
    _write(folder, "0.0.2")
    answer = http.post("/packs/reload")
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["changed"] is True
    assert found["previous"]["digest"] == before[1]
    assert found["serving"]["version"] == "0.0.2"
    after = _serving(http)
    assert after[0] == "0.0.2" and after[1] != before[1]


def test_requests_during_a_reload_are_answered_by_the_old_pack_or_the_new(
    http: httpx.Client, folder: Path
) -> None:
    old = _serving(http)[1]
    _write(folder, "0.0.3")
    answers: list[tuple[int, str]] = []
    done = threading.Event()

    def asking() -> None:
        with httpx.Client(base_url=str(http.base_url), timeout=120) as other:
            while not done.is_set() or not answers:
                answer = other.post(f"/evaluate?as_of={AS_OF}", json=CASE)
                digest = answer.json().get("pack", {}).get("digest", "")
                answers.append((answer.status_code, digest))

    thread = threading.Thread(target=asking)
    thread.start()
    try:
        reloaded = http.post("/packs/reload")
    finally:
        done.set()
        thread.join(120)
    new = reloaded.json()["serving"]["digest"]
    assert reloaded.status_code == 200 and new != old
    assert answers and {status for status, _ in answers} == {200}
    assert {digest for _, digest in answers} <= {old, new}
    assert _serving(http)[1] == new
