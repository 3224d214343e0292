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


def _load(folder: Path, files: dict[str, str]) -> riskreview.Pack:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text.lstrip(), encoding="utf-8")
    return riskreview.load_pack(folder)


def test_a_due_date_anchored_on_a_derived_date(tmp_path: Path) -> None:
    pack = _load(tmp_path, PACK)
    case = {"case_id": "A", "risk": {"screening_date": "2026-11-13"}}
    action = riskreview.evaluate(case, as_of=date(2026, 11, 23), pack=pack).action("VISIT")
    assert action is not None
    assert action.trigger_date == date(2026, 11, 13)
    assert action.due_date == date(2026, 11, 20)
    unknown = riskreview.evaluate({"case_id": "B"}, as_of=date(2026, 11, 23), pack=pack)
    assert unknown.action("VISIT") is not None
    assert unknown.action("VISIT").due_date == date(2026, 11, 23)  # type: ignore[union-attr]


def _review_case(*relationships: str) -> dict[str, object]:
    return {
        "case_id": "R",
        "supervision": {"stage": "community", "start_date": "2026-01-05"},
        "risk": {"last_review_date": "2026-08-03"},
        "events": [{"type": "new_relationship", "date": d} for d in relationships],
    }


def test_matched_anchors_on_the_first_change_not_yet_acted_on() -> None:
    # two new relationships since the last review: the review fell due from the
    # first; the second must not put an overdue review back to "not yet due"
    first = riskreview.evaluate(_review_case("2026-09-01"), as_of=date(2026, 11, 23))
    both = riskreview.evaluate(_review_case("2026-11-20", "2026-09-01"), as_of=date(2026, 11, 23))
    for decision in (first, both):
        review = decision.action("RISK_REVIEW")
        assert review is not None and "CC-NEWREL" in review.rule_ids
        assert review.trigger_date == date(2026, 9, 1)
        assert review.status == "overdue"
    due = [d.action("RISK_REVIEW").due_date for d in (first, both)]  # type: ignore[union-attr]
    assert due[0] == due[1]


def test_an_action_two_rules_require_is_due_from_whichever_incident_came_first() -> None:
    # DA-05-REPEAT (call-outs) and DA-05-REPEAT-POLICE (reports) both require it
    case = {
        "case_id": "M",
        "domestic_abuse": {"last_marac_referral_date": "2026-06-01"},
        "events": [{"type": "domestic_abuse_callout", "date": "2026-11-19"}],
        "concerns": [{"source": "police", "categories": ["domestic_abuse"], "date": "2026-11-02"}],
    }
    marac = riskreview.evaluate(case, as_of=date(2026, 11, 23)).action("MARAC_REFERRAL")
    assert marac is not None
    assert set(marac.rule_ids) == {"DA-05-REPEAT", "DA-05-REPEAT-POLICE"}
    assert marac.trigger_date == date(2026, 11, 2)


ALTERNATIVES = {
    **PACK,
    "rules/r.yaml": """
rules:
  - id: V-2
    title: Visit after an arrest or a charge
    area: home_visits
    when:
      any:
        - events: {any: {type: arrest}}
        - events: {any: {type: charge}}
    action: VISIT
    due: {working_days: 5, from: matched.events}
    source: assumed
    rationale: r
""",
}


def test_a_matched_anchor_counts_every_true_alternative(tmp_path: Path) -> None:
    # the first alternative decides the rule, but the second holds the earlier item
    pack = _load(tmp_path, ALTERNATIVES)
    case = {
        "case_id": "A",
        "events": [
            {"type": "arrest", "date": "2026-11-20"},
            {"type": "charge", "date": "2026-11-02"},
        ],
    }
    visit = riskreview.evaluate(case, as_of=date(2026, 11, 23), pack=pack).action("VISIT")
    assert visit is not None
    assert visit.trigger_date == date(2026, 11, 2)
    assert visit.due_date == date(2026, 11, 9)


def test_the_anchor_comes_from_the_rules_own_conditions_not_a_named_one() -> None:
    # the call-out two years ago makes domestic abuse an indicator (a named
    # condition); the DVDS prompt falls due from the new relationship
    case = {
        "case_id": "D",
        "events": [
            {"type": "domestic_abuse_callout", "date": "2024-10-01"},
            {"type": "new_relationship", "date": "2026-11-16"},
        ],
    }
    dvds = riskreview.evaluate(case, as_of=date(2026, 11, 23)).action("CONSIDER_DVDS")
    assert dvds is not None and dvds.rule_ids == ("DA-04-DVDS",)
    assert dvds.trigger_date == date(2026, 11, 16)


def test_a_matched_item_with_no_date_makes_the_action_due_at_once() -> None:
    # the undated relationship may be the first: the prompt is due on as_of, and
    # a dated one added later does not change that
    undated = {"type": "new_relationship"}
    dated = {"type": "new_relationship", "date": "2026-11-20"}
    indicator = [{"categories": ["domestic_abuse"]}]
    for events in ([undated], [undated, dated]):
        case = {"case_id": "U", "concerns": indicator, "events": events}
        dvds = riskreview.evaluate(case, as_of=date(2026, 11, 23)).action("CONSIDER_DVDS")
        assert dvds is not None
        assert (dvds.trigger_date, dvds.due_date) == (None, date(2026, 11, 23))
