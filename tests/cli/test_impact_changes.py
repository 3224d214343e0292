"""riskreview.diff: what differs between two packs, read from the packs alone, and
how the page shows it (escaped, before the effect on the caseload)."""

from __future__ import annotations

import shutil
import statistics
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from cli_support import DAY, FIXTURES, assert_page_matches, reviewed_weeks_ago, shorter_reviews

from riskreview import evaluate
from riskreview.diff import impact, render_html
from riskreview.errors import ArgumentError
from riskreview.pack import default_pack_path, load_pack
from riskreview.synthetic import generate

CLOCK = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


def _copy(tmp_path: Path, name: str = "old") -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / "_valid_minimal", target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def _policy_change(tmp_path: Path) -> tuple[Path, Path]:
    """A new minimal pack: CS-02's DASH threshold 14 → 10 and a new title, DA-01
    removed, CS-03 added, an action retitled, a parameter with a new dated value."""
    old = _copy(tmp_path)
    new = _copy(tmp_path, "new")
    rules = new / "rules" / "child_safeguarding.yaml"
    _edit(rules, "dash_score: {gte: 14}", "dash_score: {gte: 10}")
    _edit(rules, "title: Enquire with", "title: Ask")
    rules.write_text(
        rules.read_text("utf-8")
        + """\
  - id: CS-03
    title: Review when a child is on a child protection plan
    area: child_safeguarding
    when:
      registrations: {contains: child_protection}
    action: RISK_REVIEW
    due: {working_days: 2, from: as_of}
    source: test fixture
    rationale: A plan changes the risk to children.
""",
        "utf-8",
    )
    (new / "rules" / "domestic_abuse.yaml").unlink()
    _edit(new / "actions.yaml", "title: Make an enquiry", "title: Send an enquiry")
    _edit(
        new / "parameters" / "deadlines.yaml", "2024-01-01: 5", "2024-01-01: 5\n      2026-06-01: 3"
    )
    return old, new


def test_what_changed_lists_parameters_rules_and_wording_from_the_packs(tmp_path: Path) -> None:
    old, new = _policy_change(tmp_path)
    changes = impact(old, new, [], DAY).changes
    (deadline,) = changes.parameters
    assert deadline.name == "police_da_check_working_days" and deadline.status == "changed"
    assert [(v.since.isoformat(), v.old, v.new) for v in deadline.values] == [("2026-06-01", 5, 3)]
    rules = {r.key: r for r in changes.rules}
    assert {k: r.status for k, r in rules.items()} == {
        "CS-02": "changed",
        "CS-03": "added",
        "DA-01": "removed",
    }
    aspects = {c.aspect: c for c in rules["CS-02"].changes}
    # a rule without a reason of its own gives the practitioner its title
    assert set(aspects) == {"title", "condition", "reason given"}
    assert aspects["title"].old is not None and aspects["title"].old.startswith("Enquire with")
    lines = aspects["condition"].lines
    assert [line for line in lines if line[0] != " "] == [
        "- " + line for line in (aspects["condition"].old or "").splitlines() if "14" in line
    ] + ["+ " + line for line in (aspects["condition"].new or "").splitlines() if "10" in line]
    assert sum(line.startswith("  ") for line in lines) >= 3  # the rest stays as context
    added = {c.aspect: c for c in rules["CS-03"].changes}
    assert (
        added["condition"].old is None
        and added["due"].new == "2 working days after the decision date"
    )
    assert all(line.startswith("+ ") for line in added["condition"].lines)
    (action,) = changes.actions
    assert (action.key, action.status) == ("CSC_ENQUIRY", "changed")
    # an action without wording of its own is worded as its title
    titles = (
        "Make an enquiry to children's social care",
        "Send an enquiry to children's social care",
    )
    assert [(c.aspect, c.old, c.new) for c in action.changes] == [
        ("title", *titles),
        ("wording", *titles),
    ]
    assert changes.derived == changes.information == changes.conditions == changes.pack == ()


def test_a_pack_compared_with_itself_has_no_changes(tmp_path: Path) -> None:
    old = _copy(tmp_path)
    report = impact(old, load_pack(old), [], DAY)
    assert report.changes.empty
    assert "nothing a decision reads differs" in render_html(report)


def test_a_table_parameter_change_is_listed_for_every_date_it_differs(tmp_path: Path) -> None:
    old = _copy(tmp_path)
    new = shorter_reviews(old, tmp_path / "new", weeks=2)
    (interval,) = impact(old, new, [], DAY).changes.parameters
    assert interval.name == "review_interval_weeks"
    (value,) = interval.values
    assert value.old == {"low": 16, "medium": 16, "high": 12, "very_high": 8}
    assert value.new == dict.fromkeys(value.old, 2)


def test_the_report_json_carries_the_changes_with_their_line_diffs(tmp_path: Path) -> None:
    old, new = _policy_change(tmp_path)
    data = impact(old, new, [], DAY, clock=lambda: CLOCK).to_dict()
    assert data["generated_at"] == "2026-11-23T18:30:00+00:00"
    parameter = data["changes"]["parameters"][0]
    assert parameter["values"] == [{"since": "2026-06-01", "old": 5, "new": 3}]
    rule = next(r for r in data["changes"]["rules"] if r["key"] == "CS-02")
    condition = next(c for c in rule["changes"] if c["aspect"] == "condition")
    assert any(line.startswith("+ ") and "10" in line for line in condition["lines"])


# ------------------------------------------------------------------ due dates


def test_moved_due_dates_are_split_earlier_and_later_with_median_and_most_days(
    tmp_path: Path,
) -> None:
    old = _copy(tmp_path)
    new = _copy(tmp_path, "new")
    _edit(new / "parameters" / "deadlines.yaml", "2024-01-01: 5", "2024-01-01: 12")
    starts = ["2026-11-02", "2026-11-05", "2026-11-06", "2026-10-20", "2026-11-10"]
    cases = [{"case_id": f"D{i}", "supervision": {"start_date": s}} for i, s in enumerate(starts)]
    days = []
    for case in cases:
        before = evaluate(case, as_of=DAY, pack=load_pack(old)).action("POLICE_DA_CHECK")
        after = evaluate(case, as_of=DAY, pack=load_pack(new)).action("POLICE_DA_CHECK")
        assert before is not None and after is not None
        days.append((after.due_date - before.due_date).days)
    assert min(days) > 0 and len(set(days)) > 1  # later by differing spans (weekends)
    police = impact(old, new, cases, DAY).action("POLICE_DA_CHECK")
    assert police is not None
    assert (police.later.cases, police.earlier.cases, police.due_changed) == (5, 0, 5)
    assert police.later.median_days == statistics.median(days)
    assert police.later.max_days == max(days)
    assert police.later.examples == ("D0", "D1", "D2", "D3", "D4")
    back = impact(new, old, cases, DAY).action("POLICE_DA_CHECK")
    assert back is not None and back.later.cases == 0
    assert (back.earlier.cases, back.earlier.median_days) == (5, statistics.median(days))


def test_each_example_is_explained_under_both_packs(tmp_path: Path) -> None:
    old = _copy(tmp_path)
    new = shorter_reviews(old, tmp_path / "new", weeks=2)
    report = impact(old, new, [reviewed_weeks_ago("R1", 6)], DAY)
    example = report.example("RISK_REVIEW", "gained", "R1")
    assert example is not None
    assert not example.old.required and example.new.required
    assert example.new.due_date == DAY and example.new.reasons
    assert example.old.explanations[0].startswith("REV-01 did not fire")
    assert example.new.explanations[0].startswith("REV-01 fired")
    html = render_html(report)
    assert '<a href="#ex-1">R1</a>' in html and 'id="ex-1"' in html


# ------------------------------------------------------------------ the page


class _Text(HTMLParser):
    """The page's text in order, and the tags it opens."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_page_shows_what_changed_before_the_caseload(tmp_path: Path) -> None:
    old, new = _policy_change(tmp_path)
    cases = [reviewed_weeks_ago("R1", 6), {"case_id": "K1", "registrations": ["child_protection"]}]
    report = impact(old, new, cases, DAY, caseload="cases.jsonl", clock=lambda: CLOCK)
    html = render_html(report)
    assert_page_matches(html, report.to_dict())
    order = [
        'id="what-changed"',
        'data-parameter="police_da_check_working_days" data-since="2026-06-01"',
        'data-key="CS-02" data-status="changed"',
        'data-key="CS-03" data-status="added"',
        'data-key="DA-01" data-status="removed"',
        'data-key="CSC_ENQUIRY" data-status="changed"',
        'id="effect"',
        "<footer>",
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert '<span class="add">+ ' in html and '<span class="del">- ' in html
    added = html[positions[3] : positions[4]]  # a whole new rule reads as plain text
    assert "registrations" in added and "<ins>" not in added and 'class="add"' not in added
    footer = html[html.index("<footer>") :]
    for text in ("cases.jsonl", "2026-11-23T18:30:00+00:00", report.old.digest, report.new.digest):
        assert text in footer


def test_unchanged_actions_are_folded_away(tmp_path: Path) -> None:
    old = _copy(tmp_path)
    new = shorter_reviews(old, tmp_path / "new", weeks=2)
    report = impact(old, new, [reviewed_weeks_ago("R1", 6)], DAY)
    html = render_html(report)
    folded = html[html.index('<details class="unchanged">') : html.index("</details>")]
    assert 'data-code="POLICE_DA_CHECK"' in folded and 'data-code="RISK_REVIEW"' not in folded
    assert html.index('data-code="RISK_REVIEW"') < html.index('<details class="unchanged">')


def test_hostile_case_ids_and_pack_text_are_escaped(tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    old = _copy(tmp_path)
    new = shorter_reviews(old, tmp_path / "new", weeks=2)
    actions = new / "actions.yaml"
    data = yaml.safe_load(actions.read_text("utf-8"))
    data["actions"]["RISK_REVIEW"]["title"] = "Review " + hostile
    actions.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    report = impact(old, new, [reviewed_weeks_ago(hostile, 6)], DAY, caseload=hostile)
    assert report.example("RISK_REVIEW", "gained", hostile) is not None
    html = render_html(report)
    parsed = _Text()
    parsed.feed(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert "<script" not in html and "<img" not in html
    shown = "".join(parsed.text)
    assert shown.count(hostile) >= 4  # examples, explanation heading, caseload, titles
    assert_page_matches(html, report.to_dict())


def test_impact_refuses_a_caseload_name_or_clock_of_the_wrong_kind(tmp_path: Path) -> None:
    old = _copy(tmp_path)
    with pytest.raises(ArgumentError, match="caseload must be text"):
        impact(old, old, [], DAY, caseload=Path("cases.jsonl"))  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="clock must be a function returning a datetime"):
        impact(old, old, [], DAY, clock=CLOCK)  # type: ignore[arg-type]


def test_an_example_required_by_the_review_schedule_says_why_not_that_it_is_no_rule(
    tmp_path: Path,
) -> None:
    """An action the review schedule requires carries the schedule's id (REV-02): its
    example shows the next review and why, not "REV-02 is not a rule of this pack"."""
    folder = tmp_path / "shorter"
    shutil.copytree(default_pack_path(), folder)
    params = folder / "parameters" / "review.yaml"
    data = yaml.safe_load(params.read_text("utf-8"))
    values = data["parameters"]["review_interval_weeks"]["values"]
    data["parameters"]["review_interval_weeks"]["values"] = {
        d: {k: max(n - 4, 1) for k, n in v.items()} for d, v in values.items()
    }
    params.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    day = date(2026, 11, 23)
    report = impact(
        load_pack(default_pack_path()),
        load_pack(folder),
        list(generate(300, seed=11, as_of=day)),
        day,
    )
    texts = [
        t
        for example in report.examples
        for under in (example.old, example.new)
        for t in under.explanations
    ]
    schedule = [t for t in texts if t.startswith("REV-02")]
    assert schedule, "no example carries the review schedule's id"
    assert all("is not a rule" not in t for t in schedule)
    assert any("(the review schedule): the next review" in t for t in schedule)
