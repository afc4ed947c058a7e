"""The sandbox pages rendered in Chromium with markup injected through every channel a user or a stranger has.

Fixture data (agent and queue names, app token names), the control API (an app token's name), the open
callback sink (a forged hangup POST the demo CRM shows), an inbound call from a queue named with markup,
and the softphone page's own query string all carry the payload. Each page must show it as text: no
element from it exists in the DOM and none of its scripts or handlers ran.
"""
from __future__ import annotations

import pytest
import requests
import yaml

from mock_server import create_app
from mock_server.runtime.server import LiveServer
from tests.browser.conftest import page  # noqa: F401 (a fixture; the browser is tests/conftest.py's)

PAYLOAD = ('<img src=x id=pwned onerror="window.__xss=1"><script>window.__xss=2</script>'
           '"><svg onload="window.__xss=3">')
TENANT = "inject.alo-tech.com"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    fixture = tmp_path_factory.mktemp("inject") / "inject.yaml"
    fixture.write_text(yaml.safe_dump({"seed": 7, "clock": {"start": "2026-01-05 09:00:00"}, "tenants": [{
        "name": "inject", "domain": "alo-tech.com", "default": True, "did": "908500000007",
        "app_tokens": [f"token {PAYLOAD}"], "queues": [f"queue {PAYLOAD}"], "contacts": 3,
        "users": [{"email": "agent@inject.example", "name": f"agent {PAYLOAD}"}]}]}))
    with LiveServer(create_app(fixtures=str(fixture))) as live:
        yield live


def control(server, method: str, path: str, **body) -> dict:
    response = requests.request(method, f"{server.url}/_mock/{path}", json=body or None, timeout=10)
    assert response.status_code < 300, response.text
    return response.json()


def vendor(server, **params) -> dict:
    return requests.get(f"{server.url}/api/", params=params, timeout=10).json()


def assert_inert(page, where: str) -> None:
    """The payload is on the page as text, and nothing of it became markup or ran."""
    # A function, not an expression: Playwright polls an expression with eval, which the page's CSP forbids
    # (the wait then fails whenever the text is not there at the first look).
    page.wait_for_function("() => document.body.innerText.indexOf('id=pwned') >= 0", timeout=10_000)
    assert page.evaluate("window.__xss === undefined"), f"{where}: injected script ran"
    assert page.locator("#pwned").count() == 0, f"{where}: injected element in the DOM"
    assert page.locator("svg[onload]").count() == 0, f"{where}: injected element in the DOM"


def test_dashboard_shows_injected_names_as_text(server, page) -> None:  # noqa: F811
    control(server, "POST", "app_tokens", tenant=TENANT, name=f"issued {PAYLOAD}")
    page.goto(f"{server.url}/_mock/")
    assert_inert(page, "dashboard")


def test_demo_crm_shows_a_forged_hangup_post_as_text(server, page) -> None:  # noqa: F811
    forged = {"call_id": PAYLOAD, "called_num": PAYLOAD, "call_date": PAYLOAD, "disposition": PAYLOAD,
              "duration": PAYLOAD}
    requests.post(f"{server.url}/_mock/sink/demo-inject", data=forged, timeout=10).raise_for_status()
    page.goto(f"{server.url}/_mock/demo")
    assert_inert(page, "demo CRM")


def test_softphone_shows_injected_queue_and_tenant_as_text(server, page) -> None:  # noqa: F811
    token = control(server, "GET", "tenants")["tenants"][0]["app_tokens"][0]["app_token"]
    session = vendor(server, function="login", app_token=token, email="agent@inject.example")["session"]
    control(server, "POST", "calls/inbound", tenant=TENANT, caller="905321112233", agent="agent@inject.example",
            ending="answered", ivr_seconds=0, ring_seconds=60)
    page.goto(f"{server.url}/generic/sso/?tenant={TENANT}&session={session}")
    assert_inert(page, "softphone with a call")
    page.goto(f"{server.url}/generic/sso/?" + requests.compat.urlencode({"tenant": PAYLOAD, "session": PAYLOAD}))
    assert_inert(page, "softphone with a forged tenant")


def test_payload_reaches_the_pages_data(server) -> None:
    """The channels above really carry the payload (so the page tests test something)."""
    tenants = control(server, "GET", "tenants")["tenants"]
    assert PAYLOAD in tenants[0]["users"][0]["name"]
    assert any(PAYLOAD in token["name"] for token in tenants[0]["app_tokens"])
