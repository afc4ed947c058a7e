"""A clock kept in the store: every process serving one database file tells the same time, and a restart
carries on from where the clock was.

``create_app`` uses it whenever the database is a file (``serve``, ``serve --workers N``): the clock's
anchor (a fake time, the wall time it was true at, the mode and speed) is a row of the ``meta`` table;
moving the clock rewrites it in a transaction. A manual clock's anchor is simply the current fake time.
The wrapped per-process clock only supplies the starting point (a new file, or a reset).
"""
from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from mock_server.domain.clock import (Clock, ClockError, check_within_limit, format_datetime, moved,
                                      parse_datetime, running)
from mock_server.store import Store

META_KEY = "clock"


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
            current = self.now()
            if when < current:
                raise ClockError(f"cannot set the clock back from {format_datetime(current)} to "
                                 f"{format_datetime(when)}; use POST /_mock/reset to start over")
            self._write(check_within_limit(when))
        return when

    def reset(self) -> datetime:
        start = self.origin.reset()
        with self.store.transaction():
            self._write(start)
        return start
