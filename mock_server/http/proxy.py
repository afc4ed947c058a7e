"""``ccs-mock proxy --upstream URL``: a validation proxy between a CRM and a real tenant.

The CRM talks to the proxy as if it were the tenant; each ``/api/?function=`` request is checked
against the spec, forwarded unchanged, and the answer checked against the operation's response
schema. Every difference is a *drift* line (JSON, secrets masked) on the log; nothing is blocked.
With ``record`` every exchange is also saved, redacted, as a JSON file that ``serve --replay DIR``
answers from.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import requests
from flask import Flask, Response, request
from jsonschema import Draft202012Validator

from mock_server.domain.errors import VendorError
from mock_server.masking import is_secret
from mock_server.masking import mask_secret_keys as redact
from mock_server.http.routing import request_params
from mock_server.spec import ERROR_BODY, Spec, is_error_body

log = logging.getLogger("ccs_mock.proxy")
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length", "host"}


class ResponseChecker:
    """The 200 answer of each operation: error bodies against ErrorBody, the rest against the success shapes."""

    def __init__(self, spec: Spec):
        self._error = spec.validator(ERROR_BODY)
        self._success: dict[str, Draft202012Validator] = {}
        for _, _, operation in spec.http_operations():
            name = operation["operationId"]
            branches = spec.branches(spec.response_schema(name))
            self._success[name] = spec.validator(*(b for b in branches if not spec.is_error_schema(b)))

    def problems(self, function: str, status: int, body: Any) -> list[str]:
        if status != 200:
            return [f"HTTP {status} (the spec expects 200 for every answer, errors included)"]
        if not isinstance(body, dict):
            return ["the answer is not a JSON object"]
        validator = self._error if is_error_body(body) else self._success[function]
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        return [f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message[:300]}" for e in errors[:10]]


def create_proxy(upstream: str, record: Path | None = None, drift_log: Path | None = None,
                 timeout: float = 30.0) -> Flask:
    spec = Spec.bundled()
    checker = ResponseChecker(spec)
    http = requests.Session()
    upstream = upstream.rstrip("/")
    write_lock = threading.Lock()
    app = Flask(__name__)
    app.extensions["ccs_proxy_drifts"] = drifts = []
    if record is not None:
        record.mkdir(parents=True, exist_ok=True)

    def note(entry: dict[str, Any]) -> None:
        line = json.dumps(redact(entry), ensure_ascii=False)
        with write_lock:
            drifts.append(json.loads(line))
            if drift_log is not None:
                with drift_log.open("a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
        log.warning("drift: %s", line)

    @app.route("/api/", methods=["GET", "POST"], strict_slashes=False)
    def api() -> Response:
        body = request.get_data()  # kept for forwarding before the form is read from it
        params = request_params()  # as the fake reads them: the query, and a POST's form fields
        function = params.get("function", "")
        operation = spec.operations.get(function)
        if operation is None:
            note({"function": function, "where": "request", "problems": [f"unknown function {function!r}"]})
        else:
            try:
                operation.bind(params)
            except VendorError as error:
                note({"function": function, "where": "request", "problems": [error.message]})
        answer = http.request(request.method, upstream + "/api/", params=request.query_string.decode(),
                              data=body or None, timeout=timeout,
                              headers={k: v for k, v in request.headers if k.lower() not in HOP_HEADERS})
        try:
            body = answer.json()
        except ValueError:
            body = None
        if operation is not None:
            problems = checker.problems(function, answer.status_code, body)
            if problems:
                note({"function": function, "where": "response", "status": answer.status_code,
                      "problems": problems, "body": body})
        if record is not None and operation is not None:
            exchange = {"function": function, "params": {k: v for k, v in params.items() if not is_secret(k)},
                        "status": answer.status_code, "body": redact(body)}
            name = f"{time.time_ns()}-{function}.json"
            (record / name).write_text(json.dumps(exchange, indent=2, ensure_ascii=False), encoding="utf-8")
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS}
        return Response(answer.content, status=answer.status_code, headers=headers)

    return app
