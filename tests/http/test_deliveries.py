"""Hangup POSTs and notification GETs leave the fake over real HTTP, to a real local receiver."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from mock_server import create_app
from mock_server.receiver import Receiver
from mock_server.server import LiveServer
from tests.conftest import DEMO, email_of, token_of, wait_until

FAST_RETRIES = {"delivery_backoff_seconds": 0.05, "delivery_timeout_seconds": 0.5, "delivery_max_attempts": 4}


@pytest.fixture
def receiver():
    with Receiver() as rx:
        yield rx


def serve(**settings):
    return LiveServer(create_app(**settings)).start()


def call(server, hangup_url, number="905550000001", **extra):
    ccs = server.app.extensions["ccs"]
    api = lambda **p: requests.get(f"{server.url}/api/", params=p, timeout=10).json()  # noqa: E731
    session = api(function="login", app_token=token_of(ccs), email=email_of(ccs))["session"]
    answer = api(function="click2call", session=session, phonenumber=number, hangup_url=hangup_url, **extra)
    requests.post(f"{server.url}/_mock/clock", json={"advance_seconds": 600}, timeout=10)
    return answer


def deliveries(server):
    return requests.get(f"{server.url}/_mock/deliveries", timeout=10).json()["deliveries"]


def test_hangup_post_arrives_form_encoded_with_the_facts_fields(receiver) -> None:
    server = serve()
    try:
        assert call(server, receiver.url("/crm/hangup"), transactionid="crm-9") == {"success": True}
        (post,) = receiver.wait_for(1)
        assert (post.method, post.path) == ("POST", "/crm/hangup")
        assert post.headers["content-type"] == "application/x-www-form-urlencoded"
        assert set(post.form) == {"call_id", "caller_id", "called_num", "call_date", "transaction_id",
                                  "agent_username", "duration", "disposition", "tenant"}
        assert post.form["transaction_id"] == "crm-9" and post.form["disposition"] == "ANSWER"
        assert post.headers["x-ccs-mock-delivery-id"] == f"hangup-{post.form['call_id']}"
        (delivery,) = deliveries(server)
        assert delivery["status"] == "delivered" and delivery["attempt_log"][0]["status_code"] == 200
    finally:
        server.stop()


def test_5xx_then_success_is_retried_with_the_same_delivery_id(receiver) -> None:
    receiver.answer_next(503, 500)
    server = serve(**FAST_RETRIES)
    try:
        call(server, receiver.url())
        posts = receiver.wait_for(3)
        assert len({p.headers["x-ccs-mock-delivery-id"] for p in posts}) == 1
        assert [p.headers["x-ccs-mock-attempt"] for p in posts] == ["1", "2", "3"]
        assert len({p.body for p in posts}) == 1
        (delivery,) = deliveries(server)
        assert [a["status_code"] for a in delivery["attempt_log"]] == [503, 500, 200]
        assert delivery["status"] == "delivered"
    finally:
        server.stop()


def test_slow_receiver_times_out_and_gives_up_after_max_attempts(receiver) -> None:
    receiver.answer_next(200, 200, 200, 200, delay=1.0)
    server = serve(**FAST_RETRIES)
    try:
        call(server, receiver.url())
        (delivery,) = wait_until(lambda: [d for d in deliveries(server) if d["status"] != "pending"])
        assert delivery["status"] == "failed" and delivery["attempts"] == 4
        assert all("Timeout" in a["error"] for a in delivery["attempt_log"])
    finally:
        server.stop()


def test_receiver_down_then_up_gets_its_post() -> None:
    with Receiver() as probe:
        port = probe.port  # a port nobody listens on once the probe stops
    server = serve(delivery_backoff_seconds=0.2, delivery_max_attempts=6)
    try:
        call(server, f"http://127.0.0.1:{port}/hook")
        wait_until(lambda: deliveries(server) and deliveries(server)[0]["attempt_log"])
        with Receiver(port=port) as back_up:
            (post,) = back_up.wait_for(1, timeout=20)
            assert post.form["disposition"] == "ANSWER"
            (delivery,) = wait_until(lambda: [d for d in deliveries(server) if d["status"] == "delivered"])
        log = delivery["attempt_log"]
        assert log[0]["status_code"] is None and "Connection" in log[0]["error"]
        assert log[-1]["status_code"] == 200
    finally:
        server.stop()


def test_pending_delivery_survives_a_restart_with_a_file_database(tmp_path: Path, receiver) -> None:
    db = str(tmp_path / "state.sqlite3")
    first = create_app(db=db)  # no worker started: the POST stays in the outbox
    ccs = first.extensions["ccs"]
    tenant = ccs.backend.tenants.get(DEMO)
    session = ccs.backend.login(tenant, token_of(ccs), email_of(ccs))["session"]
    ccs.backend.click2call(tenant, session, "905550000001", None, receiver.url(), False, False, None)
    ccs.clock.advance(600)
    ccs.backend.tick()
    assert [d["status"] for d in ccs.store.list_deliveries(None, 10)] == ["pending"]
    ccs.store.close()
    second = LiveServer(create_app(db=db)).start()
    try:
        (post,) = receiver.wait_for(1)
        assert post.form["disposition"] == "ANSWER"
    finally:
        second.stop()


def test_disallowed_hangup_url_is_refused_visibly_and_never_fetched(receiver) -> None:
    server = serve()
    try:
        answer = call(server, f"http://localhost.example:{receiver.port}/hook")
        assert answer["success"] is False and "not allowed" in answer["message"]
        journal = requests.get(f"{server.url}/_mock/journal", params={"function": "click2call"}, timeout=10).json()
        assert "not allowed" in journal["requests"][-1]["outcome"]
        assert deliveries(server) == [] and receiver.requests == []
    finally:
        server.stop()


def test_allow_list_can_name_more_hosts(receiver) -> None:
    server = serve(allowed_callback_hosts=("127.0.0.1", "crm.internal"))
    try:
        assert call(server, "http://crm.internal/hook")["success"] is True
    finally:
        server.stop()


def test_inbound_call_sends_the_notification_get(receiver) -> None:
    server = serve()
    try:
        put = requests.put(f"{server.url}/_mock/notifications", json={"url": receiver.url("/ivr")}, timeout=10)
        assert put.status_code == 200
        started = requests.post(f"{server.url}/_mock/calls/inbound",
                                json={"caller": "905321112233", "queue": "Support", "ending": "answered",
                                      "talk_seconds": 30}, timeout=10).json()
        requests.post(f"{server.url}/_mock/clock", json={"advance_seconds": 600}, timeout=10)
        (get,) = receiver.wait_for(1)
        assert get.method == "GET" and get.path == "/ivr"
        assert get.query["callkey"] == started["activecallkey"] and get.query["event"] == "answered"
    finally:
        server.stop()


@pytest.mark.parametrize(("path", "body", "status"), [
    ("/_mock/calls/inbound", {"caller": "abc", "ending": "answered"}, 400),
    ("/_mock/calls/inbound", {"caller": "905321112233", "ending": "maybe"}, 400),
    ("/_mock/calls/inbound", {"caller": "905321112233", "ending": "answered", "talk_seconds": -1}, 400),
    ("/_mock/calls/inbound", {"caller": "905321112233", "ending": "answered", "queue": "Nope"}, 404),
    ("/_mock/calls/inbound", {"caller": "905321112233", "ending": "answered", "agent": "x@y.z"}, 404),
    ("/_mock/calls/next", {"disposition": "MAYBE"}, 400),
    ("/_mock/calls/next", {"disposition": "BUSY", "ring_seconds": 10 ** 9}, 400),
    ("/_mock/notifications", {"url": "http://example.com/ivr"}, 400),
    ("/_mock/notifications", {"url": "http://127.0.0.1/ivr", "params": {"nope": "x"}}, 400),
])
def test_impossible_control_requests_are_refused_and_change_nothing(path, body, status) -> None:
    server = serve()
    try:
        method = requests.put if path.endswith("notifications") else requests.post
        answer = method(f"{server.url}{path}", json=body, timeout=10)
        assert answer.status_code == status and answer.json()["message"]
        assert requests.get(f"{server.url}/_mock/calls", timeout=10).json()["calls"] == []
        assert requests.get(f"{server.url}/_mock/notifications", timeout=10).json()["url"] is None
        assert server.app.extensions["ccs"].store.pop_scripted_outcome(DEMO, "") is None
    finally:
        server.stop()
