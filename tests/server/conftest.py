"""Fixtures for the HTTP service tests: real servers on free loopback ports, one per
test module and kind, and httpx clients to them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from server_support import running

from riskreview import _decide
from riskreview.server import create_app


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """The URL of a server with the default pack and the default limits."""
    with running(create_app()) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as http:
        yield http


@pytest.fixture(scope="module")
def tight_base() -> Iterator[str]:
    """A server with small limits: 4 KiB a case, 3 cases a batch, 2 s a request."""
    with running(create_app(max_body=4096, max_batch=3, timeout=2.0, threads=2)) as url:
        yield url


@pytest.fixture(scope="module")
def tight(tight_base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tight_base, timeout=60) as http:
        yield http


@pytest.fixture
def stuck(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Deciding case STUCK-1 waits until the test lets it go."""
    release = threading.Event()
    real = _decide.decide

    def waiting(case: Any, *args: Any, **kwargs: Any) -> Any:
        if case.case_id == "STUCK-1":
            release.wait(60)
        return real(case, *args, **kwargs)

    monkeypatch.setattr(_decide, "decide", waiting)
    yield release
    release.set()
