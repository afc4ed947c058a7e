"""Hangup POST delivery: throughput and latency from the clock reaching hangup to the POST arriving.

The fake runs as ``ccs-mock serve`` runs it (a live loopback server with its delivery worker);
100 agents each place a call that ends 1 s after it is answered, 100 rounds (10,000 POSTs).
Each round advances the clock through POST /_mock/clock; a POST's latency is its arrival time
minus the moment that request was sent. Baseline, same run: the same number of form POSTs
sent to the same receiver by a plain ``requests`` loop.

    python benchmarks/delivery_throughput.py [--agents 100] [--rounds 100]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import requests
import yaml

from mock_server import create_app
from mock_server.tools.receiver import Receiver
from mock_server.runtime.server import LiveServer

DROPPED_AFTER_1S = "905550010001"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    total = args.agents * args.rounds
    fixture = Path(tempfile.mkdtemp()) / "bench.yaml"
    fixture.write_text(yaml.safe_dump({"seed": 1, "tenants": [{
        "name": "bench", "domain": "alo-tech.com", "did": "908500000000", "queues": ["Q"],
        "users": [{"email": f"agent{i}@bench.example", "name": f"Agent {i}"} for i in range(args.agents)]}]}))
    app = create_app(fixtures=str(fixture))
    token = app.extensions["ccs"].store.list_app_tokens("bench.alo-tech.com")[0]["token"]
    latencies: list[float] = []
    with Receiver() as receiver, LiveServer(app) as server:
        http = requests.Session()
        api = lambda **p: http.get(f"{server.url}/api/", params=p, timeout=30).json()  # noqa: E731
        sessions = [api(function="login", app_token=token, email=f"agent{i}@bench.example")["session"]
                    for i in range(args.agents)]
        delivering = 0.0
        for round_ in range(args.rounds):
            for session in sessions:
                assert api(function="click2call", session=session, phonenumber=DROPPED_AFTER_1S,
                           hangup_url=receiver.url())["success"]
            before = len(receiver.requests)
            sent = time.perf_counter()
            http.post(f"{server.url}/_mock/clock", json={"advance_seconds": 10}, timeout=30)
            arrived = receiver.wait_for(before + args.agents, timeout=60)[before:]
            latencies += [r.at - sent for r in arrived]
            delivering += max(r.at for r in arrived) - sent
        assert len(receiver.requests) == total

        body = receiver.requests[0].body
        started = time.perf_counter()
        for _ in range(total):
            http.post(receiver.url(), data=body, headers={"Content-Type": "application/x-www-form-urlencoded"},
                      timeout=30)
        baseline = time.perf_counter() - started

    latencies.sort()
    fake_rate, raw_rate = total / delivering, total / baseline
    print(f"hangup POSTs delivered:        {total}")
    print(f"fake (clock -> POST arrived):  {fake_rate:,.0f} POSTs/s while delivering")
    print(f"baseline (plain requests loop): {raw_rate:,.0f} POSTs/s")
    print(f"ratio fake/baseline:           {fake_rate / raw_rate:.2f}")
    print(f"latency clock->arrival: median {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
