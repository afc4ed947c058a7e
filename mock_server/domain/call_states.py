"""The call state machine as one table: (state, event) -> next state, checked in one place.

Outbound calls go ``dialing -> ringing -> talking <-> hold``, inbound ones ``ivr -> ringing -> talking
<-> hold``; a call leaves the machine (``ENDED``) with its CDR. Two kinds of event move a call: the
clock's, at a call's due time, which its plan picks (``due_event``), and the agent's, from the vendor's
call-control functions and the softphone's buttons, which are refused when the table has no entry.
"""
from __future__ import annotations

from mock_server.domain.errors import CallStateError
from mock_server.domain.outcomes import FAILS_AT_DIAL
from mock_server.storage.records import ActiveCall

ENDED = "ended"
AGENT_STATES = ("dialing", "ringing", "talking", "hold")  # the states in which a call involves its agent

TRANSITIONS: dict[tuple[str, str], str] = {
    # the clock
    ("dialing", "ring"): "ringing",  # the far end rings
    ("dialing", "fail"): ENDED,  # congestion, unavailable, invalid number
    ("ivr", "queue"): "ringing",  # the IVR hands the call to a queue, which rings an agent
    ("ivr", "leave"): ENDED,  # the caller leaves in the IVR
    ("ringing", "connect"): "talking",  # the far end answers, or the softphone auto-answers
    ("ringing", "give_up"): ENDED,  # busy, no answer, cancelled, abandoned in the queue
    ("talking", "far_hangup"): ENDED,
    ("hold", "far_hangup"): ENDED,
    # the agent
    ("talking", "hold"): "hold",
    ("hold", "unhold"): "talking",
    ("talking", "mute"): "talking",
    ("hold", "mute"): "hold",
    ("ringing", "answer"): "talking",
    ("ringing", "reject"): ENDED,
    **{(state, "hangup"): ENDED for state in AGENT_STATES},
}
INBOUND_ONLY = frozenset({"answer", "reject"})  # the softphone's buttons for a call that rings the agent
# why the agent's event is refused, by event, and for a (state, event) pair where that says more
REFUSALS = {
    "hold": "Call cannot be held while {status}",
    "unhold": "Call is not on hold",
    "mute": "Cannot mute while {status}",
    "answer": "Only a ringing inbound call can be answered; this {direction} call is {status}",
    "reject": "Only a ringing inbound call can be rejected; this {direction} call is {status}",
}
STATE_REFUSALS = {("hold", "hold"): "Call is on hold already"}


def next_state(call: ActiveCall, event: str) -> str:
    """The state ``event`` takes ``call`` to, or ``CallStateError`` saying why its state refuses it."""
    target = TRANSITIONS.get((call.status, event))
    if target is None or (event in INBOUND_ONLY and not call.inbound):
        refusal = STATE_REFUSALS.get((call.status, event)) or REFUSALS.get(event, "Cannot {event} while {status}")
        raise CallStateError(refusal.format(status=call.status, event=event,
                                            direction="inbound" if call.inbound else "outbound"))
    return target


def due_event(call: ActiveCall) -> str:
    """What happens to ``call`` at its due time, by its state and its plan (disposition, ending)."""
    if call.status == "dialing":
        return "fail" if call.disposition in FAILS_AT_DIAL else "ring"
    if call.status == "ivr":
        return "leave" if call.ending == "no_queue" else "queue"
    if call.status == "ringing":
        return "connect" if call.disposition == "ANSWER" else "give_up"
    return "far_hangup"
