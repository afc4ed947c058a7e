"""Sends the outbox: hangup POSTs and IVR notification GETs, with retries.

The domain only appends to the outbox (a table in the store, so nothing is lost when a
file-backed fake restarts). One worker thread per app claims due deliveries one at a time, sends
them with a per-attempt timeout, and records every attempt. Policy (assumed; facts §3.6 are
silent): a 2xx ends a delivery; anything else (5xx, 4xx, refused connection, timeout) is
retried after ``delivery_backoff_seconds * 2**(attempt-1)`` (at most 60 s) until
``delivery_max_attempts``. Delivery is at least once: every attempt carries the same
``X-CCS-Mock-Delivery-Id`` and an ``X-CCS-Mock-Attempt`` that is counted in the store when the
attempt is claimed, before it is sent, so a resend after a crash has the same id and a higher
attempt number.

Only hosts on ``allowed_callback_hosts`` are ever contacted, and this module is the only place that
connects: each attempt parses the stored URL again (``domain.callback_urls``), resolves its host
here, refuses it unless the host is listed by name or every address it resolves to is listed (or
inside a listed range), and connects to the address it checked (``PinnedAdapter``). Redirects are
never followed.
"""
from __future__ import annotations

import fcntl
import ipaddress
import logging
import os
import socket
import threading
import time
from typing import Callable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError

from mock_server.domain.callback_urls import DEFAULT_PORTS, CallbackHosts, parse_callback_url
from mock_server.domain.errors import InvalidHangupUrl
from mock_server.settings import Settings
from mock_server.storage.records import AttemptResult, Delivery
from mock_server.storage.store import Store

log = logging.getLogger("ccs_mock.delivery")
MAX_BACKOFF_SECONDS = 60.0
IDLE_POLL_SECONDS = 0.2  # how often a system clock's calls are advanced while nothing else happens
STANDBY_POLL_SECONDS = 1.0  # a process without the delivery lock retries taking it this often
LEASE_MARGIN_SECONDS = 5.0  # default lease: the attempt's timeout plus this

Resolver = Callable[..., list]  # socket.getaddrinfo's signature


class CallbackRefused(requests.RequestException):
    """The target's host is not allowed once resolved: nothing was contacted, and it is not retried."""


class PinnedAdapter(HTTPAdapter):
    """Connects only to an address it has checked, and to exactly that address.

    ``send`` takes the host the way requests reads it for its connection pool, resolves it, and checks it
    against the allow-list (``checked_addresses``); the connection pool is then made for the checked
    address instead of the name, so nothing resolves the name again between the check and the connect.
    The request keeps its ``Host`` header, and HTTPS its server name (SNI) and certificate check, for the
    name in the URL. A name with several allowed addresses is tried address by address while connecting
    fails (nothing was sent), as a plain client would.
    """

    def __init__(self, hosts: CallbackHosts, resolve: Resolver = socket.getaddrinfo):
        super().__init__(max_retries=0)
        self.hosts, self.resolve = hosts, resolve
        self._pin = threading.local()

    def checked_addresses(self, host: str, port: int) -> list[str]:
        """The addresses ``host`` resolves to, if it may be contacted; ``CallbackRefused`` if not."""
        try:
            infos = self.resolve(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise requests.ConnectionError(f"cannot resolve {host!r}: {error}") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)))
        if not addresses:
            raise requests.ConnectionError(f"{host!r} resolves to no IPv4 or IPv6 address")
        if self.hosts.allows_name(host):
            return addresses
        outside = [a for a in addresses if not self.hosts.allows_address(ipaddress.ip_address(a))]
        if outside:
            raise CallbackRefused(f"host {host!r} resolves to {', '.join(addresses)}; {', '.join(outside)} is not on "
                                  f"allowed_callback_hosts ({self.hosts.describe()}); not contacted")
        return addresses

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        addresses = self.checked_addresses(host, parts.port or DEFAULT_PORTS.get(parts.scheme, 80))
        for index, address in enumerate(addresses):
            self._pin.host, self._pin.address = host, address
            try:
                return super().send(request, **kwargs)
            except requests.ConnectionError as error:
                if index == len(addresses) - 1 or not isinstance(getattr(error.args[0], "reason", None),
                                                                 ConnectTimeoutError):
                    raise
            finally:
                self._pin.host = self._pin.address = None
        raise AssertionError("unreachable")  # the loop returns or raises

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        name, address = host_params["host"], getattr(self._pin, "address", None)
        if address is None or name != self._pin.host:
            raise CallbackRefused(f"host {name!r} was not checked; not contacted")
        if host_params["scheme"] == "https":  # the certificate is checked for the name, SNI sends the name
            pool_kwargs = dict(pool_kwargs, server_hostname=name, assert_hostname=name)
        return self.poolmanager.connection_from_host(host=address, port=host_params["port"],
                                                     scheme=host_params["scheme"], pool_kwargs=pool_kwargs)

    def add_headers(self, request, **kwargs) -> None:
        parts = urlsplit(request.url)
        host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
        default = parts.port is None or parts.port == DEFAULT_PORTS.get(parts.scheme)
        request.headers["Host"] = host if default else f"{host}:{parts.port}"


class DeliveryWorker:
    def __init__(self, store: Store, settings: Settings, tick: Callable[[], int],
                 resolve: Resolver = socket.getaddrinfo):
        self.store, self.settings, self.tick = store, settings, tick
        self.lease_seconds = settings.delivery_lease_seconds or settings.delivery_timeout_seconds + LEASE_MARGIN_SECONDS
        if self.lease_seconds <= settings.delivery_timeout_seconds:
            raise ValueError(f"delivery_lease_seconds ({self.lease_seconds}) must be longer than "
                             f"delivery_timeout_seconds ({settings.delivery_timeout_seconds}): a lease that runs out "
                             "while an attempt is still waiting for its answer lets another claim resend it")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_file = None
        self._http = requests.Session()
        self._http.trust_env = False  # no proxy from the environment: the connection goes where it was checked
        adapter = PinnedAdapter(CallbackHosts.parse(settings.allowed_callback_hosts), resolve)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)
        # passed per request: a REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment overrides Session.verify
        self._verify: str | bool = settings.delivery_ca_bundle or True

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> "DeliveryWorker":
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="ccs-mock-delivery", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._wake.set()
            self._thread.join(timeout=self.settings.delivery_timeout_seconds + 5)
            self._thread = None

    def wake(self) -> None:
        """Something may be due now (a request was served, the clock moved)."""
        self._wake.set()

    # -- work -----------------------------------------------------------------------------------
    def _holds_lock(self) -> bool:
        """With ``delivery_lock`` set (several processes on one database), only the process holding the
        lock file delivers; the others stand by and take over if it dies (the OS drops its lock)."""
        if not self.settings.delivery_lock:
            return True
        if self._lock_file is None:
            handle = open(self.settings.delivery_lock, "a+")  # noqa: SIM115 (held for the process's life)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            self._lock_file = handle
            log.info("this process (pid %d) delivers callbacks", os.getpid())
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._holds_lock():
                self._stop.wait(STANDBY_POLL_SECONDS)
                continue
            try:
                self.tick()
                sent = self.run_once()
            except Exception:  # a bug must not kill the worker silently
                log.exception("delivery worker error")
                sent = 0
            if sent:
                continue
            self._wake.wait(self._idle_wait())
            self._wake.clear()

    def _idle_wait(self) -> float:
        upcoming = self.store.next_delivery_time()
        wait = IDLE_POLL_SECONDS
        if upcoming is not None:
            wait = min(wait, max(0.0, upcoming - time.time()))
        return wait

    def run_once(self, limit: int = 100) -> int:
        """Send deliveries due now, one claim at a time (up to ``limit``); returns how many attempts were made."""
        made = 0
        while made < limit and not self._stop.is_set():
            delivery = self.store.claim_delivery(time.time(), self.lease_seconds, self.settings.delivery_max_attempts)
            if delivery is None:
                break
            self._attempt(delivery)
            made += 1
        return made

    def _attempt(self, delivery: Delivery) -> None:
        """Send one claimed attempt (its number already counted in the store) and record its answer."""
        attempt = delivery.attempts
        started = time.time()
        status_code, error, refused = None, None, False
        try:
            url = parse_callback_url(delivery.url).url
            headers = {"X-CCS-Mock-Delivery-Id": delivery.delivery_id, "X-CCS-Mock-Attempt": str(attempt)}
            if delivery.content_type:
                headers["Content-Type"] = delivery.content_type
            response = self._http.request(delivery.method, url,
                                          data=delivery.payload if delivery.method == "POST" else None,
                                          headers=headers, timeout=self.settings.delivery_timeout_seconds,
                                          allow_redirects=False, verify=self._verify)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except InvalidHangupUrl as exc:
            error, refused = f"url {exc.message}; not contacted", True
        except CallbackRefused as exc:
            error, refused = str(exc), True
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
        elapsed_ms = (time.time() - started) * 1000
        if error is None:
            outcome, status, next_attempt = "delivered", "delivered", 0.0
        elif refused:
            outcome, status, next_attempt = "refused", "failed", 0.0
        elif attempt >= self.settings.delivery_max_attempts:
            outcome, status, next_attempt = "failed", "failed", 0.0
        else:
            backoff = min(MAX_BACKOFF_SECONDS, self.settings.delivery_backoff_seconds * 2 ** (attempt - 1))
            outcome, status, next_attempt = "failed", "pending", time.time() + backoff
        self.store.record_attempt(delivery.delivery_id, AttemptResult(attempt, status_code, error, elapsed_ms, outcome,
                                                                      status, next_attempt))
        if error:
            log.info("delivery %s attempt %d: %s (%s)", delivery.delivery_id, attempt, error, status)
