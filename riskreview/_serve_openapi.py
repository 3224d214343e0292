"""The OpenAPI 3.1 document of ``riskreview serve``, built from the JSON Schemas.

OpenAPI 3.1 takes JSON Schema 2020-12 as it is, so the case, decision and
explanation schemas are the very ones ``GET /schema/...`` publishes (and
``riskreview schema`` prints); only their ``$ref``s are re-pointed to where each
schema sits in this document.
"""

from __future__ import annotations

from typing import Any

from riskreview import schema as schemas
from riskreview._version import VERSION
from riskreview.pack import Pack

_ERROR = {
    "type": "object",
    "description": "A request refused or failed: the command line's one-line messages.",
    "required": ["status", "kind", "errors"],
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status code."},
        "kind": {
            "type": "string",
            "description": "For programs: malformed_json, invalid_case, too_large, "
            "unsupported_media_type, bad_request, unknown_rule, not_found, "
            "method_not_allowed, policy_not_in_force, request_timeout, timeout, "
            "engine_error, internal_error, reload_disabled, reload_failed.",
        },
        "case_id": {"type": "string", "description": "The case id, when it could be read."},
        "errors": {
            "type": "array",
            "items": {"type": "string"},
            "description": "One line per problem; for a case, each starts with its JSON path.",
        },
    },
}
_BATCH_ERROR = {
    "type": "object",
    "description": "A line of /batch for a case not decided, as riskreview batch's errors file.",
    "required": ["line", "case_id", "status", "error"],
    "properties": {
        "line": {"type": "integer", "minimum": 1},
        "case_id": {"type": ["string", "null"]},
        "status": {
            "enum": ["case_error", "engine_error", "timeout", "too_large", "refused"],
        },
        "error": {"type": "string"},
    },
}
_FAILURES = {
    "400": "Malformed JSON, or a bad query parameter",
    "408": "The body did not arrive in time",
    "413": "The body is larger than the server's limit",
    "415": "The body was not sent as JSON",
    "422": "The case is invalid, or the pack is not in force on as_of",
    "500": "The rule engine or riskreview failed (a bug to report)",
    "503": "No answer within the server's time limit; try again",
}


def _repointed(node: Any, base: str) -> Any:
    """``node`` with every local ``$ref`` (``#/$defs/X``) made to point under ``base``."""
    if isinstance(node, dict):
        return {
            key: (
                base + value[1:]
                if key == "$ref" and isinstance(value, str) and value.startswith("#/")
                else _repointed(value, base)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_repointed(item, base) for item in node]
    return node


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(name: str, media: str = "application/json") -> dict[str, Any]:
    return {"required": True, "content": {media: {"schema": _ref(name)}}}


def _answer(description: str, name: str, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": _ref(name)}}}


def _failures(*codes: str) -> dict[str, Any]:
    return {code: _answer(_FAILURES[code], "Error") for code in codes}


def _param(name: str, description: str, schema: dict[str, Any], required: bool = False) -> Any:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


_AS_OF = _param(
    "as_of",
    "The day to decide on, YYYY-MM-DD (default: today on the pack's calendar).",
    {"type": "string", "format": "date"},
)
_CASE_FAILURES = ("400", "408", "413", "415", "422", "500", "503")


def _paths() -> dict[str, Any]:
    trace = _param("trace", "Also give every rule's outcome.", {"type": "boolean"})
    rule = _param("rule", "The rule id, such as CS-02.", {"type": "string"}, required=True)
    return {
        "/evaluate": {"post": {
            "summary": "Decide one case (the bytes of riskreview evaluate --json)",
            "parameters": [_AS_OF, trace],
            "requestBody": _body("Case"),
            "responses": {"200": _answer("The decision", "Decision"), **_failures(*_CASE_FAILURES)},
        }},
        "/explain": {"post": {
            "summary": "Why one rule fired for a case, why not, or what unknown blocks it",
            "parameters": [rule, _AS_OF],
            "requestBody": _body("Case"),
            "responses": {
                "200": _answer("The explanation", "Explanation"),
                "404": _answer("No rule of the pack has this id", "Error"),
                **_failures(*_CASE_FAILURES),
            },
        }},
        "/batch": {"post": {
            "summary": "Decide JSON Lines of cases; one line out per case, streamed, in order",
            "parameters": [_AS_OF],
            "requestBody": {"required": True, "content": {
                "application/x-ndjson": {"schema": {"type": "string"}}}},
            "responses": {
                "200": {
                    "description": "One line per non-blank input line: a decision, or "
                    "(with an \"error\" key) the record of a case not decided",
                    "content": {"application/x-ndjson": {"schema": {
                        "oneOf": [_ref("Decision"), _ref("BatchError")]}}},
                },
                **_failures("400", "413", "415", "422"),
            },
        }},
        **{
            f"/schema/{kind}": {"get": {
                "summary": f"The JSON Schema of {'an' if kind[0] == 'e' else 'a'} {kind}",
                "responses": {"200": {
                    "description": "JSON Schema, draft 2020-12",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }},
            }}
            for kind in ("case", "decision", "explanation")
        },
        "/packs": {"get": {
            "summary": "The pack in service: name, version, digest, policy periods",
            "responses": {"200": {"description": "The pack in service", "content": {
                "application/json": {"schema": {"type": "object"}}}}},
        }},
        "/packs/reload": {"post": {
            "summary": "Load the pack folder again; serve it once it passes its checks",
            "responses": {
                "200": {"description": "The new pack is in service", "content": {
                    "application/json": {"schema": {"type": "object"}}}},
                "403": _answer("The server was started without --allow-reload", "Error"),
                "409": _answer("The new pack failed; the previous one stays", "Error"),
            },
        }},
        "/health": {"get": {
            "summary": "Up, with the library version and the pack in service",
            "responses": {"200": {"description": "Up", "content": {
                "application/json": {"schema": {"type": "object"}}}}},
        }},
    }  # fmt: skip


def openapi(pack: Pack, max_body: int) -> dict[str, Any]:
    """The OpenAPI 3.1 document for a server answering with ``pack``."""
    components = {
        "Case": schemas.case_schema(pack),
        "Decision": schemas.decision_schema(),
        "Explanation": schemas.explanation_schema(),
    }
    found = {
        name: _repointed({k: v for k, v in document.items() if k != "$schema"},
                         f"#/components/schemas/{name}")
        for name, document in components.items()
    }  # fmt: skip
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "riskreview",
            "version": VERSION,
            "description": (
                f"Which actions probation policy requires of a case, why, and by when, "
                f"under pack {pack.name} {pack.version} ({pack.digest}). A case body may "
                f"hold at most {max_body:,} bytes."
            ),
        },
        "paths": _paths(),
        "components": {"schemas": {**found, "Error": _ERROR, "BatchError": _BATCH_ERROR}},
    }
