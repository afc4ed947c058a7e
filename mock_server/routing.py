"""``/api/?function=NAME``: Host -> tenant, function -> operation -> validated kwargs -> handler.

Every answer is JSON; domain errors become vendor error bodies through ``vendor_errors``;
every request is journaled with its secrets masked.
"""
from __future__ import annotations

import json as std_json
import logging
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, json, request
from werkzeug.exceptions import HTTPException

from mock_server import vendor_errors
from mock_server.domain.errors import UnknownFunction, VendorError
from mock_server.masking import mask_params

log = logging.getLogger("ccs_mock")
TENANT_HEADER = "X-CCS-Mock-Tenant"
CONTROL_PREFIX = "/_mock/"  # the fake's own API and pages: errors are {"error": CODE, "message": TEXT}


def request_params() -> dict[str, str]:
    """Query parameters (and form fields, which D-V17 says POST may carry); the first value wins."""
    params: dict[str, str] = {}
    sources = [request.args] + ([request.form] if request.method == "POST" else [])
    for source in sources:
        for key in source.keys():
            if key and key not in params:
                params[key] = source.get(key, "")
    return params


def well_formed(value: Any) -> bool:
    """False for parsed JSON that holds a lone surrogate (``"\\ud800"``): valid JSON text, but not a
    Unicode string anything can store or send on."""
    try:
        std_json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_response(status: int, body: Any) -> Response:
    return current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                      mimetype="application/json")


def api() -> Response:
    ccs = current_app.extensions["ccs"]
    if len(request.query_string) > ccs.settings.max_query_bytes:
        raise vendor_errors.RequestTooLarge(
            f"Query string of {len(request.query_string)} bytes is over the {ccs.settings.max_query_bytes}-byte limit")
    # X-CCS-Mock-Tenant (the fake's own header) picks the tenant for clients that cannot set Host: browsers.
    tenant = ccs.backend.tenants.resolve_host(request.headers.get(TENANT_HEADER) or request.host)
    g.ccs_tenant = tenant.host
    params = request_params()
    name = params.get("function", "")
    g.ccs_function = name
    recorded = ccs.replay.answer(params)
    if recorded is not None:  # serve --replay: an exchange recorded from a real tenant
        return json_response(*recorded)
    operation = ccs.spec.operations.get(name)
    if operation is None:
        raise UnknownFunction(f"Unknown function: '{name}'" if name else "Missing required parameter: function")
    kwargs = operation.bind(params)
    ccs.backend.tick()
    body = ccs.handlers[name](ccs.backend, tenant, **kwargs)
    ccs.changed()
    return json_response(200, body)


def vendor_error(error: VendorError) -> Response:
    status, body = vendor_errors.render(error, current_app.extensions["ccs"].settings.error_http_status)
    return json_response(status, body)


def http_error(error: HTTPException) -> Response:
    """Routing errors (unknown path, wrong method) as JSON, never an HTML page."""
    status, text = error.code or 500, f"{error.name}: {error.description}"
    if request.path.startswith(CONTROL_PREFIX):
        return json_response(status, {"error": error.name.lower().replace(" ", "_"), "message": text})
    return json_response(status, {"success": False, "message": text})


def unexpected_error(error: Exception) -> Response:
    """A bug in the fake: log the trace under a fresh id and answer with that id, never the trace.

    The vendor API answers in the vendor's error envelope and status (``error_http_status``, like any
    other error body); the control API answers ``{"error": "internal", ...}`` with a 500 (a bug report).
    """
    incident = uuid.uuid4().hex[:12]  # unique across restarts and worker processes; not seeded data
    log.error("internal error %s while serving %s %s", incident, request.method, request.path, exc_info=error)
    if request.path.startswith(CONTROL_PREFIX):
        return json_response(500, {"error": "internal",
                                   "message": f"Internal error (id {incident}): a bug in the fake; see its log"})
    return vendor_error(vendor_errors.InternalError(f"Internal error (id {incident}); see the fake's log"))


def journal(response: Response) -> Response:
    if request.path.rstrip("/") != "/api":
        return response
    ccs = current_app.extensions["ccs"]
    outcome = "ok"
    if response.is_json:
        body = response.get_json(silent=True)
        if isinstance(body, dict) and (body.get("success") is False or body.get("login") is False):
            outcome = str(body.get("message", "error"))
    ccs.store.append_journal(
        ccs.clock_now_text(), g.get("ccs_tenant"), request.method, request.path, g.get("ccs_function") or None,
        mask_params(request_params()), response.status_code, outcome, keep=ccs.settings.journal_max_rows)
    return response


def register(app: Flask) -> None:
    # strict_slashes=False serves `/api?function=` like `/api/?function=` (facts §1.1), no redirect.
    app.add_url_rule("/api/", "api", api, methods=["GET", "POST"], strict_slashes=False)
    app.register_error_handler(VendorError, vendor_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)
    app.after_request(journal)
