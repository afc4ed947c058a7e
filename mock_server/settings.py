"""One frozen settings object: defaults < environment (``CCS_MOCK_*``) < explicit values."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any, Mapping

from mock_server.domain.ids import DEFAULT_APP_ID
from mock_server.domain.loopback import LOOPBACK_NAMES
# Durations the fake adds to its clock. With the clock's limit (domain.clock.LATEST, year 9000) they keep
# every computed time far inside datetime's range.
MAX_DURATION_SECONDS = 100 * 366 * 86400
DURATIONS = ("session_lifetime_seconds", "ring_seconds_min", "ring_seconds_max", "talk_seconds_min",
             "talk_seconds_max", "ivr_seconds")
MAX_CLOCK_SPEED = 1_000_000.0


@dataclass(frozen=True)
class Settings:
    fixtures: str = "demo"  # a bundled fixture name, or a path to a YAML file
    seed: int | None = None  # None: the fixture file's seed
    db: str = ":memory:"  # or a file path: state survives restarts
    clock: str = "manual"  # "manual" (moves only when told) or "system" (wall clock, optionally sped up)
    clock_speed: float = 1.0  # system clock only: fake seconds per real second
    clock_start: str | None = None  # "YYYY-MM-DD HH:MM:SS": overrides the fixture's start time
    session_lifetime_seconds: int = 24 * 3600  # facts §6.1 (CONFIRMED, D-V17)
    max_sessions_per_user: int = 10  # facts §15.3: a cap exists, its size is unknown (assumed)
    login_session_token_alias: bool = False  # also return `session_token` (facts §13.1)
    error_http_status: int = 200  # facts §1.9: status of vendor error bodies (assumed 200)
    max_query_bytes: int = 16384  # longer query strings get 414 (assumed front-end limit)
    app_id: str = DEFAULT_APP_ID
    # the only hosts called back: exact names, IP addresses and CIDR ranges (mock_server.domain.callback_urls)
    allowed_callback_hosts: tuple[str, ...] = field(default=LOOPBACK_NAMES)
    ring_seconds_min: int = 3  # live calls: ring time drawn per call (assumed)
    ring_seconds_max: int = 15
    talk_seconds_min: int = 20  # live calls: talk time drawn per call (assumed)
    talk_seconds_max: int = 240
    ivr_seconds: int = 8  # inbound calls: time in the IVR before the queue (assumed)
    delivery_timeout_seconds: float = 5.0  # per attempt (assumed policy, facts §3.6)
    delivery_max_attempts: int = 6
    delivery_backoff_seconds: float = 1.0  # first retry delay; doubles per attempt, capped at 60 s
    # how long a claimed attempt is held before another claim may resend it (the sender crashed); None: timeout + 5
    delivery_lease_seconds: float | None = None
    delivery_ca_bundle: str | None = None  # CA file for HTTPS callbacks (serve --tls: public CAs + the local CA)
    clock_shared: bool = False  # keep the clock in the store (always with a file db: restarts and workers agree)
    delivery_lock: str | None = None  # a lock file: only the process holding it delivers (serve --workers)
    control_token: str | None = None  # when set, /_mock/ JSON endpoints need `Authorization: Bearer TOKEN`
    allowed_hosts: tuple[str, ...] = ()  # more Host names /_mock/ answers on (beyond loopback, tenants, softphone);
    # "*" answers any name (unsafe: a DNS-rebinding page can then use the control API)
    replay_dir: str | None = None  # answer requests recorded by `ccs-mock proxy --record` from this folder
    softphone_requires_full_host: bool = False  # SSO `tenant=` must be the full host (facts §5.2, §13.9)
    softphone_stream_poll_seconds: float = 0.25  # event streams re-check the store at least this often
    softphone_origins: tuple[str, ...] = ()  # origins beyond the fake's own the demo CRM may load the softphone from
    journal_max_rows: int = 10_000  # the journal keeps the newest this many requests; 0 keeps every one

    def __post_init__(self) -> None:
        for name in DURATIONS:
            if not 0 <= getattr(self, name) <= MAX_DURATION_SECONDS:
                raise ValueError(f"{name} must be 0 to {MAX_DURATION_SECONDS} seconds, not {getattr(self, name)!r}")
        if self.journal_max_rows < 0:
            raise ValueError(f"journal_max_rows must be 0 (keep every request) or more, not {self.journal_max_rows}")
        if not 0 < self.clock_speed <= MAX_CLOCK_SPEED:
            raise ValueError(f"clock_speed must be above 0 and at most {MAX_CLOCK_SPEED:g}, not {self.clock_speed!r}")

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **explicit: Any) -> "Settings":
        """Build settings from ``CCS_MOCK_<NAME>`` variables, then explicit keyword values."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            raw = env.get(f"CCS_MOCK_{item.name.upper()}")
            if raw is not None:
                values[item.name] = _coerce(cls.__dataclass_fields__[item.name], raw)
        values.update({key: value for key, value in explicit.items() if value is not None})
        return cls(**values)


def _coerce(item: dataclasses.Field, raw: str) -> Any:
    kind = str(item.type)
    if kind.startswith("tuple"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if kind.startswith("bool"):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind.startswith("int"):
        return int(raw)
    if kind.startswith("float"):
        return float(raw)
    return raw
