"""What a test found, claim by claim, and what a broken claim does to the test.

A broken **confirmed** or **seen-in-client** claim fails the test: the tenant contradicts what the vendor
documents or what real clients rely on. A broken **assumed** claim is recorded as an assumption the
tenant contradicted (a warning, and a line in ``ccs-mock check``'s report) and fails the test only in
strict mode (``--ccs-strict``, the default against a ccs-mock fake, which must keep its own assumptions).

Every check is recorded on the test (``item.user_properties``, name ``ccs-claim``) with its outcome, so
``--ccs-results`` and ``ccs-mock check`` report per claim, not only per test.
"""
from __future__ import annotations

import warnings
from typing import Iterable

import pytest

from contract_tests.conformance import Finding, KitSpec

PROPERTY = "ccs-claim"


class AssumptionContradicted(pytest.PytestWarning):
    """The tenant answered otherwise than an assumed (undocumented) claim of the spec."""


class Claims:
    def __init__(self, spec: KitSpec, strict: bool, item: pytest.Item | None = None):
        self.spec, self.strict, self.item = spec, strict, item
        self.records: list[dict] = []  # for checks made outside a test (discovery)
        self._seen: set[tuple[str, str, str]] = set()

    def _record(self, claim: str, level: str, outcome: str, message: str) -> None:
        if (claim, outcome, message) in self._seen:  # a generated test checks the same claim many times
            return
        self._seen.add((claim, outcome, message))
        record = {"id": claim, "level": level, "outcome": outcome, "message": message[:2000]}
        if self.item is not None:
            self.item.user_properties.append((PROPERTY, record))
        else:
            self.records.append(record)

    def check(self, claim: str, ok: bool, message: str = "") -> bool:
        """Record a claim's check; a broken one fails the test unless it is an assumption (not strict)."""
        level = self.spec.level(claim)
        self._declared(claim)
        if ok:
            self._record(claim, level, "confirmed", "")
            return True
        self._broken([Finding(level, claim, message)])
        return False

    def findings(self, findings: Iterable[Finding], exercised: Iterable[str] = ()) -> None:
        """Record what a conformance check found; the claims in ``exercised`` held unless found broken.
        (Conformance claims are checked on every answer, so tests need not name them in their marker.)"""
        findings = list(findings)
        broken = {f.claim for f in findings}
        for claim in exercised:
            if claim not in broken:
                self._record(claim, self.spec.level(claim), "confirmed", "")
        if findings:
            self._broken(findings)

    def not_exercised(self, claim: str, reason: str) -> None:
        self._declared(claim)
        self._record(claim, self.spec.level(claim), "not exercised", reason)

    def _broken(self, findings: list[Finding]) -> None:
        hard = [f for f in findings if f.level != "assumed" or self.strict]
        for finding in findings:
            self._record(finding.claim, finding.level, "contradicted", finding.message)
        for finding in findings:
            if finding not in hard:
                warnings.warn(AssumptionContradicted(f"[{finding.claim}, assumed] {finding.message}"), stacklevel=3)
        if hard:
            raise AssertionError("\n".join(f"[{f.claim}, {f.level}] {f.message}" for f in hard))

    def _declared(self, claim: str) -> None:
        """A test names the claims it checks in its ``fidelity`` marker (the fact -> test table reads them)."""
        if self.item is None:
            return
        named = {str(arg) for marker in self.item.iter_markers("fidelity") for arg in marker.args}
        assert claim in named, f"kit bug: {self.item.name} checks {claim!r} but its fidelity marker does not name it"
