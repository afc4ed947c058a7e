"""pytest plugin, registered through the ``pytest11`` entry point: ``pip install ccs-mock`` is enough.

Fixtures:
  ``ccs_mock``            a live fake on 127.0.0.1 (shared by the session, reset before every test), as a
                          ``CcsMock``: URLs, tenants and credentials, the clock, calls, the journal, assertions.
  ``ccs_callback_sink``   a local receiver to pass as ``hangup_url`` or notification URL; ``wait_for(n)``.
  ``ccs_mock_settings``   the settings of the fake a test gets; from ``@pytest.mark.ccs_mock(...)`` by
                          default, or override the fixture in a conftest.py.

One fake is started per distinct settings combination and kept for the session; a reset between
tests copies the seeded database back (SQLite's backup API) and rewinds the clock.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

import pytest

MARKER = ("ccs_mock(fixtures=None, seed=None, **settings): the fake this test gets - bundled fixture name "
          "or YAML path, seed, and any mock_server.settings.Settings field")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


@dataclass(frozen=True)
class TenantInfo:
    name: str
    host: str
    app_token: str
    users: tuple[str, ...]
    queues: tuple[str, ...]
    masked_numbers: bool
    default: bool


class Clock:
    """The fake's clock: moves only when told (the plugin's fakes use the manual clock by default)."""

    def __init__(self, fake: "CcsMock"):
        self._fake = fake

    @property
    def now(self) -> str:
        return self._fake.control("GET", "clock")["now"]

    def advance(self, seconds: float) -> str:
        """Move forward; every call step that falls due happens, in order. Returns the new time."""
        return self._fake.control("POST", "clock", {"advance_seconds": seconds})["now"]

    def set(self, when: str) -> str:
        """Jump to ``YYYY-MM-DD HH:MM:SS`` (never backwards)."""
        return self._fake.control("POST", "clock", {"now": when})["now"]


class CcsMock:
    """One fake tenant server as a test sees it. Everything goes over HTTP, as the code under test does."""

    def __init__(self, app, server, tenants: list[TenantInfo] | None = None):
        import requests

        self.app, self.server = app, server
        self.url: str = server.url
        self.api_url = self.url + "/api/"
        self._http = requests.Session()
        self.clock = Clock(self)
        self.tenants = tenants if tenants is not None else [
            TenantInfo(t["name"], t["host"], next((a["app_token"] for a in t["app_tokens"] if not a["revoked"]), ""),
                       tuple(u["email"] for u in t["users"]), tuple(q["name"] for q in t["queues"]),
                       t["masked_numbers"], t["default"])
            for t in self.control("GET", "tenants")["tenants"]]

    # -- where things are ------------------------------------------------------------------------
    def tenant(self, name_or_host: str | None = None) -> TenantInfo:
        """A tenant by bare name or host; the default tenant (the one 127.0.0.1 answers for) when omitted."""
        for tenant in self.tenants:
            if (name_or_host is None and tenant.default) or name_or_host in (tenant.name, tenant.host):
                return tenant
        raise KeyError(f"no tenant {name_or_host!r}; tenants: {', '.join(t.host for t in self.tenants)}")

    @property
    def app_token(self) -> str:
        return self.tenant().app_token

    @property
    def email(self) -> str:
        return self.tenant().users[0]

    def softphone_url(self, session: str, tenant: str | None = None) -> str:
        return f"{self.url}/generic/sso/?tenant={self.tenant(tenant).host}&session={session}"

    # -- the vendor API and the control API ----------------------------------------------------------
    def api(self, function: str, tenant: str | None = None, **params: Any) -> dict:
        """``GET /api/?function=...`` on a tenant (its Host header), answered as the vendor would."""
        headers = {"Host": self.tenant(tenant).host}
        return self._http.get(self.api_url, params={"function": function, **params}, headers=headers,
                              timeout=30).json()

    def login(self, email: str | None = None, tenant: str | None = None) -> str:
        """A new session for the agent (default: the tenant's first user), through the ``login`` API."""
        info = self.tenant(tenant)
        answer = self.api("login", tenant, app_token=info.app_token, email=email or info.users[0])
        if not answer.get("login"):
            raise AssertionError(f"login failed: {answer}")
        return answer["session"]

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        answer = self._http.request(method, f"{self.url}/_mock/{path}", json=body, timeout=30)
        if answer.status_code >= 400:
            raise AssertionError(f"{method} /_mock/{path} -> {answer.status_code}: {answer.text}")
        return answer.json()

    # -- calls ---------------------------------------------------------------------------------------
    def start_inbound_call(self, caller: str, ending: str = "answered", agent: str | None = None,
                           tenant: str | None = None, **timings: int) -> str:
        """Start an inbound call (``ending``: answered, abandoned, no_queue); returns its activecallkey.
        ``timings``: ``ivr_seconds``, ``ring_seconds``, ``talk_seconds``, and ``queue``."""
        body = {"caller": caller, "ending": ending, "tenant": self.tenant(tenant).host, **timings}
        if agent:
            body["agent"] = agent
        return self.control("POST", "calls/inbound", body)["activecallkey"]

    def script_next_call(self, disposition: str, agent: str | None = None, tenant: str | None = None,
                         **timings: int) -> None:
        """The next click2call (of ``agent``, else of anyone) ends with ``disposition``."""
        body = {"disposition": disposition, "tenant": self.tenant(tenant).host, **timings}
        if agent:
            body["agent"] = agent
        self.control("POST", "calls/next", body)

    def active_calls(self, tenant: str | None = None) -> list[dict]:
        return self.control("GET", f"calls?tenant={self.tenant(tenant).host}")["calls"]

    def deliveries(self) -> list[dict]:
        return self.control("GET", "deliveries")["deliveries"]

    def expire_sessions(self, email: str | None = None, session: str | None = None, tenant: str | None = None) -> int:
        body = {"tenant": self.tenant(tenant).host, **({"email": email} if email else {}),
                **({"session": session} if session else {})}
        return self.control("POST", "sessions/expire", body)["expired"]

    # -- the journal ---------------------------------------------------------------------------------
    @property
    def journal(self) -> list[dict]:
        """Vendor API requests received since the test began, oldest first (app tokens and sessions masked)."""
        return self.control("GET", "journal?limit=10000")["requests"]

    def requests_for(self, function: str, **params: str) -> list[dict]:
        return [entry for entry in self.journal if entry["function"] == function
                and all(entry["params"].get(name) == str(value) for name, value in params.items())]

    def assert_called(self, function: str, times: int | None = None, **params: str) -> list[dict]:
        """Assert the fake received ``function`` with these parameters (``times`` exactly, if given).
        On a miss the message lists the requests received, closest first."""
        found = self.requests_for(function, **params)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        wanted = {"function": function, **{k: str(v) for k, v in params.items()}}
        expected = f"{'exactly ' + str(times) if times is not None else 'at least one'} request(s) with " + \
            ", ".join(f"{k}={v}" for k, v in wanted.items())
        raise AssertionError(f"expected {expected}; matched {len(found)}.\n" + _similar(self.journal, wanted))

    def assert_not_called(self, function: str, **params: str) -> None:
        found = self.requests_for(function, **params)
        if found:
            raise AssertionError(f"expected no {function} request, got {len(found)}:\n"
                                 + "\n".join(f"  {_describe(e)}" for e in found))


def _describe(entry: dict) -> str:
    params = ", ".join(f"{k}={v}" for k, v in entry["params"].items() if k != "function")
    return f"{entry['at']} {entry['method']} {entry['function'] or '(no function)'}({params}) -> {entry['outcome']}"


def _similar(journal: list[dict], wanted: dict[str, str], limit: int = 10) -> str:
    if not journal:
        return "The fake received no vendor API request in this test."
    target = json.dumps(wanted, sort_keys=True)

    def closeness(entry: dict) -> float:
        have = {"function": entry["function"] or "", **entry["params"]}
        return difflib.SequenceMatcher(None, target, json.dumps(have, sort_keys=True)).ratio()

    ranked = sorted(journal, key=closeness, reverse=True)[:limit]
    return f"Requests received ({len(journal)}), closest first:\n" + "\n".join(f"  {_describe(e)}" for e in ranked)


class _Servers:
    """Session-wide fakes, one per settings combination."""

    def __init__(self):
        self._live: dict[str, tuple[Any, Any, list[TenantInfo]]] = {}

    def get(self, settings: dict[str, Any]):
        key = json.dumps(settings, sort_keys=True, default=str)
        if key not in self._live:
            from mock_server import create_app
            from mock_server.runtime.server import LiveServer

            app = create_app(**settings)
            server = LiveServer(app).start()
            self._live[key] = (app, server, CcsMock(app, server).tenants)  # the seeded tenants, read once
        return self._live[key]

    def close(self) -> None:
        for _, server, _ in self._live.values():
            server.stop()
        self._live.clear()


@pytest.fixture(scope="session")
def ccs_mock_servers():
    servers = _Servers()
    yield servers
    servers.close()


@pytest.fixture
def ccs_mock_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings of the fake for this test: ``@pytest.mark.ccs_mock(...)`` (closest marker), else defaults."""
    marker = request.node.get_closest_marker("ccs_mock")
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError("@pytest.mark.ccs_mock takes keyword arguments only (fixtures=, seed=, settings)")
    return dict(marker.kwargs)


@pytest.fixture
def ccs_mock(ccs_mock_servers: _Servers, ccs_mock_settings: dict[str, Any]) -> CcsMock:
    """A fake tenant server, reset to its seeded state for this test."""
    app, server, tenants = ccs_mock_servers.get(ccs_mock_settings)
    app.extensions["ccs"].reset()
    return CcsMock(app, server, tenants)


@pytest.fixture
def ccs_callback_sink():
    """A local HTTP receiver: pass ``sink.url()`` as ``hangup_url``; ``sink.wait_for(1)`` waits for a delivery."""
    from mock_server.tools.receiver import Receiver

    with Receiver() as receiver:
        yield receiver
