"""Against a tenant that is not a ccs-mock fake, the kit never sends call-placing functions unless allowed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flask import Flask

from mock_server import create_app
from mock_server.server import LiveServer
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


def test_no_call_function_reaches_a_real_tenant_without_the_flag() -> None:
    app = real_looking_tenant()
    ccs = app.extensions["ccs"]
    with LiveServer(app) as server:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", str(ROOT / "contract_tests" / "test_schema.py"), "-q", "-p",
             "no:cacheprovider", "--ccs-base-url", server.url, "--ccs-app-token", token_of(ccs), "--ccs-email",
             email_of(ccs), "--ccs-max-examples", "5", "--ccs-rate", "0"],
            cwd=ROOT, capture_output=True, text=True, timeout=600)
    functions = {entry["function"] for entry in ccs.store.list_journal(10_000)}
    assert result.returncode == 0, result.stdout[-2000:]
    assert "4 deselected" in result.stdout and "(budget 800, no rate limit)" in result.stdout
    assert functions & {"click2call", "click2hang", "click2hold", "click2unhold"} == set()
    assert {"login", "reportsCDRLogs", "getactivecall"} <= functions
