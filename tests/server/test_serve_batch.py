"""``POST /batch``: JSON Lines in, one line per case out, streamed, as ``riskreview batch``."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
from click.testing import CliRunner
from server_support import AS_OF, DEMO_CASE, Raw, chunk

from riskreview.cli import cli

NDJSON = {"Content-Type": "application/x-ndjson"}
LINES = [
    json.dumps(DEMO_CASE),
    "{not json",
    "",
    json.dumps({"case_id": "BAD-2", "mappa": {"level": 9}}),
    json.dumps({"case_id": "FINE-3", "household": {"children_in_contact": True}}),
]


def _split(text: bytes) -> tuple[list[str], list[dict[str, object]]]:
    decisions, errors = [], []
    for line in text.decode().splitlines():
        record = json.loads(line)
        if "error" in record:
            errors.append(record)
        else:
            decisions.append(line)
    return decisions, errors


def test_batch_writes_what_riskreview_batch_writes_one_line_per_case(
    client: httpx.Client, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out, err = tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    args = ["batch", str(cases), "-o", str(out), "--errors", str(err), "--workers", "0"]
    result = CliRunner().invoke(cli, [*args, "--as-of", AS_OF])
    assert result.exit_code == 1, result.stderr  # two lines not decided

    def sent() -> Iterator[bytes]:  # chunked, a line at a time, as a stream arrives
        for line in LINES:
            yield (line + "\n").encode()

    answer = client.post(f"/batch?as_of={AS_OF}", content=sent(), headers=NDJSON)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    decisions, errors = _split(answer.content)
    assert decisions == out.read_text().splitlines()
    assert errors == [json.loads(line) for line in err.read_text().splitlines()]
    assert [e["line"] for e in errors] == [2, 4]
    assert errors[1]["case_id"] == "BAD-2" and "$.mappa.level" in str(errors[1]["error"])
    # in input order: decision, error, error, decision
    order = [json.loads(line).get("case_id") for line in answer.content.decode().splitlines()]
    assert order == ["DEMO-1", None, "BAD-2", "FINE-3"]


def test_batch_answers_each_case_before_the_next_is_sent(base: str) -> None:
    with Raw(base) as raw:
        headers = {"Content-Type": "application/x-ndjson", "Transfer-Encoding": "chunked"}
        raw.head("POST", f"/batch?as_of={AS_OF}", headers)
        raw.send(chunk(json.dumps({"case_id": "FIRST"}).encode() + b"\n"))
        first = raw.until(b'"case_id":"FIRST"')  # the answer streams while the body is open
        raw.send(chunk(json.dumps({"case_id": "SECOND"}).encode() + b"\n") + b"0\r\n\r\n")
        second = raw.until(b'"case_id":"SECOND"')
    assert b" 200 " in first.split(b"\r\n")[0]
    assert b"SECOND" not in first and b"FIRST" in second


def test_batch_reports_a_line_over_the_limit_and_goes_on(tight: httpx.Client) -> None:
    big = json.dumps({"case_id": "HUGE", "pad": "x" * 10_000})
    text = f'{{"case_id": "A"}}\n{big}\n{{"case_id": "B"}}\n'
    answer = tight.post(f"/batch?as_of={AS_OF}", content=text.encode(), headers=NDJSON)
    assert answer.status_code == 200
    records = [json.loads(line) for line in answer.content.decode().splitlines()]
    assert [r["case_id"] for r in records] == ["A", None, "B"]
    assert records[1]["status"] == "too_large" and records[1]["line"] == 2
    assert "4,096 bytes" in records[1]["error"]


def test_batch_refuses_cases_past_the_most_one_batch_holds(tight: httpx.Client) -> None:
    text = "".join(json.dumps({"case_id": f"C{i}"}) + "\n" for i in range(5))
    answer = tight.post(f"/batch?as_of={AS_OF}", content=text.encode(), headers=NDJSON)
    records = [json.loads(line) for line in answer.content.decode().splitlines()]
    assert [r["case_id"] for r in records[:3]] == ["C0", "C1", "C2"]
    assert "actions" in records[2]
    assert records[3]["status"] == "refused" and records[3]["line"] == 4
    assert "at most 3 cases" in records[3]["error"] and len(records) == 4


def test_an_empty_batch_answers_nothing(client: httpx.Client) -> None:
    answer = client.post(f"/batch?as_of={AS_OF}", content=b"\n\n", headers=NDJSON)
    assert answer.status_code == 200 and answer.content == b""


def test_batch_refusals_come_before_any_line(client: httpx.Client) -> None:
    wrong_type = client.post("/batch", content=b"{}", headers={"Content-Type": "text/csv"})
    assert wrong_type.status_code == 415
    assert wrong_type.json()["errors"] == [
        "send the cases as JSON Lines with Content-Type: application/x-ndjson, got 'text/csv'"
    ]
    early = client.post("/batch?as_of=1990-01-01", content=b"{}", headers=NDJSON)
    assert early.status_code == 422 and early.json()["kind"] == "policy_not_in_force"
    bad_day = client.post("/batch?as_of=tomorrow", content=b"{}", headers=NDJSON)
    assert bad_day.status_code == 400


def test_a_batch_larger_than_it_could_ever_be_is_413_before_it_is_sent(tight_base: str) -> None:
    with Raw(tight_base) as raw:
        headers = {"Content-Type": "application/x-ndjson", "Content-Length": str(10**12)}
        raw.head("POST", "/batch", headers)
        status, _, text = raw.response()
    assert status == 413 and json.loads(text)["kind"] == "too_large"


def test_a_case_not_decided_in_time_is_a_timeout_line_and_the_batch_goes_on(
    tight: httpx.Client, stuck: threading.Event
) -> None:
    text = "".join(json.dumps({"case_id": c}) + "\n" for c in ("BEFORE", "STUCK-1", "AFTER"))
    answer = tight.post(f"/batch?as_of={AS_OF}", content=text.encode(), headers=NDJSON)
    stuck.set()
    records = [json.loads(line) for line in answer.content.decode().splitlines()]
    assert [r["case_id"] for r in records] == ["BEFORE", "STUCK-1", "AFTER"]
    assert records[1] == {
        "line": 2, "case_id": "STUCK-1", "status": "timeout", "error": "no answer within 2 s"
    }  # fmt: skip
    assert "actions" in records[0] and "actions" in records[2]


def test_a_client_that_stops_sending_gets_a_timeout_line_ending_the_batch(
    tight_base: str,
) -> None:
    with Raw(tight_base) as raw:
        headers = {"Content-Type": "application/x-ndjson", "Transfer-Encoding": "chunked"}
        raw.head("POST", f"/batch?as_of={AS_OF}", headers)
        raw.send(chunk(json.dumps({"case_id": "ONLY"}).encode() + b"\n"))
        # and nothing more: the server waits 2 s for the next line, then ends the answer
        answer = raw.until(b"0\r\n\r\n")
    records = [json.loads(part) for part in re.findall(rb"\{.*\}", answer)]
    assert [r["case_id"] for r in records] == ["ONLY", None]
    assert records[1]["status"] == "timeout" and records[1]["line"] == 2
    assert records[1]["error"] == "no line arrived within 2 s; the batch ends here"
