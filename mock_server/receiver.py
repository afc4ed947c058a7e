"""A local HTTP receiver for callbacks (hangup POSTs, notification GETs).

Used by the contract kit, the tests and the benchmarks: it records every request, can be
told how to answer the next ones (status codes, delays), and lets a caller wait for a
number of requests with a timeout instead of sleeping.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.perf_counter)

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


class Receiver:
    """``with Receiver() as rx: ... hangup_url=rx.url("/hook") ... rx.wait_for(1)``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.requests: list[Received] = []
        self._answers: list[tuple[int, float]] = []  # (status, delay seconds) for the next requests
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                status, delay = receiver._next_answer()
                if delay:
                    time.sleep(delay)  # a deliberately slow receiver
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver._changed:
                    receiver.requests.append(Received(
                        self.command, parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()},
                        {k.lower(): v for k, v in self.headers.items()}, body))
                    receiver._changed.notify_all()

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="receiver", daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer_next(self, *statuses: int, delay: float = 0.0) -> None:
        """Answer the next requests with these statuses (then 200 again)."""
        with self._changed:
            self._answers.extend((status, delay) for status in statuses)

    def _next_answer(self) -> tuple[int, float]:
        with self._changed:
            return self._answers.pop(0) if self._answers else (200, 0.0)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until ``count`` requests arrived (or fail after ``timeout`` seconds)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.requests) >= count, timeout):
                raise TimeoutError(f"waited {timeout} s for {count} requests, got {len(self.requests)}")
            return list(self.requests)

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "Receiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
