"""The softphone's domain side on a manual clock: its events, buttons, agent status and live call records."""
from __future__ import annotations

import pytest

from mock_server.domain import errors
from mock_server.domain.cdr import CdrQuery
from mock_server.spec import Spec
from tests.conftest import ACME, DEMO, email_of, token_of
from tests.unit.conftest import domain
from tests.unit.test_calls import active, advance, agent_of, place

MESSAGE_SCHEMA = Spec.bundled("softphone.yaml").validator("#/components/schemas/SoftphoneMessage")


@pytest.fixture
def fake():
    return domain()


def events(ccs, host=DEMO, index=0):
    """Every event of the agent so far, each checked against the protocol's JSON Schema."""
    found = ccs.store.agent_events_after(host, email_of(ccs, host, index), 0)
    for message in found:
        errors_ = sorted(MESSAGE_SCHEMA.iter_errors(message), key=str)
        assert not errors_, (message, [e.message for e in errors_])
    return found


def types(found):
    return [m["messageType"] for m in found]


def ring(ccs, host=DEMO, caller="905321112233", ending="answered", **extra):
    tenant = ccs.backend.tenants.get(host)
    queue = dict(ccs.store.list_queues(host)[0])
    agent = dict(ccs.store.list_users(host)[0])
    return ccs.backend.start_inbound_call(tenant, caller, queue, ending, agent, extra.get("talk_seconds", 60),
                                          extra.get("ring_seconds", 30), extra.get("ivr_seconds", 0))


def test_incoming_call_message_carries_number_key_queue_and_time(fake) -> None:
    key = ring(fake)
    [message] = events(fake)
    assert message["messageType"] == "IncomingCall"
    assert (message["phoneNumber"], message["activecallkey"], message["direction"], message["status"]) == (
        "905321112233", key, "inbound", "ringing")
    assert message["queue"] == fake.store.list_queues(DEMO)[0]["name"]
    assert message["time"] == fake.clock_now_text()


def test_masked_tenant_masks_the_number_and_the_live_record_by_activecallkey_reveals_it(fake) -> None:
    key = ring(fake, ACME, caller="905321112233")
    [message] = events(fake, ACME)
    assert message["phoneNumber"] == "905*******33"
    tenant = fake.backend.tenants.get(ACME)
    page = fake.backend.reports_cdr_logs(tenant, app_token=token_of(fake, ACME), query=CdrQuery(activecallkey=key))
    [record] = page["CallList"]
    assert (record["callerid"], record["activecallkey"], record["hangupdate"], record["answered"]) == (
        "905321112233", key, "", False)


def test_answer_connects_now_and_getactivecall_shows_talking(fake) -> None:
    ring(fake)
    tenant, session = agent_of(fake)
    advance(fake, 4)
    assert fake.backend.softphone_answer(tenant, session) == {"success": True}
    [call] = active(fake, tenant, session)
    assert call["status"] == "talking" and call["talkdate"] == fake.clock_now_text()
    assert types(events(fake)) == ["IncomingCall", "Answer", "Accept"]


def test_reject_ends_the_call_unanswered_with_a_cdr(fake) -> None:
    key = ring(fake)
    tenant, session = agent_of(fake)
    fake.backend.softphone_reject(tenant, session)
    assert active(fake, tenant, session) == []
    found = events(fake)
    assert types(found) == ["IncomingCall", "Reject", "Hangup"]
    assert (found[-1]["disposition"], found[-1]["duration"]) == ("NOANSWER", 0)
    [record] = fake.backend.reports.reports_cdr_logs(tenant, CdrQuery(activecallkey=key), None,
                                                     include_call_history=False, include_csat=False,
                                                     include_call_tags=False)["CallList"]
    assert record["answered"] is False and record["hangupdate"]


def test_only_a_ringing_inbound_call_can_be_answered_or_rejected(fake) -> None:
    tenant, session = agent_of(fake)
    with pytest.raises(errors.NoActiveCall):
        fake.backend.softphone_answer(tenant, session)
    place(fake, tenant, session, "905550000001")
    advance(fake, 2)
    with pytest.raises(errors.CallStateError, match="outbound call is ringing"):
        fake.backend.softphone_reject(tenant, session)


def test_nobody_answering_is_the_auto_answer_then_the_clock_hangs_up(fake) -> None:
    ring(fake, ring_seconds=5, talk_seconds=42)
    advance(fake, 5)
    advance(fake, 42)
    found = events(fake)
    assert types(found) == ["IncomingCall", "AutoAnswer", "Accept", "Hangup"]
    assert (found[-1]["disposition"], found[-1]["duration"], found[-1]["status"]) == ("ANSWER", 42, "available")


def test_outbound_call_events_follow_the_call(fake) -> None:
    tenant, session = agent_of(fake)
    place(fake, tenant, session, "905550000001")  # reserved: answered after 5 s, talks 60 s
    advance(fake, 1)
    advance(fake, 5)
    fake.backend.click2hold(tenant, session=session)
    assert fake.backend.softphone_mute(tenant, session) == {"success": True, "muted": True}
    fake.backend.click2unhold(tenant, session=session)
    fake.backend.click2hang(tenant, session=session)
    found = events(fake)
    assert types(found) == ["Dial", "Ringing", "Accept", "Hold", "Mute", "Talking", "Hangup"]
    assert {m["direction"] for m in found} == {"outbound"}
    assert found[0]["phoneNumber"] == "905550000001" and found[4]["muted"] is True


def test_mute_needs_a_connected_call(fake) -> None:
    tenant, session = agent_of(fake)
    place(fake, tenant, session, "905550000001")
    with pytest.raises(errors.CallStateError, match="Cannot mute while dialing"):
        fake.backend.softphone_mute(tenant, session)


def test_agent_status_changes_and_is_refused_while_ringing(fake) -> None:
    tenant, session = agent_of(fake)
    assert fake.backend.softphone_status(tenant, session, "lunch") == {"success": True, "status": "lunch"}
    assert fake.backend.softphone_state(tenant, session)["status"] == "lunch"
    fake.backend.softphone_status(tenant, session, "available")
    ring(fake)
    with pytest.raises(errors.CallStateError, match="Status could not be changed while ringing"):
        fake.backend.softphone_status(tenant, session, "meeting")
    found = events(fake)
    assert [(m["messageType"], m["message"]) for m in found if m["messageType"] == "AgentStatus"] == [
        ("AgentStatus", "lunch"), ("AgentStatus", "available"), ("AgentStatus", "Status could not be changed")]
    with pytest.raises(errors.InvalidParameter):
        fake.backend.softphone_status(tenant, session, "asleep")


def test_an_unavailable_agent_is_not_rung_by_the_queue(fake) -> None:
    tenant, session = agent_of(fake, 0)
    fake.backend.softphone_status(tenant, session, "lunch")
    start = fake.backend.start_inbound_call(tenant, "905321112233", fake.store.list_queues(DEMO)[0], "answered",
                                            None, 60, 30, 0)
    [call] = fake.backend.active_calls(tenant)
    assert (call["agent"], call["key"]) == (email_of(fake, DEMO, 1), start)


def test_softphone_dial_is_click2call(fake) -> None:
    tenant, session = agent_of(fake)
    fake.backend.softphone_dial(tenant, session, "905550000002")
    [call] = active(fake, tenant, session)
    assert (call["called_num"], call["status"], call["inbound"]) == ("905550000002", "dialing", False)


def test_state_shows_the_running_call_and_where_events_resume(fake) -> None:
    tenant, session = agent_of(fake)
    ring(fake)
    state = fake.backend.softphone_state(tenant, session)
    assert state["call"]["status"] == "ringing" and state["status"] == "ringing"
    assert state["lastEventId"] == events(fake)[-1]["eventId"]
    assert state["agent"]["email"] == email_of(fake)


def test_events_are_deterministic(fake) -> None:
    other = domain()
    for ccs in (fake, other):
        ring(ccs)
        advance(ccs, 200)
    assert events(fake) == events(other)


# -- the buttons let the clock's time take effect first ------------------------------------------------
def test_answer_pressed_after_the_ring_time_finds_the_call_already_auto_answered(fake) -> None:
    ring(fake, ring_seconds=5, talk_seconds=42)
    tenant, session = agent_of(fake)
    fake.clock.advance(6)  # no request in between: only the button's own tick can move the call
    with pytest.raises(errors.CallStateError, match="this inbound call is talking"):
        fake.backend.softphone_answer(tenant, session)
    assert types(events(fake)) == ["IncomingCall", "AutoAnswer", "Accept"]


def test_hangup_pressed_after_the_far_end_hung_up_finds_no_call_and_changes_no_record(fake) -> None:
    tenant, session = agent_of(fake)
    place(fake, tenant, session, "905550000001")  # reserved: rings 5 s, talks 60 s, then the far end hangs up
    fake.clock.advance(3600)
    with pytest.raises(errors.NoActiveCall):
        fake.backend.click2hang(tenant, session=session)  # the softphone's hang-up button
    [hangup] = [m for m in events(fake) if m["messageType"] == "Hangup"]
    assert (hangup["duration"], hangup["time"]) == (60, "2026-01-05 09:01:06")


def test_the_page_shows_the_call_as_the_clock_has_moved_it(fake) -> None:
    ring(fake, ring_seconds=5, talk_seconds=42)
    tenant, session = agent_of(fake)
    fake.clock.advance(6)
    assert fake.backend.softphone_state(tenant, session)["call"]["status"] == "talking"
