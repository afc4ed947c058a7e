"""A served fake, attacked as a web page on another site and as a DNS-rebinding page would attack it.

Every state-changing control endpoint gets the bodies a page on another site can make a browser send
without asking the server first (a form, multipart, text/plain) and requests labelled as coming from
another origin or site; every read endpoint gets foreign Host names. Each must be refused, and the sandbox
(tenants and app tokens, clock, journal, sessions, sinks) must be as it was: compared before and after
through legitimate requests. Then the same in Chromium: a page on another origin that submits a form and
sends no-cors fetches, and a page whose own name resolves to the fake.
"""
from __future__ import annotations

import re

import pytest
import requests

from mock_server.spec import Spec
from tests.browser.conftest import PageSite
from tests.served import Served

ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Werkzeug colours its access log lines
RECEIVER = "/_mock/sink/{name}"  # records anything from anywhere (callbacks); only a foreign Origin is refused


def endpoints(methods: set[str]) -> list[tuple[str, str]]:
    return [(method.upper(), path.replace("{name}", "probe")) for path, method, _ in
            Spec.bundled("control.yaml").http_operations() if method in methods and path != RECEIVER]


CHANGES = endpoints({"post", "put", "patch", "delete"})
READS = endpoints({"get"})
# what each request would do if it were served: every field any state-changing endpoint reads
FIELDS = {"name": "evil", "advance_seconds": "3600", "now": "2030-01-01 00:00:00", "email": "ayse.yilmaz@demo.example",
          "caller": "905321112233", "ending": "answered", "disposition": "ANSWER", "url": "http://127.0.0.1:9/x"}
CROSS_SITE_BODIES = {
    "form": {"data": FIELDS},
    "multipart": {"files": {key: (None, value) for key, value in FIELDS.items()}},
    "text/plain": {"data": '{"name": "evil", "advance_seconds": 3600}', "headers": {"Content-Type": "text/plain"}},
}
FOREIGN = {
    "foreign Origin": {"Origin": "http://evil.example"},
    "null Origin": {"Origin": "null"},
    "another port": {"Origin": "http://127.0.0.1:1"},
    "cross-site": {"Sec-Fetch-Site": "cross-site"},
    "same-site": {"Sec-Fetch-Site": "same-site"},
}
REBOUND_HOSTS = ["evil.example", "rebind.attacker.test:{port}", "127.0.0.1.nip.io:{port}", "localhost.evil.example",
                 "demo.callcenterstudio.com.evil.example", "0.0.0.0:{port}"]


@pytest.fixture(scope="module")
def served():
    fake = Served("--db", ":memory:")
    yield fake
    fake.stop()


def snapshot(url: str) -> dict:
    """The whole sandbox, read as its owner reads it."""
    read = lambda path: requests.get(url + path, timeout=10).json()  # noqa: E731
    return {"tenants": read("/_mock/tenants"), "clock": read("/_mock/clock"), "journal": read("/_mock/journal"),
            "sessions": read("/_mock/sessions"), "calls": read("/_mock/calls"), "deliveries": read("/_mock/deliveries"),
            "notifications": read("/_mock/notifications"), "sink": read("/_mock/sinks/probe")}


def moved_on(url: str) -> dict:
    """A sandbox that has moved on from its seed (a reset would show) with a session in use; its snapshot."""
    seeded = requests.post(url + "/_mock/reset", timeout=10).json()["clock"]["now"]
    assert requests.post(url + "/_mock/clock", json={"advance_seconds": 90}, timeout=10).ok
    tenant = requests.get(url + "/_mock/tenants", timeout=10).json()["tenants"][0]
    login = requests.get(url + "/api/", timeout=10, params={
        "function": "login", "app_token": tenant["app_tokens"][0]["app_token"], "email": tenant["users"][0]["email"]})
    assert login.json()["login"] is True
    state = snapshot(url)
    assert state["clock"]["now"] != seeded
    return state


@pytest.fixture
def sandbox(served) -> dict:
    return moved_on(served.url)


def assert_refused(answer: requests.Response, statuses: set[int]) -> None:
    assert answer.status_code in statuses, (answer.request.method, answer.url, answer.status_code, answer.text[:300])
    assert answer.headers["Content-Type"] == "application/json" and answer.json()["error"], answer.text[:300]


def test_every_state_changing_endpoint_refuses_what_another_site_can_send(served, sandbox) -> None:
    for method, path in CHANGES:
        for body in CROSS_SITE_BODIES.values():
            assert_refused(requests.request(method, served.url + path, timeout=10, **body), {415})
            assert_refused(requests.request(method, served.url + path, timeout=10,
                                            **{**body, "headers": {**body.get("headers", {}), **FOREIGN["cross-site"]}}),
                           {403})
        for headers in FOREIGN.values():
            assert_refused(requests.request(method, served.url + path, json={"name": "evil"}, headers=headers,
                                            timeout=10), {403})
            assert_refused(requests.request(method, served.url + path, headers=headers, timeout=10), {403})
        assert_refused(requests.request(method, served.url + path, json={"name": "evil"}, timeout=10,
                                        headers={"Host": "rebind.attacker.test"}), {403})
    for headers in FOREIGN.values():
        assert_refused(requests.post(served.url + "/_mock/sink/probe", data=FIELDS, headers=headers, timeout=10), {403})
    assert snapshot(served.url) == sandbox


def test_every_endpoint_refuses_a_rebound_host_name(served, sandbox) -> None:
    secrets = [t["app_token"] for tenant in sandbox["tenants"]["tenants"] for t in tenant["app_tokens"]]
    for host in (h.format(port=served.port) for h in REBOUND_HOSTS):
        for method, path in READS + CHANGES:
            answer = requests.request(method, served.url + path, headers={"Host": host}, timeout=10,
                                      json={"name": "evil"} if method != "GET" else None)
            assert_refused(answer, {403})
            assert "host_not_allowed" in answer.text and not [s for s in secrets if s in answer.text]
        for page in ("/_mock/", "/_mock/demo", "/_mock/docs", "/_mock/static/sandbox.js"):
            assert_refused(requests.get(served.url + page, headers={"Host": host}, timeout=10), {403})
    assert snapshot(served.url) == sandbox


ATTACKER_PAGE = """<!doctype html><meta charset="utf-8"><title>cute cats</title>
<iframe name="quiet"></iframe>
<form id="wipe" method="POST" action="{fake}/_mock/reset" target="quiet"><input name="confirm" value="1"></form>
<script>
var fake = "{fake}", done = [];
function record(what) {{ return function () {{ done.push(what); }}; }}
Promise.all([
  fetch(fake + "/_mock/app_tokens", {{method: "POST", mode: "no-cors", body: JSON.stringify({{name: "evil"}})}}),
  fetch(fake + "/_mock/app_tokens", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
                                     body: JSON.stringify({{name: "evil-2"}})}}),
  fetch(fake + "/_mock/clock", {{method: "POST", mode: "no-cors", body: new URLSearchParams({{now: "2030-01-01 00:00:00"}})}}),
  fetch(fake + "/_mock/reset", {{method: "POST", mode: "no-cors"}}),
  fetch(fake + "/_mock/tenants").then(function (r) {{ return r.text(); }}).then(record("read tenants"), record("read refused")),
].map(function (p) {{ return p.catch(function () {{}}); }})).then(function () {{ window.fetched = true; }});
document.querySelector("iframe").addEventListener("load", function () {{ window.submitted = true; }});
document.getElementById("wipe").submit();
</script>"""


def test_a_page_on_another_origin_cannot_wipe_or_read_the_sandbox(browser) -> None:
    fake = Served("--db", ":memory:")
    try:
        before = moved_on(fake.url)
        attacker = PageSite(ATTACKER_PAGE.format(fake=fake.url), host="127.0.0.2", path="/cats")  # another origin
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(attacker.url)
            page.wait_for_function("window.fetched === true && window.submitted === true", timeout=20_000)
            assert page.evaluate("done") == ["read refused"]  # no CORS: the page cannot read an answer either
        finally:
            context.close()
            attacker.stop()
        after = snapshot(fake.url)
    finally:
        log = ANSI.sub("", fake.stop())
    assert after == before, "no app token issued, the clock neither reset nor set"
    refused = [line for line in log.splitlines() if '"POST /_mock/' in line and '" 403 ' in line]
    assert len(refused) == 5 and sum("/_mock/reset" in line for line in refused) == 2, log[-3000:]


def test_a_rebound_page_cannot_use_the_control_api(served, sandbox, browser) -> None:
    """The attacker's name now resolves to the fake: its page's requests are same-origin, with its Host."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://rebind.attacker.test:{served.port}/")  # any page of that origin (a JSON 404 here)
        results = page.evaluate("""async () => {
            const read = await fetch("/_mock/tenants");
            const reset = await fetch("/_mock/reset", {method: "POST", headers: {"Content-Type": "application/json"},
                                                       body: "{}"});
            const issue = await fetch("/_mock/app_tokens", {method: "POST", headers: {"Content-Type": "application/json"},
                                                            body: JSON.stringify({name: "evil"})});
            return [[read.status, await read.text()], [reset.status, await reset.text()],
                    [issue.status, await issue.text()]];
        }""")
    finally:
        context.close()
    assert [status for status, _ in results] == [403, 403, 403]
    assert all("host_not_allowed" in text and "app_token" not in text for _, text in results)
    assert snapshot(served.url) == sandbox
