"""The specs are valid OpenAPI 3.1, lint clean with Spectral, and agree with the domain and the README."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from mock_server.domain.backend import Backend
from mock_server.domain.vendor_functions import marked
from mock_server.spec import YAML_LOADER, Spec
from mock_server.tools.fidelity import fidelity_tables, kit_table, kit_tests
from tests.spec.edited import edited_spec

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["ccs.yaml", "control.yaml", "softphone.yaml"])
def test_spec_is_valid_openapi(name: str) -> None:
    validate(Spec.bundled(name).document)


def spectral_command() -> list[str]:
    local = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "spectral"
    if local.exists():
        return [str(local)]
    if shutil.which("spectral"):
        return ["spectral"]
    if shutil.which("npx"):
        return ["npx", "--yes", "@stoplight/spectral-cli@6"]
    pytest.fail("Spectral needs Node.js and npm: `./scripts/install-test-deps` installs them and Spectral")


@pytest.mark.parametrize("name", ["ccs.yaml", "control.yaml", "softphone.yaml"])
def test_spec_passes_spectral_oas_ruleset(name: str) -> None:
    result = subprocess.run([*spectral_command(), "lint", str(ROOT / "openapi" / name), "--ruleset",
                             str(ROOT / ".spectral.yaml"), "--fail-severity", "error"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT, env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_operation_has_a_vendor_function_and_fidelity() -> None:
    spec = Spec.bundled()
    assert set(spec.vendor_calls(marked(Backend))) == set(spec.operations)
    for _, _, operation in spec.http_operations():
        assert operation["x-fidelity"]["level"] in ("confirmed", "seen-in-client", "assumed")
        assert operation["x-fidelity"]["source"]


@pytest.mark.parametrize("change, message", [
    (lambda post: post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]
     .pop("cursor"), r"form fields differ from the GET's query parameters: \['cursor'\]"),
    (lambda post: post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["required"]
     .append("cursor"), r"\['cursor'\]"),
    (lambda post: post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"].pop("anyOf"),
     r"the parameter rules"),
    (lambda post: post.update(operationId="reportsCDRLogs2"), r"operationId must be 'reportsCDRLogsPost'"),
    (lambda post: post["x-fidelity"].update(level="assumed"), r"carry its fidelity level"),
])
def test_a_post_must_bind_what_its_get_binds(tmp_path: Path, change, message) -> None:
    path = edited_spec(tmp_path, lambda document: change(document["paths"]["/api/?function=reportsCDRLogs"]["post"]))
    with pytest.raises(ValueError, match=message):
        Spec.load(path).operations


def test_readme_fidelity_table_is_generated_from_the_spec() -> None:
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- fidelity:start -->\n", "\n<!-- fidelity:end -->"
    table = readme[readme.index(start) + len(start):readme.index(end)]
    assert table == fidelity_tables(), "run `ccs-mock fidelity` and paste it into the README"


def test_readme_kit_table_is_generated_from_the_kit() -> None:
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- kit:start -->\n", "\n<!-- kit:end -->"
    table = readme[readme.index(start) + len(start):readme.index(end)]
    assert table == kit_table(), "run `ccs-mock fidelity --kit` and paste it into the README"


def test_every_confirmed_and_seen_in_client_claim_has_a_kit_test() -> None:
    tested = kit_tests()
    untested = [item["id"] for _, tag in Spec.bundled().fidelity()
                for item in tag.get("claims", []) if item["level"] != "assumed" and item["id"] not in tested]
    assert not untested, f"claims a client can observe that no kit test names: {untested}"


def test_each_spec_is_parsed_once_per_process_with_the_c_loader(tmp_path: Path) -> None:
    assert Spec.bundled() is Spec.bundled() is Spec.load(ROOT / "openapi" / "ccs.yaml")
    assert YAML_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    path = edited_spec(tmp_path, lambda document: None)
    first = Spec.load(path)
    assert Spec.load(str(path)) is first
    path.write_text(path.read_text() + "# edited\n")
    assert Spec.load(path) is not first, "a changed file is parsed again"


def test_references_resolve_through_the_registry() -> None:
    spec = Spec.bundled()
    page = spec.validator("#/components/schemas/CallListPage")  # its records are a $ref to CallRecord
    assert page.schema == {"$ref": spec.uri + "#/components/schemas/CallListPage"}
    assert page.is_valid({"CallList": [], "cursor": "x"})
    assert not page.is_valid({"CallList": [{"callid": "1"}], "cursor": "x"})
    assert spec.follow("#/paths/~1api~1?function=ping/post/requestBody/content/application~1x-www-form-urlencoded"
                       "/schema/properties/app_token") == ("#/components/parameters/app_token/schema",
                                                           spec.resolve("#/components/parameters/app_token/schema"))
