"""What every request must pass before a route sees it, and what every answer carries
(``X-Content-Type-Options: nosniff``: a browser takes each answer for what its Content-Type says).

The control API (``/_mock/``) reveals and changes the whole sandbox (app tokens, the clock, a reset),
and the fake usually runs on a developer's machine, next to a browser that visits other sites. So:

- **DNS rebinding.** A page on an attacker's name that resolves to 127.0.0.1 reaches the fake with the
  attacker's Host. ``/_mock/`` answers only the names the fake is reached by: loopback, the fixtures'
  tenant hosts, the softphone hosts, the address ``serve`` binds, and the setting ``allowed_hosts``
  (``--allowed-host``; ``*`` allows any name, which re-opens the hole).
- **Cross-site requests.** A page on another site can make a browser send a form or ``text/plain`` POST
  (or a ``no-cors`` fetch) without asking the server first. A control request that changes state must
  carry JSON, and is refused when its ``Origin`` is another origin or the browser labels it
  ``Sec-Fetch-Site: cross-site`` / ``same-site``. The fake's own pages send same-origin JSON fetches.

Every request is held to the sizes the threaded server allows (64 KiB of request target, 64 KiB of
headers), so under ``serve --workers`` (gunicorn, whose own limits are lifted for this) an oversized
request gets the same JSON answer, not gunicorn's HTML page.

``/_mock/sink/NAME`` is a callback receiver: it records any request from any host in any encoding (the
fake's delivery worker posts forms there), and refuses only a foreign ``Origin``. The vendor API
(``/api/``) is not guarded: an unknown Host already gets the vendor's unknown-tenant error, and a real
tenant has neither a control API nor any of these rules.
"""
from __future__ import annotations

import ipaddress

from flask import Flask, Response, request
from werkzeug.exceptions import RequestHeaderFieldsTooLarge, RequestURITooLarge

from mock_server.http.control import ControlError
from mock_server.domain.loopback import LOOPBACK_HOSTS
from mock_server.domain.tenants import strip_port
from mock_server.http.routing import is_api_path, is_control_path
from mock_server.runtime.tls import served_hosts

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CROSS_SITE = frozenset({"cross-site", "same-site"})  # Sec-Fetch-Site values of a request from another site
RECEIVER_ENDPOINTS = frozenset({"control.sink"})
MAX_TARGET_BYTES = 64 * 1024  # what http.server (under Werkzeug's threaded server) reads of a request line
MAX_HEADER_BYTES = 64 * 1024


def host_name(host: str) -> str:
    """A Host header or a configured name, as compared: lower case, no port, IPv6 in brackets."""
    host = host.strip().lower()
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]"
    except ValueError:
        pass
    return strip_port(host)


class Guard:
    def __init__(self, hosts: frozenset[str], any_host: bool):
        self.hosts, self.any_host = hosts, any_host

    @classmethod
    def of(cls, app: Flask) -> "Guard":
        ccs = app.extensions["ccs"]
        names = [*LOOPBACK_HOSTS, *served_hosts([t.host for t in ccs.backend.tenants.list()]),
                 *ccs.settings.allowed_hosts]
        return cls(frozenset(host_name(name) for name in names if name != "*"), "*" in ccs.settings.allowed_hosts)

    def before_request(self) -> None:
        check_sizes()
        if not is_control_path(request.path):
            return
        receiver = request.endpoint in RECEIVER_ENDPOINTS
        if not receiver:
            self.check_host()
        if request.method in STATE_CHANGING:
            check_origin()
            if not receiver:
                check_json()

    def check_host(self) -> None:
        host = host_name(request.host)
        if self.any_host or host in self.hosts:
            return
        raise ControlError(403, "host_not_allowed",
                           f"the control API answers only on loopback and the fake's own host names, not on "
                           f"{host[:100]!r}; to use it under this name, start the fake with --allowed-host "
                           f"{host[:100]} (setting allowed_hosts, env CCS_MOCK_ALLOWED_HOSTS)")


def check_sizes() -> None:
    target = len(request.environ.get("RAW_URI") or request.full_path)
    if target > MAX_TARGET_BYTES and not is_api_path():  # /api/ has its own, smaller limit (max_query_bytes)
        raise RequestURITooLarge(f"the request target is {target} bytes; at most {MAX_TARGET_BYTES} are served")
    size = sum(len(name) + len(value) + 4 for name, value in request.headers.items())  # "Name: value\r\n"
    if size > MAX_HEADER_BYTES:
        raise RequestHeaderFieldsTooLarge(f"the headers are {size} bytes; at most {MAX_HEADER_BYTES} are served")


def check_origin() -> None:
    origin = request.headers.get("Origin")
    own = f"{request.scheme}://{request.host}".lower()
    if origin is not None and origin.strip().lower().rstrip("/") != own:
        raise ControlError(403, "cross_origin",
                           f"a control request that changes state must come from the fake's own pages or from a "
                           f"client that sends no Origin; Origin {origin[:200]!r} is not {own!r}")
    site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if site in CROSS_SITE:
        raise ControlError(403, "cross_origin",
                           f"a control request that changes state must not come from another site "
                           f"(Sec-Fetch-Site: {site}); use the fake's own pages, curl, or a test client")


def check_json() -> None:
    has_body = bool(request.content_length) or "Transfer-Encoding" in request.headers
    if request.mimetype == "application/json" or not (request.content_type or has_body):
        return
    raise ControlError(415, "unsupported_media_type",
                       f"control requests that change state take JSON: send `Content-Type: application/json`, "
                       f"not {request.content_type or 'a body without a content type'!r} (a form or text/plain "
                       f"body is what a page on another site could send)")


def nosniff(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def register(app: Flask) -> None:
    app.before_request(Guard.of(app).before_request)
    app.after_request(nosniff)
