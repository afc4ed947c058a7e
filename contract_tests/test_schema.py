"""Schemathesis over every operation of openapi/ccs.yaml (each function's GET, and its POST with the
parameters as form fields), positive and negative data.

Generated credentials are swapped for real ones (unless the case is about the credential itself), and
``reportsCDRLogs``, ``recordinginfo`` and ``reportsAgentPerf`` cases are steered into the window and
onto the keys where the tenant has records, so record schemas are checked on every run. Every answer
goes through the kit's one conformance check. Methods the spec does not declare (schemathesis also
sends TRACE, QUERY, ...) are not held against the tenant: the vendor promises nothing there.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.generation.meta import negated_parameters
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from contract_tests.claims import Claims
from contract_tests.conformance import KitSpec, is_error_body, parse
from contract_tests.records import RecordMap
from contract_tests.target import CALL_FUNCTIONS, Target
from mock_server.domain.errors import InvalidParameter
from mock_server.resources import spec_path
from mock_server.http.routing import params_of
from mock_server.spec import Spec, function_name

schemathesis.openapi.format("ccs-datetime", st.datetimes(min_value=datetime(2000, 1, 1))
                            .map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")))
schemathesis.openapi.format("ccs-date", st.dates().map(lambda d: d.isoformat()))
schemathesis.openapi.format("ccs-flag", st.sampled_from(["true", "false"]))

schema = schemathesis.openapi.from_path(str(spec_path()))

# reportsCDRLogs / recordinginfo filter -> the record field that holds a value the tenant knows
RECORD_FIELDS = {"agent": "agentid", "agent_username": "agent", "queue": "queuekey",
                 "activecallkey": "activecallkey", "callkey": "callkey", "uniqueid": "uniqueid"}


def function_of(case: schemathesis.Case) -> str:
    """The vendor function a case calls: its path's ``?function=`` (the GET and the POST share it)."""
    return function_name(case.operation.path)


DECLARED = {(path_key, method.upper()) for path_key, method, _ in Spec.bundled().http_operations()}


def declared(case: schemathesis.Case) -> bool:
    """Whether the spec declares this method for the case's operation (schemathesis also sends others)."""
    return (case.operation.path, case.method.upper()) in DECLARED


def sent_params(sent: requests.PreparedRequest) -> dict[str, str]:
    """The parameters of a request as it went on the wire, read as the fake reads them (the query, and a
    POST's form fields)."""
    url = urlsplit(sent.url)
    body = sent.body.encode() if isinstance(sent.body, str) else (sent.body or b"")
    environ = EnvironBuilder(path=url.path, query_string=url.query, method=sent.method, data=body,
                             content_type=sent.headers.get("Content-Type")).get_environ()
    return params_of(Request(environ))


def violations(spec: Spec, function: str, request: requests.PreparedRequest) -> list[str]:
    """How the parameters as they went on the wire break the spec's parameter rules (empty = absent)."""
    binder = spec.operations.get(function)
    if binder is None:
        return []
    sent = sent_params(request)
    problems = []
    for parameter in binder.parameters:
        value = sent.get(parameter.name, "")
        if value == "":
            if parameter.required:
                problems.append(f"{parameter.name} missing")
        elif not parameter.validator.is_valid(value):
            problems.append(f"{parameter.name}={value!r} invalid")
        else:
            try:
                parameter.convert(value)
            except InvalidParameter:  # the format (a date, a flag) does not parse
                problems.append(f"{parameter.name}={value!r} invalid")
    return problems


def make_checks(spec: KitSpec, binders: Spec, claims: Callable[[], Claims]) -> list:
    """The kit's checks for schemathesis: every answer to a declared call conforms to the spec, and one
    to a request that breaks the parameter rules is an error body (an assumption: facts are silent)."""

    def conforms_to_the_spec(ctx, response, case) -> bool | None:
        if not declared(case):
            return None
        content_type = (response.headers.get("content-type") or [""])[0]  # lowercase keys, list values
        answer = parse(response.status_code, content_type, response.text)
        claims().findings(*spec.answer_check(function_of(case), answer))
        return True

    def invalid_input_rejected_in_body(ctx, response, case) -> bool | None:
        if not declared(case) or response.status_code >= 500:
            return None
        problems = violations(binders, function_of(case), response.request)
        if not problems:
            return None
        body = parse(response.status_code, "", response.text).body
        claims().check("transport.parameter-errors", is_error_body(body),
                       f"{function_of(case)} accepted a request that breaks the spec ({'; '.join(problems)}): "
                       f"{response.text[:200]}")
        return True

    return [conforms_to_the_spec, invalid_input_rejected_in_body]


def steer(case: schemathesis.Case, ccs: Target, records: RecordMap) -> None:
    """Real credentials, and the tenant's own window and keys, for whatever the case does not negate."""
    negated = {name for name, _ in negated_parameters(case._meta)}
    fields = case.body if case.method.upper() == "POST" else case.query  # a POST's are its form fields
    if not isinstance(fields, dict):
        return
    keep = lambda name: name in fields and name not in negated  # noqa: E731
    if keep("app_token"):
        fields["app_token"] = ccs.app_token
    if keep("session"):
        fields["session"] = ccs.session()
    function = function_of(case)
    if function == "reportsCDRLogs":
        for name, field_name in RECORD_FIELDS.items():
            if keep(name):
                fields[name] = records.pick(field_name, fields[name]) or fields[name]
        dates = {"startdate", "finishdate"}
        if records.window and not (dates & negated):
            keys = {"activecallkey", "callkey", "uniqueid"}
            if dates & set(fields) or not keys & set(fields):
                fields["startdate"], fields["finishdate"] = records.window
    elif function == "recordinginfo" and keep("callkey"):
        fields["callkey"] = records.pick("callkey", fields["callkey"]) or fields["callkey"]
    elif function == "reportsAgentPerf" and records.window:
        for name, value in zip(("startdate", "finishdate"), records.window):
            if keep(name):
                fields[name] = value[:10]


@schema.parametrize()
@pytest.mark.fidelity("transport.json", "transport.errors-json", "transport.success-http-200",
                      "transport.json-content-type", "transport.http-200-errors", "transport.parameter-errors",
                      "login.bodies", "cdr.envelope", "cdr.record-fields", "cdr.extra-fields", "ping.body",
                      "recordinginfo.body", "agentperf.body")
def test_operation_follows_the_spec(case: schemathesis.Case, ccs: Target, records: RecordMap) -> None:
    assert function_of(case) not in CALL_FUNCTIONS or ccs.allow_calls, "conftest deselects call functions"
    steer(case, ccs, records)
    response = case.call(base_url=ccs.base_url, session=ccs.http)
    case.validate_response(response, checks=make_checks(ccs.spec, binder_spec(), lambda: ccs.claims))


def binder_spec() -> Spec:
    """The spec compiled into parameter binders, as the fake validates requests."""
    return Spec.bundled()
