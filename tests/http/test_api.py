"""The vendor API over HTTP: exact bodies, host routing, odd input, and state left unchanged."""
from __future__ import annotations

import pytest

from contract_tests.conformance import is_error_body
from tests.conftest import ACME, DEMO, email_of, token_of

CDR = {"function": "reportsCDRLogs", "startdate": "2026-01-04 00:00:00", "finishdate": "2026-01-05 09:00:00"}


def login(client, host=DEMO):
    return client.api(host=host, function="login", app_token=token_of(client.ccs, host), email=email_of(client.ccs, host))


def test_login_success_body_is_the_guides(client) -> None:
    answer = login(client)
    assert answer.status == 200
    assert list(answer.body) == ["login", "session", "message", "language"]
    assert answer.body["login"] is True and answer.body["message"] == "Login Successful!" and answer.body["language"] == "en"


def test_login_failure_bodies_are_the_guides(client) -> None:
    assert client.api(function="login", app_token=token_of(client.ccs), email="x@y.z").body == {
        "login": False, "message": "User not found"}
    assert client.api(function="login", app_token="nope", email=email_of(client.ccs)).body == {
        "login": False, "message": "Invalid Application Token"}


def test_dead_session_gets_the_log_in_again_body(client) -> None:
    session = login(client).body["session"]
    client.request("POST", "/_mock/clock", json={"advance_seconds": 86400})
    answer = client.api(function="click2call", session=session, phonenumber="905321112233")
    assert answer.status == 200
    assert answer.body == {"login": False, "success": False, "message": "Yanlış API anahtarı"}


def test_each_domain_and_loopback_reach_their_tenant(client) -> None:
    assert login(client, ACME).body["login"] is True
    assert client.api(host=f"{ACME}:8080", function="ping", app_token=token_of(client.ccs, ACME)).body["success"] is True
    assert client.api(host=ACME, function="ping", app_token=token_of(client.ccs, DEMO)).body == {
        "login": False, "message": "Invalid Application Token"}
    assert client.api(host="localhost", function="ping", app_token=token_of(client.ccs, DEMO)).body["success"] is True


def test_unknown_host_is_a_clear_404(client) -> None:
    answer = client.api(host="nobody.alo-tech.com", function="ping", app_token="x")
    assert answer.status == 404 and "nobody.alo-tech.com" in answer.body["message"]


def test_api_without_trailing_slash_and_post_form_work(client) -> None:
    token = token_of(client.ccs)
    assert client.request("GET", "/api", params={"function": "ping", "app_token": token}).body["success"] is True
    posted = client.request("POST", "/api/", data={"function": "ping", "app_token": token})
    assert posted.body == {"success": True, "message": "pong"}


@pytest.mark.parametrize(("params", "message"), [
    ({}, "Missing required parameter: function"),
    ({"function": "frobnicate"}, "Unknown function: 'frobnicate'"),
    ({"function": "ping"}, "Missing required parameter: app_token"),
    ({"function": "ping", "app_token": ""}, "Missing required parameter: app_token"),
    ({"function": "reportsCDRLogs", "app_token": "t"}, "Missing required parameter: startdate"),
    ({**CDR, "app_token": "t", "sorting": "up"}, "Invalid value for parameter 'sorting': expected one of 'asc', 'desc'"),
    ({**CDR, "app_token": "t", "finishdate": "2026-02-30 00:00:00"},
     "Invalid value for parameter 'finishdate': expected a date and time as YYYY-MM-DD HH:MM:SS"),
])
def test_bad_parameters_get_an_error_body(client, params, message) -> None:
    answer = client.api(**params)
    assert (answer.status, answer.body) == (200, {"success": False, "message": message})


@pytest.mark.parametrize("raw_query", [
    "function=reportsCDRLogs&startdate=2017-08-01%12:00:00&finishdate=2017-08-01%2013:00:00&app_token=x",
    "function=reportsCDRLogs&startdate=2017-08-01 12:00:00&&&finishdate=%ZZ&app_token=x",
    "function=ping&function=login&app_token=%00%ff%fe",
    "function=%F0%9F%92%A5&x=" + "%" * 50,
    "=&&=&function",
    "function=reportsCDRLogs&app_token=x&startdate=" + "9" * 5000,
])
def test_odd_query_strings_never_crash(client, raw_query) -> None:
    answer = client.request("GET", "/api/", raw_query=raw_query)
    assert answer.status == 200
    assert is_error_body(answer.body)


def test_huge_query_string_is_refused_with_414(client) -> None:
    answer = client.request("GET", "/api/", raw_query="function=ping&app_token=" + "a" * 20000)
    assert answer.status == 414 and "limit" in answer.body["message"]


def test_camel_case_parameters_are_ignored_like_unknown_ones(client) -> None:
    token = token_of(client.ccs)
    answer = client.api(function="reportsAgentPerf", app_token=token, agentcustomId="1001")
    assert len(answer.body["AgentPerfList"]) == len(client.ccs.store.list_users(DEMO))


def test_bad_input_changes_nothing(client) -> None:
    session = login(client).body["session"]
    before_sessions = client.request("GET", "/_mock/sessions").body
    before_clock = client.request("GET", "/_mock/clock").body
    for params in ({"function": "login", "app_token": "bad", "email": "x"},
                   {"function": "click2call", "session": session + "x", "phonenumber": "1"},
                   {"function": "click2call", "session": session, "phonenumber": ""},
                   {**CDR, "app_token": token_of(client.ccs), "cursor": "tampered"}):
        assert is_error_body(client.api(**params).body)
    assert client.request("GET", "/_mock/sessions").body == before_sessions
    assert client.request("GET", "/_mock/clock").body == before_clock


def test_cursor_walk_over_http(client) -> None:
    token = token_of(client.ccs)
    seen, cursor = [], None
    while True:
        params = {**CDR, "app_token": token, **({"cursor": cursor} if cursor else {})}
        page = client.api(**params).body
        seen += [r["callid"] for r in page["CallList"]]
        cursor = page["cursor"]
        assert cursor
        if len(page["CallList"]) < 100:
            break
    assert len(seen) == len(set(seen)) > 100


def test_journal_masks_secrets(client) -> None:
    session = login(client).body["session"]
    client.api(function="getactivecall", session=session)
    entries = client.request("GET", "/_mock/journal").body["requests"]
    assert [e["function"] for e in entries] == ["login", "getactivecall"]
    text = str(entries)
    assert token_of(client.ccs) not in text and session not in text
    assert entries[0]["params"]["app_token"].startswith("***")
    assert entries[0]["params"]["email"] == email_of(client.ccs)
