"""A change signal: long-lived readers (the softphone's event streams) sleep until something may have changed.

Writers call ``notify()`` after a request or a clock step; readers ``wait()`` with a timeout, so a
change made by another process on the same database file is still seen within that timeout.
"""
from __future__ import annotations

import threading


class ChangeSignal:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._version = 0
        self.closed = False

    def notify(self) -> None:
        with self._condition:
            self._version += 1
            self._condition.notify_all()

    def version(self) -> int:
        with self._condition:
            return self._version

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the version moves past ``seen``, the signal closes, or ``timeout`` seconds pass."""
        with self._condition:
            if self._version == seen and not self.closed:
                self._condition.wait(timeout)
            return self._version

    def close(self) -> None:
        """Wake every reader for good (the server is stopping)."""
        with self._condition:
            self.closed = True
            self._condition.notify_all()

    def open(self) -> None:
        with self._condition:
            self.closed = False
