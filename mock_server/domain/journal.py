"""The journal: every vendor API request with its answer's status and outcome, for tests and the dashboard
to read back. The newest ``keep`` entries stay (0: all)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from mock_server.domain.clock import Clock, format_datetime
from mock_server.storage.records import JournalEntry
from mock_server.storage.store import Store

_SHOWN = ("seq", "at", "tenant", "method", "path", "function", "params", "status", "outcome")  # control API order


class Journal:
    def __init__(self, store: Store, clock: Clock, keep: int):
        self.store, self.clock, self.keep = store, clock, keep

    def append(self, tenant: str | None, method: str, path: str, function: str | None, params: dict[str, str],
               status: int, outcome: str) -> None:
        """Record a request at the clock's time; ``params`` must already be masked."""
        self.store.append_journal(JournalEntry(format_datetime(self.clock.now()), tenant, method, path, function,
                                               params, status, outcome), keep=self.keep)

    def entries(self, limit: int, function: str | None = None) -> list[dict[str, Any]]:
        """The newest ``limit`` entries (of one function, or all), oldest first."""
        return [{name: shown[name] for name in _SHOWN}
                for shown in map(asdict, self.store.list_journal(limit, function))]

    def clear(self) -> None:
        self.store.clear_journal()
