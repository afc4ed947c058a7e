"""Shared-sandbox serving: requests per second of ``serve --workers N`` against the single-process server.

Both are started as ``ccs-mock serve`` subprocesses on their own copy of the demo database file, in
the same run, and driven by the same client load: C client threads, each request on a new
connection (as most CRM HTTP clients do), a mix of reportsCDRLogs pages of 100 records and logins.

    python benchmarks/workers_throughput.py [--workers 3] [--clients 16] [--requests 3000]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.served import Served  # noqa: E402


def load(url: str, clients: int, total: int) -> float:
    tenant = requests.get(url + "/_mock/tenants", timeout=10).json()["tenants"][0]
    token, email = tenant["app_tokens"][0]["app_token"], tenant["users"][0]["email"]
    report = {"function": "reportsCDRLogs", "app_token": token, "startdate": "2026-01-01 00:00:00",
              "finishdate": "2026-01-05 23:59:59"}
    login = {"function": "login", "app_token": token, "email": email}

    def one(i: int) -> int:
        answer = requests.get(url + "/api/", params=login if i % 10 < 3 else report, timeout=60)
        assert answer.status_code == 200
        return len(answer.content)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(clients * 4)))  # warm-up
        began = time.perf_counter()
        list(pool.map(one, range(total)))
        return total / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    rates = {}
    for label, extra in (("single process", []), (f"{args.workers} workers", ["--workers", str(args.workers)])):
        served = Served("--db", str(folder / f"{len(rates)}.sqlite3"), *extra)
        try:
            rates[label] = load(served.url, args.clients, args.requests)
        finally:
            served.stop()
    base = rates["single process"]
    for label, rate in rates.items():
        print(f"{label:16} {rate:7.0f} requests/s  ({rate / base:.2f}x the single-process server)")
    print(f"({args.requests} requests from {args.clients} client threads, 70% reportsCDRLogs pages of 100, 30% logins)")


if __name__ == "__main__":
    main()
