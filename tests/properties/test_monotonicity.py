"""Adding a risk indicator never takes a safeguarding action away.

A case that gains domestic abuse in its index offence, a child protection
registration, children in contact, police information or a call-out about domestic
abuse, or a higher risk to children, still requires every child safeguarding and
domestic abuse action it required before, due no later than before.

One exception, by design: ``ESTABLISH_CHILDREN_CONTACT`` asks whether children are
in contact, so learning that they are (where it was unknown) answers it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

from _property_support import dated_case_dicts, examples
from hypothesis import example, given, settings
from hypothesis import strategies as st

import riskreview
from riskreview.pack import default_pack

Data = dict[str, Any]


def _part(data: Data, name: str) -> Data:
    if not isinstance(data.get(name), dict):
        data[name] = {}
    part: Data = data[name]
    return part


def _add(holder: Data, key: str, item: Any) -> None:
    items = holder.get(key)
    holder[key] = [*(items or []), item] if item not in (items or []) else items


def domestic_abuse_in_the_index_offence(data: Data, as_of: date) -> None:
    _add(_part(data, "index_offence"), "categories", "domestic_abuse")


def a_child_protection_registration(data: Data, as_of: date) -> None:
    _add(data, "registrations", "child_protection")


def children_in_contact(data: Data, as_of: date) -> None:
    _part(data, "household")["children_in_contact"] = True


def police_information_about_domestic_abuse(data: Data, as_of: date) -> None:
    concern = {"source": "police", "categories": ["domestic_abuse"], "date": as_of.isoformat()}
    _add(data, "concerns", concern)


def a_domestic_abuse_callout(data: Data, as_of: date) -> None:
    _add(data, "events", {"type": "domestic_abuse_callout", "date": as_of.isoformat()})


def a_very_high_risk_to_children(data: Data, as_of: date) -> None:
    _part(_part(data, "risk"), "levels")["children"] = "very_high"


INDICATORS: list[Callable[[Data, date], None]] = [
    domestic_abuse_in_the_index_offence,
    a_child_protection_registration,
    children_in_contact,
    police_information_about_domestic_abuse,
    a_domestic_abuse_callout,
    a_very_high_risk_to_children,
]
ANSWERED = {children_in_contact: {"ESTABLISH_CHILDREN_CONTACT"}}


def safeguarding(decision: riskreview.Decision) -> dict[str, date]:
    areas = {"child_safeguarding", "domestic_abuse"}
    return {a.code: a.due_date for a in decision.actions if a.area in areas}


def test_the_indicators_are_safeguarding_actions_of_the_pack() -> None:
    # the property is empty if the pack has no actions in these areas
    areas = {a.area for a in default_pack().actions.values()}
    assert {"child_safeguarding", "domestic_abuse"} <= areas


#: found by the long profile: a report after the last MARAC referral, then a call-out
#: on as_of. The repeat rule read its due date from call-outs only, so before the
#: call-out the referral was due on as_of and after it a working day later.
_REPEAT_AFTER_A_REPORT = (
    {
        "case_id": "C0",
        "concerns": [{"source": "police", "categories": ["domestic_abuse"], "date": "2024-01-21"}],
        "domestic_abuse": {"last_marac_referral_date": "2023-12-29"},
    },
    date(2024, 1, 1),
)
#: found by the long profile: an undated new relationship. The call-out added (an
#: indicator, in a named condition) became the DVDS prompt's anchor, a day later.
_UNDATED_RELATIONSHIP = (
    {
        "case_id": "C0",
        "concerns": [{"categories": ["domestic_abuse"]}],
        "events": [{"type": "new_relationship"}],
    },
    date(2024, 1, 1),
)


@settings(max_examples=examples(400))
@given(dated_case_dicts(), st.sampled_from(INDICATORS))
@example(_REPEAT_AFTER_A_REPORT, a_domestic_abuse_callout)
@example(_UNDATED_RELATIONSHIP, a_domestic_abuse_callout)
def test_adding_a_risk_indicator_never_removes_a_safeguarding_action(
    dated: tuple[Data, date], indicator: Callable[[Data, date], None]
) -> None:
    data, as_of = dated
    riskier = copy.deepcopy(data)
    indicator(riskier, as_of)
    before = safeguarding(riskreview.evaluate(data, as_of=as_of))
    after = safeguarding(riskreview.evaluate(riskier, as_of=as_of))
    lost = set(before) - set(after) - ANSWERED.get(indicator, set())
    assert not lost, f"{indicator.__name__} removed {sorted(lost)}"
    later = {code for code in set(before) & set(after) if after[code] > before[code]}
    assert not later, f"{indicator.__name__} put back the due date of {sorted(later)}"
