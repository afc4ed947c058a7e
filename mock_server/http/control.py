"""The fake's own API under ``/_mock/`` (described in ``openapi/control.yaml``).

Requests act on the tenant of the Host header, or on the one named by a ``tenant``
query parameter or JSON field. JSON bodies are validated against control.yaml.
Errors are ``{"error": CODE, "message": TEXT}`` with a 4xx status.
"""
from __future__ import annotations

import dataclasses
import hmac
import json
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request, send_file
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from mock_server.domain.clock import ClockError, ClockLimitError, format_datetime, parse_datetime
from mock_server.domain.errors import CallStateError, InvalidHangupUrl, UnknownTenant
from mock_server.domain.tenants import Tenant
from mock_server.masking import mask
from mock_server.resources import spec_path
from mock_server.http.routing import well_formed
from mock_server.spec import Spec
from mock_server.storage.store import MAX_ROW_ID

bp = Blueprint("control", __name__, url_prefix="/_mock")


class ControlError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _ccs():
    return current_app.extensions["ccs"]


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _json_body() -> Any:
    """The request's JSON body ({} when there is none). NaN and Infinity are refused: they are not JSON."""
    raw = request.get_data()
    if not raw:
        return {}
    try:
        if not request.is_json:
            raise ValueError("not a JSON content type")
        body = json.loads(raw, parse_constant=_not_json)
    except ValueError:
        raise ControlError(400, "invalid_json", "the request body is not JSON") from None
    if not well_formed(body):
        raise ControlError(400, "invalid_json", "the request body holds a string that is not Unicode text "
                                                "(a lone surrogate escape such as \\ud800)")
    return body


def _body(operation_id: str) -> dict[str, Any]:
    """The JSON body, validated against the operation's schema in control.yaml."""
    body = _json_body()
    validator = current_app.extensions["ccs_control_validators"].get(operation_id)
    if validator is not None:
        # best_match descends into oneOf/anyOf: "advance_seconds: -5 is less than the minimum of 0", not
        # "body: ... is not valid under any of the given schemas"
        error = best_match(validator.iter_errors(body))
        if error is not None:
            where = "/".join(str(p) for p in error.path) or "body"
            raise ControlError(400, "invalid_request", f"{where}: {error.message}")
    return body


def _tenant(body: dict[str, Any] | None = None) -> Tenant:
    name = (body or {}).get("tenant") or request.args.get("tenant")
    tenants = _ccs().backend.tenants
    try:
        return tenants.resolve_host(name if name else request.host)
    except UnknownTenant as error:
        raise ControlError(404, "unknown_tenant", error.message) from None


def _clock_state() -> dict[str, Any]:
    clock = _ccs().clock
    return {"now": format_datetime(clock.now()), "mode": clock.mode, "speed": getattr(clock, "speed", None)}


OPEN_ENDPOINTS = ("control.sink", "control.openapi_document")  # callbacks arrive without a token


@bp.before_request
def require_token() -> None:
    """With ``control_token`` set (any bind other than loopback), the control API needs it."""
    token = _ccs().settings.control_token
    if not token or request.endpoint in OPEN_ENDPOINTS:
        return
    given = request.headers.get("X-CCS-Mock-Token") or request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ControlError(401, "unauthorized", "the control API needs its token: `Authorization: Bearer TOKEN` "
                                                "(printed by `ccs-mock serve`; setting control_token)")


@bp.post("/reset")
def reset() -> Response:
    _ccs().reset()
    return jsonify(reset=True, clock=_clock_state())


@bp.get("/clock")
def get_clock() -> Response:
    return jsonify(_clock_state())


@bp.post("/clock")
def set_clock() -> Response:
    body = _body("setClock")
    backend = _ccs().backend
    try:
        if "advance_seconds" in body:
            backend.advance_clock(body["advance_seconds"])
        else:
            try:
                when = parse_datetime(body["now"])
            except ValueError:
                raise ControlError(400, "invalid_request", "now: expected YYYY-MM-DD HH:MM:SS") from None
            backend.set_clock(when)
    except ClockError as error:
        raise ControlError(409, "clock_backwards", str(error)) from None
    except ClockLimitError as error:
        raise ControlError(400, "clock_limit", str(error)) from None
    _ccs().changed()
    return jsonify(_clock_state())


@bp.get("/settings")
def get_settings() -> Response:
    settings = dataclasses.asdict(_ccs().settings)
    if settings["control_token"]:
        settings["control_token"] = mask(settings["control_token"])
    return jsonify(dict(settings, seed=_ccs().seed))


def _whole_number(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        raise ControlError(400, "invalid_request", f"{name}: expected a whole number") from None


def _limit(maximum: int) -> int:
    """The ``limit`` query parameter: a whole number from 1 to ``maximum`` (default 100)."""
    limit = _whole_number("limit", 100)
    if not 1 <= limit <= maximum:
        raise ControlError(400, "invalid_request", f"limit: expected a whole number from 1 to {maximum}")
    return limit


@bp.get("/journal")
def get_journal() -> Response:
    return jsonify(requests=_ccs().backend.journal.entries(_limit(10_000), request.args.get("function")))


@bp.delete("/journal")
def clear_journal() -> Response:
    _ccs().backend.journal.clear()
    return jsonify(cleared=True)


@bp.get("/tenants")
def list_tenants() -> Response:
    return jsonify(tenants=_ccs().backend.tenants.describe())


@bp.post("/app_tokens")
def issue_app_token() -> Response:
    body = _body("issueAppToken")
    tenant = _tenant(body)
    token = _ccs().backend.tenants.issue_app_token(tenant, body.get("name", "Issued by control API"))
    return jsonify(tenant=tenant.host, app_token=token), 201


@bp.post("/app_tokens/revoke")
def revoke_app_token() -> Response:
    body = _body("revokeAppToken")
    tenant = _tenant(body)
    if not _ccs().backend.tenants.revoke_app_token(tenant, body["app_token"]):
        raise ControlError(404, "unknown_app_token", f"no live app token {mask(body['app_token'])} on {tenant.host}")
    return jsonify(revoked=True)


@bp.post("/app_tokens/reissue")
def reissue_app_token() -> Response:
    body = _body("reissueAppToken")
    tenant = _tenant(body)
    token = _ccs().backend.tenants.reissue_app_token(tenant, body["app_token"])
    if token is None:
        raise ControlError(404, "unknown_app_token", f"no live app token {mask(body['app_token'])} on {tenant.host}")
    return jsonify(tenant=tenant.host, app_token=token), 201


@bp.get("/sessions")
def list_sessions() -> Response:
    tenant = _tenant()
    sessions = [dict(s, session=mask(s["session"])) for s in _ccs().backend.sessions.live(tenant)]
    return jsonify(tenant=tenant.host, sessions=sessions)


@bp.post("/sessions/expire")
def expire_sessions() -> Response:
    body = _body("expireSessions")
    tenant = _tenant(body)
    count = _ccs().backend.sessions.expire(tenant, session=body.get("session"), email=body.get("email"),
                                           session_id=body.get("id"))
    _ccs().changed()
    return jsonify(expired=count)


def _user(tenant: Tenant, email: str) -> Any:
    user = _ccs().backend.tenants.user(tenant, email)
    if user is None:
        raise ControlError(404, "unknown_agent", f"no agent {email!r} on {tenant.host}")
    return user


@bp.post("/calls/inbound")
def start_inbound_call() -> Response:
    body = _body("startInboundCall")
    tenant = _tenant(body)
    queues = _ccs().backend.tenants.queues(tenant)
    wanted = body.get("queue")
    queue = next((q for q in queues if wanted in (None, q["name"], q["queuekey"])), None)
    if queue is None:
        raise ControlError(404, "unknown_queue", f"no queue {wanted!r} on {tenant.host}; queues: "
                                                 + ", ".join(q["name"] for q in queues))
    agent = _user(tenant, body["agent"]) if body.get("agent") else None
    ccs = _ccs()
    try:
        key = ccs.backend.start_inbound_call(tenant, body["caller"], queue, body["ending"], agent,
                                             body.get("talk_seconds"), body.get("ring_seconds"),
                                             body.get("ivr_seconds"))
    except CallStateError as error:
        raise ControlError(409, "agent_busy", error.message) from None
    ccs.changed()
    return jsonify(tenant=tenant.host, activecallkey=key), 201


@bp.post("/calls/next")
def script_next_call() -> Response:
    body = _body("scriptNextCall")
    tenant = _tenant(body)
    email = _user(tenant, body["agent"])["email"] if body.get("agent") else ""
    _ccs().backend.script_next_call(tenant, email, body["disposition"], body.get("ring_seconds"),
                                    body.get("talk_seconds"))
    _ccs().changed()
    return jsonify(tenant=tenant.host, agent=email or None, disposition=body["disposition"]), 201


@bp.get("/calls")
def list_active_calls() -> Response:
    tenant = _tenant()
    return jsonify(tenant=tenant.host, calls=_ccs().backend.active_calls(tenant))


@bp.put("/notifications")
def set_notifications() -> Response:
    body = _body("setNotifications")
    tenant = _tenant(body)
    try:
        _ccs().backend.set_notifications(tenant, body["url"], body.get("params", {}))
    except (InvalidHangupUrl, CallStateError) as error:
        raise ControlError(400, "invalid_request", error.message) from None
    return get_notifications()


@bp.get("/notifications")
def get_notifications() -> Response:
    tenant = _tenant(request.get_json(silent=True) if request.method == "PUT" else None)
    config = _ccs().backend.notification_config(tenant)
    return jsonify(tenant=tenant.host, url=config.url if config else None, params=config.params if config else {})


@bp.get("/contacts")
def list_contacts() -> Response:
    """The tenant's CRM contacts from the fixtures (the demo CRM's address book)."""
    tenant = _tenant()
    return jsonify(tenant=tenant.host, contacts=_ccs().backend.tenants.contacts(tenant))


@bp.route("/sink/<name>", methods=["GET", "POST"])
def sink(name: str) -> Response:
    """Records any request (a hangup POST, a notification GET) so a page or a script can read it back."""
    if len(name) > 64:
        raise ControlError(400, "invalid_request", "sink name: at most 64 characters")
    fields = request.form.to_dict() if request.method != "GET" else request.args.to_dict()
    at = time.time()
    body = request.get_data(as_text=True)[:65536]
    entry = _ccs().backend.sink.record(name, at, request.method, request.url, request.content_type or "", body,
                                       fields)
    return jsonify(recorded=entry)


@bp.get("/sinks/<name>")
def list_sink(name: str) -> Response:
    after = _whole_number("after", 0)
    if not 0 <= after <= MAX_ROW_ID:
        raise ControlError(400, "invalid_request", f"after: expected a whole number from 0 to {MAX_ROW_ID}")
    return jsonify(name=name, requests=_ccs().backend.sink.requests(name, after, _limit(1000)))


@bp.get("/deliveries")
def list_deliveries() -> Response:
    tenant = _tenant() if request.args.get("tenant") else None
    return jsonify(deliveries=_ccs().backend.deliveries(tenant, _limit(100_000)))


DOCUMENTS = ("ccs", "control", "softphone")


@bp.get("/openapi/<name>")
def openapi_document(name: str) -> Response:
    """A bundled spec as YAML (``ccs.yaml``) or JSON (``ccs.json``, what the docs page reads)."""
    stem, _, suffix = name.rpartition(".")
    if stem not in DOCUMENTS or suffix not in ("yaml", "json"):
        raise ControlError(404, "not_found", "known documents: " + ", ".join(f"{d}.yaml, {d}.json" for d in DOCUMENTS))
    if suffix == "yaml":
        return send_file(spec_path(name), mimetype="application/yaml")
    return jsonify(Spec.bundled(f"{stem}.yaml").document)


def control_error(error: ControlError) -> Response:
    return jsonify(error=error.code, message=error.message), error.status


def compile_validators() -> dict[str, Draft202012Validator]:
    """operationId -> the validator of its JSON body, for every control operation that takes one."""
    spec = Spec.bundled("control.yaml")
    bodies = {operation["operationId"]: spec.request_body_schema(operation["operationId"])
              for _, _, operation in spec.http_operations()}
    return {operation_id: spec.validator(ref) for operation_id, ref in bodies.items() if ref is not None}


def register(app: Flask) -> None:
    app.extensions["ccs_control_validators"] = compile_validators()
    app.register_blueprint(bp)
    app.register_error_handler(ControlError, control_error)
