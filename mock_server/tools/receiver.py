"""A local HTTP receiver for callbacks (hangup POSTs, notification GETs).

Used by the contract kit, the tests and the benchmarks: it records every request, can be
told how to answer the next ones (status codes, headers, delays, or hold them unanswered until
told), and lets a caller wait for a number of requests with a timeout instead of sleeping.
"""
from __future__ import annotations

import ssl
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


@dataclass
class Answer:
    status: int = 200
    delay: float = 0.0  # seconds before answering
    headers: dict[str, str] = field(default_factory=dict)
    hold: threading.Event | None = None  # answer only once this is set


class Receiver:
    """``with Receiver() as rx: ... hangup_url=rx.url("/hook") ... rx.wait_for(1)``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None):
        self.host = host
        self.requests: list[Received] = []  # every request, once answered (or once its sender went away)
        self.holding: list[Received] = []  # held requests, as they arrive (see hold_next)
        self._answers: list[Answer] = []  # how to answer the next requests
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                received = Received(self.command, parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()},
                                    {k.lower(): v for k, v in self.headers.items()}, body)
                answer = receiver._next_answer()
                try:
                    if answer.hold is not None:
                        with receiver._changed:
                            receiver.holding.append(received)
                            receiver._changed.notify_all()
                        answer.hold.wait()
                    if answer.delay:
                        time.sleep(answer.delay)  # a deliberately slow receiver
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender went away (a held request whose sender was killed)
                    self.close_connection = True
                finally:
                    with receiver._changed:
                        receiver.requests.append(received)
                        receiver._changed.notify_all()

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        if ssl_context is not None:  # HTTPS: the handshake happens as each connection is accepted
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if ssl_context is not None else "http"
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="receiver", daemon=True)

    def url(self, path: str = "/hook") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{path}"

    def answer_next(self, *statuses: int, delay: float = 0.0, headers: dict[str, str] | None = None) -> None:
        """Answer the next requests with these statuses (then 200 again)."""
        with self._changed:
            self._answers.extend(Answer(status, delay, headers or {}) for status in statuses)

    def hold_next(self, count: int = 1, status: int = 200) -> threading.Event:
        """Keep the next ``count`` requests unanswered until the returned event is set; each is in
        ``holding`` from its arrival (``wait_for(n, holding=True)``)."""
        release = threading.Event()
        with self._changed:
            self._answers.extend(Answer(status, 0.0, {}, release) for _ in range(count))
        return release

    def _next_answer(self) -> "Answer":
        with self._changed:
            return self._answers.pop(0) if self._answers else Answer()

    def wait_for(self, count: int, timeout: float = 10.0, holding: bool = False) -> list[Received]:
        """Block until ``count`` requests were answered, or with ``holding`` arrived to be held (or fail after
        ``timeout`` seconds)."""
        seen = self.holding if holding else self.requests
        with self._changed:
            if not self._changed.wait_for(lambda: len(seen) >= count, timeout):
                raise TimeoutError(f"waited {timeout} s for {count} requests, got {len(seen)}")
            return list(seen)

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
