"""A client as a case-management system in another language writes it: plain JSON
over HTTP to ``riskreview serve``, every answer checked against the published schema.

Run: python examples/http_client.py [--url http://127.0.0.1:8787] [--json]

Without ``--url`` it starts ``riskreview serve`` itself on a free port and stops it
at the end. Nothing here imports riskreview: the requests use only the standard
library (``urllib``), as a Java client would use ``java.net.http.HttpClient``, and
the decision is validated with ``jsonschema`` against the schema the server
publishes at ``/schema/decision`` (in Java: any JSON Schema 2020-12 validator).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema

AS_OF = "2026-11-23"

# the case as the case-management system exports it (see GET /schema/case)
CASE: dict[str, Any] = {
    "case_id": "CMS-2026-00417",
    "person": {"date_of_birth": "1990-04-12"},
    "supervision": {
        "stage": "community",
        "sentence_type": "community_order",
        "sentence_date": "2026-10-26",
        "start_date": "2026-10-26",
    },
    "index_offence": {"categories": ["violence"], "date": "2026-07-30"},
    "offending_history": [{"categories": ["domestic_abuse"], "date": "2019-02-11"}],
    "risk": {"screening_date": "2026-10-28", "levels": {"known_adult": "medium", "public": "low"}},
    "household": {"children": [{"ref": "child-a", "date_of_birth": "2021-09-01", "contact": True}]},
    "checks": {"police_domestic_abuse": {"requested_date": "2026-10-27"}},
    "events": [{"type": "new_relationship", "date": "2026-11-16"}],
}
# a record the case-management system got wrong: MAPPA levels are 1 to 3
BAD_CASE: dict[str, Any] = {"case_id": "CMS-2026-00533", "mappa": {"level": 9}}


def call(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """GET ``url`` (or POST ``body`` as JSON); the status and the JSON answer, also
    for a refusal (4xx and 5xx answers carry JSON too)."""
    if not url.startswith(("http://", "https://")):
        raise SystemExit(f"{url}: not an HTTP address")
    data = None if body is None else json.dumps(body).encode("utf-8")
    method = "GET" if body is None else "POST"
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - as above
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        with refused:
            return refused.code, json.load(refused)


def start_server() -> tuple[subprocess.Popen[str], str]:
    """``riskreview serve`` on a free port of the loopback interface, and its URL."""
    command = Path(sys.executable).with_name("riskreview")
    server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [str(command), "serve", "--port", "0"],
        stdout=subprocess.DEVNULL,  # the access log
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stderr is not None
    for line in server.stderr:
        found = re.search(r"running on (http://\S+)", line)
        if found:
            # keep reading what it logs, so a full pipe never stalls it
            threading.Thread(target=server.stderr.read, daemon=True).start()
            return server, found.group(1)
    server.wait()
    raise SystemExit(f"riskreview serve did not start (exit {server.returncode})")


def run(base: str) -> dict[str, Any]:
    """Decide the two cases over HTTP; what each answer said."""
    _, schema = call(f"{base}/schema/decision")
    validator = jsonschema.Draft202012Validator(schema)
    status, decision = call(f"{base}/evaluate?as_of={AS_OF}", CASE)
    if status != 200:
        raise SystemExit(f"{CASE['case_id']}: {status} {decision['errors']}")
    validator.validate(decision)  # raises if the answer is not what the schema promises
    refused_status, refused = call(f"{base}/evaluate?as_of={AS_OF}", BAD_CASE)
    return {
        "url": base,
        "decision": {
            "case_id": decision["case_id"],
            "valid": True,
            "pack": f"{decision['pack']['name']} {decision['pack']['version']}",
            "tasks": [
                {"code": a["code"], "due": a["due_date"], "status": a["status"],
                 "rules": a["rule_ids"]}
                for a in decision["actions"]
            ],
            "next_review": decision["next_review"]["date"],
        },
        "refused": {"status": refused_status, "kind": refused["kind"],
                    "errors": refused["errors"]},
    }  # fmt: skip


def show(found: dict[str, Any]) -> None:
    decision = found["decision"]
    print(f"{decision['case_id']} on {AS_OF} under {decision['pack']} "
          f"(valid against /schema/decision):")  # fmt: skip
    for task in decision["tasks"]:
        print(f"  {task['code']:<24} due {task['due']}  {task['status']:<12} "
              f"rules {' '.join(task['rules'])}")  # fmt: skip
    print(f"  next review {decision['next_review']}")
    refused = found["refused"]
    print(f"{BAD_CASE['case_id']}: refused {refused['status']} ({refused['kind']})")
    for error in refused["errors"]:
        print(f"  - {error}")


def main() -> None:
    args = sys.argv[1:]
    server = None
    if "--url" in args:
        base = args[args.index("--url") + 1].rstrip("/")
    else:
        server, base = start_server()
    try:
        found = run(base)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
            if server.stderr is not None:
                server.stderr.close()
    if "--json" in args:
        print(json.dumps(found, indent=2))
    else:
        show(found)


if __name__ == "__main__":
    main()
