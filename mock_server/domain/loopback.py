"""Loopback as the fake spells it: the one list the tenant resolver, the guard, the callback allow-list,
the TLS certificate and the demo page's origins all read."""
from __future__ import annotations

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")  # as a URL host, a certificate name or an allow-list entry
LOOPBACK_HOSTS = (*LOOPBACK_NAMES, "[::1]")  # as a Host header can spell them (IPv6 in brackets)
LOOPBACK_TWINS = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}  # one machine, two browser origins
