"""A real HTTP server for the fake: threaded Werkzeug on loopback, started in a thread or in the foreground.

Request log lines go through ``masking`` so app tokens and session keys never reach a log.
"""
from __future__ import annotations

import logging
import ssl
import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from mock_server.masking import mask_query

log = logging.getLogger("ccs_mock.http")


class MaskingRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, with secrets masked in the access log."""

    def log(self, type: str, message: str, *args) -> None:  # noqa: A002 (Werkzeug's signature)
        args = tuple(mask_query(arg) if isinstance(arg, str) else arg for arg in args)
        getattr(log, "info" if type == "info" else type, log.info)(
            "%s - %s" % (self.address_string(), message % args))


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
        self._thread = threading.Thread(target=self._server.serve_forever, name="ccs-mock", daemon=True)
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
