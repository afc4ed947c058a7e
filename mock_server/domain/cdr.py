"""Call detail records: how a finished call becomes a CallList row, and how rows are queried.

``reportsCDRLogs`` pages at most 100 rows (facts §2.5, CONFIRMED) with a cursor that comes
back on every response (§15.7). The fake's cursor is opaque, signed with a per-seed secret
(tampering is detected) and bound to the query it came from; it pins the walk to the rows
that existed when the walk began, so a walk yields every matching row exactly once, in
order, while new calls keep arriving.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Callable, NamedTuple

from mock_server.domain.clock import Clock, format_datetime
from mock_server.domain.errors import CallNotFound, InvalidCursor, MissingParameter
from mock_server.domain.ids import IdGenerator, decode_key
from mock_server.domain.tenants import Tenant
from mock_server.storage.records import CDR_FIELDS, CDR_FLAGS, CdrFilter, CdrPosition, CdrRecord
from mock_server.storage.store import Store

PAGE_SIZE = 100  # facts §2.5 / §6.5, CONFIRMED
SERVICE_LEVEL_SECONDS = 20  # assumed: `sl` is true when answered within this many seconds of queueing
SHORT_CALL_SECONDS = 10  # assumed: `shortcall` is true for answered calls shorter than this
CALLID_UTC_OFFSET_SECONDS = 3 * 3600  # callid's epoch part is UTC; tenant times are Turkey's UTC+3 (facts §7)
CALL_KEY_KINDS = {"callkey": "CallLog", "activecallkey": "ActiveCall"}  # datastore kinds of a call's keys
# A CallList item is the stored record's fields in order (facts §2.5, then the fake's additions) with
# these in place of a stored field: the key pair is not sent, `recorded` is sent as the recording URL,
# the call's keys (functions of seq) come before uniqueid, csat and call_tags only when asked for.
_WIRE_IN_PLACE_OF = {"seq": (), "tenant": (), "recorded": ("recordingurl",),
                     "uniqueid": ("callkey", "activecallkey", "uniqueid"), "csat": (), "call_tags": ()}
WIRE_FIELDS = tuple(wire for name in CDR_FIELDS for wire in _WIRE_IN_PLACE_OF.get(name, (name,)))
WIRE_FLAGS = tuple(name for name in WIRE_FIELDS if name in CDR_FLAGS)  # stored 0/1, sent as booleans


class CallOutcome(NamedTuple):
    """Everything that happened on one call; ``cdr_row`` turns it into a coherent CallList row."""

    inbound: bool
    number: str  # the customer's number
    calldate: datetime
    ivr_seconds: int | None  # seconds before reaching a queue; None: never queued
    wait_seconds: int  # from queue entry (or call start) to answer, or to hang-up if unanswered
    answered: bool
    talk_seconds: int
    hold_seconds: int
    agent_email: str  # "" when no agent was involved
    agent_key: str
    queue_name: str
    queue_key: str
    transferred: bool
    localrelease: bool
    voicemail: bool
    disposition: str
    uniqueid: str
    csat: int | None
    tags: tuple[str, ...]


def cdr_row(seq: int, tenant: Tenant, call: CallOutcome) -> CdrRecord:
    """The stored record of a finished call.

    Invariants: an unanswered call has no talkdate and a null duration; hangupdate =
    (queuedate or calldate) + waitduration + duration; holdduration <= duration.
    (Written for speed: seeding builds tens of thousands of rows a second through it. Flags are stored
    as exact ints: sqlite3 binds ``bool`` through its slow adapter lookup.)
    """
    (inbound, number, calldate, ivr, wait, answered, talk, hold, agent_email, agent_key, queue_name, queue_key,
     transferred, localrelease, voicemail, disposition, uniqueid, csat, tags) = call
    queuedate = calldate + timedelta(seconds=ivr) if ivr is not None else None
    start = queuedate or calldate
    if answered:
        talkdate, duration = format_datetime(start + timedelta(seconds=wait)), talk
        hold = hold if hold < talk else talk
    else:
        talkdate, duration, hold = None, None, 0
    hangupdate = start + timedelta(seconds=wait + talk if answered else wait)
    queued = ivr is not None
    return CdrRecord(
        seq, tenant.host,
        callid(calldate, seq),
        int(queued), int(answered), int(agent_email != ""), int(queued and not answered),
        format_datetime(queuedate) if queued else "", format_datetime(calldate), talkdate, format_datetime(hangupdate),
        wait, duration, int(answered and wait <= SERVICE_LEVEL_SECONDS), int(answered and talk < SHORT_CALL_SECONDS),
        number if inbound else tenant.did, tenant.did if inbound else number, queue_name,
        0,  # around: meaning unknown (facts §2.5); always false
        agent_email, agent_key, int(hold > 0), hold, queue_key, int(voicemail),
        int(answered),  # recorded
        int(localrelease), int(transferred), agent_email if answered else "",
        uniqueid, int(inbound), int(not inbound), disposition,
        csat, json.dumps(list(tags)) if tags else "",
    )


_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)


def callid(calldate: datetime, seq: int) -> str:
    """Asterisk-style uniqueid: UTC epoch seconds of the call's start, dot, sequence."""
    return f"{(calldate - _EPOCH) // _SECOND - CALLID_UTC_OFFSET_SECONDS}.{seq}"


class CallKeys:
    """A call's keys are functions of its seq, so they are never stored and never collide.

    ``callkey`` is the datastore key of kind CallLog and ``activecallkey`` of kind ActiveCall,
    both with the call's seq as counter; ``seq_of`` reverses them, refusing any key the fake
    did not mint for this tenant.
    """

    def __init__(self, ids: IdGenerator):
        self.ids = ids
        self._encoders: dict[tuple[str, str], Any] = {}

    def key(self, field: str, host: str, seq: int) -> str:
        kind = CALL_KEY_KINDS[field]
        encoder = self._encoders.get((kind, host))
        if encoder is None:
            encoder = self._encoders[(kind, host)] = self.ids.key_encoder(kind, host)
        return encoder(seq)

    def seq_of(self, field: str, host: str, key: str) -> int | None:
        decoded = decode_key(key)
        kind = CALL_KEY_KINDS[field]
        if decoded is None or (decoded.app, decoded.kind, decoded.namespace) != (self.ids.app_id, kind, host):
            return None
        seq = decoded.id & 0xFFFFFFFF
        return seq if self.ids.numeric_id(kind, seq) == decoded.id else None


def to_wire(record: CdrRecord, keys: CallKeys, *, include_call_history: bool, include_csat: bool,
            include_call_tags: bool) -> dict[str, Any]:
    """A stored record as one CallList item, with its derived keys and recording URL."""
    host, seq = record.tenant, record.seq
    derived = {"callkey": keys.key("callkey", host, seq), "activecallkey": keys.key("activecallkey", host, seq)}
    derived["recordingurl"] = f"https://{host}/recordings/{derived['callkey']}.mp3" if record.recorded else ""
    stored = record._asdict()
    item: dict[str, Any] = {field: derived[field] if field in derived else stored[field] for field in WIRE_FIELDS}
    for field in WIRE_FLAGS:
        item[field] = bool(item[field])
    if include_call_history:
        item["call_history"] = _history(item)
    if include_csat:
        item["csat"] = {"score": record.csat} if record.csat is not None else None
    if include_call_tags:
        item["call_tags"] = json.loads(record.call_tags) if record.call_tags else []
    return item


def _history(item: dict[str, Any]) -> list[dict[str, str]]:
    """Assumed shape: the call's steps in order, derived from its dates."""
    steps = [("start", item["calldate"]), ("queued", item["queuedate"]), ("answered", item["talkdate"]),
             ("hangup", item["hangupdate"])]
    return [{"event": event, "date": when} for event, when in steps if when]


@dataclass(frozen=True)
class CdrQuery:
    startdate: datetime | None = None
    finishdate: datetime | None = None
    agent: str | None = None
    agent_username: str | None = None
    queue: str | None = None
    csat_only: bool = False
    untransferred: bool = False
    sorting: str = "desc"
    activecallkey: str | None = None
    callkey: str | None = None
    uniqueid: str | None = None

    def to_filter(self, keys: CallKeys, host: str) -> CdrFilter:
        """The stored records this query asks for. Key filters beat everything: activecallkey > callkey >
        uniqueid > the rest (facts §2.5); a key the fake never minted for this tenant matches nothing."""
        for field in ("activecallkey", "callkey"):
            value = getattr(self, field)
            if value is not None:
                seq = keys.seq_of(field, host, value)
                return CdrFilter(host, seq=-1 if seq is None else seq)
        if self.uniqueid is not None:
            return CdrFilter(host, uniqueid=self.uniqueid)
        if self.startdate is None or self.finishdate is None:
            raise MissingParameter("startdate" if self.startdate is None else "finishdate")
        return CdrFilter(host, since=format_datetime(self.startdate), until=format_datetime(self.finishdate),
                         agentid=self.agent, agent=self.agent_username, queuekey=self.queue,
                         csat_only=self.csat_only, untransferred=self.untransferred)

    def live_key(self) -> tuple[str, str] | None:
        """(field, key) of a call-key query, which may name a call still in progress."""
        field = "activecallkey" if self.activecallkey else "callkey" if self.callkey else None
        return (field, getattr(self, field)) if field else None

    def fingerprint(self, tenant: str) -> str:
        fields = dict(self.__dict__, startdate=str(self.startdate), finishdate=str(self.finishdate), tenant=tenant)
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


class CursorCodec:
    """Opaque, tamper-proof cursors: base64url(json position + HMAC)."""

    MAC_BYTES = 12

    def __init__(self, secret: bytes):
        self._secret = secret

    def encode(self, position: dict[str, Any]) -> str:
        payload = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        mac = hmac.new(self._secret, payload, hashlib.sha256).digest()[: self.MAC_BYTES]
        return base64.urlsafe_b64encode(mac + payload).rstrip(b"=").decode()

    def decode(self, cursor: str) -> dict[str, Any]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (ValueError, TypeError):
            raise InvalidCursor("Invalid cursor") from None
        mac, payload = raw[: self.MAC_BYTES], raw[self.MAC_BYTES:]
        expected = hmac.new(self._secret, payload, hashlib.sha256).digest()[: self.MAC_BYTES]
        if len(mac) != self.MAC_BYTES or not hmac.compare_digest(mac, expected):
            raise InvalidCursor("Invalid cursor")
        return json.loads(payload)


LiveRecords = Callable[[Tenant, int | None], CdrRecord | None]  # (tenant, seq) -> a call in progress so far


class CdrReports:
    """reportsCDRLogs, recordinginfo and reportsAgentPerf over the stored records (and, for a call-key query,
    the record so far of a call still in progress, from ``live``)."""

    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, keys: CallKeys, live: LiveRecords):
        self.store, self.clock, self.keys, self.live = store, clock, keys, live
        self.cursors = CursorCodec(ids.secret("cursor"))

    def reports_cdr_logs(self, tenant: Tenant, query: CdrQuery, cursor: str | None, *, include_call_history: bool,
                         include_csat: bool, include_call_tags: bool) -> dict[str, Any]:
        wanted = query.to_filter(self.keys, tenant.host)
        position = self._position(query.fingerprint(tenant.host), cursor)
        after = CdrPosition(position["d"], position["s"]) if position["d"] is not None else None
        page = self.store.query_cdrs(replace(wanted, highest_id=position["h"], after=after,
                                             descending=query.sorting == "desc"), PAGE_SIZE)
        if page.last is not None:
            position = dict(position, d=page.last.calldate, s=page.last.id)
        records = page.records or self._in_progress(tenant, query)
        return {
            "CallList": [to_wire(record, self.keys, include_call_history=include_call_history,
                                 include_csat=include_csat, include_call_tags=include_call_tags) for record in records],
            "cursor": self.cursors.encode(position),
        }

    def _position(self, fingerprint: str, cursor: str | None) -> dict[str, Any]:
        """Where the walk stands: the cursor's position, or a new walk pinned to the newest record now."""
        if not cursor:
            return {"q": fingerprint, "h": self.store.max_cdr_id(), "d": None, "s": None}
        position = self.cursors.decode(cursor)
        if position.get("q") != fingerprint:
            raise InvalidCursor("Invalid cursor: it was issued for a different query; start the walk again without it")
        return position

    def _in_progress(self, tenant: Tenant, query: CdrQuery) -> list[CdrRecord]:
        """A call-key query that found no record may name a call in progress: its record so far (assumed: the guide
        has CRMs look up a ringing call's masked caller by activecallkey, facts §15.5)."""
        asked = query.live_key()
        if asked is None:
            return []
        field, key = asked
        live = self.live(tenant, self.keys.seq_of(field, tenant.host, key))
        return [live] if live is not None else []

    def recordinginfo(self, tenant: Tenant, callkey: str) -> dict[str, Any]:
        seq = self.keys.seq_of("callkey", tenant.host, callkey)
        records = self.store.query_cdrs(CdrFilter(tenant.host, seq=seq), 1).records if seq is not None else []
        if not records or not records[0].recorded:
            raise CallNotFound("Recording not found")
        item = to_wire(records[0], self.keys, include_call_history=False, include_csat=False, include_call_tags=False)
        return {"success": True, "callkey": callkey, "recordingurl": item["recordingurl"],
                "duration": item["duration"], "calldate": item["calldate"]}

    def reports_agent_perf(self, tenant: Tenant, startdate: date | None, finishdate: date | None,
                           agent: str | None, email: str | None, agentcustomid: str | None,
                           team: str | None) -> dict[str, Any]:
        """Per-agent totals over whole days (both ends inclusive); defaults to today (assumed)."""
        today = self.clock.now().date()
        start, finish = startdate or today, finishdate or today
        stats = {row["agentid"]: row for row in self.store.agent_performance(
            tenant.host, f"{start.isoformat()} 00:00:00", f"{finish.isoformat()} 23:59:59")}
        report = []
        for user in self.store.list_users(tenant.host):
            if any(want is not None and want != have for want, have in (
                    (agent, user["userkey"]), (email, user["email"]), (agentcustomid, user["agentcustomid"]),
                    (team, user["team"]))):
                continue
            row = stats.get(user["userkey"])
            answered = row["answered_calls"] if row else 0
            talk = row["talk_duration"] if row else 0
            report.append({
                "agent": user["email"], "agentid": user["userkey"], "agentname": user["name"],
                "agentcustomid": user["agentcustomid"], "team": user["team"],
                "total_calls": row["total_calls"] if row else 0, "answered_calls": answered,
                "missed_calls": row["missed_calls"] if row else 0,
                "inbound_calls": row["inbound_calls"] if row else 0,
                "outbound_calls": row["outbound_calls"] if row else 0,
                "talk_duration": talk, "hold_duration": row["hold_duration"] if row else 0,
                "avg_talk_duration": round(talk / answered) if answered else 0,
            })
        return {"AgentPerfList": report}
