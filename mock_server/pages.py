"""The sandbox pages: the dashboard (``/_mock/``) and the demo CRM (``/_mock/demo``), plus their assets.

Both are static HTML + JS that talk to the fake like an integrator's code would: the demo through
the vendor API (``login``, ``click2call``, ``reportsCDRLogs``) and the softphone iframe, the dashboard
through the control API and ``reportsCDRLogs``. Every ``/_mock/`` answer forbids framing and, for
the pages, any asset that is not served by the fake itself; the softphone page alone can be framed.
"""
from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template, request, send_from_directory

from mock_server.softphone import STATIC

bp = Blueprint("pages", __name__, url_prefix="/_mock", template_folder="web/templates")
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; frame-src http: https:; frame-ancestors 'none'; "
               "form-action 'self'; base-uri 'none'")


@bp.get("/")
def dashboard() -> Response:
    return Response(render_template("dashboard.html"), mimetype="text/html")


@bp.get("/demo")
def demo() -> Response:
    return Response(render_template("demo.html"), mimetype="text/html")


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
        policy = PAGE_POLICY if response.mimetype == "text/html" else "frame-ancestors 'none'"
        response.headers.setdefault("Content-Security-Policy", policy)
    return response


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(frame_policy)
