"""HTTP hardening common to every route: secrets masked in any letter case, answers the browser may not sniff,
405 with its Allow header, HEAD refused where it would act, and JSON for requests too large to serve."""
from __future__ import annotations

import logging

import pytest
import requests

from mock_server import create_app
from mock_server.masking import mask, mask_params, mask_query
from mock_server.replay import request_key
from mock_server.server import LiveServer
from tests.conftest import token_of


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
    entry = ccs.store.list_journal(10)[-1]
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
