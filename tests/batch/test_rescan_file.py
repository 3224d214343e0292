"""``riskreview batch --previous FILE``: the workers read the previous decisions by
shares, and the rescan writes exactly what a full run on the same day writes;
previous lines that cannot be used are evaluated again and named, never reused."""

from __future__ import annotations

import gc
import itertools
import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import riskreview
from riskreview import _batchio, _rescan, _seal
from riskreview.cli import cli
from riskreview.pack import default_pack_path
from riskreview.strategies import case_dicts
from riskreview.synthetic import generate

DAY = date(2026, 11, 23)
LATER = DAY + timedelta(days=1)
TIERING = Path(__file__).resolve().parents[2] / "examples" / "packs" / "tiering"


def _batch(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["batch", *(str(a) for a in args)])


def _canonical(case: dict[str, Any]) -> str:
    return json.dumps(case, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _write(path: Path, cases: list[dict[str, Any]], plain: int = 0) -> Path:
    """The cases as JSON Lines: canonical, but the first ``plain`` written loosely
    (spaces, keys unsorted), as they must be validated to be recognised."""
    lines = [json.dumps(c) if i < plain else _canonical(c) for i, c in enumerate(cases)]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _decide(cases: Path, out: Path, day: date, *more: str | Path) -> dict[str, Any]:
    result = _batch(cases, "-o", out, "--as-of", day.isoformat(), "--json", *more)
    assert result.exit_code in (0, 1), result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    summary["stderr"] = result.stderr
    return summary


@pytest.fixture(scope="module")
def caseload() -> list[dict[str, Any]]:
    return list(generate(60, seed=31, as_of=DAY))


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_rescan_writes_what_a_full_run_on_the_same_day_writes(
    tmp_path: Path, caseload: list[dict[str, Any]], workers: str
) -> None:
    cases = _write(tmp_path / "cases.jsonl", caseload, plain=10)
    first = tmp_path / "first.jsonl"
    _decide(cases, first, DAY, "--workers", workers)
    changed = [dict(c) for c in caseload]
    for case in changed[5:8]:  # two plain lines and one canonical line change
        case["domestic_abuse"] = dict(case.get("domestic_abuse") or {}, police_callouts_12_months=4)
    _write(cases, changed, plain=10)
    again, fresh = tmp_path / "again.jsonl", tmp_path / "fresh.jsonl"
    rescan = _decide(cases, again, LATER, "--workers", workers, "--previous", first)
    _decide(cases, fresh, LATER, "--workers", workers)
    assert again.read_bytes() == fresh.read_bytes()
    previous = [json.loads(line) for line in first.read_text("utf-8").splitlines()]
    expired = {d["case_id"] for d in previous if d.get("stable_until", "9") <= str(LATER)}
    holds = {c["case_id"] for c in changed[:5] + changed[8:]} - expired
    assert len(expired) > 0 and len(holds) > 30
    assert rescan["by_status"] == {"ok": 60 - len(holds), "reused": len(holds)}
    assert rescan["previous"]["lines"] == 60
    assert rescan["previous"]["not_used"] == {"expired": len(expired)}
    assert rescan["stderr"] == ""  # nothing odd to say


def test_previous_decisions_of_another_pack_are_evaluated_again_and_named(
    tmp_path: Path, caseload: list[dict[str, Any]]
) -> None:
    cases = _write(tmp_path / "cases.jsonl", caseload[:8])
    first, again = tmp_path / "tiering.jsonl", tmp_path / "again.jsonl"
    _decide(cases, first, DAY, "--workers", "0", "--pack", TIERING)
    rescan = _decide(cases, again, LATER, "--workers", "0", "--previous", first)
    assert rescan["by_status"] == {"ok": 8}
    assert rescan["previous"]["not_used"] == {"other_pack": 8}
    assert "8 made under another pack" in rescan["stderr"]
    assert "those cases were evaluated" in rescan["stderr"]
    fresh = [riskreview.evaluate(c, as_of=LATER).to_json() for c in caseload[:8]]
    assert again.read_text("utf-8").splitlines() == fresh


def test_a_pack_whose_digest_changed_reuses_nothing(
    tmp_path: Path, caseload: list[dict[str, Any]]
) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(default_pack_path(), folder)
    cases = _write(tmp_path / "cases.jsonl", caseload[:8])
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    _decide(cases, first, DAY, "--workers", "0", "--pack", folder)
    with (folder / "pack.yaml").open("a", encoding="utf-8") as pack_file:
        pack_file.write("# a comment: the same policy, another digest\n")
    rescan = _decide(cases, again, LATER, "--workers", "0", "--pack", folder, "--previous", first)
    assert rescan["by_status"] == {"ok": 8}
    assert rescan["previous"]["not_used"] == {"other_pack": 8}
    fresh = tmp_path / "fresh.jsonl"
    _decide(cases, fresh, LATER, "--workers", "0", "--pack", folder)
    assert again.read_bytes() == fresh.read_bytes()


def test_a_previous_file_that_holds_no_decisions_is_evaluated_again_and_named(
    tmp_path: Path, caseload: list[dict[str, Any]]
) -> None:
    cases = _write(tmp_path / "cases.jsonl", caseload[:6])
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"{not json\n\n" + cases.read_bytes()[:500] + b"\n")
    again = tmp_path / "again.jsonl"
    for previous in (cases, broken):  # the cases themselves, by mistake; a broken file
        rescan = _decide(cases, again, LATER, "--workers", "0", "--previous", previous)
        assert rescan["by_status"] == {"ok": 6}
        assert set(rescan["previous"]["not_used"]) == {"not_a_decision"}
        assert "not a riskreview decision" in rescan["stderr"]


def test_previous_decisions_made_after_the_day_are_not_brought_back(
    tmp_path: Path, caseload: list[dict[str, Any]]
) -> None:
    cases = _write(tmp_path / "cases.jsonl", caseload[:6])
    later, again = tmp_path / "later.jsonl", tmp_path / "again.jsonl"
    _decide(cases, later, LATER, "--workers", "0")
    rescan = _decide(cases, again, DAY, "--workers", "0", "--previous", later)
    assert rescan["by_status"] == {"ok": 6}
    assert rescan["previous"]["not_used"] == {"later": 6}
    assert "6 made after the day of this run" in rescan["stderr"]


def test_shares_end_at_line_ends_and_cover_the_file(tmp_path: Path) -> None:
    path = tmp_path / "previous.jsonl"
    lines = [f'{{"n":{i},"pad":"{"x" * (i % 37)}"}}\n'.encode() for i in range(500)]
    path.write_bytes(b"".join(lines))
    parts = _rescan.shares(path, str(tmp_path), size=1000)
    assert len(parts) > 10
    assert parts[0].start == 0 and parts[-1].end == path.stat().st_size
    data = path.read_bytes()
    for before, after in itertools.pairwise(parts):
        assert before.end == after.start and data[before.end - 1 : before.end] == b"\n"
    assert b"".join(data[p.start : p.end] for p in parts) == data


def _rescanned(
    tmp_path: Path, cases: list[dict[str, Any]]
) -> tuple[Path, Path, Path, dict[str, Any]]:
    """The cases written, decided on DAY (``first``) and rescanned on LATER with
    that as the previous file (to ``again``): the paths and the rescan's summary."""
    written = _write(tmp_path / "cases.jsonl", cases)
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    _decide(written, first, DAY, "--workers", "0")
    plain = _decide(written, again, LATER, "--workers", "0", "--previous", first)
    return written, first, again, plain


@given(st.lists(st.sampled_from([b"{}", b"ab", b" ", b"\t", b"\r", b"\n", b"\x0b", b"\x0c", b"x"])))
def test_a_share_s_lines_are_found_as_splitting_and_stripping_finds_them(
    pieces: list[bytes],
) -> None:
    data = b"".join(pieces)
    expected = [line.strip() for line in data.split(b"\n") if line.strip()]
    assert [data[start:stop] for start, stop in _rescan._lines(data)] == expected


def test_a_previous_file_with_windows_line_ends_and_blank_lines_is_used_as_it_is(
    tmp_path: Path, caseload: list[dict[str, Any]]
) -> None:
    cases, first, again, plain = _rescanned(tmp_path, caseload[:8])
    windows = tmp_path / "windows.jsonl"
    windows.write_bytes(b"\r\n\r\n".join(first.read_bytes().splitlines()) + b"\r\n  \r\n")
    crlf = _decide(cases, again, LATER, "--workers", "0", "--previous", windows)
    assert crlf["by_status"] == plain["by_status"] and plain["by_status"].get("reused", 0) > 0
    assert crlf["previous"]["usable"] == plain["previous"]["usable"]


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_previous_line_nested_too_deep_costs_its_case_only(
    tmp_path: Path, caseload: list[dict[str, Any]], workers: str
) -> None:
    """A value nested 300 deep is read by the JSON reader but cannot be written
    again: that line is not a decision; every other is still brought forward."""
    cases, first, again, plain = _rescanned(tmp_path, caseload[:8])
    lines = first.read_bytes().splitlines()
    at = next(i for i, line in enumerate(lines) if b'"evidence":[{"path":' in line)
    start = lines[at].index(b'"value":') + len(b'"value":')
    end = lines[at].index(b"}", start)
    lines[at] = lines[at][:start] + b"[" * 300 + b"]" * 300 + lines[at][end:]
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(b"\n".join(lines) + b"\n")
    rescan = _decide(cases, again, LATER, "--workers", workers, "--previous", tampered)
    assert rescan["previous"]["shares_lost"] == 0
    assert rescan["previous"]["not_used"].get("not_a_decision") == 1
    assert rescan["previous"]["usable"] == plain["previous"]["usable"] - 1
    assert sum(rescan["by_status"].values()) == 8
    fresh = tmp_path / "fresh.jsonl"
    _decide(cases, fresh, LATER, "--workers", "0")
    assert again.read_bytes() == fresh.read_bytes()


@settings(max_examples=150, deadline=None)
@given(case=case_dicts(DAY), other=st.text(max_size=12))
def test_a_canonical_case_line_names_its_own_case_id_and_no_other(
    case: dict[str, Any], other: str
) -> None:
    line = riskreview.Case.from_dict(case).to_json().encode()
    cid = case["case_id"]
    assert _rescan._names(line, cid)
    for wrong in (other, cid + "x", cid[:-1], '"' + cid, cid + '"', cid.upper()):
        if wrong != cid:
            assert not _rescan._names(line, wrong)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_previous_decision_whose_case_id_was_changed_is_not_brought_forward(
    tmp_path: Path, caseload: list[dict[str, Any]], workers: str
) -> None:
    """Two decisions' case ids swapped, a third's changed: each still holds its own
    case's input digest, but none is brought forward to a case it does not name."""
    cases, first, again, plain = _rescanned(tmp_path, caseload[:8])
    data = [json.loads(line) for line in first.read_text("utf-8").splitlines()]
    reused = [json.loads(x)["case_id"] for x in again.read_text("utf-8").splitlines()]
    held = [i for i, d in enumerate(data) if d["case_id"] in reused][:3]
    assert len(held) == 3 and plain["by_status"].get("reused", 0) >= 3
    a, b, c = held
    data[a]["case_id"], data[b]["case_id"] = data[b]["case_id"], data[a]["case_id"]
    data[c]["case_id"] = "NOT-" + data[c]["case_id"]
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("".join(_canonical(d) + "\n" for d in data), encoding="utf-8")
    rescan = _decide(cases, again, LATER, "--workers", workers, "--previous", tampered)
    assert rescan["by_status"]["reused"] == plain["by_status"]["reused"] - 3
    fresh = tmp_path / "fresh.jsonl"
    _decide(cases, fresh, LATER, "--workers", "0")
    assert again.read_bytes() == fresh.read_bytes()


def test_a_rescan_refused_at_its_outputs_leaves_no_temporary_folder(
    tmp_path: Path, caseload: list[dict[str, Any]]
) -> None:
    cases = _write(tmp_path / "cases.jsonl", caseload[:4])
    first = tmp_path / "first.jsonl"
    _decide(cases, first, DAY, "--workers", "0")
    (tmp_path / "a-folder").mkdir()
    again = tmp_path / "again.jsonl"
    errors = ["--errors", tmp_path / "a-folder"]
    result = _batch(cases, "-o", again, *errors, "--previous", first, "--as-of", LATER.isoformat())
    assert result.exit_code == 2 and "is a folder" in result.stderr
    assert not list(tmp_path.glob(".riskreview-rescan-*"))
    done = _decide(cases, again, LATER, "--workers", "0", "--previous", first)
    assert done["by_status"].get("reused", 0) > 0
    assert not list(tmp_path.glob(".riskreview-rescan-*"))


@pytest.mark.parametrize("fails", [False, True])
def test_a_rescan_keeps_its_index_from_the_collector_only_while_it_runs(
    tmp_path: Path,
    caseload: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    fails: bool,
) -> None:
    """The index is frozen (``gc.freeze``) once read and given back when the rescan
    ends, also when writing its output fails half way."""
    cases = _write(tmp_path / "cases.jsonl", caseload[:12])
    first = tmp_path / "first.jsonl"
    _decide(cases, first, DAY, "--workers", "0")
    assert gc.get_freeze_count() == 0
    seen: list[int] = []
    write = _batchio._write

    def watched(*args: Any) -> None:
        seen.append(gc.get_freeze_count())
        if fails and len(seen) == 3:
            raise OSError("the disk went away")
        write(*args)

    monkeypatch.setattr(_batchio, "_write", watched)
    again = tmp_path / "again.jsonl"
    result = _batch(cases, "-o", again, "--as-of", LATER.isoformat(), "--previous", first)
    assert result.exit_code == (2 if fails else 0), result.output
    assert ("cannot write them: the disk went away" in result.stderr) is fails
    assert seen and min(seen) > 0  # frozen while the results were written
    assert gc.get_freeze_count() == 0


def _doctored(first: Path, chosen: set[str], *, unseal: bool = True) -> None:
    """Take the last action out of the previous decisions of the ``chosen`` cases, as
    a script editing the file might: each line stays a well formed decision. With
    ``unseal``, the file's seal goes too (a file copied without it), so that only
    the spot check stands between the edit and the rescan."""
    if unseal:
        _seal.path_of(first).unlink()
    lines = []
    for line in first.read_text("utf-8").splitlines():
        decision = json.loads(line)
        if decision["case_id"] in chosen and decision["actions"]:
            decision["actions"].pop()
            lines.append(_canonical(decision))
        else:
            lines.append(line)
    first.write_text("".join(x + "\n" for x in lines), encoding="utf-8")


@pytest.mark.parametrize("plain", [0, 60], ids=["canonical", "validated"])
def test_every_decision_brought_forward_is_what_evaluating_again_gives(
    tmp_path: Path, caseload: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, plain: int
) -> None:
    """The spot check drawing every decision (in this process: no workers): each one
    brought forward is evaluated again and found byte for byte the same, whether its
    case line was recognised by its bytes or validated first (written loosely)."""
    monkeypatch.setattr(riskreview.batch, "SPOT", 1)
    cases = _write(tmp_path / "cases.jsonl", caseload, plain=plain)
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    _decide(cases, first, DAY, "--workers", "0")
    for day in (LATER, DAY + timedelta(days=6)):
        rescan = _decide(cases, again, day, "--workers", "0", "--previous", first)
        reused = rescan["by_status"]["reused"]
        assert reused > 20 and rescan["previous"]["spot_checked"] == reused


def test_a_doctored_decision_the_spot_check_draws_fails_the_batch(
    tmp_path: Path, caseload: list[dict[str, Any]]
) -> None:
    """With two workers and the check as shipped (one in 256, drawn by day): an action
    taken out of a drawn decision fails the batch, nothing put in place; one taken
    out of a decision not drawn that day is brought forward (the check's limit)."""
    many = list(generate(1200, seed=41, as_of=DAY))
    cases = _write(tmp_path / "cases.jsonl", many)
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    _decide(cases, first, DAY, "--workers", "2")
    previous = {
        d["case_id"]: d for d in map(json.loads, first.read_text("utf-8").splitlines())
    }
    held = [d for d in previous.values() if d.get("stable_until", "9") > str(LATER)]
    drawn = {d["case_id"] for d in held if riskreview.batch.drawn(d["input_digest"], LATER)}
    spared = {d["case_id"] for d in held if d["actions"]} - drawn
    assert drawn and spared

    _doctored(first, spared)
    rescan = _decide(cases, again, LATER, "--workers", "2", "--previous", first)
    assert rescan["previous"]["spot_checked"] == len(drawn)
    assert rescan["by_status"]["reused"] == len(held)
    assert rescan["previous"]["sealed"] is False

    last_run = again.read_bytes()
    _doctored(first, {min(drawn)}, unseal=False)
    result = _batch(cases, "-o", again, "--as-of", LATER.isoformat(),
                    "--workers", "2", "--previous", first)
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(
        f"error: engine: the decision brought forward for case {min(drawn)} from {first} "
        "is not what the spot check gets: evaluating it again gives a different decision."
    ), result.stderr
    assert again.read_bytes() == last_run  # nothing put in place
    assert not list(tmp_path.glob(".*"))


@pytest.mark.parametrize("plain", [0, 60], ids=["canonical", "validated"])
def test_a_doctored_decision_fails_the_spot_check_however_its_case_is_recognised(
    tmp_path: Path, caseload: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, plain: int
) -> None:
    """Every decision drawn (in this process): one with an action taken out fails the
    batch whether its case line is recognised by its bytes or validated first."""
    monkeypatch.setattr(riskreview.batch, "SPOT", 1)
    cases = _write(tmp_path / "cases.jsonl", caseload, plain=plain)
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    _decide(cases, first, DAY, "--workers", "0")
    held = [
        d for d in map(json.loads, first.read_text("utf-8").splitlines())
        if d["actions"] and d.get("stable_until", "9") > str(LATER)
    ]
    _doctored(first, {held[0]["case_id"]})
    result = _batch(cases, "-o", again, "--as-of", LATER.isoformat(), "--workers", "0",
                    "--previous", first)
    assert result.exit_code == 3, result.output
    assert f"case {held[0]['case_id']} from {first} is not what the spot check gets" in (
        result.stderr
    )
    assert not again.exists()
