"""A real uvicorn server on the loopback interface, and a raw HTTP/1.1 line to it."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.applications import Starlette

AS_OF = "2026-11-23"

# the example case of examples/demo.py, as a case-management system would send it
DEMO_CASE: dict[str, Any] = {
    "case_id": "DEMO-1",
    "person": {"date_of_birth": "1990-04-12"},
    "supervision": {
        "stage": "community",
        "sentence_type": "community_order",
        "sentence_date": "2026-10-26",
        "start_date": "2026-10-26",
    },
    "index_offence": {"categories": ["violence"], "date": "2026-07-30"},
    "offending_history": [{"categories": ["domestic_abuse"], "date": "2019-02-11"}],
    "concerns": [],
    "registrations": [],
    "risk": {"screening_date": "2026-10-28", "levels": {"known_adult": "medium", "public": "low"}},
    "household": {"children": [{"ref": "child-a", "date_of_birth": "2021-09-01", "contact": True}]},
    "checks": {"police_domestic_abuse": {"requested_date": "2026-10-27"}},
    "events": [{"type": "new_relationship", "date": "2026-11-16"}],
}


@contextlib.contextmanager
def running(app: Starlette) -> Iterator[str]:
    """Serve ``app`` from a thread on 127.0.0.1, on a port the system picks (never a
    fixed one: another process may hold it); yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, http="h11", lifespan="off", log_level="critical")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
        app.state.service.pool.shutdown(wait=True, cancel_futures=True)


class Raw:
    """One TCP connection speaking HTTP/1.1 by hand: for what a polite client never
    does (a body cut short, a length it never sends, chunks without an end)."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=20)
        self.buffer = b""

    def __enter__(self) -> Raw:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def head(self, method: str, path: str, headers: dict[str, str]) -> None:
        lines = [
            f"{method} {path} HTTP/1.1",
            "Host: test",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode())

    def _more(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and the whole body of a response with a Content-Length."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._more():
                raise ConnectionError(f"closed before a response: {self.buffer!r}")
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._more():
                break
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def until(self, marker: bytes) -> bytes:
        """Everything received up to and including ``marker``."""
        while marker not in self.buffer:
            if not self._more():
                raise ConnectionError(f"closed before {marker!r}: {self.buffer[-200:]!r}")
        return self.buffer[: self.buffer.index(marker) + len(marker)]

    def closed(self) -> bool:
        """True when the server closes the connection (reading what is left)."""
        try:
            while self._more():
                pass
        except (ConnectionResetError, TimeoutError):
            return False
        return True


def chunk(data: bytes) -> bytes:
    """``data`` as one chunk of a chunked body."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def body(response_body: bytes) -> Any:
    return json.loads(response_body)
