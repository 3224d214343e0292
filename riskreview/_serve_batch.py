"""``POST /batch``: JSON Lines in, one line per case out, as each is decided.

Each non-blank input line gets one output line, in input order: the decision, as
``riskreview batch`` writes it to its output, or, for a case not decided, the
record ``riskreview batch`` writes to its errors file (``line``, ``case_id``,
``status``, ``error``). A bad line never stops the batch. Besides the statuses of
``riskreview batch`` (``case_error``, ``engine_error``, ``timeout``), a line longer
than the limit of one case is ``too_large`` (and skipped without being held in
memory); past the most cases one batch may hold, one ``refused`` line ends it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from riskreview._serve_http import lines
from riskreview.batch import _case_id, _evaluate_one
from riskreview.pack import Pack

Call = Callable[..., Awaitable[Any]]


def error_line(line: int, case_id: str | None, status: str, error: str | None) -> bytes:
    """The record of a case not decided, as in ``riskreview batch``'s errors file."""
    record = {"line": line, "case_id": case_id, "status": status}
    return (json.dumps(record | {"error": error}, ensure_ascii=False) + "\n").encode("utf-8")


class BatchRun:
    """One batch request: its body as a stream of chunks, the pack, the day and limits."""

    def __init__(
        self, chunks: AsyncIterator[bytes], pack: Pack, day: date, max_body: int, max_batch: int
    ) -> None:
        self.chunks = chunks
        self.pack = pack
        self.day = day
        self.max_body = max_body
        self.max_batch = max_batch

    async def answers(self, call: Call, timeout: float) -> AsyncIterator[bytes]:
        """One output line per input line, each decided by ``call`` (the thread pool)
        within ``timeout`` seconds; waiting more than ``timeout`` for the next line
        ends the batch with a ``timeout`` line."""
        incoming = lines(self.chunks, self.max_body)
        cases = 0
        number = 0
        while True:
            try:
                async with asyncio.timeout(timeout):
                    item = await anext(incoming, None)
            except TimeoutError:
                message = f"no line arrived within {timeout:g} s; the batch ends here"
                yield error_line(number + 1, None, "timeout", message)
                return
            except ClientDisconnect:
                return
            if item is None:
                return
            number, raw = item
            cases += 1
            if cases > self.max_batch:
                message = (
                    f"a batch holds at most {self.max_batch:,} cases; "
                    "send the rest in another request"
                )
                yield error_line(number, None, "refused", message)
                return
            if raw is None:
                message = f"the line is larger than the limit of {self.max_body:,} bytes"
                yield error_line(number, None, "too_large", message)
                continue
            yield await self._decide(call, number, raw, timeout)

    async def _decide(self, call: Call, number: int, raw: bytes, timeout: float) -> bytes:
        status: str
        decision: str | None
        error: str | None
        try:
            async with asyncio.timeout(timeout):
                status, decision, error = await call(_evaluate_one, raw, self.day, self.pack)
        except TimeoutError:
            status, decision, error = "timeout", None, f"no answer within {timeout:g} s"
        if decision is not None:
            return (decision + "\n").encode("utf-8")
        return error_line(number, _case_id(raw), status, error)


class LinesResponse(StreamingResponse):
    """A streamed response that reads its request's body while it answers.

    Starlette's StreamingResponse, under ASGI servers older than spec 2.4, listens
    for a disconnect by reading the request, which would take the body's chunks
    from the batch; this one leaves the request to the batch, which sees a client
    that went away as the end of its body.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)
