"""Records what the contract kit found, test by test and claim by claim, for ``ccs-mock check``
(``--ccs-results PATH``).

Each test's record names the operations and claim ids it exercises (its ``@pytest.mark.fidelity`` ids,
plus the operation of a schemathesis case), its outcome, on failure the evidence (pytest's report), and
every claim check it made (``claims.Claims``): id, level, confirmed / contradicted / not exercised.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from contract_tests.claims import PROPERTY

_OPERATION = re.compile(r"function=(\w+)")
EVIDENCE_CHARS = 3000


def fidelity_ids(item: pytest.Item) -> list[str]:
    ids = [str(value) for marker in item.iter_markers("fidelity") for value in marker.args]
    operation = _OPERATION.search(item.name)
    if operation:
        ids.insert(0, operation.group(1))
    return list(dict.fromkeys(ids))


def key(item_or_report) -> str:
    """The kit's own name for a test, wherever the kit is installed: ``contract_tests/FILE.py::NAME``.
    The file comes from the nodeid, the name from the location: schemathesis gives every operation's
    item the same nodeid, and a location inside schemathesis."""
    path = item_or_report.nodeid.split("::")[0]
    return f"contract_tests/{Path(path).name}::{item_or_report.location[2]}"


class ResultsRecorder:
    def __init__(self, path: str):
        self.path = Path(path)
        self.tests: dict[str, dict] = {}

    def _new(self, item: pytest.Item, outcome: str, evidence: str = "") -> dict:
        return {"test": key(item), "ids": fidelity_ids(item), "outcome": outcome, "evidence": evidence, "claims": []}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.tests[key(item)] = self._new(item, "not run")

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.tests[key(item)] = self._new(item, "deselected", "not run (places calls; needs --ccs-allow-calls)")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self.tests.get(key(report))
        if record is None:
            return
        if report.when == "call":
            record["claims"] += [claim for name, claim in report.user_properties if name == PROPERTY]
        if report.when != "call" and not report.failed and not report.skipped:
            return
        if report.failed:
            record["outcome"], record["evidence"] = "failed", str(report.longrepr)[-EVIDENCE_CHARS:]
        elif report.skipped:
            record["outcome"] = "skipped"
        elif record["outcome"] != "failed":
            record["outcome"] = "passed"

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        tests = list(self.tests.values())
        discovery = getattr(session.config, "_ccs_discovery", None)
        if discovery is not None:  # what probing the tenant's records found (a fixture, not a test)
            contradicted = any(c["outcome"] == "contradicted" for c in discovery.records)
            tests.append({"test": "contract_tests/records.py::discover", "ids": ["reportsCDRLogs"],
                          "outcome": "failed" if contradicted else "passed", "evidence": "", "claims": discovery.records})
        self.path.write_text(json.dumps(tests, indent=2, ensure_ascii=False), encoding="utf-8")
