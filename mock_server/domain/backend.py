"""The tenant-facing API as plain methods, one per vendor function, same names in snake_case.

Each is marked ``@vendor_function(operationId)``; routing calls it with the tenant and the spec-validated,
converted parameters as keywords (their names are the spec's; ``Spec.vendor_calls`` checks at start-up) and
answers what it returns. Authentication happens here: app_token functions check the tenant's token, session
functions resolve the agent (facts §1.5).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from mock_server.domain.calls import Calls, CallTimings
from mock_server.domain.cdr import CdrQuery, CdrReports, to_wire
from mock_server.domain.clock import Clock
from mock_server.domain.ids import IdGenerator
from mock_server.domain.sessions import Sessions
from mock_server.domain.softphone import Softphone
from mock_server.domain.tenants import Tenant, TenantDirectory
from mock_server.domain.vendor_functions import vendor_function
from mock_server.storage.store import Store


@dataclass(frozen=True)
class BackendOptions:
    session_lifetime_seconds: int
    max_sessions_per_user: int
    login_session_token_alias: bool
    timings: CallTimings


class Backend:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, options: BackendOptions):
        self.store, self.clock, self.ids, self.options = store, clock, ids, options
        self.tenants = TenantDirectory(store, clock, ids)
        self.sessions = Sessions(store, clock, ids, options.session_lifetime_seconds, options.max_sessions_per_user)
        self.reports = CdrReports(store, clock, ids)
        self.calls = Calls(store, clock, ids, self.reports.keys, options.timings)
        self.softphone = Softphone(store, clock, self.calls)

    def tick(self) -> int:
        """Let the clock's time take effect: every call transition due by now happens."""
        return self.calls.tick()

    # -- app_token functions ------------------------------------------------------------------
    @vendor_function("ping")
    def ping(self, tenant: Tenant, *, app_token: str) -> dict[str, Any]:
        self.tenants.check_app_token(tenant, app_token)
        return {"success": True, "message": "pong"}

    @vendor_function("login")
    def login(self, tenant: Tenant, *, app_token: str, email: str) -> dict[str, Any]:
        self.tenants.check_app_token(tenant, app_token)
        session = self.sessions.login(tenant, email)
        body: dict[str, Any] = {"login": True, "session": session, "message": "Login Successful!", "language": "en"}
        if self.options.login_session_token_alias:
            body["session_token"] = session  # D-V17's key name (facts §13.1), off by default
        return body

    @vendor_function("reportsCDRLogs")
    def reports_cdr_logs(self, tenant: Tenant, *, app_token: str, query: CdrQuery, cursor: str | None = None,
                         include_call_history: bool = False, include_csat: bool = False,
                         include_call_tags: bool = False) -> dict[str, Any]:
        """``query`` takes the spec's filter parameters (``CdrQuery``'s fields)."""
        self.tenants.check_app_token(tenant, app_token)
        body = self.reports.reports_cdr_logs(tenant, query, cursor, include_call_history=include_call_history,
                                             include_csat=include_csat, include_call_tags=include_call_tags)
        key_field = "activecallkey" if query.activecallkey else "callkey" if query.callkey else None
        if key_field and not body["CallList"]:  # a call still in progress: its record so far
            live = self.calls.live_record(tenant, self.reports.keys.seq_of(key_field, tenant.host,
                                                                           getattr(query, key_field)))
            if live is not None:
                body["CallList"] = [to_wire(live, self.reports.keys, include_call_history=include_call_history,
                                            include_csat=include_csat, include_call_tags=include_call_tags)]
        return body

    @vendor_function("recordinginfo")
    def recordinginfo(self, tenant: Tenant, *, app_token: str, callkey: str) -> dict[str, Any]:
        self.tenants.check_app_token(tenant, app_token)
        return self.reports.recordinginfo(tenant, callkey)

    @vendor_function("reportsAgentPerf")
    def reports_agent_perf(self, tenant: Tenant, *, app_token: str, startdate: date | None = None,
                           finishdate: date | None = None, agent: str | None = None, email: str | None = None,
                           agentcustomid: str | None = None, team: str | None = None) -> dict[str, Any]:
        self.tenants.check_app_token(tenant, app_token)
        return self.reports.reports_agent_perf(tenant, startdate, finishdate, agent, email, agentcustomid, team)

    # -- session functions ----------------------------------------------------------------------
    @vendor_function("click2call")
    def click2call(self, tenant: Tenant, *, session: str, phonenumber: str, transactionid: str | None = None,
                   hangup_url: str | None = None, masked: bool = False, selected_queue: bool = False,
                   uniqueid: str | None = None) -> dict[str, Any]:
        """``selected_queue`` is accepted and ignored: ``on`` lets the agent pick the queue on the agent screen
        (facts §2.3), which the fake does not have; its calls take the tenant's first queue."""
        agent = self.sessions.agent(tenant, session)
        return self.calls.click2call(agent, tenant, phonenumber, transactionid=transactionid, hangup_url=hangup_url,
                                     masked=masked, uniqueid=uniqueid)

    @vendor_function("click2hang")
    def click2hang(self, tenant: Tenant, *, session: str) -> dict[str, Any]:
        return self.calls.click2hang(self.sessions.agent(tenant, session))

    @vendor_function("click2hold")
    def click2hold(self, tenant: Tenant, *, session: str) -> dict[str, Any]:
        return self.calls.click2hold(self.sessions.agent(tenant, session))

    @vendor_function("click2unhold")
    def click2unhold(self, tenant: Tenant, *, session: str) -> dict[str, Any]:
        return self.calls.click2unhold(self.sessions.agent(tenant, session))

    @vendor_function("getactivecall")
    def getactivecall(self, tenant: Tenant, *, session: str) -> dict[str, Any]:
        return self.calls.getactivecall(self.sessions.agent(tenant, session))

    # -- the softphone page (no vendor API function; the page's own buttons) ---------------------
    def softphone_state(self, tenant: Tenant, session: str) -> dict[str, Any]:
        return self.softphone.state(self.sessions.agent(tenant, session))

    def softphone_dial(self, tenant: Tenant, session: str, number: str) -> dict[str, Any]:
        """The dial pad: the same call as ``click2call`` (no hangup_url: the softphone has none)."""
        return self.click2call(tenant, session=session, phonenumber=number)

    def softphone_answer(self, tenant: Tenant, session: str) -> dict[str, Any]:
        return self.calls.answer(self.sessions.agent(tenant, session))

    def softphone_reject(self, tenant: Tenant, session: str) -> dict[str, Any]:
        return self.calls.reject(self.sessions.agent(tenant, session))

    def softphone_mute(self, tenant: Tenant, session: str) -> dict[str, Any]:
        return self.calls.mute(self.sessions.agent(tenant, session))

    def softphone_status(self, tenant: Tenant, session: str, status: str) -> dict[str, Any]:
        return self.softphone.set_status(self.sessions.agent(tenant, session), status)
