"""Due dates counted back from a date (``before:``) and counted from the later of two
dates (``not_before:``): what they give, how the loader refuses bad spellings, and that
a decision holds until its ``stable_until`` with them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

import riskreview
from riskreview.errors import PackError

PACK = {
    "pack.yaml": "name: before\nversion: '1'\neffective_from: 2024-01-01\n",
    "actions.yaml": (
        "actions:\n"
        "  REVIEW: {title: Review before release, area: release, priority: high}\n"
        "  ENQUIRY: {title: Enquire, area: child_safeguarding, priority: high}\n"
    ),
    "parameters/p.yaml": """
parameters:
  review_weeks_before_release:
    description: Weeks before release by which the review is due.
    unit: weeks
    source: local policy (assumed)
    values:
      2024-01-01: 4
""",
    "rules/r.yaml": """
rules:
  - id: R-1
    title: Review before release
    area: release
    when:
      all:
        - supervision.stage: custody
        - release.pre_release_review_date: {missing: true}
    action: REVIEW
    due: {weeks: {param: review_weeks_before_release}, before: supervision.expected_release_date}
    source: local policy (assumed)
    rationale: r
  - id: R-2
    title: Enquire after a birth
    area: child_safeguarding
    when:
      events: {any: {type: birth_of_child}}
    action: ENQUIRY
    due: {working_days: 5, from: matched.events, not_before: supervision.release_date}
    source: local policy (assumed)
    rationale: r
""",
}

AS_OF = date(2026, 11, 23)


def _load(folder: Path, files: dict[str, str]) -> riskreview.Pack:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text.lstrip(), encoding="utf-8")
    return riskreview.load_pack(folder)


def _custody(release: str) -> dict[str, object]:
    return {
        "case_id": "C",
        "supervision": {"stage": "custody", "expected_release_date": release},
    }


def test_a_review_due_four_weeks_before_release_is_not_yet_due_ten_weeks_out(
    tmp_path: Path,
) -> None:
    pack = _load(tmp_path, PACK)
    action = riskreview.evaluate(_custody("2027-02-01"), as_of=AS_OF, pack=pack).action("REVIEW")
    assert action is not None
    assert action.due_date == date(2027, 1, 4)
    assert action.trigger_date == date(2027, 2, 1)
    assert action.status == "not_yet_due"


def test_a_date_before_release_that_has_passed_makes_the_action_overdue(tmp_path: Path) -> None:
    # release in two weeks: four weeks before it was two weeks ago
    pack = _load(tmp_path, PACK)
    action = riskreview.evaluate(_custody("2026-12-07"), as_of=AS_OF, pack=pack).action("REVIEW")
    assert action is not None
    assert action.due_date == date(2026, 11, 9)
    assert action.status == "overdue"


def test_an_unknown_release_date_makes_a_before_action_due_at_once(tmp_path: Path) -> None:
    pack = _load(tmp_path, PACK)
    case = {"case_id": "U", "supervision": {"stage": "custody"}}
    action = riskreview.evaluate(case, as_of=AS_OF, pack=pack).action("REVIEW")
    assert action is not None
    assert (action.due_date, action.trigger_date) == (AS_OF, None)


def test_working_days_before_a_date_skip_weekends_and_bank_holidays(tmp_path: Path) -> None:
    files = dict(PACK)
    files["rules/r.yaml"] = PACK["rules/r.yaml"].replace(
        "{weeks: {param: review_weeks_before_release}, before:", "{working_days: 3, before:"
    )
    pack = _load(tmp_path, files)
    # 29 Dec 2026 (Tue); back over 28 Dec (bank holiday), 26-27 (weekend), 25 (Christmas)
    case = _custody("2026-12-29")
    action = riskreview.evaluate(case, as_of=date(2026, 12, 1), pack=pack).action("REVIEW")
    assert action is not None
    assert action.due_date == date(2026, 12, 22)


def _birth(birth: str, release: str | None) -> dict[str, object]:
    supervision: dict[str, object] = {"stage": "licence"}
    if release is not None:
        supervision["release_date"] = release
    return {
        "case_id": "B",
        "supervision": supervision,
        "events": [{"type": "birth_of_child", "date": birth}],
    }


@pytest.mark.parametrize(
    ("birth", "release", "due"),
    [
        ("2026-06-10", "2026-10-05", date(2026, 10, 12)),  # born in custody: from release
        ("2026-11-02", "2026-10-05", date(2026, 11, 9)),  # born after release: from birth
        ("2026-06-10", None, date(2026, 6, 17)),  # release unknown: from birth
    ],
    ids=["event-in-custody", "event-after-release", "release-unknown"],
)
def test_not_before_counts_from_the_later_of_the_event_and_the_release(
    tmp_path: Path, birth: str, release: str | None, due: date
) -> None:
    pack = _load(tmp_path, PACK)
    action = riskreview.evaluate(_birth(birth, release), as_of=AS_OF, pack=pack).action("ENQUIRY")
    assert action is not None
    assert action.due_date == due


@pytest.mark.parametrize(
    ("due", "key", "reason"),
    [
        (
            "{weeks: 4, befor: supervision.expected_release_date}",
            "'befor'",
            "did you mean 'before'?",
        ),
        (
            "{weeks_before: 4, from: supervision.expected_release_date}",
            "'weeks_before'",
            "unknown key",
        ),
        (
            "{weeks: 4, before: supervision.expected_release_date, from: as_of}",
            "before",
            "counted from a date or back from one, not both",
        ),
        ("{weeks: 4, before: as_of}", "before", "'as_of' is not a date field of the case"),
        ("{weeks: 4, before: matched.events}", "before", "is not a date field of the case"),
        (
            "{weeks: 4, before: supervision.expected_release, from: as_of}",
            "before",
            "not both",
        ),
        (
            "{weeks: 4, before: supervision.expected_release}",
            "before",
            "did you mean 'supervision.expected_release_date'?",
        ),
        (
            "{weeks: 4, before: supervision.expected_release_date,"
            " not_before: supervision.start_date}",
            "not_before",
            "not_before goes with from",
        ),
        (
            "{working_days: 5, from: matched.events, not_before: supervision.release}",
            "not_before",
            "did you mean 'supervision.release_date'?",
        ),
    ],
)
def test_a_bad_due_spelling_is_refused_with_file_line_rule_and_key(
    tmp_path: Path, due: str, key: str, reason: str
) -> None:
    files = dict(PACK)
    files["rules/r.yaml"] = PACK["rules/r.yaml"].replace(
        "{weeks: {param: review_weeks_before_release}, before: supervision.expected_release_date}",
        due,
    )
    with pytest.raises(PackError) as info:
        _load(tmp_path, files)
    problem = info.value.problems[0]
    assert problem.path == f"rules/r.yaml:{_due_line(tmp_path)} R-1 due {key}"
    assert reason in problem.message


def test_a_decision_with_a_before_due_date_holds_until_stable_until(tmp_path: Path) -> None:
    """Evaluated every day across the due date (not yet due, due today, overdue):
    each day before stable_until, the refreshed decision is the fresh one."""
    pack = _load(tmp_path, PACK)
    case = _custody("2026-12-21")  # due 2026-11-23
    start = date(2026, 11, 16)
    day, checked = start, 0
    while day < date(2026, 12, 14):
        decision = riskreview.evaluate(case, as_of=day, pack=pack)
        until = decision.stable_until
        later = day + timedelta(days=1)
        while until is None or later < until:
            if later > date(2026, 12, 14):
                break
            fresh = riskreview.evaluate(case, as_of=later, pack=pack)
            assert riskreview.refresh(decision, later, pack).to_json() == fresh.to_json(), later
            later += timedelta(days=1)
            checked += 1
        day += timedelta(days=1)
    statuses = {
        riskreview.evaluate(case, as_of=d, pack=pack).action("REVIEW").status  # type: ignore[union-attr]
        for d in (date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24))
    }
    assert statuses == {"not_yet_due", "due_today", "overdue"}
    assert checked > 0


def _due_line(root: Path) -> int:
    """The line of the rule's ``due:`` key in the pack written for the test."""
    lines = (root / "rules" / "r.yaml").read_text().splitlines()
    return next(i for i, text in enumerate(lines, 1) if text.strip().startswith("due:"))
