"""The control API refuses what a page on another site, or a DNS-rebinding page, could make a browser send;
its own pages, scripts and test clients keep working."""
from __future__ import annotations

import pytest

from mock_server import create_app
from tests.conftest import ACME, DEMO
from tests.http.conftest import MODES, Client

READS = ["/_mock/tenants", "/_mock/settings", "/_mock/journal", "/_mock/clock", "/_mock/", "/_mock/sinks/x"]
FOREIGN_BODIES = [  # what a cross-site <form> or a no-cors fetch can send without asking the server first
    {"data": "a=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"data": b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n",
     "headers": {"Content-Type": "multipart/form-data; boundary=b"}},
    {"data": '{"name": "x"}', "headers": {"Content-Type": "text/plain"}},
    {"data": '{"name": "x"}', "headers": {}},
]


def state(client: Client) -> tuple:
    tenants = client.request("GET", "/_mock/tenants").body["tenants"]
    return (tenants, client.request("GET", "/_mock/clock").body, client.request("GET", "/_mock/journal").body)


def refused(answer, status: int, code: str) -> str:
    assert answer.status == status, (answer.status, answer.body)
    assert answer.body["error"] == code and answer.headers["Content-Type"] == "application/json", answer.body
    return answer.body["message"]


def test_a_foreign_host_reads_nothing(client) -> None:
    for path in READS:
        for host in ("evil.example", "evil.example:8080", "127.0.0.1.evil.example", "demo.callcenterstudio.com.evil"):
            message = refused(client.request("GET", path, host=host), 403, "host_not_allowed")
            assert "--allowed-host" in message


def test_loopback_tenant_and_softphone_names_are_served(client) -> None:
    for host in ["localhost", "127.0.0.1:9", "[::1]:8080", DEMO, f"{ACME}:443", "softphone.alo-tech.com",
                 "SOFTPHONE.CALLCENTERSTUDIO.COM"]:
        answer = client.request("GET", "/_mock/tenants", host=host)
        assert answer.status == 200 and len(answer.body["tenants"]) == 2, host


@pytest.mark.parametrize("mode", MODES)
def test_allowed_hosts_adds_names_and_star_allows_any(mode) -> None:
    for allowed, host, status in [(("sandbox.test",), "sandbox.test:8080", 200), (("sandbox.test",), "other.test", 403),
                                  (("fe80::1",), "[fe80::1]:8080", 200), (("*",), "anything.example", 200)]:
        client = Client(create_app(allowed_hosts=allowed), mode)
        try:
            assert client.request("GET", "/_mock/clock", host=host).status == status, (allowed, host)
        finally:
            client.close()


def test_a_body_that_is_not_json_changes_nothing(client) -> None:
    client.request("POST", "/_mock/clock", json={"advance_seconds": 60})
    before = state(client)
    for method, path in [("POST", "/_mock/reset"), ("POST", "/_mock/app_tokens"), ("POST", "/_mock/clock"),
                         ("PUT", "/_mock/notifications"), ("DELETE", "/_mock/journal")]:
        for body in FOREIGN_BODIES:
            message = refused(client.request(method, path, **body), 415, "unsupported_media_type")
            assert "application/json" in message
    assert state(client) == before


def test_a_request_from_another_site_changes_nothing_even_as_json(client) -> None:
    client.request("POST", "/_mock/clock", json={"advance_seconds": 60})
    before = state(client)
    for headers in [{"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": "http://127.0.0.1:1"},
                    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}]:
        for method, path, body in [("POST", "/_mock/reset", None), ("POST", "/_mock/app_tokens", {"name": "x"}),
                                   ("DELETE", "/_mock/journal", None), ("POST", "/_mock/sink/demo", None)]:
            refused(client.request(method, path, json=body, headers=headers), 403, "cross_origin")
    assert state(client) == before


def test_the_pages_own_requests_are_served(client) -> None:
    """Same-origin JSON fetches, as the dashboard sends them; and scripts that send no Origin at all."""
    own = {"Origin": client.origin, "Sec-Fetch-Site": "same-origin"}
    assert client.request("POST", "/_mock/app_tokens", json={"name": "page"}, headers=own).status == 201
    assert client.request("POST", "/_mock/clock", json={"advance_seconds": 5}, headers=own).status == 200
    assert client.request("POST", "/_mock/reset", headers={"Sec-Fetch-Site": "none"}).status == 200
    assert client.request("DELETE", "/_mock/journal").status == 200


def test_the_sink_records_forms_from_any_host_but_not_from_another_origin(client) -> None:
    assert client.request("POST", "/_mock/sink/hook", data={"call_id": "k1"}, host="crm.example").status == 200
    refused(client.request("POST", "/_mock/sink/hook", data={"a": "1"}, headers={"Origin": "http://evil.example"}),
            403, "cross_origin")
    assert [r["fields"] for r in client.request("GET", "/_mock/sinks/hook").body["requests"]] == [{"call_id": "k1"}]


def test_the_vendor_api_is_not_guarded(client) -> None:
    """An unknown Host gets the vendor's unknown-tenant error, and a form POST is served like a GET."""
    answer = client.request("GET", "/api/", params={"function": "ping"}, host="evil.example")
    assert answer.status == 404 and answer.body["success"] is False and "No tenant" in answer.body["message"]
    token = client.ccs.store.list_app_tokens(DEMO)[0]["token"]
    answer = client.request("POST", "/api/", data={"function": "ping", "app_token": token},
                            headers={"Origin": "http://evil.example"})
    assert answer.status == 200 and answer.body["success"] is True
