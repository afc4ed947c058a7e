"""Recorded exchanges (``ccs-mock proxy --record DIR``) answered by the fake (``serve --replay DIR``).

A request whose function and parameters (app token and session left out, since those are masked in
the recording) match a recorded exchange gets the recorded status and body; any other request is
served by the fake as usual. The last recording of the same request wins.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from mock_server.masking import is_secret


def request_key(params: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in params.items() if not is_secret(k) and v != ""))


class Replay:
    def __init__(self, folder: Path | None):
        self.exchanges: dict[tuple, tuple[int, Any]] = {}
        for path in sorted(folder.glob("*.json")) if folder else ():
            exchange = json.loads(path.read_text(encoding="utf-8"))
            params = dict(exchange["params"], function=exchange["function"])
            self.exchanges[request_key(params)] = (exchange["status"], exchange["body"])

    def answer(self, params: Mapping[str, str]) -> tuple[int, Any] | None:
        return self.exchanges.get(request_key(params)) if self.exchanges else None
