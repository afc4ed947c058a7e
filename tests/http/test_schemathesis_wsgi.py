"""Schemathesis driving the app in-process through WSGI (no socket), every operation: each function's GET and
its POST with form fields.

Werkzeug's test client refuses a path that already holds a query string, so the ``?function=`` part of
the path key moves into ``case.query`` before the call. Besides the kit's checks, schemathesis's own
``unsupported_method`` check holds the fake to 405 with an ``Allow`` header for every method the spec does
not declare (PUT, PATCH, DELETE, TRACE, ...). Schemathesis keeps no body of a WSGI request, so a POST's
form fields cannot be checked against the parameter rules here; the kit does that over HTTP.
"""
from __future__ import annotations

import schemathesis
from schemathesis.specs.openapi.checks import unsupported_method

from contract_tests.claims import Claims
from contract_tests.conformance import kit_spec
from contract_tests.test_schema import binder_spec, function_of, make_checks, schema
from mock_server import create_app
from tests.conftest import token_of

APP = create_app()
conforms_to_the_spec, invalid_input_rejected_in_body = make_checks(kit_spec(), binder_spec(),
                                                                   lambda: Claims(kit_spec(), strict=True))
CHECKS = {"GET": [conforms_to_the_spec, invalid_input_rejected_in_body, unsupported_method],
          "POST": [conforms_to_the_spec, unsupported_method]}


@schema.parametrize()
def test_operation_in_process(case: schemathesis.Case) -> None:
    name = function_of(case)
    fields = case.body if case.method.upper() == "POST" else case.query
    if isinstance(fields, dict) and "app_token" in fields:
        fields["app_token"] = token_of(APP.extensions["ccs"])
    case.query = {"function": name, **(case.query or {})}
    case.path = "/api/"
    response = case.call(app=APP)
    assert response.request.url.startswith(f"http://localhost/api/?function={name}")
    case.validate_response(response, checks=CHECKS[case.operation.method.upper()])
