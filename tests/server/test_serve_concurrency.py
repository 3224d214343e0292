"""Many clients at once each get their own case's decision, byte for byte."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import httpx

import riskreview
from riskreview.pack import default_pack

CLIENTS = 8
EACH = 12


def _case(client: int, number: int) -> tuple[dict[str, Any], date]:
    """A case of its own per request: its id, its household and its day differ."""
    case = {
        "case_id": f"C{client}-{number}",
        "supervision": {"stage": "community", "start_date": "2026-10-05"},
        "household": {"children_in_contact": (client + number) % 3 == 0},
        "registrations": ["child_protection"] if number % 2 else [],
        "risk": {"levels": {"public": ["low", "medium", "high"][client % 3]}},
    }
    return case, date(2026, 11, 2) + timedelta(days=client * EACH + number)


def test_concurrent_clients_get_correct_distinct_decisions(base: str) -> None:
    pack = default_pack()
    expected = {}
    for c in range(CLIENTS):
        for n in range(EACH):
            case, day = _case(c, n)
            expected[case["case_id"]] = riskreview.evaluate(case, day, pack).to_json() + "\n"
    assert len(set(expected.values())) == len(expected)

    def one_client(c: int) -> dict[str, bytes]:
        answers = {}
        with httpx.Client(base_url=base, timeout=120) as http:
            for n in range(EACH):
                case, day = _case(c, n)
                answer = http.post(f"/evaluate?as_of={day.isoformat()}", json=case)
                assert answer.status_code == 200, answer.text
                answers[case["case_id"]] = answer.content
        return answers

    with ThreadPoolExecutor(CLIENTS) as pool:
        got: dict[str, bytes] = {}
        for answers in pool.map(one_client, range(CLIENTS)):
            got.update(answers)
    assert {k: v.decode() for k, v in got.items()} == expected
    actions = {json.dumps([a["code"] for a in json.loads(v)["actions"]]) for v in got.values()}
    assert len(actions) > 1, "the cases were meant to need different actions"
