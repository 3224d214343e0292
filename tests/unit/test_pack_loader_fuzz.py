"""Fuzz the pack loader: any edit of a valid pack either loads or is a PackError.

Every value of every file of the minimal valid pack
(``tests/fixtures/broken_packs/_valid_minimal``) is replaced in turn by a list, a
mapping, true, a 5,000-digit number, text and a 300-deep list; every key is deleted;
and an alias bomb is planted in every file. ``load_pack`` must then return a Pack or
raise a PackError, in bounded time: never a TypeError, a RecursionError or a hang.
A sample of the broken packs also goes through ``riskreview check``, which must
exit 2 (bad input), never 3 (internal error).
"""

from __future__ import annotations

import copy
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from riskreview.cli import cli
from riskreview.errors import PackError
from riskreview.pack import Pack, load_pack

VALID = Path(__file__).resolve().parent.parent / "fixtures" / "broken_packs" / "_valid_minimal"
FILES = sorted(p.relative_to(VALID).as_posix() for p in VALID.rglob("*.yaml"))
HUGE = "9" * 5000
DEEP = "[" * 300 + "]" * 300
#: nine levels of nine aliases: 387 million items once expanded
BOMB = "lol_a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol_{b}: &{b} [{', '.join(['*' + a] * 9)}]\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
#: stand-ins written as plain YAML, then swapped for text yaml.safe_dump cannot write
_SWAPS = {"'@@huge@@'": HUGE, "'@@deep@@'": DEEP}
REPLACEMENTS: dict[str, Any] = {
    "a list": ["x", ["y"]],
    "a mapping": {"k": [1]},
    "true": True,
    "a huge number": "@@huge@@",
    "text": "zz",
    "a deep list": "@@deep@@",
}
#: seconds one load may take: generous (a load takes well under one), against hangs
BOUND = 20


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield prefix, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*prefix, i))


def _mutations(file: str) -> Iterator[tuple[str, str]]:
    """(label, new text of ``file``) for every mutation of ``file``."""
    data = yaml.safe_load((VALID / file).read_text(encoding="utf-8"))
    for path, node in _paths(data):
        if not path:
            continue
        replacements = (
            REPLACEMENTS
            if not isinstance(node, dict | list)
            else {k: REPLACEMENTS[k] for k in ("a list", "true", "a deep list")}
        )
        for label, value in replacements.items():
            yield f"{path} → {label}", _dump(_set(data, path, value))
        if isinstance(path[-1], str):
            yield f"{path} deleted", _dump(_set(data, path, None, delete=True))
    yield "an alias bomb", (VALID / file).read_text(encoding="utf-8") + BOMB


def _set(data: Any, path: tuple[Any, ...], value: Any, delete: bool = False) -> Any:
    out = copy.deepcopy(data)
    holder = out
    for step in path[:-1]:
        holder = holder[step]
    if delete:
        del holder[path[-1]]
    else:
        holder[path[-1]] = copy.deepcopy(value)
    return out


def _dump(data: Any) -> str:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    for stand_in, real in _SWAPS.items():
        text = text.replace(stand_in, real)
    return text


def _outcome(folder: Path) -> BaseException | Pack | None:
    """What ``load_pack(folder)`` gives: a Pack, the exception raised, or None when it
    is still running after BOUND seconds."""
    result: dict[str, BaseException | Pack] = {}

    def run() -> None:
        try:
            result["out"] = load_pack(folder)
        except BaseException as error:  # every kind is what this test looks for
            result["out"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(BOUND)
    return result.get("out")


@pytest.mark.parametrize("file", FILES)
def test_every_mutation_of_a_valid_pack_loads_or_is_a_pack_error(file: str, tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(VALID, folder)
    wrong = []
    refused = 0
    for label, text in _mutations(file):
        (folder / file).write_text(text, encoding="utf-8")
        outcome = _outcome(folder)
        if outcome is None:
            wrong.append(f"{label}: still loading after {BOUND} s")
        elif isinstance(outcome, PackError):
            refused += 1
            assert outcome.problems, label
        elif not isinstance(outcome, Pack):
            wrong.append(f"{label}: {type(outcome).__name__}: {str(outcome)[:200]}")
    assert not wrong, "\n".join(wrong)
    assert refused, "no mutation was refused: the fuzz did not reach the loader"


def _sample() -> list[tuple[str, str, str]]:
    """Every twentieth mutation of every file (the rest go through load_pack above)."""
    out = []
    for file in FILES:
        mutations = list(_mutations(file))
        out.extend((file, label, text) for label, text in mutations[::20])
        out.append((file, *mutations[-1]))  # the alias bomb
    return out


def test_riskreview_check_exits_2_not_3_on_a_sample_of_broken_packs(tmp_path: Path) -> None:
    wrong = []
    checked = 0
    for i, (file, label, text) in enumerate(_sample()):
        folder = tmp_path / str(i)
        shutil.copytree(VALID, folder)
        (folder / file).write_text(text, encoding="utf-8")
        if not isinstance(_outcome(folder), PackError):
            continue  # a mutation the loader accepts (an optional key deleted)
        result = CliRunner().invoke(cli, ["check", str(folder)])
        checked += 1
        if result.exit_code != 2 or "internal error" in result.output:
            wrong.append(f"{file} {label}: exit {result.exit_code}: {result.output[:300]}")
    assert not wrong, "\n".join(wrong)
    assert checked >= 20
