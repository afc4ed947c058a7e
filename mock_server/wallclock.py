"""The system clock for ``serve``: tenant-local wall time, optionally sped up, still movable.

It lives outside ``domain`` because it reads the wall clock; the domain only sees the
``Clock`` protocol.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

from mock_server.domain.clock import ClockError, check_within_limit, format_datetime, moved, running


class SystemClock:
    mode = "system"

    def __init__(self, start: datetime | None, speed: float, utc_offset_minutes: int):
        if not 0 < speed < float("inf"):
            raise ValueError("clock speed must be a positive number")
        self.speed = speed
        self._offset = timedelta(minutes=utc_offset_minutes)
        self._initial = check_within_limit(start) if start is not None else None
        self._lock = threading.Lock()
        self._anchor_fake, self._anchor_real = self._origin(), time.monotonic()

    def _origin(self) -> datetime:
        if self._initial is not None:
            return self._initial
        return (datetime.now(timezone.utc) + self._offset).replace(tzinfo=None, microsecond=0)

    def now(self) -> datetime:
        with self._lock:
            elapsed = (time.monotonic() - self._anchor_real) * self.speed
            return running(self._anchor_fake, elapsed).replace(microsecond=0)

    def advance(self, seconds: float) -> datetime:
        moved(self.now(), seconds)  # refused when negative or past the limit
        with self._lock:
            self._anchor_fake += timedelta(seconds=seconds)
        return self.now()

    def set(self, when: datetime) -> datetime:
        current = self.now()
        if when < current:
            raise ClockError(f"cannot set the clock back from {format_datetime(current)} to {format_datetime(when)}; "
                             "use POST /_mock/reset to start over")
        with self._lock:
            self._anchor_fake, self._anchor_real = check_within_limit(when), time.monotonic()
        return when

    def reset(self) -> datetime:
        with self._lock:
            self._anchor_fake, self._anchor_real = self._origin(), time.monotonic()
        return self.now()
