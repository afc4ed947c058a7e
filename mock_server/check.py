"""``ccs-mock check``: run the contract kit against a tenant and report, per operation and per
``x-fidelity`` assumption, whether the tenant confirmed it, contradicted it, or was not asked.

The kit runs in a subprocess (secrets passed through the environment, not the command line) and
writes each test's outcome with ``--ccs-results``; a test's ``@pytest.mark.fidelity`` ids say what it
exercises. An id is *contradicted* when any of its tests failed, *confirmed* when its tests passed,
and *not exercised* otherwise. App tokens and session keys never reach the report.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import contract_tests
from mock_server.masking import mask, mask_secret_keys
from mock_server.resources import spec_path
from mock_server.spec import Spec

STATUSES = ("contradicted", "confirmed", "not exercised")


@dataclass
class Finding:
    id: str
    kind: str  # "operation" or "assumption"
    level: str  # the spec's x-fidelity level
    claim: str
    status: str = "not exercised"
    tests: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def run_kit(base_url: str, app_token: str, email: str, results: Path, extra: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, CCS_BASE_URL=base_url, CCS_APP_TOKEN=app_token, CCS_EMAIL=email)
    kit = Path(contract_tests.__file__).resolve().parent
    return subprocess.run([sys.executable, "-m", "pytest", str(kit), "-q", "-p", "no:cacheprovider",
                           f"--ccs-results={results}", *extra], cwd=kit.parent, env=env, capture_output=True,
                          text=True, timeout=3600)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, mask(secret))
    return mask_secret_keys(text)


def findings_from(records: list[dict], spec: Spec, secrets: list[str]) -> list[Finding]:
    findings: dict[str, Finding] = {}
    for name in spec.operations:
        raw = _raw_operation(spec, name)
        tag = raw.get("x-fidelity", {})
        findings[name] = Finding(name, "operation", tag.get("level", ""), raw.get("summary", ""))
    for _, tag in spec.fidelity():  # every assumption, wherever it stands (transport, callbacks, webhooks)
        for item in tag.get("assumptions", []):
            findings.setdefault(item["id"], Finding(item["id"], "assumption", item["level"], item["claim"]))
    for record in records:
        for ident in record["ids"]:
            finding = findings.get(ident)
            if finding is None or record["outcome"] in ("deselected", "not run", "skipped"):
                continue
            finding.tests.append(record["test"])
            if record["outcome"] == "failed":
                finding.status = "contradicted"
                finding.evidence.append(redact(f"{record['test']}:\n{record['evidence']}", secrets))
            elif finding.status != "contradicted":
                finding.status = "confirmed"
    return sorted(findings.values(), key=lambda f: (STATUSES.index(f.status), f.kind != "operation", f.id))


def _raw_operation(spec: Spec, name: str) -> dict:
    for item in spec.document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == name:
                return operation
    return {}


def markdown(findings: list[Finding], base_url: str, exit_code: int) -> str:
    counts = {status: sum(1 for f in findings if f.status == status) for status in STATUSES}
    lines = [f"# ccs-mock check: {base_url}", "",
             f"{counts['confirmed']} confirmed, {counts['contradicted']} contradicted, "
             f"{counts['not exercised']} not exercised (contract kit exit code {exit_code}).", "",
             "| what | kind | spec says | tenant | tests |", "|---|---|---|---|---|"]
    for f in findings:
        lines.append(f"| `{f.id}` | {f.kind} | {f.level} | **{f.status}** | {len(f.tests)} |")
    contradicted = [f for f in findings if f.status == "contradicted"]
    if contradicted:
        lines += ["", "## Evidence"]
        for f in contradicted:
            lines += ["", f"### `{f.id}` ({f.kind}, {f.level}): {f.claim}", ""]
            for item in f.evidence:
                lines += ["```", item.strip()[-2500:], "```"]
    return "\n".join(lines) + "\n"


def check(base_url: str, app_token: str, email: str, report: Path, extra: list[str]) -> tuple[int, list[Finding]]:
    """Run the kit, write ``report`` (Markdown) and ``report`` with ``.json``; returns (exit code, findings)."""
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.json"
        result = run_kit(base_url, app_token, email, results, extra)
        if not results.exists():
            raise RuntimeError("the contract kit did not run:\n" + redact(result.stdout[-3000:] + result.stderr[-3000:],
                                                                           [app_token]))
        records = json.loads(results.read_text(encoding="utf-8"))
    findings = findings_from(records, Spec(spec_path()), [app_token])
    report.write_text(markdown(findings, base_url, result.returncode), encoding="utf-8")
    report.with_suffix(".json").write_text(json.dumps(
        {"base_url": base_url, "kit_exit_code": result.returncode,
         "findings": [f.__dict__ for f in findings]}, indent=2, ensure_ascii=False), encoding="utf-8")
    return (1 if any(f.status == "contradicted" for f in findings) else 0), findings
