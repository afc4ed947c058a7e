"""Agent sessions: minted by ``login``, expiring after a lifetime, capped per user.

Facts: a session lives 24 h (§6.1, CONFIRMED), each login mints a new key (§2.2),
old sessions stop working above an unstated limit (§15.3; the cap is assumed and
configurable), and a dead session gets the "log in again" body (§6.7).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from mock_server.domain.clock import Clock, format_datetime, parse_datetime
from mock_server.domain.errors import InvalidSession, UserNotFound
from mock_server.domain.ids import IdGenerator, decode_key
from mock_server.domain.tenants import Tenant
from mock_server.storage.records import Session
from mock_server.storage.store import Store, fold_email


@dataclass(frozen=True)
class Agent:
    tenant: str
    email: str
    name: str
    key: str
    session: str


class Sessions:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, lifetime_seconds: int, max_per_user: int):
        self.store, self.clock, self.ids = store, clock, ids
        self.lifetime = timedelta(seconds=lifetime_seconds)
        self.max_per_user = max_per_user

    def login(self, tenant: Tenant, email: str) -> str:
        """Mint a new session for a user; evict the user's oldest live sessions past the cap."""
        user = self.store.find_user(tenant.host, email)
        if user is None:
            raise UserNotFound("User not found")
        now = self.clock.now()
        with self.store.transaction():
            counter = self.store.allocate("Session")
            key = self.ids.key("Session", tenant.host, counter)
            self.store.insert_session(Session(key, tenant.host, user["email"], format_datetime(now),
                                              format_datetime(now + self.lifetime), None, None, counter))
            live = self.store.live_sessions(tenant.host, format_datetime(now), user["email"])
            for old in live[: max(0, len(live) - self.max_per_user)]:
                self.store.end_session(old.session, format_datetime(now), "evicted")
        return key

    def agent(self, tenant: Tenant, session: str) -> Agent:
        """The agent behind a live session of this tenant, or InvalidSession. Never changes state."""
        key = decode_key(session)
        found = self.store.get_session(session) if key is not None else None
        if found is None or found.tenant != tenant.host or key.namespace != tenant.host:
            raise InvalidSession("Yanlış API anahtarı")
        if found.ended_at is not None or parse_datetime(found.expires_at) <= self.clock.now():
            raise InvalidSession("Yanlış API anahtarı")
        user = self.store.find_user(tenant.host, found.email)
        return Agent(tenant.host, user["email"], user["name"], user["userkey"], session)

    def expire(self, tenant: Tenant, session: str | None = None, email: str | None = None,
               session_id: int | None = None) -> int:
        """End one session (by key or by its listed ``id``), or every live session of a user; returns how many."""
        now = format_datetime(self.clock.now())
        if session_id is not None:
            by_id = self.store.session_by_seq(session_id)
            session = by_id.session if by_id is not None else ""
        if session is not None:
            found = self.store.get_session(session)
            if found is None or found.tenant != tenant.host:
                return 0
            return self.store.end_session(session, now, "expired by control API")
        ended = 0
        with self.store.transaction():
            for live in self.store.live_sessions(tenant.host, now, fold_email(email or "")):
                ended += self.store.end_session(live.session, now, "expired by control API")
        return ended

    def live(self, tenant: Tenant) -> list[dict]:
        now = self.clock.now()
        return [
            {"id": live.seq, "session": live.session, "email": live.email, "created_at": live.created_at,
             "expires_at": live.expires_at,
             "expires_in_seconds": int((parse_datetime(live.expires_at) - now).total_seconds())}
            for live in self.store.live_sessions(tenant.host, format_datetime(now))
        ]
