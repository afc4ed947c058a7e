"""Seeding throughput: call records generated into the store per second.

Target: at least 50,000 records/s. One run measures, on the same fixtures:
- the default (record building spread over worker processes on a multi-core machine),
- the same work in one process (baseline for the parallel speed-up),
- inserting the already-built rows only (the store's own cost, the floor).

    python benchmarks/seed_throughput.py [--records 200000]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from mock_server.domain.clock import parse_datetime
from mock_server.domain.ids import IdGenerator
from mock_server.seed import Fixtures, seed_store
from mock_server.storage.store import Store

END = parse_datetime("2026-01-05 09:00:00")


def fixtures(records: int) -> Fixtures:
    days = 10
    return Fixtures(Path("bench.yaml"), {"seed": 1, "tenants": [{
        "name": "bench", "domain": "alo-tech.com", "did": "908500000000",
        "users": [{"email": f"agent{i}@bench.example", "name": f"Agent {i}"} for i in range(50)],
        "queues": ["A", "B", "C"], "contacts": 100, "calls": {"days": days, "per_day": records // days}}]})


def seed(records: int, workers: int | None) -> tuple[float, Store]:
    store = Store(":memory:")
    started = time.perf_counter()
    seed_store(store, fixtures(records), IdGenerator(1, store.allocate), END, workers=workers)
    return time.perf_counter() - started, store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    args = parser.parse_args()

    default_time, store = seed(args.records, None)
    serial_time, serial_store = seed(args.records, 1)
    total = store.count_cdrs()
    assert store.dump() == serial_store.dump(), "parallel and serial seeding must give the same data"
    rows = store.all_cdrs()
    floor = Store(":memory:")
    started = time.perf_counter()
    with floor.bulk_load():
        floor.insert_cdrs(rows)
    insert_time = time.perf_counter() - started

    rate = total / default_time
    print(f"records:                     {total}")
    print(f"default (workers as needed): {default_time:.2f} s -> {rate:,.0f} records/s "
          f"(target >= 50,000: {'met' if rate >= 50_000 else 'NOT met'})")
    print(f"one process (baseline):      {serial_time:.2f} s -> {total / serial_time:,.0f} records/s")
    print(f"insert only (floor):         {insert_time:.2f} s -> {total / insert_time:,.0f} records/s")
    print(f"speed-up default/one process: {serial_time / default_time:.2f}x; "
          f"default/insert-only time: {default_time / insert_time:.2f}x")


if __name__ == "__main__":
    main()
