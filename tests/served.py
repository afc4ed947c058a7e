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


NETGUARD = Path(__file__).resolve().parent / "netguard"


class Served:
    def __init__(self, *args: str, command: str = "serve", env: dict[str, str] | None = None,
                 netguard: Path | None = None):
        """``env``: variables added to this process's environment; ``netguard``: a log file, and the server may
        connect only to loopback addresses (every other attempt fails and is written there)."""
        if "--port" not in args:
            args = ("--port", str(free_port()), *args)
        if command == "serve" and "--clock" not in args:
            args = ("--clock", "manual", *args)
        self._log = tempfile.TemporaryFile("w+")  # the access log: a pipe nobody reads would fill and block
        environment = dict(os.environ, **(env or {}))
        if netguard is not None:
            paths = [str(NETGUARD), environment.get("PYTHONPATH", "")]
            environment.update(PYTHONPATH=os.pathsep.join(p for p in paths if p), CCS_TEST_NETGUARD_LOG=str(netguard))
        self.proc = subprocess.Popen([sys.executable, "-m", "mock_server.cli", command, *args],
                                     stdout=subprocess.PIPE, stderr=self._log, text=True, env=environment)
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

    @property
    def app_token(self) -> str:
        """The default tenant's app token, as the banner prints it."""
        return next(line.split()[1] for line in self.lines if line.strip().startswith("app_token:"))

    @property
    def agents(self) -> list[str]:
        """The default tenant's agents (e-mails), as the banner prints them."""
        line = next(line for line in self.lines if line.strip().startswith("agents:"))
        return line.split(":", 1)[1].strip().split(", ")

    def _answers(self) -> bool:
        try:
            return requests.get(self.url + "/api/?function=ping", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    def children(self) -> int:
        """How many processes this server's process started (gunicorn's workers)."""
        return len(self.child_pids())

    def child_pids(self) -> list[int]:
        pids = []
        for proc in Path("/proc").iterdir():
            try:
                stat = (proc / "stat").read_text() if proc.name.isdigit() else ""
            except OSError:
                continue
            if stat and int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                pids.append(int(proc.name))
        return pids

    def kill(self) -> None:
        """``kill -9`` the server and the processes it started, as a crash would: no shutdown, no cleanup."""
        children = self.child_pids()
        self.proc.kill()  # first, so it cannot start new workers for the ones killed next
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.communicate(timeout=60)

    def stop(self) -> str:
        """Stop it; returns what it wrote to stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=60)
        self._log.seek(0)
        return self._log.read()
