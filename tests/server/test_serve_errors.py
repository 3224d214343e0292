"""Every refusal of ``riskreview serve``: its status code, its kind, and the command
line's one-line message with the JSON path."""

from __future__ import annotations

import logging
import threading
from typing import Any

import httpx
import pytest
from server_support import AS_OF, DEMO_CASE, Raw, body, chunk

from riskreview import _decide
from riskreview.errors import EngineError

JSON = {"Content-Type": "application/json"}


def _refusal(answer: httpx.Response, status: int, kind: str) -> list[str]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    found = answer.json()
    assert (found["status"], found["kind"]) == (status, kind)
    lines: list[str] = found["errors"]
    assert lines and all("\n" not in line for line in lines)
    return lines


def test_an_invalid_case_is_422_with_every_problem_by_json_path(client: httpx.Client) -> None:
    case = {"case_id": "BAD-1", "mappa": {"level": 9}, "household": {"childrn": []}}
    answer = client.post(f"/evaluate?as_of={AS_OF}", json=case)
    lines = _refusal(answer, 422, "invalid_case")
    assert answer.json()["case_id"] == "BAD-1"
    assert any(line.startswith("$.mappa.level: ") for line in lines)
    assert any(line.startswith("$.household.childrn: ") and "children" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"", "JSON"),
        (b'{"case_id": "X", "hou', "not valid JSON"),
        (b'{"case_id": "X",, }', "not valid JSON"),
        (b'{"case_id": "X", "case_id": "Y"}', "duplicate key 'case_id'"),
        (b'{"case_id": NaN}', "NaN is not allowed"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"case_id": "X", "dash": ' + b"9" * 5000 + b"}", "digits"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
    ],
    ids=["empty", "truncated", "syntax", "duplicate", "nan", "deep", "huge-int", "not-utf8"],
)
def test_malformed_json_is_400(client: httpx.Client, text: bytes, reason: str) -> None:
    lines = _refusal(client.post("/evaluate", content=text, headers=JSON), 400, "malformed_json")
    assert reason in lines[0]


@pytest.mark.parametrize(
    ("number", "reason"),
    [("1e999", "got Infinity"), ("9" * 400, "about 400 digits"), ("-1", "from 0 to 27")],
)
def test_a_huge_number_in_a_case_is_422_naming_the_field(
    client: httpx.Client, number: str, reason: str
) -> None:
    text = f'{{"case_id": "N-1", "domestic_abuse": {{"dash_score": {number}}}}}'.encode()
    lines = _refusal(client.post("/evaluate", content=text, headers=JSON), 422, "invalid_case")
    assert lines[0].startswith("$.domestic_abuse.dash_score: ") and reason in lines[0]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_not_sent_as_json_is_415(client: httpx.Client, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = client.post("/evaluate", content=b'{"case_id": "X"}', headers=headers)
    lines = _refusal(answer, 415, "unsupported_media_type")
    assert "Content-Type: application/json" in lines[0]


def test_json_with_a_charset_is_accepted(client: httpx.Client) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    answer = client.post(f"/evaluate?as_of={AS_OF}", content=b'{"case_id": "U-1"}', headers=headers)
    assert answer.status_code == 200 and answer.json()["case_id"] == "U-1"


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("asof=2026-11-23", "unknown query parameter 'asof'; did you mean 'as_of'?"),
        ("as_of=23/11/2026", "as_of: '23/11/2026' is not a date; write it as YYYY-MM-DD"),
        ("as_of=2026-02-30", "as_of: '2026-02-30' is not a real calendar date"),
        ("as_of=2026-11-23&as_of=2026-11-24", "query parameter 'as_of' is given twice"),
        ("trace=yes", "trace: 'yes' is not true or false"),
    ],
)
def test_a_bad_query_parameter_is_400(client: httpx.Client, query: str, reason: str) -> None:
    lines = _refusal(client.post(f"/evaluate?{query}", json=DEMO_CASE), 400, "bad_request")
    assert lines == [reason] or lines[0].startswith(reason)


def test_a_day_before_the_pack_is_in_force_is_422(client: httpx.Client) -> None:
    lines = _refusal(
        client.post("/evaluate?as_of=1990-01-01", json=DEMO_CASE), 422, "policy_not_in_force"
    )
    assert "is in force from" in lines[0]


def test_an_unknown_rule_is_404_with_the_closest_id(client: httpx.Client) -> None:
    lines = _refusal(client.post("/explain?rule=cs-2", json=DEMO_CASE), 404, "unknown_rule")
    assert lines == ["no rule 'cs-2' in pack england-wales; did you mean 'CS-02'?"]


def test_explain_without_a_rule_is_400(client: httpx.Client) -> None:
    lines = _refusal(client.post("/explain", json=DEMO_CASE), 400, "bad_request")
    assert "POST /explain?rule=" in lines[0]


def test_a_wrong_method_is_405_naming_the_allowed_one(client: httpx.Client) -> None:
    answer = client.get("/evaluate")
    _refusal(answer, 405, "method_not_allowed")
    assert "POST" in answer.headers["allow"]
    _refusal(client.post("/health", json={}), 405, "method_not_allowed")


def test_an_unknown_path_is_404(client: httpx.Client) -> None:
    _refusal(client.get("/evaluat"), 404, "not_found")
    _refusal(client.get("/schema/person"), 404, "not_found")


def test_an_engine_fault_is_500_with_its_message_never_swallowed(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _decide.decide

    def faulty(case: Any, *args: Any, **kwargs: Any) -> Any:
        if case.case_id == "FAULT-1":
            raise EngineError("the engine lost an action", rule_id="CS-02", case_id="FAULT-1")
        return real(case, *args, **kwargs)

    monkeypatch.setattr(_decide, "decide", faulty)
    answer = client.post(f"/evaluate?as_of={AS_OF}", json={"case_id": "FAULT-1"})
    lines = _refusal(answer, 500, "engine_error")
    assert lines == ["engine: the engine lost an action (rule CS-02) (case FAULT-1)"]
    assert answer.json()["case_id"] == "FAULT-1"
    # the server goes on answering other cases
    assert client.post(f"/evaluate?as_of={AS_OF}", json={"case_id": "OK-1"}).status_code == 200


def test_an_internal_fault_is_500_with_its_type_and_logged_without_the_case(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(case: Any, *args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("could not divide the visits of Jane Example")

    monkeypatch.setattr(_decide, "decide", broken)
    case = {"case_id": "Z-1"}
    with caplog.at_level(logging.ERROR, logger="riskreview.serve"):
        answer = client.post("/evaluate", json=case)
    lines = _refusal(answer, 500, "internal_error")
    assert lines[0].startswith("internal error: ZeroDivisionError: could not divide")
    [record] = [r for r in caplog.records if r.name == "riskreview.serve"]
    assert record.getMessage() == "POST /evaluate: internal_error ZeroDivisionError"
    assert "Jane" not in caplog.text


# ---------------------------------------------------------------- size and time


def test_a_body_over_the_limit_is_413_before_it_is_sent(tight_base: str) -> None:
    with Raw(tight_base) as raw:
        raw.head(
            "POST",
            "/evaluate",
            {"Content-Type": "application/json", "Content-Length": "10000000000"},
        )
        status, _, text = raw.response()  # not one byte of the body was sent
    assert status == 413
    assert body(text)["errors"] == ["the case is larger than the limit of 4,096 bytes; send less"]


def test_a_chunked_body_is_refused_once_it_passes_the_limit_not_read_to_its_end(
    tight_base: str,
) -> None:
    with Raw(tight_base) as raw:
        headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        raw.head("POST", "/evaluate", headers)
        raw.send(chunk(b'{"case_id": "BIG", "pad": "' + b"x" * 3000))
        raw.send(chunk(b"x" * 3000))  # past 4,096 bytes; the body never ends
        status, _, text = raw.response()
    assert status == 413 and body(text)["kind"] == "too_large"


def test_a_body_under_the_limit_is_decided(tight: httpx.Client) -> None:
    answer = tight.post(f"/evaluate?as_of={AS_OF}", json=DEMO_CASE)
    assert answer.status_code == 200 and answer.json()["case_id"] == "DEMO-1"


def test_a_body_that_does_not_arrive_in_time_is_408(tight_base: str) -> None:
    with Raw(tight_base) as raw:
        raw.head("POST", "/evaluate", {"Content-Type": "application/json", "Content-Length": "100"})
        raw.send(b'{"case_id": ')  # and nothing more, within the 2 s the server allows
        status, _, text = raw.response()
    assert status == 408
    assert body(text)["errors"] == ["the case did not arrive within 2 s"]


def test_a_body_cut_short_leaves_the_server_answering(base: str, client: httpx.Client) -> None:
    with Raw(base) as raw:
        raw.head("POST", "/evaluate", {"Content-Type": "application/json", "Content-Length": "500"})
        raw.send(b'{"case_id": "CUT-1", "supervision": {')
        raw.sock.shutdown(2)  # the client goes away mid-body
    assert client.get("/health").json()["status"] == "ok"
    answer = client.post(f"/evaluate?as_of={AS_OF}", json=DEMO_CASE)
    assert answer.status_code == 200


def test_a_decision_not_made_in_time_is_503_with_retry_after(
    tight: httpx.Client, stuck: threading.Event
) -> None:
    answer = tight.post(f"/evaluate?as_of={AS_OF}", json={"case_id": "STUCK-1"})
    lines = _refusal(answer, 503, "timeout")
    assert lines == ["no answer within 2 s; try again later"]
    assert answer.headers["retry-after"] == "1"
    stuck.set()
    assert tight.post(f"/evaluate?as_of={AS_OF}", json={"case_id": "N-2"}).status_code == 200
