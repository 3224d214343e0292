"""``riskreview serve`` from the shell: a real process on a free port; and a clear
refusal when the server extra is missing."""

from __future__ import annotations

import importlib.util
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from server_support import AS_OF, DEMO_CASE

from riskreview.cli import cli
from riskreview.errors import ArgumentError, ArgumentValueError, RiskReviewError
from riskreview.server import ServerUnavailableError, create_app


def test_serve_answers_the_demo_case_with_the_bytes_of_evaluate_json(tmp_path: Path) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(DEMO_CASE), encoding="utf-8")
    printed = CliRunner().invoke(cli, ["evaluate", str(case_file), "--as-of", AS_OF, "--json"])
    assert printed.exit_code == 0, printed.stderr
    command = [sys.executable, "-c", "from riskreview.cli import main; main()"]
    server = subprocess.Popen(
        [*command, "serve", "--port", "0", "--max-body", "65536", "--timeout", "30"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        seen = []
        deadline = time.monotonic() + 120
        port = None
        while port is None and time.monotonic() < deadline:
            line = server.stderr.readline()
            if not line:
                break
            seen.append(line)
            found = re.search(r"running on http://127\.0\.0\.1:(\d+)", line)
            port = int(found.group(1)) if found else None
        assert port, "".join(seen)
        assert seen[0].startswith("serving england-wales ")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            answer = http.post(f"/evaluate?as_of={AS_OF}", content=case_file.read_bytes(),
                               headers={"Content-Type": "application/json"})  # fmt: skip
            assert answer.status_code == 200
            assert answer.content == printed.stdout_bytes
            big = http.post("/evaluate", content=b" " * 70_000,
                            headers={"Content-Type": "application/json"})  # fmt: skip
            assert big.status_code == 413 and "65,536 bytes" in big.json()["errors"][0]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(60)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(60)
            if server.stderr is not None:
                server.stderr.close()
    assert server.returncode == 0


def test_serve_refuses_a_folder_that_is_not_a_pack(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--pack", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path}: not a pack folder (no pack.yaml in it)\n"


def test_serve_refuses_an_infinite_timeout() -> None:
    result = CliRunner().invoke(cli, ["serve", "--timeout", "inf"])
    assert result.exit_code == 2 and "not a number of seconds" in result.stderr


@pytest.fixture
def no_server_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name in ("starlette", "uvicorn") else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


@pytest.mark.usefixtures("no_server_extra")
def test_without_the_server_extra_create_app_says_what_to_install() -> None:
    with pytest.raises(ServerUnavailableError) as caught:
        create_app()
    assert isinstance(caught.value, RiskReviewError) and isinstance(caught.value, ImportError)
    assert 'pip install "riskreview[server]"' in str(caught.value)
    assert "starlette and uvicorn" in str(caught.value)


@pytest.mark.usefixtures("no_server_extra")
def test_without_the_server_extra_serve_exits_2_with_one_line() -> None:
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: serving over HTTP needs starlette and uvicorn")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"max_body": "1MB"}, ArgumentError, "max_body must be a whole number"),
        ({"max_body": 0}, ArgumentValueError, "max_body must be 1 or more"),
        ({"max_batch": True}, ArgumentError, "max_batch must be a whole number"),
        ({"timeout": float("nan")}, ArgumentValueError, "timeout must be a finite number"),
        ({"timeout": "10"}, ArgumentError, "timeout must be a number of seconds"),
        ({"threads": -1}, ArgumentValueError, "threads must be 1 or more"),
        ({"allow_reload": "yes"}, ArgumentError, "allow_reload must be True or False"),
        ({"pack": 3}, ArgumentError, "pack must be a riskreview.Pack, a pack folder or None"),
    ],
)
def test_create_app_refuses_bad_arguments_saying_what_to_pass(
    arguments: dict[str, Any], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=re.escape(words)):
        create_app(**arguments)
