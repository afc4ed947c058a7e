"""A crash run: ``kill -9`` the fake while it waits for a receiver's answer, restart it on the same file, count.

``ccs-mock serve --db FILE`` (optionally ``--workers N``) places ``calls`` click2calls whose hangup POSTs go
to a local receiver that holds the first POST unanswered. Once that POST is in the receiver's hands the
server and all its processes are killed with SIGKILL, then started again on the same file. The run
waits (on the receiver, no sleeping) until every callback has arrived and the server reports none pending,
and returns what arrived: used by ``tests/reliability/test_delivery_crash.py`` and
``benchmarks/crash_delivery.py``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests

from mock_server.tools.receiver import Receiver
from tests.conftest import wait_until
from tests.served import Served

# short enough for a test: the crashed attempt's lease runs out about 6 s after it was claimed
ENV = {"CCS_MOCK_DELIVERY_TIMEOUT_SECONDS": "5", "CCS_MOCK_DELIVERY_LEASE_SECONDS": "6",
       "CCS_MOCK_DELIVERY_BACKOFF_SECONDS": "0.1"}


@dataclass
class CrashRun:
    label: str
    sent: int  # callbacks the fake had to send (rows in its outbox)
    received: int  # requests that reached the receiver, resends included
    unique: int  # distinct X-CCS-Mock-Delivery-Id among them
    lost: int  # callbacks that never reached the receiver
    crashed: str  # the delivery id that was in flight when the server was killed
    attempts: dict[str, list[int]]  # delivery id -> X-CCS-Mock-Attempt of each request, in order of arrival
    deliveries: list[dict]  # /_mock/deliveries after the restart

    @property
    def duplicates(self) -> int:
        return self.received - self.unique

    def line(self) -> str:
        return (f"{self.label}: sent {self.sent}, received {self.received}, unique ids {self.unique}, "
                f"duplicates {self.duplicates}, lost {self.lost}")


def _api(base: str, **params) -> dict:
    return requests.get(f"{base}/api/", params=params, timeout=10).json()


def crash_run(folder: Path, calls: int = 5, workers: int = 1, label: str | None = None) -> CrashRun:
    folder.mkdir(parents=True, exist_ok=True)
    args = ("--db", str(folder / "crash.sqlite3"), *(("--workers", str(workers)) if workers > 1 else ()))
    label = label or (f"{workers} worker processes" if workers > 1 else "single process")
    with Receiver() as receiver:
        release = receiver.hold_next(1)
        served = Served(*args, env=ENV)
        try:
            tenant = requests.get(f"{served.url}/_mock/tenants", timeout=10).json()["tenants"][0]
            session = _api(served.url, function="login", app_token=tenant["app_tokens"][0]["app_token"],
                           email=tenant["users"][0]["email"])["session"]
            for index in range(calls):  # one agent: each call ends (clock step) before the next is placed
                answer = _api(served.url, function="click2call", session=session, phonenumber="905550000001",
                              hangup_url=receiver.url(f"/hangup/{index}"))
                assert answer == {"success": True}, answer
                requests.post(f"{served.url}/_mock/clock", json={"advance_seconds": 600}, timeout=10)
            (held,) = receiver.wait_for(1, holding=True, timeout=30)
        finally:
            served.kill()  # mid-delivery: the first POST is in the receiver's hands, unanswered
        release.set()  # its answer now goes to a connection nobody reads
        restarted = Served(*args, env=ENV)
        try:
            def settled() -> list[dict]:
                ids = {r.headers["x-ccs-mock-delivery-id"] for r in receiver.requests}
                if len(ids) < calls:
                    return []
                found = requests.get(f"{restarted.url}/_mock/deliveries", timeout=10).json()["deliveries"]
                return found if all(d["status"] != "pending" for d in found) else []
            deliveries = wait_until(settled, timeout=90)
        finally:
            restarted.stop()
        arrived = sorted(receiver.requests, key=lambda r: r.at)
    attempts: dict[str, list[int]] = {}
    for request in arrived:
        attempts.setdefault(request.headers["x-ccs-mock-delivery-id"], []).append(
            int(request.headers["x-ccs-mock-attempt"]))
    sent = {d["delivery_id"] for d in deliveries}
    return CrashRun(label, len(sent), len(arrived), len(attempts), len(sent - set(attempts)),
                    held.headers["x-ccs-mock-delivery-id"], attempts, deliveries)
