"""Typed records: the rows the store writes and reads, and the filters it takes.

Storage is the bottom layer: this module imports nothing else of the package. Field names are the
table's column names and field order is column order, so a record's field list is the one place
a row's shape is written down; the domain derives the wire form from it (``domain.cdr.WIRE_FIELDS``).
Dates are text in the vendor's ``YYYY-MM-DD HH:MM:SS`` form, the way they are stored and compared;
booleans are ``Flag`` (0 or 1), the way SQLite stores them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, NewType, get_type_hints

Flag = NewType("Flag", int)  # 0 or 1: a boolean as SQLite stores it (and as sqlite3 binds fastest)


class CdrRecord(NamedTuple):
    """One call detail record as stored. A tuple, so seeding binds tens of thousands a second with no copy.

    A call's ``callkey``, ``activecallkey`` and recording URL are not stored: they are functions of
    ``seq`` (``domain.cdr.CallKeys``)."""

    seq: int
    tenant: str
    callid: str
    queued: Flag
    answered: Flag
    assigned: Flag
    abandon: Flag
    queuedate: str  # "" when the call never queued
    calldate: str
    talkdate: str | None
    hangupdate: str
    waitduration: int
    duration: int | None  # None when unanswered
    sl: Flag
    shortcall: Flag
    callerid: str
    called_num: str
    queue: str
    around: Flag
    agent: str
    agentid: str
    hold: Flag
    holdduration: int
    queuekey: str
    voicemail: Flag
    recorded: Flag
    localrelease: Flag
    transferred: Flag
    answeredby: str
    uniqueid: str
    inbound: Flag
    click2call: Flag
    hangupcause: str
    csat: int | None
    call_tags: str  # a JSON list, or "" for none


CDR_FIELDS: tuple[str, ...] = CdrRecord._fields
CDR_COLUMNS: tuple[str, ...] = CDR_FIELDS[2:]  # the columns after the key pair (seq, tenant)
CDR_FLAGS: tuple[str, ...] = tuple(name for name, kind in get_type_hints(CdrRecord).items() if kind is Flag)


class CdrPosition(NamedTuple):
    """Where a keyset walk stands: the last record it returned, by (calldate, insertion id)."""

    calldate: str
    id: int


@dataclass(frozen=True)
class CdrFilter:
    """Which call records a query wants: every condition given holds. None (or False) leaves one out.

    ``highest_id`` pins a walk to the records that existed when it began; ``after`` continues it past
    a position in the order ``descending`` says."""

    tenant: str
    seq: int | None = None
    uniqueid: str | None = None
    since: str | None = None  # calldate from (inclusive)
    until: str | None = None  # calldate to (inclusive)
    agentid: str | None = None
    agent: str | None = None
    queuekey: str | None = None
    csat_only: bool = False
    untransferred: bool = False
    highest_id: int | None = None
    after: CdrPosition | None = None
    descending: bool = False


@dataclass(frozen=True)
class CdrPage:
    """Records in order, and the position of the last one (None for an empty page)."""

    records: list[CdrRecord]
    last: CdrPosition | None


@dataclass(frozen=True)
class ActiveCall:
    """A call in progress: its plan (disposition, ending, durations), its state and when it next moves."""

    seq: int
    tenant: str
    inbound: Flag
    agent_email: str  # "" while an inbound call has no agent yet
    agent_key: str
    number: str  # the customer's number
    transactionid: str
    hangup_url: str  # "" for none
    masked: Flag
    queue_name: str
    queue_key: str
    status: str  # a state of domain.call_states
    started_at: str
    queued_at: str | None
    answered_at: str | None
    hold_since: str | None
    hold_seconds: int
    disposition: str
    ending: str  # inbound: no_queue, abandoned or answered; outbound: ""
    ivr_seconds: int
    ring_seconds: int
    talk_seconds: int
    agent_hung_up: Flag
    due_at: str
    muted: Flag = Flag(0)


ACTIVE_CALL_FIELDS: tuple[str, ...] = tuple(ActiveCall.__dataclass_fields__)


@dataclass(frozen=True)
class ScriptedOutcome:
    """What the next click2call does instead of its drawn outcome; None durations are drawn."""

    disposition: str
    ring_seconds: int | None
    talk_seconds: int | None


@dataclass(frozen=True)
class Session:
    """An agent's session key and its lifetime."""

    session: str
    tenant: str
    email: str
    created_at: str
    expires_at: str
    ended_at: str | None
    end_reason: str | None
    seq: int


@dataclass(frozen=True)
class JournalEntry:
    """One vendor API request as the journal keeps it (secrets already masked); ``seq`` is set by the store."""

    at: str
    tenant: str | None
    method: str
    path: str
    function: str | None
    params: dict[str, str]
    status: int
    outcome: str
    seq: int | None = None


@dataclass(frozen=True)
class Delivery:
    """One outbox entry, a hangup POST or a notification GET, and where its sending stands."""

    delivery_id: str
    tenant: str
    kind: str
    method: str
    url: str
    content_type: str
    payload: str
    created_at: str
    status: str = "pending"
    attempts: int = 0
    next_attempt: float = 0.0  # wall-clock seconds
    claimed_until: float = 0.0  # wall-clock seconds; 0 when no worker holds it


@dataclass(frozen=True)
class Attempt:
    """One try at sending a delivery, as logged ("in flight" from its claim until its answer is recorded)."""

    attempt: int
    at: float
    outcome: str
    status_code: int | None
    error: str | None
    elapsed_ms: float


@dataclass(frozen=True)
class AttemptResult:
    """The answer to a claimed attempt, and what it makes of the delivery (its status, its next try)."""

    attempt: int
    status_code: int | None
    error: str | None
    elapsed_ms: float
    outcome: str
    status: str
    next_attempt: float


@dataclass(frozen=True)
class DeliveryLog:
    """A delivery with every attempt made at it, oldest first."""

    delivery: Delivery
    attempts: list[Attempt] = field(default_factory=list)


@dataclass(frozen=True)
class NotificationConfig:
    """A tenant's IVR call-notification URL and its parameter names (the fake's field -> the tenant's name)."""

    url: str
    params: dict[str, str]


def record_of(kind: type, row: Any, **decoded: Any) -> Any:
    """The dataclass record ``kind`` from a row that has a column for each of its fields (and maybe more);
    ``decoded`` gives the fields not stored as they are (JSON text, for one)."""
    return kind(**{name: decoded[name] if name in decoded else row[name] for name in kind.__dataclass_fields__})
