"""Schemathesis over every operation of openapi/ccs.yaml, positive and negative data.

Generated credentials are swapped for real ones (unless the case is about the credential
itself), so generated data reaches the function's own validation and logic.
"""
from __future__ import annotations

import schemathesis
from hypothesis import strategies as st
from schemathesis.generation.meta import negated_parameters
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance, status_code_conformance)

from contract_tests.checks import invalid_input_rejected_in_body, vendor_answers_200
from contract_tests.target import CALL_FUNCTIONS, Target
from mock_server.resources import spec_path

schemathesis.openapi.format("ccs-datetime", st.datetimes(min_value=__import__("datetime").datetime(2000, 1, 1))
                            .map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")))
schemathesis.openapi.format("ccs-date", st.dates().map(lambda d: d.isoformat()))
schemathesis.openapi.format("ccs-flag", st.sampled_from(["true", "false"]))

schema = schemathesis.openapi.from_path(str(spec_path()))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          vendor_answers_200, invalid_input_rejected_in_body]


def make_reachable(case: schemathesis.Case, ccs: Target) -> None:
    """Swap generated credentials for real ones, and give reportsCDRLogs a date window when the case has
    neither dates nor a key (the spec cannot say "dates or a key"), unless the case is about those values."""
    negated = {name for name, _ in negated_parameters(case._meta)}
    query = case.query if isinstance(case.query, dict) else None
    if query is None:
        return
    if "app_token" in query and "app_token" not in negated:
        query["app_token"] = ccs.app_token
    if "session" in query and "session" not in negated:
        query["session"] = ccs.session()
    keys = {"activecallkey", "callkey", "uniqueid", "startdate", "finishdate"}
    if case.operation.definition.raw["operationId"] == "reportsCDRLogs" and not (keys & (set(query) | negated)):
        query.update(startdate="2026-01-01 00:00:00", finishdate="2026-01-02 00:00:00")


@schema.parametrize()
def test_operation_follows_the_spec(case: schemathesis.Case, ccs: Target) -> None:
    operation = case.operation.definition.raw["operationId"]
    assert operation not in CALL_FUNCTIONS or ccs.allow_calls, "conftest deselects call functions on real tenants"
    make_reachable(case, ccs)
    case.call_and_validate(base_url=ccs.base_url, checks=CHECKS)
