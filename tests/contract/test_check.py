"""`ccs-mock check`: the report on a healthy fake (a separate process) and on a drifted one."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.mutants import BY_NAME, ProxiedFake, kit_selection, run_kit
from tests.served import Served

pytestmark = pytest.mark.slow


def check(base_url: str, app_token: str, email: str, report: Path, cwd: Path,
          *kit_args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mock_server.cli", "check", "--base-url", base_url, "--email", email,
                           "--report", str(report), "--ccs-max-examples", "5", *kit_args], cwd=cwd,
                          env=dict(os.environ, CCS_APP_TOKEN=app_token), capture_output=True, text=True, timeout=900)


def findings(report: Path) -> dict[str, dict]:
    return {f["id"]: f for f in json.loads(report.with_suffix(".json").read_text())["findings"]}


def test_check_confirms_a_healthy_fake_and_the_kit_passes_it_again_through_a_slow_front_end(
        served_fake: Served, proxied_fake: ProxiedFake, tmp_path: Path) -> None:
    """The whole kit twice in a row on the session's served fake (a separate process): ``ccs-mock check`` confirms
    every claim it exercised; then the kit passes again, through a front end that is slow and answers 405/501 to
    methods the spec does not declare (the healthy mutant ``healthy_slow``)."""
    token, email = served_fake.app_token, served_fake.agents[0]
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    result = check(served_fake.url, token, email, tmp_path / "report.md", workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    found = findings(tmp_path / "report.md")
    assert found["login"]["status"] == found["reportsCDRLogs"]["status"] == "confirmed"
    for claim in ("login.bodies", "session.relogin-signal", "cdr.cursor-walk", "cdr.end-condition", "hangup.form",
                  "cdr.record-fields", "transport.json"):
        assert found[claim]["status"] == "confirmed", (claim, found[claim])
    assert found["hangup.retries"]["status"] == "not exercised"
    assert all(test.startswith("contract_tests/") and ".." not in test for f in found.values() for test in f["tests"])
    assert "0 contradicted" in result.stdout
    assert list(workdir.iterdir()) == [], "check writes nothing where it runs but the report"
    for path in (tmp_path / "report.md", tmp_path / "report.json"):
        assert token not in path.read_text(), "the app token must not reach the report"

    again = run_kit(proxied_fake.front(BY_NAME["healthy_slow"]), token, email, tmp_path, "again", max_examples=5)
    assert again.caught(BY_NAME["healthy_slow"]), again.output
    assert again.failed_tests == [] and again.requests > 100


def test_check_reports_a_drift_with_its_evidence(proxied_fake: ProxiedFake, tmp_path: Path) -> None:
    """The kit tests that name the broken claim (``kit_selection``) are enough to catch it; the report says so."""
    mutant = BY_NAME["login_session_renamed"]
    result = check(proxied_fake.front(mutant), proxied_fake.app_token, proxied_fake.email, tmp_path / "report.md",
                   tmp_path, *kit_selection(mutant))
    assert result.returncode == 1, result.stdout + result.stderr
    found = findings(tmp_path / "report.md")
    assert found["login.bodies"]["status"] == "contradicted"
    assert any("session" in evidence for evidence in found["login.bodies"]["evidence"])
    assert found["reportsAgentPerf"]["status"] == "confirmed"
    text = (tmp_path / "report.md").read_text()
    assert "## Evidence" in text and "contradicted: login.bodies" in result.stdout
    assert proxied_fake.app_token not in text and "ahRz" not in text, "keys are masked in the evidence"
