"""Against a tenant that is not a ccs-mock fake, the kit never sends call-placing functions unless allowed,
by GET or by POST."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from contract_tests.target import CALL_FUNCTIONS, PoliteSession
from mock_server import create_app
from mock_server.runtime.server import LiveServer
from tests.conftest import email_of, token_of

ROOT = Path(__file__).resolve().parents[2]


def real_looking_tenant() -> Flask:
    """The fake without its control API: the kit cannot tell it from a real tenant."""
    app = create_app()

    @app.before_request
    def hide_control_api():
        from flask import abort, request
        if request.path.startswith("/_mock"):
            abort(404)
    return app


@pytest.mark.slow  # the kit in a subprocess
def test_no_call_function_reaches_a_real_tenant_without_the_flag() -> None:
    app = real_looking_tenant()
    ccs = app.extensions["ccs"]
    with LiveServer(app) as server:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", str(ROOT / "contract_tests" / "test_schema.py"), "-q", "-p",
             "no:cacheprovider", "--ccs-base-url", server.url, "--ccs-app-token", token_of(ccs), "--ccs-email",
             email_of(ccs), "--ccs-max-examples", "5", "--ccs-rate", "0"],
            cwd=ROOT, capture_output=True, text=True, timeout=600)
    sent = {(entry["method"], entry["function"]) for entry in ccs.backend.journal.entries(10_000)}
    assert result.returncode == 0, result.stdout[-2000:]
    assert "8 deselected" in result.stdout and "(budget 1200, no rate limit)" in result.stdout
    assert {function for _, function in sent} & CALL_FUNCTIONS == set()
    assert {(method, function) for method in ("GET", "POST") for function in ("login", "reportsCDRLogs",
                                                                                 "getactivecall")} <= sent


@pytest.mark.parametrize("method, url, kwargs", [
    ("GET", "/api/", {"params": {"function": "click2call", "session": "s"}}),
    ("GET", "/api/?function=click2hang&session=s", {}),
    ("POST", "/api/?function=click2call", {"data": {"session": "s", "phonenumber": "1"}}),
    ("POST", "/api/", {"data": {"function": "click2hold", "session": "s"}}),
    ("POST", "/api/", {"data": b"session=s&function=click2unhold"}),
    ("POST", "/api/", {"data": [("function", "click2call")]}),
    ("DELETE", "/api/", {"params": [("function", "click2hang")]}),
])
def test_the_kits_session_never_sends_a_call_function_unless_allowed(method, url, kwargs) -> None:
    app = real_looking_tenant()
    with LiveServer(app) as server:
        refusing = PoliteSession(None, None, CALL_FUNCTIONS)
        with pytest.raises(PermissionError, match="--ccs-allow-calls"):
            refusing.request(method, server.url + url, **kwargs)
        assert refusing.sent == 0 and app.extensions["ccs"].store.list_journal(10) == []
        assert refusing.get(server.url + "/api/", params={"function": "ping"}).status_code == 200
        allowed = PoliteSession(None, None).request(method, server.url + url, **kwargs)
        assert allowed.status_code in (200, 405)
