"""A decisions file's seal (``<file>.sha256``): written with the file, checked by the
rescan that takes the file as ``--previous``; a file changed after its batch wrote it
fails that rescan before anything is put in place."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import riskreview
from riskreview import _rescan, _seal
from riskreview.cli import cli
from riskreview.synthetic import generate

DAY = date(2026, 11, 23)
LATER = DAY + timedelta(days=1)


def _batch(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["batch", *(str(a) for a in args)])


def _cases(path: Path, n: int, seed: int = 7) -> Path:
    cases = [riskreview.Case.from_dict(c).to_json() for c in generate(n, seed=seed, as_of=DAY)]
    path.write_text("".join(line + "\n" for line in cases), encoding="utf-8")
    return path


def _summary(result: Result) -> dict[str, Any]:
    assert result.exit_code in (0, 1), result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def _seal_of(path: Path) -> str:
    """The seal a batch writes for the file at ``path`` as it stands now."""
    info = path.stat()
    return (
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n"
        f"# riskreview: device {info.st_dev} inode {info.st_ino} bytes {info.st_size} "
        f"modified {info.st_mtime_ns} changed {info.st_ctime_ns}\n"
    )


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files whose SHA-256 a rescan works out (not those standing as sealed)."""
    checked: list[Path] = []
    real = _seal.Check.__init__

    def check(self: _seal.Check, path: Path, expected: str) -> None:
        checked.append(path)
        real(self, path, expected)

    monkeypatch.setattr(_seal.Check, "__init__", check)
    return checked


@pytest.fixture
def decided(tmp_path: Path) -> tuple[Path, Path]:
    """300 cases and their decisions of DAY (with the seal the batch wrote)."""
    cases = _cases(tmp_path / "cases.jsonl", 300)
    first = tmp_path / "first.jsonl"
    _summary(_batch(cases, "-o", first, "--as-of", DAY.isoformat(), "--workers", "0", "--json"))
    return cases, first


def _held(first: Path) -> list[dict[str, Any]]:
    """The previous decisions a rescan on LATER brings forward that hold an action and
    that the spot check does not draw that day: only the seal stands for them."""
    return [
        d
        for d in map(json.loads, first.read_text("utf-8").splitlines())
        if d["actions"]
        and d.get("stable_until", "9") > LATER.isoformat()
        and not riskreview.batch.drawn(d["input_digest"], LATER)
    ]


def test_a_batch_writes_the_seal_of_its_decisions_beside_them(decided: tuple[Path, Path]) -> None:
    _, first = decided
    seal = first.with_name("first.jsonl.sha256")
    assert seal.read_text("utf-8") == _seal_of(first)
    if shutil.which("sha256sum"):  # the operator's own check of it
        checked = subprocess.run(
            ["sha256sum", "-c", seal.name],
            cwd=first.parent, capture_output=True, text=True, check=False,
        )
        assert checked.returncode == 0 and checked.stdout == "first.jsonl: OK\n"


def test_a_batch_to_a_device_writes_no_seal(tmp_path: Path) -> None:
    cases = _cases(tmp_path / "cases.jsonl", 3)
    errors = tmp_path / "errors.jsonl"
    result = _batch(cases, "-o", "/dev/null", "--errors", errors, "--as-of", DAY.isoformat(),
                    "--workers", "0", "--json")
    assert _summary(result)["by_status"] == {"ok": 3}
    assert not Path("/dev/null.sha256").exists()


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_sealed_previous_file_standing_as_sealed_is_used_unhashed(
    decided: tuple[Path, Path], workers: str, hashed: list[Path]
) -> None:
    cases, first = decided
    again = first.with_name("again.jsonl")
    result = _batch(cases, "-o", again, "--as-of", LATER.isoformat(), "--workers", workers,
                    "--previous", first, "--json")
    summary = _summary(result)
    assert summary["previous"]["sealed"] is True
    assert summary["by_status"]["reused"] > 200
    assert hashed == []  # the night's file, untouched since: its standing is enough
    assert again.with_name("again.jsonl.sha256").read_text("utf-8") == _seal_of(again)


def test_a_copy_of_a_sealed_file_is_hashed_and_used(
    decided: tuple[Path, Path], hashed: list[Path]
) -> None:
    """Copied with its seal (a new inode, new times): its SHA-256 is worked out."""
    cases, first = decided
    copy = first.with_name("copy.jsonl")
    shutil.copyfile(first, copy)
    shutil.copyfile(first.with_name("first.jsonl.sha256"), copy.with_name("copy.jsonl.sha256"))
    summary = _summary(_batch(cases, "-o", first.with_name("again.jsonl"), "--as-of",
                              LATER.isoformat(), "--workers", "0", "--previous", copy, "--json"))
    assert summary["previous"]["sealed"] is True and summary["by_status"]["reused"] > 200
    assert hashed == [copy]


def test_an_edit_that_keeps_the_size_and_puts_the_time_back_is_still_hashed(
    decided: tuple[Path, Path], hashed: list[Path]
) -> None:
    """One digit of a due date changed, the modification time set back as ``touch -r``
    would: the change time moved, which no user can set, so the file is hashed."""
    cases, first = decided
    before = first.stat()
    data = first.read_bytes()
    at = data.index(b'"due_date":"2') + len(b'"due_date":"2')
    first.write_bytes(data[:at] + (b"1" if data[at:at + 1] != b"1" else b"2") + data[at + 1:])
    os.utime(first, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert first.stat().st_size == before.st_size
    result = _batch(cases, "-o", first.with_name("again.jsonl"), "--as-of", LATER.isoformat(),
                    "--workers", "0", "--previous", first)
    assert result.exit_code == 2 and "(its SHA-256 differs)" in result.stderr, result.output
    assert hashed == [first]


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_decision_changed_after_its_batch_fails_the_rescan_the_spot_check_would_pass(
    decided: tuple[Path, Path], workers: str, hashed: list[Path]
) -> None:
    """One action taken out of one decision the spot check does not draw: the edit
    keeps the line a well formed decision of the very case, so only the seal finds it.
    Nothing is put in place."""
    cases, first = decided
    again = first.with_name("again.jsonl")
    before = _summary(_batch(cases, "-o", again, "--as-of", LATER.isoformat(), "--workers",
                             "0", "--previous", first, "--json"))
    assert before["previous"]["sealed"] is True
    last_run, last_seal = again.read_bytes(), again.with_name("again.jsonl.sha256").read_bytes()

    target = _held(first)[0]
    doctored = []
    for line in first.read_text("utf-8").splitlines():
        decision = json.loads(line)
        if decision["case_id"] == target["case_id"]:
            decision["actions"].pop()
            doctored.append(json.dumps(decision, sort_keys=True, separators=(",", ":"),
                                       ensure_ascii=False) + "\n")
        else:
            doctored.append(line + "\n")
    first.write_text("".join(doctored), encoding="utf-8")

    result = _batch(cases, "-o", again, "--as-of", LATER.isoformat(), "--workers", workers,
                    "--previous", first)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: {first}: is not the file its seal first.jsonl.sha256 was written for (its "
        "SHA-256 differs): it was changed after the batch that wrote it, and its decisions "
        f"cannot be brought forward; nothing was put in place, {again} and "
        f"{first.with_name('again.errors.jsonl')} are as they were; run again without "
        "--previous to evaluate every case, or with the file as that batch wrote it\n"
    )
    assert again.read_bytes() == last_run
    assert again.with_name("again.jsonl.sha256").read_bytes() == last_seal
    assert hashed == [first]  # the edit moved its standing: it was hashed, and failed
    assert not list(first.parent.glob(".*"))  # no temporary file or folder left


def test_a_previous_file_cut_short_fails_its_seal(decided: tuple[Path, Path]) -> None:
    """A copy that stopped part way (a full disk, a transfer broken off) and still
    ends at a line end: its lines are all well formed decisions."""
    cases, first = decided
    data = first.read_bytes()
    first.write_bytes(data[: data.rindex(b"\n", 0, len(data) // 2) + 1])
    again = first.with_name("again.jsonl")
    result = _batch(cases, "-o", again, "--as-of", LATER.isoformat(), "--workers", "0",
                    "--previous", first)
    assert result.exit_code == 2 and "(its SHA-256 differs)" in result.stderr, result.output
    assert not again.exists()


def test_a_previous_file_without_its_seal_is_used_as_before(decided: tuple[Path, Path]) -> None:
    cases, first = decided
    moved = first.with_name("moved.jsonl")
    first.rename(moved)  # the seal stays behind
    summary = _summary(_batch(cases, "-o", first.with_name("again.jsonl"), "--as-of",
                              LATER.isoformat(), "--workers", "0", "--previous", moved, "--json"))
    assert summary["previous"]["sealed"] is False
    assert summary["by_status"]["reused"] > 200


@pytest.mark.parametrize(
    "text",
    ["", "not a seal\n", "0" * 64 + "\n", "0" * 63 + "  first.jsonl\n",
     "0" * 64 + "  first.jsonl\n" + "0" * 64 + "  other.jsonl\n", "\xff" * 20, "0" * 5000,
     "0" * 64 + "  first.jsonl\n# riskreview: device 1 inode 2 bytes 3\n",
     "0" * 64 + "  first.jsonl\n# a comment of another\n"],
    ids=["empty", "words", "no-name", "short", "two-lines", "not-text", "huge", "half-standing",
         "other-comment"],
)
def test_a_seal_that_is_not_one_is_refused_before_anything_is_written(
    decided: tuple[Path, Path], text: str
) -> None:
    cases, first = decided
    first.with_name("first.jsonl.sha256").write_bytes(text.encode("utf-8", "surrogateescape"))
    again = first.with_name("again.jsonl")
    result = _batch(cases, "-o", again, "--as-of", LATER.isoformat(), "--workers", "0",
                    "--previous", first)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: {first}.sha256: is not a seal (a line as sha256sum writes it: the SHA-256 "
        "of the file in hexadecimal, two spaces, its name; then how the file stood); "
        "nothing was written\n"
    )
    assert not again.exists()


def test_a_seal_of_the_right_file_under_another_name_is_taken(decided: tuple[Path, Path]) -> None:
    """The name in the seal is the file's when it was written: a file and its seal
    renamed together are still checked by the digest, which is what counts."""
    cases, first = decided
    moved = first.with_name("renamed.jsonl")
    first.rename(moved)
    first.with_name("first.jsonl.sha256").rename(moved.with_name("renamed.jsonl.sha256"))
    summary = _summary(_batch(cases, "-o", first.with_name("again.jsonl"), "--as-of",
                              LATER.isoformat(), "--workers", "0", "--previous", moved, "--json"))
    assert summary["previous"]["sealed"] is True


def test_the_errors_file_may_not_be_the_seal(tmp_path: Path) -> None:
    cases = _cases(tmp_path / "cases.jsonl", 2)
    out = tmp_path / "out.jsonl"
    result = _batch(cases, "-o", out, "--errors", tmp_path / "out.jsonl.sha256",
                    "--as-of", DAY.isoformat(), "--workers", "0")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {tmp_path}/out.jsonl.sha256: is the seal of the decisions output; "
        "write to another file\n"
    )
    assert not out.exists()


def test_a_check_of_a_file_that_cannot_be_read_says_so(tmp_path: Path) -> None:
    check = _seal.Check(tmp_path / "gone.jsonl", "0" * 64)
    with pytest.raises(_seal.SealProblem, match=r"gone\.jsonl: cannot read it to check its seal"):
        check.digest()


def test_a_seal_sits_beside_the_file_a_link_leads_to(decided: tuple[Path, Path]) -> None:
    """``latest.jsonl`` a symbolic link to the night's file: a batch writing through
    the link seals the file itself, and a rescan reading through it checks that seal."""
    cases, first = decided
    latest = first.with_name("latest.jsonl")
    latest.symlink_to(first.name)
    summary = _summary(_batch(cases, "-o", first.with_name("again.jsonl"), "--as-of",
                              LATER.isoformat(), "--workers", "0", "--previous", latest, "--json"))
    assert summary["previous"]["sealed"] is True

    _summary(_batch(cases, "-o", latest, "--as-of", LATER.isoformat(), "--workers", "0", "--json"))
    assert latest.is_symlink() and not first.with_name("latest.jsonl.sha256").exists()
    assert first.with_name("first.jsonl.sha256").read_text("utf-8") == _seal_of(first)
    first.write_bytes(first.read_bytes()[:-1])  # the last line end taken off
    result = _batch(cases, "-o", first.with_name("again.jsonl"), "--as-of", LATER.isoformat(),
                    "--workers", "0", "--previous", latest)
    assert result.exit_code == 2 and "first.jsonl.sha256 was written for" in result.stderr


@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_a_seal_that_is_not_a_file_is_refused_without_waiting(
    decided: tuple[Path, Path], kind: str
) -> None:
    """A pipe in the seal's place would keep a plain ``open`` waiting for a writer."""
    cases, first = decided
    seal = first.with_name("first.jsonl.sha256")
    seal.unlink()
    if kind == "folder":
        seal.mkdir()
    else:
        os.mkfifo(seal)
    result = _batch(cases, "-o", first.with_name("again.jsonl"), "--as-of", LATER.isoformat(),
                    "--workers", "0", "--previous", first)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {seal}: is not a file; nothing was written\n"


def test_a_sealed_file_written_to_while_the_rescan_reads_it_fails_the_rescan(
    decided: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seal vouches for the file as it stood when the rescan began to read it
    (its lines are then brought forward without their heavy parts checked again): a
    line added while the shares are read fails the rescan, and nothing is put in
    place."""
    cases, first = decided
    real = _rescan.bring_forward_share
    seen: list[bool] = []

    def share_then_write(share: _rescan.Share, as_of: date, pack: Any) -> Any:
        seen.append(share.sealed)
        with first.open("ab") as extra:
            extra.write(first.read_bytes().splitlines(keepends=True)[0])
        return real(share, as_of, pack)

    monkeypatch.setattr(_rescan, "bring_forward_share", share_then_write)
    again = first.with_name("again.jsonl")
    result = _batch(cases, "-o", again, "--as-of", LATER.isoformat(), "--workers", "0",
                    "--previous", first)
    assert seen and all(seen)
    assert result.exit_code == 2, result.output
    assert "changed while the batch read it" in result.stderr
    assert "nothing was put in place" in result.stderr
    assert not again.exists() and not _seal.path_of(again).exists()


def test_an_unsealed_previous_file_is_read_with_every_part_checked(
    decided: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cases, first = decided
    _seal.path_of(first).unlink()
    real = _rescan.bring_forward_share
    seen: list[bool] = []

    def share(share: _rescan.Share, as_of: date, pack: Any) -> Any:
        seen.append(share.sealed)
        return real(share, as_of, pack)

    monkeypatch.setattr(_rescan, "bring_forward_share", share)
    result = _batch(cases, "-o", first.with_name("again.jsonl"), "--as-of", LATER.isoformat(),
                    "--workers", "0", "--previous", first, "--json")
    assert _summary(result)["previous"]["sealed"] is False
    assert seen and not any(seen)
