"""Records what the contract kit found, test by test, for ``ccs-mock check`` (``--ccs-results PATH``).

Each test's record names the operations and ``x-fidelity`` assumption ids it exercises (its
``@pytest.mark.fidelity`` ids, plus the operation of a schemathesis case), its outcome, and on
failure the evidence (pytest's report: status, body, the differing fields).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

_OPERATION = re.compile(r"function=(\w+)")
EVIDENCE_CHARS = 3000


def fidelity_ids(item: pytest.Item) -> list[str]:
    ids = [str(value) for marker in item.iter_markers("fidelity") for value in marker.args]
    operation = _OPERATION.search(item.name)
    if operation:
        ids.insert(0, operation.group(1))
    return list(dict.fromkeys(ids))


def key(located) -> str:
    """A test's own name: schemathesis gives every operation's item the same nodeid, not the same location."""
    path, _, name = located.location
    return f"{path}::{name}"


class ResultsRecorder:
    def __init__(self, path: str):
        self.path = Path(path)
        self.tests: dict[str, dict] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.tests[key(item)] = {"test": key(item), "ids": fidelity_ids(item), "outcome": "not run",
                                     "evidence": ""}

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.tests[key(item)] = {"test": key(item), "ids": fidelity_ids(item), "outcome": "deselected",
                                     "evidence": "not run (e.g. places calls; needs --ccs-allow-calls)"}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self.tests.get(key(report))
        if record is None or (report.when != "call" and not report.failed and not report.skipped):
            return
        if report.failed:
            record["outcome"], record["evidence"] = "failed", str(report.longrepr)[-EVIDENCE_CHARS:]
        elif report.skipped:
            record["outcome"] = "skipped"
        elif record["outcome"] != "failed":
            record["outcome"] = "passed"

    def pytest_sessionfinish(self) -> None:
        self.path.write_text(json.dumps(list(self.tests.values()), indent=2), encoding="utf-8")
