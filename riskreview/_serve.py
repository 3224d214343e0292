"""The ASGI application of ``riskreview serve`` (Starlette): routes and handlers.

Deciding is CPU work done in a bounded thread pool, never on the event loop (the
engine layer holds its own lock, so the threads share the compiled pack safely).
Each request is bounded in size (``max_body``, checked while the body streams in)
and in time (``timeout``: a body that has not arrived is 408, a decision not made
is 503 with ``Retry-After``). Answers are byte for byte what the command line
prints with ``--json``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import attrs
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from riskreview import _runtime
from riskreview import schema as schemas
from riskreview._api import evaluate as evaluate_case
from riskreview._api import explain as explain_rule
from riskreview._serve_batch import BatchRun, LinesResponse
from riskreview._serve_http import (
    JSON_LINES,
    JSON_LINES_TYPES,
    JSON_TYPES,
    Refusal,
    as_of,
    declared_length,
    flag,
    query,
    read_body,
    read_case,
    refusal_for,
    require_type,
    too_large,
)
from riskreview._serve_openapi import openapi
from riskreview._serve_policy import Policy, describe
from riskreview._structure import dumps
from riskreview._terminal import printable
from riskreview._version import VERSION
from riskreview.errors import EngineError, PackError
from riskreview.pack import Pack

_LOG = logging.getLogger("riskreview.serve")
_T = TypeVar("_T")


@attrs.frozen
class Settings:
    """How much a request may ask: bytes of one case, cases of one batch, seconds,
    threads deciding at once, and whether ``POST /packs/reload`` is open."""

    max_body: int
    max_batch: int
    timeout: float
    threads: int
    allow_reload: bool


def _decide(body: bytes, when: date | None, pack: Pack, trace: bool) -> str:
    """What ``riskreview evaluate CASE.json --json`` prints for ``body``."""
    case = read_case(body, pack)
    return evaluate_case(case, as_of=when, pack=pack, trace=trace).to_json() + "\n"


def _explain(body: bytes, rule_id: str, when: date | None, pack: Pack) -> str:
    """What ``riskreview explain CASE.json RULE --json`` prints for ``body``."""
    case = read_case(body, pack)
    return dumps(explain_rule(case, rule_id, as_of=when, pack=pack).to_dict()) + "\n"


def _json(document: Any, status: int = 200) -> Response:
    text = json.dumps(document, ensure_ascii=False) + "\n"
    return Response(text, status, media_type="application/json")


class Service:
    """The handlers, over one pack in service, one thread pool and the settings."""

    def __init__(self, pack: Pack, folder: Path, settings: Settings) -> None:
        self.policy = Policy(pack, folder)
        self.settings = settings
        self.pool = ThreadPoolExecutor(settings.threads, thread_name_prefix="riskreview-serve")
        self._documents: dict[tuple[str, str], Any] = {}

    async def call(self, work: Callable[..., _T], *args: Any) -> _T:
        """``work(*args)`` in the thread pool; cancelled while still queued if the
        request runs out of time."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, work, *args)

    async def _case_request(
        self, request: Request, work: Callable[..., str], *args: Any
    ) -> Response:
        """Read one case within the limits and answer with ``work(body, *args)``."""
        require_type(request, JSON_TYPES, "the case as JSON", "application/json")
        limit = self.settings.timeout
        reading = True
        try:
            async with asyncio.timeout(limit):
                body = await read_body(request, self.settings.max_body, "the case")
                reading = False
                text = await self.call(work, body, *args)
        except TimeoutError:
            if reading:
                raise Refusal(
                    408, "request_timeout", [f"the case did not arrive within {limit:g} s"]
                ) from None
            raise Refusal(
                503,
                "timeout",
                [f"no answer within {limit:g} s; try again later"],
                headers={"Retry-After": "1"},
            ) from None
        return Response(text, media_type="application/json")

    async def evaluate(self, request: Request) -> Response:
        """``POST /evaluate?as_of=&trace=``: one case in, its decision out."""
        params = query(request, ("as_of", "trace"))
        when, trace = as_of(params), flag(params, "trace")
        pack = self.policy.serving.pack
        return await self._case_request(request, _decide, when, pack, trace)

    async def explain(self, request: Request) -> Response:
        """``POST /explain?rule=&as_of=``: why one rule fired for a case, or did not."""
        params = query(request, ("as_of", "rule"))
        when = as_of(params)
        rule_id = params.get("rule")
        if not rule_id:
            raise Refusal(
                400, "bad_request", ["name the rule to explain: POST /explain?rule=CS-02"]
            )
        pack = self.policy.serving.pack
        pack.rule(rule_id)  # a mistyped id is the first thing to say, before the case
        return await self._case_request(request, _explain, rule_id, when, pack)

    async def batch(self, request: Request) -> Response:
        """``POST /batch?as_of=``: JSON Lines of cases in, one line per case out, streamed."""
        params = query(request, ("as_of",))
        when = as_of(params)
        require_type(request, JSON_LINES_TYPES, "the cases as JSON Lines", JSON_LINES)
        pack = self.policy.serving.pack
        day = when if when is not None else _runtime.calendar_for(pack).today()
        pack.epoch(day)  # a day the pack does not cover is refused before any line
        settings = self.settings
        declared = declared_length(request)
        if declared is not None and declared > settings.max_body * settings.max_batch:
            raise too_large(settings.max_body * settings.max_batch, "the batch")
        run = BatchRun(request.stream(), pack, day, settings.max_body, settings.max_batch)
        lines = run.answers(self.call, settings.timeout)
        return LinesResponse(lines, media_type=JSON_LINES)

    def _document(self, kind: str, pack: Pack, build: Callable[[], Any]) -> Response:
        key = (kind, pack.digest)
        if key not in self._documents:
            self._documents[key] = build()
        return _json(self._documents[key])

    async def schema(self, request: Request) -> Response:
        """``GET /schema/{case,decision,explanation}``: the JSON Schema of each."""
        query(request, ())
        kind = request.path_params["kind"]
        pack = self.policy.serving.pack
        builders: dict[str, Callable[[], Any]] = {
            "case": lambda: schemas.case_schema(pack),
            "decision": schemas.decision_schema,
            "explanation": schemas.explanation_schema,
        }
        if kind not in builders:
            raise Refusal(
                404, "not_found", [f"no schema {kind[:40]!r}; known: case, decision, explanation"]
            )
        return self._document(f"schema:{kind}", pack, builders[kind])

    async def openapi(self, request: Request) -> Response:
        """``GET /openapi.json``: the OpenAPI 3.1 document, built from the JSON Schemas."""
        query(request, ())
        pack = self.policy.serving.pack
        return self._document("openapi", pack, lambda: openapi(pack, self.settings.max_body))

    async def packs(self, request: Request) -> Response:
        """``GET /packs``: the pack in service: name, version, digest, policy periods."""
        query(request, ())
        return _json({"packs": [describe(self.policy.serving)]})

    async def health(self, request: Request) -> Response:
        """``GET /health``: up, with the library version and the pack in service."""
        query(request, ())
        pack = self.policy.serving.pack
        return _json(
            {
                "status": "ok",
                "library_version": VERSION,
                "pack": {"name": pack.name, "version": pack.version, "digest": pack.digest},
            }
        )

    async def reload(self, request: Request) -> Response:
        """``POST /packs/reload``: load the pack folder again; keep the pack in service
        unless the new one loads and passes its checks."""
        query(request, ())
        if not self.settings.allow_reload:
            raise Refusal(
                403, "reload_disabled", ["reloading is off; start the server with --allow-reload"]
            )
        try:
            # not in the deciding pool, so requests keep their threads while a pack loads
            previous, now = await asyncio.get_running_loop().run_in_executor(
                None, self.policy.reload
            )
        except PackError as error:
            kept = describe(self.policy.serving)
            lines = [f"pack {self.policy.folder.name}: {p}" for p in error.problems]
            refusal = Refusal(409, "reload_failed", lines or [str(error)])
            _LOG.warning("pack reload failed; still serving %s %s", kept["name"], kept["version"])
            return _json(refusal.body() | {"serving": kept}, 409)
        _LOG.info("pack reloaded: %s %s %s", now.pack.name, now.pack.version, now.pack.digest)
        return _json(
            {
                "reloaded": True,
                "changed": previous.pack.digest != now.pack.digest,
                "previous": describe(previous),
                "serving": describe(now),
            }
        )


Handler = Callable[[Request], Awaitable[Response]]


def _answered(handler: Handler) -> Handler:
    """A handler whose every failure becomes a JSON refusal; none is swallowed: an
    engine or internal fault is a 500 with its message, and logged."""

    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except ClientDisconnect:
            # nobody is left to read it; the status is for the access log
            return Refusal(400, "incomplete_body", ["the body ended early"]).response()
        except Exception as error:
            refusal = refusal_for(error)
            if refusal.status >= 500:
                # the log names the fault, never what the case held: the type, and for
                # the engine its rule and case id
                where = ""
                if isinstance(error, EngineError):
                    where = f" (rule {error.rule_id}, case {printable(error.case_id or '')})"
                _LOG.error(
                    "%s %s: %s %s%s",
                    request.method,
                    request.url.path,
                    refusal.kind,
                    type(error).__name__,
                    where,
                )
            return refusal.response()

    return guarded


async def _http_error(request: Request, error: Exception) -> Response:
    """Starlette's own 404 and 405 as JSON refusals."""
    assert isinstance(error, HTTPException)
    kinds = {404: "not_found", 405: "method_not_allowed"}
    text = {
        404: f"no such endpoint: {request.url.path[:100]}; see GET /openapi.json",
        405: f"{request.method} is not allowed on {request.url.path[:100]}",
    }
    refusal = Refusal(
        error.status_code,
        kinds.get(error.status_code, "http_error"),
        [text.get(error.status_code, str(error.detail))],
        headers=error.headers,
    )
    return refusal.response()


def build(pack: Pack, folder: Path, settings: Settings) -> Starlette:
    """The application serving ``pack`` (loaded from ``folder``) under ``settings``."""
    service = Service(pack, folder, settings)
    routes = [
        Route("/evaluate", _answered(service.evaluate), methods=["POST"]),
        Route("/explain", _answered(service.explain), methods=["POST"]),
        Route("/batch", _answered(service.batch), methods=["POST"]),
        Route("/schema/{kind}", _answered(service.schema), methods=["GET"]),
        Route("/packs", _answered(service.packs), methods=["GET"]),
        Route("/packs/reload", _answered(service.reload), methods=["POST"]),
        Route("/health", _answered(service.health), methods=["GET"]),
        Route("/openapi.json", _answered(service.openapi), methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.service = service
    return app
