"""`riskreview batch` outputs: never the input, never truncated by a refused run, put in
place only when the batch ends."""

from __future__ import annotations

import functools
import os
import resource
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cli_support import AS_OF, DAY, Run, dump, error_lines, write_jsonl

import riskreview
from riskreview.synthetic import generate

PREVIOUS = '{"previous": "run"}\n'


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """Three valid cases."""
    return write_jsonl(tmp_path / "cases.jsonl", [dump(c) for c in generate(3, seed=3, as_of=DAY)])


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, Path]:
    """The decisions and errors files of an earlier run."""
    out, err = tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl"
    out.write_text(PREVIOUS, encoding="utf-8")
    err.write_text(PREVIOUS, encoding="utf-8")
    return out, err


def _untouched(*paths: Path) -> bool:
    return all(p.read_text("utf-8") == PREVIOUS for p in paths)


def _no_temporary_files(folder: Path) -> bool:
    return not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_an_output_hard_linked_to_the_input_is_refused_and_the_input_kept(
    run: Run, cases: Path, tmp_path: Path
) -> None:
    before = cases.read_bytes()
    link = tmp_path / "link.jsonl"
    os.link(cases, link)
    (line,) = error_lines(run("batch", cases, "-o", link, "--as-of", AS_OF))
    assert line == f"error: {link}: is the input; write to another file"
    assert cases.read_bytes() == before


def test_an_output_symlinked_to_the_input_is_refused(run: Run, cases: Path, tmp_path: Path) -> None:
    before = cases.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(cases)
    (line,) = error_lines(run("batch", cases, "-o", tmp_path / "d.jsonl", "--errors", link))
    assert line == f"error: {link}: is the input; write to another file"
    assert cases.read_bytes() == before
    assert not (tmp_path / "d.jsonl").exists()


def test_an_errors_file_that_is_the_output_is_refused_and_both_kept(
    run: Run, cases: Path, previous: tuple[Path, Path], tmp_path: Path
) -> None:
    out, _ = previous
    alias = tmp_path / "alias.jsonl"
    os.link(out, alias)
    (line,) = error_lines(run("batch", cases, "-o", out, "--errors", alias))
    assert line.startswith(f"error: {alias}: is the decisions output (-o)")
    assert _untouched(out, alias)


def test_stdin_redirected_from_the_output_is_refused(
    cases: Path, previous: tuple[Path, Path], tmp_path: Path
) -> None:
    out, err = previous
    with out.open("rb") as stdin:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from riskreview.cli import main; main()",
                "batch",
                "-",
                "-o",
                str(out),
                "--as-of",
                AS_OF,
            ],
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 2
    assert done.stderr == f"error: {out}: is the input; write to another file\n"
    assert _untouched(out, err)


@pytest.mark.parametrize(
    "trouble",
    ["as-of before the pack", "errors folder missing", "input missing", "input a folder"],
)
def test_a_refused_run_leaves_the_last_outputs_as_they_were(
    run: Run, cases: Path, previous: tuple[Path, Path], tmp_path: Path, trouble: str
) -> None:
    out, err = previous
    args: list[str | Path] = ["batch", cases, "-o", out, "--as-of", AS_OF]
    if trouble == "as-of before the pack":
        args[-1] = "2000-01-01"
    elif trouble == "errors folder missing":
        args += ["--errors", tmp_path / "missing" / "errors.jsonl"]
    elif trouble == "input missing":
        args[1] = tmp_path / "none.jsonl"
    else:
        args[1] = tmp_path
    (line,) = error_lines(run(*args))
    assert line.startswith("error: ")
    assert _untouched(out, err)
    assert _no_temporary_files(tmp_path)


def test_a_finished_run_replaces_both_outputs_and_leaves_no_temporary_file(
    run: Run, cases: Path, previous: tuple[Path, Path], tmp_path: Path
) -> None:
    out, err = previous
    out.chmod(0o640)
    result = run("batch", cases, "-o", out, "--workers", "0", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    expected = [riskreview.evaluate(x, DAY).to_json() for x in cases.read_text().splitlines()]
    assert out.read_text("utf-8").splitlines() == expected
    assert err.read_text("utf-8") == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert _no_temporary_files(tmp_path)


def test_an_output_reached_through_a_symlink_is_written_through_it(
    run: Run, cases: Path, tmp_path: Path
) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text(PREVIOUS, encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    result = run(
        "batch",
        cases,
        "-o",
        link,
        "--errors",
        tmp_path / "e.jsonl",
        "--workers",
        "0",
        "--as-of",
        AS_OF,
    )
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert len(real.read_text("utf-8").splitlines()) == 3


def test_a_read_only_output_is_refused(
    run: Run,
    cases: Path,
    previous: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = previous
    out.chmod(0o444)
    if os.access(out, os.W_OK):  # root may write any file: the check still has to hold
        real = os.access
        monkeypatch.setattr(
            os,
            "access",
            lambda path, mode, **kw: (
                False if Path(path) == out and mode & os.W_OK else real(path, mode)
            ),
        )
    (line,) = error_lines(run("batch", cases, "-o", out, "--as-of", AS_OF))
    assert "read-only" in line
    assert _untouched(out, err)


def test_an_output_that_is_a_pipe_is_written_into_not_replaced(
    run: Run, cases: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "decisions.fifo"
    os.mkfifo(fifo)
    received: list[str] = []

    def drain() -> None:
        with fifo.open(encoding="utf-8") as pipe:
            received.extend(pipe.read().splitlines())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    result = run(
        "batch",
        cases,
        "-o",
        fifo,
        "--errors",
        tmp_path / "e.jsonl",
        "--workers",
        "0",
        "--as-of",
        AS_OF,
    )
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    expected = [riskreview.evaluate(x, DAY).to_json() for x in cases.read_text().splitlines()]
    assert received == expected


def test_a_batch_that_cannot_write_its_outputs_puts_none_in_place(tmp_path: Path) -> None:
    """The disk fills while a real batch writes (here the file size limit, which
    fails a write as a full disk does): a clear error, exit 2, the last outputs as
    they were and nothing left aside, whether it fails while deciding or at the end."""
    lines = [dump(c) for c in generate(300, seed=3, as_of=DAY)]
    cases = write_jsonl(tmp_path / "cases.jsonl", lines)
    out = tmp_path / "out.jsonl"
    out.write_text("before\n", encoding="utf-8")
    size = sum(len(riskreview.evaluate(x, DAY).to_json()) + 1 for x in lines)
    for limit in (50_000, size - 100):  # full at the first flush; at the last
        command = [sys.executable, "-c", "from riskreview.cli import main; main()", "batch",
                   str(cases), "-o", str(out), "--workers", "2", "--as-of", AS_OF]
        batch = subprocess.run(
            command, check=False, capture_output=True, text=True, timeout=300, cwd=tmp_path,
            preexec_fn=functools.partial(_file_size_limit, limit),
        )
        assert batch.returncode == 2, batch.stderr
        assert batch.stderr.startswith("error: ") and "Traceback" not in batch.stderr
        assert batch.stderr.endswith(
            ": cannot write them: File too large; no output was put in place, each is as "
            "it was\n"
        ) or batch.stderr.endswith(
            ": cannot write it: File too large; no output was put in place, each is as it was\n"
        ), batch.stderr
        assert out.read_text("utf-8") == "before\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl", "out.jsonl"]


def _file_size_limit(size: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
