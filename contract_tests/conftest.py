"""Where the contract tests point (the in-process fake by default, any tenant by URL), how politely, and
how strictly assumptions are held."""
from __future__ import annotations

import os
import tempfile
from datetime import datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

from contract_tests.claims import PROPERTY, Claims
from contract_tests.conformance import kit_spec
from contract_tests.records import RecordMap, discover
from contract_tests.results import ResultsRecorder
from contract_tests.target import CALL_FUNCTIONS, PoliteSession, Target, probe_fake

REAL_TENANT_BUDGET = 1200  # requests per run; a default run sends about 820, GET and POST cases (see the README)
REAL_TENANT_RATE = 5.0  # requests per second


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ccs", "Call Center Studio contract tests")
    group.addoption("--ccs-base-url", default=os.environ.get("CCS_BASE_URL"),
                    help="Tenant to test, e.g. https://demo.callcenterstudio.com (env CCS_BASE_URL). "
                         "Default: an in-process fake.")
    group.addoption("--ccs-app-token", default=os.environ.get("CCS_APP_TOKEN"), help="env CCS_APP_TOKEN")
    group.addoption("--ccs-email", default=os.environ.get("CCS_EMAIL"), help="An agent's e-mail (env CCS_EMAIL).")
    group.addoption("--ccs-allow-calls", action="store_true", default=False,
                    help="Allow functions that place or change calls against a real tenant.")
    group.addoption("--ccs-strict", choices=("auto", "yes", "no"), default=os.environ.get("CCS_STRICT", "auto"),
                    help="Fail on contradicted assumptions too. auto (default): yes against a ccs-mock fake, "
                         "no against any other tenant (contradicted assumptions are then reported, not failed).")
    group.addoption("--ccs-max-requests", type=int, default=None,
                    help=f"Request budget of the run (default {REAL_TENANT_BUDGET} against a real tenant, "
                         "none against a fake); the run fails clearly when it is used up.")
    group.addoption("--ccs-rate", type=float, default=None,
                    help=f"Requests per second at most (default {REAL_TENANT_RATE:g} against a real tenant, "
                         "unlimited against a fake).")
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
                    help="Write each test's outcome, evidence and claims as JSON here (ccs-mock check).")
    group.addoption("--ccs-cdr-window", default=os.environ.get("CCS_CDR_WINDOW"),
                    help="'START,FINISH' (YYYY-MM-DD HH:MM:SS): the window the record checks use; default: "
                         "found by probing the tenant.")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "places_calls: places a real call; needs --ccs-allow-calls on a real tenant")
    config.addinivalue_line("markers", "fidelity(*ids): the operations and claim ids of the spec a test checks")
    if config.getoption("--ccs-results"):
        config.pluginmanager.register(ResultsRecorder(config.getoption("--ccs-results")), "ccs-results")
    if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):  # hypothesis' caches: not in the user's folder
        config._ccs_storage = tempfile.TemporaryDirectory(prefix="ccs-kit-hypothesis-")
        set_hypothesis_home_dir(config._ccs_storage.name)
    settings.register_profile("ccs-contract", max_examples=config.getoption("--ccs-max-examples"), deadline=None,
                              suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    settings.load_profile("ccs-contract")


def pytest_unconfigure(config: pytest.Config) -> None:
    storage = getattr(config, "_ccs_storage", None)
    if storage is not None:
        set_hypothesis_home_dir(None)
        storage.cleanup()


def _is_fake(config: pytest.Config) -> bool:
    base_url = config.getoption("--ccs-base-url")
    if not base_url:
        return True
    if not hasattr(config, "_ccs_is_fake"):
        config._ccs_is_fake = probe_fake(base_url.rstrip("/"))
    return config._ccs_is_fake


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Against a real tenant, functions that place or change calls are not run without --ccs-allow-calls."""
    if config.getoption("--ccs-allow-calls") or _is_fake(config):
        return
    calls = [item for item in items if item.get_closest_marker("places_calls")
             or any(f"function={name}]" in item.name for name in CALL_FUNCTIONS)]
    if calls:
        config.hook.pytest_deselected(items=calls)
        items[:] = [item for item in items if item not in calls]
        config.issue_config_time_warning(pytest.PytestWarning(
            f"{len(calls)} call-placing operations not run against {config.getoption('--ccs-base-url')}: "
            "pass --ccs-allow-calls to run them"), stacklevel=2)


@pytest.fixture(scope="session")
def ccs(request: pytest.FixtureRequest) -> Target:
    """The tenant under test."""
    config = request.config
    base_url = config.getoption("--ccs-base-url")
    is_fake = _is_fake(config)
    strict = {"yes": True, "no": False, "auto": is_fake}[config.getoption("--ccs-strict")]
    budget = config.getoption("--ccs-max-requests")
    rate = config.getoption("--ccs-rate")
    allow_calls = is_fake or config.getoption("--ccs-allow-calls")
    http = PoliteSession(budget if budget is not None or is_fake else REAL_TENANT_BUDGET,
                         rate if rate is not None or is_fake else REAL_TENANT_RATE,
                         frozenset() if allow_calls else CALL_FUNCTIONS)
    spec = kit_spec()
    config._ccs_http = http
    if base_url:
        token, email = config.getoption("--ccs-app-token"), config.getoption("--ccs-email")
        if not token or not email:
            raise pytest.UsageError("--ccs-base-url needs --ccs-app-token and --ccs-email (or CCS_APP_TOKEN, CCS_EMAIL)")
        config._ccs_target = base_url
        yield Target(base_url.rstrip("/"), token, email, is_fake, allow_calls, spec, http, Claims(spec, strict))
        return
    from mock_server import create_app
    from mock_server.runtime.server import LiveServer

    app = create_app()
    store = app.extensions["ccs"].store
    tenant = store.default_tenant()["host"]
    with LiveServer(app) as server:
        config._ccs_target = f"{server.url} (in-process fake)"
        yield Target(server.url, store.list_app_tokens(tenant)[0]["token"], store.list_users(tenant)[0]["email"],
                     True, True, spec, http, Claims(spec, strict))


@pytest.fixture(autouse=True)
def _claims_of_this_test(request: pytest.FixtureRequest) -> None:
    """Each test's checks are recorded on the test itself."""
    if "ccs" not in request.fixturenames:
        return
    ccs: Target = request.getfixturevalue("ccs")
    ccs.claims = Claims(ccs.spec, ccs.claims.strict, request.node)


@pytest.fixture(scope="session")
def records(ccs: Target, request: pytest.FixtureRequest) -> RecordMap:
    """Where the tenant has call records (probed once per run; its answers are checked like any other)."""
    during_test, ccs.claims = ccs.claims, Claims(ccs.spec, ccs.claims.strict)
    request.config._ccs_discovery = ccs.claims
    try:
        return discover(ccs, datetime.now(), request.config.getoption("--ccs-cdr-window"))
    finally:
        ccs.claims = during_test


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    http = getattr(config, "_ccs_http", None)
    if http is None:
        return
    limits = (f"budget {http.max_requests}" if http.max_requests is not None else "no budget") + \
        (f", at most {http.rate:g}/s" if http.rate else ", no rate limit")
    terminalreporter.write_line(f"ccs: {http.sent} requests sent to {getattr(config, '_ccs_target', '?')} ({limits})")
    contradicted = {}
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, record in getattr(report, "user_properties", []):
            if name == PROPERTY and record["outcome"] == "contradicted" and record["level"] == "assumed":
                contradicted.setdefault(record["id"], record["message"])
    for claim, message in sorted(contradicted.items()):
        terminalreporter.write_line(f"ccs: assumption contradicted: {claim}: {message[:200]}")
