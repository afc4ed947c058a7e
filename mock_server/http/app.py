"""The Flask application over one ``CcsContext``: the guard first, then the vendor API, the control API,
the softphone pages and the sandbox pages."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from mock_server.http import control, guard, pages, routing, sso

if TYPE_CHECKING:
    from mock_server.app import CcsContext


def flask_app(context: CcsContext) -> Flask:
    app = Flask("mock_server")
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # keep the vendor's field order
    app.extensions["ccs"] = context
    guard.register(app)
    routing.register(app)
    control.register(app)
    sso.register(app)
    pages.register(app)
    return app
