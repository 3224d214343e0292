"""The review schedule's own review (pack.yaml ``review: id, reason, source``) and the
horizon between actions due now and upcoming."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from _pack_support import VALID, edit

import riskreview
from riskreview.decision import Status, Timing
from riskreview.errors import ArgumentError, ArgumentValueError, PackError, UnknownRuleError
from riskreview.pack import default_pack, default_pack_path, load_pack

AS_OF = date(2026, 12, 29)
# low risk, supervised from 1 September, no assessment date: the regular review
# (16 weeks from the start) fell due on 22 December
CASE = {
    "case_id": "SCHEDULE-1",
    "supervision": {"stage": "community", "start_date": "2026-09-01"},
    "risk": {"levels": {"children": "low", "public": "low", "known_adult": "low", "staff": "low"}},
}


def _default_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(riskreview.pack.default_pack_path(), target)
    return target


def test_a_passed_next_review_requires_the_review_under_the_schedule_id_reason_and_source() -> None:
    decision = riskreview.evaluate(CASE, as_of=AS_OF)
    review = decision.action("RISK_REVIEW")
    assert review is not None and decision.next_review is not None
    assert review.rule_ids == ("REV-02",)
    assert review.due_date == decision.next_review.date == date(2026, 12, 22)
    assert review.status is Status.OVERDUE and review.timing is Timing.OVERDUE
    assert review.reasons[0].startswith("The next review date has come")
    assert any("every 16 weeks" in r for r in review.reasons)
    assert review.sources and review.sources[0].startswith("local policy (assumed)")
    assert ("supervision.start_date", date(2026, 9, 1)) in [
        (e.path, e.value) for e in review.evidence
    ]


def test_without_an_id_the_schedule_review_is_required_under_review_schedule(
    tmp_path: Path,
) -> None:
    folder = _default_copy(tmp_path)
    edit(folder / "pack.yaml", "  id: REV-02\n", "")
    pack = riskreview.load_pack(folder)
    review = riskreview.evaluate(CASE, as_of=AS_OF, pack=pack).action("RISK_REVIEW")
    assert review is not None and review.rule_ids == ("REVIEW-SCHEDULE",)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("  id: REV-02\n", "  id: 5\n", "review id"),
        ("  id: REV-02\n", "  id: '  '\n", "review id"),
        ("  id: REV-02\n", "  id: REV-02\n  colour: red\n", "colour"),
    ],
)
def test_a_bad_review_id_reason_or_key_is_refused_naming_it(
    tmp_path: Path, old: str, new: str, key: str
) -> None:
    folder = _default_copy(tmp_path)
    edit(folder / "pack.yaml", old, new)
    with pytest.raises(PackError, match=key):
        riskreview.load_pack(folder)


def test_a_pack_without_a_horizon_has_every_action_not_overdue_due_now() -> None:
    pack = riskreview.load_pack(VALID)
    decision = riskreview.evaluate({"case_id": "H-1"}, as_of=date(2026, 11, 23), pack=pack)
    assert decision.upcoming_within is None
    assert decision.actions and not decision.upcoming
    assert all(a.timing in (Timing.DUE_NOW, Timing.OVERDUE) for a in decision.actions)


def test_the_horizon_must_be_a_whole_number_of_days() -> None:
    with pytest.raises(ArgumentError, match="upcoming_within"):
        riskreview.evaluate(CASE, as_of=AS_OF, upcoming_within="28")  # type: ignore[arg-type]
    with pytest.raises(ArgumentValueError, match="upcoming_within"):
        riskreview.evaluate(CASE, as_of=AS_OF, upcoming_within=-1)


def test_refresh_recomputes_timing_as_the_day_moves() -> None:
    case = dict(CASE, case_id="SCHEDULE-2", home_visits=[])
    first = riskreview.evaluate(case, as_of=date(2026, 9, 2), upcoming_within=7)
    visit = first.action("HOME_VISIT")
    assert visit is not None and visit.timing is Timing.UPCOMING
    day = date(2026, 11, 20)
    assert first.stable_until is None or day < first.stable_until
    later = riskreview.refresh(first, day)
    assert later == riskreview.evaluate(case, as_of=day, upcoming_within=7)
    assert later.action("HOME_VISIT").timing is Timing.DUE_NOW  # type: ignore[union-attr]


def test_a_review_schedule_id_that_is_also_a_rule_id_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(default_pack_path(), root)
    meta = root / "pack.yaml"
    text = meta.read_text()
    assert "id: REV-02" in text
    meta.write_text(text.replace("id: REV-02", "id: REV-01"))
    with pytest.raises(PackError) as caught:
        load_pack(root)
    (problem,) = caught.value.problems
    assert problem.path.startswith("pack.yaml:") and problem.path.endswith(" review id")
    assert "'REV-01' is also a rule's id" in problem.message


def test_explaining_the_review_schedule_says_it_is_not_a_rule() -> None:
    with pytest.raises(UnknownRuleError, match="is the review schedule of pack england-wales"):
        default_pack().rule("REV-02")
