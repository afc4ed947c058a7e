"""`ccs-mock serve --tls`: real TLS under the tenants' real names, with a local CA; `ccs-mock hosts`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import wait_until
from tests.served import Served
from tests.process.test_cli import run

ACME = "acme.alo-tech.com"


def tls_served(tls_dir: Path) -> Served:
    served = Served("--tls", "--tls-dir", str(tls_dir), "--port", "0", "--db", ":memory:")
    served.ca = tls_dir / "ca.pem"
    return served


@pytest.fixture
def served(tmp_path):
    server = tls_served(tmp_path / "tls")
    yield server
    server.stop()


def acme_login_url(port: int) -> str:
    creds = next(t for t in json.loads(run("credentials", "--json").stdout)["tenants"] if t["host"] == ACME)
    return (f"https://{ACME}:{port}/api/?function=login&email={creds['users'][0]}&app_token={creds['app_token']}")


def curl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "-sS", "--max-time", "20", *args], capture_output=True, text=True, timeout=60)


def test_client_reaches_the_tenant_by_its_real_name_and_verifies_the_certificate(served) -> None:
    assert served.url.startswith("https://127.0.0.1:")
    text = "".join(served.lines)
    assert str(served.ca.resolve()) in text and "/etc/hosts: 127.0.0.1 demo.callcenterstudio.com acme.alo-tech.com" in text
    resolve = f"{ACME}:{served.port}:127.0.0.1"  # what the /etc/hosts line does, for this one client
    verified = curl("--resolve", resolve, "--cacert", str(served.ca), acme_login_url(served.port))
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["login"] is True
    untrusted = curl("--resolve", resolve, acme_login_url(served.port))
    assert untrusted.returncode == 60, "without the local CA the certificate must not verify"
    wrong_name = curl("--resolve", f"evil.example:{served.port}:127.0.0.1", "--cacert", str(served.ca),
                      f"https://evil.example:{served.port}/api/?function=ping")
    assert wrong_name.returncode == 60, "the certificate names only the fake's hosts"


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_clients_that_skip_verification_work_too(served) -> None:
    skipping = curl("-k", "--resolve", f"{ACME}:{served.port}:127.0.0.1", acme_login_url(served.port))
    assert json.loads(skipping.stdout)["login"] is True
    answer = requests.get(acme_login_url(served.port).replace(ACME, "127.0.0.1"), headers={"Host": ACME},
                          verify=False, timeout=20)
    assert answer.json()["login"] is True
    assert requests.get(served.url + "/_mock/clock", verify=str(served.ca), timeout=20).json()["mode"] == "manual"


def test_ca_is_kept_across_restarts(tmp_path) -> None:
    first = tls_served(tmp_path / "tls")
    ca = first.ca.read_bytes()
    first.stop()
    second = tls_served(tmp_path / "tls")
    try:
        assert second.ca.read_bytes() == ca
        assert requests.get(second.url + "/_mock/clock", verify=str(second.ca), timeout=20).ok
    finally:
        second.stop()


def test_https_hangup_post_to_the_fakes_own_sink_is_delivered(served) -> None:
    verify = str(served.ca)
    login = requests.get(served.url + "/api/", params={"function": "login", "email": "ayse.yilmaz@demo.example",
                                                      "app_token": json.loads(run("credentials", "--json").stdout)[
                                                          "tenants"][0]["app_token"]}, verify=verify, timeout=20)
    session = login.json()["session"]
    requests.get(served.url + "/api/", params={"function": "click2call", "session": session,
                                               "phonenumber": "905550000002",
                                               "hangup_url": served.url + "/_mock/sink/tls"}, verify=verify, timeout=20)
    requests.post(served.url + "/_mock/clock", json={"advance_seconds": 60}, verify=verify, timeout=20)
    posts = wait_until(lambda: requests.get(served.url + "/_mock/sinks/tls", verify=verify, timeout=20)
                       .json()["requests"], timeout=10)
    assert [p["fields"]["disposition"] for p in posts] == ["BUSY"]


def test_hosts_prints_the_etc_hosts_line() -> None:
    assert run("hosts").stdout.strip() == ("127.0.0.1 demo.callcenterstudio.com acme.alo-tech.com "
                                           "softphone.alo-tech.com softphone.callcenterstudio.com")
    assert run("hosts", "--address", "10.0.0.5").stdout.startswith("10.0.0.5 demo.")


def test_port_443_with_the_rights_to_bind_it(tmp_path) -> None:
    """As root (or with CAP_NET_BIND_SERVICE) the fake answers on 443; otherwise it says what is missing."""
    command = ["--tls", "--tls-dir", str(tmp_path / "tls"), "--port", "443", "--db", ":memory:"]
    if os.geteuid() != 0:
        result = subprocess.run([sys.executable, "-m", "mock_server.cli", "serve", *command], capture_output=True,
                                text=True, timeout=120)
        assert result.returncode != 0 and "port 443 needs root" in result.stderr
        return
    served = Served(*command)
    try:
        assert served.url == "https://127.0.0.1:443"
        answer = curl("--resolve", f"{ACME}:443:127.0.0.1", "--cacert", str(tmp_path / "tls" / "ca.pem"),
                      f"https://{ACME}/api/?function=ping")
        assert answer.returncode == 0 and json.loads(answer.stdout)["success"] is False  # no app_token: an error body
    finally:
        served.stop()
