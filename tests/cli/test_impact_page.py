"""The impact page of a real policy change, read as a policy owner would, and as
headless Chromium draws it.

The change: the default pack with the MARAC DASH threshold lowered (14 → 10) and
every regular review interval four weeks shorter, over a synthetic caseload.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_support import DAY, assert_page_matches, read_page

from riskreview import evaluate
from riskreview.diff import ImpactReport, impact, render_html
from riskreview.pack import Pack, default_pack_path, load_pack
from riskreview.synthetic import generate

CASES = 160
CLOCK = datetime(2026, 11, 23, 7, 45, tzinfo=UTC)
#: Colours the page keeps for one thing each (riskreview._report, _reportchart).
CHANGED, GAINED, LOST = (0x1D, 0x70, 0xB8), (0x00, 0x70, 0x3C), (0xD4, 0x35, 0x1C)


def _set_parameter(pack: Path, name: str, change: Any) -> None:
    """Apply ``change`` to every dated value of parameter ``name`` in its file."""
    for path in sorted((pack / "parameters").glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        parameter = data["parameters"].get(name)
        if parameter is not None:
            parameter["values"] = {d: change(v) for d, v in parameter["values"].items()}
            path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
            return
    raise AssertionError(f"no parameter {name} in {pack}")


@dataclass
class Change:
    old: Pack
    new: Pack
    cases: list[dict[str, Any]]
    report: ImpactReport
    html: str


@pytest.fixture(scope="module")
def marac_change(tmp_path_factory: pytest.TempPathFactory) -> Change:
    folder = tmp_path_factory.mktemp("packs") / "england-wales-new"
    shutil.copytree(default_pack_path(), folder)
    _set_parameter(folder, "marac_dash_threshold", lambda v: 10)
    _set_parameter(
        folder, "review_interval_weeks", lambda v: {k: max(n - 4, 1) for k, n in v.items()}
    )
    old, new = load_pack(default_pack_path()), load_pack(folder)
    cases = list(generate(CASES, seed=11, as_of=DAY))
    report = impact(old, new, cases, DAY, caseload="synthetic.jsonl", clock=lambda: CLOCK)
    return Change(old, new, cases, report, render_html(report))


class _Rows(HTMLParser):
    """The text of each parameter row's cells, by parameter and date."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, str], list[str]] = {}
        self._row: tuple[str, str] | None = None
        self._cells: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-parameter"):
            self._row = (a["data-parameter"] or "", a.get("data-since") or "")
            self.rows[self._row] = []
        elif tag == "td" and self._row is not None:
            self.rows[self._row].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None and self.rows[self._row]:
            self.rows[self._row][-1] += data


def _words(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in value.items())
    return str(value)


def test_the_page_states_both_parameter_changes_before_any_chart(marac_change: Change) -> None:
    html = marac_change.html
    parser = _Rows()
    parser.feed(html)
    chart = html.index("<svg")
    for name in ("marac_dash_threshold", "review_interval_weeks"):
        old, new = marac_change.old.parameters[name], marac_change.new.parameters[name]
        assert old.values != new.values
        for (since, before), (_, after) in zip(old.values, new.values, strict=True):
            cells = parser.rows[(name, since.isoformat())]
            assert _words(before) in cells[-2] and _words(after) in cells[-1], cells
            assert html.index(f'data-parameter="{name}" data-since="{since}"') < chart
    threshold = parser.rows[("marac_dash_threshold", "2024-01-01")]
    assert threshold[-2].startswith("14") and threshold[-1].startswith("10")


def _independently(change: Change) -> dict[str, int]:
    """The counts the page must state, from decisions made here case by case."""
    counts = {"changed": 0, "marac": 0, "review_moved": 0}
    for case in change.cases:
        before = evaluate(case, as_of=DAY, pack=change.old)
        after = evaluate(case, as_of=DAY, pack=change.new)
        due_before = {a.code: a.due_date for a in before.actions}
        due_after = {a.code: a.due_date for a in after.actions}
        counts["changed"] += due_before != due_after
        counts["marac"] += "MARAC_REFERRAL" in due_after.keys() - due_before.keys()
        assert before.next_review is not None and after.next_review is not None
        counts["review_moved"] += after.next_review.date != before.next_review.date
    return counts


def test_the_page_states_how_many_cases_change(marac_change: Change) -> None:
    expected = _independently(marac_change)
    assert expected["changed"] > 0 and expected["marac"] > 0 and expected["review_moved"] > 0
    page = read_page(marac_change.html)
    assert page.summary["cases"] == CASES
    assert page.summary["changed_cases"] == expected["changed"]
    assert page.summary["review_moved"] == expected["review_moved"]
    assert page.rows["MARAC_REFERRAL"]["gained"] == expected["marac"]
    assert f"{expected['changed']} cases of {CASES} change" in marac_change.html
    assert f"{expected['review_moved']} cases have the next review date earlier" in (
        marac_change.html
    )
    assert_page_matches(marac_change.html, marac_change.report.to_dict())


# ------------------------------------------------------------------ in a browser

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WIDTH, HEIGHT = 1200, 2000


@pytest.fixture
def chromium() -> str:
    found = shutil.which("chromium")
    if found is not None:
        return found
    if os.environ.get("RISKREVIEW_REQUIRE_BROWSER") == "1":
        pytest.fail("RISKREVIEW_REQUIRE_BROWSER=1 but chromium is not installed")
    pytest.skip(
        "chromium is not installed (Debian: apt-get install chromium); "
        "CI installs it and sets RISKREVIEW_REQUIRE_BROWSER=1"
    )


def _browse(chromium: str, tmp_path: Path, page: Path, *args: str) -> str:
    result = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, page.as_uri()],
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return result.stdout


def _runs(row: bytes, colour: tuple[int, int, int]) -> Iterator[tuple[int, int]]:
    """(first x, width) of each run of pixels of exactly ``colour`` in an RGB row."""
    target = bytes(colour)
    start = row.find(target)
    while start != -1:
        if start % 3:
            start = row.find(target, start + 1)
            continue
        end = start
        while row[end : end + 3] == target:
            end += 3
        yield start // 3, (end - start) // 3
        start = row.find(target, end)


def _scan(png: Path) -> dict[tuple[int, int, int], dict[int, list[tuple[int, int]]]]:
    """For each page colour, the rows holding it and their runs."""
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        data = rgb.tobytes()
    found: dict[tuple[int, int, int], dict[int, list[tuple[int, int]]]] = {}
    for colour in (CHANGED, GAINED, LOST):
        rows = {}
        for y in range(height):
            runs = list(_runs(data[y * width * 3 : (y + 1) * width * 3], colour))
            if runs:
                rows[y] = runs
        found[colour] = rows
    return found


def _bars(rows: dict[int, list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """(left x, width) of each bar, top to bottom: a bar is a band of rows of its colour."""
    bars: list[list[int]] = []
    for y in sorted(rows):
        if bars and bars[-1][-1] == y - 1:
            bars[-1].append(y)
        else:
            bars.append([y])
    return [max(rows[band[len(band) // 2]], key=lambda run: run[1]) for band in bars]


def test_chromium_draws_what_changed_above_a_chart_scaled_to_the_counts(
    marac_change: Change, chromium: str, tmp_path: Path
) -> None:
    page = tmp_path / "impact.html"
    page.write_text(marac_change.html, "utf-8")
    png = tmp_path / "impact.png"
    _browse(chromium, tmp_path, page, f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}")
    colours = _scan(png)
    changed, gained = colours[CHANGED], colours[GAINED]
    assert changed and gained, "the what-changed rule or the chart's bars are not drawn"
    assert max(changed) < min(gained), "the what-changed section must stand above the chart"
    report = marac_change.report
    expected = sorted(
        (a for a in report.actions if a.gained), key=lambda a: (-(a.gained + a.lost), a.code)
    )
    bars = _bars(gained)
    assert len(bars) == len(expected)
    unit = read_page(marac_change.html).unit
    assert unit is not None
    for (_, width), action in zip(bars, expected, strict=True):
        assert abs(width - action.gained * unit) <= 1.5, (action.code, width)
    if report.lost == 0:
        assert not colours[LOST]
        lefts = {left for left, _ in bars}
        assert len(lefts) == 1 and lefts.pop() < WIDTH / 2, "an empty half for losses"
    dom = _browse(chromium, tmp_path, page, "--dump-dom")
    assert_page_matches(dom, report.to_dict())
    assert dom.index('id="what-changed"') < dom.index("<svg")


def test_chromium_draws_gains_and_losses_either_side_of_the_axis_to_scale(
    chromium: str, tmp_path: Path
) -> None:
    from riskreview.diff import ActionImpact, PackInfo

    def action(code: str, gained: int, lost: int) -> ActionImpact:
        return ActionImpact(
            code, f"Title of {code}", 50, 50 + gained - lost, gained, lost, 0, (), (), ()
        )

    actions = (action("A_GAINS", 40, 0), action("B_BOTH", 10, 25), action("C_LOSES", 0, 5))
    report = ImpactReport(
        PackInfo("p", "1", "sha256:" + "a" * 64),
        PackInfo("p", "2", "sha256:" + "b" * 64),
        DAY,
        100,
        60,
        0,
        actions,
    )
    page = tmp_path / "impact.html"
    page.write_text(render_html(report), "utf-8")
    png = tmp_path / "impact.png"
    _browse(chromium, tmp_path, page, f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}")
    colours = _scan(png)
    unit = read_page(page.read_text("utf-8")).unit
    assert unit is not None
    gains, losses = _bars(colours[GAINED]), _bars(colours[LOST])
    # rows by most cases moved: A_GAINS (40), B_BOTH (35), C_LOSES (5)
    assert [round(w / unit) for _, w in gains] == [40, 10]
    assert [round(w / unit) for _, w in losses] == [25, 5]
    for (_, width), count in zip([*gains, *losses], [40, 10, 25, 5], strict=True):
        assert abs(width - count * unit) <= 1.5
    (axis,) = {left for left, _ in gains}  # every gain starts at the axis
    for left, width in losses:  # and every loss ends there
        assert abs(left + width - axis) <= 3


def test_next_reviews_brought_forward_are_explained_by_their_dates(marac_change: Change) -> None:
    report = marac_change.report
    shift = report.review_earlier
    assert shift.cases > 0 and len(shift.examples) == min(shift.cases, 5)
    for case_id in shift.examples:
        example = report.example("next_review", "earlier", case_id)
        assert example is not None
        assert example.old.due_date is not None and example.new.due_date is not None
        moved = (example.old.due_date - example.new.due_date).days
        assert 0 < moved <= shift.max_days and example.new.reasons
    # four weeks shorter: every move is 28 days unless the review was already due
    assert shift.max_days <= 28
    first = report.examples.index(report.example("next_review", "earlier", shift.examples[0]))
    assert f'<a href="#ex-{first + 1}">{shift.examples[0]}</a>' in marac_change.html
