"""`ccs-mock serve --workers N`: several processes over one SQLite file; one delivery worker; restarts; token."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from mock_server.cli import is_loopback
from mock_server.tools.receiver import Receiver
from tests.conftest import wait_until
from tests.served import Served

AGENTS = 24


@pytest.fixture
def team_fixture(tmp_path) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump({"seed": 3, "clock": {"start": "2026-01-05 09:00:00"}, "tenants": [{
        "name": "team", "domain": "alo-tech.com", "did": "908500000000", "queues": ["Q"],
        "users": [{"email": f"agent{i}@team.example", "name": f"Agent {i}"} for i in range(AGENTS)]}]}))
    return path


def test_several_workers_deliver_every_hangup_exactly_once_and_state_survives_a_restart(tmp_path, team_fixture):
    db = str(tmp_path / "srv" / "team.sqlite3")  # its folder does not exist yet: serve creates it
    served = Served("--workers", "3", "--db", db, "--fixtures", str(team_fixture))
    host = {"Host": "team.alo-tech.com"}
    try:
        assert wait_until(lambda: served.children() == 3)  # gunicorn forks its workers after the banner
        token = requests.get(served.url + "/_mock/tenants", timeout=10).json()["tenants"][0]["app_tokens"][0]["app_token"]
        with Receiver() as receiver:
            sessions = []
            for i in range(AGENTS):  # a new connection per request: the workers share them out
                sessions.append(requests.get(served.url + "/api/", headers=host, timeout=10, params={
                    "function": "login", "app_token": token, "email": f"agent{i}@team.example"}).json()["session"])
                answer = requests.get(served.url + "/api/", headers=host, timeout=10, params={
                    "function": "click2call", "session": sessions[-1], "phonenumber": "905550000001",
                    "hangup_url": receiver.url(f"/hook/{i}")}).json()
                assert answer == {"success": True}
            clock = requests.post(served.url + "/_mock/clock", json={"advance_seconds": 100}, timeout=10).json()
            assert clock["now"] == "2026-01-05 09:01:40"
            receiver.wait_for(AGENTS, timeout=30)

            def all_delivered() -> list[dict]:
                found = requests.get(served.url + "/_mock/deliveries", timeout=10).json()["deliveries"]
                return found if [d["status"] for d in found] == ["delivered"] * AGENTS else []
            deliveries = wait_until(all_delivered, timeout=30)
            assert {d["attempts"] for d in deliveries} == {1}
            posts = receiver.requests  # everything that arrived, after every delivery is recorded as done
            assert sorted(p.path for p in posts) == sorted(f"/hook/{i}" for i in range(AGENTS))
            ids = [{k.lower(): v for k, v in p.headers.items()}["x-ccs-mock-delivery-id"] for p in posts]
            assert len(set(ids)) == len(ids) == AGENTS
        err = served.stop()
        assert err.count("delivers callbacks") == 1, "exactly one process sends callbacks"
        restarted = Served("--workers", "2", "--db", db, "--fixtures", str(team_fixture))
        try:
            assert requests.get(restarted.url + "/_mock/clock", timeout=10).json()["now"] == "2026-01-05 09:01:40"
            kept = requests.get(restarted.url + "/api/", headers=host, timeout=10,
                                params={"function": "getactivecall", "session": sessions[0]}).json()
            assert kept == {"MyActiveCalls": []}, "sessions survive the restart"
            calls = requests.get(restarted.url + "/api/", headers=host, timeout=10, params={
                "function": "reportsCDRLogs", "app_token": token, "startdate": "2026-01-05 09:00:00",
                "finishdate": "2026-01-05 10:00:00"}).json()["CallList"]
            assert len(calls) == AGENTS
        finally:
            restarted.stop()
    finally:
        served.stop()


def test_control_api_needs_its_token_when_one_is_set(tmp_path) -> None:
    served = Served("--control-token", "s3cret", "--db", str(tmp_path / "t.sqlite3"))
    try:
        refused = requests.get(served.url + "/_mock/journal", timeout=10)
        assert refused.status_code == 401 and "Authorization: Bearer TOKEN" in refused.json()["message"]
        assert requests.get(served.url + "/_mock/journal", headers={"Authorization": "Bearer s3cret"}, timeout=10).ok
        assert requests.post(served.url + "/_mock/clock", headers={"X-CCS-Mock-Token": "s3cret"},
                             json={"advance_seconds": 1}, timeout=10).ok
        assert requests.post(served.url + "/_mock/sink/open", data={"a": "1"}, timeout=10).ok  # callbacks need none
        assert requests.get(served.url + "/_mock/", timeout=10).ok  # the page; its requests carry the token
        assert "s3cret" not in requests.get(served.url + "/_mock/settings", headers={"Authorization": "Bearer s3cret"},
                                            timeout=10).text
        assert requests.get(served.url + "/api/?function=ping", timeout=10).status_code == 200  # vendor API as usual
        assert requests.get(served.url + "/_mock/clock?token=s3cret", timeout=10).status_code == 401
        banner = "".join(served.lines)
        assert f"{served.url}/_mock/#token=s3cret" in banner and f"{served.url}/_mock/demo#token=s3cret" in banner
        assert "?token=" not in banner, "the token rides in the fragment, never in a request"
    finally:
        err = served.stop()
    assert "/_mock/clock?token=***" in err and "s3cret" not in err, "the access log masks a token in a query"


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                            ("127.0.0.2", True), ("0.0.0.0", False), ("::", False),
                                            ("192.168.1.20", False), ("ccs.example.com", False)])
def test_a_token_is_generated_for_any_bind_beyond_loopback(host, loopback) -> None:
    assert is_loopback(host) is loopback


def test_workers_need_a_file_database() -> None:
    result = subprocess.run([sys.executable, "-m", "mock_server.cli", "serve", "--workers", "2", "--db", ":memory:"],
                            capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert result.returncode != 0 and "--workers needs a file database" in result.stderr
