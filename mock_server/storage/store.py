"""SQLite persistence: the schema and every query the fake runs.

One ``Store`` per app, one connection guarded by a lock (SQLite in memory cannot
be shared between connections, and serialising writes keeps the fake simple and
correct under a threaded server). ``restore`` uses SQLite's backup API so
``/_mock/reset`` costs a page copy, not a re-seed. Calls, call records, sessions, the
journal and deliveries come and go as typed records (``records``); queries take typed
filters, so every line of SQL the fake runs is in this module.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import string
import threading
from typing import Any, Iterable, Iterator, Sequence

from mock_server.storage.records import (
    ACTIVE_CALL_FIELDS, CDR_COLUMNS, ActiveCall, Attempt, AttemptResult, CdrFilter, CdrPage, CdrPosition, CdrRecord,
    Delivery, DeliveryLog, JournalEntry, NotificationConfig, ScriptedOutcome, Session, record_of)

MAX_ROW_ID = 2**63 - 1  # SQLite's largest integer: ids and counters the API takes are bounded by it
SCHEMA_VERSION = "3"  # part of the seeded-file marker: a schema change re-seeds a file
INTERRUPTED = "interrupted: the worker stopped before an answer was recorded; the receiver may have had it"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tenants (
  host TEXT PRIMARY KEY, name TEXT NOT NULL, domain TEXT NOT NULL, is_default INTEGER NOT NULL,
  masked_numbers INTEGER NOT NULL, did TEXT NOT NULL, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  tenant TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT NULL, userkey TEXT NOT NULL,
  agentcustomid TEXT NOT NULL, team TEXT NOT NULL, position INTEGER NOT NULL,
  PRIMARY KEY (tenant, email));
CREATE TABLE IF NOT EXISTS queues (
  tenant TEXT NOT NULL, queuekey TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL,
  PRIMARY KEY (tenant, queuekey));
CREATE TABLE IF NOT EXISTS app_tokens (
  token TEXT PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL,
  revoked_at TEXT);
CREATE TABLE IF NOT EXISTS sessions (
  session TEXT PRIMARY KEY, tenant TEXT NOT NULL, email TEXT NOT NULL, created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL, ended_at TEXT, end_reason TEXT, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (tenant, email, ended_at);
CREATE TABLE IF NOT EXISTS contacts (
  tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, phone TEXT NOT NULL,
  email TEXT NOT NULL, company TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (tenant, id));
CREATE TABLE IF NOT EXISTS cdr (
  id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, tenant TEXT NOT NULL, {", ".join(CDR_COLUMNS)});
CREATE INDEX IF NOT EXISTS cdr_by_date ON cdr (tenant, calldate, id);
CREATE UNIQUE INDEX IF NOT EXISTS cdr_by_seq ON cdr (seq);
CREATE INDEX IF NOT EXISTS cdr_by_uniqueid ON cdr (tenant, uniqueid);
CREATE TABLE IF NOT EXISTS active_calls (
  seq INTEGER PRIMARY KEY, tenant TEXT NOT NULL, inbound INTEGER NOT NULL, agent_email TEXT NOT NULL,
  agent_key TEXT NOT NULL, number TEXT NOT NULL, transactionid TEXT NOT NULL, hangup_url TEXT NOT NULL,
  masked INTEGER NOT NULL, queue_name TEXT NOT NULL, queue_key TEXT NOT NULL, status TEXT NOT NULL,
  started_at TEXT NOT NULL, queued_at TEXT, answered_at TEXT, hold_since TEXT, hold_seconds INTEGER NOT NULL,
  disposition TEXT NOT NULL, ending TEXT NOT NULL, ivr_seconds INTEGER NOT NULL, ring_seconds INTEGER NOT NULL,
  talk_seconds INTEGER NOT NULL, agent_hung_up INTEGER NOT NULL, due_at TEXT NOT NULL,
  muted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS active_calls_due ON active_calls (due_at, seq);
CREATE INDEX IF NOT EXISTS active_calls_agent ON active_calls (tenant, agent_email);
CREATE TABLE IF NOT EXISTS scripted_outcomes (
  id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, agent_email TEXT NOT NULL, disposition TEXT NOT NULL,
  ring_seconds INTEGER, talk_seconds INTEGER);
CREATE TABLE IF NOT EXISTS notification_config (tenant TEXT PRIMARY KEY, url TEXT NOT NULL, params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY, delivery_id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, kind TEXT NOT NULL,
  method TEXT NOT NULL, url TEXT NOT NULL, content_type TEXT NOT NULL, payload TEXT NOT NULL,
  created_at TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt REAL NOT NULL,
  claimed_until REAL NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt);
CREATE TABLE IF NOT EXISTS delivery_attempts (
  id INTEGER PRIMARY KEY, delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL, at REAL NOT NULL,
  status_code INTEGER, error TEXT, elapsed_ms REAL NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS delivery_attempts_by_delivery ON delivery_attempts (delivery_id, attempt);
CREATE TABLE IF NOT EXISTS agent_status (
  tenant TEXT NOT NULL, email TEXT NOT NULL, status TEXT NOT NULL, changed_at TEXT NOT NULL,
  PRIMARY KEY (tenant, email));
CREATE TABLE IF NOT EXISTS agent_events (
  id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, email TEXT NOT NULL, at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS agent_events_by_agent ON agent_events (tenant, email, id);
CREATE TABLE IF NOT EXISTS sink (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, at REAL NOT NULL, method TEXT NOT NULL, url TEXT NOT NULL,
  content_type TEXT NOT NULL, body TEXT NOT NULL, fields TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, tenant TEXT, method TEXT NOT NULL, path TEXT NOT NULL,
  function TEXT, params TEXT NOT NULL, status INTEGER NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS journal_by_function ON journal (function, seq);
"""

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def fold_email(email: str) -> str:
    """The form e-mails are stored and matched in: ASCII letters lower-cased, nothing else changed.

    ``str.lower`` would also fold look-alikes (U+212A KELVIN SIGN becomes ``k``, U+0130 becomes ``i̇``),
    so a different address would sign in as someone else.
    """
    return email.translate(_ASCII_LOWER)


class Store:
    """The fake's state. Every method is atomic; ``transaction()`` groups several."""

    def __init__(self, path: str = ":memory:"):
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    # -- plumbing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._db.in_transaction:
                yield
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _one(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _run(self, sql: str, args: Sequence[Any] = ()) -> int:
        with self._lock:
            return self._db.execute(sql, args).rowcount

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.transaction():
            self._db.executemany(sql, rows)

    def _record(self, kind: type, sql: str, args: Sequence[Any] = ()) -> Any:
        row = self._one(sql, args)
        return record_of(kind, row) if row is not None else None

    def _records(self, kind: type, sql: str, args: Sequence[Any] = ()) -> list:
        return [record_of(kind, row) for row in self._all(sql, args)]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def dump(self) -> str:
        """The whole database as SQL text (for byte-for-byte comparisons)."""
        with self._lock:
            return "\n".join(self._db.iterdump())

    def all_cdrs(self) -> list[CdrRecord]:
        """Every stored call record, in insertion order."""
        return [_cdr_record(row) for row in self._all("SELECT * FROM cdr ORDER BY id")]

    def restore(self, source: "Store") -> None:
        """Replace every table's content with ``source``'s."""
        with self._lock:
            source._db.backup(self._db)

    # -- meta and counters ----------------------------------------------------------------
    def get_meta(self, name: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE name = ?", (name,))
        return row["value"] if row else None

    def set_meta(self, name: str, value: str) -> None:
        self._run("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                  (name, value))

    def allocate(self, kind: str, count: int = 1) -> int:
        """Reserve ``count`` consecutive counter values for ``kind``; returns the first."""
        with self.transaction():
            current = int(self.get_meta(f"counter:{kind}") or 0)
            self.set_meta(f"counter:{kind}", str(current + count))
        return current + 1

    # -- tenants, users, queues, contacts -------------------------------------------------
    def insert_tenant(self, host: str, name: str, domain: str, is_default: bool, masked_numbers: bool,
                      did: str, position: int) -> None:
        self._run("INSERT INTO tenants VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (host, name, domain, int(is_default), int(masked_numbers), did, position))

    def list_tenants(self) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM tenants ORDER BY position")

    def get_tenant(self, host: str) -> sqlite3.Row | None:
        return self._one("SELECT * FROM tenants WHERE host = ?", (host,))

    def default_tenant(self) -> sqlite3.Row | None:
        return self._one("SELECT * FROM tenants WHERE is_default = 1 ORDER BY position LIMIT 1")

    def insert_users(self, rows: Iterable[Sequence[Any]]) -> None:
        self._many("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def list_users(self, tenant: str) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM users WHERE tenant = ? ORDER BY position", (tenant,))

    def find_user(self, tenant: str, email: str) -> sqlite3.Row | None:
        return self._one("SELECT * FROM users WHERE tenant = ? AND email = ?", (tenant, fold_email(email)))

    def insert_queues(self, rows: Iterable[Sequence[Any]]) -> None:
        self._many("INSERT INTO queues VALUES (?, ?, ?, ?)", rows)

    def list_queues(self, tenant: str) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM queues WHERE tenant = ? ORDER BY position", (tenant,))

    def insert_contacts(self, rows: Iterable[Sequence[Any]]) -> None:
        self._many("INSERT INTO contacts VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def list_contacts(self, tenant: str) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM contacts WHERE tenant = ? ORDER BY position", (tenant,))

    # -- app tokens -------------------------------------------------------------------------
    def insert_app_token(self, token: str, tenant: str, name: str, created_at: str) -> None:
        self._run("INSERT INTO app_tokens VALUES (?, ?, ?, ?, NULL)", (token, tenant, name, created_at))

    def get_app_token(self, token: str) -> sqlite3.Row | None:
        return self._one("SELECT * FROM app_tokens WHERE token = ?", (token,))

    def list_app_tokens(self, tenant: str) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM app_tokens WHERE tenant = ? ORDER BY rowid", (tenant,))

    def revoke_app_token(self, token: str, at: str) -> int:
        return self._run("UPDATE app_tokens SET revoked_at = ? WHERE token = ? AND revoked_at IS NULL", (at, token))

    # -- sessions ---------------------------------------------------------------------------
    def insert_session(self, session: Session) -> None:
        self._run("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  (session.session, session.tenant, session.email, session.created_at, session.expires_at,
                   session.ended_at, session.end_reason, session.seq))

    def get_session(self, session: str) -> Session | None:
        return self._record(Session, "SELECT * FROM sessions WHERE session = ?", (session,))

    def live_sessions(self, tenant: str, now: str, email: str | None = None) -> list[Session]:
        """Sessions not ended and not past expiry, oldest first."""
        sql = "SELECT * FROM sessions WHERE tenant = ? AND ended_at IS NULL AND expires_at > ?"
        args: list[Any] = [tenant, now]
        if email is not None:
            sql += " AND email = ?"
            args.append(email)
        return self._records(Session, sql + " ORDER BY seq", args)

    def session_by_seq(self, seq: int) -> Session | None:
        return self._record(Session, "SELECT * FROM sessions WHERE seq = ?", (seq,))

    def end_session(self, session: str, at: str, reason: str) -> int:
        return self._run("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE session = ? AND ended_at IS NULL",
                         (at, reason, session))

    # -- call records -----------------------------------------------------------------------
    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Drop the CDR indexes during a bulk insert and build them once at the end (several times faster)."""
        with self._lock:
            indexes = self._db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cdr' "
                                       "AND sql IS NOT NULL").fetchall()
            for row in indexes:
                self._db.execute(f"DROP INDEX {row['name']}")
            try:
                yield
            finally:
                for row in indexes:
                    self._db.execute(row["sql"])

    def insert_cdrs(self, records: Iterable[CdrRecord]) -> None:
        marks = ", ".join("?" * (len(CDR_COLUMNS) + 2))
        self._many(f"INSERT INTO cdr (seq, tenant, {', '.join(CDR_COLUMNS)}) VALUES ({marks})", records)

    def max_cdr_id(self) -> int:
        """The insertion id of the newest call record (ids grow in insertion order; seqs in start order)."""
        row = self._one("SELECT COALESCE(MAX(id), 0) AS m FROM cdr")
        return int(row["m"])

    def count_cdrs(self, tenant: str | None = None) -> int:
        if tenant is None:
            return int(self._one("SELECT COUNT(*) AS n FROM cdr")["n"])
        return int(self._one("SELECT COUNT(*) AS n FROM cdr WHERE tenant = ?", (tenant,))["n"])

    def query_cdrs(self, wanted: CdrFilter, limit: int) -> CdrPage:
        """Up to ``limit`` call records matching ``wanted``, ordered by (calldate, insertion id)."""
        clauses, args = _cdr_conditions(wanted)
        order = "DESC" if wanted.descending else "ASC"
        sql = (f"SELECT * FROM cdr WHERE {' AND '.join(clauses)} "
               f"ORDER BY calldate {order}, id {order} LIMIT ?")
        rows = self._all(sql, args + [limit])
        last = CdrPosition(rows[-1]["calldate"], rows[-1]["id"]) if rows else None
        return CdrPage([_cdr_record(row) for row in rows], last)

    def agent_performance(self, tenant: str, start: str, finish: str) -> list[sqlite3.Row]:
        return self._all(
            """SELECT agentid, COUNT(*) AS total_calls,
                      SUM(answered) AS answered_calls, SUM(1 - answered) AS missed_calls,
                      SUM(inbound) AS inbound_calls, SUM(1 - inbound) AS outbound_calls,
                      COALESCE(SUM(duration), 0) AS talk_duration, SUM(holdduration) AS hold_duration
               FROM cdr WHERE tenant = ? AND calldate >= ? AND calldate <= ? AND agentid != ''
               GROUP BY agentid""",
            (tenant, start, finish))

    # -- calls ------------------------------------------------------------------------------
    def insert_active_call(self, call: ActiveCall) -> None:
        self._run(f"INSERT INTO active_calls ({', '.join(ACTIVE_CALL_FIELDS)}) "
                  f"VALUES ({', '.join('?' * len(ACTIVE_CALL_FIELDS))})",
                  [getattr(call, name) for name in ACTIVE_CALL_FIELDS])

    def update_active_call(self, call: ActiveCall) -> None:
        """Write every field of the call with this seq."""
        names = ACTIVE_CALL_FIELDS[1:]
        self._run(f"UPDATE active_calls SET {', '.join(f'{name} = ?' for name in names)} WHERE seq = ?",
                  [*(getattr(call, name) for name in names), call.seq])

    def delete_active_call(self, seq: int) -> None:
        self._run("DELETE FROM active_calls WHERE seq = ?", (seq,))

    def get_active_call(self, seq: int) -> ActiveCall | None:
        return self._record(ActiveCall, "SELECT * FROM active_calls WHERE seq = ?", (seq,))

    def agent_active_calls(self, tenant: str, email: str) -> list[ActiveCall]:
        """Calls that involve the agent now (an inbound call still in the IVR does not)."""
        return self._records(ActiveCall, "SELECT * FROM active_calls WHERE tenant = ? AND agent_email = ? "
                                         "AND status != 'ivr' ORDER BY seq", (tenant, email))

    def list_active_calls(self, tenant: str) -> list[ActiveCall]:
        return self._records(ActiveCall, "SELECT * FROM active_calls WHERE tenant = ? ORDER BY seq", (tenant,))

    def next_due_call(self, now: str) -> ActiveCall | None:
        return self._record(ActiveCall, "SELECT * FROM active_calls WHERE due_at <= ? ORDER BY due_at, seq LIMIT 1",
                            (now,))

    def push_scripted_outcome(self, tenant: str, agent_email: str, outcome: ScriptedOutcome) -> None:
        """Script the next call of an agent (``agent_email`` "" for any agent of the tenant)."""
        self._run("INSERT INTO scripted_outcomes (tenant, agent_email, disposition, ring_seconds, talk_seconds) "
                  "VALUES (?, ?, ?, ?, ?)",
                  (tenant, agent_email, outcome.disposition, outcome.ring_seconds, outcome.talk_seconds))

    def pop_scripted_outcome(self, tenant: str, agent_email: str) -> ScriptedOutcome | None:
        """The oldest outcome scripted for this agent, else the oldest for any agent; removed."""
        with self.transaction():
            row = self._one("SELECT * FROM scripted_outcomes WHERE tenant = ? AND agent_email IN (?, '') "
                            "ORDER BY agent_email = '', id LIMIT 1", (tenant, agent_email))
            if row is not None:
                self._run("DELETE FROM scripted_outcomes WHERE id = ?", (row["id"],))
        return record_of(ScriptedOutcome, row) if row is not None else None

    def set_notification_config(self, tenant: str, config: NotificationConfig) -> None:
        self._run("INSERT INTO notification_config VALUES (?, ?, ?) ON CONFLICT(tenant) DO UPDATE SET "
                  "url = excluded.url, params = excluded.params", (tenant, config.url, json.dumps(config.params)))

    def get_notification_config(self, tenant: str) -> NotificationConfig | None:
        row = self._one("SELECT * FROM notification_config WHERE tenant = ?", (tenant,))
        return NotificationConfig(row["url"], json.loads(row["params"])) if row else None

    # -- outbox -------------------------------------------------------------------------------
    def enqueue(self, delivery: Delivery) -> None:
        self._run("INSERT INTO outbox (delivery_id, tenant, kind, method, url, content_type, payload, created_at, "
                  "status, attempts, next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (delivery.delivery_id, delivery.tenant, delivery.kind, delivery.method, delivery.url,
                   delivery.content_type, delivery.payload, delivery.created_at, delivery.status, delivery.attempts,
                   delivery.next_attempt))

    def claim_delivery(self, now: float, lease_seconds: float, max_attempts: int) -> Delivery | None:
        """The next pending delivery due by ``now`` that no worker holds, leased to the caller with its attempt
        counted: ``attempts`` goes up and the attempt is logged "in flight" in the same transaction, before
        anything is sent, so a resend after a crash carries a higher attempt number. An attempt whose lease ran
        out before its answer was recorded is logged "interrupted" (the receiver may or may not have had it);
        when that was the last attempt allowed, the delivery fails."""
        with self.transaction():
            while True:
                row = self._one("SELECT * FROM outbox WHERE status = 'pending' AND next_attempt <= ? "
                                "AND claimed_until <= ? ORDER BY next_attempt, id LIMIT 1", (now, now))
                if row is None:
                    return None
                if row["claimed_until"] > 0:  # leased and never recorded: its worker stopped mid-attempt
                    self._run("UPDATE delivery_attempts SET outcome = 'interrupted', error = ? "
                              "WHERE delivery_id = ? AND attempt = ? AND outcome = 'in flight'",
                              (INTERRUPTED, row["delivery_id"], row["attempts"]))
                    if row["attempts"] >= max_attempts:
                        self._run("UPDATE outbox SET status = 'failed', claimed_until = 0 WHERE id = ?", (row["id"],))
                        continue
                attempt = row["attempts"] + 1
                self._run("UPDATE outbox SET attempts = ?, claimed_until = ? WHERE id = ?",
                          (attempt, now + lease_seconds, row["id"]))
                self._run("INSERT INTO delivery_attempts (delivery_id, attempt, at, status_code, error, elapsed_ms, "
                          "outcome) VALUES (?, ?, ?, NULL, NULL, 0, 'in flight')", (row["delivery_id"], attempt, now))
                return self._record(Delivery, "SELECT * FROM outbox WHERE id = ?", (row["id"],))

    def record_attempt(self, delivery_id: str, result: AttemptResult) -> None:
        """The answer to a claimed attempt; the delivery moves on only if no later claim took it meanwhile."""
        with self.transaction():
            self._run("UPDATE delivery_attempts SET status_code = ?, error = ?, elapsed_ms = ?, outcome = ? "
                      "WHERE delivery_id = ? AND attempt = ?",
                      (result.status_code, result.error, result.elapsed_ms, result.outcome, delivery_id,
                       result.attempt))
            self._run("UPDATE outbox SET status = ?, next_attempt = ?, claimed_until = 0 "
                      "WHERE delivery_id = ? AND attempts = ?",
                      (result.status, result.next_attempt, delivery_id, result.attempt))

    def next_delivery_time(self) -> float | None:
        row = self._one("SELECT MIN(MAX(next_attempt, claimed_until)) AS t FROM outbox WHERE status = 'pending'")
        return row["t"] if row else None

    def list_deliveries(self, tenant: str | None, limit: int) -> list[DeliveryLog]:
        """The newest ``limit`` deliveries (of one tenant, or all), oldest first, each with its attempts."""
        sql, args = "SELECT * FROM outbox", []
        if tenant:
            sql, args = sql + " WHERE tenant = ?", [tenant]
        rows = self._all(sql + " ORDER BY id DESC LIMIT ?", args + [limit])
        return [DeliveryLog(record_of(Delivery, row), self._records(
            Attempt, "SELECT * FROM delivery_attempts WHERE delivery_id = ? ORDER BY attempt", (row["delivery_id"],)))
            for row in reversed(rows)]

    # -- journal ----------------------------------------------------------------------------
    def append_journal(self, entry: JournalEntry, keep: int = 0) -> None:
        """Record a request. With ``keep`` above 0 only the newest ``keep`` entries stay: each new one drops
        those that fall out of the window (a range of the primary key, so it costs one short index walk)."""
        with self.transaction():
            seq = self._db.execute(
                "INSERT INTO journal (at, tenant, method, path, function, params, status, outcome) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.at, entry.tenant, entry.method, entry.path, entry.function,
                 json.dumps(entry.params, ensure_ascii=False), entry.status, entry.outcome),
            ).lastrowid
            if keep > 0:
                self._db.execute("DELETE FROM journal WHERE seq <= ?", (seq - keep,))

    def list_journal(self, limit: int, function: str | None = None) -> list[JournalEntry]:
        """The newest ``limit`` entries (of one function, or all), oldest first."""
        sql, args = "SELECT * FROM journal", []
        if function:
            sql, args = sql + " WHERE function = ?", [function]
        rows = self._all(sql + " ORDER BY seq DESC LIMIT ?", args + [limit])
        return [record_of(JournalEntry, row, params=json.loads(row["params"])) for row in reversed(rows)]

    def clear_journal(self) -> None:
        self._run("DELETE FROM journal")

    # -- the softphone: agent availability and the per-agent event log ---------------------------
    def get_agent_status(self, tenant: str, email: str) -> str | None:
        row = self._one("SELECT status FROM agent_status WHERE tenant = ? AND email = ?", (tenant, email))
        return row["status"] if row else None

    def set_agent_status(self, tenant: str, email: str, status: str, at: str) -> None:
        self._run("INSERT INTO agent_status (tenant, email, status, changed_at) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT(tenant, email) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at",
                  (tenant, email, status, at))

    def append_agent_event(self, tenant: str, email: str, at: str, body: dict[str, Any]) -> int:
        with self._lock:
            cursor = self._db.execute("INSERT INTO agent_events (tenant, email, at, body) VALUES (?, ?, ?, ?)",
                                      (tenant, email, at, json.dumps(body, ensure_ascii=False)))
            return int(cursor.lastrowid)

    def agent_events_after(self, tenant: str, email: str, after: int, limit: int = 500) -> list[dict[str, Any]]:
        """The agent's events with id > ``after``, oldest first, each with its ``eventId``."""
        rows = self._all("SELECT id, body FROM agent_events WHERE tenant = ? AND email = ? AND id > ? ORDER BY id "
                         "LIMIT ?", (tenant, email, after, limit))
        return [dict(json.loads(row["body"]), eventId=row["id"]) for row in rows]

    def last_agent_event_id(self) -> int:
        row = self._one("SELECT MAX(id) AS id FROM agent_events")
        return int(row["id"] or 0)

    # -- the fake's request sink (the demo's hangup_url and notification URL) ------------------------
    def append_sink(self, name: str, at: float, method: str, url: str, content_type: str, body: str,
                    fields: dict[str, str]) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO sink (name, at, method, url, content_type, body, fields) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (name, at, method, url, content_type, body, json.dumps(fields, ensure_ascii=False)))
            return int(cursor.lastrowid)

    def list_sink(self, name: str, after: int, limit: int) -> list[dict[str, Any]]:
        rows = self._all("SELECT * FROM sink WHERE name = ? AND id > ? ORDER BY id LIMIT ?", (name, after, limit))
        return [dict(dict(row), fields=json.loads(row["fields"])) for row in rows]


def _cdr_record(row: sqlite3.Row) -> CdrRecord:
    return CdrRecord._make(tuple(row)[1:])  # the columns after the insertion id are the record's fields


def _cdr_conditions(wanted: CdrFilter) -> tuple[list[str], list[Any]]:
    """The WHERE clauses of a call-record filter and their arguments, in a fixed order."""
    clauses, args = ["tenant = ?"], [wanted.tenant]

    def add(clause: str, *values: Any) -> None:
        clauses.append(clause)
        args.extend(values)

    for column, value in (("seq", wanted.seq), ("uniqueid", wanted.uniqueid)):
        if value is not None:
            add(f"{column} = ?", value)
    if wanted.since is not None:
        add("calldate >= ?", wanted.since)
    if wanted.until is not None:
        add("calldate <= ?", wanted.until)
    for column, value in (("agentid", wanted.agentid), ("agent", wanted.agent), ("queuekey", wanted.queuekey)):
        if value is not None:
            add(f"{column} = ?", value)
    if wanted.csat_only:
        add("csat IS NOT NULL")
    if wanted.untransferred:
        add("transferred = 0")
    if wanted.highest_id is not None:
        add("id <= ?", wanted.highest_id)
    if wanted.after is not None:  # keyset: strictly past the last record returned, in the walk's order
        op = "<" if wanted.descending else ">"
        add(f"(calldate {op} ? OR (calldate = ? AND id {op} ?))", wanted.after.calldate, wanted.after.calldate,
            wanted.after.id)
    return clauses, args
