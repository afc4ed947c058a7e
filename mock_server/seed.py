"""Fixtures (YAML) + faker -> a deterministic, coherent tenant population.

Every random choice comes from ``random.Random`` instances seeded from the fixture seed
and the tenant's host (never global randomness), and every key from ``IdGenerator``:
the same seed and fixtures give byte-identical data. Call records are built in bulk
(tens of thousands per second) through ``domain.cdr.cdr_row``, the same function that
records live calls, so seeded and live records obey the same invariants.
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import multiprocessing
import os
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml
from faker import Faker

from mock_server.domain.callback_urls import parse_callback_url
from mock_server.domain.cdr import CallOutcome, cdr_row
from mock_server.domain.clock import format_datetime, parse_datetime
from mock_server.domain.errors import InvalidHangupUrl
from mock_server.domain.ids import IdGenerator, format_guid
from mock_server.domain.outcomes import OUTBOUND_MIX, weighted
from mock_server.domain.tenants import TENANT_DOMAINS, Tenant
from mock_server.spec import YAML_LOADER
from mock_server.storage.records import CdrRecord, NotificationConfig
from mock_server.storage.store import Store, fold_email

CHUNK = 10_000  # call records per generation chunk (and per insert batch)
PARALLEL_MIN_RECORDS = 100_000  # below this, worker start-up costs more than it saves
PARALLEL_WORKERS = 2
TAGS = ("complaint", "sale", "information", "callback", "vip")


class FixtureError(ValueError):
    """A fixture file that cannot describe a tenant population; the message says what to fix."""


@dataclass(frozen=True)
class Fixtures:
    path: Path
    data: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> "Fixtures":
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
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

    def tenant_hosts(self) -> list[str]:
        return [f"{spec['name']}.{spec['domain']}" for spec in self.tenants()]

    def digest(self) -> str:
        return hashlib.sha256(yaml.safe_dump(self.data, sort_keys=True).encode()).hexdigest()[:16]


def call_volume(calls: dict[str, Any]) -> tuple[int, int]:
    """(days, calls per day) of a fixture tenant's ``calls`` section."""
    return int(calls.get("days", 0)), int(calls.get("per_day", 0))


def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random(hashlib.sha256(":".join([str(seed), *parts]).encode()).digest())


def seed_store(store: Store, fixtures: Fixtures, ids: IdGenerator, end: datetime,
               progress: Callable[[int], None] | None = None, workers: int | None = None) -> None:
    """Populate an empty store with every tenant of the fixtures; calls end at ``end``.

    ``workers``: processes that build call records; None picks by size (see ``_chunk_builder``).
    The data does not depend on it."""
    specs = fixtures.tenants()
    default = next((i for i, spec in enumerate(specs) if spec.get("default")), 0)
    for position, spec in enumerate(specs):
        host = f"{spec['name']}.{spec['domain']}"
        is_default = position == default
        tenant = Tenant(host, spec["name"], spec["domain"], bool(spec.get("masked_numbers")), str(spec["did"]))
        store.insert_tenant(host, tenant.name, tenant.domain, is_default, tenant.masked_numbers, tenant.did, position)
        for name in spec.get("app_tokens", ["CRM integration"]):
            store.insert_app_token(ids.new_key("TenantApplications", host), host, name, format_datetime(end))
        users = [(host, fold_email(u["email"]), u["name"], ids.new_key("User", host), str(u.get("agentcustomid", "")),
                  str(u.get("team", "")), i) for i, u in enumerate(spec["users"])]
        store.insert_users(users)
        queues = [(host, ids.new_key("Queue", host), name, i) for i, name in enumerate(spec.get("queues", ["Default"]))]
        store.insert_queues(queues)
        phones = _seed_contacts(store, fixtures.seed, host, int(spec.get("contacts", 0)))
        notifications = spec.get("notifications")
        if notifications and notifications.get("url"):
            try:
                url = parse_callback_url(notifications["url"]).url
            except InvalidHangupUrl as error:
                raise ValueError(f"fixtures: tenant {host}: notifications url {error.message}") from None
            store.set_notification_config(host, NotificationConfig(url, notifications.get("params") or {}))
        _seed_calls(store, fixtures.seed, tenant, users, queues, phones, spec.get("calls") or {}, end, progress,
                    workers)


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


@dataclass(frozen=True)
class CallPlan:
    """Everything needed to build any chunk of a tenant's call history, in any process."""

    seed: int
    tenant: Tenant
    agents: tuple[tuple[str, str], ...]
    queues: tuple[tuple[str, str], ...]
    contacts: tuple[str, ...]
    strangers: tuple[str, ...]
    first_day: datetime
    window_seconds: float
    inbound_share: float
    first_seq: int
    total: int

    def chunks(self) -> range:
        return range((self.total + CHUNK - 1) // CHUNK)


def chunk_rows(plan: CallPlan, index: int) -> list[CdrRecord]:
    """The call records of chunk ``index``. Each chunk has its own seeded RNG, so the data is the
    same whether chunks are built here or in worker processes."""
    rng = _rng(plan.seed, plan.tenant.host, "calls", str(index))
    r = rng.random
    first = index * CHUNK
    rows = []
    for n in range(first, min(first + CHUNK, plan.total)):
        calldate = plan.first_day + timedelta(seconds=int(r() * plan.window_seconds))
        call = _random_call(rng, calldate, r() < plan.inbound_share, plan.agents, plan.queues, plan.contacts,
                            plan.strangers)
        rows.append(cdr_row(plan.first_seq + n, plan.tenant, call))
    return rows


def _seed_calls(store: Store, seed: int, tenant: Tenant, users: list[tuple], queues: list[tuple],
                phones: list[str], spec: dict[str, Any], end: datetime,
                progress: Callable[[int], None] | None, workers: int | None) -> None:
    days, per_day = call_volume(spec)
    total = days * per_day
    if total == 0:
        return
    rng = _rng(seed, tenant.host, "strangers")
    strangers = tuple("905" + str(rng.randrange(10**8, 10**9)) for _ in range(200))
    first_day = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0)
    plan = CallPlan(seed, tenant, tuple((u[1], u[3]) for u in users), tuple((q[2], q[1]) for q in queues),
                    tuple(phones) or strangers, strangers, first_day, (end - first_day).total_seconds(),
                    float(spec.get("inbound_share", 0.6)), store.allocate("CallLog", total), total)
    with store.bulk_load(), _chunk_builder(total, workers) as build:
        for rows in build(chunk_rows, itertools.repeat(plan), plan.chunks()):
            store.insert_cdrs(rows)
            if progress:
                progress(len(rows))


@contextlib.contextmanager
def _chunk_builder(total: int, workers: int | None) -> Iterator[Callable]:
    """``map`` in this process, or over worker processes (spawned, so no thread or connection of the
    parent is inherited), results in order. By default: workers only for large histories on 2+ cores."""
    if workers is None:
        workers = min(PARALLEL_WORKERS, os.cpu_count() or 1) if total >= PARALLEL_MIN_RECORDS else 1
    if workers < 2:
        yield map
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool.map


def _random_call(rng: random.Random, calldate: datetime, inbound: bool, agents: list[tuple[str, str]],
                 queues: list[tuple[str, str]], contacts: list[str], strangers: list[str]) -> CallOutcome:
    """One plausible call. Draws use ``rng.random()`` directly: randint/choice cost several times more."""
    r = rng.random
    number = contacts[int(r() * len(contacts))] if r() < 0.7 else strangers[int(r() * len(strangers))]
    agent_email, agent_key = agents[int(r() * len(agents))]
    queue_name, queue_key = queues[int(r() * len(queues))]
    talk = int(min(3600.0, rng.lognormvariate(4.6, 0.9)))
    ivr: int | None = None
    if inbound:
        roll = r()
        if roll < 0.05:  # ended in the IVR, never reached a queue
            wait, answered, disposition = 5 + int(r() * 56), False, "NOANSWER"
            agent_email = agent_key = queue_name = queue_key = ""
        elif roll < 0.2:  # abandoned in the queue
            ivr, wait, answered, disposition = 5 + int(r() * 36), 10 + int(r() * 231), False, "CANCEL"
            agent_email = agent_key = ""
        else:
            ivr, wait, answered, disposition = 5 + int(r() * 36), int(rng.expovariate(1 / 15)), True, "ANSWER"
    else:
        disposition = weighted(r(), OUTBOUND_MIX)
        answered = disposition == "ANSWER"
        wait = 3 + int(r() * 23) if answered else 1 + int(r() * 40)  # ring time
    if not answered:
        talk = 0
    hold = 10 + int(r() * (talk // 2 - 9)) if answered and talk > 40 and r() < 0.15 else 0
    return CallOutcome(
        inbound, number, calldate, ivr, wait, answered, talk, hold, agent_email, agent_key, queue_name, queue_key,
        answered and r() < 0.05,  # transferred
        answered and r() < 0.5,  # localrelease
        not answered and ivr is not None and r() < 0.1,  # voicemail
        disposition,
        "" if inbound else format_guid(rng.getrandbits(128)),
        1 + int(r() * 5) if answered and inbound and r() < 0.3 else None,  # csat
        tuple(rng.sample(TAGS, 1 + int(r() * 2))) if r() < 0.2 else (),
    )
