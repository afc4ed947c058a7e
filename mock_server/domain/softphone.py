"""The agent's softphone: availability status and what a freshly opened softphone shows.

Availability statuses are the ones seen on the vendor's agents (facts §5.10, SEEN-IN-CLIENT);
while a call rings, talks or is held the status cannot change, and the vendor's softphone then
reports "Status could not be changed" (facts §5.8, ``_AgentStatus``).
"""
from __future__ import annotations

from typing import Any

from mock_server.domain.clock import Clock, format_datetime
from mock_server.domain.errors import CallStateError, InvalidParameter
from mock_server.domain.events import AVAILABILITY, BUSY_STATES, AgentEvents
from mock_server.domain.sessions import Agent
from mock_server.storage.store import Store

STATUS_REFUSED = "Status could not be changed"  # AJS's _AgentStatus failure message (facts §5.8)


class Softphone:
    def __init__(self, store: Store, clock: Clock, events: AgentEvents):
        self.store, self.clock, self.events = store, clock, events

    def availability(self, agent: Agent) -> str:
        return self.store.get_agent_status(agent.tenant, agent.email) or AVAILABILITY[0]

    def set_status(self, agent: Agent, status: str) -> dict[str, Any]:
        if status not in AVAILABILITY:
            raise InvalidParameter("status", "one of " + ", ".join(AVAILABILITY))
        now = self.clock.now()
        call = self.store.agent_active_calls(agent.tenant, agent.email)
        if call and call[0].status in BUSY_STATES:
            self.events.agent(agent.tenant, agent.email, "AgentStatus", now, call[0].status, STATUS_REFUSED)
            raise CallStateError(f"{STATUS_REFUSED} while {call[0].status}")
        with self.store.transaction():
            self.store.set_agent_status(agent.tenant, agent.email, status, format_datetime(now))
            self.events.agent(agent.tenant, agent.email, "AgentStatus", now, status, status)
        return {"success": True, "status": status}

    def state(self, agent: Agent) -> dict[str, Any]:
        """What the page shows on load; ``lastEventId`` is where its event stream starts."""
        calls = self.store.agent_active_calls(agent.tenant, agent.email)
        call = None
        if calls:
            current = calls[0]
            call = dict(self.events.call_fields(current), status=current.status, answeredAt=current.answered_at,
                        muted=bool(current.muted))
        return {"agent": {"email": agent.email, "name": agent.name}, "tenant": agent.tenant,
                "status": call["status"] if call else self.availability(agent), "availability": self.availability(agent),
                "statuses": list(AVAILABILITY), "call": call, "clock": format_datetime(self.clock.now()),
                "lastEventId": self.store.last_agent_event_id()}

    def events_after(self, agent: Agent, after: int) -> list[dict[str, Any]]:
        """The agent's softphone messages with an id above ``after``, oldest first (what the event stream sends)."""
        return self.store.agent_events_after(agent.tenant, agent.email, after)
