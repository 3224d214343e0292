"""A due date may be anchored on a pack's derived date, not only on a case field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import riskreview

PACK = {
    "pack.yaml": "name: anchor\nversion: '1'\neffective_from: 2024-01-01\n",
    "actions.yaml": "actions:\n  VISIT: {title: Visit, area: home_visits, priority: high}\n",
    "derived/d.yaml": """
derived:
  assessed:
    type: date
    first_present: [risk.last_review_date, risk.screening_date]
""",
    "rules/r.yaml": """
rules:
  - id: V-1
    title: Visit after the last assessment
    area: home_visits
    when: {home_visits: {missing: true}}
    action: VISIT
    due: {working_days: 5, from: derived.assessed}
    source: assumed
    rationale: r
""",
}


def test_a_due_date_anchored_on_a_derived_date(tmp_path: Path) -> None:
    for name, text in PACK.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text.lstrip(), encoding="utf-8")
    pack = riskreview.load_pack(tmp_path)
    case = {"case_id": "A", "risk": {"screening_date": "2026-11-13"}}
    action = riskreview.evaluate(case, as_of=date(2026, 11, 23), pack=pack).action("VISIT")
    assert action is not None
    assert action.trigger_date == date(2026, 11, 13)
    assert action.due_date == date(2026, 11, 20)
    unknown = riskreview.evaluate({"case_id": "B"}, as_of=date(2026, 11, 23), pack=pack)
    assert unknown.action("VISIT") is not None
    assert unknown.action("VISIT").due_date == date(2026, 11, 23)  # type: ignore[union-attr]
