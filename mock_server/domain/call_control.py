"""What an agent does to the call in progress: the vendor's call-control functions (click2hang, click2hold,
click2unhold, getactivecall) and the softphone page's buttons (answer, reject, mute).

Each action is an event of the state table (``call_states``), refused there when the call's state does
not allow it; ending a call is the lifecycle's (``calls.CallLifecycle.end``).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from mock_server.domain.call_states import next_state
from mock_server.domain.calls import CallLifecycle
from mock_server.domain.cdr import CallKeys, callid
from mock_server.domain.clock import Clock, format_datetime, parse_datetime
from mock_server.domain.errors import NoActiveCall
from mock_server.domain.events import AgentEvents
from mock_server.domain.sessions import Agent
from mock_server.domain.tenants import Tenant
from mock_server.storage.records import ActiveCall
from mock_server.storage.store import Store

DONE = {"success": True}


class CallControl:
    def __init__(self, store: Store, clock: Clock, keys: CallKeys, events: AgentEvents, lifecycle: CallLifecycle):
        self.store, self.clock, self.keys, self.events, self.lifecycle = store, clock, keys, events, lifecycle

    def current(self, agent: Agent) -> ActiveCall:
        """The agent's call in progress, or ``NoActiveCall``."""
        calls = self.store.agent_active_calls(agent.tenant, agent.email)
        if not calls:
            raise NoActiveCall("No active call")
        return calls[0]

    # -- vendor functions ---------------------------------------------------------------------
    def hang(self, agent: Agent) -> dict[str, Any]:
        """The agent hangs up now; a call the far end had not answered yet ends as CANCEL."""
        with self.store.transaction():
            call = self.current(agent)
            next_state(call, "hangup")
            if call.answered_at is None:
                call = replace(call, disposition="CANCEL")
            self.lifecycle.end(replace(call, agent_hung_up=1), self.clock.now())
        return dict(DONE)

    def hold(self, agent: Agent) -> dict[str, Any]:
        with self.store.transaction():
            call = self.current(agent)
            state = next_state(call, "hold")
            now = self.clock.now()
            self.store.update_active_call(replace(call, status=state, hold_since=format_datetime(now)))
            self.events.call(call, "Hold", now, "hold", "hold")
        return dict(DONE)

    def unhold(self, agent: Agent) -> dict[str, Any]:
        with self.store.transaction():
            call = self.current(agent)
            state = next_state(call, "unhold")
            now = self.clock.now()
            held = int((now - parse_datetime(call.hold_since)).total_seconds())
            self.store.update_active_call(replace(call, status=state, hold_since=None,
                                                  hold_seconds=call.hold_seconds + held))
            self.events.call(call, "Talking", now, "talking", "talking")  # AJS reuses _Hold here (facts §13.7)
        return dict(DONE)

    def active_calls(self, agent: Agent) -> dict[str, Any]:
        """getactivecall's body: the agent's calls in progress."""
        return {"MyActiveCalls": [self.view(call) for call in self.store.agent_active_calls(agent.tenant,
                                                                                               agent.email)]}

    def view(self, call: ActiveCall) -> dict[str, Any]:
        """One MyActiveCalls item (facts §2.8): an answered inbound call stays inbound=true (facts §13.8)."""
        tenant_did = self.store.get_tenant(call.tenant)["did"]
        inbound = bool(call.inbound)
        return {
            "callid": callid(parse_datetime(call.started_at), call.seq),
            "callerid": call.number if inbound else tenant_did, "called_num": tenant_did if inbound else call.number,
            "queue": call.queue_name, "inbound": inbound, "status": call.status, "calldate": call.started_at,
            "talkdate": call.answered_at, "key": self.keys.key("activecallkey", call.tenant, call.seq),
        }

    def tenant_calls(self, tenant: Tenant) -> list[dict[str, Any]]:
        """Every call in progress on the tenant, each with its agent (None before an inbound call has one)."""
        return [dict(self.view(call), agent=call.agent_email or None)
                for call in self.store.list_active_calls(tenant.host)]

    # -- the softphone's buttons (no vendor API function) --------------------------------------
    def answer(self, agent: Agent) -> dict[str, Any]:
        """The agent answers a ringing inbound call: it talks from now for its drawn talk time."""
        with self.store.transaction():
            call = self.current(agent)
            state = next_state(call, "answer")
            now = self.clock.now()
            self.store.update_active_call(replace(
                call, status=state, answered_at=format_datetime(now), disposition="ANSWER", ending="answered",
                due_at=format_datetime(now + timedelta(seconds=call.talk_seconds))))
            self.events.call(call, "Answer", now, "talking", True)
            self.events.call(call, "Accept", now, "talking", "accept")
        return dict(DONE)

    def reject(self, agent: Agent) -> dict[str, Any]:
        """The agent rejects a ringing inbound call (assumed: the call then ends unanswered in the queue)."""
        with self.store.transaction():
            call = self.current(agent)
            next_state(call, "reject")
            now = self.clock.now()
            call = replace(call, disposition="NOANSWER", ending="abandoned", agent_hung_up=1)
            self.events.call(call, "Reject", now, "ringing", True)
            self.lifecycle.end(call, now)
        return dict(DONE)

    def mute(self, agent: Agent, muted: bool | None = None) -> dict[str, Any]:
        """Toggle (or set) the agent's microphone on a connected call; media only, so no CDR effect."""
        with self.store.transaction():
            call = self.current(agent)
            next_state(call, "mute")
            value = (not call.muted) if muted is None else muted
            self.store.update_active_call(replace(call, muted=int(value)))
            self.events.call(call, "Mute", self.clock.now(), call.status, value, muted=value)
        return {"success": True, "muted": value}
