"""Unknown versus not done: records of a group the sending system does not hold."""

from __future__ import annotations

from datetime import date
from typing import Any

import riskreview
from riskreview._conditions import Cmp, walk
from riskreview._fields import unheld_paths
from riskreview.case import RecordGroup
from riskreview.decision import Decision
from riskreview.schema import case_schema

AS_OF = date(2026, 11, 23)
PACK = riskreview.default_pack()
# domestic abuse in the offence, supervised since September: with every group held,
# a police check, plans, a screening and a home visit are all required
CASE: dict[str, Any] = {
    "case_id": "NOT-HELD-1",
    "supervision": {
        "stage": "community",
        "sentence_type": "community_order",
        "start_date": "2026-09-01",
    },
    "index_offence": {"categories": ["domestic_abuse"]},
    "offending_history": [],
    "concerns": [],
    "registrations": ["domestic_abuse_perpetrator"],
    "risk": {"levels": {"known_adult": "medium"}},
    "household": {"children_in_contact": False, "children": []},
    "needs": [],
    "events": [],
}
EVERY_GROUP = [g.value for g in RecordGroup]


def test_by_default_an_absent_record_is_work_not_done() -> None:
    decision = riskreview.evaluate(CASE, as_of=AS_OF)
    assert {"POLICE_DA_CHECK", "DA_RISK_PLAN", "HOME_VISIT"} <= set(decision.action_codes)
    assert not any(i.not_held for i in decision.information)


def test_a_group_not_held_is_asked_for_not_required_and_says_so() -> None:
    decision = riskreview.evaluate(dict(CASE, not_held=EVERY_GROUP), as_of=AS_OF, trace=True)
    assert not {"POLICE_DA_CHECK", "DA_RISK_PLAN", "HOME_VISIT"} & set(decision.action_codes)
    asked = {i.code: i for i in decision.information}
    for code in ("ESTABLISH_POLICE_CHECK_DATE", "ESTABLISH_DA_PLAN_DATE", "ESTABLISH_HOME_VISITS"):
        assert asked[code].not_held, code
    assert not asked["ESTABLISH_DASH_SCORE"].not_held  # a fact, not a record of work
    trace = {t.rule_id: t.outcome for t in decision.trace or ()}
    assert trace["DA-01"] == trace["DA-02"] == "undetermined"
    # the engine and the reference walk agree rule by rule (evaluate cross-checks them)
    for rule_id in ("DA-01", "DA-02", "HV-01-LOW", "SCR-01"):
        assert (
            riskreview.explain(dict(CASE, not_held=EVERY_GROUP), rule_id, as_of=AS_OF).outcome
            == trace[rule_id]
        )


def test_a_record_sent_still_counts_when_its_group_is_not_held() -> None:
    case = dict(CASE, not_held=["checks"])
    case["checks"] = {"police_domestic_abuse": {"requested_date": "2026-09-02"}}
    decision = riskreview.evaluate(case, as_of=AS_OF, trace=True)
    trace = {t.rule_id: t.outcome for t in decision.trace or ()}
    assert trace["DA-01"] == "not_fired"  # the request sent counts
    assert not {"POLICE_DA_CHECK", "CHASE_POLICE_DA_CHECK"} & set(decision.action_codes)
    # whether the police answered is not held either: asked, not chased as overdue
    asked = {i.code: i for i in decision.information}["ESTABLISH_POLICE_CHECK_DATE"]
    assert asked.rule_ids == ("DA-07",) and asked.not_held
    assert asked.field == "checks.police_domestic_abuse.response_date"


def test_the_decision_json_keeps_not_held_and_reads_back() -> None:
    decision = riskreview.evaluate(dict(CASE, not_held=["plans"]), as_of=AS_OF)
    text = decision.to_json()
    assert '"not_held":true' in text
    assert Decision.from_json(text).to_json() == text


def test_the_case_schema_lists_the_groups() -> None:
    schema = case_schema()
    text = str(schema["properties"]["not_held"])
    for group in EVERY_GROUP:
        assert group in text


def test_every_record_a_rule_tests_for_presence_has_wording_for_when_it_is_not_held() -> None:
    unheld = unheld_paths(tuple(RecordGroup))
    missing = {
        node.path: rule.id
        for rule in PACK.rules
        for node in walk(rule.when)
        if isinstance(node, Cmp)
        and node.op in ("exists", "missing")
        and node.scope != "item"
        and node.path in unheld
        and node.path not in PACK.information
    }
    assert missing == {}
