"""Tenants, their users and queues, and the app tokens that open their API."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mock_server.domain.clock import Clock, format_datetime
from mock_server.domain.errors import InvalidAppToken, UnknownTenant
from mock_server.domain.ids import IdGenerator, decode_key
from mock_server.domain.loopback import LOOPBACK_HOSTS
from mock_server.storage.store import Store

TENANT_DOMAINS = ("callcenterstudio.com", "alo-tech.com")


@dataclass(frozen=True)
class Tenant:
    host: str  # e.g. demo.callcenterstudio.com: the datastore namespace of every key
    name: str
    domain: str
    masked_numbers: bool
    did: str  # the tenant's public number: called_num of inbound calls, callerid of outbound ones

    @classmethod
    def from_row(cls, row) -> "Tenant":
        return cls(row["host"], row["name"], row["domain"], bool(row["masked_numbers"]), row["did"])


def strip_port(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.index("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class TenantDirectory:
    """Resolves hosts to tenants and checks app tokens."""

    def __init__(self, store: Store, clock: Clock, ids: IdGenerator):
        self.store, self.clock, self.ids = store, clock, ids

    def resolve_host(self, host_header: str) -> Tenant:
        """``NAME.callcenterstudio.com`` / ``NAME.alo-tech.com`` by name; loopback -> default tenant."""
        host = strip_port(host_header or "")
        if host in LOOPBACK_HOSTS or host == "":
            row = self.store.default_tenant()
        else:
            row = self.store.get_tenant(host)
        if row is None:
            raise UnknownTenant(f"No tenant is served at host '{host}'. Known hosts: "
                                + ", ".join(t.host for t in self.list()))
        return Tenant.from_row(row)

    def by_name_or_host(self, value: str) -> Tenant | None:
        """A tenant by its full host (``acme.alo-tech.com``) or bare name (``acme``); None if neither."""
        row = self.store.get_tenant(value.lower())
        if row is None:
            row = next((r for r in self.store.list_tenants() if r["name"] == value.lower()), None)
        return Tenant.from_row(row) if row is not None else None

    def list(self) -> list[Tenant]:
        return [Tenant.from_row(row) for row in self.store.list_tenants()]

    def get(self, host: str) -> Tenant:
        row = self.store.get_tenant(host)
        if row is None:
            raise UnknownTenant(f"No tenant '{host}'")
        return Tenant.from_row(row)

    def user(self, tenant: Tenant, email: str) -> Any | None:
        """The tenant's user with this e-mail (ASCII case folded), or None."""
        return self.store.find_user(tenant.host, email)

    def queues(self, tenant: Tenant) -> list:
        return self.store.list_queues(tenant.host)

    def describe(self) -> list[dict[str, Any]]:
        """Every tenant with its app tokens, users and queues (the control API's tenant list)."""
        default = self.store.default_tenant()["host"]
        return [{
            "name": tenant.name, "host": tenant.host, "domain": tenant.domain, "default": tenant.host == default,
            "masked_numbers": tenant.masked_numbers, "did": tenant.did,
            "app_tokens": [{"name": t["name"], "app_token": t["token"], "created_at": t["created_at"],
                            "revoked": t["revoked_at"] is not None} for t in self.store.list_app_tokens(tenant.host)],
            "users": [{"email": u["email"], "name": u["name"], "key": u["userkey"], "team": u["team"],
                       "agentcustomid": u["agentcustomid"]} for u in self.store.list_users(tenant.host)],
            "queues": [{"name": q["name"], "key": q["queuekey"]} for q in self.store.list_queues(tenant.host)],
        } for tenant in self.list()]

    def contacts(self, tenant: Tenant) -> list[dict[str, Any]]:
        """The tenant's CRM contacts from the fixtures (the demo CRM's address book)."""
        return [{"id": c["id"], "name": c["name"], "phone": c["phone"], "email": c["email"], "company": c["company"]}
                for c in self.store.list_contacts(tenant.host)]

    def check_app_token(self, tenant: Tenant, token: str) -> None:
        """A token is valid when it exists, is not revoked, and belongs to this host's tenant."""
        key = decode_key(token)
        row = self.store.get_app_token(token) if key is not None else None
        if row is None or row["revoked_at"] is not None or row["tenant"] != tenant.host or key.namespace != tenant.host:
            raise InvalidAppToken("Invalid Application Token")

    def issue_app_token(self, tenant: Tenant, name: str) -> str:
        token = self.ids.new_key("TenantApplications", tenant.host)
        self.store.insert_app_token(token, tenant.host, name, format_datetime(self.clock.now()))
        return token

    def revoke_app_token(self, tenant: Tenant, token: str) -> bool:
        row = self.store.get_app_token(token)
        if row is None or row["tenant"] != tenant.host:
            return False
        return self.store.revoke_app_token(token, format_datetime(self.clock.now())) == 1

    def reissue_app_token(self, tenant: Tenant, token: str) -> str | None:
        """Revoke ``token`` and issue a replacement with the same name (the admin UI's delete + new)."""
        row = self.store.get_app_token(token)
        with self.store.transaction():
            if row is None or row["tenant"] != tenant.host or not self.revoke_app_token(tenant, token):
                return None
            return self.issue_app_token(tenant, row["name"])
