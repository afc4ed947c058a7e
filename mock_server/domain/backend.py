"""The tenant-facing API as plain methods, one per vendor function, same names in snake_case; then the
softphone page's and the control API's entry points.

Each vendor function is marked ``@vendor_function(operationId)``; routing calls it with the tenant and the
spec-validated, converted parameters as keywords (their names are the spec's; ``Spec.vendor_calls`` checks
at start-up) and answers what it returns. Authentication happens here: app_token functions check the
tenant's token, session functions resolve the agent (facts §1.5). Every entry point that reads or changes calls is an
``entry_point``: it first lets the clock's time take effect (``tick``), so no answer shows a call
in a state its due time has already moved it out of.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, TypeVar

from mock_server.domain.call_control import CallControl
from mock_server.domain.callbacks import Callbacks
from mock_server.domain.calls import CallLifecycle, CallTimings
from mock_server.domain.cdr import CallKeys, CdrQuery, CdrReports
from mock_server.domain.clock import Clock
from mock_server.domain.events import AgentEvents
from mock_server.domain.ids import IdGenerator
from mock_server.domain.journal import Journal
from mock_server.domain.notifications import Notifications
from mock_server.domain.sessions import Sessions
from mock_server.domain.sink import Sink
from mock_server.domain.softphone import Softphone
from mock_server.domain.tenants import Tenant, TenantDirectory
from mock_server.domain.vendor_functions import vendor_function
from mock_server.storage.records import NotificationConfig, ScriptedOutcome
from mock_server.storage.store import Store

Method = TypeVar("Method", bound=Callable[..., Any])


@dataclass(frozen=True)
class BackendOptions:
    session_lifetime_seconds: int
    max_sessions_per_user: int
    login_session_token_alias: bool
    timings: CallTimings
    journal_max_rows: int = 0  # 0: keep every entry


def entry_point(method: Method) -> Method:
    """Run ``tick()`` before the method: the clock's time takes effect before a request is served."""
    @functools.wraps(method)
    def ticked(self: "Backend", *args: Any, **kwargs: Any) -> Any:
        self.tick()
        return method(self, *args, **kwargs)
    return ticked  # type: ignore[return-value]


class Backend:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, options: BackendOptions):
        self.store, self.clock, self.ids, self.options = store, clock, ids, options
        keys = CallKeys(ids)
        events = AgentEvents(store, keys)
        self.tenants = TenantDirectory(store, clock, ids)
        self.sessions = Sessions(store, clock, ids, options.session_lifetime_seconds, options.max_sessions_per_user)
        self.callbacks = Callbacks(store)
        self.notifications = Notifications(store, options.timings.allowed_callback_hosts)
        self.calls = CallLifecycle(store, clock, ids, keys, options.timings, events, self.callbacks)
        self.control = CallControl(store, clock, keys, events, self.calls)
        self.reports = CdrReports(store, clock, ids, keys, self.calls.live_record)
        self.softphone = Softphone(store, clock, events)
        self.journal = Journal(store, clock, options.journal_max_rows)
        self.sink = Sink(store)

    def tick(self) -> int:
        """Let the clock's time take effect: every call transition due by now happens."""
        return self.calls.tick()

    # -- app_token functions ------------------------------------------------------------------
    @vendor_function("ping")
    @entry_point
    def ping(self, tenant: Tenant, *, app_token: str) -> dict[str, Any]:
        self.tenants.check_app_token(tenant, app_token)
        return {"success": True, "message": "pong"}

    @vendor_function("login")
    @entry_point
    def login(self, tenant: Tenant, *, app_token: str, email: str) -> dict[str, Any]:
        self.tenants.check_app_token(tenant, app_token)
        session = self.sessions.login(tenant, email)
        body: dict[str, Any] = {"login": True, "session": session, "message": "Login Successful!", "language": "en"}
        if self.options.login_session_token_alias:
            body["session_token"] = session  # D-V17's key name (facts §13.1), off by default
        return body

    @vendor_function("reportsCDRLogs")
    @entry_point
    def reports_cdr_logs(self, tenant: Tenant, *, app_token: str, query: CdrQuery, cursor: str | None = None,
                         include_call_history: bool = False, include_csat: bool = False,
                         include_call_tags: bool = False) -> dict[str, Any]:
        """``query`` takes the spec's filter parameters (``CdrQuery``'s fields)."""
        self.tenants.check_app_token(tenant, app_token)
        return self.reports.reports_cdr_logs(tenant, query, cursor, include_call_history=include_call_history,
                                             include_csat=include_csat, include_call_tags=include_call_tags)

    @vendor_function("recordinginfo")
    @entry_point
    def recordinginfo(self, tenant: Tenant, *, app_token: str, callkey: str) -> dict[str, Any]:
        self.tenants.check_app_token(tenant, app_token)
        return self.reports.recordinginfo(tenant, callkey)

    @vendor_function("reportsAgentPerf")
    @entry_point
    def reports_agent_perf(self, tenant: Tenant, *, app_token: str, startdate: date | None = None,
                           finishdate: date | None = None, agent: str | None = None, email: str | None = None,
                           agentcustomid: str | None = None, team: str | None = None) -> dict[str, Any]:
        self.tenants.check_app_token(tenant, app_token)
        return self.reports.reports_agent_perf(tenant, startdate, finishdate, agent, email, agentcustomid, team)

    # -- session functions ----------------------------------------------------------------------
    @vendor_function("click2call")
    @entry_point
    def click2call(self, tenant: Tenant, *, session: str, phonenumber: str, transactionid: str | None = None,
                   hangup_url: str | None = None, masked: bool = False, selected_queue: bool = False,
                   uniqueid: str | None = None) -> dict[str, Any]:
        """Asynchronous and always "success" for a dial (facts §2.3, §13.4). ``selected_queue`` is accepted and
        ignored: ``on`` lets the agent pick the queue on the agent screen (facts §2.3), which the fake does not
        have; its calls take the tenant's first queue."""
        self.calls.place(self.sessions.agent(tenant, session), tenant, phonenumber, transactionid=transactionid,
                         hangup_url=hangup_url, masked=masked, uniqueid=uniqueid)
        return {"success": True}

    @vendor_function("click2hang")
    @entry_point
    def click2hang(self, tenant: Tenant, *, session: str) -> dict[str, Any]:
        return self.control.hang(self.sessions.agent(tenant, session))

    @vendor_function("click2hold")
    @entry_point
    def click2hold(self, tenant: Tenant, *, session: str) -> dict[str, Any]:
        return self.control.hold(self.sessions.agent(tenant, session))

    @vendor_function("click2unhold")
    @entry_point
    def click2unhold(self, tenant: Tenant, *, session: str) -> dict[str, Any]:
        return self.control.unhold(self.sessions.agent(tenant, session))

    @vendor_function("getactivecall")
    @entry_point
    def getactivecall(self, tenant: Tenant, *, session: str) -> dict[str, Any]:
        return self.control.active_calls(self.sessions.agent(tenant, session))

    # -- the softphone page (its hang up and hold buttons are the vendor functions above) ------------
    @entry_point
    def softphone_state(self, tenant: Tenant, session: str) -> dict[str, Any]:
        return self.softphone.state(self.sessions.agent(tenant, session))

    @entry_point
    def softphone_dial(self, tenant: Tenant, session: str, number: str) -> dict[str, Any]:
        """The dial pad: the same call as ``click2call`` (no hangup_url: the softphone has none)."""
        return self.click2call(tenant, session=session, phonenumber=number)

    @entry_point
    def softphone_answer(self, tenant: Tenant, session: str) -> dict[str, Any]:
        return self.control.answer(self.sessions.agent(tenant, session))

    @entry_point
    def softphone_reject(self, tenant: Tenant, session: str) -> dict[str, Any]:
        return self.control.reject(self.sessions.agent(tenant, session))

    @entry_point
    def softphone_mute(self, tenant: Tenant, session: str) -> dict[str, Any]:
        return self.control.mute(self.sessions.agent(tenant, session))

    @entry_point
    def softphone_status(self, tenant: Tenant, session: str, status: str) -> dict[str, Any]:
        return self.softphone.set_status(self.sessions.agent(tenant, session), status)

    # -- the control API ------------------------------------------------------------------------
    def advance_clock(self, seconds: float) -> None:
        """Move the clock forward; every call transition due by the new time happens, each at its own time."""
        self.clock.advance(seconds)
        self.tick()

    def set_clock(self, when: datetime) -> None:
        """Set the clock (never backwards); every call transition due by then happens, each at its own time."""
        self.clock.set(when)
        self.tick()

    @entry_point
    def start_inbound_call(self, tenant: Tenant, caller: str, queue: Any, ending: str, agent: Any | None,
                           talk_seconds: int | None, ring_seconds: int | None, ivr_seconds: int | None) -> str:
        """An inbound call from ``caller`` into ``queue`` (a queue of the tenant); its activecallkey."""
        key = self.calls.start_inbound(tenant, caller, queue, ending, agent, talk_seconds, ring_seconds, ivr_seconds)
        self.tick()  # with ivr_seconds 0 the call rings the agent now
        return key

    @entry_point
    def script_next_call(self, tenant: Tenant, agent_email: str, disposition: str, ring_seconds: int | None,
                         talk_seconds: int | None) -> None:
        """The next click2call of the agent (``agent_email`` "": of anyone on the tenant) ends as scripted."""
        self.calls.script_next(tenant, agent_email, ScriptedOutcome(disposition, ring_seconds, talk_seconds))

    @entry_point
    def active_calls(self, tenant: Tenant) -> list[dict[str, Any]]:
        return self.control.tenant_calls(tenant)

    @entry_point
    def set_notifications(self, tenant: Tenant, url: str, params: dict[str, str]) -> None:
        self.notifications.set(tenant, url, params)

    def notification_config(self, tenant: Tenant) -> NotificationConfig | None:
        return self.notifications.get(tenant)

    def deliveries(self, tenant: Tenant | None, limit: int) -> list[dict[str, Any]]:
        return self.callbacks.log(tenant, limit)
