"""The call state machine is one table: every transition the clock or an agent makes is in it."""
from __future__ import annotations

import pytest

from mock_server.domain import errors
from mock_server.domain.call_states import ENDED, TRANSITIONS, due_event, next_state
from mock_server.domain.outcomes import DISPOSITIONS
from mock_server.storage.records import ActiveCall


def call(status: str, inbound: bool = False, disposition: str = "ANSWER", ending: str = "") -> ActiveCall:
    return ActiveCall(seq=1, tenant="t", inbound=int(inbound), agent_email="a@t", agent_key="k", number="1",
                      transactionid="", hangup_url="", masked=0, queue_name="", queue_key="", status=status,
                      started_at="2026-01-05 09:00:00", queued_at=None, answered_at=None, hold_since=None,
                      hold_seconds=0, disposition=disposition, ending=ending, ivr_seconds=0, ring_seconds=0,
                      talk_seconds=0, agent_hung_up=0, due_at="2026-01-05 09:00:00")


@pytest.mark.parametrize("disposition", DISPOSITIONS)
def test_the_clock_moves_an_outbound_call_through_the_table_to_its_end(disposition: str) -> None:
    state, path = "dialing", []
    while state != ENDED:
        state = next_state(call(state, disposition=disposition), due_event(call(state, disposition=disposition)))
        path.append(state)
    assert path[-1] == ENDED and len(path) <= 3
    assert ("talking" in path) == (disposition == "ANSWER")


@pytest.mark.parametrize(("ending", "path"), [("no_queue", [ENDED]), ("abandoned", ["ringing", ENDED]),
                                              ("answered", ["ringing", "talking", ENDED])])
def test_the_clock_moves_an_inbound_call_by_its_ending(ending: str, path: list[str]) -> None:
    disposition = {"no_queue": "NOANSWER", "abandoned": "CANCEL", "answered": "ANSWER"}[ending]
    state, seen = "ivr", []
    while state != ENDED:
        current = call(state, inbound=True, disposition=disposition, ending=ending)
        state = next_state(current, due_event(current))
        seen.append(state)
    assert seen == path


@pytest.mark.parametrize(("status", "event", "inbound", "message"), [
    ("hold", "hold", False, "Call is on hold already"),
    ("ringing", "hold", False, "Call cannot be held while ringing"),
    ("talking", "unhold", False, "Call is not on hold"),
    ("dialing", "mute", False, "Cannot mute while dialing"),
    ("ringing", "answer", False, "Only a ringing inbound call can be answered; this outbound call is ringing"),
    ("talking", "reject", True, "Only a ringing inbound call can be rejected; this inbound call is talking"),
])
def test_an_agent_event_the_table_lacks_is_refused_saying_why(status, event, inbound, message) -> None:
    with pytest.raises(errors.CallStateError) as refused:
        next_state(call(status, inbound=inbound), event)
    assert refused.value.message == message


def test_every_state_but_the_ivr_can_be_hung_up_and_every_transition_names_a_known_state() -> None:
    states = {state for state, _ in TRANSITIONS}
    assert states == {"dialing", "ivr", "ringing", "talking", "hold"}
    assert set(TRANSITIONS.values()) <= states | {ENDED}
    assert {state for state, event in TRANSITIONS if event == "hangup"} == states - {"ivr"}
