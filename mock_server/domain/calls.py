"""Agent call control. This module answers click2call and call control for a logged-in
agent; the call lifecycle on the clock (ringing, talking, hang-up, callbacks) builds on it.
"""
from __future__ import annotations

from typing import Any

from mock_server.domain.errors import NoActiveCall
from mock_server.domain.sessions import Agent


class Calls:
    def click2call(self, agent: Agent, phonenumber: str, transactionid: str | None, hangup_url: str | None,
                   masked: bool, selected_queue: bool, uniqueid: str | None) -> dict[str, Any]:
        """Asynchronous and always "success", whatever becomes of the call (facts §2.3, §13.4)."""
        return {"success": True}

    def click2hang(self, agent: Agent) -> dict[str, Any]:
        raise NoActiveCall("No active call")

    def click2hold(self, agent: Agent) -> dict[str, Any]:
        raise NoActiveCall("No active call")

    def click2unhold(self, agent: Agent) -> dict[str, Any]:
        raise NoActiveCall("No active call")

    def getactivecall(self, agent: Agent) -> dict[str, Any]:
        return {"MyActiveCalls": []}
