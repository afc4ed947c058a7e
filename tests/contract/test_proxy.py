"""`ccs-mock proxy`: forwards to a tenant, logs drift from the spec, records exchanges that `serve --replay` answers."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.contract.mutants import BY_NAME
from tests.served import Served

EMAIL = "ayse.yilmaz@demo.example"
pytestmark = pytest.mark.slow


class Proxy(Served):
    """`ccs-mock proxy` in a subprocess, with its drift log."""

    def __init__(self, upstream: str, folder: Path, record: bool = False):
        self.log = folder / "drift.jsonl"
        super().__init__("--upstream", upstream, "--log", str(self.log),
                         *(["--record", str(folder / "recorded")] if record else []), command="proxy")

    def drifts(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []


def crm_session(base: str, token: str) -> str:
    """What a CRM does: log in, use the session, read call records."""
    session = requests.get(base + "/api/", params={"function": "login", "app_token": token, "email": EMAIL},
                           timeout=30).json().get("session") or "missing"
    requests.get(base + "/api/", params={"function": "getactivecall", "session": session}, timeout=30)
    requests.get(base + "/api/", params={"function": "reportsCDRLogs", "app_token": token,
                                         "startdate": "2026-01-05 00:00:00", "finishdate": "2026-01-05 08:00:00"},
                 timeout=30)
    return session


@pytest.fixture
def upstream(served_fake):
    """The session's served fake, and its app token."""
    return served_fake, served_fake.app_token


def test_proxy_forwards_and_logs_no_drift_for_a_faithful_tenant(upstream, tmp_path) -> None:
    served, token = upstream
    proxy = Proxy(served.url, tmp_path)
    try:
        crm_session(proxy.url, token)
        bad = requests.get(proxy.url + "/api/", params={"function": "reportsCDRLogs", "app_token": token,
                                                        "startdate": "yesterday"}, timeout=30).json()
        assert bad["success"] is False  # forwarded: the tenant's own answer
        posted = requests.post(proxy.url + "/api/", params={"function": "ping"}, data={"app_token": token}, timeout=30)
        assert posted.json() == {"success": True, "message": "pong"}  # a POST's form fields, read and forwarded
    finally:
        proxy.stop()
    drifts = proxy.drifts()
    assert [d["where"] for d in drifts] == ["request"], drifts  # only the CRM's own bad request
    assert "startdate" in drifts[0]["problems"][0]
    assert token not in proxy.log.read_text()


def test_proxy_logs_a_drifted_answer(proxied_fake, tmp_path) -> None:
    token = proxied_fake.app_token
    proxy = Proxy(proxied_fake.front(BY_NAME["login_session_renamed"]), tmp_path)
    try:
        crm_session(proxy.url, token)
    finally:
        proxy.stop()
    [drift] = [d for d in proxy.drifts() if d["function"] == "login"]
    assert drift["where"] == "response" and any("session" in problem for problem in drift["problems"])
    assert token not in proxy.log.read_text() and "***" in proxy.log.read_text()


def test_recorded_exchanges_are_redacted_and_replayed_by_the_fake(upstream, tmp_path) -> None:
    served, token = upstream
    proxy = Proxy(served.url, tmp_path, record=True)
    try:
        crm_session(proxy.url, token)
        original = requests.get(proxy.url + "/api/", params={
            "function": "reportsCDRLogs", "app_token": token, "startdate": "2026-01-05 00:00:00",
            "finishdate": "2026-01-05 08:00:00"}, timeout=30).json()
    finally:
        proxy.stop()
    recorded = list((tmp_path / "recorded").glob("*.json"))
    assert len(recorded) == 4 and all(token not in path.read_text() for path in recorded)
    replaying = Served("--db", ":memory:", "--seed", "99", "--replay", str(tmp_path / "recorded"))
    try:
        again = requests.get(replaying.url + "/api/", params={
            "function": "reportsCDRLogs", "app_token": "anything", "startdate": "2026-01-05 00:00:00",
            "finishdate": "2026-01-05 08:00:00"}, timeout=30).json()
        fresh = requests.get(replaying.url + "/api/", params={"function": "ping", "app_token": "x"}, timeout=30)
    finally:
        replaying.stop()
    assert again == original and again["CallList"]  # another seed: only the recording can give these records
    assert fresh.json() == {"login": False, "message": "Invalid Application Token"}  # not recorded: the fake
