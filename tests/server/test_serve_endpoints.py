"""Every endpoint of ``riskreview serve`` answers as the command line and the library do."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import jsonschema
from click.testing import CliRunner
from server_support import AS_OF, DEMO_CASE

import riskreview
from riskreview import schema as schemas
from riskreview.cli import cli
from riskreview.pack import default_pack

JSON = {"Content-Type": "application/json"}


def _cli_stdout(*args: str) -> bytes:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def test_evaluate_answers_the_demo_case_with_the_bytes_of_evaluate_json(
    client: httpx.Client, tmp_path: Path
) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(DEMO_CASE), encoding="utf-8")
    printed = _cli_stdout("evaluate", str(case_file), "--as-of", AS_OF, "--json")
    answer = client.post(f"/evaluate?as_of={AS_OF}", content=case_file.read_bytes(), headers=JSON)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.content == printed
    assert {a["code"] for a in answer.json()["actions"]} >= {"POLICE_DA_CHECK", "CSC_ENQUIRY"}


def test_evaluate_with_trace_carries_every_rule_outcome(client: httpx.Client) -> None:
    answer = client.post(f"/evaluate?as_of={AS_OF}&trace=true", json=DEMO_CASE)
    assert answer.status_code == 200
    trace = answer.json()["trace"]
    assert {t["rule_id"] for t in trace} == set(default_pack().rule_ids)
    plain = client.post(f"/evaluate?as_of={AS_OF}&trace=false", json=DEMO_CASE).json()
    assert "trace" not in plain


def test_evaluate_without_as_of_decides_on_today_by_the_pack_calendar(
    client: httpx.Client,
) -> None:
    answer = client.post("/evaluate", json={"case_id": "TODAY-1"})
    expected = riskreview.evaluate({"case_id": "TODAY-1"})
    assert answer.json()["as_of"] == expected.as_of.isoformat()


def test_explain_answers_with_the_bytes_of_explain_json(
    client: httpx.Client, tmp_path: Path
) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(DEMO_CASE), encoding="utf-8")
    for rule in ("CS-02", "DA-01", "MARAC-01"):
        if rule not in default_pack().rule_ids:
            continue
        printed = _cli_stdout("explain", str(case_file), rule, "--as-of", AS_OF, "--json")
        answer = client.post(f"/explain?rule={rule}&as_of={AS_OF}", json=DEMO_CASE)
        assert answer.status_code == 200
        assert answer.content == printed
        assert answer.json()["rule_id"] == rule


def test_schemas_are_the_published_json_schemas(client: httpx.Client) -> None:
    pack = default_pack()
    assert client.get("/schema/case").json() == schemas.case_schema(pack)
    assert client.get("/schema/decision").json() == schemas.decision_schema()
    assert client.get("/schema/explanation").json() == schemas.explanation_schema()
    decision = client.post(f"/evaluate?as_of={AS_OF}", json=DEMO_CASE).json()
    jsonschema.Draft202012Validator(client.get("/schema/decision").json()).validate(decision)
    jsonschema.Draft202012Validator(client.get("/schema/case").json()).validate(DEMO_CASE)


def test_packs_names_the_pack_in_service_with_its_policy_periods(client: httpx.Client) -> None:
    pack = default_pack()
    [served] = client.get("/packs").json()["packs"]
    assert (served["name"], served["version"], served["digest"]) == (
        pack.name,
        pack.version,
        pack.digest,
    )
    starts = [p["from"] for p in served["policy_periods"]]
    assert starts == [d.isoformat() for d in pack.change_dates]
    ends = [p["to"] for p in served["policy_periods"]]
    assert ends[-1] is None and all(ends[:-1])
    assert all(end < start for end, start in zip(ends[:-1], starts[1:], strict=True))
    decision = client.post(f"/evaluate?as_of={AS_OF}", json=DEMO_CASE).json()
    assert decision["pack"]["policy_period"] in starts
    assert decision["pack"]["digest"] == served["digest"]


def test_health_says_ok_with_the_library_version_and_pack(client: httpx.Client) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["library_version"] == riskreview.__version__
    assert health["pack"]["digest"] == default_pack().digest


def test_openapi_document_holds_the_json_schemas_and_every_endpoint(
    client: httpx.Client,
) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/evaluate", "/explain", "/batch", "/schema/case", "/schema/decision",
        "/schema/explanation", "/packs", "/packs/reload", "/health",
    }  # fmt: skip
    components = document["components"]["schemas"]
    assert set(components["Decision"]["properties"]) == set(schemas.decision_schema()["properties"])
    decision = client.post(f"/evaluate?as_of={AS_OF}", json=DEMO_CASE).json()
    # the re-pointed references resolve inside the document: validate through them
    root = {"components": document["components"]}
    jsonschema.Draft202012Validator(root | {"$ref": "#/components/schemas/Decision"}).validate(
        decision
    )
    jsonschema.Draft202012Validator(root | {"$ref": "#/components/schemas/Case"}).validate(
        DEMO_CASE
    )
    bad = dict(DEMO_CASE, mappa={"level": 9})
    errors = list(
        jsonschema.Draft202012Validator(root | {"$ref": "#/components/schemas/Case"}).iter_errors(
            bad
        )
    )
    assert errors, "the case schema in the OpenAPI document must refuse MAPPA level 9"


def test_reload_is_refused_unless_the_server_allows_it(client: httpx.Client) -> None:
    answer = client.post("/packs/reload")
    assert answer.status_code == 403
    assert answer.json()["kind"] == "reload_disabled"
    assert "--allow-reload" in answer.json()["errors"][0]
