"""A clock kept in the store, so that every worker process serving one database tells the same time.

``serve --workers N`` uses it: the clock's anchor (a fake time and the wall time it was true at) is a
row of the ``meta`` table; moving the clock rewrites it in a transaction. A manual clock's anchor is
simply the current fake time. The wrapped per-process clock only supplies the starting point.
"""
from __future__ import annotations

import json
import time
from datetime import datetime

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
            if store.get_meta(META_KEY) is None:
                self._write(origin.now())

    def _write(self, fake: datetime) -> None:
        self.store.set_meta(META_KEY, json.dumps({"fake": format_datetime(fake), "real": time.time()}))

    def now(self) -> datetime:
        raw = self.store.get_meta(META_KEY)
        if raw is None:  # a reset in another process is between restoring the data and rewinding the clock
            return self.origin.now()
        state = json.loads(raw)
        fake = parse_datetime(state["fake"])
        if self.mode == "manual":
            return fake
        return running(fake, int(max(0.0, time.time() - state["real"]) * (self.speed or 1.0)))

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
