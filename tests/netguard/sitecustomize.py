"""Loopback only: while installed, a process may connect to 127.0.0.0/8 and ::1 and nowhere else.

A test that could, if the code under test were broken, make the fake connect beyond this machine (a
callback URL naming 169.254.169.254 or 10.0.0.1) installs it: in its own process with ``install(log)``,
and in a served subprocess by putting this folder on ``PYTHONPATH`` with ``CCS_TEST_NETGUARD_LOG`` set
(``tests.served.Served(netguard=log)``), where Python imports it as ``sitecustomize``. Any other connect
fails with ConnectionRefusedError before a packet is sent, and is written to the log, so the test can
also assert that nothing even tried.
"""
from __future__ import annotations

import ipaddress
import os
import socket
from typing import Callable

LOG_VARIABLE = "CCS_TEST_NETGUARD_LOG"


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a name: connect() would resolve it itself, unchecked


def install(log_path: str) -> Callable[[], None]:
    """Guard every socket of this process; returns what undoes it."""
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock: socket.socket, address) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(str(address[0])):
            with open(log_path, "a") as log:
                log.write(f"pid {os.getpid()} tried {address[0]} port {address[1]}\n")
            raise ConnectionRefusedError(f"netguard: {address[0]} is not a loopback address; not connected")

    def guarded_connect(sock, address):
        check(sock, address)
        return connect(sock, address)

    def guarded_connect_ex(sock, address):
        check(sock, address)
        return connect_ex(sock, address)

    socket.socket.connect, socket.socket.connect_ex = guarded_connect, guarded_connect_ex

    def uninstall() -> None:
        socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    return uninstall


if os.environ.get(LOG_VARIABLE):
    install(os.environ[LOG_VARIABLE])
