"""Nothing gets out: every bypass form of the corpus (tests/http/test_callback_urls.py), through every way a
callback URL gets in, against ``ccs-mock serve``, while a real receiver on 127.0.0.2 (off the allow-list)
listens for any of them and a receiver on 127.0.0.1 gets the control cases. The served process is kept on
loopback (tests/netguard), so a form that slipped through could not leave the machine either."""
from __future__ import annotations

import requests

from mock_server.tools.receiver import Receiver
from mock_server.storage.records import Delivery
from mock_server.storage.store import Store
from tests.conftest import DEMO, wait_until
from tests.http.test_callback_urls import CORPUS, FORBIDDEN_HOST, api, corpus_url, deliveries, login
from tests.served import Served

ENV = {"CCS_MOCK_DELIVERY_TIMEOUT_SECONDS": "2", "CCS_MOCK_DELIVERY_BACKOFF_SECONDS": "0.05",
       "CCS_MOCK_DELIVERY_MAX_ATTEMPTS": "2"}


def test_no_corpus_form_reaches_a_host_off_the_list_by_any_way_in(tmp_path) -> None:
    db, guard_log = tmp_path / "fake.sqlite3", tmp_path / "netguard.log"
    # no skip: a machine that cannot listen on 127.0.0.2 fails here, loudly
    with Receiver(host=FORBIDDEN_HOST) as forbidden, Receiver() as control:
        served = Served("--db", str(db), env=ENV, netguard=guard_log)
        try:
            base, urls = served.url, [corpus_url(template, forbidden) for _, template, _ in CORPUS]
            session = login(base)
            for url in urls:
                answer = api(base, function="click2call", session=session, phonenumber="905550000001",
                             hangup_url=url)
                assert answer["success"] is False and answer["message"].startswith("hangup_url "), (url, answer)
                put = requests.put(f"{base}/_mock/notifications", json={"url": url}, timeout=10)
                assert put.status_code == 400, (url, put.text)
            writer = Store(str(db))  # rows straight into the outbox, as another process on the file would write
            for index, url in enumerate(urls):
                writer.enqueue(Delivery(f"corpus-{index}", DEMO, "hangup", "POST", url,
                                        "application/x-www-form-urlencoded", "call_id=x", "2026-01-01 00:00:00"))
            writer.enqueue(Delivery("control-outbox", DEMO, "hangup", "POST", control.url("/outbox"),
                                    "application/x-www-form-urlencoded", "call_id=x", "2026-01-01 00:00:00"))
            writer.close()
            # the control cases, through the same ways in
            assert api(base, function="click2call", session=session, phonenumber="905550000001",
                       hangup_url=control.url("/hangup")) == {"success": True}
            assert requests.put(f"{base}/_mock/notifications", json={"url": control.url("/ivr")}, timeout=10).ok
            assert requests.post(f"{base}/_mock/calls/inbound", json={"caller": "905321112233", "queue": "Support",
                                                                       "ending": "answered", "talk_seconds": 30},
                                 timeout=10).status_code == 201
            requests.post(f"{base}/_mock/clock", json={"advance_seconds": 600}, timeout=10)  # the calls end

            def settled() -> list[dict]:
                found = deliveries(base)
                return found if len(found) == len(urls) + 3 and all(d["status"] != "pending" for d in found) else []
            by_id = {d["delivery_id"]: d for d in wait_until(settled, timeout=60)}
            control.wait_for(3)
        finally:
            served.stop()
    refused = [by_id.pop(f"corpus-{index}") for index in range(len(urls))]
    assert {(d["status"], tuple(a["outcome"] for a in d["attempt_log"])) for d in refused} == \
        {("failed", ("refused",))}
    assert sorted(d["status"] for d in by_id.values()) == ["delivered"] * 3
    assert sorted(r.path for r in control.requests) == ["/hangup", "/ivr", "/outbox"]  # the receivers work
    assert forbidden.requests == [] and forbidden.holding == []  # ... and 127.0.0.2 heard nothing
    assert not guard_log.exists(), guard_log.read_text()  # nothing even tried to leave loopback
    print(f"{len(CORPUS)} forms x 3 ways in: {3 * len(CORPUS)} refused; 127.0.0.2 received "
          f"{len(forbidden.requests)}, 127.0.0.1 received {len(control.requests)} (control)")
