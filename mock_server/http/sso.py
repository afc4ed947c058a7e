"""The generic softphone SSO page (``/generic/sso/?tenant=...&session=...``), its event stream and its buttons.

Served for any Host: the softphone hosts (``softphone.alo-tech.com``, ``softphone.callcenterstudio.com``)
and the plain server address. The page has no frame-blocking headers (facts §5.4); it renders the
agent's state, then follows ``events`` (server-sent events) and posts each message to
``window.parent``. Buttons POST to ``actions/<name>``, which call the same domain methods as the API.
Described in ``openapi/softphone.yaml``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

from flask import Blueprint, Flask, Response, current_app, render_template, request, send_from_directory

from mock_server.domain.errors import InvalidSession, MissingParameter, UnknownTenant
from mock_server.domain.sessions import Agent
from mock_server.domain.tenants import Tenant
from mock_server.http.routing import json_response, well_formed
from mock_server.storage.store import MAX_ROW_ID

bp = Blueprint("softphone", __name__, template_folder="web/templates")
STATIC = Path(__file__).resolve().parent / "web" / "static"
KEEPALIVE_SECONDS = 10.0  # a comment line this often finds closed connections and keeps proxies open

# button -> (backend method, body fields it takes)
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dial": ("softphone_dial", ("number",)), "answer": ("softphone_answer", ()),
    "reject": ("softphone_reject", ()), "hangup": ("click2hang", ()), "hold": ("click2hold", ()),
    "unhold": ("click2unhold", ()), "mute": ("softphone_mute", ()), "status": ("softphone_status", ("status",)),
}


def _ccs():
    return current_app.extensions["ccs"]


def sso_tenant(value: str | None) -> tuple[Tenant | None, str]:
    """The tenant a softphone request names: ``tenant`` (full host or bare name), else the Host's tenant."""
    ccs = _ccs()
    if value:
        tenant = ccs.backend.tenants.by_name_or_host(value)
        if tenant is None:
            return None, f"Unknown tenant '{value[:100]}'"
        if ccs.settings.softphone_requires_full_host and value.lower() != tenant.host:
            return None, f"Could not register: tenant must be the full host ({tenant.host}), not '{value}'"
        return tenant, ""
    try:
        return ccs.backend.tenants.resolve_host(request.host), ""
    except UnknownTenant:
        return None, "No tenant given and none at this host"


@bp.get("/<build>/sso/")
def page(build: str) -> Response:
    tenant, reason = sso_tenant(request.args.get("tenant"))
    session = request.args.get("session", "")
    state = None
    if tenant is not None:
        if not session:
            reason = "No session given"
        else:
            try:
                state = _ccs().backend.softphone_state(tenant, session)
            except InvalidSession as error:
                reason = error.message
    html = render_template("softphone.html", state=state, reason=reason, tenant=request.args.get("tenant", ""))
    return Response(html, mimetype="text/html")


@bp.get("/<build>/sso/static/<path:filename>")
def static(build: str, filename: str) -> Response:
    """The page's own CSS and JS (relative URLs, so the page works under any build path and host)."""
    return send_from_directory(STATIC, filename, max_age=300)


def _event_lines(message: dict[str, Any], event: str | None = None, event_id: int | None = None) -> str:
    head = (f"id: {event_id}\n" if event_id is not None else "") + (f"event: {event}\n" if event else "")
    return f"{head}data: {json.dumps(message, ensure_ascii=False)}\n\n"


@bp.get("/<build>/sso/events")
def events(build: str) -> Response:
    tenant, _ = sso_tenant(request.args.get("tenant"))
    session = request.args.get("session", "")
    ccs = _ccs()
    try:
        agent = ccs.backend.sessions.agent(tenant, session) if tenant is not None else None
    except InvalidSession:
        agent = None
    if agent is None:
        return Response(status=204)  # EventSource stops reconnecting on 204
    try:
        after = min(max(int(request.headers.get("Last-Event-ID") or request.args.get("after") or 0), 0), MAX_ROW_ID)
    except ValueError:
        after = 0
    return Response(_stream(ccs, tenant, agent, after), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _stream(ccs, tenant: Tenant, agent: Agent, after: int) -> Iterator[str]:
    """Events after ``after``, then new ones as they happen; the clock when it changes; ends with the session."""
    poll = ccs.settings.softphone_stream_poll_seconds
    yield "retry: 1000\n\n"
    last_clock, quiet, seen = None, 0.0, ccs.signal.version()
    while not ccs.signal.closed:
        for message in ccs.backend.softphone.events_after(agent, after):
            after = message["eventId"]
            yield _event_lines(message, event_id=after)
        now = ccs.clock_now_text()
        if now != last_clock:
            last_clock, quiet = now, 0.0
            yield _event_lines(now, event="clock")
        try:
            ccs.backend.sessions.agent(tenant, agent.session)
        except InvalidSession as error:
            yield _event_lines({"messageType": "Unregistered", "time": now, "agent": agent.email,
                                "reason": f"Session ended: {error.message}"})
            return
        if quiet >= KEEPALIVE_SECONDS:
            quiet = 0.0
            yield ": keepalive\n\n"
        seen = ccs.signal.wait(seen, poll)
        quiet += poll


@bp.post("/<build>/sso/actions/<action>")
def act(build: str, action: str) -> Response:
    if action not in ACTIONS:
        return json_response(404, {"success": False, "message": f"Unknown softphone action '{action[:50]}'; "
                                                                f"known: {', '.join(ACTIONS)}"})
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) and well_formed(body) else request.form.to_dict()
    tenant, reason = sso_tenant(str(body.get("tenant") or ""))
    if tenant is None:
        raise InvalidSession(reason)
    name, fields = ACTIONS[action]
    values = {}
    for field in ("session", *fields):
        value = body.get(field)
        if not isinstance(value, str) or not value:
            raise MissingParameter(field)
        values[field] = value
    method: Callable[..., dict[str, Any]] = getattr(_ccs().backend, name)
    result = method(tenant, **values)  # by keyword: click2hang and the like take only keywords after the tenant
    _ccs().changed()
    return json_response(200, result)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
