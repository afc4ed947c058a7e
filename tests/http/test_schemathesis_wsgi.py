"""Schemathesis driving the app in-process through WSGI (no socket).

Werkzeug's test client refuses a path that already holds a query string, so the
``?function=`` part of the path key moves into ``case.query`` before the call.
"""
from __future__ import annotations

import schemathesis

from contract_tests.claims import Claims
from contract_tests.conformance import kit_spec
from contract_tests.test_schema import binder_spec, make_checks, schema
from mock_server import create_app
from tests.conftest import token_of

APP = create_app()
CHECKS = make_checks(kit_spec(), binder_spec(), lambda: Claims(kit_spec(), strict=True))


@schema.include(operation_id=["ping", "login", "reportsCDRLogs", "recordinginfo", "reportsAgentPerf"]).parametrize()
def test_operation_in_process(case: schemathesis.Case) -> None:
    name = case.operation.definition.raw["operationId"]
    query = dict(case.query or {})
    if "app_token" in query:
        query["app_token"] = token_of(APP.extensions["ccs"])
    case.query = {"function": name, **query}
    case.path = "/api/"
    response = case.call(app=APP)
    assert response.request.url.startswith(f"http://localhost/api/?function={name}")
    case.validate_response(response, checks=CHECKS)
