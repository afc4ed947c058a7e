"""Hangup POSTs and notification GETs leave the fake over real HTTP, to a real local receiver."""
from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest
import requests
import trustme

from mock_server import create_app
from mock_server.domain.callbacks import Callbacks
from mock_server.runtime.delivery import DeliveryWorker
from mock_server.tools.receiver import Receiver
from mock_server.runtime.server import LiveServer
from mock_server.settings import Settings
from mock_server.storage.records import AttemptResult, Delivery
from mock_server.storage.store import Store
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
        # the receiver has the POST before the worker records its answer
        (delivery,) = wait_until(lambda: [d for d in deliveries(server) if d["status"] == "delivered"])
        assert delivery["attempt_log"][0]["status_code"] == 200
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
        (delivery,) = wait_until(lambda: [d for d in deliveries(server) if d["status"] == "delivered"])
        assert [a["status_code"] for a in delivery["attempt_log"]] == [503, 500, 200]
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
    session = ccs.backend.login(tenant, app_token=token_of(ccs), email=email_of(ccs))["session"]
    ccs.backend.click2call(tenant, session=session, phonenumber="905550000001", hangup_url=receiver.url())
    ccs.clock.advance(600)
    ccs.backend.tick()
    assert [d["status"] for d in ccs.backend.deliveries(None, 10)] == ["pending"]
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


def test_allow_list_can_name_more_hosts_addresses_and_ranges(netguard) -> None:
    server = serve(allowed_callback_hosts=("127.0.0.1", "crm.internal", "10.20.0.0/16", "fd00::5"))
    try:
        ccs = server.app.extensions["ccs"]
        api = lambda **p: requests.get(f"{server.url}/api/", params=p, timeout=10).json()  # noqa: E731
        for index, url in enumerate(("http://crm.internal/hook", "http://10.20.7.1:8080/hook", "http://[fd00::5]/")):
            session = api(function="login", app_token=token_of(ccs), email=email_of(ccs, index=index))["session"]
            assert api(function="click2call", session=session, phonenumber="905550000001", hangup_url=url) == \
                {"success": True}  # the calls are never ended here: nothing is sent to these hosts
        session = api(function="login", app_token=token_of(ccs), email=email_of(ccs, index=3))["session"]
        refused = api(function="click2call", session=session, phonenumber="905550000001",
                      hangup_url="http://10.21.0.1/hook")
        assert refused["success"] is False and "address '10.21.0.1' is not allowed" in refused["message"]
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


# -- the delivery layer: resolve, check, connect to what was checked -----------------------------------------------

def worker(store: Store, resolve=socket.getaddrinfo, **settings) -> DeliveryWorker:
    return DeliveryWorker(store, Settings(**(FAST_RETRIES | settings)), tick=lambda: 0, resolve=resolve)


def outbox_row(store: Store, url: str, delivery_id: str = "hangup-1") -> str:
    store.enqueue(Delivery(delivery_id, DEMO, "hangup", "POST", url, "application/x-www-form-urlencoded", "call_id=1",
                           "2026-01-01 00:00:00"))
    return delivery_id


def logged(store: Store, limit: int = 10) -> list[dict]:
    """The outbox as the control API shows it."""
    return Callbacks(store).log(None, limit)


def addresses(*hosts: str):
    """What getaddrinfo answers for a name that resolves to these addresses."""
    def resolve(host, port, **_):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in hosts]
    return resolve


@pytest.fixture
def forbidden():
    with Receiver(host="127.0.0.2") as rx:  # loopback, but on no allow-list of these tests
        yield rx


def test_a_name_is_resolved_once_per_attempt_and_the_checked_address_is_the_one_connected(
        netguard, receiver, forbidden) -> None:
    """DNS rebinding: the first answer (allowed) is checked and connected; later answers never are."""
    answers = [["127.0.0.1"], ["127.0.0.2"]]
    asked = []

    def resolve(host, port, **kwargs):
        asked.append(host)
        return addresses(*answers[min(len(asked), 2) - 1])(host, port)

    store = Store()
    outbox_row(store, f"http://rebind.test:{receiver.port}/hook")
    assert worker(store, resolve, allowed_callback_hosts=("127.0.0.1",)).run_once() == 1
    (post,) = receiver.wait_for(1)
    assert post.headers["host"] == f"rebind.test:{receiver.port}" and asked == ["rebind.test"]
    assert logged(store)[0]["status"] == "delivered"
    assert forbidden.requests == []


def test_a_name_off_the_list_is_refused_unless_every_address_it_resolves_to_is_allowed(netguard, receiver) -> None:
    store = Store()
    outbox_row(store, f"http://mixed.test:{receiver.port}/hook")
    worker(store, addresses("127.0.0.1", "10.0.0.1"), allowed_callback_hosts=("127.0.0.1",)).run_once()
    (delivery,) = logged(store)
    assert delivery["status"] == "failed" and delivery["attempt_log"][0]["outcome"] == "refused"
    assert "resolves to 127.0.0.1, 10.0.0.1; 10.0.0.1 is not on allowed_callback_hosts" in \
        delivery["attempt_log"][0]["error"]
    assert receiver.requests == []


def test_a_name_on_the_list_goes_to_whatever_it_resolves_to(netguard, receiver) -> None:
    """Listed by name: its addresses are trusted (crm.internal in a private range), tried in order while
    connecting fails."""
    store = Store()
    outbox_row(store, f"http://crm.internal:{receiver.port}/hook")
    resolve = addresses("127.0.0.3", "127.0.0.1")  # nobody listens on 127.0.0.3: connection refused
    worker(store, resolve, allowed_callback_hosts=("crm.internal",)).run_once()
    (post,) = receiver.wait_for(1)
    assert post.headers["host"] == f"crm.internal:{receiver.port}"
    (delivery,) = logged(store)
    assert delivery["status"] == "delivered" and len(delivery["attempt_log"]) == 1


def test_the_system_resolver_decides_for_a_name_off_the_list(netguard, receiver) -> None:
    store = Store()
    outbox_row(store, f"http://localhost:{receiver.port}/ok", "hangup-ok")
    worker(store, allowed_callback_hosts=("127.0.0.1", "::1")).run_once()  # localhost: loopback addresses only
    assert receiver.wait_for(1)[0].path == "/ok"
    outbox_row(store, f"http://localhost:{receiver.port}/refused", "hangup-refused")
    worker(store, allowed_callback_hosts=("10.20.0.0/16",)).run_once()
    refused = next(d for d in logged(store) if d["delivery_id"] == "hangup-refused")
    assert refused["status"] == "failed" and "is not on allowed_callback_hosts (10.20.0.0/16)" in \
        refused["attempt_log"][0]["error"]
    assert len(receiver.requests) == 1


def test_https_checks_the_certificate_and_sends_sni_for_the_name_not_the_address(tmp_path: Path) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    names = []
    for certified, delivered in (("localhost", True), ("crm.internal", False)):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(certified).configure_cert(context)  # a name only: no IP address in the certificate
        context.sni_callback = lambda sock, name, ctx: names.append(name)
        with Receiver(ssl_context=context) as tls:
            store = Store()
            outbox_row(store, f"https://localhost:{tls.port}/hook")
            worker(store, delivery_ca_bundle=str(ca_file), allowed_callback_hosts=("localhost",)).run_once()
            (delivery,) = logged(store)
            if delivered:
                assert delivery["status"] == "delivered"
                assert tls.wait_for(1)[0].headers["host"] == f"localhost:{tls.port}"
            else:
                assert delivery["attempt_log"][0]["outcome"] == "failed" and "SSLError" in \
                    delivery["attempt_log"][0]["error"]
                assert tls.requests == []
    assert names == ["localhost", "localhost"]


def test_a_redirect_to_a_forbidden_host_is_not_followed_and_counts_as_a_failed_attempt(
        netguard, receiver, forbidden) -> None:
    receiver.answer_next(302, 302, headers={"Location": forbidden.url("/stolen")})
    store = Store()
    outbox_row(store, receiver.url("/hook"))
    delivery_worker = worker(store, delivery_max_attempts=2, delivery_backoff_seconds=0.0)
    assert delivery_worker.run_once() == 2
    (delivery,) = logged(store)
    assert delivery["status"] == "failed"
    assert [(a["outcome"], a["status_code"], a["error"]) for a in delivery["attempt_log"]] == \
        [("failed", 302, "HTTP 302")] * 2
    # The receiver counts a request once its answer is written; the worker may read the answer first.
    assert len(receiver.wait_for(2)) == 2 and forbidden.requests == []


def test_proxies_from_the_environment_are_not_used(netguard, receiver, forbidden, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", forbidden.url(""))
    monkeypatch.setenv("http_proxy", forbidden.url(""))
    store = Store()
    outbox_row(store, receiver.url("/hook"))
    worker(store).run_once()
    assert receiver.wait_for(1)[0].path == "/hook" and forbidden.requests == []


# -- attempts: counted when claimed, before the request is sent ----------------------------------------------------

def test_an_attempt_is_counted_when_claimed_and_one_never_recorded_is_logged_interrupted(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "outbox.sqlite3"))
    outbox_row(store, "http://127.0.0.1:9/hook")
    first = store.claim_delivery(100.0, 5.0, max_attempts=6)
    assert first.attempts == 1
    assert [a["outcome"] for a in logged(store, 1)[0]["attempt_log"]] == ["in flight"]
    assert store.claim_delivery(104.0, 5.0, max_attempts=6) is None  # leased
    store.close()  # the sender crashes here: the attempt was counted, its answer never recorded
    store = Store(str(tmp_path / "outbox.sqlite3"))
    second = store.claim_delivery(106.0, 5.0, max_attempts=6)
    assert second.attempts == 2
    store.record_attempt("hangup-1", AttemptResult(2, 200, None, 3.0, "delivered", "delivered", 0.0))
    (delivery,) = logged(store, 1)
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 2)
    assert [(a["attempt"], a["outcome"]) for a in delivery["attempt_log"]] == [(1, "interrupted"), (2, "delivered")]
    assert delivery["attempt_log"][0]["error"].startswith("interrupted: ")


def test_an_interrupted_last_attempt_fails_the_delivery() -> None:
    store = Store()
    outbox_row(store, "http://127.0.0.1:9/hook")
    assert store.claim_delivery(100.0, 5.0, max_attempts=1).attempts == 1
    assert store.claim_delivery(106.0, 5.0, max_attempts=1) is None
    (delivery,) = logged(store, 1)
    assert delivery["status"] == "failed" and [a["outcome"] for a in delivery["attempt_log"]] == ["interrupted"]


def test_a_late_answer_is_logged_but_does_not_move_a_delivery_claimed_again() -> None:
    store = Store()
    outbox_row(store, "http://127.0.0.1:9/hook")
    store.claim_delivery(100.0, 5.0, max_attempts=6)
    store.claim_delivery(106.0, 5.0, max_attempts=6)
    store.record_attempt("hangup-1", AttemptResult(1, 503, "HTTP 503", 7000.0, "failed", "failed", 0.0))
    (delivery,) = logged(store, 1)
    assert (delivery["status"], delivery["attempts"]) == ("pending", 2)
    assert [(a["attempt"], a["outcome"]) for a in delivery["attempt_log"]] == [(1, "failed"), (2, "in flight")]


def test_a_lease_no_longer_than_the_timeout_is_refused() -> None:
    with pytest.raises(ValueError, match=r"delivery_lease_seconds \(2\.0\) must be longer than delivery_timeout"):
        worker(Store(), delivery_timeout_seconds=2.0, delivery_lease_seconds=2.0)
    assert worker(Store(), delivery_timeout_seconds=2.0).lease_seconds == 7.0
