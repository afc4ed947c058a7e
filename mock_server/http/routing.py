"""``/api/?function=NAME``: Host -> tenant, function -> its ``VendorCall`` -> validated keywords -> the domain
method marked for the operation (``Backend.NAME`` in snake_case).

Every answer is JSON; domain errors become vendor error bodies through ``vendor_errors``;
every request is journaled with its secrets masked.
"""
from __future__ import annotations

import json as std_json
import logging
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, json, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request

from mock_server.http import vendor_errors
from mock_server.domain.errors import UnknownFunction, VendorError
from mock_server.masking import mask_params
from mock_server.spec import is_error_body

log = logging.getLogger("ccs_mock")
TENANT_HEADER = "X-CCS-Mock-Tenant"
API_METHODS = ("GET", "POST")  # facts §1.2 (D-V17); HEAD would run the function (a login, a call) unseen


def params_of(req: Request) -> dict[str, str]:
    """Query parameters, then (on POST, facts §1.2) form fields; the first value of a name wins, so a
    query value wins over a form field of the same name."""
    params: dict[str, str] = {}
    sources = [req.args] + ([req.form] if req.method == "POST" else [])
    for source in sources:
        for key in source.keys():
            if key and key not in params:
                params[key] = source.get(key, "")
    return params


def request_params() -> dict[str, str]:
    return params_of(request)


def is_control_path(path: str) -> bool:
    return path == "/_mock" or path.startswith("/_mock/")


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


def is_api_path() -> bool:
    return request.path.rstrip("/") == "/api"


def api() -> Response:
    if request.method not in API_METHODS:  # HEAD, which Werkzeug adds to every GET route
        raise MethodNotAllowed()
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
    call = ccs.functions.get(name)
    if call is None:
        raise UnknownFunction(f"Unknown function: '{name}'" if name else "Missing required parameter: function")
    kwargs = call.arguments(params)
    body = call.function(ccs.backend, tenant, **kwargs)
    ccs.changed()
    return json_response(200, body)


def vendor_error(error: VendorError) -> Response:
    status, body = vendor_errors.render(error, current_app.extensions["ccs"].settings.error_http_status)
    return json_response(status, body)


def http_error(error: HTTPException) -> Response:
    """Routing errors (unknown path, wrong method) as JSON, never an HTML page, with the error's own
    headers (a 405's ``Allow``): the control API's error shape under ``/_mock/``, the vendor's elsewhere."""
    if is_control_path(request.path):
        body = {"error": error.name.lower().replace(" ", "_"), "message": f"{error.name}: {error.description}"}
    else:
        body = {"success": False, "message": f"{error.name}: {error.description}"}
    response = json_response(error.code or 500, body)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    if isinstance(error, MethodNotAllowed) and is_api_path():
        response.headers["Allow"] = ", ".join(API_METHODS)
    return response


def unexpected_error(error: Exception) -> Response:
    """A bug in the fake: log the trace under a fresh id and answer with that id, never the trace.

    The vendor API answers in the vendor's error envelope and status (``error_http_status``, like any
    other error body); the control API answers ``{"error": "internal", ...}`` with a 500 (a bug report).
    """
    incident = uuid.uuid4().hex[:12]  # unique across restarts and worker processes; not seeded data
    log.error("internal error %s while serving %s %s", incident, request.method, request.path, exc_info=error)
    if is_control_path(request.path):
        return json_response(500, {"error": "internal",
                                   "message": f"Internal error (id {incident}): a bug in the fake; see its log"})
    return vendor_error(vendor_errors.InternalError(f"Internal error (id {incident}); see the fake's log"))


def journal(response: Response) -> Response:
    if not is_api_path():
        return response
    ccs = current_app.extensions["ccs"]
    outcome = "ok"
    if response.is_json:
        body = response.get_json(silent=True)
        if is_error_body(body):
            outcome = str(body.get("message", "error"))
    ccs.backend.journal.append(g.get("ccs_tenant"), request.method, request.path, g.get("ccs_function") or None,
                               mask_params(request_params()), response.status_code, outcome)
    return response


def register(app: Flask) -> None:
    # strict_slashes=False serves `/api?function=` like `/api/?function=` (facts §1.1), no redirect.
    app.add_url_rule("/api/", "api", api, methods=API_METHODS, strict_slashes=False, provide_automatic_options=False)
    app.register_error_handler(VendorError, vendor_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)
    app.after_request(journal)
