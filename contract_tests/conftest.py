"""Where the contract tests point: the in-process fake (default) or any tenant by URL."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from contract_tests.results import ResultsRecorder
from contract_tests.target import CALL_FUNCTIONS, Target, probe_fake


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ccs", "Call Center Studio contract tests")
    group.addoption("--ccs-base-url", default=os.environ.get("CCS_BASE_URL"),
                    help="Tenant to test, e.g. https://demo.callcenterstudio.com (env CCS_BASE_URL). "
                         "Default: an in-process fake.")
    group.addoption("--ccs-app-token", default=os.environ.get("CCS_APP_TOKEN"), help="env CCS_APP_TOKEN")
    group.addoption("--ccs-email", default=os.environ.get("CCS_EMAIL"), help="An agent's e-mail (env CCS_EMAIL).")
    group.addoption("--ccs-allow-calls", action="store_true", default=False,
                    help="Allow functions that place or change calls against a real tenant.")
    group.addoption("--ccs-max-examples", type=int, default=int(os.environ.get("CCS_MAX_EXAMPLES", "25")),
                    help="Generated examples per operation (default 25).")
    group.addoption("--ccs-phone-number", default=os.environ.get("CCS_PHONE_NUMBER"),
                    help="Number the call flow dials on a real tenant (with --ccs-allow-calls). "
                         "Default on the fake: a reserved number that answers.")
    group.addoption("--ccs-callback-url", default=os.environ.get("CCS_CALLBACK_URL"),
                    help="Public URL a real tenant can POST to, forwarding to the local receiver on "
                         "--ccs-callback-port. Default: the receiver's own loopback URL.")
    group.addoption("--ccs-callback-port", type=int, default=int(os.environ.get("CCS_CALLBACK_PORT", "0")),
                    help="Port of the local callback receiver (default: any free port).")
    group.addoption("--ccs-call-timeout", type=float, default=float(os.environ.get("CCS_CALL_TIMEOUT", "300")),
                    help="Seconds to wait for a real call's hangup POST (default 300).")
    group.addoption("--ccs-results", default=None,
                    help="Write each test's outcome, evidence and fidelity ids as JSON here (ccs-mock check).")
    group.addoption("--ccs-cdr-window", default=os.environ.get("CCS_CDR_WINDOW"),
                    help="'START,FINISH' (YYYY-MM-DD HH:MM:SS) for the cursor walk on a real tenant; "
                         "default: the 24 hours before the tenant's fake clock, or before now.")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "places_calls: places a real call; needs --ccs-allow-calls on a real tenant")
    config.addinivalue_line("markers", "fidelity(*ids): the operations and x-fidelity assumption ids a test exercises")
    if config.getoption("--ccs-results"):
        config.pluginmanager.register(ResultsRecorder(config.getoption("--ccs-results")), "ccs-results")
    settings.register_profile("ccs-contract", max_examples=config.getoption("--ccs-max-examples"), deadline=None,
                              suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    settings.load_profile("ccs-contract")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Against a real tenant, functions that place or change calls are not run without --ccs-allow-calls."""
    base_url = config.getoption("--ccs-base-url")
    if not base_url or config.getoption("--ccs-allow-calls") or probe_fake(base_url.rstrip("/")):
        return
    calls = [item for item in items if item.get_closest_marker("places_calls")
             or any(f"function={name}]" in item.name for name in CALL_FUNCTIONS)]
    if calls:
        config.hook.pytest_deselected(items=calls)
        items[:] = [item for item in items if item not in calls]
        config.issue_config_time_warning(pytest.PytestWarning(
            f"{len(calls)} call-placing operations not run against {base_url}: pass --ccs-allow-calls to run them"),
            stacklevel=2)


@pytest.fixture(scope="session")
def ccs(request: pytest.FixtureRequest) -> Target:
    """The tenant under test."""
    base_url = request.config.getoption("--ccs-base-url")
    if base_url:
        token, email = request.config.getoption("--ccs-app-token"), request.config.getoption("--ccs-email")
        if not token or not email:
            raise pytest.UsageError("--ccs-base-url needs --ccs-app-token and --ccs-email (or CCS_APP_TOKEN, CCS_EMAIL)")
        is_fake = probe_fake(base_url.rstrip("/"))
        yield Target(base_url.rstrip("/"), token, email, is_fake,
                     allow_calls=is_fake or request.config.getoption("--ccs-allow-calls"))
        return
    from mock_server import create_app
    from mock_server.server import LiveServer

    app = create_app()
    store = app.extensions["ccs"].store
    tenant = store.default_tenant()["host"]
    with LiveServer(app) as server:
        yield Target(server.url, store.list_app_tokens(tenant)[0]["token"], store.list_users(tenant)[0]["email"],
                     is_fake=True, allow_calls=True)
