"""The softphone page, its event stream and buttons, the sandbox pages and the control API they use, over HTTP."""
from __future__ import annotations

import json
import re
import threading

import pytest
import requests

from mock_server import create_app
from mock_server.runtime.server import LiveServer
from tests.conftest import ACME, DEMO, email_of, token_of


def login(client, host=DEMO, index=0) -> str:
    answer = client.api(host=host, function="login", app_token=token_of(client.ccs, host),
                        email=email_of(client.ccs, host, index))
    return answer.body["session"]


def page(client, path="/generic/sso/", host=None, **params):
    if client.mode == "live":
        r = requests.get(client._server.url + path, params=params, headers={"Host": host} if host else {}, timeout=30)
        return r.status_code, r.text, r.headers
    r = client._test.get(path, query_string=params, headers={"Host": host} if host else {})
    return r.status_code, r.get_data(as_text=True), r.headers


@pytest.mark.parametrize("tenant", ["demo", DEMO])
def test_valid_session_shows_the_softphone_with_no_frame_blocking_headers(client, tenant) -> None:
    session = login(client)
    status, html, headers = page(client, host="softphone.alo-tech.com", tenant=tenant, session=session)
    assert status == 200
    assert 'id="softphone"' in html and "Ay\u015fe Y\u0131lmaz" in html and 'id="signin"' not in html
    assert "X-Frame-Options" not in headers and "Content-Security-Policy" not in headers


@pytest.mark.parametrize("params", [{}, {"session": "nonsense"}, {"tenant": "demo"}, {"tenant": "nowhere", "session": "x"}])
def test_missing_or_invalid_session_shows_the_sign_in_form_and_no_softphone(client, params) -> None:
    status, html, _ = page(client, host="softphone.callcenterstudio.com", **params)
    assert status == 200
    assert 'id="signin"' in html and 'id="softphone"' not in html
    assert '<script id="state" type="application/json">null</script>' in html


def test_expired_session_shows_the_sign_in_form(client) -> None:
    session = login(client)
    client.request("POST", "/_mock/sessions/expire", json={"session": session})
    _, html, _ = page(client, tenant=DEMO, session=session)
    assert 'id="signin"' in html and "Yanl\u0131\u015f API anahtar\u0131" in html


def test_another_tenants_session_is_refused(client) -> None:
    session = login(client, ACME)
    _, html, _ = page(client, tenant=DEMO, session=session)
    assert 'id="signin"' in html


def test_partner_build_path_and_plain_address_serve_the_same_page(client) -> None:
    session = login(client)
    _, html, _ = page(client, "/mi4biz/sso/", session=session)  # no tenant: the Host's (loopback -> default)
    assert 'id="softphone"' in html


def test_full_host_can_be_required_as_on_the_real_softphone() -> None:
    app = create_app(softphone_requires_full_host=True)
    client = app.test_client()
    ccs = app.extensions["ccs"]
    session = ccs.backend.login(ccs.backend.tenants.get(DEMO), app_token=token_of(ccs), email=email_of(ccs))["session"]
    bare = client.get("/generic/sso/", query_string={"tenant": "demo", "session": session}).get_data(as_text=True)
    full = client.get("/generic/sso/", query_string={"tenant": DEMO, "session": session}).get_data(as_text=True)
    assert 'id="signin"' in bare and "must be the full host" in bare
    assert 'id="softphone"' in full


def test_page_assets_are_served_under_the_page(client) -> None:
    status, css, _ = page(client, "/generic/sso/static/ui.css")
    assert status == 200 and ".phone" in css
    status, _, _ = page(client, "/generic/sso/static/../../app.py")
    assert status == 404


def action(client, name, host=None, **body):
    return client.request("POST", f"/generic/sso/actions/{name}", json=body, host=host)


def test_dial_button_places_a_call_seen_by_getactivecall(client) -> None:
    session = login(client)
    answer = action(client, "dial", tenant=DEMO, session=session, number="905550000001")
    assert (answer.status, answer.body) == (200, {"success": True})
    calls = client.api(function="getactivecall", session=session).body["MyActiveCalls"]
    assert [c["called_num"] for c in calls] == ["905550000001"]


def test_buttons_answer_like_the_vendor_api_on_bad_input(client) -> None:
    session = login(client)
    before = client.request("GET", "/_mock/calls").body
    assert action(client, "dial", tenant=DEMO, session=session).body == {
        "success": False, "message": "Missing required parameter: number"}
    assert action(client, "hangup", tenant=DEMO, session=session).body == {"success": False, "message": "No active call"}
    assert action(client, "answer", tenant=DEMO, session="nonsense").body["login"] is False
    assert action(client, "status", tenant=DEMO, session=session, status="asleep").body["success"] is False
    unknown = action(client, "teleport", tenant=DEMO, session=session)
    assert unknown.status == 404 and "known: dial" in unknown.body["message"]
    assert client.request("GET", "/_mock/calls").body == before


def test_sandbox_pages_forbid_framing_and_outside_assets(client) -> None:
    for path in ("/_mock/", "/_mock/demo"):
        status, html, headers = page(client, path)
        assert status == 200 and "<script src=\"/_mock/static/" in html
        assert headers["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assets = re.sub(r'<script id="softphone-origins".*?</script>', "", html)  # origins it may frame, not assets
        assert "http://" not in assets.replace("http://127.0.0.1", "") and "https://" not in assets
    assert client.request("GET", "/_mock/clock").headers["X-Frame-Options"] == "DENY"


def test_tenant_header_picks_the_tenant_for_browsers(client) -> None:
    params = {"function": "login", "app_token": token_of(client.ccs, ACME), "email": email_of(client.ccs, ACME)}
    answers = []
    for headers in ({}, {"X-CCS-Mock-Tenant": ACME}):
        if client.mode == "live":
            answers.append(requests.get(client._server.url + "/api/", params=params, headers=headers, timeout=30).json())
        else:
            answers.append(client._test.get("/api/", query_string=params, headers=headers).get_json())
    assert answers[0] == {"login": False, "message": "Invalid Application Token"}  # loopback: the default tenant
    assert answers[1]["login"] is True


def test_contacts_and_sink(client) -> None:
    contacts = client.request("GET", "/_mock/contacts", params={"tenant": ACME}).body
    assert contacts["tenant"] == ACME and len(contacts["contacts"]) == 20
    assert set(contacts["contacts"][0]) == {"id", "name", "phone", "email", "company"}
    client.request("POST", "/_mock/sink/demo", data={"call_id": "k1", "disposition": "ANSWER"})
    client.request("GET", "/_mock/sink/demo", params={"callkey": "k2"})
    listed = client.request("GET", "/_mock/sinks/demo").body["requests"]
    assert [(r["method"], r["fields"]) for r in listed] == [("POST", {"call_id": "k1", "disposition": "ANSWER"}),
                                                           ("GET", {"callkey": "k2"})]
    after = client.request("GET", "/_mock/sinks/demo", params={"after": listed[0]["id"]}).body["requests"]
    assert [r["id"] for r in after] == [listed[1]["id"]]
    assert client.request("GET", "/_mock/sinks/demo", params={"after": "x"}).status == 400


def test_sessions_can_be_expired_by_their_listed_id(client) -> None:
    session = login(client)
    [listed] = client.request("GET", "/_mock/sessions").body["sessions"]
    assert session not in json.dumps(listed)
    assert client.request("POST", "/_mock/sessions/expire", json={"id": listed["id"]}).body == {"expired": 1}
    assert client.api(function="getactivecall", session=session).body["login"] is False


def test_inbound_call_with_no_ivr_rings_at_once(client) -> None:
    answer = client.request("POST", "/_mock/calls/inbound", json={"caller": "905321112233", "ending": "answered",
                                                                  "ivr_seconds": 0})
    assert answer.status == 201
    [call] = client.request("GET", "/_mock/calls").body["calls"]
    assert (call["status"], call["key"]) == ("ringing", answer.body["activecallkey"])


# -- the event stream (live server only: it is a long-lived response) -------------------------------------------
class Stream:
    """Reads a softphone event stream in a thread; ``next(predicate)`` waits for a matching message."""

    def __init__(self, url: str, **params):
        self.response = requests.get(url, params=params, stream=True, timeout=30)
        self.messages: list[tuple[str, dict]] = []
        self._arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event, data, ident = "message", None, None
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                elif line.startswith("id: "):
                    ident = int(line[4:])
                elif line == "" and data is not None:
                    with self._arrived:
                        self.messages.append((event, data if ident is None else dict(data, _id=ident)))
                        self._arrived.notify_all()
                    event, data, ident = "message", None, None
        except (requests.RequestException, AttributeError, OSError):
            pass  # closed by close() from the test's thread

    def next(self, predicate, timeout: float = 10.0) -> dict:
        with self._arrived:
            found = self._arrived.wait_for(lambda: next((m for e, m in self.messages if e == "message" and predicate(m)),
                                                        None), timeout)
        assert found, f"no matching message in {self.messages}"
        return found

    def close(self) -> None:
        self.response.close()


@pytest.fixture
def live():
    app = create_app()
    with LiveServer(app) as server:
        yield server, app.extensions["ccs"]


def test_event_stream_delivers_api_changes_without_a_reload(live) -> None:
    server, ccs = live
    session = requests.get(server.url + "/api/", params={"function": "login", "app_token": token_of(ccs),
                                                         "email": email_of(ccs)}).json()["session"]
    stream = Stream(server.url + "/generic/sso/events", tenant=DEMO, session=session)
    try:
        key = requests.post(server.url + "/_mock/calls/inbound", json={
            "caller": "905321112233", "ending": "answered", "agent": email_of(ccs), "ivr_seconds": 0}).json()[
            "activecallkey"]
        incoming = stream.next(lambda m: m["messageType"] == "IncomingCall")
        assert (incoming["activecallkey"], incoming["phoneNumber"]) == (key, "905321112233")
        requests.post(server.url + "/generic/sso/actions/answer", json={"tenant": DEMO, "session": session})
        stream.next(lambda m: m["messageType"] == "Accept")
        requests.get(server.url + "/api/", params={"function": "click2hang", "session": session})
        hangup = stream.next(lambda m: m["messageType"] == "Hangup")
        assert hangup["activecallkey"] == key and hangup["_id"] == hangup["eventId"]
        requests.post(server.url + "/_mock/sessions/expire", json={"session": session})
        gone = stream.next(lambda m: m["messageType"] == "Unregistered")
        assert "Yanl\u0131\u015f API anahtar\u0131" in gone["reason"]
    finally:
        stream.close()


def test_event_stream_resumes_after_last_event_id_and_refuses_a_dead_session(live) -> None:
    server, ccs = live
    session = requests.get(server.url + "/api/", params={"function": "login", "app_token": token_of(ccs),
                                                         "email": email_of(ccs)}).json()["session"]
    requests.get(server.url + "/api/", params={"function": "click2call", "session": session,
                                               "phonenumber": "905550000001"})
    requests.post(server.url + "/_mock/clock", json={"advance_seconds": 100})
    first = ccs.store.agent_events_after(DEMO, email_of(ccs), 0)
    assert [m["messageType"] for m in first] == ["Dial", "Ringing", "Accept", "Hangup"]
    stream = Stream(server.url + "/generic/sso/events", tenant=DEMO, session=session, after=first[1]["eventId"])
    try:
        assert stream.next(lambda m: True)["messageType"] == "Accept"
    finally:
        stream.close()
    dead = requests.get(server.url + "/generic/sso/events", params={"tenant": DEMO, "session": "nope"}, timeout=10)
    assert dead.status_code == 204


def test_specs_are_served_as_yaml_and_json(client) -> None:
    for name in ("ccs", "control", "softphone"):
        assert client.request("GET", f"/_mock/openapi/{name}.json").body["openapi"] == "3.1.0"
    assert client.request("GET", "/_mock/openapi/secrets.json").status == 404
    status, html, headers = page(client, "/_mock/docs")
    assert status == 200 and "/_mock/static/docs.js" in html and headers["X-Frame-Options"] == "DENY"
