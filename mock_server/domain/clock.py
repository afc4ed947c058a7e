"""Time as the fake sees it: naive tenant-local datetimes from a ``Clock``.

The vendor formats every date as ``YYYY-MM-DD HH:MM:SS`` in the tenant's local
time and never states a zone (facts §7), so the domain works in naive local time.
"""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Protocol

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
# The clock never passes this: every lifetime, ring, talk and report time added to a time up to it stays
# centuries inside datetime's range (year 9999). Settings bound those durations (settings.MAX_DURATION_SECONDS).
LATEST = datetime(9000, 1, 1)


def format_datetime(value: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` (isoformat is several times faster than strftime)."""
    return value.isoformat(" ", "seconds")


def parse_datetime(text: str) -> datetime:
    """Parse the vendor's ``YYYY-MM-DD HH:MM:SS``; raises ValueError otherwise."""
    return datetime.strptime(text, DATETIME_FORMAT)


def parse_date(text: str) -> date:
    return datetime.strptime(text, DATE_FORMAT).date()


class Clock(Protocol):
    """Anything that tells the fake what time it is and can be moved forward."""

    mode: str

    def now(self) -> datetime: ...

    def advance(self, seconds: float) -> datetime: ...

    def set(self, when: datetime) -> datetime: ...

    def reset(self) -> datetime: ...


class ClockError(ValueError):
    """A request to move the clock that cannot be honoured (e.g. backwards)."""


class ClockLimitError(ValueError):
    """A request to move the clock past ``LATEST``."""


def check_within_limit(when: datetime) -> datetime:
    if when > LATEST:
        raise ClockLimitError(f"the clock may not pass {format_datetime(LATEST)} (asked for {format_datetime(when)}); "
                              "nothing changed")
    return when


def moved(now: datetime, seconds: float) -> datetime:
    """``now`` moved forward by ``seconds``: refused when negative (or not a number) or past ``LATEST``."""
    if not seconds >= 0:
        raise ClockError("advance_seconds must be zero or positive: the clock never goes backwards")
    if seconds > (LATEST - now).total_seconds():
        raise ClockLimitError(f"the clock may not pass {format_datetime(LATEST)}: it is {format_datetime(now)}, "
                              f"{seconds:g} seconds later is past it; nothing changed")
    return now + timedelta(seconds=seconds)


def set_forward(now: datetime, when: datetime) -> datetime:
    """``when``, if the clock may be set there from ``now``: never backwards, never past ``LATEST``."""
    if when < now:
        raise ClockError(f"cannot set the clock back from {format_datetime(now)} to {format_datetime(when)}; "
                         "use POST /_mock/reset to start over")
    return check_within_limit(when)


def running(anchor: datetime, seconds: float) -> datetime:
    """Where a running clock is ``seconds`` after ``anchor``: it stops at ``LATEST``."""
    if not seconds < (LATEST - anchor).total_seconds():
        return LATEST
    return anchor + timedelta(seconds=seconds)


class ManualClock:
    """A clock that only moves when told to: the default in tests."""

    mode = "manual"

    def __init__(self, start: datetime):
        self._start = check_within_limit(start.replace(microsecond=0))
        self._now = self._start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now = moved(self._now, seconds)
            return self._now

    def set(self, when: datetime) -> datetime:
        with self._lock:
            self._now = set_forward(self._now, when)
            return self._now

    def reset(self) -> datetime:
        with self._lock:
            self._now = self._start
            return self._now
