"""The HTTP edge of ``riskreview serve``: refusals as JSON, bodies read within bounds.

Every answer that is not a decision is a :class:`Refusal`: a status code, a kind
for programs (``invalid_case``) and the one-line messages the command line prints
(``$.mappa.level: expected a whole number from 1 to 3, got 9``), written as

.. code-block:: json

    {"status": 422, "kind": "invalid_case", "case_id": "C1", "errors": ["$.mappa.level: ..."]}

Bodies are read as a stream and refused (413) as soon as they pass the limit,
and before a byte is read when ``Content-Length`` already says they would.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from riskreview._structure import parse_json
from riskreview.case import Case
from riskreview.errors import (
    CaseError,
    EngineError,
    PackError,
    PolicyNotInForceError,
    Problem,
    RiskReviewError,
    UnknownRuleError,
)
from riskreview.pack import Pack

#: media types a JSON body may be sent as (parameters such as ``charset`` aside)
JSON_TYPES = frozenset({"application/json"})
#: media types a JSON Lines body may be sent as
JSON_LINES_TYPES = frozenset(
    {"application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json"}
)
JSON_LINES = "application/x-ndjson"


class Refusal(Exception):
    """A request answered with an error: ``status``, ``kind`` and one line per problem."""

    def __init__(
        self,
        status: int,
        kind: str,
        lines: Iterable[str],
        *,
        case_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.kind = kind
        self.lines = tuple(lines)
        self.case_id = case_id
        self.headers = dict(headers or {})
        super().__init__("; ".join(self.lines))

    def body(self) -> dict[str, Any]:
        """The JSON body: status, kind, the case id when known, the messages."""
        found: dict[str, Any] = {"status": self.status, "kind": self.kind}
        if self.case_id is not None:
            found["case_id"] = self.case_id
        return found | {"errors": list(self.lines)}

    def response(self) -> Response:
        """The refusal as an HTTP response."""
        text = json.dumps(self.body(), ensure_ascii=False) + "\n"
        return Response(text, self.status, self.headers, media_type="application/json")


def problem_line(problem: Problem) -> str:
    """A case problem as ``riskreview evaluate`` prints it: the JSON path and the reason
    (the reason alone when it is about the whole document)."""
    return problem.message if problem.path == "$" else str(problem)


def refusal_for(error: Exception) -> Refusal:
    """The refusal for an exception met while deciding: the status code a client needs
    and the message the command line prints for it."""
    if isinstance(error, Refusal):
        return error
    if isinstance(error, CaseError):
        lines = [problem_line(p) for p in error.problems] or [str(error)]
        return Refusal(422, "invalid_case", lines, case_id=error.subject or None)
    if isinstance(error, PolicyNotInForceError):
        return Refusal(422, "policy_not_in_force", [str(error)])
    if isinstance(error, UnknownRuleError):
        return Refusal(404, "unknown_rule", [str(error)])
    if isinstance(error, PackError):
        return Refusal(500, "pack_error", [str(p) for p in error.problems] or [str(error)])
    if isinstance(error, EngineError):
        return Refusal(500, "engine_error", [f"engine: {error}"], case_id=error.case_id)
    if isinstance(error, RiskReviewError):
        return Refusal(500, "internal_error", [str(error).splitlines()[0]])
    message = f"internal error: {type(error).__name__}: {str(error)[:300]}"
    return Refusal(500, "internal_error", [message.splitlines()[0]])


def read_case(body: bytes, pack: Pack) -> Case:
    """The case in ``body``, as ``Case.from_json(body, pack)`` reads it; text that is
    not JSON is refused apart (400) from JSON that is not a valid case (422)."""
    try:
        data = parse_json(body)
    except CaseError as error:
        lines = [problem_line(p) for p in error.problems] or [str(error)]
        raise Refusal(400, "malformed_json", lines) from None
    return Case.from_dict(data, pack)


# ------------------------------------------------------------------ the request line


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def query(request: Request, allowed: Iterable[str]) -> dict[str, str]:
    """The query parameters, each given once; an unknown one is refused with the
    closest known name."""
    names = sorted(allowed)
    found: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(names)}"
            shown = repr(name) if len(name) <= 40 else f"of {len(name)} characters"
            raise Refusal(400, "bad_request", [f"unknown query parameter {shown}{hint}"])
        if name in found:
            raise Refusal(400, "bad_request", [f"query parameter {name!r} is given twice"])
        found[name] = value
    return found


def as_of(params: Mapping[str, str]) -> date | None:
    """The ``as_of`` query parameter as a date (None when absent), with the command
    line's reasons for refusing one."""
    text = params.get("as_of")
    if text is None:
        return None
    shown = repr(text) if len(text) <= 40 else f"a text of {len(text)} characters"
    if not _DATE.fullmatch(text):
        raise Refusal(
            400,
            "bad_request",
            [f"as_of: {shown} is not a date; write it as YYYY-MM-DD (2026-11-23)"],
        )
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refusal(400, "bad_request", [f"as_of: {shown} is not a real calendar date"]) from None


def flag(params: Mapping[str, str], name: str) -> bool:
    """A true/false query parameter (false when absent)."""
    text = params.get(name, "false")
    if text not in ("true", "false"):
        shown = repr(text) if len(text) <= 40 else f"a text of {len(text)} characters"
        raise Refusal(400, "bad_request", [f"{name}: {shown} is not true or false"])
    return text == "true"


def require_type(request: Request, accepted: frozenset[str], what: str, preferred: str) -> None:
    """Refuse (415) a body sent as another media type than ``accepted``, naming the
    ``preferred`` one."""
    given = request.headers.get("content-type", "")
    media = given.split(";", 1)[0].strip().lower()
    if media not in accepted:
        shown = repr(given[:60]) if given else "none"
        raise Refusal(
            415,
            "unsupported_media_type",
            [f"send {what} with Content-Type: {preferred}, got {shown}"],
        )


# ------------------------------------------------------------------ the body


def too_large(limit: int, what: str) -> Refusal:
    """The refusal of a body longer than ``limit`` bytes."""
    return Refusal(
        413, "too_large", [f"{what} is larger than the limit of {limit:,} bytes; send less"]
    )


def declared_length(request: Request) -> int | None:
    """The ``Content-Length`` the client declared (None when it sends chunks)."""
    text = request.headers.get("content-length")
    if text is None:
        return None
    if not text.isdigit():
        raise Refusal(400, "bad_request", ["Content-Length is not a whole number of bytes"])
    return int(text)


async def read_body(request: Request, limit: int, what: str) -> bytes:
    """The whole body, refused with 413 as soon as it passes ``limit`` bytes: at once
    when ``Content-Length`` says so, else while it streams in (never read to the end)."""
    declared = declared_length(request)
    if declared is not None and declared > limit:
        raise too_large(limit, what)
    pieces: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit, what)
        pieces.append(chunk)
    return b"".join(pieces)


async def lines(
    chunks: AsyncIterator[bytes], limit: int
) -> AsyncIterator[tuple[int, bytes | None]]:
    """The non-blank lines of a JSON Lines stream with their line numbers; a line longer
    than ``limit`` bytes is passed as None and the rest of it skipped unread into memory."""
    number = 0
    pending: list[bytes] = []
    size = 0
    skipping = False
    async for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            number += 1
            piece = chunk[start:end]
            if skipping or size + len(piece) > limit:
                yield number, None
            else:
                line = b"".join([*pending, piece])
                if line.strip():
                    yield number, line
            pending.clear()
            size, skipping = 0, False
            start = end + 1
        rest = chunk[start:]
        if rest and not skipping:
            size += len(rest)
            if size > limit:
                skipping = True
                pending.clear()
            else:
                pending.append(rest)
    if skipping:
        yield number + 1, None
    elif pending and b"".join(pending).strip():
        yield number + 1, b"".join(pending)
