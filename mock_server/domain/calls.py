"""Calls that happen: click2call and inbound calls as state machines on the clock.

Nothing happens between requests: ``tick()`` processes every transition that is due by the
clock's time, oldest first (one call's steps in causal order, calls by due time), using each
step's scheduled time, not the time of the tick. A finished call writes its CDR (through the
same ``cdr_row`` as seeded history) and appends its callbacks to the outbox; the delivery
layer sends them. States: outbound ``dialing -> ringing -> talking <-> hold``; inbound
``ivr -> ringing -> talking <-> hold``; any state can end.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from mock_server.domain.callback_urls import CallbackHosts, parse_callback_url
from mock_server.domain.cdr import CallKeys, CallOutcome, callid, cdr_row
from mock_server.domain.clock import Clock, format_datetime, parse_datetime
from mock_server.domain.errors import CallStateError, InvalidHangupUrl, NoActiveCall
from mock_server.domain.events import AVAILABILITY, AgentEvents, mask_number
from mock_server.domain.ids import IdGenerator
from mock_server.domain.outcomes import DIAL_SECONDS, FAILS_AT_DIAL, RING_SECONDS, plan_outbound
from mock_server.domain.sessions import Agent
from mock_server.domain.tenants import Tenant
from mock_server.storage.store import CDR_COLUMNS, Store

NOTIFICATION_FIELDS = ("queuename", "queueid", "calldate", "callerid", "myemail", "callednum", "event", "callkey")


@dataclass(frozen=True)
class CallTimings:
    ring_seconds: tuple[int, int]
    talk_seconds: tuple[int, int]
    ivr_seconds: int
    allowed_callback_hosts: CallbackHosts


class Calls:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, keys: CallKeys, timings: CallTimings):
        self.store, self.clock, self.ids, self.keys, self.timings = store, clock, ids, keys, timings
        self.events = AgentEvents(store, keys)

    # -- helpers ------------------------------------------------------------------------------
    def _draw(self, seq: int):
        return lambda i: self.ids.uniform(f"call:{seq}", i)

    def _between(self, bounds: tuple[int, int], value: float) -> int:
        low, high = bounds
        return low + int(value * (high - low + 1))

    def check_callback_url(self, url: str, what: str) -> str:
        """The canonical form of a callback URL the fake may call, or ``InvalidHangupUrl`` naming ``what``."""
        try:
            target = parse_callback_url(url)
            self.timings.allowed_callback_hosts.check(target)
        except InvalidHangupUrl as error:
            raise InvalidHangupUrl(f"{what} {error.message}") from None
        return target.url

    def _active_of(self, agent: Agent):
        calls = self.store.agent_active_calls(agent.tenant, agent.email)
        return calls[0] if calls else None

    # -- vendor functions ---------------------------------------------------------------------
    def click2call(self, agent: Agent, tenant: Tenant, phonenumber: str, transactionid: str | None,
                   hangup_url: str | None, masked: bool, selected_queue: bool, uniqueid: str | None) -> dict[str, Any]:
        """Asynchronous and always "success" for a dial (facts §2.3, §13.4); refused only for an agent already on
        a call or a hangup_url the fake may not call (both assumed)."""
        if hangup_url:
            hangup_url = self.check_callback_url(hangup_url, "hangup_url")
        with self.store.transaction():
            if self._active_of(agent) is not None:
                raise CallStateError("Agent already has an active call")
            seq = self.store.allocate("CallLog")
            draw = self._draw(seq)
            scripted = self.store.pop_scripted_outcome(tenant.host, agent.email)
            if scripted is not None:
                disposition, ring, talk = scripted["disposition"], scripted["ring_seconds"], scripted["talk_seconds"]
            else:
                disposition, ring, talk = plan_outbound(phonenumber, draw)
            fixed_ring = RING_SECONDS.get(disposition)
            if ring is None or ring < 0:
                ring = fixed_ring if fixed_ring is not None else self._between(self.timings.ring_seconds, draw(1))
            if talk is None or talk < 0:
                talk = self._between(self.timings.talk_seconds, draw(2))
            queue = self.store.list_queues(tenant.host)[0]
            now = self.clock.now()
            self.store.insert_active_call({
                "seq": seq, "tenant": tenant.host, "inbound": 0, "agent_email": agent.email, "agent_key": agent.key,
                "number": phonenumber, "transactionid": transactionid or uniqueid or self.ids.guid(f"guid:{seq}"),
                "hangup_url": hangup_url or "", "masked": int(masked), "queue_name": queue["name"],
                "queue_key": queue["queuekey"], "status": "dialing", "started_at": format_datetime(now),
                "queued_at": None, "answered_at": None, "hold_since": None, "hold_seconds": 0,
                "disposition": disposition, "ending": "", "ivr_seconds": 0, "ring_seconds": ring, "talk_seconds": talk,
                "agent_hung_up": 0, "due_at": format_datetime(now + timedelta(seconds=DIAL_SECONDS))})
            self.events.call(self.store.get_active_call(seq), "Dial", now, "dialing", phonenumber)
        return {"success": True}

    def click2hang(self, agent: Agent) -> dict[str, Any]:
        with self.store.transaction():
            call = self._active_of(agent)
            if call is None:
                raise NoActiveCall("No active call")
            if call["answered_at"] is None:  # hung up before the far end answered
                self.store.update_active_call(call["seq"], disposition="CANCEL")
            self.store.update_active_call(call["seq"], agent_hung_up=1)
            self._end(self.store.get_active_call(call["seq"]), self.clock.now())
        return {"success": True}

    def click2hold(self, agent: Agent) -> dict[str, Any]:
        with self.store.transaction():
            call = self._active_of(agent)
            if call is None:
                raise NoActiveCall("No active call")
            if call["status"] != "talking":
                raise CallStateError("Call is on hold already" if call["status"] == "hold"
                                     else f"Call cannot be held while {call['status']}")
            now = self.clock.now()
            self.store.update_active_call(call["seq"], status="hold", hold_since=format_datetime(now))
            self.events.call(call, "Hold", now, "hold", "hold")
        return {"success": True}

    def click2unhold(self, agent: Agent) -> dict[str, Any]:
        with self.store.transaction():
            call = self._active_of(agent)
            if call is None:
                raise NoActiveCall("No active call")
            if call["status"] != "hold":
                raise CallStateError("Call is not on hold")
            now = self.clock.now()
            held = (now - parse_datetime(call["hold_since"])).total_seconds()
            self.store.update_active_call(call["seq"], status="talking", hold_since=None,
                                          hold_seconds=call["hold_seconds"] + int(held))
            self.events.call(call, "Talking", now, "talking", "talking")  # AJS reuses _Hold here (facts §13.7)
        return {"success": True}

    # -- softphone-only call control (the softphone page's buttons; no vendor API function) -------------
    def _ringing_inbound(self, agent: Agent, action: str):
        call = self._active_of(agent)
        if call is None:
            raise NoActiveCall("No active call")
        if not call["inbound"] or call["status"] != "ringing":
            direction = "inbound" if call["inbound"] else "outbound"
            raise CallStateError(f"Only a ringing inbound call can be {action}; this {direction} call is "
                                 f"{call['status']}")
        return call

    def answer(self, agent: Agent) -> dict[str, Any]:
        """The agent answers a ringing inbound call: it talks from now for its drawn talk time."""
        with self.store.transaction():
            call = self._ringing_inbound(agent, "answered")
            now = self.clock.now()
            self.store.update_active_call(call["seq"], status="talking", answered_at=format_datetime(now),
                                          disposition="ANSWER", ending="answered",
                                          due_at=format_datetime(now + timedelta(seconds=call["talk_seconds"])))
            self.events.call(call, "Answer", now, "talking", True)
            self.events.call(call, "Accept", now, "talking", "accept")
        return {"success": True}

    def reject(self, agent: Agent) -> dict[str, Any]:
        """The agent rejects a ringing inbound call (assumed: the call then ends unanswered in the queue)."""
        with self.store.transaction():
            call = self._ringing_inbound(agent, "rejected")
            now = self.clock.now()
            self.store.update_active_call(call["seq"], disposition="NOANSWER", ending="abandoned", agent_hung_up=1)
            self.events.call(call, "Reject", now, "ringing", True)
            self._end(self.store.get_active_call(call["seq"]), now)
        return {"success": True}

    def mute(self, agent: Agent, muted: bool | None = None) -> dict[str, Any]:
        """Toggle (or set) the agent's microphone on a connected call; media only, so no CDR effect."""
        with self.store.transaction():
            call = self._active_of(agent)
            if call is None:
                raise NoActiveCall("No active call")
            if call["status"] not in ("talking", "hold"):
                raise CallStateError(f"Cannot mute while {call['status']}")
            value = (not call["muted"]) if muted is None else muted
            self.store.update_active_call(call["seq"], muted=int(value))
            self.events.call(call, "Mute", self.clock.now(), call["status"], value, muted=value)
        return {"success": True, "muted": value}

    def getactivecall(self, agent: Agent) -> dict[str, Any]:
        return {"MyActiveCalls": [self.active_call_view(c) for c in self.store.agent_active_calls(agent.tenant,
                                                                                                   agent.email)]}

    def active_call_view(self, call) -> dict[str, Any]:
        """One MyActiveCalls item (facts §2.8): an answered inbound call stays inbound=true (facts §13.8)."""
        tenant_did = self.store.get_tenant(call["tenant"])["did"]
        inbound = bool(call["inbound"])
        return {
            "callid": callid(parse_datetime(call["started_at"]), call["seq"]), "callerid": call["number"] if inbound else tenant_did,
            "called_num": tenant_did if inbound else call["number"], "queue": call["queue_name"], "inbound": inbound,
            "status": call["status"], "calldate": call["started_at"], "talkdate": call["answered_at"],
            "key": self.keys.key("activecallkey", call["tenant"], call["seq"]),
        }

    # -- inbound calls (started through the control API) -----------------------------------------
    def start_inbound(self, tenant: Tenant, caller: str, queue: dict, ending: str, agent: dict | None,
                      talk_seconds: int | None, ring_seconds: int | None, ivr_seconds: int | None = None) -> str:
        """Start an inbound call; the agent to ring is the one given, else the first free user when it queues."""
        with self.store.transaction():
            if agent is not None and self.store.agent_active_calls(tenant.host, agent["email"]):
                raise CallStateError(f"Agent {agent['email']} already has an active call")
            seq = self.store.allocate("CallLog")
            draw = self._draw(seq)
            now = self.clock.now()
            ivr = self.timings.ivr_seconds if ivr_seconds is None else ivr_seconds
            self.store.insert_active_call({
                "seq": seq, "tenant": tenant.host, "inbound": 1, "agent_email": agent["email"] if agent else "",
                "agent_key": agent["userkey"] if agent else "",
                "number": caller, "transactionid": "", "hangup_url": "", "masked": int(tenant.masked_numbers),
                "queue_name": queue["name"] if ending != "no_queue" else "",
                "queue_key": queue["queuekey"] if ending != "no_queue" else "",
                "status": "ivr", "started_at": format_datetime(now), "queued_at": None, "answered_at": None,
                "hold_since": None, "hold_seconds": 0,
                "disposition": {"no_queue": "NOANSWER", "abandoned": "CANCEL", "answered": "ANSWER"}[ending],
                "ending": ending, "ivr_seconds": ivr,
                "ring_seconds": ring_seconds if ring_seconds is not None else
                self._between(self.timings.ring_seconds, draw(1)),
                "talk_seconds": talk_seconds if talk_seconds is not None else
                self._between(self.timings.talk_seconds, draw(2)),
                "agent_hung_up": 0, "due_at": format_datetime(now + timedelta(seconds=ivr)),
            })
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
                self._step(call, parse_datetime(call["due_at"]))
                done += 1

    def _step(self, call, at: datetime) -> None:
        status, seq = call["status"], call["seq"]
        later = lambda seconds: format_datetime(at + timedelta(seconds=seconds))  # noqa: E731
        if status == "dialing":
            if call["disposition"] in FAILS_AT_DIAL:
                self._end(call, at)
            else:
                self.store.update_active_call(seq, status="ringing", due_at=later(call["ring_seconds"]))
                self.events.call(call, "Ringing", at, "ringing", call["number"])
        elif status == "ivr":
            if call["ending"] == "no_queue":
                self._end(call, at)
            else:
                agent = self._free_agent(call)
                self.store.update_active_call(seq, status="ringing", queued_at=format_datetime(at),
                                              agent_email=agent["email"], agent_key=agent["userkey"],
                                              due_at=later(call["ring_seconds"]))
                self.events.call(self.store.get_active_call(seq), "IncomingCall", at, "ringing", call["number"])
        elif status == "ringing":
            if call["disposition"] == "ANSWER":
                self.store.update_active_call(seq, status="talking", answered_at=format_datetime(at),
                                              due_at=later(call["talk_seconds"]))
                if call["inbound"]:  # nobody pressed answer: the softphone's auto-answer (AJS _AutoAnswer)
                    self.events.call(call, "AutoAnswer", at, "talking", True)
                self.events.call(call, "Accept", at, "talking", "accept")
            else:
                self._end(call, at)
        else:  # talking or hold: the far end hangs up
            self._end(call, at)

    def _free_agent(self, call) -> dict:
        """The agent an inbound call rings: the one asked for, else the first available user without a call,
        else the first user (assumed ACD)."""
        if call["agent_email"]:
            return {"email": call["agent_email"], "userkey": call["agent_key"]}
        for user in self.store.list_users(call["tenant"]):
            status = self.store.get_agent_status(call["tenant"], user["email"]) or AVAILABILITY[0]
            if status == "available" and not self.store.agent_active_calls(call["tenant"], user["email"]):
                return user
        return self.store.list_users(call["tenant"])[0]

    def _outcome(self, call, at: datetime) -> CallOutcome:
        """The call as if it ended at ``at``."""
        started = parse_datetime(call["started_at"])
        queued = parse_datetime(call["queued_at"]) if call["queued_at"] else None
        answered = parse_datetime(call["answered_at"]) if call["answered_at"] else None
        hold = call["hold_seconds"] + (int((at - parse_datetime(call["hold_since"])).total_seconds())
                                       if call["hold_since"] else 0)
        inbound = bool(call["inbound"])
        talked = answered is not None
        return CallOutcome(
            inbound=inbound, number=call["number"], calldate=started,
            ivr_seconds=int((queued - started).total_seconds()) if queued else None,
            wait_seconds=int(((answered or at) - (queued or started)).total_seconds()),
            answered=talked, talk_seconds=int((at - answered).total_seconds()) if talked else 0,
            hold_seconds=hold, agent_email=call["agent_email"] if talked or not inbound else "",
            agent_key=call["agent_key"] if talked or not inbound else "", queue_name=call["queue_name"],
            queue_key=call["queue_key"], transferred=False, localrelease=bool(call["agent_hung_up"]),
            voicemail=False, disposition="ANSWER" if talked else call["disposition"],
            uniqueid=call["transactionid"], csat=None, tags=())

    def live_record(self, tenant: Tenant, seq: int | None) -> dict[str, Any] | None:
        """A call still in progress as a CDR row so far (assumed: the guide has CRMs look up a ringing call's
        masked caller by activecallkey, facts §15.5): no hangupdate and no hangupcause yet."""
        call = self.store.get_active_call(seq) if seq is not None else None
        if call is None or call["tenant"] != tenant.host:
            return None
        row = dict(zip(("seq", "tenant", *CDR_COLUMNS), cdr_row(seq, tenant, self._outcome(call, self.clock.now()))))
        return dict(row, hangupdate="", hangupcause="", recorded=0)

    def _end(self, call, at: datetime) -> None:
        """Finish a call at ``at``: its CDR, its callbacks, its softphone event; it leaves the active calls."""
        tenant = Tenant.from_row(self.store.get_tenant(call["tenant"]))
        outcome = self._outcome(call, at)
        self.store.insert_cdrs([cdr_row(call["seq"], tenant, outcome)])
        self.store.delete_active_call(call["seq"])
        self.events.call(call, "Hangup", at, self.store.get_agent_status(tenant.host, call["agent_email"])
                         or AVAILABILITY[0], "hangup", disposition=outcome.disposition,
                         duration=outcome.talk_seconds)
        key = self.keys.key("activecallkey", tenant.host, call["seq"])
        if call["hangup_url"]:
            fields = {"call_id": key, "caller_id": tenant.did,
                      "called_num": mask_number(call["number"]) if call["masked"] else call["number"],
                      "call_date": call["started_at"], "transaction_id": call["transactionid"],
                      "agent_username": call["agent_email"], "duration": str(outcome.talk_seconds),
                      "disposition": outcome.disposition, "tenant": tenant.host}
            self.store.enqueue(f"hangup-{key}", tenant.host, "hangup", "POST", call["hangup_url"],
                               "application/x-www-form-urlencoded", urlencode(fields), format_datetime(at))
        if outcome.inbound:
            self._notify(tenant, call, outcome, key, at)

    def _notify(self, tenant: Tenant, call, outcome: CallOutcome, key: str, at: datetime) -> None:
        """The IVR call-notification GET (facts §15.8): configured URL, parameter names from config."""
        config = self.store.get_notification_config(tenant.host)
        if config is None:
            return
        url, names = config
        values = {"calldate": call["started_at"], "callerid": mask_number(call["number"]) if call["masked"]
                  else call["number"], "callednum": tenant.did, "event": call["ending"], "callkey": key}
        if call["ending"] != "no_queue":
            values.update(queuename=call["queue_name"], queueid=call["queue_key"])
        if outcome.answered:
            values["myemail"] = call["agent_email"]
        query = urlencode({names.get(field, field): values[field] for field in NOTIFICATION_FIELDS if field in values})
        self.store.enqueue(f"notification-{key}", tenant.host, "notification", "GET",
                           url + ("&" if "?" in url else "?") + query, "", query, format_datetime(at))

    def set_notifications(self, tenant: Tenant, url: str, params: dict[str, str]) -> None:
        url = self.check_callback_url(url, "notification url")
        unknown = set(params) - set(NOTIFICATION_FIELDS)
        if unknown:
            raise CallStateError(f"unknown notification fields {sorted(unknown)}; known: {list(NOTIFICATION_FIELDS)}")
        self.store.set_notification_config(tenant.host, url, params)

