"""Every answer the kit receives, checked against ``openapi/ccs.yaml``: status, content type, JSON, and
the body's schema (required fields, types, the vendor's date format, error bodies).

A way an answer breaks the spec is a ``Finding``, as strong as the spec says the broken part is:
the ``x-fidelity`` tag nearest to the failing schema node (a field, its record, its envelope, then the
operation) gives its level (confirmed, seen-in-client, assumed) and the claim it belongs to. Transport
rules are the top-level claims (``transport.*``). ``claims.Claims`` decides what a finding does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

import jsonschema_rs
from jsonschema import Draft202012Validator

from mock_server.spec import Spec, function_name, is_error_body

__all__ = ["Answer", "Finding", "KitSpec", "is_error_body", "kit_spec", "parse", "schema_findings"]
HANGUP_POST = "#/components/schemas/HangupPost"

MAX_EXAMPLES_PER_RULE = 3  # one broken field in 100 records is reported three times, not a hundred


@dataclass(frozen=True)
class Finding:
    level: str  # confirmed | seen-in-client | assumed
    claim: str  # a claim id of the spec, or the operation id
    message: str


@dataclass(frozen=True)
class Answer:
    """One received answer, parsed: ``body`` is None when it was not JSON."""
    status: int
    content_type: str
    text: str
    body: Any


class KitSpec:
    """The vendor spec as the kit reads it: claims with their levels, and one checker per operation."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.claims: dict[str, dict] = {}
        for _, tag in spec.fidelity():
            for item in tag.get("claims", []):
                self.claims[item["id"]] = item
        self.operations: dict[str, dict] = {  # function -> its GET (a POST answers the same: spec.Spec checks)
            function_name(path_key): operation
            for path_key, method, operation in spec.http_operations() if method == "get"}
        self._rust_registry = jsonschema_rs.Registry([(spec.uri, spec.document)])
        # per schema reference: its claims, its compiled validators
        self._schema_claims: dict[str, list[str]] = {}
        self._validators: dict[str, tuple[Any, Draft202012Validator]] = {}

    def level(self, claim_id: str) -> str:
        if claim_id in self.claims:
            return self.claims[claim_id]["level"]
        if claim_id in self.operations:
            return self.operations[claim_id].get("x-fidelity", {}).get("level", "assumed")
        raise KeyError(f"the spec has no claim or operation {claim_id!r}")

    def transport(self, claim_id: str, message: str) -> Finding:
        return Finding(self.level(claim_id), claim_id, message)

    # -- answers to ?function= requests ------------------------------------------------------------
    def answer_check(self, function: str, answer: Answer) -> tuple[list[Finding], list[str]]:
        """How one answer to a declared (GET or POST) call of ``function`` breaks the spec, and which claims
        the check exercised (the transport rules, the operation, the claims of the body's schema)."""
        findings: list[Finding] = []
        exercised = ["transport.json", "transport.success-http-200", function]
        if answer.status >= 500:
            findings.append(self.transport("transport.success-http-200",
                                           f"{function} answered HTTP {answer.status}: {answer.text[:200]!r}"))
        if not isinstance(answer.body, dict):
            what = "no body" if not answer.text else ("JSON that is not an object" if answer.body is not None
                                                      else f"a body that is not JSON ({answer.content_type or 'no content type'})")
            findings.append(self.transport("transport.json", f"{function} answered {what}: {answer.text[:200]!r}"))
            return findings, exercised
        exercised.append("transport.json-content-type")
        if answer.content_type.split(";")[0].strip().lower() != "application/json":
            findings.append(self.transport("transport.json-content-type",
                                           f"{function} answered JSON labelled {answer.content_type!r}"))
        error = is_error_body(answer.body)
        if error:
            exercised.append("transport.http-200-errors")
        if answer.status != 200 and answer.status < 500:
            claim = "transport.http-200-errors" if error else "transport.success-http-200"
            findings.append(self.transport(claim, f"{function} answered HTTP {answer.status} with {answer.text[:200]!r}"))
        operation = self.operations[function]
        root = self.spec.response_schema(function)
        branches = self.spec.branches(root)
        branch = next((b for b in branches if self.spec.is_error_schema(b) == error), branches[0])
        fallback = Finding(operation.get("x-fidelity", {}).get("level", "assumed"), function, "")
        findings += schema_findings(self.spec, branch, answer.body, [root], fallback, self._compiled(branch))
        exercised += self._claims_of(branch)
        return findings, exercised

    def _compiled(self, ref: str) -> tuple[Any, Draft202012Validator]:
        """Both validators of a schema of this spec, compiled once."""
        if ref not in self._validators:
            self._validators[ref] = (jsonschema_rs.validator_for(self.spec.schema(ref), registry=self._rust_registry),
                                     self.spec.validator(ref))
        return self._validators[ref]

    def _claims_of(self, ref: str) -> list[str]:
        """The claim ids the ``x-fidelity`` tags inside a schema name."""
        if ref not in self._schema_claims:
            self._schema_claims[ref] = list(dict.fromkeys(tag["claim"] for tag in self.spec.fidelity_in(ref)
                                                          if "claim" in tag))
        return self._schema_claims[ref]

    def form_check(self, form: Mapping[str, str]) -> tuple[list[Finding], list[str]]:
        """How a hangup POST's form fields break ``HangupPost``."""
        fallback = Finding("confirmed", "hangup.form", "")
        return schema_findings(self.spec, HANGUP_POST, dict(form), [], fallback,
                               self._compiled(HANGUP_POST)), ["hangup.form"]


def schema_findings(spec: Spec, ref: str, instance: Any, parents: Iterable[str], fallback: Finding,
                    compiled: tuple[Any, Draft202012Validator]) -> list[Finding]:
    """Validate ``instance`` against the schema at ``ref``; each error gets the level and claim of the nearest
    ``x-fidelity`` above the failing node (``parents`` are the enclosing schemas, outermost first). A valid
    answer (nearly all of them) is settled by the compiled Rust validator; only an invalid one is walked for
    its errors."""
    fast, slow = compiled
    if fast.is_valid(instance):
        return []
    seen: dict[tuple, int] = {}
    findings = []
    for error in slow.iter_errors(instance):
        for tag, message in _attributed(spec, ref, list(parents), error):
            rule = (tag.get("claim"), tuple(p for p in error.absolute_schema_path if not isinstance(p, int)),
                    error.validator)
            seen[rule] = seen.get(rule, 0) + 1
            if seen[rule] > MAX_EXAMPLES_PER_RULE:
                continue
            where = "/".join(str(p) for p in error.absolute_path) or "body"
            findings.append(Finding(tag.get("level", fallback.level), tag.get("claim", fallback.claim),
                                    f"{where}: {message}"))
    return findings


def _attributed(spec: Spec, ref: str, parents: list[str], error) -> list[tuple[dict, str]]:
    """The schema path of an error walked from the schema at ``ref`` (through the references on it, which
    jsonschema's path steps over), collecting the ``x-fidelity`` tags on the way."""
    tags = [node["x-fidelity"] for node in (spec.follow(parent)[1] for parent in parents) if "x-fidelity" in node]
    node: Any = spec.follow(ref)[1]
    if "x-fidelity" in node:
        tags.append(node["x-fidelity"])
    for part in list(error.absolute_schema_path)[:-1]:
        node = spec.deref(node[part])
        if isinstance(node, dict) and "x-fidelity" in node:
            tags.append(node["x-fidelity"])
    nearest = tags[-1] if tags else {}
    if error.validator != "required" or not isinstance(error.instance, dict):
        return [(nearest, error.message)]
    missing = [name for name in error.validator_value if name not in error.instance]
    properties = node.get("properties", {}) if isinstance(node, dict) else {}
    return [(spec.deref(properties.get(name, {})).get("x-fidelity", nearest), f"{name!r} is a required property")
            for name in missing]


def parse(status: int, content_type: str, text: str) -> Answer:
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    return Answer(status, content_type or "", text, body)


@lru_cache(maxsize=1)
def kit_spec() -> KitSpec:
    return KitSpec(Spec.bundled())
