"""32 threads of mixed load on a served fake with a file database, then exact accounting.

Each thread is an integrator's worker on one of the demo's seven agents (two tenants, so agents are
shared and some click2calls meet a busy agent): it logs in, pings, places a call with a hangup_url on
a local receiver, reads its active call, pages the CDR report, sometimes hangs up, and reads the
control API; one thread also moves the clock. Afterwards the clock runs every call out and the books
must balance exactly: one call record, one delivered hangup POST (one delivery id, one call_id) and
one journal entry per click2call that answered success, and no active call left.
"""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from mock_server.tools.receiver import Receiver
from tests.conftest import wait_until
from tests.served import Served

THREADS, ROUNDS = 32, 6


def test_mixed_load_balances_exactly(tmp_path: Path) -> None:
    served = Served("--db", str(tmp_path / "load.sqlite3"))
    try:
        with Receiver() as receiver:
            run_and_account(served.url, receiver)
    finally:
        served.stop()


def run_and_account(url: str, receiver: Receiver) -> None:
    tenants = requests.get(url + "/_mock/tenants", timeout=10).json()["tenants"]
    agents = [(t["host"], t["app_tokens"][0]["app_token"], user["email"]) for t in tenants for user in t["users"]]
    start = requests.get(url + "/_mock/clock", timeout=10).json()["now"]
    placed: Counter = Counter()  # tenant -> click2calls that answered success
    lock = threading.Lock()

    def worker(index: int) -> None:
        host, token, email = agents[index % len(agents)]
        http = requests.Session()
        http.headers["Host"] = host

        def api(**params) -> dict:
            response = http.get(url + "/api/", params=params, timeout=30)
            assert response.status_code == 200, response.text
            return response.json()

        for round_ in range(ROUNDS):
            login = api(function="login", app_token=token, email=email)
            assert login["login"] is True, login
            session = login["session"]
            assert api(function="ping", app_token=token)["success"] is True
            answer = api(function="click2call", session=session, phonenumber="905321234567",
                         transactionid=f"t{index}-r{round_}", hangup_url=receiver.url(f"/hook/{index}/{round_}"))
            if answer.get("success") is True:
                with lock:
                    placed[host] += 1
            else:
                assert answer["message"] == "Agent already has an active call", answer
            api(function="getactivecall", session=session)
            api(function="reportsCDRLogs", app_token=token, startdate=start[:10] + " 00:00:00",
                finishdate="2099-01-01 00:00:00")
            if (index + round_) % 3 == 0:
                api(function="click2hang", session=session)
            for path in ("/_mock/calls", "/_mock/deliveries?limit=5", "/_mock/journal?limit=5"):
                assert requests.get(url + path, timeout=30).status_code == 200
            if index == 0:
                moved = requests.post(url + "/_mock/clock", json={"advance_seconds": 20}, timeout=30)
                assert moved.status_code == 200, moved.text

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))

    requests.post(url + "/_mock/clock", json={"advance_seconds": 6 * 3600}, timeout=30).raise_for_status()
    total = sum(placed.values())
    assert total > 0
    received = receiver.wait_for(total, timeout=60)
    settled = wait_until(lambda: deliveries_settled(url, total), timeout=60)

    assert requests.get(url + "/_mock/calls", params={"tenant": agents[0][0]}, timeout=10).json()["calls"] == []
    ids = Counter(r.headers["x-ccs-mock-delivery-id"] for r in received)
    call_ids = Counter(r.form["call_id"] for r in received)
    assert len(received) == total and len(ids) == total and len(call_ids) == total, (len(received), ids, call_ids)
    assert {d["status"] for d in settled} == {"delivered"}
    assert {d["delivery_id"] for d in settled} == set(ids)
    for host, token, _ in {(a[0], a[1], "") for a in agents}:
        records = walk_cdr(url, host, token, start)
        click2calls = [r for r in records if str(r.get("click2call")).lower() in ("true", "1")]
        assert len(click2calls) == placed[host], (host, len(click2calls), placed[host])
    journal = requests.get(url + "/_mock/journal", params={"function": "click2call", "limit": 10_000},
                           timeout=30).json()["requests"]
    assert sum(1 for entry in journal if entry["outcome"] == "ok") == total


def deliveries_settled(url: str, total: int) -> list[dict] | None:
    deliveries = requests.get(url + "/_mock/deliveries", params={"limit": 10_000}, timeout=30).json()["deliveries"]
    hangups = [d for d in deliveries if d["kind"] == "hangup"]
    return hangups if len(hangups) == total and all(d["status"] != "pending" for d in hangups) else None


def walk_cdr(url: str, host: str, token: str, start: str) -> list[dict]:
    """Every call record from ``start`` on, following the cursor to the end."""
    records, cursor = [], None
    while True:
        params = {"function": "reportsCDRLogs", "app_token": token, "startdate": start,
                  "finishdate": "2099-01-01 00:00:00", **({"cursor": cursor} if cursor else {})}
        body = requests.get(url + "/api/", params=params, headers={"Host": host}, timeout=30).json()
        records.extend(body["CallList"])
        cursor = body.get("cursor")
        if len(body["CallList"]) < 100 or not cursor:
            return records
