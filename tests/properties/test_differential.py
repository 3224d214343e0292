"""The engine and the reference evaluator agree on every rule of every generated case."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview import _decide
from riskreview._reference import Reference
from riskreview.pack import default_pack

BASE = date(2026, 1, 1)
dates = st.one_of(
    st.none(), st.integers(-400, 400).map(lambda n: (BASE + timedelta(n)).isoformat())
)
flags = st.sampled_from([None, True, False])
levels = st.sampled_from([None, "low", "medium", "high", "very_high"])
categories = st.one_of(
    st.none(),
    st.lists(
        st.sampled_from(
            ["domestic_abuse", "violence", "sexual", "offence_against_children", "acquisitive"]
        ),
        max_size=3,
        unique=True,
    ),
)


@st.composite
def cases(draw: Any) -> dict[str, Any]:
    start = draw(dates)
    return {
        "case_id": "P-1",
        "supervision": {"start_date": start},
        "index_offence": {"categories": draw(categories)},
        "offending_history": draw(
            st.one_of(
                st.none(), st.lists(st.fixed_dictionaries({"categories": categories}), max_size=3)
            )
        ),
        "registrations": draw(
            st.one_of(
                st.none(),
                st.lists(
                    st.sampled_from(["domestic_abuse_perpetrator", "child_protection", "mappa"]),
                    max_size=2,
                    unique=True,
                ),
            )
        ),
        "risk": {
            "last_review_date": draw(dates),
            "screening_date": draw(dates),
            "levels": {"children": draw(levels), "public": draw(levels)},
        },
        "household": {
            "children_in_contact": draw(flags),
            "children": draw(
                st.one_of(
                    st.none(),
                    st.lists(
                        st.fixed_dictionaries({"lives_with": flags, "contact": flags}), max_size=3
                    ),
                )
            ),
        },
        "checks": {
            "police_domestic_abuse": {"requested_date": draw(dates)},
            "childrens_social_care": {"requested_date": draw(dates)},
        },
        "domestic_abuse": {"dvds_considered_date": draw(dates)},
        "events": draw(
            st.one_of(
                st.none(),
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "type": st.sampled_from(
                                ["new_relationship", "arrest", "domestic_abuse_callout"]
                            ),
                            "date": dates,
                        }
                    ),
                    max_size=4,
                ),
            )
        ),
    }


def _strip(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(0, 700))
def test_engine_and_reference_agree_on_every_rule(raw: dict[str, Any], day: int) -> None:
    as_of = date(2025, 6, 1) + timedelta(days=day)
    try:
        case = riskreview.Case.from_dict(_strip(raw))
    except riskreview.CaseError:
        return  # impossible date orders are rejected, not evaluated
    pack = default_pack()
    rt = _decide.runtime(pack, pack.epoch(as_of))
    engine = _decide.outcomes(rt, case, as_of)
    ref = Reference(case, as_of, pack.parameter, rt.calendar)
    for index, outcome in engine.items():
        truth = ref.evaluate(pack.rules[index].when).truth
        expected = {True: "fired", None: "undetermined", False: "not_fired"}[truth]
        assert outcome == expected, pack.rules[index].id
