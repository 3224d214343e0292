"""Every loader error points at the line of the offending key: a test inside a rule's
condition, a due date, a named condition (used by a rule or not), a derived value's
term or branch, an input's entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskreview.errors import PackError
from riskreview.pack import load_pack

VALID = Path(__file__).resolve().parents[1] / "fixtures" / "broken_packs" / "_valid_minimal"


def _first_problem(tmp_path: Path, file: str, old: str, new: str) -> tuple[str, int]:
    root = tmp_path / "pack"
    shutil.copytree(VALID, root)
    path = root / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(PackError) as caught:
        load_pack(root)
    where = caught.value.problems[0].path
    # the line that holds the edit, counted in the file as written
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if new in t)
    return where, line


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        (
            "rules/child_safeguarding.yaml",
            "{contains: child_protection}",
            "{contanis: child_protection}",
        ),
        ("rules/child_safeguarding.yaml", "{gte: medium}", "{gte: medum}"),
        ("conditions.yaml", "{lives_with: true}", "{lives_wth: true}"),
        (
            "conditions.yaml",
            "household.children_in_contact: true",
            "household.children_in_contact: 3",
        ),
    ],
)
def test_a_condition_error_points_at_its_own_line(
    tmp_path: Path, file: str, old: str, new: str
) -> None:
    where, line = _first_problem(tmp_path, file, old, new)
    assert where.startswith(f"{file}:{line} ")


def test_a_due_error_points_at_the_due_line(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(VALID, root)
    rules = root / "rules" / "child_safeguarding.yaml"
    lines = rules.read_text().splitlines()
    at = next(i for i, t in enumerate(lines, 1) if t.strip().startswith("due:"))
    rules.write_text("\n".join(t.replace("working_days:", "workdays:") for t in lines))
    with pytest.raises(PackError) as caught:
        load_pack(root)
    assert caught.value.problems[0].path.startswith(f"rules/child_safeguarding.yaml:{at} CS-02 due")


def test_a_derived_error_points_at_the_branch_not_the_value(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(VALID, root)
    (root / "derived").mkdir()
    (root / "derived" / "d.yaml").write_text(
        "derived:\n"
        "  contact:\n"
        "    description: How contact is set.\n"
        "    type: enum\n"
        "    values: [monthly, weekly]\n"
        "    if:\n"
        "      - when: {household.children_in_contact: true}\n"
        "        then: weekly\n"
        "      - when: {household.in_relationship: true}\n"
        "        then: daily\n"
        "      - else: monthly\n"
    )
    with pytest.raises(PackError) as caught:
        load_pack(root)
    # line 10 holds "then: daily", the label not listed
    assert caught.value.problems[0].path == "derived/d.yaml:10 contact if[1] then"
