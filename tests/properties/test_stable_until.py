"""A decision holds until its ``stable_until``: every day before it, evaluating the
same case again gives exactly the decision :func:`riskreview.refresh` brings forward."""

from __future__ import annotations

import functools
import shutil
import statistics
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from _property_support import dated_case_dicts, examples
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview import ArgumentError, _refresh, _stable
from riskreview.case import EventType
from riskreview.errors import ArgumentValueError
from riskreview.synthetic import generate

HORIZON = 21  # days checked after as_of, at most


def _days_hold(data: dict[str, Any], as_of: date, pack: riskreview.Pack | None = None) -> int:
    """Evaluate every day from as_of to the day before stable_until (within the
    horizon) and check each against the refreshed decision; the days checked."""
    decision = riskreview.evaluate(data, as_of=as_of, pack=pack)
    until = decision.stable_until
    assert until is None or until > as_of
    end = as_of + timedelta(days=HORIZON)
    if until is not None:
        end = min(end, until)
    day, checked = as_of, 0
    while day < end:
        again = riskreview.evaluate(data, as_of=day, pack=pack)
        assert riskreview.refresh(decision, day, pack).to_json() == again.to_json(), (
            f"{data['case_id']}: decided on {as_of}, stable until {until}, differs on {day}"
        )
        day += timedelta(days=1)
        checked += 1
    return checked


@settings(max_examples=examples(40), deadline=None)
@given(dated_case_dicts())
def test_every_day_before_stable_until_gives_the_refreshed_decision(
    dated: tuple[dict[str, Any], date],
) -> None:
    data, as_of = dated
    _days_hold(data, as_of)


def test_on_a_synthetic_caseload_stable_until_holds_is_useful_and_mostly_exact() -> None:
    """The realistic caseload: every day before stable_until holds; most decisions
    hold for more than a day (a stable_until of the next day would be safe and
    useless); and on stable_until itself something in the decision other than
    stable_until really does change in more than half the cases (how often is
    printed: the figure docs/assurance.md records)."""
    anchor = date(2026, 11, 23)
    spans, exact, reached = [], 0, 0
    for k, data in enumerate(generate(examples(60), seed=21, as_of=anchor)):
        as_of = anchor - timedelta(days=(k * 37) % 400)
        _days_hold(data, as_of)
        decision = riskreview.evaluate(data, as_of=as_of)
        until = decision.stable_until
        spans.append((until - as_of).days if until else 10_000)
        if until is not None and until <= as_of + timedelta(days=HORIZON):
            reached += 1
            brought = _unchecked_refresh(decision, until)
            again = riskreview.evaluate(data, as_of=until)
            # stable_until itself always differs: the decision of that day reaches further
            exact += _apart_from_span(brought) != _apart_from_span(again)
    longer = sum(span > 1 for span in spans)
    one_day = sum(span == 1 for span in spans)
    print(
        f"median span {statistics.median(spans)} days; one day only {one_day} of "
        f"{len(spans)}; exact on {exact} of {reached}"
    )
    assert longer >= len(spans) // 2
    assert exact * 2 > reached


def _apart_from_span(decision: riskreview.Decision) -> str:
    return attrs.evolve(decision, stable_until=None).to_json()


def _unchecked_refresh(decision: riskreview.Decision, day: date) -> riskreview.Decision:
    """refresh without its refusal on stable_until: what the decision would say if
    nothing had changed that day."""
    return _refresh.bring_forward(decision, day, riskreview.default_pack())


def test_a_dated_parameter_change_ends_the_span() -> None:
    """The default pack shortens the medium review interval from 2027-04-01."""
    pack = riskreview.default_pack()
    change = min(d for d in pack.change_dates if d > pack.effective_from)
    decision = riskreview.evaluate({"case_id": "P"}, as_of=change - timedelta(days=3))
    assert decision.stable_until is not None and decision.stable_until <= change


AGE_RULE = """rules:
  - id: AGE-01
    title: Check with the police while the person is under 25
    area: domestic_abuse
    findings: [9]
    when:
      person.age: {lt: 25}
    action: POLICE_DA_CHECK
    source: test fixture
    rationale: A rule that reads an age.
"""


def test_a_birthday_ends_the_span_of_a_rule_that_reads_an_age(tmp_path: Path) -> None:
    """The span ends on the 25th birthday, and on that day the rule stops firing."""
    folder = tmp_path / "ages"
    shutil.copytree(
        Path(__file__).parents[1] / "fixtures" / "broken_packs" / "_valid_minimal", folder
    )
    (folder / "rules" / "ages.yaml").write_text(AGE_RULE, encoding="utf-8")
    pack = riskreview.load_pack(folder)
    data = {"case_id": "B", "person": {"date_of_birth": "2001-12-10"}}
    as_of = date(2026, 11, 23)
    decision = riskreview.evaluate(data, as_of=as_of, pack=pack)
    assert decision.stable_until == date(2026, 12, 10)
    assert "AGE-01" in {r for a in decision.actions for r in a.rule_ids}
    after = riskreview.evaluate(data, as_of=date(2026, 12, 10), pack=pack)
    assert "AGE-01" not in {r for a in after.actions for r in a.rule_ids}
    assert _days_hold(data, as_of, pack) == (date(2026, 12, 10) - as_of).days


def test_a_rolling_due_date_reaching_a_fixed_one_ends_the_span_on_that_day() -> None:
    """The plan is due at once (rolling with the day) by one rule and on 3 January by
    another: on 3 January the two are equal, and the action's due date stops rolling
    that day, not the day after (a case hypothesis found)."""
    data = {
        "case_id": "C0",
        "supervision": {"stage": "licence", "start_date": "2023-12-10"},
        "concerns": [{}, {}],
        "risk": {"levels": {"prisoners": "medium"}},
    }
    as_of = date(2024, 1, 1)
    decision = riskreview.evaluate(data, as_of=as_of)
    [plan] = [a for a in decision.actions if a.code == "RISK_MANAGEMENT_PLAN"]
    assert plan.rolling is not None and plan.due_date == as_of
    assert decision.stable_until == date(2024, 1, 3)
    assert _days_hold(data, as_of) == 2
    [later] = [
        a
        for a in riskreview.evaluate(data, as_of=date(2024, 1, 3)).actions
        if a.code == "RISK_MANAGEMENT_PLAN"
    ]
    assert later.rolling is None and later.due_date == date(2024, 1, 3)


@pytest.mark.parametrize(
    ("data", "rolls"),
    [
        ({"case_id": "R1"}, True),  # no start date: each due date is "at once"
        ({"case_id": "R2", "supervision": {"start_date": "2026-11-02"}}, False),
    ],
    ids=["anchor-unknown", "anchor-known"],
)
def test_a_due_date_rolls_with_the_day_only_when_it_is_counted_from_that_day(
    data: dict[str, Any], rolls: bool
) -> None:
    """A rule whose anchor is unknown is due at once: on whichever day the case is
    evaluated. One due from a date of the case stays where it is."""
    as_of = date(2026, 11, 23)
    decision = riskreview.evaluate(data, as_of=as_of)
    later = as_of + timedelta(days=1)
    assert decision.stable_until is None or later < decision.stable_until
    moved = {a.code: a for a in riskreview.refresh(decision, later).actions}
    assert decision.actions
    for action in decision.actions:
        assert (action.rolling is not None) is rolls
        expected = later if rolls else action.due_date
        assert moved[action.code].due_date == expected
        assert moved[action.code] == riskreview.evaluate(data, as_of=later).action(action.code)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("before", "refreshed forward only"),
        ("at_stable_until", "may change on"),
        ("traced", "carries a trace"),
        ("other_pack", "not this pack"),
    ],
)
def test_refresh_refuses_what_it_cannot_answer(change: str, message: str, tmp_path: Path) -> None:
    as_of = date(2026, 11, 23)
    data = {"case_id": "X", "household": {"children_in_contact": True}}
    decision = riskreview.evaluate(data, as_of=as_of, trace=change == "traced")
    day = as_of + timedelta(days=1)
    pack = None
    if change == "before":
        day = as_of - timedelta(days=1)
    elif change == "at_stable_until":
        assert decision.stable_until is not None
        day = decision.stable_until
    elif change == "other_pack":
        pack = riskreview.load_pack(Path(__file__).parents[2] / "examples" / "packs" / "tiering")
    with pytest.raises(ArgumentValueError, match=message):
        riskreview.refresh(decision, day, pack)


@pytest.mark.parametrize(
    "args",
    [("not a decision", date(2026, 11, 23)), (None, "2026-11-24")],
    ids=["decision", "as_of"],
)
def test_refresh_given_the_wrong_types_says_what_to_pass(args: tuple[Any, Any]) -> None:
    decision = riskreview.evaluate({"case_id": "T"}, as_of=date(2026, 11, 23))
    first, day = args
    with pytest.raises(ArgumentError, match="must be"):
        riskreview.refresh(decision if first is None else first, day)


def test_a_fixed_due_date_tied_with_a_rolling_one_gives_its_trigger_from_the_first_day() -> None:
    """The enquiry is due at once by one rule (its anchor, a pregnancy's date, is
    unknown: due on whichever day it is evaluated) and, by another, six weeks before
    release, which falls on as_of itself. Tied today, the fixed one is the
    earlier from tomorrow on: its trigger (the release date) is the action's from the
    first day, or the decision would change the next day within its stable_until (a
    case the rescan's spot check found in a caseload of 50,000)."""
    data = {
        "case_id": "TIE",
        "supervision": {"stage": "custody", "sentence_type": "determinate_custody",
                        "start_date": "2026-04-05", "expected_release_date": "2027-01-04"},
        "household": {"in_relationship": True},
        "events": [{"type": "pregnancy"}],
        "checks": {"police_domestic_abuse": {"outcome": "concerns"}},
    }
    as_of = date(2026, 11, 23)
    [enquiry] = [a for a in riskreview.evaluate(data, as_of=as_of).actions
                 if a.code == "CSC_ENQUIRY"]
    assert enquiry.rule_ids == ("CS-06", "REL-02-CSC") and enquiry.due_date == as_of
    assert enquiry.trigger_date == date(2027, 1, 4) and enquiry.rolling is None
    assert _days_hold(data, as_of) == HORIZON


HMPPS_TIER = Path(__file__).resolve().parents[2] / "examples" / "packs" / "hmpps-tier"


@functools.cache
def _hmpps() -> riskreview.Pack:
    return riskreview.load_pack(HMPPS_TIER)


def _assessed(completed: date) -> dict[str, Any]:
    """A person in custody (a mandate for change) with one Layer 3 assessment."""
    return {
        "case_id": "H1",
        "inputs": {
            "convictions": [{"sentence_type": "SC"}],
            "assessments": [{"layer": "LAYER3", "status": "COMPLETE", "completed": str(completed)}],
        },
    }


def test_a_derived_value_that_reads_the_day_ends_the_span_on_the_day_it_changes() -> None:
    """The HMPPS tiering pack's valid assessment is one completed in the last 55 weeks.
    The span ends the day the assessment leaves that window, not the next day as when
    every value reading the day ended every span (a rescan then reused nothing of
    this pack), and that day the change level really changes."""
    as_of = date(2026, 9, 1)
    completed = as_of - timedelta(weeks=55) + timedelta(days=10)
    data = _assessed(completed)
    decision = riskreview.evaluate(data, as_of=as_of, pack=_hmpps())
    assert decision.reported["change_level"]["value"] != "2"
    until = decision.stable_until
    assert until is not None and as_of + timedelta(days=9) <= until <= as_of + timedelta(days=11)
    assert _days_hold(data, as_of, _hmpps()) == (until - as_of).days
    after = riskreview.evaluate(data, as_of=until, pack=_hmpps())
    assert after.reported["change_level"]["value"] == "2"  # no valid assessment: level 2


def test_an_assessment_far_inside_its_window_holds_for_weeks() -> None:
    as_of = date(2026, 9, 1)
    decision = riskreview.evaluate(_assessed(as_of - timedelta(weeks=5)), as_of=as_of,
                                   pack=_hmpps())
    assert decision.stable_until is None or decision.stable_until > as_of + timedelta(weeks=49)


@settings(max_examples=examples(40), deadline=None)
@given(dated_case_dicts(pack=_hmpps()))
def test_every_day_before_stable_until_holds_for_a_pack_of_day_reading_values(
    dated: tuple[dict[str, Any], date],
) -> None:
    """Generated cases of the HMPPS tiering pack, whose derived values read the day
    (a window over assessments, one over the last release)."""
    data, as_of = dated
    _days_hold(data, as_of, _hmpps())


# --- the days a test changes but the decision does not: passed over, not ends of the span


def _holds_past_tomorrow(data: dict[str, Any], as_of: date) -> riskreview.Decision:
    """The decision of ``as_of``, checked: its span reaches past the next day, and
    that day's decision is the one brought forward, stable_until apart."""
    decision = riskreview.evaluate(data, as_of=as_of)
    tomorrow = as_of + timedelta(days=1)
    assert decision.stable_until is None or decision.stable_until > tomorrow
    brought = _unchecked_refresh(decision, tomorrow)
    again = riskreview.evaluate(data, as_of=tomorrow)
    assert _apart_from_span(brought) == _apart_from_span(again)
    assert _days_hold(data, as_of) >= 2
    return decision


def test_a_known_risk_level_reads_one_row_of_the_review_interval() -> None:
    """REV-01 reads the review interval by the overall risk level (8 weeks for very
    high, 12 for high). For a very high case the assessment passing 12 weeks changes
    nothing: only the very high row is read, as the rule reads it, not every row as
    when the level is unknown."""
    as_of = date(2026, 11, 23)
    data = {
        "case_id": "K1",
        "risk": {"levels": {"public": "very_high"}, "last_review_date": "2026-08-31"},
    }
    assert (as_of - date(2026, 8, 31)).days == 12 * 7  # the high row's edge is tomorrow
    decision = _holds_past_tomorrow(data, as_of)
    assert "REV-01" in {r for a in decision.actions for r in a.rule_ids}


def test_the_regular_review_falling_due_after_a_review_already_due_changes_nothing() -> None:
    """A change of address brought the review forward to a fixed date before the
    regular one (12 weeks for high): the day the regular review falls due, the next
    review is still the earlier date and the required review stands as it was."""
    as_of = date(2026, 11, 23)
    data = {
        "case_id": "K2",
        "risk": {"levels": {"public": "high"}, "last_review_date": "2026-09-01"},
        "events": [{"type": "change_of_address", "date": "2026-10-01"}],
    }
    assert date(2026, 9, 1) + timedelta(weeks=12) == as_of + timedelta(days=1)
    decision = _holds_past_tomorrow(data, as_of)
    [review] = [a for a in decision.actions if a.code == "RISK_REVIEW"]
    assert review.rolling is None and review.due_date < as_of + timedelta(days=1)
    assert decision.next_review is not None and decision.next_review.date == review.due_date


def test_a_rule_still_fired_by_another_alternative_reads_the_same() -> None:
    """DA-05-JUDGEMENT fires on stalking in the index offence or on a recent
    separation (90 days). The separation leaving the window tomorrow changes the
    test, not the rule: it still fires, with the same evidence, by the stalking."""
    as_of = date(2026, 11, 23)
    data = {
        "case_id": "K3",
        "index_offence": {"categories": ["stalking"]},
        "registrations": ["domestic_abuse_perpetrator"],
        "events": [{"type": "separation", "date": str(as_of - timedelta(days=90))}],
    }
    decision = _holds_past_tomorrow(data, as_of)
    assert "DA-05-JUDGEMENT" in {r for a in decision.actions for r in a.rule_ids}


def test_a_rule_fired_by_the_leaving_item_alone_still_ends_the_span() -> None:
    """The same separation with no other factor: the day it leaves the window the
    rule stops firing, and the span ends that day."""
    as_of = date(2026, 11, 23)
    data = {
        "case_id": "K4",
        "registrations": ["domestic_abuse_perpetrator"],
        "events": [{"type": "separation", "date": str(as_of - timedelta(days=90))}],
    }
    decision = riskreview.evaluate(data, as_of=as_of)
    assert "DA-05-JUDGEMENT" in {r for a in decision.actions for r in a.rule_ids}
    assert decision.stable_until == as_of + timedelta(days=1)
    after = riskreview.evaluate(data, as_of=as_of + timedelta(days=1))
    assert "DA-05-JUDGEMENT" not in {r for a in after.actions for r in a.rule_ids}


@pytest.mark.parametrize("count", [30, 90])
def test_rules_are_read_on_the_days_of_a_bounded_number_of_items(count: int) -> None:
    """Separations, one leaving the 90-day window on each of the next days, in a rule
    that stalking fires anyway. Up to ``READ_ITEMS`` dated items the rule is read on
    each of those days and none ends the span; past it (each reading reads every
    event) the first ends it, as before rules were read. Either way the decision
    holds every day before it, from whichever day of the span it is made."""
    as_of = date(2026, 11, 23)
    data = {
        "case_id": "K5",
        "index_offence": {"categories": ["stalking"]},
        "registrations": ["domestic_abuse_perpetrator"],
        "events": [
            {"type": "separation", "date": str(as_of - timedelta(days=89 - k))}
            for k in range(count)
        ],
    }
    until = riskreview.evaluate(data, as_of=as_of).stable_until
    assert until is not None
    if count <= _stable.READ_ITEMS:
        assert until > as_of + timedelta(days=count)
    else:
        assert until == as_of + timedelta(days=2)  # the first leaves the day after tomorrow
    assert _days_hold(data, as_of) == min(HORIZON, (until - as_of).days)


_LEVELS = ["low", "medium", "high", "very_high"]


@st.composite
def _dated_events(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    """A case with up to 80 events within about four months of ``as_of`` (either side
    of ``READ_ITEMS``), with or without factors that fire the rules testing them by
    another alternative, and a risk level and review date about their intervals."""
    as_of = date(2026, 11, 23)
    kinds = st.sampled_from([t.value for t in EventType])
    events = draw(
        st.lists(
            st.builds(
                lambda kind, back: {"type": kind, "date": str(as_of - timedelta(days=back))},
                kinds,
                st.integers(0, 130),
            ),
            max_size=80,
        )
    )
    data: dict[str, Any] = {"case_id": "E", "events": events}
    if draw(st.booleans()):
        data["index_offence"] = {"categories": ["stalking", "domestic_abuse"]}
    if draw(st.booleans()):
        data["registrations"] = ["domestic_abuse_perpetrator"]
    if draw(st.booleans()):
        data["risk"] = {
            "levels": {"public": draw(st.sampled_from(_LEVELS))},
            "last_review_date": str(as_of - timedelta(days=draw(st.integers(0, 200)))),
        }
    return data, as_of


@settings(max_examples=examples(25), deadline=None)
@given(_dated_events())
def test_every_day_before_stable_until_holds_with_many_dated_events(
    dated: tuple[dict[str, Any], date],
) -> None:
    """Many events leaving their windows on many days, about the number of dated items
    up to which rules are read on each of those days: whichever way the span is found,
    the decision holds every day before it, stable_until included."""
    data, as_of = dated
    _days_hold(data, as_of)
