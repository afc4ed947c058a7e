"""Fixtures (YAML) + faker -> a deterministic, coherent tenant population.

Every random choice comes from ``random.Random`` instances seeded from the fixture seed
and the tenant's host (never global randomness), and every key from ``IdGenerator``:
the same seed and fixtures give byte-identical data. Call records are built in bulk
(tens of thousands per second) through ``domain.cdr.cdr_row``, the same function that
records live calls, so seeded and live records obey the same invariants.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import yaml
from faker import Faker

from mock_server.domain.cdr import CallOutcome, cdr_row
from mock_server.domain.clock import format_datetime, parse_datetime
from mock_server.domain.ids import IdGenerator
from mock_server.domain.tenants import TENANT_DOMAINS, Tenant
from mock_server.store import Store

BATCH = 10_000
TAGS = ("complaint", "sale", "information", "callback", "vip")
OUTBOUND_DISPOSITIONS = (("ANSWER", 65), ("NOANSWER", 15), ("BUSY", 10), ("CANCEL", 5), ("CONGESTION", 3),
                         ("CHANUNAVAIL", 2))


class FixtureError(ValueError):
    """A fixture file that cannot describe a tenant population; the message says what to fix."""


@dataclass(frozen=True)
class Fixtures:
    path: Path
    data: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> "Fixtures":
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        tenants = data.get("tenants") or []
        if not tenants:
            raise FixtureError(f"{path}: no tenants")
        for tenant in tenants:
            if tenant.get("domain") not in TENANT_DOMAINS:
                raise FixtureError(f"{path}: tenant {tenant.get('name')!r} needs domain one of {TENANT_DOMAINS}")
            if not tenant.get("users"):
                raise FixtureError(f"{path}: tenant {tenant.get('name')!r} has no users")
        return cls(path, data)

    @property
    def seed(self) -> int:
        return int(self.data.get("seed", 0))

    @property
    def start(self) -> datetime:
        return parse_datetime(str(self.data.get("clock", {}).get("start", "2026-01-05 09:00:00")))

    @property
    def utc_offset_minutes(self) -> int:
        return int(self.data.get("clock", {}).get("utc_offset_minutes", 180))

    def call_count(self) -> int:
        """How many call records seeding will write."""
        return sum(days * per_day for days, per_day in (call_volume(t.get("calls") or {}) for t in self.tenants()))

    def tenants(self) -> list[dict[str, Any]]:
        return self.data["tenants"]

    def digest(self) -> str:
        return hashlib.sha256(yaml.safe_dump(self.data, sort_keys=True).encode()).hexdigest()[:16]


def call_volume(calls: dict[str, Any]) -> tuple[int, int]:
    """(days, calls per day) of a fixture tenant's ``calls`` section."""
    return int(calls.get("days", 0)), int(calls.get("per_day", 0))


def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random(hashlib.sha256(":".join([str(seed), *parts]).encode()).digest())


def seed_store(store: Store, fixtures: Fixtures, ids: IdGenerator, end: datetime,
               progress: Callable[[int], None] | None = None) -> None:
    """Populate an empty store with every tenant of the fixtures; calls end at ``end``."""
    specs = fixtures.tenants()
    default = next((i for i, spec in enumerate(specs) if spec.get("default")), 0)
    for position, spec in enumerate(specs):
        host = f"{spec['name']}.{spec['domain']}"
        is_default = position == default
        tenant = Tenant(host, spec["name"], spec["domain"], bool(spec.get("masked_numbers")), str(spec["did"]))
        store.insert_tenant(host, tenant.name, tenant.domain, is_default, tenant.masked_numbers, tenant.did, position)
        for name in spec.get("app_tokens", ["CRM integration"]):
            store.insert_app_token(ids.new_key("TenantApplications", host), host, name, format_datetime(end))
        users = [(host, u["email"].lower(), u["name"], ids.new_key("User", host), str(u.get("agentcustomid", "")),
                  str(u.get("team", "")), i) for i, u in enumerate(spec["users"])]
        store.insert_users(users)
        queues = [(host, ids.new_key("Queue", host), name, i) for i, name in enumerate(spec.get("queues", ["Default"]))]
        store.insert_queues(queues)
        phones = _seed_contacts(store, fixtures.seed, host, int(spec.get("contacts", 0)))
        _seed_calls(store, ids, fixtures.seed, tenant, users, queues, phones, spec.get("calls") or {}, end, progress)


def _seed_contacts(store: Store, seed: int, host: str, count: int) -> list[str]:
    fake = Faker("tr_TR")
    fake.seed_instance(_rng(seed, host, "contacts").getrandbits(64))
    rows = []
    for i in range(count):
        first, last = fake.first_name(), fake.last_name()
        phone = "905" + "".join(str(fake.random_digit()) for _ in range(9))
        company = fake.company()
        email = f"{_ascii(first)}.{_ascii(last)}@{_ascii(company.split()[0])}.example"
        rows.append((host, f"C{i + 1:05d}", f"{first} {last}", phone, email, company, i))
    store.insert_contacts(rows)
    return [row[3] for row in rows]


def _ascii(text: str) -> str:
    table = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")
    return "".join(ch for ch in text.translate(table).lower() if ch.isalnum()) or "x"


def _seed_calls(store: Store, ids: IdGenerator, seed: int, tenant: Tenant, users: list[tuple], queues: list[tuple],
                phones: list[str], spec: dict[str, Any], end: datetime,
                progress: Callable[[int], None] | None) -> None:
    days, per_day = call_volume(spec)
    total = days * per_day
    if total == 0:
        return
    rng = _rng(seed, tenant.host, "calls")
    inbound_share = float(spec.get("inbound_share", 0.6))
    first_seq = store.allocate("CallLog", total)
    callkeys = ids.key_encoder("CallLog", tenant.host)
    activekeys = ids.key_encoder("ActiveCall", tenant.host)
    agents = [(u[1], u[3]) for u in users]
    queue_list = [(q[2], q[1]) for q in queues]
    strangers = ["905" + str(rng.randrange(10**8, 10**9)) for _ in range(200)]
    first_day = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0)
    window = (end - first_day).total_seconds()
    contacts = phones or strangers
    with store.bulk_load():
        batch: list[tuple] = []
        for n in range(total):
            seq = first_seq + n
            calldate = first_day + timedelta(seconds=int(rng.random() * window))
            call = _random_call(rng, calldate, rng.random() < inbound_share, agents, queue_list, contacts, strangers)
            batch.append(cdr_row(seq, tenant, callkeys(seq), activekeys(seq), call))
            if len(batch) == BATCH:
                store.insert_cdrs(batch)
                batch.clear()
                if progress:
                    progress(BATCH)
        if batch:
            store.insert_cdrs(batch)
            if progress:
                progress(len(batch))


def _random_call(rng: random.Random, calldate: datetime, inbound: bool, agents: list[tuple[str, str]],
                 queues: list[tuple[str, str]], contacts: list[str], strangers: list[str]) -> CallOutcome:
    number = rng.choice(contacts) if rng.random() < 0.7 else rng.choice(strangers)
    agent_email, agent_key = rng.choice(agents)
    queue_name, queue_key = rng.choice(queues)
    talk = int(min(3600, rng.lognormvariate(4.6, 0.9)))
    if inbound:
        roll = rng.random()
        if roll < 0.05:  # ended in the IVR, never reached a queue
            return _outcome(rng, inbound, number, calldate, None, rng.randint(5, 60), False, 0, "", "", "", "",
                            "NOANSWER")
        if roll < 0.2:  # abandoned in the queue
            return _outcome(rng, inbound, number, calldate, rng.randint(5, 40), rng.randint(10, 240), False, 0, "",
                            "", queue_name, queue_key, "CANCEL")
        return _outcome(rng, inbound, number, calldate, rng.randint(5, 40), int(rng.expovariate(1 / 15)), True,
                        talk, agent_email, agent_key, queue_name, queue_key, "ANSWER")
    disposition = _weighted(rng, OUTBOUND_DISPOSITIONS)
    answered = disposition == "ANSWER"
    ring = rng.randint(3, 25) if answered else rng.randint(1, 40)
    return _outcome(rng, inbound, number, calldate, None, ring, answered, talk if answered else 0, agent_email,
                    agent_key, queue_name, queue_key, disposition)


def _outcome(rng: random.Random, inbound: bool, number: str, calldate: datetime, ivr: int | None, wait: int,
             answered: bool, talk: int, agent_email: str, agent_key: str, queue_name: str, queue_key: str,
             disposition: str) -> CallOutcome:
    hold = rng.randint(10, max(10, talk // 2)) if answered and talk > 40 and rng.random() < 0.15 else 0
    return CallOutcome(
        inbound=inbound, number=number, calldate=calldate, ivr_seconds=ivr, wait_seconds=wait, answered=answered,
        talk_seconds=talk, hold_seconds=hold, agent_email=agent_email, agent_key=agent_key, queue_name=queue_name,
        queue_key=queue_key, transferred=answered and rng.random() < 0.05,
        localrelease=answered and rng.random() < 0.5, voicemail=not answered and ivr is not None and rng.random() < 0.1,
        disposition=disposition,
        uniqueid="" if inbound else _guid(rng),
        csat=rng.randint(1, 5) if answered and inbound and rng.random() < 0.3 else None,
        tags=tuple(rng.sample(TAGS, rng.randint(1, 2))) if rng.random() < 0.2 else (),
    )


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    roll = rng.randrange(sum(weight for _, weight in choices))
    for value, weight in choices:
        if roll < weight:
            return value
        roll -= weight
    return choices[-1][0]


def _guid(rng: random.Random) -> str:
    """What click2call generates when the CRM gives no transactionid (facts §2.3)."""
    h = "%032x" % rng.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
