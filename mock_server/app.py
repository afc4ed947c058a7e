"""``create_app(settings)``: the composition root. It assembles spec, store, clock, domain and runtime
pieces into one ``CcsContext`` and hands it to the HTTP layer (``mock_server.http.app``)."""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from mock_server.domain.backend import Backend, BackendOptions
from mock_server.domain.callback_urls import CallbackHosts
from mock_server.domain.calls import CallTimings
from mock_server.domain.clock import Clock, ManualClock, format_datetime, parse_datetime
from mock_server.domain.ids import IdGenerator
from mock_server.domain.vendor_functions import marked
from mock_server.resources import fixture_path, spec_path
from mock_server.runtime.changes import ChangeSignal
from mock_server.runtime.clocks import SharedClock, SystemClock
from mock_server.runtime.delivery import DeliveryWorker
from mock_server.seed import Fixtures, seed_store
from mock_server.settings import Settings
from mock_server.spec import Spec, VendorCall
from mock_server.storage.store import SCHEMA_VERSION, Store
from mock_server.tools.replay import Replay

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("ccs_mock")


@dataclass
class CcsContext:
    """Everything one fake owns; lives in ``app.extensions["ccs"]`` (no module-level state)."""

    settings: Settings
    spec: Spec
    functions: dict[str, VendorCall]  # operationId -> the Backend method that serves it
    fixtures: Fixtures
    seed: int
    clock: Clock
    store: Store
    pristine: Store
    backend: Backend
    delivery: DeliveryWorker
    signal: ChangeSignal
    replay: Replay

    def reset(self) -> None:
        """Back to the seeded state: data, sessions, journal and clock."""
        self.store.restore(self.pristine)
        self.clock.reset()

    def changed(self) -> None:
        """State may have changed (a request was served, the clock moved): wake the delivery worker and the
        softphone event streams."""
        self.delivery.wake()
        self.signal.notify()

    def clock_now_text(self) -> str:
        return format_datetime(self.clock.now())


def build_context(settings: Settings, progress: Callable[[int], None] | None = None,
                  spec_file: Path | None = None) -> CcsContext:
    spec = Spec.load(spec_file or spec_path())
    functions = spec.vendor_calls(marked(Backend))  # SpecMismatch: the spec and the domain disagree
    fixtures = Fixtures.load(fixture_path(settings.fixtures))
    seed = fixtures.seed if settings.seed is None else settings.seed
    start = parse_datetime(settings.clock_start) if settings.clock_start else None
    if settings.clock == "manual":
        clock: Clock = ManualClock(start or fixtures.start)
    elif settings.clock == "system":
        clock = SystemClock(start, settings.clock_speed, fixtures.utc_offset_minutes)
    else:
        raise ValueError(f"clock must be 'manual' or 'system', not {settings.clock!r}")

    pristine = Store(":memory:")
    seed_store(pristine, fixtures, IdGenerator(seed, pristine.allocate, settings.app_id), clock.now(), progress)
    marker = f"{SCHEMA_VERSION}:{fixtures.digest()}:{seed}"
    pristine.set_meta("seeded", marker)
    store = Store(settings.db)
    if store.get_meta("seeded") == marker:
        log.info("keeping the state already in %s (same fixtures and seed)", settings.db)
    else:
        store.restore(pristine)
    if settings.db != ":memory:" and not settings.clock_shared:
        settings = dataclasses.replace(settings, clock_shared=True)  # a file keeps the clock across restarts
    if settings.clock_shared:
        clock = SharedClock(store, clock)
    ids = IdGenerator(seed, store.allocate, settings.app_id)
    timings = CallTimings((settings.ring_seconds_min, settings.ring_seconds_max),
                          (settings.talk_seconds_min, settings.talk_seconds_max), settings.ivr_seconds,
                          CallbackHosts.parse(settings.allowed_callback_hosts))
    backend = Backend(store, clock, ids, BackendOptions(
        settings.session_lifetime_seconds, settings.max_sessions_per_user, settings.login_session_token_alias,
        timings, settings.journal_max_rows))
    signal = ChangeSignal()

    def tick() -> int:  # the delivery worker's loop moves a system clock's calls; streams hear of it
        done = backend.tick()
        if done:
            signal.notify()
        return done

    delivery = DeliveryWorker(store, settings, tick)
    replay = Replay(Path(settings.replay_dir) if settings.replay_dir else None)
    return CcsContext(settings, spec, functions, fixtures, seed, clock, store, pristine, backend, delivery, signal,
                      replay)


def create_app(settings: Settings | None = None, *, progress: Callable[[int], None] | None = None,
               spec_file: Path | None = None, **overrides) -> Flask:
    """A fresh fake. ``overrides`` are Settings fields (``create_app(clock="system")``); ``spec_file`` replaces
    the bundled ``openapi/ccs.yaml`` (a test's edited copy)."""
    if settings is None:
        settings = Settings.load(**overrides)
    elif overrides:
        settings = dataclasses.replace(settings, **overrides)
    from mock_server.http.app import flask_app

    return flask_app(build_context(settings, progress, spec_file))
