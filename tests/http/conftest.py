"""Every HTTP test runs twice: through Flask's test client and against a live loopback server (moto-style)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import requests

from mock_server import create_app
from mock_server.runtime.server import LiveServer


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict


class Client:
    def __init__(self, app, mode: str):
        self.app, self.mode = app, mode
        self.ccs = app.extensions["ccs"]
        self._server = LiveServer(app).start() if mode == "live" else None
        self._test = app.test_client()
        self.origin = self._server.url if self._server is not None else "http://localhost"  # scheme://host:port

    def request(self, method: str, path: str, params=None, json=None, data=None, host: str | None = None,
                raw_query: str | None = None, headers: dict | None = None) -> Answer:
        headers = {**({"Host": host} if host else {}), **(headers or {})}
        if self._server is None:
            url = path + (f"?{raw_query}" if raw_query is not None else "")
            r = self._test.open(url, method=method, query_string=params, json=json, data=data, headers=headers)
            return Answer(r.status_code, r.get_json(silent=True), dict(r.headers))
        url = self._server.url + path + (f"?{raw_query}" if raw_query is not None else "")
        r = requests.request(method, url, params=params, json=json, data=data, headers=headers, timeout=30)
        try:
            body = r.json()
        except ValueError:
            body = None
        return Answer(r.status_code, body, dict(r.headers))

    def api(self, host: str | None = None, **params) -> Answer:
        return self.request("GET", "/api/", params=params, host=host)

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()


MODES = ["test_client", "live"]


@pytest.fixture(params=MODES)
def client(request):
    c = Client(create_app(), request.param)
    yield c
    c.close()
