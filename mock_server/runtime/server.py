"""A real HTTP server for the fake: threaded Werkzeug on loopback, started in a thread or in the foreground.

Request log lines go through ``masking`` so app tokens and session keys never reach a log. Requests the
server refuses before the app sees them (a request line or a header line over 64 KiB, more than 100
headers) get JSON, like every answer of the app.
"""
from __future__ import annotations

import json
import logging
import ssl
import threading
from http import HTTPStatus
from typing import TYPE_CHECKING

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from mock_server.masking import mask_query

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("ccs_mock.http")


class MaskingRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, with secrets masked in the access log."""

    def log(self, type: str, message: str, *args) -> None:  # noqa: A002 (Werkzeug's signature)
        args = tuple(mask_query(arg) if isinstance(arg, str) else arg for arg in args)
        getattr(log, "info" if type == "info" else type, log.info)(
            "%s - %s" % (self.address_string(), message % args))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's error answer (414, 431, 400 ...) as JSON instead of its HTML page. It comes before
        any route, so the body carries both APIs' keys: ``success``/``message`` and ``error``."""
        short, long = self.responses.get(code, ("Error", ""))
        message, explain = message or short, explain or long
        self.log_error("code %d, message %s", code, message)
        self.send_response(code, message)
        self.send_header("Connection", "close")
        body = b""
        if code >= 200 and code not in (HTTPStatus.NO_CONTENT, HTTPStatus.RESET_CONTENT, HTTPStatus.NOT_MODIFIED):
            body = json.dumps({"success": False, "error": short.lower().replace(" ", "_"),
                               "message": f"{message}: {explain}"}).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)


class LiveServer:
    """``with LiveServer(app) as server: requests.get(server.url + "/api/?function=ping...")``."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None):
        self.app = app
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True,
                                                   request_handler=MaskingRequestHandler, ssl_context=ssl_context)
        self.host, self.port = host, self._server.server_port
        self.scheme = "https" if ssl_context is not None else "http"
        self._ccs = app.extensions.get("ccs")  # None for other apps served the same way (the proxy)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def start(self) -> "LiveServer":
        """Serve in a background thread, with the app's delivery worker."""
        if self._ccs is not None:
            self._ccs.signal.open()
            self._ccs.delivery.start()
        # stop() waits for the serving loop to look up: every 50 ms, not socketserver's default 500 ms
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="ccs-mock", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        if self._ccs is not None:
            self._ccs.delivery.start()
        try:
            self._server.serve_forever()
        finally:
            if self._ccs is not None:
                self._ccs.delivery.stop()

    def stop(self) -> None:
        if self._ccs is not None:
            self._ccs.signal.close()  # open softphone event streams end
            self._ccs.delivery.stop()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
