"""HTTP hardening common to every route: secrets masked in any letter case, answers the browser may not sniff,
405 with its Allow header, HEAD refused where it would act, and JSON for requests too large to serve."""
from __future__ import annotations

import json
import logging
import socket

import pytest
import requests

from mock_server import create_app
from mock_server.masking import mask, mask_params, mask_query
from mock_server.tools.replay import request_key
from mock_server.runtime.server import LiveServer
from tests.conftest import DEMO, email_of, token_of
from tests.served import Served


@pytest.fixture
def live():
    with LiveServer(create_app()) as server:
        yield server


def test_secret_names_are_masked_in_any_letter_case() -> None:
    assert mask_params({"APP_TOKEN": "a", "Session": "b", "email": "c"}) == {
        "APP_TOKEN": mask("a"), "Session": mask("b"), "email": "c"}
    line = "GET /api/?function=ping&APP_TOKEN=s1&app%5Ftoken=s2&Token=s3&email=e&sessions=x HTTP/1.1"
    masked = mask_query(line)
    assert not {"s1", "s2", "s3"} & set(masked.replace("&", " ").replace("=", " ").split())
    assert f"APP_TOKEN={mask('s1')}" in masked and f"Token={mask('s3')}" in masked
    assert "email=e" in masked and "sessions=x" in masked and masked.endswith(" HTTP/1.1")
    assert request_key({"function": "ping", "APP_TOKEN": "a", "Session": "b"}) == (("function", "ping"),), \
        "recordings and replay leave secrets out in any case"


def test_journal_and_access_log_mask_secrets_in_any_case(live, caplog) -> None:
    ccs = live.app.extensions["ccs"]
    token = token_of(ccs)
    with caplog.at_level(logging.INFO, logger="ccs_mock.http"):
        requests.get(f"{live.url}/api/", params={"function": "ping", "APP_TOKEN": token, "app_token": token},
                     timeout=10)
        requests.get(f"{live.url}/_mock/clock", params={"TOKEN": "control-secret"}, timeout=10)
    logged = "\n".join(record.getMessage() for record in caplog.records if record.name == "ccs_mock.http")
    assert "/api/?function=ping" in logged and "/_mock/clock" in logged
    assert token not in logged and "control-secret" not in logged
    entry = ccs.backend.journal.entries(10)[-1]
    assert entry["params"]["APP_TOKEN"] == entry["params"]["app_token"] == mask(token)


def test_every_answer_says_nosniff(client) -> None:
    token = token_of(client.ccs)
    answers = [client.api(function="ping", app_token=token), client.api(function="nosuch"),
               client.request("GET", "/api/", host="evil.example"), client.request("GET", "/_mock/tenants"),
               client.request("GET", "/_mock/"), client.request("GET", "/_mock/static/ui.css"),
               client.request("GET", "/_mock/openapi/ccs.yaml"), client.request("GET", "/_mock/nothing"),
               client.request("POST", "/_mock/reset", data="a=1"), client.request("GET", "/_mock/clock", host="evil.example"),
               client.request("GET", "/generic/sso/"), client.request("GET", "/nowhere"),
               client.request("DELETE", "/api/")]
    assert [a.headers.get("X-Content-Type-Options") for a in answers] == ["nosniff"] * len(answers)


def test_head_on_the_api_runs_nothing(client) -> None:
    """HEAD would log in or place a call with an answer nobody reads: refused like any other method."""
    ccs = client.ccs
    session = client.api(function="login", app_token=token_of(ccs), email=email_of(ccs)).body["session"]
    before = (len(ccs.backend.sessions.live(ccs.backend.tenants.get(DEMO))), ccs.store.list_active_calls(DEMO))
    for params in ({"function": "login", "app_token": token_of(ccs), "email": email_of(ccs)},
                   {"function": "click2call", "session": session, "phonenumber": "905321112233"}):
        answer = client.request("HEAD", "/api/", params=params)
        assert answer.status == 405 and answer.headers["Allow"] == "GET, POST"
        assert answer.headers["Content-Type"] == "application/json"
    assert (len(ccs.backend.sessions.live(ccs.backend.tenants.get(DEMO))), ccs.store.list_active_calls(DEMO)) == before
    journal = ccs.backend.journal.entries(10)
    assert [(e["method"], e["status"]) for e in journal] == [("GET", 200), ("HEAD", 405), ("HEAD", 405)]


def test_other_methods_on_the_api_are_405_with_allow(client) -> None:
    for method in ["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"]:
        answer = client.request(method, "/api/", params={"function": "ping", "app_token": token_of(client.ccs)})
        assert answer.status == 405 and answer.headers["Allow"] == "GET, POST", method
        assert answer.body["success"] is False and answer.body["message"].startswith("Method Not Allowed")


def test_every_405_says_what_is_allowed(client) -> None:
    for method, path, allowed in [("GET", "/_mock/reset", {"POST"}), ("DELETE", "/_mock/clock", {"GET", "POST"}),
                                  ("GET", "/generic/sso/actions/dial", {"POST"}),
                                  ("HEAD", "/generic/sso/actions/dial", {"POST"}),
                                  ("POST", "/_mock/tenants", {"GET"}), ("PUT", "/generic/sso/", {"GET"})]:
        answer = client.request(method, path)
        assert answer.status == 405, (method, path)
        assert allowed <= {m.strip() for m in answer.headers["Allow"].split(",")}, (method, path, answer.headers)
        assert answer.headers["Content-Type"] == "application/json"
    body = client.request("GET", "/_mock/reset").body
    assert body["error"] == "method_not_allowed" and body["message"], "control errors keep the control API's shape"


def raw_request(port: int, head: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send a request as bytes and read the whole answer (the request asks to close the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head_part, _, body = received.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def oversized_requests(token: str) -> list[tuple[str, bytes, int]]:
    end = b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n"
    big = b"A" * 70_000
    return [
        ("request line", b"GET /_mock/clock?x=" + big + b" HTTP/1.1\r\n" + end, 414),
        ("request line on /api/", b"GET /api/?function=ping&app_token=" + token.encode() + b"&x=" + big
         + b" HTTP/1.1\r\n" + end, 414),
        ("query over max_query_bytes", b"GET /api/?function=ping&x=" + b"A" * 20_000 + b" HTTP/1.1\r\n" + end, 414),
        ("one header", b"GET /_mock/clock HTTP/1.1\r\nX-Big: " + big + b"\r\n" + end, 431),
        ("headers in total", b"GET /api/?function=ping HTTP/1.1\r\nX-A: " + big[:40_000] + b"\r\nX-B: "
         + big[:40_000] + b"\r\n" + end, 431),
    ]


def assert_json_refusals(port: int, token: str) -> None:
    for what, head, status in oversized_requests(token):
        code, headers, body = raw_request(port, head)
        assert code == status, (what, code, body[:300])
        assert headers["content-type"] == "application/json" and headers["x-content-type-options"] == "nosniff", what
        answer = json.loads(body)
        assert answer["message"] and (answer.get("success") is False or answer.get("error")), (what, answer)
        assert b"<" not in body, (what, body[:300])
        assert token.encode() not in body, what


def test_oversized_requests_get_json_from_the_threaded_server(live, caplog) -> None:
    token = token_of(live.app.extensions["ccs"])
    with caplog.at_level(logging.INFO, logger="ccs_mock.http"):
        assert_json_refusals(live.port, token)
        code, headers, body = raw_request(live.port, b"GET /_mock/clock HTTP/1.1\r\n"
                                          + b"".join(b"X-%d: 1\r\n" % i for i in range(150))
                                          + b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert code == 431 and json.loads(body)["error"] == "request_header_fields_too_large"
    assert token not in caplog.text, "the access log masks the refused requests' secrets too"


@pytest.mark.slow  # gunicorn worker processes
def test_oversized_requests_get_json_from_the_worker_processes(tmp_path) -> None:
    served = Served("--workers", "2", "--db", str(tmp_path / "w.sqlite3"))
    try:
        token = requests.get(served.url + "/_mock/tenants", timeout=10).json()["tenants"][0]["app_tokens"][0]["app_token"]
        assert_json_refusals(served.port, token)
    finally:
        served.stop()
