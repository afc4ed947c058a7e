"""``ccs-mock serve`` (or ``proxy``) in a subprocess, as a user runs it: waits for its banner, reads its URL."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import requests

from tests.conftest import wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    def __init__(self, *args: str, command: str = "serve", env: dict[str, str] | None = None):
        if "--port" not in args:
            args = ("--port", str(free_port()), *args)
        if command == "serve" and "--clock" not in args:
            args = ("--clock", "manual", *args)
        self._log = tempfile.TemporaryFile("w+")  # the access log: a pipe nobody reads would fill and block
        self.proc = subprocess.Popen([sys.executable, "-m", "mock_server.cli", command, *args],
                                     stdout=subprocess.PIPE, stderr=self._log, text=True,
                                     env={**os.environ, **(env or {})})
        self.lines: list[str] = []
        ready = threading.Event()

        def read() -> None:
            for line in self.proc.stdout:
                self.lines.append(line)
                if "control API" in line or line.startswith("ccs-mock proxy on"):
                    ready.set()
        threading.Thread(target=read, daemon=True).start()
        assert ready.wait(90), "".join(self.lines)
        self.url = next(line.split()[3] for line in self.lines if line.startswith(("ccs-mock serving on",
                                                                                     "ccs-mock proxy on")))
        self.port = int(self.url.rsplit(":", 1)[1])
        if "--workers" in args:  # the banner comes before the worker processes are up
            wait_until(self._answers, timeout=60)

    def _answers(self) -> bool:
        try:
            return requests.get(self.url + "/api/?function=ping", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    def children(self) -> int:
        """How many processes this server's process started (gunicorn's workers)."""
        count = 0
        for proc in Path("/proc").iterdir():
            try:
                stat = (proc / "stat").read_text() if proc.name.isdigit() else ""
            except OSError:
                continue
            if stat and int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                count += 1
        return count

    def stop(self) -> str:
        """Stop it; returns what it wrote to stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=60)
        self._log.seek(0)
        return self._log.read()
