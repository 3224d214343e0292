"""Load over HTTP: ``riskreview serve`` under concurrent clients, beside in-process
``evaluate`` measured in the same run.

Run: python benchmarks/serve_load.py [--clients 4] [--seconds 10] [--cases 500]
                                     [--threads 4] [--max-requests 50000]

Writes a synthetic caseload as JSON, then:

1. **in process**: ``riskreview.evaluate(case_json, as_of).to_json()`` on the cases
   in turn, one thread, for ``--seconds`` (the work the server does per request:
   parse, validate, decide, write the decision);
2. **over HTTP**: starts ``riskreview serve --port 0`` as its own process (on a free
   loopback port) and has ``--clients`` threads, each with a keep-alive connection,
   POST the same cases to ``/evaluate`` for ``--seconds`` (at most
   ``--max-requests`` requests in all), timing each request;
3. checks that the server's answer is byte for byte the in-process decision for
   the first 50 cases (exits 1 if not, or if any request failed);
4. the in-process pass again, so a machine that grew busier shows as a drift.

Prints requests per second and p50/p99 latency of each. Clients and server share
the machine's cores: on a small machine the clients' own HTTP work is part of
the figure. Writes benchmarks/results/serve_load.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from _results import RESULTS, save

import riskreview
from riskreview.pack import default_pack
from riskreview.synthetic import generate

AS_OF = date(2026, 11, 23)


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "p50": round(statistics.median(ms), 3),
        "p99": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 3),
        "max": round(ms[-1], 3),
    }


def in_process(bodies: list[bytes], seconds: float, limit: int) -> dict[str, Any]:
    """Evaluate the cases in turn in this process for ``seconds``."""
    pack = default_pack()
    for body in bodies[:20]:  # warm: every period compiled, the calendar filled
        riskreview.evaluate(body, AS_OF, pack).to_json()
    times: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds and len(times) < limit:
        body = bodies[len(times) % len(bodies)]
        begin = time.perf_counter()
        riskreview.evaluate(body, AS_OF, pack).to_json()
        times.append(time.perf_counter() - begin)
    elapsed = time.perf_counter() - started
    return {"requests": len(times), "per_s": round(len(times) / elapsed, 1),
            "latency_ms": _percentiles(times)}  # fmt: skip


def start_server(threads: int) -> tuple[subprocess.Popen[str], str]:
    """``riskreview serve`` on a free loopback port, and its URL."""
    command = [str(Path(sys.executable).with_name("riskreview")), "serve", "--port", "0",
               "--threads", str(threads), "--timeout", "60"]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    for line in server.stderr:
        found = re.search(r"running on (http://\S+)", line)
        if found:
            threading.Thread(target=server.stderr.read, daemon=True).start()
            return server, found.group(1)
    server.wait()
    raise SystemExit(f"riskreview serve did not start (exit {server.returncode})")


def over_http(
    base: str, bodies: list[bytes], clients: int, seconds: float, limit: int
) -> dict[str, Any]:
    """``clients`` threads POSTing the cases for ``seconds``; every request timed."""
    times: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    count = 0
    lock = threading.Lock()
    headers = {"Content-Type": "application/json"}
    url = f"/evaluate?as_of={AS_OF.isoformat()}"

    def client(number: int) -> None:
        nonlocal count
        with httpx.Client(base_url=base, timeout=60) as http:
            for body in bodies[:5]:  # warm the connection
                http.post(url, content=body, headers=headers)
            ready.wait()
            index = number
            while time.perf_counter() - started < seconds:
                with lock:
                    if count >= limit:
                        return
                    count += 1
                begin = time.perf_counter()
                answer = http.post(url, content=bodies[index % len(bodies)], headers=headers)
                times[number].append(time.perf_counter() - begin)
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                index += clients

    ready = threading.Event()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for worker in workers:
        worker.start()
    time.sleep(1.0)  # every client connected and warm
    started = time.perf_counter()
    ready.set()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    every = [t for per_client in times for t in per_client]
    return {"requests": len(every), "per_s": round(len(every) / elapsed, 1),
            "latency_ms": _percentiles(every), "failures": len(failures),
            "first_failure": failures[0] if failures else None}  # fmt: skip


def same_bytes(base: str, bodies: list[bytes]) -> bool:
    """The server's answers are the in-process decisions, byte for byte."""
    pack = default_pack()
    with httpx.Client(base_url=base, timeout=60) as http:
        for body in bodies[:50]:
            answer = http.post(f"/evaluate?as_of={AS_OF.isoformat()}", content=body,
                               headers={"Content-Type": "application/json"})  # fmt: skip
            if answer.content != (riskreview.evaluate(body, AS_OF, pack).to_json() + "\n").encode():
                return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds a pass (10)")
    parser.add_argument("--cases", type=int, default=500, help="distinct cases (500)")
    parser.add_argument("--threads", type=int, default=4, help="server threads (4)")
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap a pass (50000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--out", type=Path, default=RESULTS / "serve_load.json")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 300 or args.cases < 50:
        parser.error("--clients 1 to 64, --seconds above 0 up to 300, --cases at least 50")
    bodies = [json.dumps(c).encode() for c in generate(args.cases, args.seed, as_of=AS_OF)]
    before = in_process(bodies, args.seconds, args.max_requests)
    server, base = start_server(args.threads)
    try:
        http = over_http(base, bodies, args.clients, args.seconds, args.max_requests)
        identical = same_bytes(base, bodies)
    finally:
        server.terminate()
        server.wait(30)
    after = in_process(bodies, args.seconds, args.max_requests)
    figures = {
        "cases": args.cases, "seed": args.seed, "clients": args.clients,
        "server_threads": args.threads, "seconds_per_pass": args.seconds,
        "in_process": before, "over_http": http, "in_process_again": after,
        "http_to_in_process": round(http["per_s"] / before["per_s"], 3),
        "same_bytes": identical,
        "python": platform.python_version(), "machine": platform.machine(),
    }  # fmt: skip
    print(f"{args.cases} synthetic cases (seed {args.seed}), as_of {AS_OF}, "
          f"{args.seconds:g} s a pass")  # fmt: skip
    for label, f in (("in process (before)", before), (f"HTTP, {args.clients} clients", http),
                     ("in process (after)", after)):  # fmt: skip
        lat = f["latency_ms"]
        print(f"  {label:<22} {f['per_s']:8,.1f} /s  p50 {lat['p50']:7.2f} ms  "
              f"p99 {lat['p99']:7.2f} ms  ({f['requests']:,} requests)")  # fmt: skip
    same = "yes" if identical else "NO"
    print(f"  HTTP / in process: {figures['http_to_in_process']:.2f}; failed requests: "
          f"{http['failures']}; answers byte-identical: {same}")  # fmt: skip
    print(f"\nwritten: {save(figures, args.out)}")
    return 0 if identical and not http["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
