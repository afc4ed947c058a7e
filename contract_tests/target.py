"""The tenant under test, and the one way the kit talks to it.

``Target.api`` sends ``GET /api/?function=NAME&...`` exactly as the vendor documents it and checks
every answer against the spec (``conformance``) before a test sees it. Against a tenant that is not a
ccs-mock fake, every request counts against a budget and a rate (``PoliteSession``), and functions
that place or change calls are refused without ``--ccs-allow-calls``: the session itself refuses any
request that names one, by any method, in the query or in a form body.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlsplit

import requests

from contract_tests.claims import Claims
from contract_tests.conformance import Answer, KitSpec, parse

# Functions that place or change calls: never sent to a real tenant without --ccs-allow-calls.
CALL_FUNCTIONS = frozenset({"click2call", "click2hang", "click2hold", "click2unhold"})


class BudgetExhausted(AssertionError):
    """The run used every request the user allowed (``--ccs-max-requests``)."""


class PoliteSession(requests.Session):
    """A ``requests.Session`` that counts requests, stops at a budget, keeps to a rate, and never sends a
    request naming one of ``refused_functions``."""

    def __init__(self, max_requests: int | None, rate: float | None, refused_functions: frozenset[str] = frozenset()):
        super().__init__()
        self.max_requests, self.rate, self.refused_functions = max_requests, rate, refused_functions
        self.sent = 0
        self._next_at = 0.0
        self._lock = threading.Lock()

    def request(self, method, url, *args, **kwargs):  # noqa: D102 (requests' signature)
        refused = named_functions(url, kwargs.get("params"), kwargs.get("data")) & self.refused_functions
        if refused:
            raise PermissionError(f"{', '.join(sorted(refused))} places or changes calls; pass --ccs-allow-calls "
                                  "to allow it")
        with self._lock:
            if self.max_requests is not None and self.sent >= self.max_requests:
                raise BudgetExhausted(f"the request budget of {self.max_requests} is used up; raise "
                                      "--ccs-max-requests to let the kit send more")
            self.sent += 1
            if self.rate:
                now = time.monotonic()
                delay, self._next_at = max(0.0, self._next_at - now), max(now, self._next_at) + 1 / self.rate
            else:
                delay = 0.0
        if delay:
            time.sleep(delay)  # rate limiting towards a real tenant (--ccs-rate), not waiting for a result
        kwargs.setdefault("timeout", 30)
        return super().request(method, url, *args, **kwargs)


def named_functions(url: str, *parts: Any) -> set[str]:
    """Every ``function`` a request names: in its URL, its ``params`` or its form ``data``, however given."""
    pairs: list[tuple[Any, Any]] = parse_qsl(urlsplit(url).query)
    for part in parts:
        if isinstance(part, bytes):
            part = part.decode("utf-8", "replace")
        if isinstance(part, str):
            pairs += parse_qsl(part)
        elif isinstance(part, Mapping):
            pairs += [(key, value) for key, values in part.items()
                      for value in (values if isinstance(values, (list, tuple)) else [values])]
        elif isinstance(part, (list, tuple)):
            pairs += [pair for pair in part if isinstance(pair, tuple) and len(pair) == 2]
    return {str(value) for key, value in pairs if key == "function"}


@dataclass
class Target:
    base_url: str
    app_token: str
    email: str
    is_fake: bool
    allow_calls: bool
    spec: KitSpec
    http: PoliteSession
    claims: Claims
    _session: str | None = field(default=None, repr=False)

    def get(self, function: str, **params: Any) -> requests.Response:
        """The raw answer (checked by nobody): for the conformance checks themselves."""
        return self.http.get(f"{self.base_url}/api/", params={"function": function, **params})

    def api(self, function: str, **params: Any) -> dict[str, Any]:
        """Call a documented function; its answer is checked against the spec, then returned as a dict."""
        answer = answer_of(self.get(function, **params))
        self.claims.findings(*self.spec.answer_check(function, answer))
        return answer.body

    def login(self) -> str:
        body = self.api("login", app_token=self.app_token, email=self.email)
        assert body.get("login") is True, f"login with the kit's credentials failed: {body}"
        return body["session"]

    def session(self) -> str:
        """The kit's session for generated cases and flows: one login per run (facts §15.3 discourages a
        login per request). Tests that end a session log in for their own."""
        if self._session is None:
            self._session = self.login()
        return self._session

    # -- fake-only helpers (the control API) ---------------------------------------------------------
    def control(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        assert self.is_fake, "the control API exists only on the fake"
        response = self.http.request(method, f"{self.base_url}/_mock/{path}", **kwargs)
        assert response.ok, f"{method} /_mock/{path}: HTTP {response.status_code}: {response.text[:300]}"
        return response.json()


def answer_of(response: requests.Response) -> Answer:
    return parse(response.status_code, response.headers.get("Content-Type", ""), response.text)


def probe_fake(base_url: str) -> bool:
    """A ccs-mock fake answers its control API; a real tenant does not."""
    try:
        response = requests.get(f"{base_url}/_mock/clock", timeout=10)
        return response.status_code == 200 and "now" in response.json()
    except (requests.RequestException, ValueError):
        return False
