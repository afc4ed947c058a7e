"""The /_mock/ control API."""
from __future__ import annotations

import pytest

from mock_server import create_app
from tests.conftest import ACME, DEMO, email_of, token_of


def test_clock_advances_and_sets_and_never_goes_back(client) -> None:
    assert client.request("GET", "/_mock/clock").body == {"now": "2026-01-05 09:00:00", "mode": "manual", "speed": None}
    assert client.request("POST", "/_mock/clock", json={"advance_seconds": 61}).body["now"] == "2026-01-05 09:01:01"
    assert client.request("POST", "/_mock/clock", json={"now": "2026-01-06 00:00:00"}).body["now"] == "2026-01-06 00:00:00"
    back = client.request("POST", "/_mock/clock", json={"now": "2026-01-05 00:00:00"})
    assert back.status == 409 and back.body["error"] == "clock_backwards"


@pytest.mark.parametrize("body", [{"advance_seconds": -5}, {"advance_seconds": "soon"}, {"now": "tomorrow"},
                                  {"now": "2026-02-30 00:00:00"}, {}, {"advance_seconds": 1, "now": "x"}, [1, 2]])
def test_bad_clock_requests_are_refused_and_change_nothing(client, body) -> None:
    answer = client.request("POST", "/_mock/clock", json=body)
    assert answer.status == 400 and answer.body["error"] == "invalid_request" and answer.body["message"]
    assert client.request("GET", "/_mock/clock").body["now"] == "2026-01-05 09:00:00"


def test_reset_restores_the_seeded_state(client) -> None:
    token = token_of(client.ccs)
    client.api(function="login", app_token=token, email=email_of(client.ccs))
    client.request("POST", "/_mock/app_tokens/revoke", json={"app_token": token})
    client.request("POST", "/_mock/clock", json={"advance_seconds": 3600})
    assert client.request("POST", "/_mock/reset").body["clock"]["now"] == "2026-01-05 09:00:00"
    assert client.request("GET", "/_mock/sessions").body["sessions"] == []
    assert client.request("GET", "/_mock/journal").body["requests"] == []
    assert client.api(function="ping", app_token=token).body["success"] is True


def test_token_admin_revoke_reissue_issue(client) -> None:
    old = token_of(client.ccs, ACME)
    new = client.request("POST", "/_mock/app_tokens/reissue", json={"app_token": old, "tenant": ACME})
    assert new.status == 201 and new.body["tenant"] == ACME
    assert client.api(host=ACME, function="ping", app_token=old).body["login"] is False
    assert client.api(host=ACME, function="ping", app_token=new.body["app_token"]).body["success"] is True
    assert client.request("POST", "/_mock/app_tokens/revoke", json={"app_token": old, "tenant": ACME}).status == 404
    issued = client.request("POST", "/_mock/app_tokens", json={"name": "Second CRM"}).body
    assert issued["tenant"] == DEMO and client.api(function="ping", app_token=issued["app_token"]).body["success"]


def test_sessions_listed_masked_and_expired_on_demand(client) -> None:
    session = client.api(function="login", app_token=token_of(client.ccs), email=email_of(client.ccs)).body["session"]
    listed = client.request("GET", "/_mock/sessions").body["sessions"]
    assert len(listed) == 1 and listed[0]["session"].startswith("***") and listed[0]["expires_in_seconds"] == 86400
    assert client.request("POST", "/_mock/sessions/expire", json={"email": email_of(client.ccs)}).body == {"expired": 1}
    assert client.api(function="getactivecall", session=session).body["login"] is False
    assert client.request("POST", "/_mock/sessions/expire", json={"nothing": 1}).status == 400


def test_tenants_and_settings_and_documents(client) -> None:
    tenants = client.request("GET", "/_mock/tenants").body["tenants"]
    assert [t["host"] for t in tenants] == [DEMO, ACME] and tenants[0]["default"] is True
    assert client.request("GET", "/_mock/settings").body["session_lifetime_seconds"] == 86400
    assert client.request("GET", "/_mock/openapi/ccs.yaml").status == 200
    assert client.request("GET", "/_mock/openapi/secrets.txt").status == 404
    assert client.request("GET", "/_mock/tenants", params={"tenant": "x"}).status == 200
    assert client.request("GET", "/_mock/sessions", params={"tenant": "nobody.alo-tech.com"}).status == 404


def test_a_clock_body_off_both_shapes_names_the_field_and_the_rule() -> None:
    """setClock's body is one of two shapes; the error names the field at fault, not "not valid under any"."""
    client = create_app().test_client()
    answer = client.post("/_mock/clock", json={"advance_seconds": -5})
    assert answer.status_code == 400
    assert answer.get_json() == {"error": "invalid_request", "message": "advance_seconds: -5 is less than the minimum of 0"}
