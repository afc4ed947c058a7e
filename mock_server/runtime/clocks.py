"""The clocks that read the wall clock, so they live outside ``domain`` (which only sees the ``Clock``
protocol): ``SystemClock``, tenant-local wall time for ``serve``, optionally sped up, still movable; and
``SharedClock``, a clock kept in the store.

``SharedClock``: every process serving one database file tells the same time, and a restart carries on
from where the clock was. ``create_app`` uses it whenever the database is a file (``serve``,
``serve --workers N``): the clock's anchor (a fake time, the wall time it was true at, the mode and speed)
is a row of the ``meta`` table; moving the clock rewrites it in a transaction. A manual clock's anchor is
simply the current fake time. The wrapped per-process clock only supplies the starting point (a new file,
or a reset).
"""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from mock_server.domain.clock import (Clock, check_within_limit, format_datetime, moved, parse_datetime,
                                      running, set_forward)
from mock_server.storage.store import Store

META_KEY = "clock"


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
        target = set_forward(self.now(), when)
        with self._lock:
            self._anchor_fake, self._anchor_real = target, time.monotonic()
        return target

    def reset(self) -> datetime:
        with self._lock:
            self._anchor_fake, self._anchor_real = self._origin(), time.monotonic()
        return self.now()


class SharedClock:
    def __init__(self, store: Store, origin: Clock):
        self.store, self.origin = store, origin
        self.mode = origin.mode
        self.speed = getattr(origin, "speed", None)
        with store.transaction():
            state = self._state()
            if state is None:
                self._write(origin.now())
            elif (state.get("mode", self.mode), state.get("speed", self.speed)) != (self.mode, self.speed):
                self._write(self._at(state))  # kept from a run with another mode or speed: carry on from there

    def _state(self) -> dict[str, Any] | None:
        raw = self.store.get_meta(META_KEY)
        return json.loads(raw) if raw is not None else None

    def _write(self, fake: datetime) -> None:
        self.store.set_meta(META_KEY, json.dumps({"fake": format_datetime(fake), "real": time.time(),
                                                  "mode": self.mode, "speed": self.speed}))

    def _at(self, state: dict[str, Any]) -> datetime:
        """The fake time an anchor stands for now, by the mode and speed it was written with."""
        fake = parse_datetime(state["fake"])
        if state.get("mode", self.mode) == "manual":
            return fake
        speed = state.get("speed", self.speed) or 1.0
        return running(fake, int(max(0.0, time.time() - state["real"]) * speed))

    def now(self) -> datetime:
        state = self._state()
        if state is None:  # a reset in another process is between restoring the data and rewinding the clock
            return self.origin.now()
        return self._at(state)

    def advance(self, seconds: float) -> datetime:
        with self.store.transaction():
            target = moved(self.now(), seconds)
            self._write(target)
        return target

    def set(self, when: datetime) -> datetime:
        with self.store.transaction():
            target = set_forward(self.now(), when)
            self._write(target)
        return target

    def reset(self) -> datetime:
        start = self.origin.reset()
        with self.store.transaction():
            self._write(start)
        return start
