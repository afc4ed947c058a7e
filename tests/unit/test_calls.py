"""Calls on a manual clock: outcomes, state rules, CDRs and outbox entries (no HTTP)."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from mock_server.domain import errors
from mock_server.domain.cdr import CdrQuery
from mock_server.domain.outcomes import DISPOSITIONS, RESERVED_NUMBERS
from mock_server.spec import Spec
from mock_server.storage.records import NotificationConfig
from tests.conftest import ACME, DEMO, email_of, token_of
from tests.unit.conftest import domain

HOOK = "http://127.0.0.1:9/hook"
SPEC = Spec.bundled()
HANGUP_SCHEMA = SPEC.validator("#/components/schemas/HangupPost")


@pytest.fixture
def fake():
    return domain()


def agent_of(ccs, index=0, host=DEMO):
    tenant = ccs.backend.tenants.get(host)
    session = ccs.backend.login(tenant, app_token=token_of(ccs, host), email=email_of(ccs, host, index))["session"]
    return tenant, session


def advance(ccs, seconds):
    ccs.clock.advance(seconds)
    return ccs.backend.tick()


def active(ccs, tenant, session):
    return ccs.backend.getactivecall(tenant, session=session)["MyActiveCalls"]


def deliveries(ccs, kind="hangup"):
    return [d for d in ccs.backend.deliveries(None, 1000) if d["kind"] == kind]


def cdr_by_key(ccs, tenant, key):
    page = ccs.backend.reports.reports_cdr_logs(tenant, CdrQuery(activecallkey=key), None, include_call_history=False,
                                                include_csat=False, include_call_tags=False)
    return page["CallList"]


def place(ccs, tenant, session, number, **extra):
    return ccs.backend.click2call(tenant, session=session, phonenumber=number, transactionid=extra.get("transactionid"),
                                  hangup_url=extra.get("hangup_url", HOOK), masked=extra.get("masked", False))


def test_nothing_happens_until_the_clock_moves(fake) -> None:
    tenant, session = agent_of(fake)
    assert place(fake, tenant, session, "905550000001") == {"success": True}
    assert [c["status"] for c in active(fake, tenant, session)] == ["dialing"]
    assert fake.backend.tick() == 0
    assert [c["status"] for c in active(fake, tenant, session)] == ["dialing"]
    advance(fake, 1)
    assert [c["status"] for c in active(fake, tenant, session)] == ["ringing"]


def test_one_big_advance_runs_every_step_in_causal_order(fake) -> None:
    tenant, session = agent_of(fake)
    place(fake, tenant, session, "905550000001", transactionid="crm-1")
    assert advance(fake, 3600) == 3  # dialing -> ringing -> talking -> ended
    assert active(fake, tenant, session) == []
    (post,) = deliveries(fake)
    fields = {k: v[0] for k, v in parse_qs(post["payload"]).items()}
    (record,) = cdr_by_key(fake, tenant, fields["call_id"])
    assert record["calldate"] == "2026-01-05 09:00:00"
    assert record["talkdate"] == "2026-01-05 09:00:06" and record["hangupdate"] == "2026-01-05 09:01:06"
    assert post["created_at"] == "2026-01-05 09:01:06", "the step's own time, not the tick's"


@pytest.mark.parametrize("disposition", DISPOSITIONS)
def test_reserved_numbers_give_each_disposition(fake, disposition) -> None:
    number = next(n for n, d in RESERVED_NUMBERS.items() if d == disposition)
    tenant, session = agent_of(fake)
    assert place(fake, tenant, session, number) == {"success": True}
    advance(fake, 3600)
    (post,) = deliveries(fake)
    fields = {k: v[0] for k, v in parse_qs(post["payload"]).items()}
    assert HANGUP_SCHEMA.is_valid(fields), list(HANGUP_SCHEMA.iter_errors(fields))
    assert set(fields) == {"call_id", "caller_id", "called_num", "call_date", "transaction_id", "agent_username",
                           "duration", "disposition", "tenant"}
    assert post["content_type"] == "application/x-www-form-urlencoded"
    assert fields["disposition"] == disposition
    (record,) = cdr_by_key(fake, tenant, fields["call_id"])
    assert record["hangupcause"] == disposition and record["click2call"] and not record["inbound"]
    assert record["answered"] == (disposition == "ANSWER")
    if disposition == "ANSWER":
        assert fields["duration"] == "60" and record["duration"] == 60 and record["talkdate"]
    else:
        assert fields["duration"] == "0" and record["duration"] is None and record["talkdate"] is None


def test_long_call_and_dropped_call_numbers(fake) -> None:
    tenant, session = agent_of(fake)
    place(fake, tenant, session, "905550010042")  # dropped after 42 s
    advance(fake, 600)
    place(fake, tenant, session, "905550000010")  # long call: 3 h
    advance(fake, 3600)
    assert [c["status"] for c in active(fake, tenant, session)] == ["talking"]
    advance(fake, 3 * 3600)
    durations = [parse_qs(d["payload"])["duration"][0] for d in deliveries(fake)]
    assert durations == ["42", str(3 * 3600)]


def test_invalid_number_still_answers_success_and_fails_as_invalidargs(fake) -> None:
    tenant, session = agent_of(fake)
    assert place(fake, tenant, session, "call-me-maybe") == {"success": True}
    advance(fake, 5)
    assert parse_qs(deliveries(fake)[0]["payload"])["disposition"] == ["INVALIDARGS"]


def test_scripted_outcome_wins_agent_first_then_anyone(fake) -> None:
    tenant, session = agent_of(fake)
    me = email_of(fake)
    fake.backend.script_next_call(tenant, "", "BUSY", None, None)
    fake.backend.script_next_call(tenant, me, "ANSWER", 2, 7)
    for _ in range(3):
        place(fake, tenant, session, "905321112233")
        advance(fake, 600)
    outcomes = [(parse_qs(d["payload"])["disposition"][0], parse_qs(d["payload"])["duration"][0])
                for d in deliveries(fake)]
    assert outcomes[:2] == [("ANSWER", "7"), ("BUSY", "0")]


def test_other_numbers_get_a_seeded_mix(fake) -> None:
    def outcomes(ccs):
        tenant, session = agent_of(ccs)
        for i in range(40):
            place(ccs, tenant, session, f"9053200000{i:02d}")
            advance(ccs, 600)  # longer than the longest drawn ring + talk
        return [d["payload"] for d in deliveries(ccs)]
    first, again = outcomes(fake), outcomes(domain())
    assert first == again
    assert len({parse_qs(p)["disposition"][0] for p in first}) >= 3


def test_call_control_state_rules(fake) -> None:
    tenant, session = agent_of(fake)
    for control in (fake.backend.click2hang, fake.backend.click2hold, fake.backend.click2unhold):
        with pytest.raises(errors.NoActiveCall):
            control(tenant, session=session)
    place(fake, tenant, session, "905550000001")
    advance(fake, 1)
    with pytest.raises(errors.CallStateError, match="while ringing"):
        fake.backend.click2hold(tenant, session=session)
    with pytest.raises(errors.CallStateError, match="not on hold"):
        fake.backend.click2unhold(tenant, session=session)
    with pytest.raises(errors.CallStateError, match="already has an active call"):
        place(fake, tenant, session, "905550000001")
    assert [c["status"] for c in active(fake, tenant, session)] == ["ringing"], "errors changed nothing"
    advance(fake, 5)
    fake.backend.click2hold(tenant, session=session)
    assert active(fake, tenant, session)[0]["status"] == "hold"
    with pytest.raises(errors.CallStateError, match="on hold already"):
        fake.backend.click2hold(tenant, session=session)
    advance(fake, 20)
    fake.backend.click2unhold(tenant, session=session)
    advance(fake, 10)
    fake.backend.click2hang(tenant, session=session)
    fields = {k: v[0] for k, v in parse_qs(deliveries(fake)[0]["payload"]).items()}
    (record,) = cdr_by_key(fake, tenant, fields["call_id"])
    assert record["holdduration"] == 20 and record["hold"] and record["duration"] == 30
    assert record["localrelease"] is True


def test_hanging_up_a_ringing_call_is_cancel(fake) -> None:
    tenant, session = agent_of(fake)
    place(fake, tenant, session, "905550000001")
    advance(fake, 2)
    fake.backend.click2hang(tenant, session=session)
    assert parse_qs(deliveries(fake)[0]["payload"])["disposition"] == ["CANCEL"]
    assert active(fake, tenant, session) == []


def test_transaction_id_given_or_generated_and_findable_by_uniqueid(fake) -> None:
    tenant, session = agent_of(fake)
    place(fake, tenant, session, "905550000001", transactionid="crm-77")
    advance(fake, 600)
    place(fake, tenant, session, "905550000001")
    advance(fake, 600)
    given, generated = (parse_qs(d["payload"])["transaction_id"][0] for d in deliveries(fake))
    assert given == "crm-77" and len(generated) == 36 and generated.count("-") == 4
    for uniqueid in (given, generated):
        page = fake.backend.reports.reports_cdr_logs(tenant, CdrQuery(uniqueid=uniqueid), None,
                                                     include_call_history=False, include_csat=False,
                                                     include_call_tags=False)
        assert len(page["CallList"]) == 1


def test_masked_call_masks_the_number_in_the_post_only(fake) -> None:
    tenant, session = agent_of(fake)
    place(fake, tenant, session, "905550000001", masked=True)
    advance(fake, 600)
    fields = {k: v[0] for k, v in parse_qs(deliveries(fake)[0]["payload"]).items()}
    assert fields["called_num"] == "905*******01"
    assert cdr_by_key(fake, tenant, fields["call_id"])[0]["called_num"] == "905550000001"


def test_disallowed_hangup_url_is_refused_and_nothing_starts(fake) -> None:
    tenant, session = agent_of(fake)
    for url in ("http://crm.example.com/hook", "ftp://127.0.0.1/x", "not a url", "http:///nohost"):
        with pytest.raises(errors.InvalidHangupUrl):
            place(fake, tenant, session, "905550000001", hangup_url=url)
    assert active(fake, tenant, session) == [] and deliveries(fake) == []


def test_call_without_hangup_url_still_writes_its_cdr(fake) -> None:
    tenant, session = agent_of(fake)
    before = fake.store.count_cdrs(DEMO)
    place(fake, tenant, session, "905550000001", hangup_url=None)
    advance(fake, 600)
    assert fake.store.count_cdrs(DEMO) == before + 1 and deliveries(fake) == []


# -- inbound -----------------------------------------------------------------------------------------
def start_inbound(ccs, ending, agent_index=None, host=DEMO, **extra):
    tenant = ccs.backend.tenants.get(host)
    queue = dict(ccs.store.list_queues(host)[1])
    agent = dict(ccs.store.list_users(host)[agent_index]) if agent_index is not None else None
    return ccs.backend.start_inbound_call(tenant, "905321112233", queue, ending, agent, extra.get("talk"),
                                          extra.get("ring"), None)


def notification(ccs):
    (delivery,) = deliveries(ccs, "notification")
    return {k: v[0] for k, v in parse_qs(urlsplit(delivery["url"]).query).items()}


@pytest.fixture
def notified(fake):
    fake.backend.set_notifications(fake.backend.tenants.get(DEMO), "http://localhost:9/ivr", {})
    return fake


def test_inbound_answered_rings_then_talks_and_stays_inbound(notified) -> None:
    tenant, session = agent_of(notified, index=2)
    key = start_inbound(notified, "answered", agent_index=2, ring=4, talk=50)
    assert active(notified, tenant, session) == [], "still in the IVR"
    advance(notified, 8)
    (call,) = active(notified, tenant, session)
    assert (call["status"], call["inbound"], call["key"]) == ("ringing", True, key)
    advance(notified, 4)
    assert active(notified, tenant, session)[0]["status"] == "talking"
    assert active(notified, tenant, session)[0]["inbound"] is True
    advance(notified, 50)
    (record,) = cdr_by_key(notified, tenant, key)
    assert record["inbound"] and record["answered"] and record["queued"] and record["duration"] == 50
    assert record["agent"] == email_of(notified, index=2) and record["waitduration"] == 4
    params = notification(notified)
    assert params == {"queuename": "Sales", "queueid": record["queuekey"], "calldate": record["calldate"],
                      "callerid": "905321112233", "myemail": email_of(notified, index=2),
                      "callednum": "908502000001", "event": "answered", "callkey": key}


def test_inbound_abandoned_has_queue_but_no_agent(notified) -> None:
    key = start_inbound(notified, "abandoned", ring=30)
    advance(notified, 600)
    (record,) = cdr_by_key(notified, notified.backend.tenants.get(DEMO), key)
    assert record["abandon"] and not record["answered"] and record["agent"] == "" and record["waitduration"] == 30
    params = notification(notified)
    assert "myemail" not in params and params["queuename"] == "Sales" and params["event"] == "abandoned"


def test_inbound_without_queue_has_neither(notified) -> None:
    key = start_inbound(notified, "no_queue")
    advance(notified, 600)
    (record,) = cdr_by_key(notified, notified.backend.tenants.get(DEMO), key)
    assert not record["queued"] and record["queue"] == "" and not record["answered"]
    assert set(notification(notified)) == {"calldate", "callerid", "callednum", "event", "callkey"}


def test_notification_parameter_names_come_from_config(fake) -> None:
    tenant = fake.backend.tenants.get(DEMO)
    fake.backend.set_notifications(tenant, "http://127.0.0.1:9/ivr?token=abc",
                                   {"callerid": "caller", "callkey": "call_activecallkey"})
    key = start_inbound(fake, "no_queue")
    advance(fake, 600)
    (delivery,) = deliveries(fake, "notification")
    params = parse_qs(urlsplit(delivery["url"]).query)
    assert params["token"] == ["abc"] and params["caller"] == ["905321112233"]
    assert params["call_activecallkey"] == [key] and "callerid" not in params
    with pytest.raises(errors.CallStateError):
        fake.backend.set_notifications(tenant, "http://127.0.0.1:9/ivr", {"nonsense": "x"})
    with pytest.raises(errors.InvalidHangupUrl):
        fake.backend.set_notifications(tenant, "http://example.com/ivr", {})


def test_masked_tenant_masks_the_caller_in_notifications(fake) -> None:
    fake.backend.set_notifications(fake.backend.tenants.get(ACME), "http://127.0.0.1:9/ivr", {})
    start_inbound(fake, "no_queue", host=ACME)
    advance(fake, 600)
    assert notification(fake)["callerid"] == "905*******33"


def test_busy_agent_cannot_be_rung_and_nothing_starts(fake) -> None:
    tenant, session = agent_of(fake)
    place(fake, tenant, session, "905550000001")
    calls_before = fake.store.list_active_calls(DEMO)
    with pytest.raises(errors.CallStateError):
        start_inbound(fake, "answered", agent_index=0)
    assert fake.store.list_active_calls(DEMO) == calls_before


def test_new_cdr_appears_in_a_fresh_window_walk(fake) -> None:
    tenant, session = agent_of(fake)
    place(fake, tenant, session, "905550000001")
    advance(fake, 600)
    now = fake.clock.now()
    page = fake.backend.reports.reports_cdr_logs(tenant, CdrQuery(now - timedelta(hours=1), now), None,
                                                 include_call_history=False, include_csat=False,
                                                 include_call_tags=False)
    assert page["CallList"][0]["calldate"] == "2026-01-05 09:00:00" and page["CallList"][0]["click2call"]


def test_notification_params_match_the_spec_webhook(notified) -> None:
    _, webhook = SPEC.locate("webhooks", "callNotification", "get", "parameters")
    known = {p["name"] for p in webhook}
    required = {p["name"] for p in webhook if p.get("required")}
    for ending in ("no_queue", "abandoned", "answered"):
        start_inbound(notified, ending, ring=3, talk=5)
        advance(notified, 600)
    for delivery in deliveries(notified, "notification"):
        params = set(parse_qs(urlsplit(delivery["url"]).query))
        assert required <= params <= known, (params, delivery["url"])


def test_fixture_yaml_configures_notifications(tmp_path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(yaml.safe_dump({"seed": 1, "tenants": [{
        "name": "ivr", "domain": "alo-tech.com", "did": "1", "queues": ["Q1", "Q2"],
        "users": [{"email": "a@ivr.example", "name": "A"}],
        "notifications": {"url": "http://127.0.0.1:9/n", "params": {"callerid": "ani", "event": "status"}}}]}))
    ccs = domain(fixtures=str(path))
    assert ccs.backend.notification_config(ccs.backend.tenants.get("ivr.alo-tech.com")) == NotificationConfig(
        "http://127.0.0.1:9/n", {"callerid": "ani", "event": "status"})
    start_inbound(ccs, "no_queue", host="ivr.alo-tech.com")
    advance(ccs, 600)
    params = notification(ccs)
    assert params["ani"] == "905321112233" and params["status"] == "no_queue"
