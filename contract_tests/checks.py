"""Checks for this vendor's conventions, registered with schemathesis.

The vendor answers logical errors with HTTP 200 and an error body (facts §1.9), so
the usual "invalid input gets a 4xx" check does not apply; instead:
- ``vendor_answers_200``: every documented call answers HTTP 200 with a JSON object;
- ``invalid_input_rejected_in_body``: a request that breaks the spec's parameter rules,
  as it went on the wire, gets an error body (``success: false`` or ``login: false``).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import schemathesis
import yaml
from jsonschema import Draft202012Validator

from mock_server.resources import spec_path
from mock_server.spec import resolve_refs


@lru_cache(maxsize=1)
def _parameters() -> dict[str, list[tuple[str, bool, Draft202012Validator]]]:
    """Per operationId: (name, required, validator) of each query parameter, read from the spec."""
    document = yaml.safe_load(spec_path().read_text(encoding="utf-8"))

    table = {}
    for item in document["paths"].values():
        operation = resolve_refs(item["get"], document)
        table[operation["operationId"]] = [
            (p["name"], bool(p.get("required")), Draft202012Validator(p["schema"]))
            for p in operation.get("parameters", [])
        ]
    return table


def violations(operation_id: str, url: str) -> list[str]:
    """How the query actually sent breaks the spec (empty values count as absent; first value wins)."""
    sent = {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}
    problems = []
    for name, required, validator in _parameters().get(operation_id, []):
        value = sent.get(name, "")
        if value == "":
            if required:
                problems.append(f"{name} missing")
        elif not validator.is_valid(value):
            problems.append(f"{name}={value!r} invalid")
    return problems


def is_error_body(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("success") is False or body.get("login") is False) \
        and isinstance(body.get("message"), str)


def _operation_id(case: schemathesis.Case) -> str:
    return case.operation.definition.raw.get("operationId", "")


@schemathesis.check
def vendor_answers_200(ctx: schemathesis.CheckContext, response: schemathesis.Response,
                       case: schemathesis.Case) -> bool | None:
    if case.method.upper() != "GET":
        return None
    assert response.status_code == 200, (
        f"{_operation_id(case)} answered HTTP {response.status_code}; the vendor answers 200 with an error body")
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"{_operation_id(case)} answered a body that is not JSON: {response.text[:200]!r}")
    assert isinstance(body, dict), f"{_operation_id(case)} answered JSON that is not an object"
    return True


@schemathesis.check
def invalid_input_rejected_in_body(ctx: schemathesis.CheckContext, response: schemathesis.Response,
                                   case: schemathesis.Case) -> bool | None:
    if case.method.upper() != "GET" or response.status_code != 200:
        return None
    problems = violations(_operation_id(case), response.request.url)
    if not problems:
        return None
    assert is_error_body(response.json()), (
        f"{_operation_id(case)} accepted a request that breaks the spec ({'; '.join(problems)}): "
        f"{response.text[:200]}")
    return True
