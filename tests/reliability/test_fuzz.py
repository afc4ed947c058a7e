"""Schemathesis fuzz of both specs (``openapi/ccs.yaml``, ``openapi/control.yaml``) against a served fake.

``ccs-mock serve`` runs in a subprocess as a user starts it; every generated request, positive or
negative, declared method or not (schemathesis also sends TRACE, PUT, ... to see a 405), goes over a
real socket. Nothing may answer a 5xx, and every answer must pass schemathesis's checks against the
spec it was generated from. Real credentials replace generated ones unless the case is about the
credential itself, so the fuzz reaches the functions' own code, call-placing ones included (this is
the fake). The example count is bounded (``CCS_FUZZ_EXAMPLES``, default 20 per operation) and
derandomized, so a CI run is repeatable; counts per spec are printed at the end of the run.
"""
from __future__ import annotations

import os
from collections import Counter
from datetime import datetime

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.generation.meta import negated_parameters

from contract_tests.claims import Claims
from contract_tests.conformance import kit_spec
from contract_tests.test_schema import binder_spec, make_checks
from mock_server.resources import spec_path
from tests.reliability import COUNTS_KEY
from tests.served import Served

EXAMPLES = int(os.environ.get("CCS_FUZZ_EXAMPLES", "20"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

schemathesis.openapi.format("ccs-datetime", st.datetimes(min_value=datetime(2000, 1, 1))
                            .map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")))
schemathesis.openapi.format("ccs-date", st.dates().map(lambda d: d.isoformat()))
schemathesis.openapi.format("ccs-flag", st.sampled_from(["true", "false"]))

vendor = schemathesis.openapi.from_path(str(spec_path()))
control = schemathesis.openapi.from_path(str(spec_path("control.yaml")))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    fake = Served("--db", str(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"))
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def credentials(served) -> dict[str, str]:
    tenants = requests.get(served.url + "/_mock/tenants", timeout=10).json()["tenants"]
    default = next(t for t in tenants if t["default"])
    return {"app_token": default["app_tokens"][0]["app_token"], "email": default["users"][0]["email"]}


@pytest.fixture
def counts(request) -> Counter:
    return request.config.stash.setdefault(COUNTS_KEY, Counter())


def fresh_session(served, credentials: dict[str, str]) -> str:
    """A live session for the default agent (a fuzzed login may have evicted the last one)."""
    body = requests.get(served.url + "/api/", params={"function": "login", **credentials}, timeout=10).json()
    return body["session"]


def real_credentials(case: schemathesis.Case, served, credentials: dict[str, str]) -> None:
    query = case.query if isinstance(case.query, dict) else None
    if query is None:
        return
    negated = {name for name, _ in negated_parameters(case._meta)}
    if "app_token" in query and "app_token" not in negated:
        query["app_token"] = credentials["app_token"]
    if "session" in query and "session" not in negated:
        query["session"] = fresh_session(served, credentials)


def call_and_count(case: schemathesis.Case, served, counts: Counter, spec: str, **checks) -> None:
    response = case.call(base_url=served.url, timeout=30)
    counts[f"{spec} requests"] += 1
    if response.status_code >= 500:
        counts[f"{spec} 5xx"] += 1
    case.validate_response(response, **checks)


# The vendor answers bad input with HTTP 200 and an error body (facts §1.9), so schemathesis's
# "negative data is rejected with a 4xx" does not apply; the kit's own checks hold every answer to the
# spec (strictly: assumed claims too) and require an error body for input that breaks the rules.
VENDOR_CHECKS = {"excluded_checks": [negative_data_rejection],
                 "additional_checks": make_checks(kit_spec(), binder_spec(), lambda: Claims(kit_spec(), strict=True))}


@vendor.parametrize()
@FUZZ
def test_vendor_api_fuzz(case: schemathesis.Case, served, credentials, counts) -> None:
    real_credentials(case, served, credentials)
    call_and_count(case, served, counts, "ccs.yaml", **VENDOR_CHECKS)


# Whether these schema-valid bodies are accepted depends on what a schema cannot say: the calendar
# ("2026-02-30 ..." matches the pattern) and the clock's position (no setting it back), and the
# allow-list of callback hosts, a setting. Every other check still holds them.
SETTING_DEPENDENT = {"setClock", "setNotifications"}


@control.parametrize()
@FUZZ
def test_control_api_fuzz(case: schemathesis.Case, served, counts) -> None:
    excluded = [positive_data_acceptance] if case.operation.definition.raw.get("operationId") in SETTING_DEPENDENT else []
    call_and_count(case, served, counts, "control.yaml", excluded_checks=excluded)
