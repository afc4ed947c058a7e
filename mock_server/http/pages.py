"""The sandbox pages: the dashboard (``/_mock/``) and the demo CRM (``/_mock/demo``), plus their assets.

Both are static HTML + JS that talk to the fake like an integrator's code would: the demo through
the vendor API (``login``, ``click2call``, ``reportsCDRLogs``) and the softphone iframe, the dashboard
through the control API and ``reportsCDRLogs``. Every ``/_mock/`` answer forbids framing and, for
the pages, any asset that is not served by the fake itself; the softphone page alone can be framed. The
demo frames the softphone only from an origin the server allows (``softphone_origins``): it sends it the
agent's live session.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, render_template, request, send_from_directory

from mock_server.domain.loopback import LOOPBACK_TWINS
from mock_server.http.sso import STATIC

bp = Blueprint("pages", __name__, url_prefix="/_mock", template_folder="web/templates")
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; frame-src {frames}; frame-ancestors 'none'; "
               "form-action 'self'; base-uri 'none'")
SOFTPHONE_HOSTS = ("softphone.alo-tech.com", "softphone.callcenterstudio.com")
_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` as a browser spells an origin (lower case, no default port), for an http(s)
    URL of nothing but an origin (a trailing ``/`` is allowed); ValueError for anything else."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    if (parts.scheme not in _DEFAULT_PORTS or not _HOST.fullmatch(host) or parts.username is not None
            or parts.path not in ("", "/") or parts.query or parts.fragment):
        raise ValueError(f"not an http(s) origin (scheme://host[:port]): {url!r}")
    port = parts.port  # ValueError when it is not a port number
    shown = port is not None and port != _DEFAULT_PORTS[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if shown else "")


def softphone_origins() -> list[str]:
    """The origins the demo CRM may load the softphone from, and so send a live session to: the fake's own
    (the page's loopback twin, 127.0.0.1 <-> localhost, first: the default, another origin as in production;
    the page's origin; both softphone hosts on the page's scheme and port), then the setting
    ``softphone_origins``."""
    try:
        page = origin_of(request.host_url)
    except ValueError:  # a Host header no browser sends: only the configured origins
        return list(current_app.extensions["ccs_softphone_origins"])
    parts = urlsplit(page)
    port = f":{parts.port}" if parts.port is not None else ""
    twin = LOOPBACK_TWINS.get(parts.hostname or "")
    own = [f"{parts.scheme}://{twin}{port}"] if twin else []
    own += [page] + [f"{parts.scheme}://{host}{port}" for host in SOFTPHONE_HOSTS]
    return list(dict.fromkeys(own + list(current_app.extensions["ccs_softphone_origins"])))


@bp.get("/")
def dashboard() -> Response:
    return Response(render_template("dashboard.html"), mimetype="text/html")


@bp.get("/demo")
def demo() -> Response:
    """The demo CRM, told which softphone origins it may use; the page's policy frames nothing else."""
    origins = softphone_origins()
    response = Response(render_template("demo.html", softphone_origins=origins), mimetype="text/html")
    response.headers["Content-Security-Policy"] = PAGE_POLICY.format(frames=" ".join(origins) or "'none'")
    return response


@bp.get("/docs")
def docs() -> Response:
    """Interactive docs for the vendor API, the control API and the softphone protocol, from the bundled specs."""
    return Response(render_template("docs.html"), mimetype="text/html")


@bp.get("/static/<path:filename>")
def static(filename: str) -> Response:
    return send_from_directory(STATIC, filename, max_age=300)


def frame_policy(response: Response) -> Response:
    """No framing of the fake's own pages and answers; pages load nothing from elsewhere."""
    if request.path.startswith("/_mock/"):
        response.headers.setdefault("X-Frame-Options", "DENY")
        policy = PAGE_POLICY.format(frames="'none'") if response.mimetype == "text/html" else "frame-ancestors 'none'"
        response.headers.setdefault("Content-Security-Policy", policy)
    return response


def register(app: Flask) -> None:
    try:
        origins = tuple(origin_of(origin) for origin in app.extensions["ccs"].settings.softphone_origins)
    except ValueError as error:
        raise ValueError(f"setting softphone_origins: {error}") from None
    app.extensions["ccs_softphone_origins"] = origins
    app.register_blueprint(bp)
    app.after_request(frame_policy)
