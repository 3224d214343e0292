"""examples/http_client.py runs as an integrator would run it: against a server it
starts itself, or one already running, and says what riskreview itself decides."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import uvicorn

import riskreview
from riskreview.server import create_app

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "examples/http_client.py", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout)


def _expected_tasks() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        example = __import__("http_client")
    finally:
        sys.path.remove(str(ROOT / "examples"))
    decision = riskreview.evaluate(example.CASE, as_of=date(2026, 11, 23))
    return [
        {"code": a.code, "due": a.due_date.isoformat(), "status": a.status.value,
         "rules": list(a.rule_ids)}
        for a in decision.actions
    ]  # fmt: skip


def _check(found: dict[str, Any]) -> None:
    assert found["decision"]["valid"] is True
    assert found["decision"]["tasks"] == _expected_tasks()
    assert {t["code"] for t in found["decision"]["tasks"]} >= {"CSC_ENQUIRY", "POLICE_DA_CHECK"}
    refused = found["refused"]
    assert (refused["status"], refused["kind"]) == (422, "invalid_case")
    assert refused["errors"] == ["$.mappa.level: expected a whole number from 1 to 3, got 9"]


def test_http_client_starts_a_server_and_validates_the_decision_against_its_schema() -> None:
    found = _run()
    assert found["url"].startswith("http://127.0.0.1:")
    _check(found)


@contextlib.contextmanager
def _server() -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = create_app()
    server = uvicorn.Server(uvicorn.Config(app, http="h11", lifespan="off", log_level="critical"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started and thread.is_alive():
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
        app.state.service.pool.shutdown()


def test_http_client_talks_to_a_server_already_running() -> None:
    with _server() as url:
        found = _run("--url", url)
    assert found["url"] == url
    _check(found)
