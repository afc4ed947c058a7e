"""A tenant's IVR call-notification settings: the URL the fake calls when an inbound call ends, and the
names the tenant gives its parameters (facts §15.8). Set by fixtures or the control API."""
from __future__ import annotations

from mock_server.domain.callback_urls import CallbackHosts
from mock_server.domain.callbacks import NOTIFICATION_FIELDS
from mock_server.domain.errors import CallStateError
from mock_server.domain.tenants import Tenant
from mock_server.storage.records import NotificationConfig
from mock_server.storage.store import Store


class Notifications:
    def __init__(self, store: Store, hosts: CallbackHosts):
        self.store, self.hosts = store, hosts

    def set(self, tenant: Tenant, url: str, params: dict[str, str]) -> None:
        """Refused for a URL the fake may not call or a parameter it does not send."""
        url = self.hosts.canonical(url, "notification url")
        unknown = set(params) - set(NOTIFICATION_FIELDS)
        if unknown:
            raise CallStateError(f"unknown notification fields {sorted(unknown)}; known: {list(NOTIFICATION_FIELDS)}")
        self.store.set_notification_config(tenant.host, NotificationConfig(url, params))

    def get(self, tenant: Tenant) -> NotificationConfig | None:
        return self.store.get_notification_config(tenant.host)
