"""Shared fixtures for the fake's own tests, the ``slow`` marker of whole folders and files, and the reliability
fuzz's summary (here, not in tests/reliability: under pytest-xdist the controller, which prints it, loads only
this conftest)."""
from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from mock_server import create_app
from tests.reliability import COUNTS_KEY

DEMO = "demo.callcenterstudio.com"
ACME = "acme.alo-tech.com"
TESTS = Path(__file__).resolve().parent
# Where every test is slow: it starts processes, servers on sockets or Chromium, runs the contract kit (the kit's
# own tests, against an in-process fake) or runs cases generated from a spec. tests/contract, tests/http and
# tests/plugin mark their other slow tests one by one.
SLOW_PATHS = (TESTS / "browser", TESTS / "process", TESTS / "reliability", TESTS / "http" / "test_schemathesis_wsgi.py",
              TESTS.parent / "contract_tests")


def pytest_configure(config: pytest.Config) -> None:
    """The quick loop, ``pytest -m "not slow"``, does not even collect SLOW_PATHS (collecting the kit and the
    fuzzes builds every generated case), as if each were given to ``--ignore-glob``."""
    if " ".join(config.option.markexpr.split()) == "not slow":
        config.option.ignore_glob = [*(config.option.ignore_glob or []),
                                     *(str(path / part) for path in SLOW_PATHS for part in ("", "*"))]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path.resolve()
        if any(slow == path or slow in path.parents for slow in SLOW_PATHS):
            item.add_marker(pytest.mark.slow)


WORKER_COUNTS = "ccs_fuzz_counts"  # pytest-xdist: where a worker hands its fuzz counts to the controller


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker: send this worker's fuzz counts to the controller."""
    counts = session.config.stash.get(COUNTS_KEY, None)
    if counts and hasattr(session.config, "workeroutput"):
        session.config.workeroutput[WORKER_COUNTS] = dict(counts)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """pytest-xdist, in the controller: a worker is done; add its fuzz counts to the run's."""
    counts = getattr(node, "workeroutput", {}).get(WORKER_COUNTS)
    if counts:
        node.config.stash.setdefault(COUNTS_KEY, Counter()).update(counts)


def pytest_terminal_summary(terminalreporter, config) -> None:
    """The reliability fuzz's counts per spec (requests sent, 5xx answers), for the record."""
    counts = config.stash.get(COUNTS_KEY, None)
    if counts:
        terminalreporter.section("reliability fuzz")
        for spec in sorted({key.split()[0] for key in counts}):
            terminalreporter.write_line(f"{spec}: {counts[spec + ' requests']} requests, {counts[spec + ' 5xx']} 5xx")


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
