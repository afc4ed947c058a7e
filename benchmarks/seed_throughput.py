"""Seeding throughput: call records generated into the store per second.

Target: at least 50,000 records/s. Measured in one run against a baseline (inserting
already-built rows, i.e. the store's own cost), so the ratio is meaningful on a noisy machine.

    python benchmarks/seed_throughput.py [--records 200000]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from mock_server.domain.ids import IdGenerator
from mock_server.seed import Fixtures, seed_store
from mock_server.store import Store
from mock_server.domain.clock import parse_datetime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    args = parser.parse_args()
    days = 10
    data = {"seed": 1, "tenants": [{"name": "bench", "domain": "alo-tech.com", "did": "908500000000",
                                    "users": [{"email": f"agent{i}@bench.example", "name": f"Agent {i}"}
                                              for i in range(50)],
                                    "queues": ["A", "B", "C"], "contacts": 100,
                                    "calls": {"days": days, "per_day": args.records // days}}]}
    fixtures = Fixtures(Path("bench.yaml"), data)
    end = parse_datetime("2026-01-05 09:00:00")

    store = Store(":memory:")
    started = time.perf_counter()
    seed_store(store, fixtures, IdGenerator(1, store.allocate), end)
    generate = time.perf_counter() - started
    total = store.count_cdrs()

    rows = store.all_cdr_rows()
    baseline_store = Store(":memory:")
    started = time.perf_counter()
    baseline_store.insert_cdrs(rows)
    insert_only = time.perf_counter() - started

    rate = total / generate
    print(f"records:                {total}")
    print(f"generate + insert:      {generate:.2f} s  -> {rate:,.0f} records/s (target >= 50,000: "
          f"{'met' if rate >= 50_000 else 'NOT met'})")
    print(f"insert only (baseline): {insert_only:.2f} s  -> {total / insert_only:,.0f} records/s")
    print(f"ratio generate/insert-only time: {generate / insert_only:.2f}x")


if __name__ == "__main__":
    main()
