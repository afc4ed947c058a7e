"""Calls from start to end: click2call and inbound calls on the clock.

Nothing happens between requests: ``tick()`` carries out every transition that is due by the
clock's time, oldest first (one call's steps in causal order, calls by due time), using each
step's scheduled time, not the time of the tick. Which transitions exist is the table in
``call_states``; what a dialled number does is ``outcomes``. A finished call writes its CDR (through
the same ``cdr_row`` as seeded history) and appends its callbacks to the outbox (``callbacks``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Callable

from mock_server.domain.call_states import ENDED, due_event, next_state
from mock_server.domain.callback_urls import CallbackHosts
from mock_server.domain.callbacks import Callbacks
from mock_server.domain.cdr import CallKeys, CallOutcome, cdr_row
from mock_server.domain.clock import Clock, format_datetime, parse_datetime
from mock_server.domain.errors import CallStateError
from mock_server.domain.events import AVAILABILITY, AgentEvents
from mock_server.domain.ids import IdGenerator
from mock_server.domain.outcomes import DIAL_SECONDS, RING_SECONDS, plan_outbound
from mock_server.domain.sessions import Agent
from mock_server.domain.tenants import Tenant
from mock_server.storage.records import ActiveCall, CdrRecord, ScriptedOutcome
from mock_server.storage.store import Store

INBOUND_DISPOSITIONS = {"no_queue": "NOANSWER", "abandoned": "CANCEL", "answered": "ANSWER"}  # by ending


@dataclass(frozen=True)
class CallTimings:
    ring_seconds: tuple[int, int]
    talk_seconds: tuple[int, int]
    ivr_seconds: int
    allowed_callback_hosts: CallbackHosts


def _between(bounds: tuple[int, int], value: float) -> int:
    low, high = bounds
    return low + int(value * (high - low + 1))


class CallLifecycle:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, keys: CallKeys, timings: CallTimings,
                 events: AgentEvents, callbacks: Callbacks):
        self.store, self.clock, self.ids, self.keys, self.timings = store, clock, ids, keys, timings
        self.events, self.callbacks = events, callbacks
        self._moves: dict[str, Callable[[ActiveCall, str, datetime], None]] = {
            "ring": self._ring, "queue": self._queue, "connect": self._connect}

    def _draw(self, seq: int) -> Callable[[int], float]:
        return lambda i: self.ids.uniform(f"call:{seq}", i)

    @staticmethod
    def _starting(seq: int, tenant: Tenant, now: datetime, **plan: Any) -> ActiveCall:
        """A call as it starts: nothing queued, answered, held or hung up yet."""
        return ActiveCall(seq=seq, tenant=tenant.host, started_at=format_datetime(now), queued_at=None,
                          answered_at=None, hold_since=None, hold_seconds=0, agent_hung_up=0, **plan)

    # -- starting ------------------------------------------------------------------------------
    def place(self, agent: Agent, tenant: Tenant, number: str, *, transactionid: str | None, hangup_url: str | None,
              masked: bool, uniqueid: str | None) -> None:
        """click2call's call: it dials now. Refused only for an agent already on a call or a hangup_url the fake
        may not call (both assumed)."""
        if hangup_url:
            hangup_url = self.timings.allowed_callback_hosts.canonical(hangup_url, "hangup_url")
        with self.store.transaction():
            if self.store.agent_active_calls(agent.tenant, agent.email):
                raise CallStateError("Agent already has an active call")
            seq = self.store.allocate("CallLog")
            disposition, ring, talk = self._outbound_plan(seq, tenant, agent, number)
            queue = self.store.list_queues(tenant.host)[0]
            now = self.clock.now()
            call = self._starting(
                seq, tenant, now, inbound=0, agent_email=agent.email, agent_key=agent.key, number=number,
                transactionid=transactionid or uniqueid or self.ids.guid(f"guid:{seq}"), hangup_url=hangup_url or "",
                masked=int(masked), queue_name=queue["name"], queue_key=queue["queuekey"], status="dialing",
                disposition=disposition, ending="", ivr_seconds=0, ring_seconds=ring, talk_seconds=talk,
                due_at=format_datetime(now + timedelta(seconds=DIAL_SECONDS)))
            self.store.insert_active_call(call)
            self.events.call(call, "Dial", now, "dialing", number)

    def script_next(self, tenant: Tenant, agent_email: str, outcome: ScriptedOutcome) -> None:
        """The next click2call of the agent (``agent_email`` "": of anyone on the tenant) ends as ``outcome``."""
        self.store.push_scripted_outcome(tenant.host, agent_email, outcome)

    def _outbound_plan(self, seq: int, tenant: Tenant, agent: Agent, number: str) -> tuple[str, int, int]:
        """(disposition, ring, talk): the outcome scripted for the agent, else the number's own; a duration left
        open (None when scripted, DRAWN when planned) is the disposition's fixed ring time or a seeded draw."""
        draw = self._draw(seq)
        scripted = self.store.pop_scripted_outcome(tenant.host, agent.email)
        if scripted is not None:
            disposition, ring, talk = scripted.disposition, scripted.ring_seconds, scripted.talk_seconds
        else:
            disposition, ring, talk = plan_outbound(number, draw)
        fixed_ring = RING_SECONDS.get(disposition)
        if ring is None or ring < 0:
            ring = fixed_ring if fixed_ring is not None else _between(self.timings.ring_seconds, draw(1))
        if talk is None or talk < 0:
            talk = _between(self.timings.talk_seconds, draw(2))
        return disposition, ring, talk

    def start_inbound(self, tenant: Tenant, caller: str, queue: Any, ending: str, agent: Any | None,
                      talk_seconds: int | None, ring_seconds: int | None, ivr_seconds: int | None = None) -> str:
        """Start an inbound call in the IVR; its activecallkey. The agent to ring is the one given, else the first
        free user when it queues."""
        with self.store.transaction():
            if agent is not None and self.store.agent_active_calls(tenant.host, agent["email"]):
                raise CallStateError(f"Agent {agent['email']} already has an active call")
            seq = self.store.allocate("CallLog")
            draw = self._draw(seq)
            now = self.clock.now()
            ivr = self.timings.ivr_seconds if ivr_seconds is None else ivr_seconds
            queued = ending != "no_queue"
            self.store.insert_active_call(self._starting(
                seq, tenant, now, inbound=1, agent_email=agent["email"] if agent else "",
                agent_key=agent["userkey"] if agent else "", number=caller, transactionid="", hangup_url="",
                masked=int(tenant.masked_numbers), queue_name=queue["name"] if queued else "",
                queue_key=queue["queuekey"] if queued else "", status="ivr",
                disposition=INBOUND_DISPOSITIONS[ending], ending=ending, ivr_seconds=ivr,
                ring_seconds=ring_seconds if ring_seconds is not None else _between(self.timings.ring_seconds,
                                                                                    draw(1)),
                talk_seconds=talk_seconds if talk_seconds is not None else _between(self.timings.talk_seconds,
                                                                                    draw(2)),
                due_at=format_datetime(now + timedelta(seconds=ivr))))
        return self.keys.key("activecallkey", tenant.host, seq)

    # -- the clock ------------------------------------------------------------------------------
    def tick(self) -> int:
        """Carry out every transition due by now, in causal order; returns how many."""
        done = 0
        now = self.clock.now()
        with self.store.transaction():
            while True:
                call = self.store.next_due_call(format_datetime(now))
                if call is None:
                    return done
                self._step(call, parse_datetime(call.due_at))
                done += 1

    def _step(self, call: ActiveCall, at: datetime) -> None:
        """The transition due at ``at``: the one the call's plan picks, as the state table says."""
        event = due_event(call)
        state = next_state(call, event)
        if state == ENDED:
            self.end(call, at)
        else:
            self._moves[event](call, state, at)

    def _ring(self, call: ActiveCall, state: str, at: datetime) -> None:
        self.store.update_active_call(replace(call, status=state, due_at=_later(at, call.ring_seconds)))
        self.events.call(call, "Ringing", at, "ringing", call.number)

    def _queue(self, call: ActiveCall, state: str, at: datetime) -> None:
        email, key = self._free_agent(call)
        call = replace(call, status=state, queued_at=format_datetime(at), agent_email=email, agent_key=key,
                       due_at=_later(at, call.ring_seconds))
        self.store.update_active_call(call)
        self.events.call(call, "IncomingCall", at, "ringing", call.number)

    def _connect(self, call: ActiveCall, state: str, at: datetime) -> None:
        self.store.update_active_call(replace(call, status=state, answered_at=format_datetime(at),
                                              due_at=_later(at, call.talk_seconds)))
        if call.inbound:  # nobody pressed answer: the softphone's auto-answer (AJS _AutoAnswer)
            self.events.call(call, "AutoAnswer", at, "talking", True)
        self.events.call(call, "Accept", at, "talking", "accept")

    def _free_agent(self, call: ActiveCall) -> tuple[str, str]:
        """(e-mail, key) of the agent an inbound call rings: the one asked for, else the first available user
        without a call, else the first user (assumed ACD)."""
        if call.agent_email:
            return call.agent_email, call.agent_key
        users = self.store.list_users(call.tenant)
        for user in users:
            status = self.store.get_agent_status(call.tenant, user["email"]) or AVAILABILITY[0]
            if status == "available" and not self.store.agent_active_calls(call.tenant, user["email"]):
                return user["email"], user["userkey"]
        return users[0]["email"], users[0]["userkey"]

    # -- the end --------------------------------------------------------------------------------
    def end(self, call: ActiveCall, at: datetime) -> None:
        """Finish a call at ``at``: its CDR, its softphone event, its callbacks; it leaves the active calls."""
        tenant = Tenant.from_row(self.store.get_tenant(call.tenant))
        outcome = outcome_of(call, at)
        self.store.insert_cdrs([cdr_row(call.seq, tenant, outcome)])
        self.store.delete_active_call(call.seq)
        self.events.call(call, "Hangup", at, self.store.get_agent_status(tenant.host, call.agent_email)
                         or AVAILABILITY[0], "hangup", disposition=outcome.disposition,
                         duration=outcome.talk_seconds)
        key = self.keys.key("activecallkey", tenant.host, call.seq)
        if call.hangup_url:
            self.callbacks.hangup(tenant, call, outcome, key, at)
        if outcome.inbound:
            self.callbacks.notification(tenant, call, outcome, key, at)

    def live_record(self, tenant: Tenant, seq: int | None) -> CdrRecord | None:
        """A call still in progress as its CDR so far: no hangupdate and no hangupcause yet."""
        call = self.store.get_active_call(seq) if seq is not None else None
        if call is None or call.tenant != tenant.host:
            return None
        return cdr_row(seq, tenant, outcome_of(call, self.clock.now()))._replace(hangupdate="", hangupcause="",
                                                                                 recorded=0)


def _later(at: datetime, seconds: int) -> str:
    return format_datetime(at + timedelta(seconds=seconds))


def outcome_of(call: ActiveCall, at: datetime) -> CallOutcome:
    """The call as if it ended at ``at``."""
    started = parse_datetime(call.started_at)
    queued = parse_datetime(call.queued_at) if call.queued_at else None
    answered = parse_datetime(call.answered_at) if call.answered_at else None
    hold = call.hold_seconds + (int((at - parse_datetime(call.hold_since)).total_seconds())
                                if call.hold_since else 0)
    inbound = bool(call.inbound)
    talked = answered is not None
    return CallOutcome(
        inbound=inbound, number=call.number, calldate=started,
        ivr_seconds=int((queued - started).total_seconds()) if queued else None,
        wait_seconds=int(((answered or at) - (queued or started)).total_seconds()),
        answered=talked, talk_seconds=int((at - answered).total_seconds()) if talked else 0,
        hold_seconds=hold, agent_email=call.agent_email if talked or not inbound else "",
        agent_key=call.agent_key if talked or not inbound else "", queue_name=call.queue_name,
        queue_key=call.queue_key, transferred=False, localrelease=bool(call.agent_hung_up),
        voicemail=False, disposition="ANSWER" if talked else call.disposition,
        uniqueid=call.transactionid, csat=None, tags=())
