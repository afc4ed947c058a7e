"""The contract kit, run as a user runs it (``pytest contract_tests --ccs-base-url ...``), passes on the
fake and fails on each deliberately broken tenant, in the tests that should catch the bug."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mock_server import create_app
from mock_server.server import LiveServer
from tests.contract import broken_tenants

ROOT = Path(__file__).resolve().parents[2]


def run_contract_kit(app, tmp_path: Path) -> tuple[int, set[str], set[str], str]:
    """Run the kit against ``app`` served on loopback; returns (exit code, failed tests, passed tests, output)."""
    store = app.extensions["ccs"].store
    tenant = store.default_tenant()["host"]
    report = tmp_path / "report.xml"
    with LiveServer(app) as server:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-q", "-p", "no:cacheprovider",
             "--ccs-base-url", server.url, "--ccs-app-token", store.list_app_tokens(tenant)[0]["token"],
             "--ccs-email", store.list_users(tenant)[0]["email"], "--ccs-max-examples", "10",
             f"--junitxml={report}"],
            cwd=ROOT, capture_output=True, text=True, timeout=600)
    failed, passed = set(), set()
    for case in ET.parse(report).iter("testcase"):
        name = case.get("name").split("[")[0]
        (failed if case.find("failure") is not None or case.find("error") is not None else passed).add(name)
    return result.returncode, failed, passed - failed, result.stdout[-3000:]


def test_contract_kit_passes_against_a_fake_served_by_url(tmp_path: Path) -> None:
    code, failed, passed, output = run_contract_kit(create_app(), tmp_path)
    assert code == 0 and not failed, output
    assert "test_cursor_walk_yields_every_record_once_in_order" in passed


@pytest.mark.parametrize("broken", list(broken_tenants.EXPECTED), ids=lambda f: f.__name__)
def test_contract_kit_catches_broken_tenant(broken, tmp_path: Path) -> None:
    code, failed, _, output = run_contract_kit(broken(), tmp_path)
    assert code == 1, output
    missed = broken_tenants.EXPECTED[broken] - failed
    assert not missed, f"{broken.__name__}: these tests should have failed but did not: {missed}\n{output}"
