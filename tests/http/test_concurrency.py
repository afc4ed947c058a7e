"""Concurrent click2calls from many threads for many agents: no duplicate keys, no lost CDRs."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import yaml

from mock_server import create_app
from mock_server.runtime.server import LiveServer

AGENTS, CALLS_EACH = 24, 6


def test_concurrent_calls_lose_nothing_and_share_no_key(tmp_path: Path) -> None:
    fixture = tmp_path / "many.yaml"
    fixture.write_text(yaml.safe_dump({"seed": 5, "clock": {"start": "2026-01-05 09:00:00"}, "tenants": [{
        "name": "busy", "domain": "alo-tech.com", "did": "908500000009", "queues": ["Q"],
        "users": [{"email": f"agent{i}@busy.example", "name": f"Agent {i}"} for i in range(AGENTS)]}]}))
    app = create_app(fixtures=str(fixture))
    ccs = app.extensions["ccs"]
    token = ccs.store.list_app_tokens("busy.alo-tech.com")[0]["token"]
    with LiveServer(app) as server:
        http = requests.Session()

        def api(**params):
            return http.get(f"{server.url}/api/", params=params, timeout=30).json()

        def agent_work(index: int) -> list[dict]:
            session = requests.get(f"{server.url}/api/", params={"function": "login", "app_token": token,
                                   "email": f"agent{index}@busy.example"}, timeout=30).json()["session"]
            answers = []
            for n in range(CALLS_EACH):
                answers.append(requests.get(f"{server.url}/api/", timeout=30, params={
                    "function": "click2call", "session": session, "phonenumber": "905550000001",
                    "transactionid": f"a{index}-c{n}", "hangup_url": "http://127.0.0.1:9/hook"}).json())
                answers.append(requests.get(f"{server.url}/api/", timeout=30, params={
                    "function": "click2hang", "session": session}).json())
            return answers

        def clock_work() -> None:
            for _ in range(30):
                requests.post(f"{server.url}/_mock/clock", json={"advance_seconds": 1}, timeout=30)

        with ThreadPoolExecutor(max_workers=AGENTS + 1) as pool:
            clock = pool.submit(clock_work)
            results = [answer for future in [pool.submit(agent_work, i) for i in range(AGENTS)]
                       for answer in future.result()]
            clock.result()
        assert results == [{"success": True}] * (2 * AGENTS * CALLS_EACH)
        page_keys, cursor = [], None
        while True:
            params = {"function": "reportsCDRLogs", "app_token": token, "startdate": "2026-01-05 00:00:00",
                      "finishdate": "2026-01-06 00:00:00", **({"cursor": cursor} if cursor else {})}
            page = api(**params)
            page_keys += [(r["activecallkey"], r["callkey"], r["callid"], r["uniqueid"]) for r in page["CallList"]]
            cursor = page["cursor"]
            if len(page["CallList"]) < 100:
                break
    total = AGENTS * CALLS_EACH
    assert len(page_keys) == total
    for column in range(4):
        assert len({keys[column] for keys in page_keys}) == total
    assert {keys[3] for keys in page_keys} == {f"a{i}-c{n}" for i in range(AGENTS) for n in range(CALLS_EACH)}
    outbox = ccs.backend.deliveries(None, 10_000)
    assert len({d["delivery_id"] for d in outbox}) == len(outbox) == total
