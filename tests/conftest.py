"""Shared fixtures for the fake's own tests."""
from __future__ import annotations

import threading

import pytest

from mock_server import create_app

DEMO = "demo.callcenterstudio.com"
ACME = "acme.alo-tech.com"


@pytest.fixture(scope="session")
def browser():
    """Chromium, one for the whole run (Playwright's sync API drives one at a time in a thread), for the
    browser tests and the reliability suite; flags and path in ``tests.browser.conftest``."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_FLAGS, chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
def ccs(app):
    """The app's context: store, clock, backend."""
    return app.extensions["ccs"]


def token_of(ccs, host: str = DEMO) -> str:
    return ccs.store.list_app_tokens(host)[0]["token"]


def email_of(ccs, host: str = DEMO, index: int = 0) -> str:
    return ccs.store.list_users(host)[index]["email"]


def wait_until(predicate, timeout: float = 20.0):
    """Re-check a condition until it holds (bounded, no sleeping past it); returns its last value."""
    ticker = threading.Event()
    for _ in range(int(timeout / 0.02)):
        value = predicate()
        if value:
            return value
        ticker.wait(0.02)
    raise TimeoutError("condition not met in time")


@pytest.fixture(scope="module")
def netguard(tmp_path_factory):
    """For a module whose tests, were the code broken, could connect beyond loopback: every other connect fails
    before a packet leaves, and the module fails if anything even tried (tests/netguard)."""
    from tests.netguard.sitecustomize import install

    log = tmp_path_factory.mktemp("netguard") / "attempts.log"
    uninstall = install(str(log))
    yield log
    uninstall()
    assert not log.exists(), log.read_text()
