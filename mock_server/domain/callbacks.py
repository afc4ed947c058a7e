"""A finished call's callbacks, appended to the outbox for the delivery worker (the domain never sends).

click2call's ``hangup_url`` gets a form POST (facts §3.6) and, for inbound calls, the tenant's IVR
call-notification URL a GET with the tenant's parameter names (facts §15.8). The outbox's log, with
every attempt, is what the control API shows.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from mock_server.domain.cdr import CallOutcome
from mock_server.domain.clock import format_datetime
from mock_server.domain.events import mask_number
from mock_server.domain.tenants import Tenant
from mock_server.storage.records import ActiveCall, Delivery, DeliveryLog
from mock_server.storage.store import Store

NOTIFICATION_FIELDS = ("queuename", "queueid", "calldate", "callerid", "myemail", "callednum", "event", "callkey")
_SHOWN = ("delivery_id", "tenant", "kind", "method", "url", "content_type", "payload", "created_at", "status",
          "attempts")  # a delivery's fields in the control API's log


class Callbacks:
    def __init__(self, store: Store):
        self.store = store

    def hangup(self, tenant: Tenant, call: ActiveCall, outcome: CallOutcome, key: str, at: datetime) -> None:
        """The hangup POST of a click2call that gave a ``hangup_url``."""
        fields = {"call_id": key, "caller_id": tenant.did,
                  "called_num": mask_number(call.number) if call.masked else call.number,
                  "call_date": call.started_at, "transaction_id": call.transactionid,
                  "agent_username": call.agent_email, "duration": str(outcome.talk_seconds),
                  "disposition": outcome.disposition, "tenant": tenant.host}
        self.store.enqueue(Delivery(f"hangup-{key}", tenant.host, "hangup", "POST", call.hangup_url,
                                    "application/x-www-form-urlencoded", urlencode(fields), format_datetime(at)))

    def notification(self, tenant: Tenant, call: ActiveCall, outcome: CallOutcome, key: str, at: datetime) -> None:
        """The IVR call-notification GET of an inbound call, if the tenant configured one."""
        config = self.store.get_notification_config(tenant.host)
        if config is None:
            return
        values = {"calldate": call.started_at, "callerid": mask_number(call.number) if call.masked else call.number,
                  "callednum": tenant.did, "event": call.ending, "callkey": key}
        if call.ending != "no_queue":
            values.update(queuename=call.queue_name, queueid=call.queue_key)
        if outcome.answered:
            values["myemail"] = call.agent_email
        query = urlencode({config.params.get(field, field): values[field] for field in NOTIFICATION_FIELDS
                           if field in values})
        url = config.url + ("&" if "?" in config.url else "?") + query
        self.store.enqueue(Delivery(f"notification-{key}", tenant.host, "notification", "GET", url, "", query,
                                    format_datetime(at)))

    def log(self, tenant: Tenant | None, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` deliveries (of one tenant, or all), oldest first, each with its attempt log."""
        return [_logged(entry) for entry in self.store.list_deliveries(tenant.host if tenant else None, limit)]


def _logged(entry: DeliveryLog) -> dict[str, Any]:
    shown = {name: getattr(entry.delivery, name) for name in _SHOWN}
    return shown | {"attempt_log": [asdict(attempt) for attempt in entry.attempts]}
