"""``serve --workers N``: several gunicorn worker processes over one SQLite file.

The parent process seeds the file (or keeps it, same fixtures and seed) and binds the socket; each
worker builds its own app on the file. The clock lives in the file (``clock_shared``), and only the
worker holding ``delivery_lock`` sends callbacks; claims on the outbox are leases in the same file, so a
delivery in flight is not taken by a second process unless the first died (then it is sent again, with a
higher attempt number: delivery is at least once).
"""
from __future__ import annotations

import socket
from typing import Any, Callable

from mock_server.settings import Settings


def serve_workers(make_app: Callable[[Settings], Any], settings: Settings, listener: socket.socket, workers: int,
                  threads: int, tls_files: tuple[str, str] | None = None) -> None:
    """Run gunicorn on ``listener``; each worker serves ``make_app(settings)`` (``create_app``)."""
    from gunicorn.app.base import BaseApplication

    options: dict[str, Any] = {
        "bind": [f"fd://{listener.fileno()}"], "workers": workers, "worker_class": "gthread",
        "threads": threads, "timeout": 60, "graceful_timeout": 10, "loglevel": "warning", "accesslog": None,
        "errorlog": "-",
        # gunicorn's own limits answer an HTML 400; lifted so oversized requests reach the app, which
        # answers JSON 414/431 (guard.check_sizes). A field size of 0 means gunicorn's 8190 bytes, not unlimited.
        "limit_request_line": 0, "limit_request_fields": 32768, "limit_request_field_size": 1024 * 1024,
    }
    if tls_files is not None:
        options["certfile"], options["keyfile"] = tls_files

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):  # runs in each worker process, after the fork
            app = make_app(settings)
            app.extensions["ccs"].delivery.start()  # stands by unless it holds the delivery lock
            return app

    Application().run()
