"""Softphone events: what an agent's softphone learns about its calls, kept as a per-agent log.

The guide says the softphone iframe sends the embedding page JSON messages with a ``messageType``
and names one, ``IncomingCall``, carrying the caller's number and the ``activecallkey`` (facts
§15.5, CONFIRMED). Every other name mirrors the vendor's AJS softphone events (facts §5.8:
``_Dial``, ``_ShowRinging``, ``_Answer``, ``_AutoAnswer``, ``_Reject``, ``_Accept``, ``_Hold``,
``_MuteMicToggle``, ``_Hangup``, ``_AgentStatus``) without the underscore, and the fields are
assumed (facts §5.6: the real protocol is not public). ``openapi/softphone.yaml`` holds a JSON
Schema per message. The log is a table, so every worker process and every open softphone page
of the agent sees the same events in the same order.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from mock_server.domain.cdr import CallKeys
from mock_server.domain.clock import format_datetime
from mock_server.storage.records import ActiveCall
from mock_server.storage.store import Store

AVAILABILITY = ("available", "backoffice", "aftercallwork", "shortbreak", "lunch", "training", "meeting")  # §5.10
BUSY_STATES = ("ringing", "talking", "hold")  # facts §5.10: the status cannot change in these


def mask_number(number: str) -> str:
    """Assumed mask format: keep the first 3 and last 2 digits."""
    return number[:3] + "*" * max(0, len(number) - 5) + number[-2:] if len(number) > 5 else "*" * len(number)


class AgentEvents:
    def __init__(self, store: Store, keys: CallKeys):
        self.store, self.keys = store, keys

    def call_fields(self, call: ActiveCall) -> dict[str, Any]:
        """How a softphone sees a call: its key, the customer's number (masked when asked), direction, queue."""
        return {"activecallkey": self.keys.key("activecallkey", call.tenant, call.seq),
                "phoneNumber": mask_number(call.number) if call.masked else call.number,
                "direction": "inbound" if call.inbound else "outbound", "queue": call.queue_name}

    def call(self, call: ActiveCall, message_type: str, at: datetime, status: str, message: Any,
             **extra: Any) -> None:
        """A message about one call to the agent it rings or connects (none while no agent is involved)."""
        if not call.agent_email:
            return
        self.store.append_agent_event(call.tenant, call.agent_email, format_datetime(at), {
            "messageType": message_type, "time": format_datetime(at), "agent": call.agent_email,
            **self.call_fields(call), "status": status, "message": message, **extra})

    def agent(self, tenant: str, email: str, message_type: str, at: datetime, status: str, message: Any) -> None:
        """A message about the agent, not a call (``AgentStatus``)."""
        self.store.append_agent_event(tenant, email, format_datetime(at), {
            "messageType": message_type, "time": format_datetime(at), "agent": email, "status": status,
            "message": message})
