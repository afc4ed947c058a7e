"""The ccs-mock command as a user runs it."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import requests

from tests.served import Served


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mock_server.cli", *args], capture_output=True, text=True,
                          timeout=120)


def test_credentials_json_shape() -> None:
    result = run("credentials", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [sorted(t) for t in data["tenants"]] == [["app_token", "host", "name", "users"]] * 2
    assert data["tenants"][0]["host"] == "demo.callcenterstudio.com"
    assert data["tenants"][1]["host"] == "acme.alo-tech.com"
    assert run("credentials", "--json").stdout == result.stdout, "same seed, same credentials"
    assert json.loads(run("credentials", "--json", "--seed", "2").stdout) != data


def test_fidelity_prints_the_table() -> None:
    result = run("fidelity")
    assert result.returncode == 0 and "| what | fidelity | claim | source |" in result.stdout


def test_serve_starts_and_prints_how_to_reach_each_tenant(tmp_path) -> None:
    served = Served("--port", "0", "--db", str(tmp_path / "s.sqlite3"), "--clock", "system")
    try:
        url, lines = served.url, served.lines
        assert url.startswith("http://127.0.0.1:")
        text = "".join(lines)
        assert "demo.callcenterstudio.com (default" in text and "acme.alo-tech.com" in text
        shown = re.search(r"now (\S+ \S+) tenant time UTC\+03:00,", lines[0])
        assert shown, "the clock line says its time is the tenant's, and its UTC offset: " + lines[0]
        tenant_now = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(hours=3)
        assert abs((datetime.fromisoformat(shown[1]) - tenant_now).total_seconds()) < 120, lines[0]
        creds = json.loads(run("credentials", "--json").stdout)["tenants"][1]
        answer = requests.get(f"{url}/api/", headers={"Host": creds["host"]},
                              params={"function": "login", "app_token": creds["app_token"], "email": creds["users"][0]},
                              timeout=10).json()
        assert answer["login"] is True
        assert requests.get(f"{url}/_mock/clock", timeout=10).json()["mode"] == "system"
        dashboard = next(line.split()[1] for line in lines if line.strip().startswith("dashboard:"))
        assert dashboard == f"{url}/_mock/" and "ccs-mock sandbox" in requests.get(dashboard, timeout=10).text
    finally:
        err = served.stop()
    assert creds["app_token"] not in err, "the access log must mask app tokens"


def test_serve_control_api_answers_its_address_and_the_allowed_hosts(tmp_path) -> None:
    served = Served("--host", "127.0.0.2", "--db", ":memory:", "--allowed-host", "sandbox.test", "--allowed-host",
                    "Other.Test:8080", env={"CCS_MOCK_ALLOWED_HOSTS": "from-env.test"})
    try:
        def status(host: str) -> int:
            return requests.get(f"{served.url}/_mock/clock", headers={"Host": host}, timeout=10).status_code
        assert served.url.startswith("http://127.0.0.2:")
        assert [status(h) for h in (f"127.0.0.2:{served.port}", "sandbox.test", "other.test:1", "from-env.test",
                                    "localhost")] == [200] * 5
        assert status("evil.example") == 403
        settings = requests.get(f"{served.url}/_mock/settings", timeout=10).json()
        assert settings["allowed_hosts"] == ["from-env.test", "sandbox.test", "Other.Test:8080", "127.0.0.2"]
    finally:
        err = served.stop()
    assert "--allowed-host" not in err, "no note when the fake binds one address"


def test_serve_on_every_address_says_how_to_allow_a_name() -> None:
    served = Served("--host", "0.0.0.0", "--db", ":memory:", "--control-token", "t0ken")
    try:
        answer = requests.get(f"http://127.0.0.1:{served.port}/_mock/clock", timeout=10,
                              headers={"Authorization": "Bearer t0ken"})
        assert answer.status_code == 200
    finally:
        err = served.stop()
    assert "add the name this machine is reached by with --allowed-host NAME" in err


def test_serve_allowing_any_host_warns() -> None:
    served = Served("--db", ":memory:", "--allowed-host", "*")
    try:
        assert requests.get(f"{served.url}/_mock/clock", headers={"Host": "evil.example"}, timeout=10).ok
    finally:
        err = served.stop()
    assert "warning: the control API answers any Host name" in err


def test_check_without_the_kits_dependencies_says_what_to_install(tmp_path) -> None:
    """As after a plain `pip install ccs-mock`: no traceback, the extra to install, nothing written."""
    hide = "import sys; sys.modules['schemathesis'] = None; from mock_server.cli import main; main()"
    result = subprocess.run([sys.executable, "-c", hide, "check", "--base-url", "http://127.0.0.1:9", "--email",
                             "a@b.example", "--app-token", "x"], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "pip install 'ccs-mock[check]'" in result.stderr and "schemathesis" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_serve_adds_allowed_callback_hosts_and_names_a_bad_one() -> None:
    for env, expected in (({}, ["127.0.0.1", "localhost", "::1", "127.0.0.2", "10.20.0.0/16"]),
                          ({"CCS_MOCK_ALLOWED_CALLBACK_HOSTS": "127.0.0.1, crm.internal"},
                           ["127.0.0.1", "crm.internal", "127.0.0.2", "10.20.0.0/16"])):
        served = Served("--db", ":memory:", "--allow-callback-host", "127.0.0.2", "--allow-callback-host",
                        "10.20.0.0/16", env=env)
        try:
            settings = requests.get(f"{served.url}/_mock/settings", timeout=10).json()
            assert settings["allowed_callback_hosts"] == expected
            put = requests.put(f"{served.url}/_mock/notifications", json={"url": "http://127.0.0.2:9/ivr"}, timeout=10)
            assert put.status_code == 200 and put.json()["url"] == "http://127.0.0.2:9/ivr"
        finally:
            served.stop()
    bad = run("serve", "--db", ":memory:", "--allow-callback-host", "10.20.1.0/16")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "'10.20.1.0/16' has host bits set (did you mean 10.20.0.0/16?)" in bad.stderr
    assert "--allow-callback-host or CCS_MOCK_ALLOWED_CALLBACK_HOSTS" in bad.stderr
