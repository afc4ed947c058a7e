"""`ccs-mock check`: the report on a healthy fake (a separate process) and on a drifted one."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.contract.mutants import BY_NAME, ProxiedFake
from tests.served import Served

DEMO_EMAIL = "ayse.yilmaz@demo.example"


def check(base_url: str, app_token: str, report: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mock_server.cli", "check", "--base-url", base_url, "--email",
                           DEMO_EMAIL, "--report", str(report), "--ccs-max-examples", "5"], cwd=cwd,
                          env=dict(os.environ, CCS_APP_TOKEN=app_token), capture_output=True, text=True, timeout=900)


def findings(report: Path) -> dict[str, dict]:
    return {f["id"]: f for f in json.loads(report.with_suffix(".json").read_text())["findings"]}


def test_check_confirms_a_healthy_fake_started_as_a_separate_process(tmp_path: Path) -> None:
    served = Served("--db", ":memory:")
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    try:
        token = [line.split()[1] for line in served.lines if line.strip().startswith("app_token:")][0]
        result = check(served.url, token, tmp_path / "report.md", workdir)
    finally:
        served.stop()
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


def test_check_reports_a_drift_with_its_evidence(tmp_path: Path) -> None:
    fake = ProxiedFake()
    try:
        result = check(fake.front(BY_NAME["login_session_renamed"]), fake.app_token, tmp_path / "report.md", tmp_path)
    finally:
        fake.close()
    assert result.returncode == 1, result.stdout + result.stderr
    found = findings(tmp_path / "report.md")
    assert found["login.bodies"]["status"] == "contradicted"
    assert any("session" in evidence for evidence in found["login.bodies"]["evidence"])
    assert found["reportsAgentPerf"]["status"] == "confirmed"
    text = (tmp_path / "report.md").read_text()
    assert "## Evidence" in text and "contradicted: login.bodies" in result.stdout
    assert fake.app_token not in text and "ahRz" not in text, "keys are masked in the evidence"
