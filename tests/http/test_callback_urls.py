"""Callback URLs that URL parsers read differently never reach a host off the allow-list.

``CORPUS`` is the list of bypass forms. Each is refused where a callback URL comes in (click2call's
``hangup_url``, ``PUT /_mock/notifications``) and again by the delivery layer for a row written straight
into the outbox. ``{port}`` is the port of a live receiver on 127.0.0.2, a loopback address that is not on
the default allow-list: it must hear nothing. The process is guarded so that no connection can leave
loopback even if a form slipped through (tests/netguard). ``tests/reliability/test_callbacks_stay_inside``
runs the same corpus against ``ccs-mock serve``.
"""
from __future__ import annotations

import itertools

import pytest
import requests

from mock_server import create_app
from mock_server.tools.receiver import Receiver
from mock_server.runtime.server import LiveServer
from mock_server.storage.records import Delivery
from tests.conftest import DEMO, wait_until

FORBIDDEN_HOST = "127.0.0.2"  # loopback, so safe to listen on, but not on the default allow-list

# (id, URL with {port} = the 127.0.0.2 receiver's port, what the refusal says)
CORPUS: list[tuple[str, str, str]] = [
    ("backslash-userinfo", "http://127.0.0.2:{port}\\@127.0.0.1/x", "backslash"),
    ("backslash-userinfo-localhost", "http://127.0.0.2:{port}\\@localhost/x", "backslash"),
    ("backslash-metadata", "http://169.254.169.254\\@127.0.0.1/", "backslash"),
    ("backslash-private", "http://10.0.0.1\\@localhost/", "backslash"),
    ("backslash-path", "http://127.0.0.1:{port}\\..\\x", "backslash"),
    ("userinfo", "http://127.0.0.1:{port}@127.0.0.2:{port}/x", "'@'"),
    ("userinfo-password", "http://user:secret@127.0.0.1:{port}/x", "'@'"),
    ("at-after-query", "http://127.0.0.1:{port}?@127.0.0.2:{port}/x", "'@'"),
    ("fragment-userinfo", "http://127.0.0.2:{port}#@127.0.0.1/x", "'@'"),
    ("fragment", "http://127.0.0.1:{port}/x#top", "fragment"),
    ("tab-in-host", "http://127.0.0.\t2:{port}/x", "'\\t'"),
    ("newline-in-host", "http://127.0.0.2\n:{port}/x", "'\\n'"),
    ("space-in-host", "http://127.0.0.1 .127.0.0.2:{port}/x", "' '"),
    ("crlf-header-injection", "http://127.0.0.1:{port}/x\r\nHost: 127.0.0.2", "'\\r'"),
    ("ideographic-dots", "http://127\u30020\u30020\u30022:{port}/x", "printable ASCII"),
    ("fullwidth-dots", "http://127\uff0e0\uff0e0\uff0e2:{port}/x", "printable ASCII"),
    ("fullwidth-digits", "http://\uff11\uff12\uff17.0.0.2:{port}/x", "printable ASCII"),
    ("ipv4-mapped-ipv6", "http://[::ffff:127.0.0.2]:{port}/x", "IPv4-mapped"),
    ("ipv4-mapped-ipv6-hex", "http://[::ffff:7f00:2]:{port}/x", "IPv4-mapped"),
    ("ipv6-non-canonical", "http://[0:0:0:0:0:0:0:1]:{port}/x", "non-canonical"),
    ("decimal-ipv4", "http://2130706434:{port}/x", "IPv4 address"),
    ("hex-ipv4", "http://0x7f000002:{port}/x", "IPv4 address"),
    ("hex-dotted-ipv4", "http://0x7f.0.0.2:{port}/x", "IPv4 address"),
    ("octal-ipv4", "http://0177.0.0.2:{port}/x", "IPv4 address"),
    ("short-ipv4", "http://127.2:{port}/x", "IPv4 address"),
    ("percent-encoded-host", "http://%31%32%37.0.0.2:{port}/x", "IPv4 address"),
    ("trailing-dot-name", "http://localhost.:{port}/x", "ending with a dot"),
    ("trailing-dot-address", "http://127.0.0.2.:{port}/x", "ending with a dot"),
    ("empty-host", "http://:{port}/x", "no host"),
    ("port-zero", "http://127.0.0.1:0/x", "port"),
    ("port-too-large", "http://127.0.0.1:65536/x", "port"),
    ("port-leading-zero", "http://127.0.0.1:0{port}/x", "port"),
    ("no-authority", "http:127.0.0.2:{port}/x", "absolute http"),
    ("address-not-listed", "http://127.0.0.2:{port}/x", "not allowed"),
]
CORPUS_IDS = [entry[0] for entry in CORPUS]
FAST = {"delivery_timeout_seconds": 1.0, "delivery_backoff_seconds": 0.05, "delivery_max_attempts": 2}


def corpus_url(template: str, receiver: Receiver) -> str:
    return template.replace("{port}", str(receiver.port))


def api(base: str, **params) -> dict:
    return requests.get(f"{base}/api/", params=params, timeout=10).json()


def login(base: str) -> str:
    tenant = requests.get(f"{base}/_mock/tenants", timeout=10).json()["tenants"][0]
    return api(base, function="login", app_token=tenant["app_tokens"][0]["app_token"],
               email=tenant["users"][0]["email"])["session"]


def deliveries(base: str) -> list[dict]:
    return requests.get(f"{base}/_mock/deliveries", params={"limit": 100000}, timeout=10).json()["deliveries"]


@pytest.fixture(scope="module")
def forbidden() -> Receiver:
    with Receiver(host=FORBIDDEN_HOST) as receiver:  # no skip: a machine that cannot bind it fails here
        yield receiver
    assert receiver.requests == []


@pytest.fixture(scope="module")
def server(netguard, forbidden):
    server = LiveServer(create_app(**FAST)).start()
    yield server
    server.stop()


@pytest.fixture
def base(server) -> str:
    requests.post(f"{server.url}/_mock/reset", timeout=10)
    return server.url


@pytest.mark.parametrize(("template", "says"), [entry[1:] for entry in CORPUS], ids=CORPUS_IDS)
def test_click2call_refuses_the_form(base, forbidden, template, says) -> None:
    answer = api(base, function="click2call", session=login(base), phonenumber="905550000001",
                 hangup_url=corpus_url(template, forbidden))
    assert answer["success"] is False
    assert answer["message"].startswith("hangup_url ") and says in answer["message"]
    assert requests.get(f"{base}/_mock/calls", timeout=10).json()["calls"] == []
    assert deliveries(base) == []


@pytest.mark.parametrize(("template", "says"), [entry[1:] for entry in CORPUS], ids=CORPUS_IDS)
def test_notifications_refuse_the_form(base, forbidden, template, says) -> None:
    answer = requests.put(f"{base}/_mock/notifications", json={"url": corpus_url(template, forbidden)}, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("notification url ") and says in answer.json()["message"]
    assert requests.get(f"{base}/_mock/notifications", timeout=10).json()["url"] is None


_row_ids = itertools.count(1)


@pytest.mark.parametrize("template", [entry[1] for entry in CORPUS], ids=CORPUS_IDS)
def test_delivery_layer_refuses_the_form_already_in_the_outbox(server, base, forbidden, template) -> None:
    ccs = server.app.extensions["ccs"]
    delivery_id = f"corpus-{next(_row_ids)}"
    ccs.store.enqueue(Delivery(delivery_id, DEMO, "hangup", "POST", corpus_url(template, forbidden),
                               "application/x-www-form-urlencoded", "call_id=x", "2026-01-01 00:00:00"))
    ccs.delivery.wake()
    (row,) = wait_until(lambda: [d for d in deliveries(base) if d["status"] != "pending"])
    assert (row["delivery_id"], row["status"], row["attempts"]) == (delivery_id, "failed", 1)
    (attempt,) = row["attempt_log"]
    assert attempt["outcome"] == "refused" and attempt["status_code"] is None
    assert "not contacted" in attempt["error"]
    assert forbidden.requests == [] and forbidden.holding == []


def test_a_receiver_on_the_forbidden_address_hears_once_a_range_on_the_list_covers_it(netguard) -> None:
    """The control for the corpus: a receiver on 127.0.0.2 works, and a CIDR range on the list lets it in."""
    with Receiver(host=FORBIDDEN_HOST) as allowed:
        server = LiveServer(create_app(allowed_callback_hosts=("127.0.0.0/30",), **FAST)).start()
        try:
            answer = api(server.url, function="click2call", session=login(server.url), phonenumber="905550000001",
                         hangup_url=allowed.url("/cidr"))
            assert answer == {"success": True}
            requests.post(f"{server.url}/_mock/clock", json={"advance_seconds": 600}, timeout=10)
            (post,) = allowed.wait_for(1)
            assert post.path == "/cidr" and post.headers["host"] == f"127.0.0.2:{allowed.port}"
        finally:
            server.stop()


def test_the_canonical_url_is_stored_and_sent(netguard) -> None:
    with Receiver() as receiver:
        server = LiveServer(create_app(**FAST)).start()
        try:
            given = f"HTTP://LocalHost:{receiver.port}/Crm/Hook?Kind=Hangup"
            assert api(server.url, function="click2call", session=login(server.url), phonenumber="905550000001",
                       hangup_url=given) == {"success": True}
            put = requests.put(f"{server.url}/_mock/notifications", json={"url": f"HTTP://[::1]:{receiver.port}/Ivr"},
                               timeout=10)
            assert put.json()["url"] == f"http://[::1]:{receiver.port}/Ivr"
            requests.post(f"{server.url}/_mock/clock", json={"advance_seconds": 600}, timeout=10)
            (post,) = receiver.wait_for(1)
            assert (post.path, post.query) == ("/Crm/Hook", {"Kind": "Hangup"})
            assert post.headers["host"] == f"localhost:{receiver.port}"
            (delivery,) = deliveries(server.url)
            assert delivery["url"] == f"http://localhost:{receiver.port}/Crm/Hook?Kind=Hangup"
        finally:
            server.stop()


def test_a_bad_allow_list_entry_stops_the_fake_with_what_to_write() -> None:
    with pytest.raises(ValueError, match=r"'10\.20\.1\.0/16' has host bits set \(did you mean 10\.20\.0\.0/16\?\)"):
        create_app(allowed_callback_hosts=("127.0.0.1", "10.20.1.0/16"))
