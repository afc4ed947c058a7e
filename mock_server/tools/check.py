"""``ccs-mock check``: run the contract kit against a tenant and report, per operation and per claim of
the spec (confirmed, seen in client or assumed), whether the tenant confirmed it, contradicted it, or
was not asked.

The kit runs in a subprocess (secrets passed through the environment, not the command line), in a
temporary folder (it writes nothing where it is installed or where it is run), and writes each test's
outcome and claim checks with ``--ccs-results``. A claim is *contradicted* when a check of it failed
(or a test naming it failed without saying which claim), *confirmed* when its checks held, and *not
exercised* otherwise. App tokens and session keys never reach the report.
"""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import contract_tests
from mock_server.masking import mask, mask_secret_keys
from mock_server.spec import Spec

STATUSES = ("contradicted", "confirmed", "not exercised")


@dataclass
class Finding:
    id: str
    kind: str  # "operation" or "claim"
    level: str  # the spec's x-fidelity level
    claim: str
    status: str = "not exercised"
    tests: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


class KitMissing(RuntimeError):
    """The contract kit's own dependencies are not installed."""


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def require_kit(who: str) -> None:
    """Raise ``KitMissing`` (saying what to install) unless the kit's own dependencies import."""
    missing = [name for name in ("pytest", "schemathesis") if not _importable(name)]
    if missing:
        raise KitMissing(f"{who} the contract kit, which needs {' and '.join(missing)}: "
                         "pip install 'ccs-mock[check]' (from a clone: pip install -e '.[check]')")


def run_kit(base_url: str, app_token: str, email: str, results: Path, extra: list[str]) -> subprocess.CompletedProcess:
    require_kit("ccs-mock check runs")
    folder = results.parent
    env = dict(os.environ, CCS_BASE_URL=base_url, CCS_APP_TOKEN=app_token, CCS_EMAIL=email,
               HYPOTHESIS_STORAGE_DIRECTORY=str(folder / "hypothesis"))
    kit = Path(contract_tests.__file__).resolve().parent
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # no user config, rootdir here
    return subprocess.run([sys.executable, "-m", "pytest", str(kit), "-q", "-p", "no:cacheprovider",
                           "-c", str(folder / "pytest.ini"), f"--rootdir={folder}", f"--ccs-results={results}",
                           *extra], cwd=folder, env=env, capture_output=True, text=True, timeout=3600)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, mask(secret))
    return mask_secret_keys(text)


def findings_from(records: list[dict], spec: Spec, secrets: list[str]) -> list[Finding]:
    findings: dict[str, Finding] = {}
    for name in spec.operations:
        _, _, raw = spec.operation(name)
        tag = raw.get("x-fidelity", {})
        findings[name] = Finding(name, "operation", tag.get("level", ""), raw.get("summary", ""))
    for _, tag in spec.fidelity():  # every claim, wherever it stands (transport, callbacks, webhooks)
        for item in tag.get("claims", []):
            findings.setdefault(item["id"], Finding(item["id"], "claim", item["level"], item["claim"]))

    def mark(ident: str, test: str, status: str, evidence: str = "") -> None:
        finding = findings.get(ident)
        if finding is None:
            return
        if test not in finding.tests:
            finding.tests.append(test)
        if status == "contradicted":
            finding.status = "contradicted"
            if evidence:
                finding.evidence.append(redact(f"{test}:\n{evidence}", secrets))
        elif status == "confirmed" and finding.status != "contradicted":
            finding.status = "confirmed"

    for record in records:
        if record["outcome"] in ("deselected", "not run", "skipped"):
            continue
        claims = record.get("claims", [])
        for claim in claims:
            mark(claim["id"], record["test"], claim["outcome"], claim["message"])
        said = any(c["outcome"] == "contradicted" for c in claims)
        for ident in record["ids"]:
            if record["outcome"] == "failed" and not said:  # failed without naming a claim: all it names
                mark(ident, record["test"], "contradicted", record["evidence"])
            elif record["outcome"] == "passed" and ident in spec.operations:
                mark(ident, record["test"], "confirmed")
    return sorted(findings.values(), key=lambda f: (STATUSES.index(f.status), f.kind != "operation", f.id))


def markdown(findings: list[Finding], base_url: str, exit_code: int) -> str:
    counts = {status: sum(1 for f in findings if f.status == status) for status in STATUSES}
    assumed = sum(1 for f in findings if f.status == "contradicted" and f.level == "assumed")
    lines = [f"# ccs-mock check: {base_url}", "",
             f"{counts['confirmed']} confirmed, {counts['contradicted']} contradicted ({assumed} of them assumptions), "
             f"{counts['not exercised']} not exercised (contract kit exit code {exit_code}).", "",
             "A contradicted **confirmed** or **seen-in-client** claim means the tenant differs from what the vendor "
             "documents or real clients rely on; a contradicted **assumed** one means the fake guessed wrong there.", "",
             "| what | kind | spec says | tenant | tests |", "|---|---|---|---|---|"]
    for f in findings:
        tests = ", ".join(sorted({t.split("::")[-1].split("[")[0] for t in f.tests})) or "-"
        lines.append(f"| `{f.id}` | {f.kind} | {f.level} | **{f.status}** | {tests} |")
    contradicted = [f for f in findings if f.status == "contradicted"]
    if contradicted:
        lines += ["", "## Evidence"]
        for f in contradicted:
            lines += ["", f"### `{f.id}` ({f.kind}, {f.level}): {f.claim}", ""]
            for item in f.evidence:
                lines += ["```", item.strip()[-2500:], "```"]
    return "\n".join(lines) + "\n"


def check(base_url: str, app_token: str, email: str, report: Path, extra: list[str]) -> tuple[int, list[Finding]]:
    """Run the kit, write ``report`` (Markdown) and ``report`` with ``.json``; returns (exit code, findings).
    The exit code is the kit's: 1 when a confirmed or seen-in-client claim is contradicted (or, in strict
    mode, an assumed one), 0 otherwise; contradicted assumptions are in the report either way."""
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.json"
        result = run_kit(base_url, app_token, email, results, extra)
        if not results.exists():
            raise RuntimeError("the contract kit did not run:\n" + redact(result.stdout[-3000:] + result.stderr[-3000:],
                                                                           [app_token]))
        records = json.loads(results.read_text(encoding="utf-8"))
    findings = findings_from(records, Spec.bundled(), [app_token])
    report.write_text(markdown(findings, base_url, result.returncode), encoding="utf-8")
    report.with_suffix(".json").write_text(json.dumps(
        {"base_url": base_url, "kit_exit_code": result.returncode,
         "findings": [f.__dict__ for f in findings]}, indent=2, ensure_ascii=False), encoding="utf-8")
    return (0 if result.returncode == 0 else 1), findings
