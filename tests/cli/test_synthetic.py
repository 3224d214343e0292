"""The synthetic caseload: valid, deterministic, and in the proportions it documents."""

from __future__ import annotations

import collections
from datetime import date
from typing import Any

import pytest

from riskreview import Case
from riskreview.case import EventType
from riskreview.synthetic import generate

DAY = date(2026, 11, 23)
N = 1000


@pytest.fixture(scope="module")
def caseload() -> list[dict[str, Any]]:
    return list(generate(N, seed=42, as_of=DAY))


def _share(cases: list[dict[str, Any]], test: Any) -> float:
    return sum(1 for c in cases if test(c)) / len(cases)


def _domestic_abuse(case: dict[str, Any]) -> bool:
    offences = [case["index_offence"], *(case.get("offending_history") or [])]
    offences += case.get("concerns") or []
    return any("domestic_abuse" in o.get("categories", []) for o in offences)


def test_every_case_is_valid(caseload: list[dict[str, Any]]) -> None:
    for case in caseload:
        assert Case.from_dict(case).case_id == case["case_id"]
    assert len({c["case_id"] for c in caseload}) == N


def test_the_same_seed_gives_the_same_caseload_and_prefixes_agree() -> None:
    assert list(generate(30, seed=5, as_of=DAY)) == list(generate(30, seed=5, as_of=DAY))
    assert list(generate(10, seed=5, as_of=DAY)) == list(generate(30, seed=5, as_of=DAY))[:10]
    other = [{k: v for k, v in c.items() if k != "case_id"} for c in generate(30, 6, DAY)]
    same = [{k: v for k, v in c.items() if k != "case_id"} for c in generate(30, 5, DAY)]
    assert other != same


def test_proportions_are_the_documented_assumptions(caseload: list[dict[str, Any]]) -> None:
    household = [c.get("household", {}) for c in caseload]
    assert 0.35 <= _share(household, lambda h: h.get("children_in_contact") is True) <= 0.45
    assert 0.10 <= _share(household, lambda h: "children_in_contact" not in h) <= 0.20
    assert 0.30 <= _share(caseload, _domestic_abuse) <= 0.40
    stages = collections.Counter(c["supervision"]["stage"] for c in caseload)
    assert 0.11 <= stages["custody"] / N <= 0.19
    assert 0.11 <= stages["licence"] / N <= 0.19
    licence = [c for c in caseload if c["supervision"]["stage"] == "licence"]
    assert all("release_date" in c["supervision"] for c in licence)
    custody = [c for c in caseload if c["supervision"]["stage"] == "custody"]
    assert all(c["supervision"]["expected_release_date"] > DAY.isoformat() for c in custody)
    checks = [c.get("checks", {}) for c in caseload]
    assert 0.43 <= _share(checks, lambda k: "police_domestic_abuse" in k) <= 0.57
    assert 0.43 <= _share(checks, lambda k: "childrens_social_care" in k) <= 0.57


def test_events_cover_every_type_with_urgent_ones_rarer(caseload: list[dict[str, Any]]) -> None:
    events = [e for c in caseload for e in c.get("events") or []]
    kinds = collections.Counter(e["type"] for e in events)
    assert set(kinds) == {t.value for t in EventType}
    assert kinds["arrest"] < kinds["change_of_address"] / 4
    assert kinds["victim_contact"] < kinds["new_relationship"] / 4
    months = sum(_supervised_months(c) for c in caseload)
    assert 1.0 <= len(events) / months <= 2.0
    assert all(e.get("date", "") <= DAY.isoformat() for e in events)


def _supervised_months(case: dict[str, Any]) -> float:
    start = date.fromisoformat(case["supervision"]["start_date"])
    return min((DAY - start).days, 365) / 30.44 if case.get("events") is not None else 0.0


def test_unknowns_appear_everywhere(caseload: list[dict[str, Any]]) -> None:
    for key in ("offending_history", "concerns", "registrations", "needs", "events"):
        assert 0.02 <= _share(caseload, lambda c, k=key: k not in c) <= 0.2, key
    assert 0.02 <= _share(caseload, lambda c: "date_of_birth" not in c.get("person", {})) <= 0.1


def test_n_must_be_a_whole_number() -> None:
    with pytest.raises(ValueError, match="n must be a whole number"):
        list(generate(-1))
    assert next(generate(1))["case_id"] == "SYN0-000000"
