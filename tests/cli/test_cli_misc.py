"""`riskreview schema`, `riskreview generate`, help, version and the exit code table."""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from datetime import date
from pathlib import Path

import jsonschema
from cli_support import AS_OF, Run, error_lines

import riskreview
import riskreview.cli
from riskreview._structure import dumps
from riskreview.synthetic import generate

COMMANDS = ("batch", "check", "diff", "evaluate", "explain", "generate", "schema", "test")


def test_help_lists_every_command_and_the_exit_codes(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert re.search(rf"^  {command} ", result.stdout, re.M), command
    assert "Exit codes:" in result.stdout
    for code in "0123":
        assert re.search(rf"^    {code}  \S", result.stdout, re.M), code


def test_every_command_has_help(run: Run) -> None:
    for command in COMMANDS:
        result = run(command, "--help")
        assert result.exit_code == 0, command
        assert result.stdout.startswith(f"Usage: riskreview {command} "), command


def test_the_module_docstring_documents_every_exit_code() -> None:
    doc = riskreview.cli.__doc__ or ""
    table = doc[doc.index("Exit codes:") :]
    for code, word in (("0", "done"), ("1", "findings"), ("2", "input error"), ("3", "engine")):
        assert re.search(rf"^{code}\s+.*{word}", table, re.M), code
    assert "--exit-code" in doc


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0 and riskreview.__version__ in result.stdout


def test_bare_command_shows_help(run: Run) -> None:
    result = run()
    assert "Usage: riskreview" in result.output and "Commands:" in result.output


# ------------------------------------------------------------------ schema


def test_schema_prints_the_case_schema_by_default(run: Run) -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "riskreview case"
    assert schema["properties"]["case_id"]["type"] == "string"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for case in generate(20, seed=9, as_of=date(2026, 11, 23)):
        validator.validate(case)


def test_decision_and_explanation_schemas_describe_the_json_output(
    run: Run, case_file: Path
) -> None:
    for kind, args in (
        ("decision", ("evaluate", case_file, "--as-of", AS_OF, "--json", "--trace")),
        ("explanation", ("explain", case_file, "DA-01", "--as-of", AS_OF, "--json")),
    ):
        schema = json.loads(run("schema", kind).stdout)
        assert schema["title"] == f"riskreview {kind}"
        jsonschema.validate(json.loads(run(*args).stdout), schema)


def test_an_unknown_schema_is_one_line(run: Run) -> None:
    (line,) = error_lines(run("schema", "cases"))
    assert "'cases' is not one of 'case', 'decision', 'explanation'" in line


# ------------------------------------------------------------------ generate


def test_generate_writes_the_synthetic_caseload_to_stdout(run: Run) -> None:
    result = run("generate", "5", "--seed", "3", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    expected = [dumps(c) for c in generate(5, seed=3, as_of=date(2026, 11, 23))]
    assert result.stdout.splitlines() == expected


def test_generate_writes_a_file_that_batch_can_read(
    run: Run, tmp_path: Path, minimal_pack: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    result = run("generate", "3", "-o", cases, "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.stderr == f"wrote 3 cases to {cases}\n"
    assert len(cases.read_text("utf-8").splitlines()) == 3
    out = tmp_path / "out.jsonl"
    # default --workers: a worker process (the minimal pack keeps its start quick)
    batch = run("batch", cases, "-o", out, "--as-of", AS_OF, "--pack", minimal_pack)
    assert batch.exit_code == 0, batch.output
    assert len(out.read_text("utf-8").splitlines()) == 3


def test_generate_refuses_a_negative_count(run: Run) -> None:
    (line,) = error_lines(run("generate", "--", "-1"))
    assert "'N'" in line and "-1 is not in the range x>=0" in line
    (line,) = error_lines(run("generate", "-1"))
    assert "No such option '-1'" in line
    (line,) = error_lines(run("generate", "ten"))
    assert "'ten' is not a valid integer" in line


def test_generate_writes_its_file_whole_or_not_at_all(run: Run, tmp_path: Path) -> None:
    """The file is written aside and put in place whole: a disk that fills while it is
    written (here the file size limit) leaves it as it was, with one clear line; a
    folder is refused by name."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text("before\n", encoding="utf-8")
    script = "from riskreview.cli import main; main()"
    command = [sys.executable, "-c", script, "generate", "3000", "-o", str(cases)]
    limited = subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000)),
    )
    assert limited.returncode == 2, limited.stderr
    assert limited.stderr == (
        f"error: {cases}: cannot write it: File too large; no output was put in place, "
        "each is as it was\n"
    )
    assert cases.read_text("utf-8") == "before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["cases.jsonl"]
    (line,) = error_lines(run("generate", "2", "-o", tmp_path))
    assert line == f"error: {tmp_path}: is a folder; name a file to write"
