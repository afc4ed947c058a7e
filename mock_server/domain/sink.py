"""The fake's request sink: any request to ``/_mock/sink/NAME`` (the demo's hangup_url and notification URL)
is kept so a page or a script can read it back."""
from __future__ import annotations

from typing import Any

from mock_server.storage.store import Store


class Sink:
    def __init__(self, store: Store):
        self.store = store

    def record(self, name: str, at: float, method: str, url: str, content_type: str, body: str,
               fields: dict[str, str]) -> int:
        """Keep one request (``at``: wall-clock seconds, as the caller saw it arrive); its id."""
        return self.store.append_sink(name, at, method, url, content_type, body, fields)

    def requests(self, name: str, after: int, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` requests to ``name`` with an id above ``after``, oldest first."""
        return self.store.list_sink(name, after, limit)
