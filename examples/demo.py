"""Evaluate one example case with the default pack and print the decision.

Run: python examples/demo.py [--json]
"""

from __future__ import annotations

import json
import sys
from datetime import date

import riskreview

CASE = {
    "case_id": "DEMO-1",
    "person": {"date_of_birth": "1990-04-12"},
    "supervision": {
        "stage": "community",
        "sentence_type": "community_order",
        "sentence_date": "2026-10-26",
        "start_date": "2026-10-26",
    },
    "index_offence": {"categories": ["violence"], "date": "2026-07-30"},
    "offending_history": [{"categories": ["domestic_abuse"], "date": "2019-02-11"}],
    "concerns": [],
    "registrations": [],
    "risk": {"screening_date": "2026-10-28", "levels": {"known_adult": "medium", "public": "low"}},
    "household": {"children": [{"ref": "child-a", "date_of_birth": "2021-09-01", "contact": True}]},
    "checks": {"police_domestic_abuse": {"requested_date": "2026-10-27"}},
    "events": [{"type": "new_relationship", "date": "2026-11-16"}],
}


def main() -> None:
    decision = riskreview.evaluate(CASE, as_of=date(2026, 11, 23))
    if "--json" in sys.argv:
        print(json.dumps(decision.to_dict(), indent=2))
        return
    print(
        f"Case {decision.case_id} on {decision.as_of} "
        f"({decision.pack.name} {decision.pack.version})\n"
    )
    for action in decision.actions:
        print(f"[{action.priority.upper():6}] {action.title}")
        rules = ", ".join(action.rule_ids)
        print(f"         due {action.due_date} ({action.status.value}); rules {rules}")
        for reason in action.reasons:
            print(f"         why: {reason}")
    for info in decision.information:
        print(f"[INFO  ] {info.title} (waiting: {', '.join(info.rule_ids)})")
    if decision.next_review:
        print(f"\nNext review: {decision.next_review.date}")
        for reason in decision.next_review.reasons:
            print(f"  - {reason}")


if __name__ == "__main__":
    main()
