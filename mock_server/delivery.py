"""Sends the outbox: hangup POSTs and IVR notification GETs, with retries.

The domain only appends to the outbox (a table in the store, so nothing is lost when a
file-backed fake restarts). One worker thread per app claims due deliveries, sends them
with a per-attempt timeout, and records every attempt. Policy (assumed; facts §3.6 are
silent): a 2xx ends a delivery; anything else (5xx, 4xx, refused connection, timeout) is
retried after ``delivery_backoff_seconds * 2**(attempt-1)`` (at most 60 s) until
``delivery_max_attempts``. Every attempt carries the same ``X-CCS-Mock-Delivery-Id`` so a
receiver can de-duplicate. Only hosts on ``allowed_callback_hosts`` are ever contacted.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from typing import Callable
from urllib.parse import urlsplit

import requests

from mock_server.settings import Settings
from mock_server.store import Store

log = logging.getLogger("ccs_mock.delivery")
MAX_BACKOFF_SECONDS = 60.0
IDLE_POLL_SECONDS = 0.2  # how often a system clock's calls are advanced while nothing else happens
STANDBY_POLL_SECONDS = 1.0  # a process without the delivery lock retries taking it this often


class DeliveryWorker:
    def __init__(self, store: Store, settings: Settings, tick: Callable[[], int]):
        self.store, self.settings, self.tick = store, settings, tick
        self._allowed = {host.lower() for host in settings.allowed_callback_hosts}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_file = None
        self._http = requests.Session()
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

    @property
    def running(self) -> bool:
        return self._thread is not None

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
        """Send every delivery due now (up to ``limit``); returns how many attempts were made."""
        rows = self.store.claim_deliveries(time.time(), self.settings.delivery_timeout_seconds + 5, limit)
        for row in rows:
            self._attempt(row)
        return len(rows)

    def _attempt(self, row) -> None:
        attempt = row["attempts"] + 1
        started = time.time()
        status_code, error = None, None
        host = (urlsplit(row["url"]).hostname or "").lower()
        if host not in self._allowed:
            error = f"host {host!r} is not on allowed_callback_hosts; not contacted"
        else:
            try:
                headers = {"X-CCS-Mock-Delivery-Id": row["delivery_id"], "X-CCS-Mock-Attempt": str(attempt)}
                if row["content_type"]:
                    headers["Content-Type"] = row["content_type"]
                response = self._http.request(row["method"], row["url"],
                                              data=row["payload"] if row["method"] == "POST" else None,
                                              headers=headers, timeout=self.settings.delivery_timeout_seconds,
                                              allow_redirects=False, verify=self._verify)
                status_code = response.status_code
                if not 200 <= status_code < 300:
                    error = f"HTTP {status_code}"
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {str(exc)[:200]}"
        elapsed_ms = (time.time() - started) * 1000
        if error is None:
            status, next_attempt = "delivered", 0.0
        elif attempt >= self.settings.delivery_max_attempts or host not in self._allowed:
            status, next_attempt = "failed", 0.0
        else:
            backoff = min(MAX_BACKOFF_SECONDS, self.settings.delivery_backoff_seconds * 2 ** (attempt - 1))
            status, next_attempt = "pending", time.time() + backoff
        self.store.record_attempt(row["delivery_id"], attempt, started, status_code, error, elapsed_ms, status,
                                  next_attempt)
        if error:
            log.info("delivery %s attempt %d: %s (%s)", row["delivery_id"], attempt, error, status)
