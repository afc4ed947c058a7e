"""The tenant under test, and a small client for the hand-written flows."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

# Functions that place or change calls: never sent to a real tenant without --ccs-allow-calls.
CALL_FUNCTIONS = frozenset({"click2call", "click2hang", "click2hold", "click2unhold"})


@dataclass
class Target:
    base_url: str
    app_token: str
    email: str
    is_fake: bool
    allow_calls: bool
    http: requests.Session = field(default_factory=requests.Session, repr=False)
    _session: str | None = field(default=None, repr=False)

    def api(self, function: str, **params: Any) -> requests.Response:
        """``GET /api/?function=NAME&...`` exactly as the vendor documents it."""
        if function in CALL_FUNCTIONS and not self.allow_calls:
            raise PermissionError(f"{function} places or changes calls; pass --ccs-allow-calls to allow it")
        return self.http.get(f"{self.base_url}/api/", params={"function": function, **params}, timeout=30)

    def body(self, function: str, **params: Any) -> dict[str, Any]:
        response = self.api(function, **params)
        assert response.status_code == 200, f"{function}: HTTP {response.status_code}: {response.text[:300]}"
        return response.json()

    def login(self) -> str:
        body = self.body("login", app_token=self.app_token, email=self.email)
        assert body.get("login") is True, f"login failed: {body}"
        return body["session"]

    def session(self) -> str:
        """A live session, logging in again when the tenant says the old one is dead (facts §6.2)."""
        if self._session is None or self.body("getactivecall", session=self._session).get("login") is False:
            self._session = self.login()
        return self._session

    # -- fake-only helpers (the control API) ---------------------------------------------------------
    def control(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        assert self.is_fake, "the control API exists only on the fake"
        response = self.http.request(method, f"{self.base_url}/_mock/{path}", timeout=30, **kwargs)
        assert response.ok, f"{method} /_mock/{path}: HTTP {response.status_code}: {response.text[:300]}"
        return response.json()

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.control("POST", "clock", json={"advance_seconds": seconds})


def probe_fake(base_url: str) -> bool:
    """A ccs-mock fake answers its control API; a real tenant does not."""
    try:
        response = requests.get(f"{base_url}/_mock/clock", timeout=10)
        return response.status_code == 200 and "now" in response.json()
    except (requests.RequestException, ValueError):
        return False
