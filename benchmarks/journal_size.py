"""The journal with the default cap (journal_max_rows = 10,000) beside no cap (0), in one run.

For each setting: a fake on a database FILE (create_app, as `serve` builds it), then ENTRIES journal
entries appended the way the app does, through ``Store.append_journal`` with the masked parameters of a
realistic mix of vendor requests (login, reportsCDRLogs with cursors, click2call, getactivecall, ping)
and ``keep=settings.journal_max_rows``. The app commits one entry per request; here 1,000 entries share
a transaction so a million appends take seconds instead of a million fsyncs (size and read time do not
depend on it). Then: rows kept, the file's size, ``list_journal(limit=10000, function="login")`` and
``GET /_mock/journal?limit=10000&function=login`` through a live server (median of REPEAT reads each),
and the cost of one append in its own transaction, as a request pays it (500 more each, taking turns,
before the reads: the no-cap file then holds ENTRIES + 500 rows).

    python benchmarks/journal_size.py [--entries 1000000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import requests

from mock_server import create_app
from mock_server.masking import mask
from mock_server.runtime.server import LiveServer
from mock_server.settings import Settings
from mock_server.storage.records import JournalEntry

BATCH = 1_000
EMAILS = ("ayse.yilmaz@demo.example", "mehmet.kaya@demo.example", "zeynep.demir@demo.example",
          "can.ozturk@demo.example")
TENANT = "demo.callcenterstudio.com"


def request_params(rng: random.Random, n: int) -> tuple[str, dict[str, str], str]:
    """(function, masked params, outcome) of one plausible vendor request."""
    token, session = mask(f"app-token-{n % 3}"), mask(f"session-{n % 40}")
    pick = rng.random()
    if pick < 0.3:
        return "login", {"function": "login", "app_token": token, "email": rng.choice(EMAILS)}, "ok"
    if pick < 0.7:
        params = {"function": "reportsCDRLogs", "app_token": token, "startdate": "2026-01-01 00:00:00",
                  "finishdate": "2026-01-05 23:59:59"}
        if rng.random() < 0.7:
            params["cursor"] = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                                       for _ in range(140))
        return "reportsCDRLogs", params, "ok"
    if pick < 0.85:
        return "click2call", {"function": "click2call", "session": session, "phonenumber": f"90532{n % 10**7:07d}",
                              "transactionid": f"crm-{n}", "hangup_url": "http://127.0.0.1:9000/hangup"}, "ok"
    if pick < 0.95:
        return "getactivecall", {"function": "getactivecall", "session": session}, "ok"
    return "ping", {"function": "ping", "app_token": token}, "ok"


def file_bytes(path: Path) -> int:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(os.path.getsize(f) for f in (path, Path(f"{path}-wal")) if f.exists())


def rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM journal").fetchone()[0]


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


class Fake:
    """A fake on its own database file, its journal filled with ``entries`` requests."""

    def __init__(self, folder: Path, cap: int, entries: int):
        self.path = folder / f"journal-cap-{cap}.sqlite3"
        self.app = create_app(db=str(self.path), journal_max_rows=cap)
        self.ccs = self.app.extensions["ccs"]
        self.store, self.keep = self.ccs.store, self.ccs.settings.journal_max_rows
        self.seeded = file_bytes(self.path)
        rng = random.Random(7)
        began = time.perf_counter()
        for start in range(0, entries, BATCH):
            with self.store.transaction():
                for n in range(start, min(start + BATCH, entries)):
                    self.append(*request_params(rng, n))
        self.results = {"fill": time.perf_counter() - began}

    def append(self, function: str, params: dict[str, str], outcome: str) -> None:
        self.store.append_journal(JournalEntry("2026-01-05 09:00:00", TENANT, "GET", "/api/", function, params, 200,
                                               outcome), keep=self.keep)

    def measure(self, repeat: int) -> dict[str, float]:
        self.results["read"] = median_seconds(lambda: self.store.list_journal(10_000, "login"), repeat)
        self.results["returned"] = len(self.store.list_journal(10_000, "login"))
        with LiveServer(self.app) as server, requests.Session() as http:
            url = server.url + "/_mock/journal?limit=10000&function=login"
            http.get(url, timeout=120).raise_for_status()
            self.results["http"] = median_seconds(lambda: http.get(url, timeout=120).raise_for_status(), repeat)
        self.store.close()
        self.ccs.pristine.close()
        self.results["size"] = file_bytes(self.path)
        self.results["journal"] = self.results["size"] - self.seeded
        self.results["rows"] = rows(self.path)
        return self.results


def append_costs(fakes: list[Fake], count: int = 500) -> None:
    """One append in its own transaction (a request's commit), taking turns so both see the same disk."""
    rng, times = random.Random(11), [[] for _ in fakes]
    for n in range(count):
        params = request_params(rng, n)
        for fake, spent in zip(fakes, times):
            began = time.perf_counter()
            fake.append(*params)
            spent.append(time.perf_counter() - began)
    for fake, spent in zip(fakes, times):
        fake.results["append"] = statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    default_cap = Settings().journal_max_rows
    with tempfile.TemporaryDirectory() as folder:
        fakes = [Fake(Path(folder), cap, args.entries) for cap in (default_cap, 0)]
        append_costs(fakes)
        capped, unlimited = (fake.measure(args.repeat) for fake in fakes)
    print(f"{args.entries:,} journal entries appended through Store.append_journal into a database file "
          f"(reads: median of {args.repeat})")
    print(f"{'':44} {'cap ' + format(default_cap, ','):>16} {'no cap (0)':>16} {'ratio':>8}")
    lines = (("rows kept", "rows", lambda v: f"{v:,.0f}"),
             ("database file size", "size", lambda v: f"{v / 1e6:,.1f} MB"),
             ("  of which the journal (growth after seeding)", "journal", lambda v: f"{v / 1e6:,.1f} MB"),
             ("login entries a read returns", "returned", lambda v: f"{v:,.0f}"),
             ('list_journal(limit=10000, function="login")', "read", lambda v: f"{v * 1000:,.1f} ms"),
             ("GET /_mock/journal?limit=10000&function=login", "http", lambda v: f"{v * 1000:,.1f} ms"),
             ("one append in its own transaction (median)", "append", lambda v: f"{v * 1e6:,.0f} us"),
             (f"filling ({BATCH:,} appends a transaction)", "fill", lambda v: f"{v:,.1f} s"))
    for label, key, show in lines:
        ratio = capped[key] / unlimited[key] if unlimited[key] else float("nan")
        print(f"{label:44} {show(capped[key]):>16} {show(unlimited[key]):>16} {ratio:>7.3f}x")


if __name__ == "__main__":
    main()
