"""Constants and helpers shared by the command line tests."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from click.testing import Result

AS_OF = "2026-11-23"
DAY = date(2026, 11, 23)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "broken_packs"
LEVELS = {"children": "low", "public": "low", "known_adult": "low", "staff": "low"}

#: Children in contact and a domestic abuse offence: the default pack requires a
#: children's social care enquiry (CS-02) and a police check (DA-01).
CASE: dict[str, Any] = {
    "case_id": "CLI-1",
    "supervision": {"stage": "community", "start_date": "2026-10-01"},
    "household": {"children_in_contact": True},
    "index_offence": {"categories": ["domestic_abuse"]},
}

#: Scenarios that fire every rule of the minimal fixture pack and stop just short
#: of firing each one.
SCENARIOS = (FIXTURES.parent / "minimal_scenarios.yaml").read_text(encoding="utf-8")

Run = Callable[..., Result]


def error_lines(result: Result, code: int = 2) -> list[str]:
    """Assert ``result`` is a clean failure: the exit code, nothing on stdout, and
    only ``error:`` lines (no traceback) on stderr; return those lines."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines, "no error message"
    assert all(line.startswith("error: ") for line in lines), lines
    assert "Traceback" not in result.stderr
    return lines


def write_jsonl(path: Path, lines: list[str]) -> Path:
    """Write ``lines`` as a JSON Lines file."""
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def dump(data: Any) -> str:
    """One JSON line."""
    return json.dumps(data)


# ------------------------------------------------------------------ policy impact


def reviewed_weeks_ago(case_id: str, weeks: int) -> dict[str, Any]:
    """A low-risk case whose assessment was last reviewed ``weeks`` ago."""
    reviewed = date.fromordinal(DAY.toordinal() - 7 * weeks).isoformat()
    return {
        "case_id": case_id,
        "supervision": {"stage": "community", "start_date": "2026-01-05"},
        "risk": {"screening_date": "2026-01-07", "last_review_date": reviewed, "levels": LEVELS},
    }


def shorter_reviews(source: Path, target: Path, weeks: int = 2) -> Path:
    """Copy pack ``source`` to ``target`` with the regular review interval (the
    parameter pack.yaml names) set to ``weeks`` for every level and date."""
    shutil.copytree(source, target)
    meta = yaml.safe_load((target / "pack.yaml").read_text("utf-8"))
    name = meta["review"]["interval"]["param"] if "review" in meta else "review_interval_weeks"
    for path in sorted((target / "parameters").glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        parameter = data["parameters"].get(name)
        if parameter is not None:
            parameter["values"] = {
                when: dict.fromkeys(value, weeks) if isinstance(value, dict) else weeks
                for when, value in parameter["values"].items()
            }
            path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
            return target
    raise AssertionError(f"no parameter {name} in {source}")


class ReportPage(HTMLParser):
    """The machine-readable parts of a policy impact page."""

    def __init__(self) -> None:
        super().__init__()
        self.bars: list[dict[str, Any]] = []
        self.rows: dict[str, dict[str, int]] = {}
        self.summary: dict[str, int] = {}
        self.tags: set[str] = set()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.unit: float | None = None
        self._cell: tuple[str, str] | None = None
        self._row: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        self.links += [v for k, v in a.items() if k in ("src", "href")]
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "svg" and "data-unit" in a:
            self.unit = float(a["data-unit"])
        if tag == "rect" and "bar" in a.get("class", "").split():
            kind = a["class"].split()[1]
            bar = {"kind": kind, "code": a["data-code"], "count": int(a["data-count"])}
            self.bars.append(bar | {"width": float(a["width"])})
        elif tag == "tr" and "data-code" in a:
            self._row = a["data-code"]
            self.rows[self._row] = {}
        elif tag in ("td", "dd") and "data-key" in a:
            self._cell = (tag, a["data-key"])

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            tag, key = self._cell
            if tag == "dd":
                self.summary[key] = int(data)
            elif self._row is not None:
                self.rows[self._row][key] = int(data)
            self._cell = None


def read_page(html: str) -> ReportPage:
    """Parse a policy impact page."""
    page = ReportPage()
    page.feed(html)
    page.close()
    return page


def assert_page_matches(html: str, report: dict[str, Any]) -> None:
    """The chart bars, table rows and summary of ``html`` match the report's numbers."""
    page = read_page(html)
    assert "script" not in page.tags
    # links only within the page, each to an element that is there
    assert all(link.startswith("#") and link[1:] in page.ids for link in page.links)
    assert "url(" not in html and "@import" not in html
    actions = {a["code"]: a for a in report["actions"]}
    expected_bars = sorted(
        (kind, code, a[kind])
        for code, a in actions.items()
        for kind in ("gained", "lost")
        if a[kind]
    )
    assert sorted((b["kind"], b["code"], b["count"]) for b in page.bars) == expected_bars
    if page.bars:
        assert page.unit is not None and page.unit > 0
        for bar in page.bars:
            assert abs(bar["width"] - bar["count"] * page.unit) <= 0.01, "widths not proportional"
    keys = ("before", "after", "gained", "lost", "due_changed")
    assert page.rows == {code: {k: a[k] for k in keys} for code, a in actions.items()}
    for key in ("cases", "changed_cases", "gained", "lost", "due_dates_changed", "invalid"):
        assert page.summary[key] == report[key], key
